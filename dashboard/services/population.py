"""Step 3 of setting up a city: how many people, and how many aged 65+, 75+, 85+, live where
(``import population FILE [--mapping FILE.json] [--as-of YYYY-MM-DD]``).

Accepted:
(a) the e-Stat 地域メッシュ統計 T001142 (250 m or 500 m, any mesh codes): cells are clipped to the
    city (counts scaled by the share inside) and area-weighted onto the 町丁目; coverage then uses the
    mesh pieces as population units;
(b) a 町丁目 age table — the 自治体標準オープンデータセット「地域・年齢別人口」 (Japanese or English
    keys) or any table through a column mapping. Rows attach to 町丁目 by code or by name (width,
    numerals and 大字/字 forgiven); the import refuses until every row matches or is skipped. Coverage
    then uses the 町丁目 themselves as units (their polygon, or their point where only a point is known).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from dashboard.errors import InputError, Problem
from dashboard.importers import estat
from dashboard.importers.tables import sha256_of
from dashboard.normalize import nfkc
from dashboard.services.common import (StepReport, add_source, municipality, refresh_area_population,
                                       remove_sources, set_city_meta, towns_frame)
from dashboard.store import models as m
from dashboard.store.engine import write_session
from geo.crs import STORAGE_CRS, projected_crs
from geo.interpolate import clip_extensive, interpolate_extensive
from geo.mesh import mesh_polygons

POP_COLUMNS = ["pop_total", "pop65", "pop75", "pop85"]


@dataclass(frozen=True)
class NameFixes:
    """What the user decided for rows whose 町丁目 name matched nothing: skip them, or say which town."""

    skip: frozenset[str] = frozenset()
    rename: dict[str, str] = field(default_factory=dict)  # name in the file → 町丁目 name in the store

    def normalized(self) -> "NameFixes":
        """Names as the reader gives them (NFKC): 「あたご１丁目東」 typed as in the file still matches."""
        return NameFixes(frozenset(nfkc(n) for n in self.skip), {nfkc(k): nfkc(v) for k, v in self.rename.items()})


def is_mesh_table(path: Path) -> bool:
    """A T001142-style mesh table (KEY_CODE + T001142… columns), judged from the header line."""
    if Path(path).suffix.lower() not in (".csv", ".txt"):
        return False
    head = Path(path).read_bytes()[:4096]
    return b"KEY_CODE" in head and b"T001142" in head


# -- (a) mesh -------------------------------------------------------------------------------------

def read_mesh_tables(paths: list[Path]) -> tuple[pd.DataFrame, str]:
    """One or more T001142 tables (e-Stat ships one file per 1st-level mesh, so a city on a grid
    line needs two) as one frame; a cell in two files is refused."""
    frames, encodings = [], []
    for path in paths:
        frame, encoding = estat.read_mesh_table(path)
        frames.append(frame.assign(_file=Path(path).name))
        encodings.append(encoding)
    mesh = pd.concat(frames, ignore_index=True)
    twice = mesh[mesh["mesh_code"].duplicated(keep=False)]
    if len(twice):
        files = "・".join(sorted(set(twice["_file"])))
        raise InputError([Problem(files, f"同じメッシュ {twice['mesh_code'].iloc[0]} が複数のファイルにあります",
                                  "a mesh cell in two files", column="KEY_CODE")])
    if mesh["mesh_code"].str.len().nunique() != 1:
        raise InputError([Problem("・".join(Path(p).name for p in paths), "異なる大きさのメッシュが混在しています",
                                  "mixed mesh levels")])
    return mesh.drop(columns="_file"), encodings[0]


def mesh_population(session: Session, code: str, path: Path | list[Path], name: str):
    """``(cells, town_estimates, encoding)``: the mesh clipped to the city's 町丁目 and the 町丁目's share."""
    mesh, encoding = read_mesh_tables(path if isinstance(path, list) else [path])
    towns = towns_frame(session, code)
    metric = projected_crs(int(code[:2]))
    cells = gpd.GeoDataFrame(mesh, geometry=mesh_polygons(mesh["mesh_code"]).to_numpy(), crs=STORAGE_CRS)
    # the union of the towns, so that the towns receive exactly the clipped totals
    clipped = clip_extensive(cells, towns.union_all(), POP_COLUMNS, metric)
    if clipped.empty or clipped["pop_total"].sum() <= 0:
        lon, lat = cells.union_all().centroid.coords[0]
        raise InputError([Problem(name, f"このメッシュ統計は市の区域と重なりません（メッシュの中心：北緯{lat:.3f}°・東経{lon:.3f}°）。"
                                        "別の地域のファイルではありませんか", "no mesh cell inside the municipality",
                                  column="KEY_CODE")])
    estimates = interpolate_extensive(clipped, towns, POP_COLUMNS, metric)
    raw = mesh.set_index("mesh_code").loc[clipped["mesh_code"], ["pop_total", "pop65"]]
    clipped = clipped.assign(raw_pop_total=raw["pop_total"].to_numpy(), raw_pop65=raw["pop65"].to_numpy())
    return clipped, towns.assign(**{f"est_{c}": estimates[c].to_numpy() for c in POP_COLUMNS}), encoding


def apply_mesh(session: Session, code: str, path: Path | list[Path], *, name: str, as_of: str | None, census_year: int = 2020,
               sha256: str) -> StepReport:
    cells, towns, encoding = mesh_population(session, code, path, name)
    batch = _batch(session, "estat_mesh_t001142", name, sha256, len(cells), encoding)
    session.execute(delete(m.PopulationCell).where(m.PopulationCell.municipality_code == code))
    for row in cells.itertuples():
        session.add(m.PopulationCell(
            municipality_code=code, mesh_code=row.mesh_code, mesh_level_m=estat.mesh_level_m(row.mesh_code),
            census_year=census_year, frac_inside=float(row.frac_inside), pop_total=float(row.pop_total),
            pop65=float(row.pop65), pop75=float(row.pop75), pop85=float(row.pop85), raw_pop_total=int(row.raw_pop_total),
            raw_pop65=int(row.raw_pop65), geometry=row.geometry, import_batch_id=batch))
    _write_towns(session, code, towns)
    level = estat.mesh_level_m(cells["mesh_code"].iloc[0])
    remove_sources(session, code, "juki")
    add_source(session, code, "estat_mesh")
    set_city_meta(session, code, "population_kind", "mesh")
    set_city_meta(session, code, "population_as_of", as_of or
                  f"{census_year}年国勢調査 {level}mメッシュ（町丁目・圏域は面積按分による推計）")
    report = StepReport("population", {"cells": len(cells), "pop_total": round(float(cells["pop_total"].sum()), 1),
                                       "pop65": round(float(cells["pop65"].sum()), 1),
                                       "pop75": round(float(cells["pop75"].sum()), 1)})
    suppressed = int(cells["suppressed"].sum()) if "suppressed" in cells else 0
    if suppressed:
        report.notes.append(f"秘匿（*）のメッシュ {suppressed} 件は0人として数えています")
    return report


# -- (b) 町丁目 age table ---------------------------------------------------------------------------

def _match(table: pd.DataFrame, towns: pd.DataFrame, city_name: str | None,
           fixes: NameFixes) -> tuple[list, list[tuple[int, str, list[str]]]]:
    """Each row's store town code (None: skipped or unmatched) and the unmatched rows as
    ``(row, name as read, closest towns)``. By code first (the file's code equals a town's code, or
    its part after the city prefix), then by name (:func:`match_town_names`)."""
    from dashboard.importers.townnames import match_town_names

    fixes = fixes.normalized()
    by_code = {}
    for town_code in towns["code"]:
        by_code[str(town_code)] = town_code
        by_code[str(town_code).split("-", 1)[-1]] = town_code
    code_of_name = dict(zip(towns["name"], towns["code"]))
    names = [fixes.rename.get(n, n) for n in table["town_name"]]
    matched = match_town_names([n for n in names if n not in fixes.skip], list(towns["name"]), city=city_name)
    candidates = dict(matched.unmatched)
    result, unmatched = [], []
    for row, original, town_name, file_code in zip(table["row"], table["town_name"], names,
                                                   table.get("town_code", pd.Series([None] * len(table)))):
        if original in fixes.skip:
            result.append(None)
        elif file_code not in (None, "") and not pd.isna(file_code) and str(file_code) in by_code:
            result.append(by_code[str(file_code)])
        elif town_name in matched.matched:
            result.append(code_of_name[matched.matched[town_name]])
        else:
            unmatched.append((int(row), original, list(candidates.get(town_name, []))))
            result.append(None)
    return result, unmatched


def match_rows(table: pd.DataFrame, towns: pd.DataFrame, name: str, city_name: str | None,
               fixes: NameFixes) -> pd.Series:
    """The store town code of each table row (index aligned; None for a skipped row). Raises
    InputError listing every unmatched name with the closest candidates, and rows that fall on
    the same town."""
    result, unmatched = _match(table, towns, city_name, fixes)
    if unmatched:
        raise InputError([Problem(name, f"町丁目「{original}」が登録されている町丁目にありません（"
                                        f"{'近い町丁目：' + '、'.join(near) if near else '近い町丁目はありません'}）。"
                                        "名前を直すか、取り込まない行として指定してください", "unmatched town name",
                                  row=row, column="地域名") for row, original, near in unmatched])
    codes = pd.Series(result, index=table.index)
    twice = codes[codes.notna() & codes.duplicated(keep=False)]
    if len(twice):
        name_of = dict(zip(towns["code"], towns["name"]))
        raise InputError([Problem(name, f"2つの行が同じ町丁目「{name_of[c]}」に当たります", "two rows, one town",
                                  row=int(table.at[i, "row"]), column="地域名") for i, c in twice.items()])
    return codes


def unmatched_names(engine, code: str, path: Path, *, display_name: str | None = None,
                    mapping: dict | None = None) -> list[tuple[int, str, list[str]]]:
    """``(row, name as read, closest towns)`` for every row of a 町丁目 age table that the import
    would refuse — the name-match report of the setup page. Read-only; the same rule as the import
    (:func:`_match`), so the two cannot drift apart."""
    from dashboard.importers.age_table import read_age_table
    from dashboard.store.engine import read_session

    name = display_name or Path(path).name
    table = read_age_table(Path(path), mapping=mapping, name=name)
    with read_session(engine) as session:
        city = municipality(session, code)
        towns = towns_frame(session, code)
    return _match(table.frame, towns, city.name, NameFixes())[1]


def apply_age_table(session: Session, code: str, path: Path, *, name: str, as_of: str | None,
                    mapping: dict | None, fixes: NameFixes, sha256: str) -> StepReport:
    from dashboard.importers.age_table import read_age_table

    city = municipality(session, code)
    table = read_age_table(Path(path), mapping=mapping, name=name)
    _check_city_code(table, code, city.name, name)
    towns = towns_frame(session, code)
    if towns.empty:
        raise InputError([Problem(name, "先に町丁目を取り込んでください（import towns）", "no towns yet")])
    frame = table.frame
    codes = match_rows(frame, towns, name, city.name, fixes)
    values = frame.assign(town=codes.to_numpy())[lambda f: f["town"].notna()].set_index("town")
    estimates = towns.copy()
    for column in POP_COLUMNS:
        estimates[f"est_{column}"] = estimates["code"].map(values[column]).astype(float)
    missing = estimates.loc[estimates["est_pop_total"].isna(), "name"].tolist()
    for column in POP_COLUMNS[:3]:
        estimates[f"est_{column}"] = estimates[f"est_{column}"].fillna(0.0)
    session.execute(delete(m.PopulationCell).where(m.PopulationCell.municipality_code == code))
    _batch(session, f"population_{table.kind}", name, sha256, len(frame), getattr(table, "encoding", None))
    _write_towns(session, code, estimates)
    remove_sources(session, code, "estat_mesh", "juki")
    add_source(session, code, f"{city.name}「町丁目別年齢別人口」")  # not the file name: sources are public
    set_city_meta(session, code, "population_kind", "town_table")
    set_city_meta(session, code, "population_as_of", as_of or "時点不明")
    from dashboard.projection import TOWN_BANDS_KEY, town_bands_fact  # the 推計 shifts the bands later

    set_city_meta(session, code, TOWN_BANDS_KEY, town_bands_fact(values, table.bands, as_of or "時点不明"))
    report = StepReport("population", {"rows": int(len(values)), "pop_total": round(float(values["pop_total"].sum()), 1),
                                       "pop65": round(float(values["pop65"].sum()), 1),
                                       "pop75": round(float(values["pop75"].sum()), 1)})
    skipped = [n for n in frame["town_name"] if n in fixes.normalized().skip]
    if skipped:
        report.notes.append(f"取り込まなかった行：{'、'.join(skipped)}")
    if missing:
        report.notes.append(f"ファイルに行がない町丁目 {len(missing)} 件は0人としました：{'、'.join(missing[:10])}"
                            f"{' など' if len(missing) > 10 else ''}")
    if frame["pop85"].isna().any():
        report.notes.append("85歳以上はファイルの年齢区分から求められないため、空欄です")
    return report


def _check_city_code(table, code: str, city_name: str, name: str) -> None:
    """A table whose 全国地方公共団体コード names another municipality is refused."""
    from dashboard import jis

    for row, value, header in table.city_codes:
        try:
            other = jis.municipality_code(value)
        except ValueError:
            continue  # a 地域コード-like value or a prefecture code: not a municipality to compare
        if other != code:
            raise InputError([Problem(name, f"このファイルは市町村コード {other} のデータです（{city_name} は {code}）。"
                                            "別の市町村のファイルではありませんか", "population of another municipality",
                                      row=row, column=header)])


def _write_towns(session: Session, code: str, towns: pd.DataFrame) -> None:
    for row in towns.itertuples():
        town = session.get(m.Town, row.code)
        town.est_pop_total, town.est_pop65, town.est_pop75 = (float(row.est_pop_total), float(row.est_pop65),
                                                              float(row.est_pop75))
        town.est_pop85 = None if pd.isna(row.est_pop85) else float(row.est_pop85)
    session.flush()
    refresh_area_population(session, code)


def _batch(session: Session, kind: str, name: str, sha256: str, rows: int, encoding: str | None) -> int:
    batch = m.ImportBatch(kind=kind, source_name=name, sha256=sha256, row_count=rows, encoding=encoding)
    session.add(batch)
    session.flush()
    return batch.id


def apply_population(session: Session, code: str, path: Path | list[Path], *, display_name: str | None = None,
                     mapping: dict | None = None, as_of: str | None = None,
                     fixes: NameFixes = NameFixes()) -> StepReport:
    """``path``: one file, or several mesh tables (one per 1st-level mesh the city spans)."""
    if isinstance(path, (list, tuple)):
        if len(path) == 1:
            path = path[0]
        else:
            return _apply_mesh_files(session, code, [Path(p) for p in path], as_of=as_of)
    name = display_name or Path(path).name
    if Path(name).suffix.lower() == ".zip":  # e-Stat downloads: one table inside, read in memory
        import tempfile

        from dashboard.importers.vector import read_table_member

        member, data = read_table_member(Path(path), name=name)
        with tempfile.TemporaryDirectory() as folder:
            inner = Path(folder) / Path(member).name  # our own name for it, never the archive's path
            inner.write_bytes(data)
            return apply_population(session, code, inner, display_name=f"{name}/{Path(member).name}", mapping=mapping,
                                    as_of=as_of, fixes=fixes)
    municipality(session, code)
    if towns_frame(session, code).empty:
        raise InputError([Problem(name, "先に町丁目を取り込んでください（import towns）", "no towns yet")])
    sha256 = sha256_of(Path(path))
    if mapping is None and is_mesh_table(Path(path)):
        return apply_mesh(session, code, Path(path), name=name, as_of=as_of, sha256=sha256)
    return apply_age_table(session, code, Path(path), name=name, as_of=as_of, mapping=mapping, fixes=fixes,
                           sha256=sha256)


def _apply_mesh_files(session: Session, code: str, paths: list[Path], *, as_of: str | None) -> StepReport:
    names = [p.name for p in paths]
    if not all(is_mesh_table(p) for p in paths):
        raise InputError([Problem("・".join(names), "複数のファイルを一度に取り込めるのは地域メッシュ統計（T001142）だけです",
                                  "several files must all be mesh tables")])
    municipality(session, code)
    if towns_frame(session, code).empty:
        raise InputError([Problem(names[0], "先に町丁目を取り込んでください（import towns）", "no towns yet")])
    return apply_mesh(session, code, paths, name="・".join(names), as_of=as_of,
                      sha256=hashlib.sha256("".join(sha256_of(p) for p in paths).encode()).hexdigest())


def import_population(engine: Engine, code: str, path: Path, **options) -> StepReport:
    """``import population FILE`` in one transaction."""
    with write_session(engine) as session:
        return apply_population(session, code, path, **options)


def load_mapping(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError([Problem(Path(path).name, "列の対応表（JSON）を読めません", str(error))]) from error
