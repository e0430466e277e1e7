"""App: the commands editors, readers' previews and CI run.

cli (argv -> exit status), commands (build, normalize, check, watch and serve), watch (rebuild
on change), observe (the watched folders), changes (which change is which and when it has
settled), serve (the preview server), publish and commitback (CI: new drops committed back,
then built), reporting (what a command prints).
"""
