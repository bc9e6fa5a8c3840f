"""Scoring profiles and vectorised scoring of needs-survey respondents.

A profile is a TOML file (``profiles/<name>.toml``): data, not code, so a municipality can switch
BMI to ≤ 18.5, count 「既に参加している」 as intent, or flag IADL at ≤ 4 without programming.
Each indicator is decided per respondent as 該当 (``RISK`` = 1), 非該当 (``NO_RISK`` = 0) or
判定不能 (``UNKNOWN`` = −1), with whole-column numpy operations (no row loops).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.survey import schema

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
RISK, NO_RISK, UNKNOWN = 1, 0, -1
KINDS = ("count", "all")


@dataclass(frozen=True)
class Item:
    column: str
    risk: tuple[int, ...] = ()
    below: float | None = None
    at_most: float | None = None

    def describe(self) -> str:
        """The item in words: 「BMI 18.5未満」, 「転倒への不安」 (which answers count is the profile's data)."""
        topic = schema.ITEM_TOPICS.get(self.column, self.column)
        if self.below is not None:
            return f"{topic} {self.below:g}未満"
        if self.at_most is not None:
            return f"{topic} {self.at_most:g}以下"
        return topic


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    kind: str
    items: tuple[Item, ...]
    k: int = 1
    group: str = "risk"  # risk / participation / intent

    def rule(self) -> str:
        """The rule in words, for every chart and export: 「5項目中3項目以上が該当（階段を…、…）」,
        「2項目すべてが該当（…）」, or for one item 「該当の回答（外出の頻度）」. No column names or codes."""
        parts = "、".join(i.describe() for i in self.items)
        if len(self.items) == 1:
            return f"該当の回答（{parts}）"
        if self.kind == "all":
            return f"{len(self.items)}項目すべてが該当（{parts}）"
        return f"{len(self.items)}項目中{self.k}項目以上が該当（{parts}）"


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    indicators: tuple[Indicator, ...]

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def ids(self, group: str | None = None) -> list[str]:
        return [i.id for i in self.indicators if group is None or i.group == group]


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """A bundled profile by name (``standard``) or a TOML file path. Raises ``ValueError`` naming the
    problem for an unknown column, kind or a k larger than the number of items."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise ValueError(f"unknown profile {name_or_path!r}; available: {available_profiles()}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    known = set(schema.ANSWER_COLUMNS) | set(schema.DERIVED)
    indicators = []
    for raw in data.get("indicators", []):
        items = tuple(Item(column=i["column"], risk=tuple(i.get("risk", ())), below=i.get("below"),
                           at_most=i.get("at_most")) for i in raw["items"])
        indicator = Indicator(id=raw["id"], label=raw["label"], kind=raw["kind"], items=items, k=int(raw.get("k", 1)),
                              group=raw.get("group", "risk"))
        unknown = [i.column for i in items if i.column not in known]
        if unknown or indicator.kind not in KINDS or not 1 <= indicator.k <= len(items):
            raise ValueError(f"{path.name}: indicator {indicator.id!r} is invalid (unknown columns {unknown}, "
                             f"kind {indicator.kind!r} of {KINDS}, k={indicator.k} for {len(items)} items)")
        indicators.append(indicator)
    if not indicators:
        raise ValueError(f"{path.name}: no indicators")
    return Profile(name=data["name"], title=data.get("title", data["name"]), indicators=tuple(indicators))


def clean_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical answers as floats with every invalid or blank value as NaN, plus ``bmi``.

    Codes not in the column's valid set (9, 99, 「無回答」 …) become NaN; ages/heights/weights outside
    their plausible range become NaN. The input is not modified.
    """
    out = pd.DataFrame(index=frame.index)
    for column, valid in schema.CODED.items():
        values = pd.to_numeric(frame[column], errors="coerce") if column in frame else pd.Series(np.nan, index=frame.index)
        out[column] = values.where(values.isin(valid))
    for column, (low, high) in schema.NUMERIC.items():
        values = pd.to_numeric(frame[column], errors="coerce") if column in frame else pd.Series(np.nan, index=frame.index)
        out[column] = values.where(values.between(low, high))
    out["bmi"] = out["weight_kg"] / (out["height_cm"] / 100) ** 2
    return out


def _item_matrix(answers: pd.DataFrame, items: tuple[Item, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(risk, known) boolean matrices, respondents × items."""
    risk = np.empty((len(answers), len(items)), dtype=bool)
    known = np.empty_like(risk)
    for j, item in enumerate(items):
        values = answers[item.column].to_numpy(dtype=float)
        known[:, j] = ~np.isnan(values)
        if item.below is not None:
            risk[:, j] = values < item.below
        elif item.at_most is not None:
            risk[:, j] = values <= item.at_most
        else:
            risk[:, j] = np.isin(values, item.risk)
    return risk & known, known


def score(answers: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """Status per respondent (rows, same index) and indicator (columns): 1 該当, 0 非該当, −1 判定不能.

    ``answers`` must come from :func:`clean_answers`.
    """
    result = {}
    for indicator in profile.indicators:
        risk, known = _item_matrix(answers, indicator.items)
        if indicator.kind == "count":
            n_risk = risk.sum(axis=1)
            n_missing = (~known).sum(axis=1)
            status = np.where(n_risk >= indicator.k, RISK, np.where(n_risk + n_missing < indicator.k, NO_RISK, UNKNOWN))
        else:  # all items must be risk answers
            all_risk = risk.all(axis=1)
            any_known_safe = (known & ~risk).any(axis=1)
            status = np.where(all_risk, RISK, np.where(any_known_safe, NO_RISK, UNKNOWN))
        result[indicator.id] = status.astype(np.int8)
    return pd.DataFrame(result, index=answers.index)
