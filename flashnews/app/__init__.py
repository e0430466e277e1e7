"""App: the commands editors, readers' previews and CI run.

cli (argv -> exit status), commands (build, normalize, check), watch (rebuild on change),
changes (which change is which), serve (the preview server), publish and commitback (CI: new
drops committed back, then built), reporting (what a command prints).
"""
