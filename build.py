"""Build the Flash News site: python build.py [build|normalize|check|watch|serve] [options]."""

import sys

from flashnews.cli import main

if __name__ == "__main__":
    sys.exit(main())
