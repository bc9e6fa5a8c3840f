"""Input problems reported to users: Japanese message first, English detail for support."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input file. ``row`` is the 1-based data row as a spreadsheet shows it
    (header = row 1, first data row = row 2); ``None`` when the problem concerns the whole file."""

    file: str
    message_ja: str
    detail_en: str = ""
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"列「{self.column}」")
        text = f"{' '.join(where)}: {self.message_ja}"
        return f"{text} ({self.detail_en})" if self.detail_en else text


class InputError(Exception):
    """Raised when an input cannot be imported; nothing has been written when it is raised."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
