"""Polygon and point files as municipal staff download them, read into EPSG:4326.

Accepted: GeoJSON (``.geojson``, ``.json``), GeoPackage (``.gpkg``), a Shapefile given by its
``.shp`` path, and a ZIP exactly as downloaded — 国土数値情報 N03 zips (a folder holding the
same data as ``.shp`` and ``.geojson``), e-Stat 国勢調査 小地域 zips (``A002005212020DDSWC11230.zip``:
a CP932 shapefile without ``.cpg``), zips holding a GeoJSON or a GeoPackage, and zips inside a
zip (one level deep).

A ZIP is never extracted. Every entry is checked against :data:`ARCHIVE_LIMITS` before anything is
decompressed (unsafe names, symlinks, sizes, compression ratio), bytes are counted again while
decompressing (a header may lie), and GDAL only ever sees the members we chose, under names we
chose: a shapefile's parts are re-packed into a new uncompressed in-memory ZIP that pyogrio reads
through ``/vsimem/``. Nothing is written to disk.

:func:`read_vector` records what it did in ``frame.attrs`` (keys ``ATTR_*`` below); pandas drops
``attrs`` in some later operations, so read them straight away.
"""

from __future__ import annotations

import codecs
import io
import re
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from dashboard.errors import InputError, Problem
from geo.crs import STORAGE_CRS

_MB = 1_000_000


@dataclass(frozen=True)
class ArchiveLimits:
    """What a ZIP may hold before we refuse it as unsafe (sizes in bytes, uncompressed).

    Real downloads are far below these: a prefecture's N03 zip holds ~10 entries and ~100 MB,
    an e-Stat 小地域 zip 4 entries of a few MB; shapefiles compress 2–10×. A ZIP bomb (small file,
    huge or endless output) compresses zeros at ~1000×.
    """

    #: Entries (files and folders) in one archive.
    max_entries: int = 1_000
    #: Uncompressed size of one entry.
    max_entry_bytes: int = 500 * _MB
    #: Uncompressed bytes of all entries of one archive, and of everything we decompress in one call.
    max_total_bytes: int = 1_000 * _MB
    #: Uncompressed ÷ compressed size above which an entry counts as a ZIP bomb …
    max_ratio: float = 100.0
    #: … once it is larger than this (tiny files such as a .prj may compress well).
    ratio_checked_above_bytes: int = 1 * _MB


#: The limits every ZIP read here is held to.
ARCHIVE_LIMITS = ArchiveLimits()

#: ``frame.attrs`` keys set by :func:`read_vector`.
ATTR_MEMBER = "vector_member"  #: the dataset read, as :func:`list_members` names it
ATTR_SOURCE_CRS = "vector_source_crs"  #: the file's CRS before conversion, e.g. "EPSG:4612"
ATTR_ENCODING = "vector_encoding"  #: the DBF encoding used (shapefiles only, else None)
ATTR_NOTES = "vector_notes"  #: tuple of Japanese notes on assumptions made, for the user

#: In a ZIP, a GeoPackage layer is named ``entry.gpkg|layer`` (GDAL's own convention; Windows forbids
#: ``|`` in file names, so it cannot be part of an entry name made there).
LAYER_SEPARATOR = "|"

_ZIP, _SHAPEFILE, _GEOJSON, _GPKG = "zip", "shapefile", "geojson", "gpkg"
_KIND_BY_SUFFIX = {".zip": _ZIP, ".shp": _SHAPEFILE, ".geojson": _GEOJSON, ".json": _GEOJSON, ".gpkg": _GPKG}
_ACCEPTED = ".zip / .shp / .geojson / .json / .gpkg"
#: When one folder holds the same data in several formats (国土数値情報 zips ship .shp and .geojson
#: side by side), read the first of these: GeoJSON and GeoPackage are UTF-8 by specification.
_FORMAT_PREFERENCE = (".geojson", ".json", ".gpkg", ".shp")
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SHAPEFILE_REQUIRED = (".shx", ".dbf")
#: The name the parts of a chosen shapefile get in the archive we hand to GDAL.
_PACKED_STEM = "dataset"
_ZIP_MAGIC = b"PK\x03\x04"
_UTF8_NAME_FLAG = 0x800
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
_READ_CHUNK_BYTES = 1 << 20
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError)
#: pyogrio raises its DataSourceError family, but on some broken files also IndexError, ValueError
#: and others; a ``try`` holding only a pyogrio or pyproj call catches everything.
_GDAL_ERRORS = (Exception,)

#: Shapefile header: file code 9994 (big-endian) at byte 0, shape type (little-endian) at byte 32.
_SHP_HEADER_BYTES = 100
_SHP_FILE_CODE = 9994
_SHAPE_TYPES = {
    1: "Point", 3: "LineString", 5: "Polygon", 8: "MultiPoint",
    11: "Point Z", 13: "LineString Z", 15: "Polygon Z", 18: "MultiPoint Z",
    21: "Point M", 23: "LineString M", 25: "Polygon M", 28: "MultiPoint M", 31: "MultiPatch",
}

#: DBF header: record count, header length, record length (little-endian, from byte 4); then
#: 32-byte field descriptors (name, type at +11, length at +16) up to a 0x0D terminator.
_DBF_HEADER = struct.Struct("<4xIHH")
_DBF_DESCRIPTOR_BYTES = 32
_DBF_FIELDS_END = 0x0D
#: Tried in this order on the DBF's text: CP932 bytes are almost never valid UTF-8.
_DBF_ENCODINGS = ("utf-8", "cp932")
#: .cpg spellings seen in Japanese data. Shift_JIS becomes CP932, its superset with the vendor
#: characters (髙, 﨑, ①) Japanese Windows software writes.
_CPG_ALIASES = {"SJIS": "cp932", "SHIFT_JIS": "cp932", "SHIFT-JIS": "cp932", "MS932": "cp932",
                "WINDOWS-31J": "cp932", "UTF8": "utf-8"}
_CPG_CODE_PAGE = re.compile(r"(?:ANSI\s*)?(\d+)")
_UTF8_CODE_PAGE = "65001"

#: A shapefile without .prj whose coordinates fall in these ranges (degrees) is taken to be
#: longitude/latitude in Japan; JGD2011 is the datum Japanese public data has used since 2011.
_JAPAN_LON = (122.0, 154.0)
_JAPAN_LAT = (20.0, 46.0)
_ASSUMED_LONLAT_CRS = "EPSG:6668"


@dataclass(frozen=True)
class _Dataset:
    """One readable dataset: a shapefile, a GeoJSON or one GeoPackage layer."""

    member: str  # what list_members shows and member= accepts
    kind: str
    entry: str  # the ZIP entry (or the file name) holding it
    geometry_type: str | None = None  # "Polygon", "Point Z", "Unknown" …; None when not known
    layer: str | None = None
    in_archive: bool = False


@dataclass(frozen=True)
class _Loaded:
    """What GDAL reads (a path, or bytes it opens in ``/vsimem/``), plus a shapefile's DBF and .cpg."""

    gdal_input: Path | bytes
    dbf: bytes | None = None
    cpg: bytes | None = None


def read_vector(path: Path, *, name: str | None = None, encoding: str | None = None,
                member: str | None = None) -> gpd.GeoDataFrame:
    """Features of a GeoJSON, GeoPackage, Shapefile or downloaded ZIP, in EPSG:4326.

    Parameters
    ----------
    path : Path
        ``.zip``, ``.shp`` (its ``.shx``/``.dbf``/``.prj``/``.cpg`` beside it), ``.geojson``,
        ``.json`` or ``.gpkg``. A file with another suffix is read as a ZIP if it is one.
    name : str, optional
        The file name to show in messages (e.g. the uploaded name when ``path`` is a temporary file).
    encoding : str, optional
        A shapefile's DBF encoding, e.g. ``"cp932"``; overrides the ``.cpg``. Without it the
        ``.cpg`` decides, and without a ``.cpg`` the DBF text is tested: UTF-8 if it decodes as
        UTF-8, else CP932 (e-Stat and 国土数値情報 ship CP932 without ``.cpg``). Ignored for
        GeoJSON and GeoPackage, which are UTF-8.
    member : str, optional
        Which dataset to read, as :func:`list_members` names it: a ZIP entry
        (``"N03-20240101_11_GML/N03-20240101_11.shp"``, ``"inner.zip/a.geojson"``), a GeoPackage
        layer, or ``"entry.gpkg|layer"`` in a ZIP. Needed only when the choice is ambiguous: a ZIP
        whose datasets are one polygon dataset plus others (points, lines) reads the polygon one.

    Returns
    -------
    GeoDataFrame in EPSG:4326 with the file's attribute columns; ``attrs`` holds
    :data:`ATTR_MEMBER`, :data:`ATTR_SOURCE_CRS`, :data:`ATTR_ENCODING` and :data:`ATTR_NOTES`
    (e.g. that a shapefile without ``.prj`` was taken to be JGD2011 longitude/latitude).

    Raises
    ------
    InputError
        Japanese message naming the file (and the ZIP entry): unsafe or oversized ZIP, no dataset
        or several to choose from, missing ``.dbf``/``.shx``, no features or no geometries, no
        ``.prj`` and coordinates that are not longitude/latitude in Japan, or a file GDAL cannot
        read (the GDAL error is chained as ``__cause__``).
    """
    path = Path(path)
    label = name or path.name
    with _open_source(path, label) as source:
        dataset = _choose(source.datasets(), member, label, prefer_polygons=source.prefers_polygons)
        loaded = source.load(dataset)
    dbf_encoding = _dbf_encoding(encoding, loaded, dataset, label) if dataset.kind == _SHAPEFILE else None
    frame = _gdal_read(loaded, dataset, dbf_encoding, label)
    frame = _require_geometries(frame, dataset, label)
    frame, source_crs, notes = _to_storage_crs(frame, dataset, label)
    frame.attrs.update({ATTR_MEMBER: dataset.member, ATTR_SOURCE_CRS: source_crs,
                        ATTR_ENCODING: dbf_encoding, ATTR_NOTES: tuple(notes)})
    return frame


def list_members(path: Path) -> list[str]:
    """The datasets in ``path``, as :func:`read_vector`'s ``member`` accepts them.

    A ZIP lists its shapefiles, GeoJSONs and GeoPackages (one entry per layer when a GeoPackage
    has several: ``entry.gpkg|layer``), including those in zips inside it; a GeoPackage lists its
    layers with geometry; a ``.shp`` or GeoJSON lists itself. Raises :class:`InputError` as
    :func:`read_vector` does for an unsafe ZIP or a file that cannot be opened.
    """
    path = Path(path)
    with _open_source(path, path.name) as source:
        return [dataset.member for dataset in source.datasets()]


# --- sources: a plain file or a ZIP ---------------------------------------------------------------

@contextmanager
def _open_source(path: Path, label: str) -> Iterator[_FileSource | _ZipSource]:
    kind = _kind_of(path, label)
    if kind != _ZIP:
        yield _FileSource(path, kind, label)
        return
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as error:
        raise InputError([Problem(label, "ZIP ファイルとして開けません（壊れているか、ZIP ではありません）",
                                  f"{type(error).__name__}: {error}")]) from error
    with archive:
        yield _ZipSource(archive, label)


def _kind_of(path: Path, label: str) -> str:
    if not path.is_file():
        raise InputError([Problem(label, "ファイルが見つかりません", f"no file at {path}")])
    for suffix in (path.suffix.lower(), Path(label).suffix.lower()):
        if suffix in _KIND_BY_SUFFIX:
            return _KIND_BY_SUFFIX[suffix]
    with path.open("rb") as stream:
        if stream.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC:
            return _ZIP
    raise InputError([Problem(label, f"対応していない形式です（{_ACCEPTED} を選んでください。シェープファイルは "
                                     ".shp を選ぶか、.dbf .shx .prj と一緒に ZIP にまとめてください）",
                              f"got suffix {path.suffix!r}; expected one of {_ACCEPTED}")])


class _FileSource:
    """A ``.shp``, GeoJSON or GeoPackage on disk; GDAL reads it from its path."""

    prefers_polygons = False  # a GeoPackage's layers were put together on purpose: let the user choose

    def __init__(self, path: Path, kind: str, label: str):
        self._path, self._kind, self._label = path, kind, label

    def datasets(self) -> list[_Dataset]:
        if self._kind != _GPKG:
            return [_Dataset(self._path.name, self._kind, self._path.name)]
        try:
            layers = _read_layers(self._path)
        except _GDAL_ERRORS as error:
            raise InputError([Problem(self._label, "GeoPackage として開けません（壊れているか、形式が違います）",
                                      f"{type(error).__name__}: {error}")]) from error
        spatial = [(layer, geometry) for layer, geometry in layers if geometry is not None]
        if not spatial:
            raise InputError([Problem(self._label, "図形（ジオメトリ）のあるレイヤーがありません",
                                      f"layers without geometry only: {[layer for layer, _ in layers]}")])
        return [_Dataset(layer, _GPKG, self._path.name, geometry, layer=layer) for layer, geometry in spatial]

    def load(self, dataset: _Dataset) -> _Loaded:
        if self._kind != _SHAPEFILE:
            return _Loaded(self._path)
        parts = _shapefile_parts_on_disk(self._path)
        _require_shapefile_parts(parts, dataset, self._label)
        cpg = parts[".cpg"].read_bytes() if ".cpg" in parts else None
        return _Loaded(self._path, dbf=parts[".dbf"].read_bytes(), cpg=cpg)


def _shapefile_parts_on_disk(shp: Path) -> dict[str, Path]:
    """The files beside ``shp`` with its stem, by lower-case suffix (Windows tools write ``.SHP``)."""
    stem = shp.stem.lower()
    return {p.suffix.lower(): p for p in shp.parent.iterdir()
            if p.is_file() and p.stem.lower() == stem and p.suffix.lower() in _SHAPEFILE_PARTS}


@dataclass(frozen=True)
class _Entry:
    name: str  # decoded, "/"-separated, prefixed with "inner.zip/" inside a nested zip
    info: zipfile.ZipInfo
    archive: zipfile.ZipFile


class _ZipSource:
    """A ZIP read in memory: entries checked on opening, members decompressed under a byte budget."""

    prefers_polygons = True  # downloads bundle a boundary with points or lines (e.g. 役場 locations)

    def __init__(self, archive: zipfile.ZipFile, label: str, limits: ArchiveLimits = ARCHIVE_LIMITS):
        self._label, self._limits = label, limits
        self._spent_bytes = 0  # decompressed so far, all archives together
        self._cache: dict[str, bytes] = {}
        self._entries = _checked_entries(archive, "", label, limits)
        self._entries.update(self._nested_entries())
        self._by_lower = {name.lower(): entry for name, entry in self._entries.items()}
        self._datasets: list[_Dataset] | None = None

    def datasets(self) -> list[_Dataset]:
        if self._datasets is None:
            self._datasets = [dataset for entry in self._entries.values() if not _is_resource_fork(entry.name)
                              for dataset in self._datasets_in(entry)]
        return self._datasets

    def load(self, dataset: _Dataset) -> _Loaded:
        entry = self._entries[dataset.entry]
        if dataset.kind != _SHAPEFILE:
            return _Loaded(self._read(entry))
        stem = entry.name[: -len(PurePosixPath(entry.name).suffix)]
        parts = {suffix: self._by_lower[(stem + suffix).lower()] for suffix in _SHAPEFILE_PARTS
                 if (stem + suffix).lower() in self._by_lower}
        _require_shapefile_parts(parts, dataset, self._label)
        data = {suffix: self._read(part) for suffix, part in parts.items()}
        cpg = data.pop(".cpg", None)
        return _Loaded(_pack_shapefile(data), dbf=data[".dbf"], cpg=cpg)

    def _nested_entries(self) -> dict[str, _Entry]:
        """Entries of the zips in this zip — one level only: zips inside those are not opened."""
        nested: dict[str, _Entry] = {}
        for entry in list(self._entries.values()):
            if PurePosixPath(entry.name).suffix.lower() != ".zip" or _is_resource_fork(entry.name):
                continue
            data = self._read(entry)
            try:
                inner = zipfile.ZipFile(io.BytesIO(data))
            except _ZIP_ERRORS as error:
                raise InputError([Problem(self._label, f"ZIP の中の「{entry.name}」を ZIP として開けません",
                                          f"{type(error).__name__}: {error}")]) from error
            nested.update(_checked_entries(inner, entry.name + "/", self._label, self._limits))
        return nested

    def _datasets_in(self, entry: _Entry) -> list[_Dataset]:
        suffix = PurePosixPath(entry.name).suffix.lower()
        if suffix == ".shp":
            geometry = _shapefile_geometry(self._read(entry, max_bytes=_SHP_HEADER_BYTES))
            return [_Dataset(entry.name, _SHAPEFILE, entry.name, geometry, in_archive=True)]
        if suffix in (".geojson", ".json"):
            return self._geojson_datasets(entry, suffix)
        if suffix == ".gpkg":
            return self._gpkg_datasets(entry)
        return []

    def _geojson_datasets(self, entry: _Entry, suffix: str) -> list[_Dataset]:
        data = self._read(entry)  # outside the try: limit violations must propagate
        try:
            layers = _read_layers(data)
        except _GDAL_ERRORS:
            # a .json may be metadata; a broken .geojson stays listed and fails clearly when read
            return [] if suffix == ".json" else [_Dataset(entry.name, _GEOJSON, entry.name, in_archive=True)]
        geometry = layers[0][1] if layers else None
        return [_Dataset(entry.name, _GEOJSON, entry.name, geometry, in_archive=True)]

    def _gpkg_datasets(self, entry: _Entry) -> list[_Dataset]:
        data = self._read(entry)
        try:
            layers = _read_layers(data)
        except _GDAL_ERRORS:
            return [_Dataset(entry.name, _GPKG, entry.name, in_archive=True)]  # fails clearly when read
        spatial = [(layer, geometry) for layer, geometry in layers if geometry is not None]
        if len(spatial) == 1:
            layer, geometry = spatial[0]
            return [_Dataset(entry.name, _GPKG, entry.name, geometry, layer=layer, in_archive=True)]
        return [_Dataset(f"{entry.name}{LAYER_SEPARATOR}{layer}", _GPKG, entry.name, geometry, layer=layer,
                         in_archive=True) for layer, geometry in spatial]

    def _read(self, entry: _Entry, max_bytes: int | None = None) -> bytes:
        """The entry's bytes (the first ``max_bytes`` only, if given), counted against the limits as
        they are decompressed: the sizes in the ZIP's header are the sender's claim, not a fact."""
        if entry.name in self._cache:
            return self._cache[entry.name][:max_bytes]
        chunks, size = [], 0
        try:
            with entry.archive.open(entry.info) as stream:
                while max_bytes is None or size < max_bytes:
                    chunk = stream.read(_READ_CHUNK_BYTES if max_bytes is None else max_bytes - size)
                    if not chunk:
                        break
                    size += len(chunk)
                    self._spent_bytes += len(chunk)
                    _check_decompressed(entry, size, self._spent_bytes, self._label, self._limits)
                    chunks.append(chunk)
        except _ZIP_ERRORS as error:
            raise InputError([Problem(self._label, f"ZIP の中の「{entry.name}」を展開できません（壊れているか、"
                                                   "暗号化されているか、対応していない圧縮方式です）",
                                      f"{type(error).__name__}: {error}")]) from error
        data = b"".join(chunks)
        if max_bytes is None:
            self._cache[entry.name] = data
        return data


def _read_layers(source: Path | bytes) -> list[tuple[str, str | None]]:
    """``(layer, geometry type or None)`` per layer, as GDAL sees them."""
    with warnings.catch_warnings():
        # a GeoPackage handed over as bytes lives in /vsimem/ without the .gpkg suffix; harmless
        warnings.filterwarnings("ignore", message=".*non conformant file extension", category=RuntimeWarning)
        return [(str(layer), geometry) for layer, geometry in pyogrio.list_layers(source)]


def _is_resource_fork(name: str) -> bool:
    """macOS Finder's ``__MACOSX/…`` and ``._name`` files: they look like datasets but are not."""
    return name.startswith("__MACOSX/") or PurePosixPath(name).name.startswith("._")


def _shapefile_geometry(header: bytes) -> str | None:
    if len(header) < 36 or int.from_bytes(header[:4], "big") != _SHP_FILE_CODE:
        return None
    return _SHAPE_TYPES.get(int.from_bytes(header[32:36], "little"))


def _pack_shapefile(parts: dict[str, bytes]) -> bytes:
    """A new uncompressed ZIP holding just these parts as ``dataset.shp`` …: pyogrio opens ZIP bytes
    through ``/vsizip/`` in ``/vsimem/``, so the download's own names and layout never reach GDAL."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as packed:
        for suffix, data in parts.items():
            packed.writestr(_PACKED_STEM + suffix, data)
    return buffer.getvalue()


def _require_shapefile_parts(parts: dict, dataset: _Dataset, label: str) -> None:
    missing = [suffix for suffix in _SHAPEFILE_REQUIRED if suffix not in parts]
    if missing:
        raise InputError([Problem(label, f"{_subject(dataset)}シェープファイルに必要な {' '.join(missing)} が"
                                         "ありません（.shp と同じ名前で同じ場所に置いてください）",
                                  f"missing {missing} beside {dataset.entry}")])


# --- ZIP safety -----------------------------------------------------------------------------------

def _checked_entries(archive: zipfile.ZipFile, prefix: str, label: str, limits: ArchiveLimits) -> dict[str, _Entry]:
    """The archive's file entries by name, once every entry has passed the limits on its header."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise InputError([Problem(label, f"ZIP{_inner(prefix)}のファイル数が {len(infos):,} 個あり、"
                                         f"上限の {limits.max_entries:,} 個を超えるため読み込みません",
                                  f"{len(infos)} entries > {limits.max_entries}")])
    entries = {}
    for info in infos:
        name = prefix + _entry_name(info)
        _check_entry_header(info, name, label, limits)
        if not name.endswith("/"):
            entries[name] = _Entry(name, info, archive)
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise InputError([Problem(label, f"ZIP{_inner(prefix)}を展開すると合計 {total / _MB:,.0f} MB になり、"
                                         f"上限の {limits.max_total_bytes / _MB:,.0f} MB を超えるため読み込みません",
                                  f"declared uncompressed total {total} > {limits.max_total_bytes}")])
    return entries


def _inner(prefix: str) -> str:
    return f"（の中の「{prefix.rstrip('/')}」）" if prefix else ""


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as written, with ``/`` separators. Windows Explorer stores Japanese names in
    CP932 without the UTF-8 flag, which :mod:`zipfile` then decodes as CP437 (mojibake)."""
    name = info.filename
    if not info.flag_bits & _UTF8_NAME_FLAG:
        raw = name.encode("cp437")
        for codec in ("utf-8", "cp932"):
            try:
                name = raw.decode(codec)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/")


def _check_entry_header(info: zipfile.ZipInfo, name: str, label: str, limits: ArchiveLimits) -> None:
    parts = name.split("/")
    if name.startswith("/") or _DRIVE_LETTER.match(name) or ".." in parts:
        raise InputError([Problem(label, f"ZIP の中の「{name}」はフォルダの外を指す名前（絶対パス・ドライブ名・..）"
                                         "のため、この ZIP は読み込みません", "unsafe entry name (zip slip)")])
    if stat.S_ISLNK(info.external_attr >> 16):
        raise InputError([Problem(label, f"ZIP の中の「{name}」はシンボリックリンクのため、この ZIP は読み込みません",
                                  "symlink entry")])
    _check_entry_size(name, info.file_size, info.compress_size, label, limits)


def _check_decompressed(entry: _Entry, size: int, spent: int, label: str, limits: ArchiveLimits) -> None:
    """Limits on what decompression actually produced (``size`` of this entry, ``spent`` in all)."""
    if size > entry.info.file_size:
        raise InputError([Problem(label, f"ZIP の中の「{entry.name}」は記録された大きさ（{entry.info.file_size:,} "
                                         "バイト）を超えて展開されるため、読み込みません（ZIP 爆弾の疑い）",
                                  f"decompressed {size} > declared {entry.info.file_size}")])
    _check_entry_size(entry.name, size, entry.info.compress_size, label, limits)
    if spent > limits.max_total_bytes:
        raise InputError([Problem(label, f"ZIP の展開量が上限の {limits.max_total_bytes / _MB:,.0f} MB を超えたため"
                                         f"読み込みを中止しました（「{entry.name}」の展開中）",
                                  f"decompressed {spent} > {limits.max_total_bytes}")])


def _check_entry_size(name: str, size: int, compressed: int, label: str, limits: ArchiveLimits) -> None:
    if size > limits.max_entry_bytes:
        raise InputError([Problem(label, f"ZIP の中の「{name}」は展開すると {size / _MB:,.0f} MB 以上になり、"
                                         f"上限の {limits.max_entry_bytes / _MB:,.0f} MB を超えるため読み込みません",
                                  f"entry size {size} > {limits.max_entry_bytes}")])
    if size > limits.ratio_checked_above_bytes and size > limits.max_ratio * max(compressed, 1):
        raise InputError([Problem(label, f"ZIP の中の「{name}」は圧縮率が異常に高い（{size / max(compressed, 1):,.0f} 倍）"
                                         "ため、ZIP 爆弾の疑いがあり読み込みません",
                                  f"compression ratio > {limits.max_ratio:g} for {size} bytes")])


# --- choosing a dataset ---------------------------------------------------------------------------

def _choose(datasets: list[_Dataset], member: str | None, label: str, *, prefer_polygons: bool) -> _Dataset:
    if member is not None:
        return _by_member(datasets, member, label)
    if not datasets:
        raise InputError([Problem(label, f"読み込める地図データ（{_ACCEPTED.replace('.zip / ', '')}）が"
                                         "ありません（ZIP の中の ZIP は 1 段目までしか開きません）",
                                  "no dataset found")])
    candidates = _without_alternates(datasets) if prefer_polygons else datasets
    if len(candidates) == 1:
        return candidates[0]
    polygons = [d for d in candidates if _is_polygon(d.geometry_type)] if prefer_polygons else []
    if len(polygons) == 1:
        return polygons[0]
    what = "地図データ" if prefer_polygons else "レイヤー"
    raise InputError([Problem(label, f"{what}が複数あります。読み込むものを選んでください: {_listing(candidates)}",
                              f"several datasets; pass member= one of {[d.member for d in candidates]}")])


def _by_member(datasets: list[_Dataset], member: str, label: str) -> _Dataset:
    for dataset in datasets:
        if dataset.member == member:
            return dataset
    raise InputError([Problem(label, f"「{member}」が見つかりません。選べるもの: {_listing(datasets) or 'なし'}",
                              f"member {member!r} not in {[d.member for d in datasets]}")])


def _without_alternates(datasets: list[_Dataset]) -> list[_Dataset]:
    """One dataset per folder and file stem: 国土数値情報 ships the same data as .shp and .geojson."""
    best: dict[str, _Dataset] = {}
    for dataset in datasets:
        if LAYER_SEPARATOR in dataset.member:  # a layer of a several-layer GeoPackage is its own dataset
            best[dataset.member] = dataset
            continue
        suffix = PurePosixPath(dataset.member).suffix.lower()
        key = dataset.member[: -len(suffix)].lower()
        if key not in best or _preference(dataset) < _preference(best[key]):
            best[key] = dataset
    return list(best.values())


def _preference(dataset: _Dataset) -> int:
    return _FORMAT_PREFERENCE.index(PurePosixPath(dataset.member).suffix.lower())


def _is_polygon(geometry_type: str | None) -> bool:
    return geometry_type is not None and "polygon" in geometry_type.lower()


def _listing(datasets: list[_Dataset]) -> str:
    return "、".join(f"{d.member}（{d.geometry_type or '種類不明'}）" for d in datasets)


def _subject(dataset: _Dataset) -> str:
    """The message prefix naming a dataset inside a ZIP (the ZIP itself is the Problem's file)."""
    return f"ZIP の中の「{dataset.member}」: " if dataset.in_archive else ""


# --- DBF encoding ---------------------------------------------------------------------------------

def _dbf_encoding(explicit: str | None, loaded: _Loaded, dataset: _Dataset, label: str) -> str:
    """The caller's encoding, else the .cpg's, else the one the DBF's text decodes in."""
    if explicit is not None:
        return _codec(explicit, f"encoding={explicit!r}", dataset, label)
    if loaded.cpg is not None:
        text = loaded.cpg.decode("ascii", errors="replace").strip()
        return _codec(_CPG_ALIASES.get(text.upper(), _code_page(text)), f".cpg says {text!r}", dataset, label)
    detected = _detect_dbf_encoding(loaded.dbf or b"")
    if detected is None:
        raise InputError([Problem(label, f"{_subject(dataset)}属性（.dbf）の文字コードを判別できません"
                                         "（UTF-8 でも Shift_JIS(CP932) でもありません）",
                                  "DBF text is neither UTF-8 nor CP932; pass encoding=")])
    return detected


def _code_page(text: str) -> str:
    """``"932"``/``"ANSI 932"`` → ``"cp932"``, ``"65001"`` → ``"utf-8"``; other text unchanged."""
    match = _CPG_CODE_PAGE.fullmatch(text.upper())
    if not match:
        return text
    return "utf-8" if match.group(1) == _UTF8_CODE_PAGE else f"cp{match.group(1)}"


def _codec(name: str, origin: str, dataset: _Dataset, label: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError as error:
        raise InputError([Problem(label, f"{_subject(dataset)}文字コード「{name}」は使えません",
                                  f"unknown encoding ({origin})")]) from error


def _detect_dbf_encoding(dbf: bytes) -> str | None:
    values = list(_dbf_text_values(dbf))
    for encoding in _DBF_ENCODINGS:
        if all(_decodes(value, encoding) for value in values):
            return encoding
    return None


def _dbf_text_values(dbf: bytes) -> Iterator[bytes]:
    """The non-ASCII values of the DBF's character (``C``) fields, raw."""
    if len(dbf) < _DBF_DESCRIPTOR_BYTES:
        return
    n_records, header_bytes, record_bytes = _DBF_HEADER.unpack_from(dbf)
    fields, offset = [], 1  # each record starts with a one-byte deletion flag
    end = min(header_bytes, len(dbf))
    for start in range(_DBF_DESCRIPTOR_BYTES, end - _DBF_DESCRIPTOR_BYTES + 1, _DBF_DESCRIPTOR_BYTES):
        descriptor = dbf[start:start + _DBF_DESCRIPTOR_BYTES]
        if descriptor[0] == _DBF_FIELDS_END:
            break
        is_text = descriptor[11] == ord("C")
        # character fields longer than 255 keep the high byte in the "decimal count" byte
        width = descriptor[16] + (descriptor[17] << 8 if is_text else 0)
        if is_text:
            fields.append((offset, width))
        offset += width
    if record_bytes == 0 or header_bytes > len(dbf):
        return
    # a broken header may claim billions of records: believe the bytes that are there
    for record in range(min(n_records, (len(dbf) - header_bytes) // record_bytes)):
        row = dbf[header_bytes + record * record_bytes: header_bytes + (record + 1) * record_bytes]
        for start, width in fields:
            value = row[start:start + width].rstrip(b" \x00")
            if not value.isascii():
                yield value


def _decodes(value: bytes, encoding: str) -> bool:
    """Whether ``value`` decodes, allowing a last character cut by the field width."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(value, final=False)
    except UnicodeDecodeError:
        return False
    return True


# --- reading and checking -------------------------------------------------------------------------

def _gdal_read(loaded: _Loaded, dataset: _Dataset, encoding: str | None, label: str) -> pd.DataFrame:
    options = {"layer": dataset.layer} if dataset.layer else {}
    if encoding:
        options["encoding"] = encoding
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non conformant file extension", category=RuntimeWarning)
            return pyogrio.read_dataframe(loaded.gdal_input, **options)
    except UnicodeDecodeError as error:
        raise InputError([Problem(label, f"{_subject(dataset)}属性を文字コード {encoding} で読めません"
                                         "（別の文字コードを指定してください）", str(error))]) from error
    except _GDAL_ERRORS as error:
        raise InputError([Problem(label, f"{_subject(dataset)}地図データとして読み込めません"
                                         "（壊れているか、形式が違います）",
                                  f"{type(error).__name__}: {error}")]) from error


def _require_geometries(frame: pd.DataFrame, dataset: _Dataset, label: str) -> gpd.GeoDataFrame:
    if len(frame) == 0:
        raise InputError([Problem(label, f"{_subject(dataset)}地物（データ）が 1 件もありません", "no features")])
    has_geometry = isinstance(frame, gpd.GeoDataFrame) and frame.active_geometry_name is not None
    if not has_geometry or (frame.geometry.isna() | frame.geometry.is_empty).all():
        raise InputError([Problem(label, f"{_subject(dataset)}図形（ジオメトリ）がありません（属性だけのデータです）",
                                  "no geometries")])
    return frame


def _to_storage_crs(frame: gpd.GeoDataFrame, dataset: _Dataset,
                    label: str) -> tuple[gpd.GeoDataFrame, str, list[str]]:
    """The frame in EPSG:4326, the CRS it came in, and notes on what was assumed."""
    notes = []
    if frame.crs is None:
        frame = _assume_japanese_lonlat(frame, dataset, label)
        what = "座標系の指定（.prj）" if dataset.kind == _SHAPEFILE else "座標系の指定"
        notes.append(f"{_subject(dataset)}{what}がないため、日本の経緯度（JGD2011, {_ASSUMED_LONLAT_CRS}）とみなしました")
    source_crs = frame.crs.to_string()
    try:
        converted = frame.to_crs(STORAGE_CRS)
    except _GDAL_ERRORS as error:
        raise InputError([Problem(label, f"{_subject(dataset)}座標系（{source_crs}）を経緯度に変換できません",
                                  f"{type(error).__name__}: {error}")]) from error
    _require_lonlat(converted, dataset, source_crs, label)
    return converted, source_crs, notes


def _assume_japanese_lonlat(frame: gpd.GeoDataFrame, dataset: _Dataset, label: str) -> gpd.GeoDataFrame:
    west, south, east, north = frame.total_bounds
    if _JAPAN_LON[0] <= west <= east <= _JAPAN_LON[1] and _JAPAN_LAT[0] <= south <= north <= _JAPAN_LAT[1]:
        return frame.set_crs(_ASSUMED_LONLAT_CRS)
    what = "座標系（.prj）" if dataset.kind == _SHAPEFILE else "座標系"
    raise InputError([Problem(label, f"{_subject(dataset)}{what}がありません（.prj を付けてください）",
                              f"no CRS, and bounds {[round(v, 3) for v in (west, south, east, north)]} "
                              f"are not longitude/latitude in Japan {_JAPAN_LON} × {_JAPAN_LAT}")])


def _require_lonlat(frame: gpd.GeoDataFrame, dataset: _Dataset, source_crs: str, label: str) -> None:
    """A .prj that does not match the coordinates (e.g. degrees declared, metres stored) gives
    coordinates outside the globe or infinities; say so instead of drawing nothing."""
    west, south, east, north = bounds = frame.total_bounds
    if not (np.isfinite(bounds).all() and -180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InputError([Problem(label, f"{_subject(dataset)}座標が座標系（{source_crs}）と合いません"
                                         "（.prj が正しいか確認してください）",
                                  f"bounds in EPSG:4326 {[west, south, east, north]}")])


#: Suffixes of tables found in downloads (e-Stat 地域メッシュ統計 zips hold a ``tblT001142….txt``).
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx")


def read_table_member(path: Path, *, name: str | None = None) -> tuple[str, bytes]:
    """The one table (CSV/TXT/XLSX) in a downloaded ZIP, read in memory under the same checks as
    :func:`read_vector` (no climbing names, no bombs): ``(entry name, bytes)``. Raises InputError
    when there is none or several."""
    label = name or Path(path).name
    with _open_source(Path(path), label) as source:
        if not isinstance(source, _ZipSource):
            raise InputError([Problem(label, "ZIP ファイルではありません", "not a zip")])
        tables = [entry for entry_name, entry in source._entries.items()
                  if PurePosixPath(entry_name).suffix.lower() in TABLE_SUFFIXES and not _is_resource_fork(entry_name)]
        if len(tables) != 1:
            listed = "、".join(e.name for e in tables) or "なし"
            raise InputError([Problem(label, f"ZIP の中に表（CSV・TXT・XLSX）が1つだけ必要です（見つかったもの：{listed}）",
                                      f"{len(tables)} tables in the zip")])
        return tables[0].name, source._read(tables[0])
