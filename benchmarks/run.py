"""Every benchmark in one command: ours and its baselines in the same run, answers checked equal,
times, ratios and peak memory written to ``results.json`` and a Markdown table ``results.md``.

    .venv/bin/python benchmarks/run.py            # full sizes (≈ 5 min on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # smaller sizes, ≤ 2 min; writes results-quick.*
    .venv/bin/python benchmarks/run.py --quick --scale 0.02 --out /tmp/b   # tiny (the test suite's run)
    .venv/bin/python benchmarks/run.py --only coverage,greedy

Everything is measured on SYNTHETIC data (架空): the prefecture of ``benchmarks/prefecture.py`` (real
埼玉県 outlines and 住基 totals, made-up cells, areas, places and venues), synthetic places and survey
answers, and the 蕨市 demo store (real open data plus sample places) built once for the page, load and
scenario benchmarks. ``results.json`` maps each benchmark's name to ``ours_s``, ``baseline_s``,
``ratio`` (ours ÷ baseline: below 1 ours is faster), ``peak_mb`` (extra peak RSS of one call, see
``benchmarks/common.py``) and what else it measured; ``_meta`` says when, where and at which sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, load_average, row  # noqa: E402

HERE = Path(__file__).resolve().parent
ALL = ("coverage", "greedy", "critical", "memory", "survey", "map_payload", "map_page", "load", "scenarios", "network",
       "city_setup", "import_places", "postgis")


def sizes(quick: bool, scale: float) -> dict:
    tiny = scale < 0.2
    return {
        "scale": scale, "repeat": 2 if quick else 5,
        "greedy_k": 10, "exact_limit_s": 60 if quick else 300, "small_instances": 3 if quick else 8,
        "critical_baseline_places": 20 if quick else 200,
        "respondents": 2_000 if tiny else 20_000 if quick else 100_000,
        "map_places": 200 if tiny else 2_000 if quick else 10_000, "browser_repeat": 1 if quick else 3,
        "map_page_extra_places": 0 if quick else 5_000, "map_page_reruns": 2 if quick else 4,
        "load_sessions": 4 if tiny else 10 if quick else 30, "scenario_changes": 3 if quick else 20,
        "network_side": 60 if quick else 300, "network_units": 2_000 if quick else 20_000,
        "city_cells_side": 20 if quick else 100, "city_towns_side": 5 if quick else 25,
        "import_rows": 500 if tiny else 5_000 if quick else 20_000,
    }


def _prefecture(size: dict, cache: dict):
    if "prefecture" not in cache:
        from benchmarks.prefecture import build

        start = time.perf_counter()
        cache["prefecture"] = build(size["scale"])
        _ = cache["prefecture"].units  # the units' polygons, built once for every benchmark
        cache["prefecture_s"] = time.perf_counter() - start
    return cache["prefecture"]


def _demo(cache: dict) -> Path:
    if "demo" not in cache:
        from dashboard.demo.build import build_demo
        from dashboard.store.engine import open_store

        folder = Path(tempfile.mkdtemp(prefix="tsudoi-bench-"))
        cache["folders"].append(folder)
        path = folder / "demo.sqlite"
        engine = open_store(f"sqlite:///{path}")
        build_demo(engine)
        engine.dispose()
        cache["demo"] = path
    return cache["demo"]


def run_coverage(size, cache):
    from benchmarks import coverage_prefecture

    return coverage_prefecture.measure(_prefecture(size, cache), size["repeat"])


def run_greedy(size, cache):
    from benchmarks import greedy_prefecture

    return greedy_prefecture.measure(_prefecture(size, cache), size["greedy_k"], size["exact_limit_s"],
                                     size["small_instances"], size["repeat"])


def run_critical(size, cache):
    from benchmarks.critical_places import measure_arrays
    from dashboard import coverage

    prefecture = _prefecture(size, cache)
    counted = coverage.counted_places(prefecture.places, coverage.CoverageQuery())
    got = measure_arrays((prefecture.cells["x_m"].to_numpy(), prefecture.cells["y_m"].to_numpy()),
                         (counted["x_m"].to_numpy(), counted["y_m"].to_numpy()),
                         prefecture.cells["pop65"].to_numpy(float), 500.0,
                         min(size["critical_baseline_places"], len(counted)))
    return {"critical_places_prefecture": row(
        got.pop("ours_s"), got.pop("baseline_s"), None, what="unique coverage of every counted place in one pass "
        "vs recomputing coverage without each place (baseline timed on a sample, extrapolated)", **got)}


def run_memory(size, cache):
    import subprocess

    if size["scale"] < 1:
        return {}
    done = subprocess.run([sys.executable, "-m", "benchmarks.prefecture", "--rss"], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return {"prefecture_loaded": {"ours_s": round(got["seconds"], 3), "baseline_s": None, "ratio": None,
                                  "peak_mb": round(got["peak_rss_mb"], 1), "rss_mb": round(got["rss_mb"], 1),
                                  "rss_after_imports_mb": round(got["rss_after_imports_mb"], 1),
                                  "what": "a fresh process builds the synthetic prefecture and its units, runs coverage "
                                          "and the greedy: seconds, and peak RSS (VmHWM, the whole process) in peak_mb",
                                  "baseline_note": "no baseline: memory with the prefecture loaded"}}


def run_survey(size, cache):
    from benchmarks import survey_scoring

    result = survey_scoring.measure(size["respondents"], size["repeat"])
    entry = result.pop("survey_scoring_100k")
    return {f"survey_scoring_{size['respondents'] // 1000}k": entry}


def run_map_payload(size, cache):
    from benchmarks import map_payload

    return map_payload.measure(size["map_places"], browser=True, repeat=size["browser_repeat"])


def run_map_page(size, cache):
    from benchmarks import map_page

    return map_page.measure(size["map_page_extra_places"], size["map_page_reruns"], demo=_demo(cache))


def run_load(size, cache):
    from benchmarks import public_map_load

    return public_map_load.measure(size["load_sessions"], demo=_demo(cache))


def run_scenarios(size, cache):
    from benchmarks import scenarios

    folder = Path(tempfile.mkdtemp(prefix="tsudoi-bench-"))
    cache["folders"].append(folder)
    db = folder / "demo.sqlite"
    shutil.copy(_demo(cache), db)
    got = scenarios.measure(str(db), size["scenario_changes"])
    return {"scenario_change_demo": {"ours_s": round(got["median_ms"] / 1000, 4), "baseline_s": None, "ratio": None,
                                     "max_s": round(got["max_ms"] / 1000, 4), "goal_s": 0.3, **got,
                                     "what": "server time of one 仮定 change on the 蕨市 demo (median)",
                                     "baseline_note": "no baseline: a latency target"}}


def run_network(size, cache):
    from benchmarks import network_paths

    got = network_paths.measure(size["network_side"], 80.0, size["network_units"], 300 if size["network_units"] > 5000
                                else 50, size["repeat"])
    return {"network_paths": row(got["walk_s"], got["old_walk_s"], None, search_s=got["search_s"],
                                 old_search_s=got["old_search_s"], pieces_s=got["pieces_s"],
                                 old_pieces_s=got["old_pieces_s"], crossings=got["crossings"],
                                 what="walking distances on a synthetic street grid: scipy.sparse.csgraph vs the "
                                      "pure-Python Dijkstra/union–find it replaced (whole network_distance_m call)")}


def run_city_setup(size, cache):
    from benchmarks import city_setup

    facts, stored, times, total = city_setup.measure(size["city_cells_side"], size["city_towns_side"])
    return {"city_setup": {"ours_s": round(total, 3), "baseline_s": None, "ratio": None, "goal_s": 60,
                           "cells": facts["cells"], "towns": facts["towns"],
                           "steps_s": {k: round(v, 3) for k, v in times.items()},
                           "what": "setting up a SYNTHETIC city through the CLI, coverage included",
                           "baseline_note": "no baseline: a time target"}}


def run_import_places(size, cache):
    from benchmarks import import_places

    return import_places.measure(size["import_rows"], size["repeat"], demo=_demo(cache))


def run_postgis(size, cache):
    from benchmarks import postgis_pushdown

    url = postgis_pushdown.server_url()
    if not url:  # not a failure: the embedded backend needs no server; the table says why it is missing
        note = "not measured: no PostgreSQL server (set TSUDOI_BENCH_PG_URL, or run scripts/test_postgres.sh)"
        return {name: {"ours_s": None, "baseline_s": None, "ratio": None, "skipped": note, "what": note}
                for name in ("postgis_coverage", "postgis_area_assignment")}
    return postgis_pushdown.measure(_prefecture(size, cache), url, max(1, size["repeat"] // 2))


RUNNERS = {"coverage": run_coverage, "greedy": run_greedy, "critical": run_critical, "memory": run_memory,
           "survey": run_survey,
           "map_payload": run_map_payload, "map_page": run_map_page, "load": run_load, "scenarios": run_scenarios,
           "network": run_network, "city_setup": run_city_setup, "import_places": run_import_places,
           "postgis": run_postgis}


def _cell(value, digits=3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


#: Per benchmark, the extra numbers the Markdown table shows in its last column.
NOTES = {
    "coverage_prefecture": lambda r: (f"{r['units']:,} units × {r['places']:,} places @ {r['distance_m']} m; KD-tree "
                                      f"{r['kdtree_s']:.4f} s (ours ÷ KD-tree {r['ratio_to_kdtree']:.2f}, goal ≤ 1.5); "
                                      f"buffer+union+sjoin {r['buffer_union_sjoin_s']:.3f} s, misses "
                                      f"{r['buffer_missed_units']} units at 499.4–500 m; STRtree before "
                                      f"{r['strtree_before_s']:.4f} s"),
    "postgis_coverage": lambda r: (f"{r['units']:,} units × {r['places']:,} places @ {r['distance_m']} m, equal "
                                   f"answers; PostGIS ST_DWithin {r['postgis_dwithin_s']:.3f} s, KNN "
                                   f"{r['postgis_knn_s']:.3f} s; ours with a cold cache (coordinates read from the "
                                   f"server) {r['ours_cold_s']:.3f} s: push-down does not pay off, kept in-process"),
    "postgis_area_assignment": lambda r: (f"{r['places']:,} places × {r['polygons']} municipality polygons, equal "
                                          "answers: sjoin vs ST_Intersects"),
    "scenario_change_demo": lambda r: (f"server time of one 仮定 change on the 蕨市 demo: median {r['median_ms']:.0f} ms, "
                                       f"slowest of {r['changes']} {r['max_ms']:.0f} ms (goal ≤ 300 ms each)"),
    "coverage_prefecture_whole": lambda r: f"whole coverage run ÷ KD-tree {r['ratio']:.2f} (goal ≤ 3)",
    "prefecture_loaded": lambda r: (f"peak RSS {r['peak_mb']:.0f} MB with the prefecture, its units, coverage and "
                                    f"the greedy in memory ({r['rss_after_imports_mb']:.0f} MB of it is Python and the "
                                    "libraries after import)"),
    "greedy_prefecture": lambda r: (f"{r['candidates']:,} candidates × {r['units']:,} units, k={r['k']}: greedy "
                                    f"{r['greedy65']:,.0f} vs optimum {r.get('exact65', float('nan')):,.0f} 65+; "
                                    f"small instances min ratio {r['small_min_objective_ratio']:.4f} (goal ≥ 0.99)"),
}


def _note(name: str, entry: dict) -> str:
    if name in NOTES:
        try:
            return NOTES[name](entry)
        except (KeyError, TypeError, ValueError):
            pass
    if "ours_bytes" in entry:
        parts = [f"bytes ours {entry['ours_bytes']:,} / GeoJson {entry['baseline_bytes']:,}"
                 f" / Markers {entry.get('markers_bytes', 0):,} / FastMarkerCluster {entry.get('fast_cluster_bytes', 0):,}"]
        if "ours_first_marker_ms" in entry:
            parts.append("first marker in Chromium (ms) ours {} / GeoJson {} / Markers {} / FastMarkerCluster {}".format(
                *(entry.get(f"{v}_first_marker_ms") for v in ("ours", "geojson", "markers", "fast_cluster"))))
        return "; ".join(parts)
    if "p95_s" in entry:
        return (f"{entry['sessions']} sessions, {entry['errors']} errors, p50 {entry['p50_s']} s, p95 {entry['p95_s']} s, "
                f"server CPU {entry['server_cpu_s_per_session']} s per session")
    if "peak_rss_mb" in entry:
        return f"{entry['store']}: peak RSS {entry['peak_rss_mb']} MB, cold process {entry['cold_process_s']:.2f} s"
    return entry.get("what", "")


def markdown(results: dict) -> str:
    meta = results["_meta"]
    lines = [f"Measured {meta['finished']} on {meta['machine']} ({meta['cpus']} CPUs, load average "
             f"{meta['load_before']} → {meta['load_after']}), mode `{meta['mode']}`; all data SYNTHETIC (架空). "
             "ratio = ours ÷ baseline (below 1: ours is faster).", "",
             "| benchmark | ours (s) | baseline (s) | ratio | peak MB | what else |", "|---|---:|---:|---:|---:|---|"]
    for name, entry in results.items():
        if name.startswith("_"):
            continue
        if "error" in entry:
            lines.append(f"| {name} | – | – | – | – | FAILED: {entry['error'][:120]} |")
            continue
        lines.append(f"| {name} | {_cell(entry.get('ours_s'), 4)} | {_cell(entry.get('baseline_s'), 4)} | "
                     f"{_cell(entry.get('ratio'), 3)} | {_cell(entry.get('peak_mb'), 1)} | "
                     f"{_note(name, entry).replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (≤ 2 min); writes results-quick.*")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the prefecture's cells/places (tiny: 0.02)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(ALL)}")
    parser.add_argument("--skip", default="", help="comma-separated benchmarks to leave out")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.json and results.md")
    parser.add_argument("--merge", action="store_true",
                        help="update the entries measured now in an existing results.json, keep the others")
    args = parser.parse_args(argv)
    chosen = [n for n in (args.only.split(",") if args.only else ALL) if n and n not in args.skip.split(",")]
    unknown = [n for n in chosen if n not in RUNNERS]
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; allowed: {', '.join(ALL)}")
    os.chdir(REPO)
    size = sizes(args.quick, args.scale)
    stem = "results-quick" if args.quick and args.out == HERE else "results"
    results = {"_meta": {"mode": ("quick" if args.quick else "full") + (f", scale {args.scale}" if args.scale != 1 else ""),
                         "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                         "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
                         "cpus": os.cpu_count(), "load_before": load_average(), "sizes": size}}
    cache: dict = {"folders": []}
    failed = []
    start = time.perf_counter()
    try:
        for name in chosen:
            begun = time.perf_counter()
            print(f"== {name} …", flush=True)
            try:
                got = RUNNERS[name](size, cache)
            except Exception as error:  # noqa: BLE001 — one broken benchmark must not hide the others
                traceback.print_exc()
                failed.append(name)
                got = {name: {"error": f"{type(error).__name__}: {error}"}}
            for key, value in got.items():
                results[key] = value
                print(f"   {key}: " + json.dumps({k: v for k, v in value.items() if not isinstance(v, (dict, list))},
                                                 ensure_ascii=False)[:400], flush=True)
            print(f"   ({time.perf_counter() - begun:.1f} s)", flush=True)
    finally:
        for folder in cache["folders"]:
            shutil.rmtree(folder, ignore_errors=True)
    if "prefecture" in cache:
        results["_meta"]["prefecture"] = cache["prefecture"].summary()
        results["_meta"]["prefecture_build_s"] = round(cache["prefecture_s"], 2)
    elapsed = round(time.perf_counter() - start, 1)
    results["_meta"].update(finished=datetime.now(timezone.utc).isoformat(timespec="seconds"), total_s=elapsed,
                            load_after=load_average())
    args.out.mkdir(parents=True, exist_ok=True)
    if args.merge and (args.out / f"{stem}.json").exists():
        earlier = json.loads((args.out / f"{stem}.json").read_text(encoding="utf-8"))
        meta = earlier.pop("_meta", {})
        remeasured = [k for k in results if not k.startswith("_")]
        meta.setdefault("remeasured", []).append({"names": remeasured, "finished": results["_meta"]["finished"],
                                                  "total_s": elapsed,
                                                  "load_before": results["_meta"]["load_before"],
                                                  "load_after": results["_meta"]["load_after"]})
        meta.update(finished=results["_meta"]["finished"])
        results = {"_meta": meta, **earlier, **{k: results[k] for k in remeasured}}
    (args.out / f"{stem}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(markdown(results), encoding="utf-8")
    print(f"wrote {args.out / (stem + '.json')} and .md in {elapsed} s"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
