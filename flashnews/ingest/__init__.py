"""Ingest: what editors drop into content/ -> normalized Markdown and parsed articles.

drops (raw .txt, .docx, .html drops -> .md), archive (the raw files kept and the manifest of
what each produced), normalize and the
normalizer's rules (furniture, hints, marking, layout, headline, bylines, datelines), documents,
word, webpage, htmlmarkdown, extracted (Word files and saved pages), sources (finding and reading
files), decode (bytes -> text), content (front matter -> Article), markup (Markdown -> safe
HTML), records (the build cache's encoding of a parsed article), slugs.
"""
