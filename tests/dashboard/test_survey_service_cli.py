"""Survey services on the 蕨市 demo store, and ``python -m dashboard survey …`` run as a user runs it.

Expected figures are counted here straight from the raw answers or files (survey.md §1–§4), not taken
from the service under test. Commands that write get a private copy of the demo store.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard.survey import schema
from dashboard.survey.io import read_helpers
from dashboard.survey.scoring import load_profile
from dashboard.survey.service import helpers_table, needs_table, priority_areas
from dashboard.store import reads

REPO = Path(__file__).resolve().parents[2]
CODE = "11223"
FIGURES = ["n_total", "n_valid", "n_risk", "n_unknown", "rate", "rate_all", "ci_low", "ci_high"]


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def engine_of(path: Path):
    return create_engine(f"sqlite:///{path}")


def batches(path: Path, kind: str | None = None) -> pd.DataFrame:
    engine = engine_of(path)
    try:
        return reads.survey_batches(engine, CODE, kind)
    finally:
        engine.dispose()


def stored_answers(path: Path, batch_id: int) -> pd.DataFrame:
    engine = engine_of(path)
    try:
        return reads.survey_answers(engine, batch_id)
    finally:
        engine.dispose()


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def demo(demo_db_url):
    engine = create_engine(demo_db_url)
    try:
        areas = reads.areas(engine, CODE)["area_id"].tolist()
        needs_id = int(reads.survey_batches(engine, CODE, "needs")["id"].iloc[0])
        answers = reads.survey_answers(engine, needs_id)
    finally:
        engine.dispose()
    return areas, answers


@pytest.fixture(scope="module")
def module_store(demo_db_path, tmp_path_factory) -> Path:
    """A copy of the demo store for commands that only read it (generate, helpers)."""
    target = tmp_path_factory.mktemp("survey_cli") / "store.sqlite"
    shutil.copy(demo_db_path, target)
    return target


@pytest.fixture(scope="module")
def generated(module_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "x.csv"
    result = run(module_store, "survey", "generate", "--seed", "1", "--n", "300", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def helpers_file(module_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "helpers.csv"
    result = run(module_store, "survey", "generate", "--kind", "helpers", "--seed", "3", "--n", "600",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


# ------------------------------------------------------------------------------------------ needs_table

def valid(series: pd.Series, codes) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").isin(codes)


def test_needs_table_on_the_demo_survey_adds_up(demo):
    areas, answers = demo
    table = needs_table(answers, load_profile("standard"), areas)
    unknown = int((~answers["area_id"].isin(areas)).sum())
    assert not table["suppressed"].any()  # 2,500 respondents over 5 areas: nothing is small
    for indicator, rows in table.groupby("indicator"):
        per_area = rows[rows["area_id"] != "ALL"]
        city = rows[rows["area_id"] == "ALL"].iloc[0]
        assert per_area["n_total"].sum() + unknown == city["n_total"] == len(answers) == 2500
        assert (rows["n_valid"] + rows["n_unknown"] == rows["n_total"]).all()
    assert sorted(table["area_id"].unique()) == sorted([*areas, "ALL"])


@pytest.mark.parametrize("indicator, column, risk, codes", [
    ("fall", "fall_past_year", {1, 2}, {1, 2, 3}),
    ("withdrawal", "outings_weekly", {1, 2}, {1, 2, 3, 4}),
    ("cognitive", "forgetful", {1}, {1, 2}),
    ("part_kayoi", "grp_kayoi", {1, 2, 3, 4}, {1, 2, 3, 4, 5, 6}),
])
def test_one_item_indicators_match_counts_from_the_raw_answers(demo, indicator, column, risk, codes):
    areas, answers = demo
    table = needs_table(answers, load_profile("standard"), areas).set_index(["area_id", "indicator"])
    for area in [*areas, "ALL"]:
        part = answers if area == "ALL" else answers[answers["area_id"] == area]
        n_risk = int(valid(part[column], risk).sum())
        n_valid = int(valid(part[column], codes).sum())
        got = table.loc[(area, indicator)]
        assert (got["n_risk"], got["n_valid"], got["n_total"]) == (n_risk, n_valid, len(part)), area
        assert got["rate"] == pytest.approx(n_risk / n_valid)
        assert got["rate_all"] == pytest.approx(n_risk / len(part))


def test_respondents_of_unknown_areas_count_in_the_city_only(demo):
    areas, answers = demo
    extra = answers.head(7).assign(respondent_id=[f"X{i}" for i in range(7)], area_id="not_an_area")
    both = pd.concat([answers, extra], ignore_index=True)
    table = needs_table(both, load_profile("standard"), areas).set_index(["area_id", "indicator"])
    assert table.loc[("ALL", "fall"), "n_total"] == 2507
    assert sum(table.loc[(a, "fall"), "n_total"] for a in areas) == 2500
    assert "not_an_area" not in table.index.get_level_values("area_id")
    assert table.loc[("ALL", "fall"), "n_risk"] == int(valid(both["fall_past_year"], {1, 2}).sum())


# ------------------------------------------------------------------------------------------ helpers

def test_helpers_table_counts_needs_and_offers_independently(demo, helpers_file):
    areas, _ = demo
    raw = pd.read_csv(helpers_file, dtype=str)
    table = helpers_table(read_helpers(helpers_file, set(areas)).answers, areas).set_index(["area_id", "item"])
    assert len(table) == (len(areas) + 1) * len(schema.HELP_ITEMS)
    for area in [*areas, "ALL"]:
        part = raw if area == "ALL" else raw[raw["area_id"] == area]
        for item in schema.HELP_ITEMS:
            needs = int((part[f"need_{item}"] == "1").sum())
            offers = int((part[f"offer_{item}"] == "1").sum())
            row = table.loc[(area, item)]
            assert (row["needs"], row["offers"], row["gap"]) == (needs, offers, needs - offers), (area, item)
    assert table.loc[("ALL", "talk"), "n"] == 600


def test_survey_helpers_command_writes_the_gap_table(module_store, helpers_file, tmp_path, demo):
    areas, _ = demo
    out = tmp_path / "h.csv"
    result = run(module_store, "survey", "helpers", str(helpers_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("area_id,item,needs,offers,gap")
    rows = read_csv_rows(out)
    raw = pd.read_csv(helpers_file, dtype=str)
    kita = raw[raw["area_id"] == "kita"]
    shopping = next(r for r in rows if (r["area_id"], r["item"]) == ("kita", "shopping"))
    needs, offers = int((kita["need_shopping"] == "1").sum()), int((kita["offer_shopping"] == "1").sum())
    assert (int(shopping["needs"]), int(shopping["offers"]), int(shopping["gap"])) == (needs, offers, needs - offers)
    assert len(rows) == (len(areas) + 1) * len(schema.HELP_ITEMS)


def small_area_helpers(sizes: dict[str, int]) -> pd.DataFrame:
    """Households per area; every household needs garbage help, every second offers to talk."""
    rows = []
    for area, n in sizes.items():
        for i in range(n):
            rows.append({"respondent_id": f"{area}-{i}", "area_id": area, "need_garbage": 1.0,
                         "offer_garbage": 0.0, "need_talk": 0.0, "offer_talk": float(i % 2)})
    return pd.DataFrame(rows)


ITEMS = {"garbage": "ゴミ出し", "talk": "話し相手"}


def test_helpers_table_suppresses_an_area_with_five_households():
    sizes = {"nishiki": 5, "kita": 20, "chuo": 30, "minami": 25, "tsukagoshi": 12}
    table = helpers_table(small_area_helpers(sizes), list(sizes), items=ITEMS)
    hidden = table[table["area_id"] == "nishiki"]
    assert hidden["suppressed"].all()
    assert hidden[["n", "needs", "offers", "gap"]].isna().all().all()  # blank, never 0
    chuo = table[(table["area_id"] == "chuo")].set_index("item")
    assert not chuo["suppressed"].any()
    assert (chuo.at["garbage", "needs"], chuo.at["talk", "offers"], chuo.at["garbage", "gap"]) == (30, 15, 30)
    city = table[table["area_id"] == "ALL"].set_index("item")
    assert city.at["garbage", "n"] == 92


def test_helpers_city_total_does_not_reveal_the_suppressed_area():
    # survey.md §3: one hidden area must not be recoverable as "city − the areas shown".
    sizes = {"nishiki": 5, "kita": 20, "chuo": 30, "minami": 25, "tsukagoshi": 12}
    table = helpers_table(small_area_helpers(sizes), list(sizes), items=ITEMS)
    for item, rows in table.groupby("item"):
        city = rows[rows["area_id"] == "ALL"].iloc[0]
        shown = rows[(rows["area_id"] != "ALL") & ~rows["suppressed"]]
        hidden = rows[(rows["area_id"] != "ALL") & rows["suppressed"]]
        recoverable = len(hidden) == 1 and not city["suppressed"]
        assert not recoverable, (f"{item}: nishiki needs = {city['needs']} − {shown['needs'].sum()} "
                                 f"= {city['needs'] - shown['needs'].sum()} can be recovered")


# ------------------------------------------------------------------------------------------ priority_areas

def test_priority_areas_on_a_hand_made_table():
    nan = float("nan")
    needs = pd.DataFrame([
        ("ALL", "motor", 0.10), ("ALL", "withdrawal", 0.20),
        ("a", "motor", 0.15), ("a", "withdrawal", 0.10),  # coverage below, motor above → priority
        ("b", "motor", nan), ("b", "withdrawal", 0.10),  # motor suppressed: unknown, not low
        ("c", "motor", 0.30), ("c", "withdrawal", 0.30),  # risks above but coverage above → not priority
        ("d", "motor", 0.10), ("d", "withdrawal", 0.19),  # equal to the city is not above
    ], columns=["area_id", "indicator", "rate"])
    coverage = pd.DataFrame({"area_id": ["a", "b", "c", "d", "ALL"], "coverage65": [0.40, 0.30, 0.60, 0.45, 0.50]})
    result = priority_areas(needs, coverage, ["motor", "withdrawal"]).set_index("area_id")
    assert sorted(result.index) == ["a", "b", "c", "d"]
    assert result["priority"].to_dict() == {"a": True, "b": False, "c": False, "d": False}
    assert result["risks_above_city"].to_dict() == {"a": 1, "b": 0, "c": 2, "d": 0}
    assert result["risks_unknown"].to_dict() == {"a": 0, "b": 1, "c": 0, "d": 0}
    assert result.at["a", "risks_above"] == "motor"
    assert result["coverage_gap_pt"].to_dict() == pytest.approx({"a": -10.0, "b": -20.0, "c": 10.0, "d": -5.0})
    ordered = priority_areas(needs, coverage, ["motor", "withdrawal"])
    assert ordered["area_id"].iloc[0] == "a"  # priority areas come first


def test_a_suppressed_risk_makes_an_area_unknown_not_safe():
    nan = float("nan")
    needs = pd.DataFrame([("ALL", "motor", 0.10), ("b", "motor", nan), ("e", "motor", 0.05)],
                         columns=["area_id", "indicator", "rate"])
    coverage = pd.DataFrame({"area_id": ["b", "e", "ALL"], "coverage65": [0.30, 0.30, 0.50]})
    result = priority_areas(needs, coverage, ["motor"]).set_index("area_id")
    assert result.at["b", "risks_unknown"] == 1 and result.at["e", "risks_unknown"] == 0
    assert result.at["b", "risks_above_city"] == 0 == result.at["e", "risks_above_city"]


# ------------------------------------------------------------------------------------------ CLI: generate

def test_generate_writes_the_canonical_header_and_is_deterministic(module_store, generated, tmp_path):
    lines = generated.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(schema.CANONICAL_COLUMNS)
    assert len(lines) == 301
    again = tmp_path / "again.csv"
    assert run(module_store, "survey", "generate", "--seed", "1", "--n", "300", "--out", str(again)).returncode == 0
    assert again.read_bytes() == generated.read_bytes()


# ------------------------------------------------------------------------------------------ CLI: import

def expected_report(path: Path) -> dict[str, tuple[int, int, int]]:
    """column → (valid, blank, invalid) for columns with any blank or invalid cell, from survey.md §1."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    report = {}
    for column in schema.ANSWER_COLUMNS:
        blank = invalid = 0
        for r in rows:
            cell = r[column].strip()
            if not cell:
                blank += 1
                continue
            number = float(cell)
            if column in schema.NUMERIC:
                low, high = schema.NUMERIC[column]
                ok = low <= number <= high
            else:
                ok = number in schema.CODED[column]
            invalid += not ok
        if blank or invalid:
            report[column] = (len(rows) - blank - invalid, blank, invalid)
    return report


def printed_report(stdout: str) -> dict[str, tuple[int, int, int]]:
    report = {}
    for line in stdout.splitlines():
        if line.startswith("  ") and ": 有効 " in line:
            column, rest = line.strip().split(": 有効 ")
            numbers = rest.replace("空欄", "").replace("無効", "").split("、")[0].split("/")
            report[column] = tuple(int(n) for n in numbers)
    return report


def test_import_synthetic_prints_the_per_column_report(demo_db_copy, generated):
    before = len(batches(demo_db_copy, "needs"))
    result = run(demo_db_copy, "survey", "import", str(generated), "--synthetic")
    assert result.returncode == 0, result.stderr
    expected = expected_report(generated)
    assert expected, "the generated file has blanks and 9s to report"
    assert printed_report(result.stdout) == expected
    after = batches(demo_db_copy, "needs")
    assert len(after) == before + 1
    newest = after.iloc[0]
    assert bool(newest["is_synthetic"]) and newest["n_respondents"] == 300


def with_unknown_area(source: Path, target: Path, rows: int = 3) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    for i in range(1, rows + 1):
        cells = lines[i].split(",")
        cells[1] = "no_such_area"
        lines[i] = ",".join(cells)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_import_with_an_unknown_area_is_refused_unless_allowed(demo_db_copy, generated, tmp_path):
    path = with_unknown_area(generated, tmp_path / "unknown.csv")
    before = len(batches(demo_db_copy))
    refused = run(demo_db_copy, "survey", "import", str(path), "--synthetic")
    assert refused.returncode == 2
    assert "no_such_area（3人）" in refused.stderr
    assert len(batches(demo_db_copy)) == before
    allowed = run(demo_db_copy, "survey", "import", str(path), "--synthetic", "--allow-unknown-areas")
    assert allowed.returncode == 0, allowed.stderr
    assert "no_such_area（3人）" in allowed.stdout
    assert len(batches(demo_db_copy)) == before + 1
    after = batches(demo_db_copy, "needs")
    stored = stored_answers(demo_db_copy, int(after["id"].iloc[0]))
    assert len(stored) == 300
    assert (stored["area_id"] == "no_such_area").sum() == 3


# ------------------------------------------------------------------------------------------ CLI: table

def test_table_has_the_profile_in_every_row_and_blanks_where_suppressed(demo_db_copy, demo, tmp_path):
    areas, answers = demo
    smallest = answers["area_id"].value_counts().idxmin()
    min_n = int(answers["area_id"].value_counts().min()) + 1  # every indicator of the smallest area is hidden
    out = tmp_path / "t.csv"
    result = run(demo_db_copy, "survey", "table", "--out", str(out), "--min-n", str(min_n))
    assert result.returncode == 0, result.stderr
    rows = read_csv_rows(out)
    n_indicators = len(load_profile("standard").ids())
    assert len(rows) == (len(areas) + 1) * n_indicators
    assert {r["profile"] for r in rows} == {"standard"}
    hidden = [r for r in rows if r["suppressed"] == "True"]
    assert {r["indicator"] for r in hidden if r["area_id"] == smallest} == set(load_profile("standard").ids())
    for r in rows:
        if r["suppressed"] == "True":
            assert all(r[c] == "" for c in FIGURES), r
        else:
            assert all(r[c] != "" for c in FIGURES), r
    assert all(r["suppressed"] == "False" for r in rows if r["area_id"] == "ALL")


def test_table_with_an_unknown_profile_exits_2(demo_db_copy, tmp_path):
    out = tmp_path / "t.csv"
    result = run(demo_db_copy, "survey", "table", "--profile", "nonexistent", "--out", str(out))
    assert result.returncode == 2
    assert "nonexistent" in result.stderr
    assert not out.exists()


# ------------------------------------------------------------------------------------------ CLI: mapping

JP_MAPPING = {"回答者番号": "respondent_id", "圏域コード": "area_id", "年齢": "age", "問2(1)": "stairs",
              "問2(3)": "walk_15min", "問4(1)": "forgetful"}


def jp_workbook(path: Path, first_id: int) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    # the headers in full-width variants of the mapping's keys
    sheet.append(["回答者番号", "圏域コード", "年齢", "問２（１）", "問2（3）", "問４(１)"])
    for i in range(12):
        sheet.append([f"J{first_id + i}", ["kita", "chuo", "minami"][i % 3], 70 + i, 1 + i % 3, 3, [1, 2, 9][i % 3]])
    workbook.save(path)
    return path


def test_mapping_can_be_saved_and_reused_for_an_xlsx_with_japanese_headers(demo_db_copy, tmp_path):
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(JP_MAPPING, ensure_ascii=False), encoding="utf-8")
    first = run(demo_db_copy, "survey", "import", str(jp_workbook(tmp_path / "r4.xlsx", 1)), "--mapping", str(mapping),
                "--save-mapping", "蕨市様式")
    assert first.returncode == 0, first.stderr
    second = run(demo_db_copy, "survey", "import", str(jp_workbook(tmp_path / "r5.xlsx", 101)),
                 "--saved-mapping", "蕨市様式")
    assert second.returncode == 0, second.stderr
    stored = stored_answers(demo_db_copy, int(batches(demo_db_copy, "needs")["id"].iloc[0]))
    assert stored["respondent_id"].tolist() == [f"J{101 + i}" for i in range(12)]
    assert stored["area_id"].tolist() == ["kita", "chuo", "minami"] * 4
    assert stored["stairs"].tolist() == [1, 2, 3] * 4
    assert stored["walk_15min"].tolist() == [3] * 12
    assert stored["age"].tolist() == list(range(70, 82))
    forgetful = pd.to_numeric(stored["forgetful"], errors="coerce")
    assert forgetful.where(forgetful.isin([1, 2])).tolist() == pytest.approx([1, 2, np.nan] * 4, nan_ok=True)
    assert "forgetful: 有効 8 / 空欄 0 / 無効 4" in second.stdout

