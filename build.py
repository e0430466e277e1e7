"""Build the Flash News site: python build.py [build|normalize|check|watch|serve] [options]."""

from flashnews.app.cli import run

if __name__ == "__main__":
    run()
