"""地域カルテ PDF on the 蕨市 demo store: what a council member reads on paper.

PDFs are read back with poppler (pdftotext, pdffonts, pdfinfo), as a reader would see them. Without
poppler these tests skip with the reason — except under ``CI=true``, where a missing tool fails.
Expected numbers are recomputed from the store, never copied from a rendered page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard import coverage
from dashboard.karte import fonts
from dashboard.karte.data import CITY, PlaceRow, SurveyFigures, UnknownArea, gather, map_layers, survey_rows
from dashboard.karte.pdf import (PLACES_SYNTHETIC_LABEL, SURVEY_SYNTHETIC_LABEL, build_karte, hidden_label,
                                 more_places_lines, render_area_map_png, survey_cells)
from dashboard.karte.static_map import nice_length_m
from dashboard.store import reads

REPO = Path(__file__).resolve().parents[2]
CODE = "11223"
AREA = "chuo"  # the largest demo area: more public places than fit, and internal places


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} (Debian poppler-utils) が見つかりません: sudo apt-get install poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true なのに {reason}")
        pytest.skip(reason)
    return path


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run([need_tool("pdftotext"), *pages, str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run([need_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture(scope="module")
def engine(demo_engine):
    return demo_engine


@pytest.fixture(scope="module")
def area_pdf(engine, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("karte") / "chuo.pdf"
    assert build_karte(engine, CODE, [AREA], out) == 1
    return out


@pytest.fixture(scope="module")
def all_pdf(engine, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("karte") / "all.pdf"
    build_karte(engine, CODE, None, out)
    return out


# --- one area ------------------------------------------------------------------------------------

def test_area_page_prints_name_and_the_65_plus_population_of_its_towns(engine, area_pdf):
    towns = reads.towns(engine, CODE)
    expected = round(towns.loc[towns["area_id"] == AREA, "est_pop65"].astype(float).sum())
    name = reads.areas(engine, CODE).set_index("area_id").at[AREA, "area_name"]
    text = pdf_text(area_pdf)
    assert "地域カルテ" in text and name in text
    assert "65歳以上" in text
    assert f"{expected:,} 人" in text


def test_area_page_prints_walking_coverage_with_its_denominator(engine, area_pdf):
    areas = reads.areas(engine, CODE)
    units = coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE), 11)
    result = coverage.compute(areas, units, reads.places(engine, CODE, internal=True), coverage.CoverageQuery(), 11)
    row = result.table.set_index("area_id").loc[AREA]
    text = pdf_text(area_pdf)
    assert f"{row['coverage65'] * 100:.1f}%" in text
    assert f"{round(row['pop65_covered']):,} / {round(row['pop65']):,} 人" in text  # numerator / denominator
    assert "徒歩500 m 圏カバー率" in text


def test_japanese_font_is_embedded_and_nothing_is_left_unembedded(area_pdf):
    listing = subprocess.run([need_tool("pdffonts"), str(area_pdf)], capture_output=True, text=True, check=True,
                             timeout=60).stdout.splitlines()[2:]  # skip the two header lines
    fonts_found = [(line.split()[0], line.split()[-5]) for line in listing if line.strip()]
    assert any("IPAex" in name and emb == "yes" for name, emb in fonts_found), fonts_found
    assert all(emb == "yes" for _, emb in fonts_found), fonts_found


def test_internal_places_are_counted_but_never_named_or_contacted(engine, all_pdf, area_pdf):
    places = reads.places(engine, CODE, internal=True)
    internal = places[places["visibility"] == "internal"]
    assert len(internal) > 0, "the demo store should have internal places for this test to mean something"
    text = pdf_text(all_pdf)
    for contact in internal["contact_internal"].dropna():
        phone = re.search(r"\d[\d-]{6,}\d", contact)
        assert contact not in text
        assert phone is None or phone.group(0) not in text
    for name in internal["name"]:
        assert name not in text
    in_area = int((internal["area_id"] == AREA).sum())
    assert f"ほか内部の資源 {in_area} 件" in pdf_text(area_pdf)


def test_a_long_places_list_is_shortened_with_a_count_of_the_rest(engine, area_pdf):
    public = reads.places(engine, CODE, internal=False)
    in_area = public[(public["area_id"] == AREA) & (public["status"] != "closed")]
    text = pdf_text(area_pdf)
    assert f"公開分 {len(in_area)} 件" in text
    hidden = int(re.search(r"ほか (\d+) 件（", text).group(1))
    assert 0 < hidden < len(in_area)


# --- the whole city ------------------------------------------------------------------------------

def test_all_has_one_summary_page_plus_one_page_per_area(engine, all_pdf):
    assert pdf_pages(all_pdf) == len(reads.areas(engine, CODE)) + 1
    first = pdf_text(all_pdf, 1)
    towns = reads.towns(engine, CODE)
    assert "市全体" in first
    assert f"{round(towns['est_pop65'].astype(float).sum()):,} 人" in first
    for name in reads.areas(engine, CODE)["area_name"]:
        assert name in first


def test_every_demo_page_carries_the_synthetic_labels(engine, all_pdf):
    for page in range(1, pdf_pages(all_pdf) + 1):
        text = pdf_text(all_pdf, page)
        assert "架空" in text, f"page {page}"
        assert "デモ用の仮の圏域" in text, f"page {page}"  # every demo area is provisional
        assert PLACES_SYNTHETIC_LABEL in text and SURVEY_SYNTHETIC_LABEL in text, f"page {page}"


def test_pages_carry_attribution_and_as_of_dates(engine, all_pdf):
    meta = reads.meta(engine, "11223")
    text = pdf_text(all_pdf, 2)
    assert "政府統計の総合窓口(e-Stat)" in text and "Geolonia" in text
    assert meta["population_as_of"].split()[0] in text


# --- survey suppression --------------------------------------------------------------------------

def test_survey_rows_keep_a_suppressed_cell_empty_and_print_the_hidden_label():
    table = pd.DataFrame({
        "area_id": ["a", "b", CITY], "indicator": "fall", "label": "転倒リスク", "group": "risk",
        "n_valid": pd.array([pd.NA, 40, 45], dtype="Int64"), "rate": [float("nan"), 0.25, 0.3],
        "suppressed": [True, False, False], "min_n": 10})
    hidden_row, = survey_rows(table, "a", ["fall"])
    assert hidden_row.suppressed and hidden_row.rate is None and hidden_row.n_valid is None
    assert hidden_row.city_rate == pytest.approx(0.3)
    figures = SurveyFigures("t", None, True, "標準", 10, (hidden_row, *survey_rows(table, "b", ["fall"])))
    (label, hidden_text, hidden_bar, city), (_, shown_text, shown_bar, _) = survey_cells(figures)
    assert hidden_text == "n<10のため非表示" and hidden_bar is None  # no bar: never drawn as 0 %
    assert city == "30.0%"
    assert shown_text == "25.0%（n=40）" and shown_bar == pytest.approx(0.25)


def test_a_tiny_area_in_an_imported_survey_prints_n_below_10_not_zero(demo_db_copy, tmp_path):
    generated = tmp_path / "generated.csv"
    result = run_cli("--db", str(demo_db_copy), "survey", "generate", "--seed", "7", "--n", "300",
                     "--out", str(generated))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(generated, dtype=str, keep_default_na=False)
    tiny = pd.concat([frame[frame["area_id"] == "nishiki"].head(3), frame[frame["area_id"] != "nishiki"]])
    survey = tmp_path / "tiny.csv"
    tiny.to_csv(survey, index=False)
    result = run_cli("--db", str(demo_db_copy), "survey", "import", str(survey), "--synthetic", "--title", "小さな調査 <A&B>")
    assert result.returncode == 0, result.stderr

    out = tmp_path / "nishiki.pdf"
    result = run_cli("--db", str(demo_db_copy), "export", "karte", "--area", "nishiki", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = pdf_text(out)
    assert "小さな調査 <A&B>" in text  # the newest needs survey, its title printed as text, not markup
    assert "調査時点：不明" in text and "調査時点：nan" not in text  # imported without --as-of
    assert text.count(hidden_label(10)) >= 2  # the caption explains it once; the cells print it
    assert "（n=" not in text  # no figure with a denominator for an area of 3 respondents


# --- command line --------------------------------------------------------------------------------

def test_cli_writes_a_one_page_pdf(demo_db_path, tmp_path):
    out = tmp_path / "sub" / "kita.pdf"
    result = run_cli("--db", str(demo_db_path), "export", "karte", "--area", "kita", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    assert out.read_bytes()[:5] == b"%PDF-"
    assert pdf_pages(out) == 1
    assert "北町地区" in pdf_text(out)


def test_cli_rejects_an_unknown_area_with_exit_2(demo_db_path, tmp_path):
    out = tmp_path / "x.pdf"
    result = run_cli("--db", str(demo_db_path), "export", "karte", "--area", "nowhere", "--out", str(out))
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "圏域ID" in result.stderr
    assert "chuo" in result.stderr  # lists the ids that exist
    assert not out.exists()


# --- parts ---------------------------------------------------------------------------------------

def test_unknown_area_is_rejected_before_anything_is_written(engine, tmp_path):
    with pytest.raises(UnknownArea, match="nowhere"):
        build_karte(engine, CODE, ["chuo", "nowhere"], tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_map_png_is_a_png_and_its_layers_hold_public_places_only(engine):
    png = render_area_map_png(engine, CODE, AREA)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_area_map_png(engine, CODE, None)[:8] == b"\x89PNG\r\n\x1a\n"
    places = reads.places(engine, CODE, internal=True)
    drawable = places[(places["visibility"] == "public") & (places["status"] != "closed") & places["lat"].notna()]
    assert len(map_layers(engine, CODE).places) == len(drawable)


def test_sections_hold_only_public_places(engine):
    karte = gather(engine, CODE, [AREA])
    public = reads.places(engine, CODE, internal=False)
    listed = {p.name for p in karte.sections[0].places}
    assert listed <= set(public["name"])
    assert karte.sections[0].internal_places == int(
        ((reads.places(engine, CODE, internal=True)["visibility"] == "internal")
         & (reads.places(engine, CODE, internal=True)["area_id"] == AREA)).sum())


def test_more_places_lines_count_the_rest_by_category():
    rows = [PlaceRow("a", "サロン", "", "", False, True), PlaceRow("b", "老人クラブ", "", "", False, True),
            PlaceRow("c", "サロン", "", "", False, True)]
    assert more_places_lines(rows, 0) == ["ほか 3 件（サロン 2、老人クラブ 1）"]
    assert more_places_lines([], 2)[0].startswith("ほか内部の資源 2 件")
    assert more_places_lines([], 0) == []


@pytest.mark.parametrize(("width_m", "expected"), [(4000, 1000), (2100, 500), (900, 200), (100, 100)])
def test_scale_bar_is_a_round_length_of_at_most_a_quarter_of_the_map(width_m, expected):
    assert nice_length_m(width_m) == expected


def test_missing_font_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "KNOWN_PATHS", (tmp_path / "none.ttf",))
    monkeypatch.setattr(fonts, "_from_fontconfig", lambda: None)
    fonts.font_path.cache_clear()
    try:
        with pytest.raises(fonts.FontNotFound, match="fonts-ipaexfont-gothic"):
            fonts.font_path()
    finally:
        fonts.font_path.cache_clear()
