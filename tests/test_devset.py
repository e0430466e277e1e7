"""The normalizer on real drops by others (../shared/devset): the targets hold, scored by the set's own scorer."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DEVSET = REPO.parent / "shared" / "devset"
pytestmark = pytest.mark.skipif(not (DEVSET / "score.py").is_file(), reason="the development set is not beside the repository")


def _bench_devset():
    spec = importlib.util.spec_from_file_location("bench_devset", REPO / "bench" / "devset.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float | str]]:
    bench = _bench_devset()
    work = tmp_path_factory.mktemp("devset")
    bench.normalize_devset(DEVSET, work)
    report_path = work / "report.json"
    command = [sys.executable, str(DEVSET / "score.py"), str(work / "content"), "--cases", str(DEVSET), "--json", str(report_path)]
    command += ["--default-category", bench._default_section()]
    subprocess.run(command, capture_output=True, check=True)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    gold = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (DEVSET / "gold").glob("*.json")}
    return {
        "portal": bench.subset_figures(report, gold, bench.PAGE_COPY, inside=False),
        "page": bench.subset_figures(report, gold, bench.PAGE_COPY, inside=True),
    }


def test_portal_drops_meet_the_targets(figures):
    portal = figures["portal"]
    assert portal["title"] >= 0.99
    assert portal["paraF1"] >= 0.98
    assert portal["category"] >= 0.98
    assert portal["byline+"] >= 0.95 and portal["date+"] >= 0.95
    assert portal["leaks"].startswith("0/") and portal["mojibake"].startswith("0/") and portal["refused"].startswith("0/")


def test_whole_page_copies_meet_the_targets(figures):
    page = figures["page"]
    assert page["title"] >= 0.90
    assert page["paraF1"] >= 0.90
    assert page["refused"].startswith("0/")
