"""Fixtures of the reliability and security suite (issue #14).

Servers are real ``streamlit run`` processes on a free port of 127.0.0.1 (``benchmarks/public_map_load.py``'s
:class:`AppServer`, which waits for the health URL, never a fixed time); visitors speak Streamlit's websocket
protocol from the same module. Every subprocess has a timeout, and pytest-timeout (requirements-dev.txt)
stops a test that hangs anyway.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

REPO = Path(__file__).resolve().parents[2]
CODE = "11223"  # 蕨市
#: How long one helper subprocess (an import, a CLI export) may take before the test fails (s).
SUBPROCESS_TIMEOUT_S = 300


@pytest.fixture
def store_copy(demo_db_path, tmp_path) -> Path:
    """A private copy of the 蕨市 demo store."""
    target = tmp_path / "store.sqlite"
    shutil.copy(demo_db_path, target)
    return target


def inside_warabi(demo_db_path: Path, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points (lat, lon) drawn inside 蕨市's 日常生活圏域, ≥ ~50 m from their outline."""
    from sqlalchemy import create_engine

    from dashboard.store import reads

    engine = create_engine(f"sqlite:///{demo_db_path}")
    try:
        city = shapely.union_all(reads.areas(engine, CODE).geometry.to_numpy()).buffer(-0.0005)
    finally:
        engine.dispose()
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = city.bounds
    lon, lat = rng.uniform(minx, maxx, n * 4), rng.uniform(miny, maxy, n * 4)
    keep = shapely.contains_xy(city, lon, lat)
    return lat[keep][:n], lon[keep][:n]


def write_places_csv(path: Path, demo_db_path: Path, n: int, prefix: str, seed: int = 1) -> Path:
    """A places file of ``n`` SYNTHETIC public salons inside 蕨市 (ids ``<prefix>-00000`` …)."""
    lat, lon = inside_warabi(demo_db_path, n, seed)
    lines = ["id,name,category,status,visibility,lat,lon,schedule_text"]
    lines += [f"{prefix}-{k:05d},架空の一括サロン{prefix}{k}（合成データ）,サロン,active,public,{a:.6f},{o:.6f},毎月第2水曜"
              for k, (a, o) in enumerate(zip(lat, lon))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def python() -> str:
    return sys.executable
