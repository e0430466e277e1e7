#!/usr/bin/env bash
# flashnews.compose.templating relies on internals of jinja2 and markupsafe, so the versions pyproject.toml
# allows are tested at both ends: for the lowest and the highest allowed jinja2 and markupsafe,
# a throwaway venv under .venv-versions/ (gitignored) gets the project installed and runs the
# templating and golden-site tests, and builds the sample site, which must equal byte for byte the
# one built with the main venv. Pip's cache keeps the installs quick. The folder is removed on success
# (kept after a failure for a look; `make clean` removes it too).
#
# Usage: tests/versions/run.sh [PYTHON]   (PYTHON is the main venv's, default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-.venv/bin/python}
work=.venv-versions
now=2026-01-01T00:00:00+00:00

# "lowest": each library at the version its >= bound names; "highest": the bounds themselves, from
# which pip picks the newest release.
requirements() {
  "$python" - "$1" <<'PY'
import sys, tomllib
from packaging.requirements import Requirement

with open("pyproject.toml", "rb") as file:
    dependencies = [Requirement(text) for text in tomllib.load(file)["project"]["dependencies"]]
bounded = [requirement for requirement in dependencies if requirement.name.lower() in ("jinja2", "markupsafe")]
assert len(bounded) == 2, "pyproject.toml should name jinja2 and markupsafe once each"
for requirement in bounded:
    if sys.argv[1] == "highest":
        print(f"{requirement.name}{requirement.specifier}")
    else:
        (lowest,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        print(f"{requirement.name}=={lowest}")
PY
}

# A build reads a copy of content/, since a build normalizes raw drops in place.
build_sample_site() {
  rm -rf "$2" && mkdir -p "$2" && cp -R content "$2/content"
  env -u CI -u GITHUB_ACTIONS -u SOURCE_DATE_EPOCH \
    "$1" build.py build --config site.toml --content "$2/content" --output "$2/public" --now "$now" -q
}

# Each venv gets the project with the libraries at one end of their ranges (both installs at once).
install() {
  requirements "$1" > "$work/$1.txt"
  "$python" -m venv "$work/$1"
  "$work/$1/bin/python" -m pip install -q --disable-pip-version-check -e . pytest hypothesis -r "$work/$1.txt"
}

rm -rf "$work"
mkdir -p "$work"
install lowest & lowest=$!
install highest & highest=$!
build_sample_site "$python" "$work/site-main"
wait "$lowest"
wait "$highest"
for bound in lowest highest; do
  "$work/$bound/bin/python" -c 'import jinja2, importlib.metadata as m; print("== jinja2", jinja2.__version__, "and markupsafe", m.version("markupsafe"))'
  "$work/$bound/bin/python" -m pytest -q -p no:cacheprovider tests/test_templating.py tests/test_golden.py
  build_sample_site "$work/$bound/bin/python" "$work/site-$bound"
  diff -r "$work/site-main/public" "$work/site-$bound/public"
  echo "the sample site built with them is the same as with the main venv"
done
rm -rf "$work"
