"""What every command-line module shares: exit codes, the usage error, choosing the city, writing files.

The command modules (``cli_*``) import only this module and the services; ``cli.py`` assembles them.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.errors import InputError, Problem
from dashboard.store import reads

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake (unknown municipality …): reported like bad input (exit 2)."""


def municipality(engine, option: str | None) -> str:
    """The city a command works on: ``--municipality CODE``, or the only city of the store.

    With several cities and no option, a UsageError names them (exit 2)."""
    cities = reads.municipalities(engine)
    known = cities["code"].tolist()
    if option:
        from dashboard import jis

        try:
            option = jis.municipality_code(option)
        except ValueError as error:
            raise UsageError(str(error)) from error
        if option not in known:
            raise UsageError(f"市町村コード {option} はストアにありません（あるもの: {_listing(cities) or 'なし'}）。"
                             "新しい市町村は `municipality add` で登録します")
        return option
    if len(known) == 1:
        return known[0]
    if not known:
        raise UsageError("ストアに市町村がありません。`python -m dashboard municipality add CODE --name NAME` で登録するか、"
                         "`python -m dashboard demo build` でデモを作ってください (store is empty)")
    raise UsageError(f"市町村が複数あります。--municipality で指定してください: {_listing(cities)}")


def _listing(cities) -> str:
    return ", ".join(f"{c}（{n}）" for c, n in zip(cities["code"], cities["name"]))


def write_file(path: str, data: bytes) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def existing_file(path: str) -> Path:
    """``path`` as a Path; InputError (exit 2) naming it when there is no such file."""
    result = Path(path)
    if not result.is_file():
        raise InputError([Problem(result.name, f"ファイルが見つかりません: {path}", "file not found")])
    return result
