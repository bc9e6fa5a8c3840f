"""read_vector / list_members on real files built in tmp_path: the 蕨市 e-Stat shapefile zipped as
e-Stat ships it, the bundled 埼玉県 N03 GeoJSON zipped, GeoPackages written by geopandas, and
hostile ZIPs (zip slip, symlinks, bombs with honest and lying headers, too many entries).

Expected values come from the raw files themselves (the DBF header's record count read with
``struct``, the .shp header's bounding box, the GeoJSON read with ``json``, GDAL told the encoding
explicitly, pyproj transforming the corners we wrote), not from the function under test.
"""

from __future__ import annotations

import json
import shutil
import stat
import struct
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from dashboard.errors import InputError
from dashboard.importers.vector import (
    ARCHIVE_LIMITS,
    ATTR_ENCODING,
    ATTR_MEMBER,
    ATTR_NOTES,
    ATTR_SOURCE_CRS,
    list_members,
    read_vector,
)

REPO = Path(__file__).resolve().parents[2]
ESTAT_DIR = REPO / "data" / "warabi" / "raw" / "estat_h27ka11223"
ESTAT_SHP = ESTAT_DIR / "h27ka11223.shp"
N03_JSON = REPO / "data" / "saitama" / "N03-21_11_210101_s0010.json"
ESTAT_ZIP_NAME = "A002005212020DDSWC11230.zip"  # the name e-Stat gives a 小地域 shapefile download


# --- helpers --------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def nothing_written_outside_tmp(tmp_path, monkeypatch):
    """Run every test from an empty cwd with an empty temp folder, and check both stay empty:
    the module must neither extract nor write temporary files."""
    cwd, temp = tmp_path / "cwd", tmp_path / "system_temp"
    cwd.mkdir()
    temp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield
    assert list(cwd.iterdir()) == []
    assert list(temp.iterdir()) == []


def make_zip(path: Path, members: dict[str, bytes | Path], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content.read_bytes() if isinstance(content, Path) else content)
    return path


def estat_members(folder: str = "") -> dict[str, Path]:
    """The shapefile's parts as e-Stat ships them: .shp .shx .dbf .prj, CP932, no .cpg."""
    return {folder + p.name: p for p in sorted(ESTAT_DIR.iterdir())}


def dbf_record_count(dbf: bytes) -> int:
    return struct.unpack_from("<I", dbf, 4)[0]  # dBASE header: record count at byte 4


def shp_bounds(shp: bytes) -> tuple[float, float, float, float]:
    return struct.unpack_from("<4d", shp, 36)  # shapefile header: xmin, ymin, xmax, ymax at byte 36


def refusal(excinfo, file: str, *fragments: str) -> str:
    """The single problem's Japanese message, after checking it names ``file`` and each fragment."""
    (problem,) = excinfo.value.problems
    assert problem.file == file
    for fragment in fragments:
        assert fragment in problem.message_ja, problem
    return problem.message_ja


def declare_size(path: Path, entry: str, size: int) -> None:
    """Rewrite the uncompressed size the ZIP claims for ``entry`` (local header and central directory)."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(entry)
        start_dir = archive.start_dir
    struct.pack_into("<I", raw, info.header_offset + 22, size)  # local header: uncompressed size at +22
    offset = start_dir
    while raw[offset:offset + 4] == b"PK\x01\x02":  # central directory records
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", raw, offset + 28)
        if raw[offset + 46: offset + 46 + name_len].decode() == entry:
            struct.pack_into("<I", raw, offset + 24, size)  # uncompressed size at +24
        offset += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(raw))


def squares(crs: str | None, origin: tuple[float, float], side: float, names: list[str]) -> gpd.GeoDataFrame:
    x, y = origin
    return gpd.GeoDataFrame({"name": names},
                            geometry=[box(x + i * side, y, x + (i + 1) * side, y + side) for i in range(len(names))],
                            crs=crs)


def shapefile_bytes(frame: gpd.GeoDataFrame, folder: Path, stem: str, **options) -> dict[str, bytes]:
    """The parts of ``frame`` written as a shapefile by GDAL, by suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_file(folder / f"{stem}.shp", driver="ESRI Shapefile", **options)
    return {p.suffix: p.read_bytes() for p in folder.iterdir() if p.stem == stem}


# --- the e-Stat shapefile as downloaded -------------------------------------------------------------

@pytest.mark.parametrize("folder", ["", "A002005212020DDSWC11230/"], ids=["at the root", "in a folder"])
def test_estat_zip_reads_cp932_names_every_record_in_4326(tmp_path, folder):
    path = make_zip(tmp_path / ESTAT_ZIP_NAME, estat_members(folder))
    frame = read_vector(path)

    dbf = (ESTAT_DIR / "h27ka11223.dbf").read_bytes()
    assert len(frame) == dbf_record_count(dbf) == 29
    assert frame.crs.to_epsg() == 4326
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    names = frame["S_NAME"].tolist()
    assert any("錦町" in n for n in names)
    # oracle: GDAL told the encoding explicitly, reading the original file
    assert names == pyogrio.read_dataframe(ESTAT_SHP, encoding="cp932")["S_NAME"].tolist()
    # JGD2000 → WGS 84 is a null shift at this scale: the .shp header's box, within a millimetre
    assert frame.total_bounds == pytest.approx(shp_bounds(ESTAT_SHP.read_bytes()), abs=1e-8)
    assert frame.attrs[ATTR_MEMBER] == f"{folder}h27ka11223.shp"
    assert frame.attrs[ATTR_SOURCE_CRS] == "EPSG:4612"
    assert frame.attrs[ATTR_ENCODING] == "cp932"
    assert list_members(path) == [f"{folder}h27ka11223.shp"]


@pytest.fixture
def cp932_dbf_without_language_id(tmp_path) -> Path:
    """The e-Stat shapefile with the DBF's language byte (29: 0x13 = CP932) cleared, as some
    downloads have it: GDAL then has no hint at all."""
    folder = tmp_path / "no_ldid"
    shutil.copytree(ESTAT_DIR, folder)
    dbf = folder / "h27ka11223.dbf"
    raw = bytearray(dbf.read_bytes())
    assert raw[29] == 0x13
    raw[29] = 0
    dbf.write_bytes(bytes(raw))
    return folder / "h27ka11223.shp"


def test_cp932_is_detected_where_gdal_alone_reads_latin1_mojibake(cp932_dbf_without_language_id, tmp_path):
    shp = cp932_dbf_without_language_id
    expected = pyogrio.read_dataframe(shp, encoding="cp932")["S_NAME"].tolist()
    assert not any("錦町" in n for n in pyogrio.read_dataframe(shp)["S_NAME"])  # why detection is needed

    assert read_vector(shp)["S_NAME"].tolist() == expected
    zipped = make_zip(tmp_path / "x.zip", {p.name: p for p in shp.parent.iterdir()})
    assert read_vector(zipped)["S_NAME"].tolist() == expected


def test_a_cpg_is_honoured_and_encoding_overrides_it(cp932_dbf_without_language_id):
    shp = cp932_dbf_without_language_id
    expected = pyogrio.read_dataframe(shp, encoding="cp932")["S_NAME"].tolist()
    cpg = shp.with_suffix(".cpg")

    cpg.write_text("SJIS")  # how some Japanese GIS software spells it
    assert read_vector(shp)["S_NAME"].tolist() == expected

    cpg.write_text("UTF-8")  # a wrong .cpg is believed …
    with pytest.raises(InputError) as excinfo:
        read_vector(shp)
    refusal(excinfo, "h27ka11223.shp", "utf-8")
    assert isinstance(excinfo.value.__cause__, UnicodeDecodeError)
    frame = read_vector(shp, encoding="cp932")  # … until the user says otherwise
    assert frame["S_NAME"].tolist() == expected
    assert frame.attrs[ATTR_ENCODING] == "cp932"


def test_a_utf8_dbf_without_cpg_is_read_as_utf8(tmp_path):
    names = ["錦町一丁目", "髙田", "ａｂｃ"]
    parts = shapefile_bytes(squares("EPSG:6668", (139.68, 35.82), 0.001, names), tmp_path / "w", "towns",
                            encoding="utf-8")
    parts.pop(".cpg")
    path = make_zip(tmp_path / "utf8.zip", {f"towns{suffix}": data for suffix, data in parts.items()})
    frame = read_vector(path)
    assert frame["name"].tolist() == names
    assert frame.attrs[ATTR_ENCODING] == "utf-8"


# --- GeoJSON, GeoPackage, several datasets -------------------------------------------------------------

def test_the_n03_geojson_zipped_in_a_folder(tmp_path):
    path = make_zip(tmp_path / "N03-20210101_11_GML.zip",
                    {"N03-20210101_11_GML/": b"", f"N03-20210101_11_GML/{N03_JSON.name}": N03_JSON,
                     "N03-20210101_11_GML/KS-META-N03-20210101_11.xml": b"<meta/>"})
    frame = read_vector(path)

    features = json.loads(N03_JSON.read_text(encoding="utf-8"))["features"]
    assert len(frame) == len(features)
    assert frame["N03_004"].tolist() == [f["properties"]["N03_004"] for f in features]
    assert "蕨市" in set(frame["N03_004"])
    assert frame.crs.to_epsg() == 4326
    assert frame.attrs[ATTR_ENCODING] is None


def test_the_same_data_as_shp_and_geojson_reads_the_geojson(tmp_path):
    """国土数値情報 zips hold one dataset in both formats: that is one choice, not two."""
    towns = gpd.read_file(N03_JSON).head(3)
    parts = shapefile_bytes(towns, tmp_path / "w", "N03-20240101_11")
    members = {f"N03-20240101_11_GML/N03-20240101_11{s}": data for s, data in parts.items()}
    members["N03-20240101_11_GML/N03-20240101_11.geojson"] = towns.to_json().encode()
    path = make_zip(tmp_path / "N03-20240101_11_GML.zip", members)

    assert sorted(list_members(path)) == ["N03-20240101_11_GML/N03-20240101_11.geojson",
                                          "N03-20240101_11_GML/N03-20240101_11.shp"]
    frame = read_vector(path)
    assert frame.attrs[ATTR_MEMBER].endswith(".geojson")
    assert frame["N03_004"].tolist() == towns["N03_004"].tolist()


def test_a_geopackage_in_plane_rectangular_ix_comes_back_in_lon_lat(tmp_path):
    # one 100 m square in JGD2011 zone IX (EPSG:6677), near 蕨市役所
    origin = (-15_000.0, -19_000.0)
    path = tmp_path / "towns.gpkg"
    squares("EPSG:6677", origin, 100.0, ["a"]).to_file(path, layer="towns")

    frame = read_vector(path)
    # the grid is turned against the meridians (convergence), so each bound comes from some corner
    to_lonlat = Transformer.from_crs("EPSG:6677", "EPSG:4326", always_xy=True)
    x, y = origin
    lons, lats = to_lonlat.transform([x, x + 100, x + 100, x], [y, y, y + 100, y + 100])
    assert frame.total_bounds == pytest.approx([min(lons), min(lats), max(lons), max(lats)], abs=1e-9)
    assert frame.attrs[ATTR_SOURCE_CRS] == "EPSG:6677"
    assert list_members(path) == ["towns"]


def test_a_geopackage_with_two_layers_asks_which(tmp_path):
    path = tmp_path / "two.gpkg"
    squares("EPSG:6668", (139.68, 35.82), 0.001, ["a", "b"]).to_file(path, layer="towns")
    gpd.GeoDataFrame({"name": ["p"]}, geometry=[Point(139.68, 35.82)], crs="EPSG:6668").to_file(path, layer="pts")

    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "two.gpkg", "towns", "pts")
    assert sorted(list_members(path)) == ["pts", "towns"]
    assert read_vector(path, member="pts")["name"].tolist() == ["p"]
    assert read_vector(path, member="towns")["name"].tolist() == ["a", "b"]


def test_in_a_zip_the_only_polygon_dataset_is_chosen(tmp_path):
    towns = squares("EPSG:6668", (139.68, 35.82), 0.001, ["a", "b"])
    offices = gpd.GeoDataFrame({"name": ["役場"]}, geometry=[Point(139.6797, 35.8258)], crs="EPSG:6668")
    members = {f"towns{s}": d for s, d in shapefile_bytes(towns, tmp_path / "w", "towns").items()}
    members |= {f"offices{s}": d for s, d in shapefile_bytes(offices, tmp_path / "w", "offices").items()}
    path = make_zip(tmp_path / "mixed.zip", members)

    assert read_vector(path)["name"].tolist() == ["a", "b"]
    assert read_vector(path, member="offices.shp")["name"].tolist() == ["役場"]


def test_two_polygon_shapefiles_are_listed_and_member_picks_one(tmp_path):
    members = {}
    for stem, names in {"h27ka11223": ["a"], "r2ka11223": ["b", "c"]}.items():
        parts = shapefile_bytes(squares("EPSG:4612", (139.68, 35.82), 0.001, names), tmp_path / "w", stem)
        members |= {f"{stem}/{stem}{s}": d for s, d in parts.items()}
    path = make_zip(tmp_path / "two.zip", members)

    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "two.zip", "h27ka11223/h27ka11223.shp", "r2ka11223/r2ka11223.shp")
    assert sorted(list_members(path)) == ["h27ka11223/h27ka11223.shp", "r2ka11223/r2ka11223.shp"]
    assert read_vector(path, member="r2ka11223/r2ka11223.shp")["name"].tolist() == ["b", "c"]
    with pytest.raises(InputError) as excinfo:
        read_vector(path, member="nothing.shp")
    refusal(excinfo, "two.zip", "nothing.shp", "r2ka11223/r2ka11223.shp")


def test_a_geopackage_in_a_zip_lists_its_layers(tmp_path):
    gpkg = tmp_path / "w.gpkg"
    squares("EPSG:6668", (139.68, 35.82), 0.001, ["a"]).to_file(gpkg, layer="towns")
    gpd.GeoDataFrame({"name": ["p"]}, geometry=[Point(139.68, 35.82)], crs="EPSG:6668").to_file(gpkg, layer="pts")
    path = make_zip(tmp_path / "gpkg.zip", {"data/w.gpkg": gpkg})

    assert sorted(list_members(path)) == ["data/w.gpkg|pts", "data/w.gpkg|towns"]
    assert read_vector(path)["name"].tolist() == ["a"]  # the only polygon layer
    assert read_vector(path, member="data/w.gpkg|pts")["name"].tolist() == ["p"]


def test_a_zip_inside_a_zip_is_opened_one_level_deep(tmp_path):
    inner = make_zip(tmp_path / ESTAT_ZIP_NAME, estat_members())
    outer = make_zip(tmp_path / "outer.zip", {ESTAT_ZIP_NAME: inner})
    assert list_members(outer) == [f"{ESTAT_ZIP_NAME}/h27ka11223.shp"]
    assert len(read_vector(outer)) == 29

    deeper = make_zip(tmp_path / "deeper.zip", {"outer.zip": outer})
    with pytest.raises(InputError) as excinfo:
        read_vector(deeper)
    refusal(excinfo, "deeper.zip", "ありません")


def test_windows_cp932_entry_names_and_mac_resource_forks(tmp_path):
    """Explorer writes CP932 names without the UTF-8 flag; Finder adds __MACOSX/._* copies."""
    placeholder = "XXXXXXXX"  # as many bytes as 小地域境 in CP932, patched in below
    members = {f"{placeholder}/h27ka11223{p.suffix}": p for p in ESTAT_DIR.iterdir()}
    members["__MACOSX/XXXXXXXX/._h27ka11223.shp"] = b"\x00\x05\x16\x07 not a shapefile"
    path = make_zip(tmp_path / "explorer.zip", members)
    cp932_name = "小地域境".encode("cp932")
    assert len(cp932_name) == len(placeholder)
    path.write_bytes(path.read_bytes().replace(placeholder.encode(), cp932_name))

    assert list_members(path) == ["小地域境/h27ka11223.shp"]
    assert len(read_vector(path)) == 29


# --- coordinate systems ----------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_a_shapefile_without_prj_in_lon_lat_is_taken_as_jgd2011_with_a_note(tmp_path):
    folder = tmp_path / "noprj"
    shapefile_bytes(squares(None, (139.68, 35.82), 0.001, ["a", "b"]), folder, "towns")
    assert not (folder / "towns.prj").exists()

    frame = read_vector(folder / "towns.shp")
    assert frame.crs.to_epsg() == 4326
    assert frame.attrs[ATTR_SOURCE_CRS] == "EPSG:6668"
    (note,) = frame.attrs[ATTR_NOTES]
    assert "EPSG:6668" in note and ".prj" in note
    # JGD2011 and WGS 84 coincide here to well under a millimetre
    assert frame.total_bounds == pytest.approx([139.68, 35.82, 139.682, 35.821], abs=1e-8)


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_a_shapefile_without_prj_in_metres_is_refused(tmp_path):
    parts = shapefile_bytes(squares(None, (-15_000.0, -19_000.0), 100.0, ["a"]), tmp_path / "w", "towns")
    path = make_zip(tmp_path / "metres.zip", {f"towns{s}": d for s, d in parts.items()})
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "metres.zip", "towns.shp", "座標系（.prj）がありません")


# --- unsafe ZIPs -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("entry, shown", [
    ("../evil.shp", "../evil.shp"),
    ("/etc/x", "/etc/x"),
    ("C:/Windows/evil.shp", "C:/Windows/evil.shp"),
    ("data\\..\\..\\evil.shp", "data/../../evil.shp"),
])
def test_zip_slip_names_are_refused(tmp_path, entry, shown):
    path = make_zip(tmp_path / "slip.zip", {**estat_members(), entry: b"x"})
    assert entry in zipfile.ZipFile(path).namelist()  # zipfile kept the name as given
    for call in (read_vector, list_members):
        with pytest.raises(InputError) as excinfo:
            call(path)
        refusal(excinfo, "slip.zip", f"「{shown}」", "フォルダの外")


def test_a_symlink_entry_is_refused(tmp_path):
    path = make_zip(tmp_path / "link.zip", estat_members())
    link = zipfile.ZipInfo("h27ka11223.cpg")
    link.create_system = 3  # Unix: the mode is in the high 16 bits of external_attr
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "link.zip", "「h27ka11223.cpg」", "シンボリックリンク")


@pytest.fixture(scope="module")
def honest_bomb(tmp_path_factory) -> Path:
    """200 MB of zeros, deflated to ~0.2 MB, sizes declared truthfully."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("towns.shp", "w") as entry:
            for _ in range(200):
                entry.write(zeros)
    return path


def test_an_honest_zip_bomb_is_refused_from_its_header(honest_bomb):
    info = zipfile.ZipFile(honest_bomb).getinfo("towns.shp")
    assert info.file_size == 200 << 20 and info.file_size > ARCHIVE_LIMITS.max_ratio * info.compress_size
    started = time.perf_counter()
    with pytest.raises(InputError) as excinfo:
        read_vector(honest_bomb)
    assert time.perf_counter() - started < 1.0  # nothing decompressed
    refusal(excinfo, "bomb.zip", "「towns.shp」", "圧縮率", "ZIP 爆弾")


def test_a_zip_bomb_inside_a_zip_is_refused_naming_both(tmp_path, honest_bomb):
    outer = make_zip(tmp_path / "outer.zip", {**estat_members(), "extra/bomb.zip": honest_bomb})
    with pytest.raises(InputError) as excinfo:
        list_members(outer)
    refusal(excinfo, "outer.zip", "「extra/bomb.zip/towns.shp」", "ZIP 爆弾")


def test_a_header_that_understates_the_size_is_caught_while_reading(tmp_path):
    """The entry claims 1,000 bytes (no size or ratio alarm) but holds 50 MB of zeros: reading
    stops at the claimed size and the checksum exposes it."""
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("towns.geojson", bytes(50 * 1_000_000))
    declare_size(path, "towns.geojson", 1_000)
    assert zipfile.ZipFile(path).getinfo("towns.geojson").file_size == 1_000

    started = time.perf_counter()
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    assert time.perf_counter() - started < 1.0
    refusal(excinfo, "liar.zip", "「towns.geojson」", "展開できません")
    assert isinstance(excinfo.value.__cause__, zipfile.BadZipFile)


def test_an_entry_declared_over_500_mb_is_refused(tmp_path):
    path = make_zip(tmp_path / "huge.zip", {"towns.shp": bytes(2_000_000)}, zipfile.ZIP_STORED)
    declare_size(path, "towns.shp", 600_000_000)  # stored: compressed size stays 2 MB, ratio 300×
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "huge.zip", "「towns.shp」", "600 MB", "500 MB")


def test_entries_declaring_over_1_gb_in_total_are_refused(tmp_path):
    # three stored 4 MB entries each claiming 400 MB: ratio exactly 100 (allowed), each under
    # 500 MB (allowed), together 1.2 GB (refused)
    members = {f"part{i}.bin": bytes(4_000_000) for i in range(3)}
    path = make_zip(tmp_path / "total.zip", members, zipfile.ZIP_STORED)
    for name in members:
        declare_size(path, name, 400_000_000)
    with pytest.raises(InputError) as excinfo:
        list_members(path)
    refusal(excinfo, "total.zip", "1,200 MB", "1,000 MB")


def test_more_than_1000_entries_are_refused(tmp_path):
    members = {f"f{i:04d}.txt": b"" for i in range(ARCHIVE_LIMITS.max_entries + 1)}
    path = make_zip(tmp_path / "many.zip", members)
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "many.zip", "1,001 個", "1,000 個")


# --- nothing to read, broken files ----------------------------------------------------------------------

def test_a_zip_without_a_dataset(tmp_path):
    path = make_zip(tmp_path / "empty.zip", {"readme.txt": b"hello", "h27ka11223.dbf": ESTAT_DIR / "h27ka11223.dbf"})
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "empty.zip", "読み込める地図データ", "ありません")
    assert list_members(path) == []


def test_a_shapefile_missing_its_shx(tmp_path):
    members = {n: p for n, p in estat_members().items() if not n.endswith(".shx")}
    path = make_zip(tmp_path / "noshx.zip", members)
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "noshx.zip", "「h27ka11223.shp」", ".shx")


@pytest.mark.parametrize("file_name, content", [
    ("broken.geojson", b'{"type": "FeatureCollection", "features": [{"type": '),
    ("broken.gpkg", b"SQLite format 3\x00" + bytes(100)),
    ("broken.zip", b"PK\x03\x04 this is not really a zip"),
    ("broken.json", b"\xff\xfe not json at all"),
])
def test_a_corrupt_file_is_reported_with_its_cause(tmp_path, file_name, content):
    path = tmp_path / file_name
    path.write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, file_name)
    assert excinfo.value.__cause__ is not None


def test_a_corrupt_shapefile_in_a_zip_names_the_entry(tmp_path):
    members = {f"d/towns{s}": b"garbage" * 20 for s in (".shp", ".shx", ".dbf", ".prj")}
    path = make_zip(tmp_path / "corrupt.zip", members)
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "corrupt.zip", "「d/towns.shp」", "読み込めません")
    assert excinfo.value.__cause__ is not None  # pyogrio's error (here an IndexError from its reader)


def test_no_features_and_no_geometries_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError) as excinfo:
        read_vector(empty)
    refusal(excinfo, "empty.geojson", "1 件もありません")

    no_geometry = tmp_path / "table.geojson"
    no_geometry.write_text('{"type": "FeatureCollection", "features": ['
                           '{"type": "Feature", "geometry": null, "properties": {"name": "錦町"}}]}')
    with pytest.raises(InputError) as excinfo:
        read_vector(no_geometry, name="公民館一覧.geojson")
    refusal(excinfo, "公民館一覧.geojson", "図形（ジオメトリ）がありません")


def test_an_unsupported_format_names_the_accepted_ones(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_text("name,lon,lat\n錦町,139.68,35.82\n")
    with pytest.raises(InputError) as excinfo:
        read_vector(path)
    refusal(excinfo, "towns.csv", ".zip", ".shp", ".geojson", ".gpkg")


def test_an_upload_saved_without_suffix_is_read_by_its_shown_name(tmp_path):
    upload = tmp_path / "upload_7f3a"
    upload.write_bytes(make_zip(tmp_path / "src.zip", estat_members()).read_bytes())
    frame = read_vector(upload, name=ESTAT_ZIP_NAME)
    assert len(frame) == 29

    upload.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(InputError) as excinfo:
        read_vector(upload, name=ESTAT_ZIP_NAME)
    refusal(excinfo, ESTAT_ZIP_NAME)


def test_reading_a_zip_twice_gives_equal_frames(tmp_path):
    """No state kept between calls (GDAL's /vsimem/ is cleaned after each read)."""
    path = make_zip(tmp_path / ESTAT_ZIP_NAME, estat_members())
    first, second = read_vector(path), read_vector(path)
    assert first.geometry.geom_equals(second.geometry).all()
    assert pyogrio.vsi_listtree("/vsimem/") == []
