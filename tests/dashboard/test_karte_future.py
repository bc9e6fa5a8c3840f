"""地域カルテ of a future year (推計): 新座市 (町丁目 age bands, 7 圏域) and the 蕨市 demo (mesh, the
city's 住基 bands scaled per unit), read back with pdftotext as a council member reads the paper.

The 65+ of each 新座市 area in ten years is worked out here from the raw synthetic age table and the
survival-table CSV with a plain loop (tests.dashboard.test_projection_coverage.moves), never through
dashboard.projection.
"""

from __future__ import annotations

import csv
import sqlite3

import pytest

from dashboard import lifetable
from dashboard.karte.data import gather
from dashboard.karte.names import karte_file_name
from dashboard.karte.pdf import build_karte, persons
from dashboard.store.engine import open_store
from tests.dashboard.test_karte import pdf_pages, pdf_text
from tests.dashboard.test_onboarding import AREAS, NIIZA, cli, set_up_niiza
from tests.dashboard.test_projection import _raw_age_rows
from tests.dashboard.test_projection_coverage import moves


@pytest.fixture(scope="module")
def niiza_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("niiza_karte_future") / "store.sqlite"
    set_up_niiza(db)
    return db


@pytest.fixture(scope="module")
def niiza(niiza_db):
    engine = open_store(f"sqlite:///{niiza_db}")
    yield engine
    engine.dispose()


def flat(text: str) -> str:
    """pdftotext output without line breaks or spaces (a sentence may wrap anywhere on the page)."""
    return "".join(text.split())


def shifted(bands: list[float], sex: int, steps: int) -> list[float]:
    """Bands 0–4 … 80–84, 85+ moved on ``steps`` × 5 years by hand: each band's survivors into the
    next, the 85+ keep theirs, nobody is born."""
    for _ in range(steps):
        moved = [0.0] * len(bands)
        for i, count in enumerate(bands):
            start = i * 5
            moved[min(i + 1, len(bands) - 1)] += count * moves(sex, start)
        bands = moved
    return bands


def _town_name(name: str) -> str:
    """The age table's 町丁目 name as the areas file spells it (「あたご2丁目」 → 「あたご二丁目」,
    「大字新塚」 → 「新塚」, 「堀の内」 → 「堀ノ内」)."""
    name = name.removeprefix("大字").replace("堀の内", "堀ノ内")
    return "".join("〇一二三四五六七八九"[int(c)] if c.isdigit() else c for c in name)


def expected_area_65(db, steps: int) -> dict[str, float]:
    """Per area id: Σ over its 町丁目 (the areas file's 町丁目 → 圏域) of the hand-shifted 65+ (bands
    from 65 on, both sexes). The age table's 「合計」 row is no 町丁目."""
    with open(AREAS, encoding="utf-8-sig") as handle:
        area_name_of = {row["町丁目名"]: row["日常生活圏域"] for row in csv.DictReader(handle)}
    with sqlite3.connect(db) as connection:
        area_id_of = dict(connection.execute("select name, id from areas where municipality_code = ?", (NIIZA,)))
    result: dict[str, float] = {}
    for town, by_sex in _raw_age_rows().items():
        if town == "合計":
            continue
        area = area_id_of[area_name_of[_town_name(town)]]
        total = sum(sum(shifted(by_sex[key], sex, steps)[13:]) for sex, key in ((1, "男"), (2, "女")))
        result[area] = result.get(area, 0.0) + total
    return result


def test_niiza_karte_ten_years_on_has_the_hand_shifted_65_plus(niiza, niiza_db):
    karte = gather(niiza, NIIZA, None, years=10)
    assert karte.estimate == "2032年推計" and karte.layers.estimate == "2032年推計"
    assert "町丁目別の年齢別人口" in karte.estimate_note and "転入・転出" in karte.estimate_note
    expected = expected_area_65(niiza_db, 2)
    for section in karte.sections[1:]:
        assert section.headline.pop65 == pytest.approx(expected[section.area_id]), section.name
    assert karte.sections[0].headline.pop65 == pytest.approx(sum(expected.values()))
    today = gather(niiza, NIIZA, None)
    assert today.estimate == "" and today.estimate_note == ""
    assert karte.city_headline.pop65 != pytest.approx(today.city_headline.pop65)
    assert karte.city_headline.places == today.city_headline.places  # the places stay today's


def test_niiza_karte_pdf_says_estimate_year_and_method_on_every_page(niiza, niiza_db, tmp_path):
    out = tmp_path / "all_2032.pdf"
    karte = gather(niiza, NIIZA, None, years=10)
    pages = build_karte(niiza, NIIZA, None, out, years=10)
    assert pages == pdf_pages(out) == len(karte.sections)  # still one A4 page per section
    for number in range(1, pages + 1):
        text = flat(pdf_text(out, number))
        assert "2032年推計" in text, number
        assert "［推計］" in text, number  # each projected figure's label
        assert "転入・転出" in text and "新しい住宅" in text, number
        assert flat(lifetable.EDITION) in text, number
    city = flat(pdf_text(out, 1))
    assert flat(persons(karte.city_headline.pop65)) in city
    expected = sum(expected_area_65(niiza_db, 2).values())
    assert flat(persons(expected)) in city


def test_cli_ahead_and_year_flags(niiza_db, tmp_path, capsys):
    with sqlite3.connect(niiza_db) as connection:
        (area,) = connection.execute("select id from areas where municipality_code = ? order by sort_order limit 1",
                                     (NIIZA,)).fetchone()
    five = tmp_path / "five.pdf"
    assert cli(niiza_db, "export", "karte", "--area", area, "--ahead", "5", "--out", five,
               "--municipality", NIIZA) == 0
    assert "2027年推計" in capsys.readouterr().out
    assert "2027年推計" in flat(pdf_text(five))
    by_ahead, by_year = tmp_path / "ahead10.pdf", tmp_path / "year2032.pdf"
    assert cli(niiza_db, "export", "karte", "--area", area, "--ahead", "10", "--out", by_ahead) == 0
    assert cli(niiza_db, "export", "karte", "--area", area, "--year", "2032", "--out", by_year) == 0
    assert pdf_text(by_ahead) == pdf_text(by_year)
    capsys.readouterr()
    assert cli(niiza_db, "export", "karte", "--area", area, "--year", "2030", "--out", tmp_path / "bad.pdf") == 2
    assert "2022年・2027年・2032年" in capsys.readouterr().err
    assert not (tmp_path / "bad.pdf").exists()
    with pytest.raises(SystemExit):
        cli(niiza_db, "export", "karte", "--area", area, "--ahead", "5", "--year", "2027", "--out", tmp_path / "x.pdf")
    today = tmp_path / "today.pdf"
    assert cli(niiza_db, "export", "karte", "--area", area, "--out", today) == 0  # the old flags, unchanged
    assert "年推計" not in flat(pdf_text(today))


def test_demo_karte_five_years_on_scales_the_city_bands(demo_engine, tmp_path):
    out = tmp_path / "chuo_2025.pdf"
    assert build_karte(demo_engine, "11223", ["chuo"], out, years=5) == 1
    text = flat(pdf_text(out))
    assert "中央地区" in text and "2025年推計" in text
    assert "住民基本台帳" in text and "転入・転出" in text and flat(lifetable.EDITION) in text
    now = gather(demo_engine, "11223", ["chuo"])
    ahead = gather(demo_engine, "11223", ["chuo"], years=5)
    assert ahead.city_headline.pop65 > now.city_headline.pop65  # the baby boomers turn 75, more turn 65
    assert ahead.sections[0].area_id == "chuo"


def test_file_names_of_a_future_year():
    assert karte_file_name("北町地区", "蕨市", "2030推計") == "地域カルテ_北町地区_2030推計.pdf"
    assert karte_file_name(None, "蕨市", "2030推計") == "地域カルテ_蕨市_全圏域_2030推計.pdf"
    assert karte_file_name("北町地区", "蕨市") == "地域カルテ_北町地区.pdf"
