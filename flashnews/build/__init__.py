"""Build: one build of the site, from the inputs that changed to the output folder.

pipeline (build_site, the one entry; a build with nothing to do stops there), stages (the full
build: load, plan, render the pages whose keys changed, one write transaction), inplace,
remembered and order (the in-place engine: edits and new stories placed in the order the last
full build remembered), searching (the search index outside the full build), state (the build state: manifest, cache), fingerprint, loading,
indexing (the search index kept up to date), workers (the process pool), output (the staging
transaction).
"""
