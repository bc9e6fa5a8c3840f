"""The public site (``TSUDOI_MODE=public``): which store it serves, and the check that the store is a
published copy.

A public server must have nothing internal to show even when it is misconfigured, so the check does
not trust a flag alone: the store must carry the marker ``store_kind = published`` that
``python -m dashboard publish`` writes *and* hold no row of any internal table and no internal place
or field. Anything else — the coordinators' store, a missing file, an old copy — is refused with a
Japanese message before the first page is served.

The published copy is opened read-only and immutable (SQLite URI ``mode=ro&immutable=1``): the
public server never writes to it, needs no write access to its folder and leaves no ``-wal``/``-shm``
files beside it. Because SQLite then assumes the file never changes, replace it only while the
server is stopped (README: 住民向けの公開サイトとオープンデータ).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, MutableMapping
from urllib.parse import quote

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from dashboard.settings import DATABASE_URL_ENV, ROOT
from dashboard.store.engine import is_current

#: Environment variable choosing the mode: unset, empty or ``internal`` = the coordinators' app;
#: ``public`` = the public site. Any other value stops the app (a typo must not serve internal pages).
MODE_ENV = "TSUDOI_MODE"
PUBLIC, INTERNAL = "public", "internal"
#: Environment variable naming the published copy: its file, or the folder ``publish --out`` wrote.
STORE_ENV = "TSUDOI_PUBLIC_STORE"
#: The file ``publish`` writes inside its ``--out`` folder.
PUBLISHED_FILE_NAME = "tsudoi-public.sqlite"
#: Where ``publish`` writes without ``--out`` and where the public site looks without TSUDOI_PUBLIC_STORE.
DEFAULT_PUBLISH_DIR = ROOT / "var" / "public"

#: Store facts (table ``meta``) that make a store a published copy.
STORE_KIND_KEY, PUBLISHED = "store_kind", "published"
PUBLISHED_AT_KEY = "published_at"

#: Tables a published copy has (same schema) that must stay empty: people, logins, secrets, survey
#: answers, edit history, snapshots, saved mappings and import bookkeeping (file names, user names).
INTERNAL_TABLES = ("users", "login_sessions", "app_secrets", "survey_batches", "survey_responses",
                   "helper_responses", "audit_log", "snapshots", "saved_mappings", "import_batches",
                   "activity_records", "activity_record_areas", "activity_followups", "activity_voices",
                   "activity_voice_tags", "activity_attachments", "activity_audit_log")  # 活動記録 (#16)


class PublicModeError(Exception):
    """The public site cannot start; the message (Japanese) says why and what to do."""


def mode(environ: Mapping[str, str] | None = None) -> str:
    """``"public"`` or ``"internal"`` from :data:`MODE_ENV`; PublicModeError for any other value."""
    value = (os.environ if environ is None else environ).get(MODE_ENV, "").strip().lower()
    if value in ("", INTERNAL):
        return INTERNAL
    if value == PUBLIC:
        return PUBLIC
    raise PublicModeError(f"{MODE_ENV}={value!r} は使えません。公開サイトは {MODE_ENV}=public、"
                          f"コーディネーター用は未設定にしてください (unknown mode)")


def requested(environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment asks for the public site (or names an unknown mode, which
    :func:`prepare` then refuses): an unclear setting is never read as "internal"."""
    try:
        return mode(environ) == PUBLIC
    except PublicModeError:
        return True


def store_path(environ: Mapping[str, str] | None = None) -> Path:
    """The published copy to serve: :data:`STORE_ENV` (a file, or the folder ``publish --out`` wrote),
    else ``var/public/tsudoi-public.sqlite``."""
    value = (os.environ if environ is None else environ).get(STORE_ENV, "").strip()
    path = Path(value).expanduser() if value else DEFAULT_PUBLISH_DIR
    if path.is_dir() or not value:
        path = path / PUBLISHED_FILE_NAME
    return path.resolve()


def store_url(path: Path) -> str:
    """SQLAlchemy URL opening ``path`` read-only and immutable (no writes, no journal files)."""
    return f"sqlite:///file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1&uri=true"


def problems(path: Path) -> list[str]:
    """Why ``path`` may not be served publicly (Japanese, one line each); empty when it may."""
    path = Path(path)
    if not path.is_file():
        return [f"公開用のデータ {path} がありません。LGWAN側で `python -m dashboard publish --out フォルダ` を実行し、"
                f"できたフォルダをこのサーバーに置いて {STORE_ENV} で指定してください"]
    engine = create_engine(store_url(path))  # a plain engine: no pragma, nothing written
    try:
        with engine.connect() as connection:
            return _problems_of(connection, engine, path)
    except DBAPIError as error:
        return [f"{path} はつどいマップのストアとして読めません（{error.orig}）"]
    finally:
        engine.dispose()


def prepare(environ: MutableMapping[str, str] | None = None) -> str:
    """Point the app at the published copy (sets :data:`DATABASE_URL_ENV` to its read-only URL, so
    every store access of the app opens it and nothing else) and return that URL.

    Raises PublicModeError with every reason when the copy may not be served."""
    global _verified
    environ = os.environ if environ is None else environ
    mode(environ)  # an unknown mode is refused before anything else
    path = store_path(environ)
    seen = _identity(path)
    if seen is None or seen != _verified:  # every page run calls this: check each file once
        found = problems(path)
        if found:
            raise PublicModeError("公開モードでは起動できません（内部のデータを出さないため）：\n"
                                  + "\n".join(f"・{p}" for p in found))
        _verified = seen
    url = store_url(path)
    environ[DATABASE_URL_ENV] = url
    return url


#: (path, inode, size, mtime) of the file last found to be a published copy.
_verified: tuple | None = None


def _identity(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns


def _problems_of(connection, engine, path: Path) -> list[str]:
    tables = set(inspect(connection).get_table_names())
    if "meta" not in tables or "places" not in tables:
        return [f"{path} はつどいマップのストアではありません"]
    kind = connection.execute(text("SELECT value FROM meta WHERE key = :key"), {"key": STORE_KIND_KEY}).scalar()
    if kind != PUBLISHED:
        return [f"{path} は公開用のコピーではありません（コーディネーター用のストアには内部のデータがあります）。"
                "`python -m dashboard publish --out フォルダ` で作った公開用のコピーを指定してください"]
    found = []
    if not is_current(engine):
        found.append(f"{path} は古い版のつどいマップで作られています。LGWAN側でこの版の `publish` をやり直してください")
    for table in INTERNAL_TABLES:  # fixed names, never user input
        if table in tables and connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first():
            found.append(f"公開用のコピーに内部の表 {table} の行があります")
    leaked = connection.execute(text("SELECT count(*) FROM places WHERE visibility IS NOT 'public' "
                                     "OR contact_internal IS NOT NULL OR notes IS NOT NULL")).scalar()
    if leaked:
        found.append(f"公開用のコピーに非公開の資源または内部の項目（内部連絡先・備考）が {leaked} 件あります")
    return found
