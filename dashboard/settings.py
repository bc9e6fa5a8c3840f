"""The one place for settings: paths, the store location and fixed defaults."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the folder holding ``dashboard/``, ``pages/``, ``data/``).
ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
WARABI_DIR = DATA_DIR / "warabi"
#: Default SQLite store, relative to the repository root.
DEFAULT_DB_PATH = ROOT / "var" / "tsudoi.sqlite"
#: Environment variable holding an SQLAlchemy URL of the store.
DATABASE_URL_ENV = "DATABASE_URL"

#: Places not verified for this many days are flagged 要確認 (domain.md §2: "> 12 months").
STALE_AFTER_DAYS = 365


def to_database_url(path_or_url: str | os.PathLike) -> str:
    """Turn a file path or an SQLAlchemy URL into an SQLAlchemy URL.

    ``var/x.sqlite`` → ``sqlite:////abs/var/x.sqlite``; anything containing ``://`` is kept.
    """
    text = str(path_or_url)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def database_url(option: str | None = None) -> str:
    """The store URL: the ``--db`` option, else ``$DATABASE_URL``, else ``var/tsudoi.sqlite``."""
    if option:
        return to_database_url(option)
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return to_database_url(env)
    return to_database_url(DEFAULT_DB_PATH)

#: 国土数値情報 N03 outlines of every 埼玉県 municipality (2021-01-01, simplified), bundled so that any
#: of them can be set up without downloading a boundary (see data/saitama/SOURCES.md).
BUNDLED_N03 = {11: DATA_DIR / "saitama" / "N03-21_11_210101_s0010.json"}
#: 総務省 住民基本台帳 年齢階級別人口 (all municipalities of Japan, 2022-01-01).
JUKI_AGE_TABLE = DATA_DIR / "saitama" / "soumu_juki_2204ssnen.xlsx"
