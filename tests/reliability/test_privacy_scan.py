"""Privacy scan: no survey output shows a cell computed from fewer than ``min_n`` answers.

A SYNTHETIC needs survey and helpers survey (``survey generate``) are cut so that one 圏域 (塚越地区) keeps
only 4 respondents and another (南町地区) 12 — so some of its indicators fall below n = 10 through missing
answers — and imported. Then every output is scanned:

- the CLI tables (``survey table`` with both profiles and another min_n, ``survey score``, ``survey helpers``);
- the survey page, the council slides and the coverage page (AppTest): every table shown and every
  plotly chart;
- the 地域カルテ PDF of the tiny area;
- the published copy (no survey row at all).

Oracle, independent of the suppression code: 塚越地区 has 4 < 10 respondents, so no figure of it may be
shown anywhere; a shown count is ≥ min_n; and where an area is hidden for one indicator, at least one
other area is hidden too (else the city total minus the others gives it away).
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.reliability.conftest import REPO

pytestmark = pytest.mark.timeout(600)

TINY, SMALL = "tsukagoshi", "minami"
TINY_NAME = "塚越地区"
MIN_N = 10
#: Column headers of tables keyed by area name that hold survey figures (counts, rates) …
SURVEY_WORDS = ("回答", "判定", "該当", "割合", "リスク率", "n=")
#: … and those that hold coverage or population, not survey answers.
NOT_SURVEY_WORDS = ("カバー", "徒歩", "65歳以上（人）", "上回る", "不明")


def _cli(*args, db: Path) -> str:
    from dashboard.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), *map(str, args)])
    assert code == 0, (args, out.getvalue()[-2000:], err.getvalue()[-2000:])
    return out.getvalue()


def _cut(path: Path, keep: dict[str, int]) -> Path:
    frame = pd.read_csv(path, dtype=str)
    parts = [frame[frame["area_id"] == area].head(n) for area, n in keep.items()]
    rest = frame[~frame["area_id"].isin(keep)]
    pd.concat([rest, *parts]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def survey_store(demo_db_path, tmp_path_factory):
    import shutil

    folder = tmp_path_factory.mktemp("privacy")
    db = folder / "store.sqlite"
    shutil.copy(demo_db_path, db)
    needs = folder / "needs.csv"
    _cli("survey", "generate", "--seed", 7, "--n", 1200, "--out", needs, db=db)
    _cut(needs, {TINY: 4, SMALL: 12})
    helpers = folder / "helpers.csv"
    _cli("survey", "generate", "--seed", 8, "--n", 600, "--kind", "helpers", "--out", helpers, db=db)
    _cut(helpers, {TINY: 4, SMALL: 12})
    with sqlite3.connect(db) as connection:  # the demo's own survey out, so only ours is scanned
        connection.execute("PRAGMA foreign_keys=ON")
        for table in ("survey_responses", "helper_responses", "survey_batches"):
            connection.execute(f"DELETE FROM {table}")
    _cli("survey", "import", needs, "--synthetic", db=db)
    _cli("survey", "import", helpers, "--kind", "helpers", "--synthetic", db=db)
    return db, needs, helpers


def _numbers_of(row: dict, columns) -> list:
    return [row[c] for c in columns if c in row and str(row[c]).strip() not in ("", "nan", "<NA>", "None")]


def check_table(table: pd.DataFrame, where: str, min_n: int = MIN_N) -> None:
    """The oracle on one published table (needs or helpers)."""
    assert "area_id" in table.columns, where
    figure_columns = [c for c in table.columns if c.startswith(("n_", "rate", "ci_", "needs", "offers", "gap"))
                      or c in ("needs", "offers", "gap")]
    for row in table.to_dict("records"):
        shown = _numbers_of(row, figure_columns)
        if row["area_id"] == TINY:
            assert not shown, f"{where}: a figure of the 4-respondent area is shown: {row}"
        if "n_valid" in row and str(row["n_valid"]).strip() not in ("", "nan", "<NA>", "None"):
            assert float(row["n_valid"]) >= min_n, f"{where}: n_valid {row['n_valid']} < {min_n} shown: {row}"
    if "indicator" in table.columns and "n_valid" in table.columns:
        areas = table[table["area_id"] != "ALL"]
        for indicator, rows in areas.groupby("indicator"):
            hidden = rows["n_valid"].isna() | (rows["n_valid"].astype(str).str.strip().isin(["", "nan", "<NA>"]))
            assert hidden.sum() != 1, f"{where}: only one area hidden for {indicator} (no complementary suppression)"


def _csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})
    for column in frame.columns:
        if column.startswith(("n_", "rate", "ci_")):
            frame[column] = pd.to_numeric(frame[column])
    return frame


def test_cli_survey_tables_hide_every_small_cell(survey_store, tmp_path):
    db, needs, helpers = survey_store
    for profile, min_n in (("standard", MIN_N), ("variant_strict", MIN_N), ("standard", 20)):
        out = tmp_path / f"table_{profile}_{min_n}.csv"
        _cli("survey", "table", "--profile", profile, "--min-n", min_n, "--out", out, db=db)
        check_table(_csv(out), f"survey table {profile} min_n={min_n}", min_n)
    out = tmp_path / "score.csv"
    _cli("survey", "score", needs, "--out", out, db=db)
    check_table(_csv(out), "survey score")
    out = tmp_path / "helpers.csv"
    _cli("survey", "helpers", helpers, "--out", out, db=db)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    tiny = frame[frame["area_id"] == TINY]
    figures = tiny[[c for c in ("needs", "offers", "gap") if c in tiny]]
    assert len(figures.columns) == 3 and (figures == "").all().all(), \
        f"helpers figures of the 4-respondent area: {tiny.to_dict('records')}"


def _app(monkeypatch, db: Path, page: str) -> AppTest:
    from dashboard.auth import AuthenticatedUser

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=180)
    at.session_state["tsudoi_user"] = AuthenticatedUser("demo", "coordinator")
    at.query_params["area"] = TINY
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", ["../pages/survey.py", "../pages/council.py", "../pages/coverage.py"])
def test_pages_show_no_small_cell(monkeypatch, survey_store, page):
    db, _, _ = survey_store
    at = _app(monkeypatch, db, page)
    if page.endswith("survey.py"):  # the scan has something to scan
        assert len(at.get("plotly_chart")) >= 1 and len(at.dataframe) >= 1
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame) and "area_id" in value.columns:
            check_table(value, f"{page} table")
        elif isinstance(value, pd.DataFrame):  # tables keyed by area name: the tiny area's survey columns
            text = value.astype(str)
            survey_columns = [c for c in text.columns if any(w in str(c) for w in SURVEY_WORDS)
                              and not any(w in str(c) for w in NOT_SURVEY_WORDS)]
            tiny_rows = text[text.apply(lambda r: r.str.contains(TINY_NAME)).any(axis=1)]
            for row in tiny_rows[survey_columns].to_dict("records"):
                shown = {c: v for c, v in row.items() if v not in ("", "nan", "<NA>", "None") and "非表示" not in v}
                assert not shown, (page, shown)
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            xs, ys = trace.get("x") or [], trace.get("y") or []
            if isinstance(xs, list) and isinstance(ys, list):
                for x, y in zip(xs, ys):
                    if x == TINY_NAME:
                        assert y is None, (page, trace.get("name"), x, y)


def test_karte_of_the_tiny_area_hides_its_survey(survey_store, tmp_path):
    db, _, _ = survey_store
    out = tmp_path / "karte.pdf"
    _cli("export", "karte", "--area", TINY, "--out", out, db=db)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, timeout=120).stdout
    assert f"n<{MIN_N}" in text  # the survey figures of a 4-respondent area are 「n<10のため非表示」


def test_the_published_copy_holds_no_survey_row(survey_store, tmp_path):
    db, _, _ = survey_store
    _cli("publish", "--out", tmp_path / "public", db=db)
    with sqlite3.connect(tmp_path / "public" / "tsudoi-public.sqlite") as connection:
        for table in ("survey_batches", "survey_responses", "helper_responses"):
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
