"""The 地域支え合いガイドブック PDF, read back with poppler (pdftotext, pdffonts, pdftoppm).

Expected places come from the store with plain SQL (public, not closed), not from the builder.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.dashboard.public_store import HOSTILE_NAME, SECRETS, WARABI, plant, public_rows

URL = "https://www.city.example.lg.jp/tsudoi/map.html"
POPPLER = ("pdftotext", "pdffonts", "pdftoppm")
INDEX_HEADINGS = ("種類別さくいん", "しゅるいの さくいん")  # the index page's heading, standard and easy


@pytest.fixture(scope="module", autouse=True)
def poppler():
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"poppler-utils missing ({', '.join(missing)}): apt-get install poppler-utils")


@pytest.fixture(scope="module")
def planted(demo_db_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("guidebook") / "store.sqlite"
    shutil.copy(demo_db_path, path)
    plant(path)
    return path


def export(db: Path, out: Path, *args: str) -> Path:
    assert main(["--db", str(db), "export", "guidebook", "--out", str(out), *args]) == 0
    return out


@pytest.fixture(scope="module")
def standard(planted, tmp_path_factory) -> Path:
    return export(planted, tmp_path_factory.mktemp("std") / "book.pdf", "--url", URL, "--municipality", WARABI)


@pytest.fixture(scope="module")
def easy(planted, tmp_path_factory) -> Path:
    return export(planted, tmp_path_factory.mktemp("easy") / "book.pdf", "--url", URL, "--edition", "easy")


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120).stdout
    return text.split("\f")[:-1]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def area_names(db: Path, code: str) -> dict[str, str]:
    with sqlite3.connect(db) as con:
        return dict(con.execute("SELECT id, name FROM areas WHERE municipality_code = ? ORDER BY sort_order", (code,)))


def sections(pdf: Path, headings: list[str]) -> dict[str, str]:
    """Text of each area section: from the page whose first line is the area's name to the page
    before the next section (or the index)."""
    texts = pages(pdf)
    firsts = [next((line.strip() for line in page.splitlines() if line.strip()), "") for page in texts]
    starts = {}
    for number, first in enumerate(firsts):
        if first in headings and first not in starts:
            starts[first] = number
    assert set(starts) == set(headings), f"sections found: {sorted(starts)}"
    ordered = sorted(starts.items(), key=lambda item: item[1])
    index_page = next(n for n, first in enumerate(firsts) if first in INDEX_HEADINGS and n > ordered[-1][1])
    result = {}
    for i, (name, start) in enumerate(ordered):
        end = ordered[i + 1][1] if i + 1 < len(ordered) else index_page
        result[name] = squeeze("".join(texts[start:end]))
    return result


def check_places_under_their_areas(db: Path, pdf: Path, code: str) -> int:
    names = area_names(db, code)
    rows = public_rows(db, code)
    found = sections(pdf, list(names.values()))
    for row in rows:
        area = names[row["area_id"]]
        assert squeeze(row["name"]) in found[area], (row["name"], area)
        for other, text in found.items():  # and in no other area's section
            if other != area and squeeze(row["name"]) in text:
                assert any(squeeze(row["name"]) in squeeze(r["name"]) and r["id"] != row["id"]
                           for r in rows if names[r["area_id"]] == other), (row["name"], other)
    return len(rows)


def test_every_public_place_is_listed_under_its_area(planted, standard):
    assert check_places_under_their_areas(planted, standard, WARABI) == len(public_rows(planted))


def test_no_internal_value_or_closed_place_is_printed(standard, easy):
    for pdf in (standard, easy):
        text = "".join(pages(pdf))
        for secret in SECRETS:
            assert secret not in text, secret
        assert "みんなの居場所" not in text  # the demo's internal places (private homes)
        assert not any(secret.encode() in pdf.read_bytes() for secret in SECRETS)  # metadata included


def test_hostile_text_prints_as_text(standard):
    assert squeeze(HOSTILE_NAME) in squeeze("".join(pages(standard)))


def test_japanese_font_is_embedded_and_no_other(standard, easy):
    for pdf in (standard, easy):
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=120).stdout
        rows = listing.splitlines()[2:]
        assert rows and all("IPAexGothic" in row for row in rows), listing
        assert all(row.split()[-5] == "yes" for row in rows), listing  # the emb column


def word_heights(pdf: Path) -> list[float]:
    """Height of every word's box, in points: for IPAex ゴシック (ascent 0.88, descent 0.12 of the em)
    poppler's box is exactly one em, so height = font size."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    return [float(y1) - float(y0) for y0, y1 in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                                          r'yMax="([\d.]+)">', xml)]


def test_large_print_no_text_below_12_points(standard, easy):
    for pdf in (standard, easy):
        heights = word_heights(pdf)
        assert len(heights) > 500
        assert min(heights) >= 12 - 0.01, sorted(heights)[:5]
    easy_body = sorted(word_heights(easy))[len(word_heights(easy)) // 2]
    standard_body = sorted(word_heights(standard))[len(word_heights(standard)) // 2]
    assert easy_body > standard_body  # the median word: やさしい日本語 is set larger


def test_cover_how_to_use_index_and_sources(planted, standard):
    texts = pages(standard)
    cover = squeeze(texts[0])
    assert "蕨市" in cover and "地域支え合いガイドブック" in cover and "情報の時点" in cover and URL in cover
    assert "サンプル（架空）" in cover  # the demo's salons are sample data: said on the cover
    assert "このガイドブックの使い方" in texts[1]
    firsts = [page.strip().splitlines()[0].strip() for page in texts]
    start, end = firsts.index("種類別さくいん"), firsts.index("出典・このガイドブックについて")
    index = squeeze("".join(texts[start:end]))
    for area in area_names(planted, WARABI).values():  # a long name wraps beside its area's column
        index = index.replace(area, "")
    for row in public_rows(planted):  # every place once more, under its category
        assert squeeze(row["name"]) in index, row["name"]
    assert index.index("通いの場（体操）") < index.index("ひまわりタイソウクラブ") < index.index("公民館・集会所")
    sources = squeeze("".join(texts[end:]))
    assert "国土数値情報" in sources and "e-Stat" in sources


def test_easy_edition_words_differ(standard, easy):
    plain, simple = squeeze("".join(pages(standard))), squeeze("".join(pages(easy)))
    assert "地域（ちいき）支（ささ）え合（あ）いガイドブック" in simple
    assert "毎週（まいしゅう）火曜日（かようび）10:00から11:00まで" in simple  # ふりがな and words, not 毎週火曜
    assert "この本（ほん）の使（つか）いかた" in simple
    assert "ヒマワリタイソウクラブ" in simple  # 名称のカナ under the name
    assert "（まいしゅう）" not in plain and "毎週火曜10:00〜11:00" in plain


def test_qr_code_on_the_cover_encodes_the_url(standard, tmp_path):
    """Render the cover, read the modules at the code's known place and compare them with segno's
    code for the URL, module by module."""
    import segno
    from matplotlib import image

    from dashboard.guidebook.pdf import PAGE_H, QR_BOX

    dpi = 300
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-png", "-singlefile", str(standard),
                    str(tmp_path / "cover")], check=True, timeout=120)
    pixels = image.imread(tmp_path / "cover.png")
    grey = pixels[..., :3].mean(axis=2) if pixels.ndim == 3 else pixels
    expected = segno.make_qr(URL, error="m").matrix
    x, y, size = QR_BOX
    scale = dpi / 72
    modules = len(expected) + 8
    module = size / modules
    left, top = x * scale, (PAGE_H - y - size) * scale
    read = [[grey[int(top + (r + 4.5) * module * scale), int(left + (c + 4.5) * module * scale)] < 0.5
             for c in range(len(expected))] for r in range(len(expected))]
    assert read == [[bool(v) for v in row] for row in expected]


def test_url_defaults_to_the_city_fact_and_may_be_absent(planted, tmp_path, capsys):
    copy = tmp_path / "store.sqlite"
    shutil.copy(planted, copy)
    export(copy, tmp_path / "none.pdf")
    assert "QRコードを載せていません" in capsys.readouterr().out
    assert "https://" not in squeeze(pages(tmp_path / "none.pdf")[0])
    with sqlite3.connect(copy) as con:
        con.execute("INSERT INTO municipality_meta (municipality_code, key, value) VALUES (?, 'public_map_url', ?)",
                    (WARABI, "https://fact.example.jp/map"))
    export(copy, tmp_path / "fact.pdf")
    assert "https://fact.example.jp/map" in squeeze(pages(tmp_path / "fact.pdf")[0])


def test_bad_arguments_exit_2(planted, tmp_path):
    assert main(["--db", str(planted), "export", "guidebook", "--out", str(tmp_path / "x.docx")]) == 2
    assert main(["--db", str(planted), "export", "guidebook", "--out", str(tmp_path / "x.pdf"),
                 "--municipality", "99999"]) == 2


def test_niiza_guidebook_and_map(tmp_path):
    """A second real city (新座市, set up from its raw files as in the onboarding test)."""
    import json

    from tests.dashboard.test_onboarding import NIIZA, set_up_niiza

    db = tmp_path / "niiza.sqlite"
    set_up_niiza(db)
    code = NIIZA[:5]
    pdf = export(db, tmp_path / "niiza.pdf", "--edition", "easy")
    assert check_places_under_their_areas(db, pdf, code) > 0
    assert "新座市" in pages(pdf)[0]
    html = tmp_path / "niiza.html"
    assert main(["--db", str(db), "export", "public-map", "--out", str(html)]) == 0
    data = json.loads(re.search(r'id="tsudoi-data">(.*?)</script>', html.read_text(encoding="utf-8"), re.S).group(1))
    assert data["city"]["name"] == "新座市"
    assert {p["id"] for p in data["places"]} == {r["id"] for r in public_rows(db, code)}
    assert len(data["areas"]["features"]) == len(area_names(db, code))
