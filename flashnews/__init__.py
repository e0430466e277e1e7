"""flashnews: a static news-site generator for newsrooms.

The package reads as its pipeline, one sub-package per layer; a module imports only its own
layer and those below it (tests/test_imports.py holds it to that):

    app      the commands: cli, watch, serve, publish (CI), changes, commitback, reporting
    build    one build: pipeline (the entry), stages (the full build), inplace and remembered
             (the in-place engine), order, state, fingerprint, loading, indexing, workers, output
    compose  a site -> pages: site, planner, render, templating, related, paging, feeds,
             sitemap, search, seo, images, i18n
    ingest   files -> articles: drops and normalize (raw text), documents, word, webpage,
             sources, decode, content, markup, records, and the normalizer's rules
    (root)   config, errors, model: the values every layer shares

The public surface is below; everything else may change between versions.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_PUBLIC = {
    "BuildPaths": "flashnews.model",
    "BuildResult": "flashnews.model",
    "SiteConfig": "flashnews.config",
    "load_config": "flashnews.config",
    "FlashnewsError": "flashnews.errors",
    "build_site": "flashnews.build.pipeline",
    "check_site": "flashnews.build.stages",
    "normalize_drops": "flashnews.ingest.drops",
    "normalize_text": "flashnews.ingest.normalize",
    "main": "flashnews.app.cli",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    # Imported on first use: a command pays only for the layers it runs.
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'flashnews' has no attribute {name!r}")
