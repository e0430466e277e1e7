"""Every page of a site, planned whole, for tests that look at page contexts."""

from __future__ import annotations

from collections.abc import Mapping

from flashnews.compose.images import LeadImage
from flashnews.compose.planner import SitePlanner
from flashnews.compose.render import PagePlan
from flashnews.config import SiteConfig
from flashnews.model import Site


def plan_all(site: Site, config: SiteConfig, *, images: Mapping[str, LeadImage] | None = None) -> list[PagePlan]:
    planner = SitePlanner(site, config, images=images)
    return [planner.plan(spec) for spec in planner.specs()]
