"""Compose: a site's articles -> the pages that show them.

site (published articles -> sections and order), planner (every page with a key over its
inputs), render and templating (Jinja, autoescaped), related, paging, feeds, sitemap, search
(the index readers search in the browser), seo, images (lead and body pictures), i18n.
"""
