"""``benchmarks/run.py --quick`` on a tiny synthetic prefecture, so the benchmark scripts never go stale.
Nothing here looks at a time: benchmarks are not tests. It checks that every benchmark ran, compared its
answers (the scripts assert equality before reporting) and wrote both result files. The load benchmark
is left out: tests/reliability/test_load.py drives the same code with 30 visitors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.reliability.conftest import REPO

pytestmark = pytest.mark.timeout(900)

EXPECTED = ("coverage_prefecture", "coverage_prefecture_whole", "greedy_prefecture", "critical_places_prefecture",
            "survey_scoring_2k", "map_payload_0.2k", "map_payload_0.2k_labels", "map_page_demo",
            "scenario_change_demo", "network_paths", "city_setup", "import_places_0.5k")
#: Measured when the test PostgreSQL cluster runs (always under ./test.sh with CI=true).
POSTGIS = ("postgis_coverage", "postgis_area_assignment")


def test_every_benchmark_runs_quick_on_a_tiny_prefecture(tmp_path):
    done = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--scale", "0.02", "--skip", "load",
                           "--out", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=800)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-5000:])
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    expected = EXPECTED + (POSTGIS if os.environ.get("TSUDOI_TEST_PG_URL", "").strip() else ())
    assert set(expected) <= set(results), sorted(results)
    for name in expected:
        entry = results[name]
        assert "error" not in entry and entry["ours_s"] is not None and entry["ours_s"] >= 0, (name, entry)
        assert entry.get("answers_equal", True) is True, name
    assert results["_meta"]["prefecture"]["municipalities"] == 63
    assert results["greedy_prefecture"]["small_min_objective_ratio"] <= 1.0
    assert results["map_payload_0.2k"]["ours_bytes"] > 0 and results["map_payload_0.2k"]["baseline_bytes"] > 0
    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "| benchmark | ours (s) |" in table and "coverage_prefecture" in table and "SYNTHETIC" in table
