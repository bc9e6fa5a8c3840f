"""Survey scoring at scale: vectorised profile scoring (ours) vs a row-wise ``DataFrame.apply``.

Target (issue #5): 100,000 respondents, all indicators of the standard profile, ≤ 1 s and ≥ 20×
faster than the row-wise baseline in the same run. The baseline applies the same profile rules
to one respondent at a time, as a spreadsheet-style loop would, over ALL rows (no extrapolation),
and the two results are checked equal on every row. Part of ``benchmarks/run.py``
(``survey_scoring_100k``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import peak_mb, row, timed, timed_peak  # noqa: E402
from dashboard.survey import schema  # noqa: E402
from dashboard.survey.scoring import NO_RISK, RISK, UNKNOWN, clean_answers, load_profile, score  # noqa: E402


def synthetic_answers(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = {"respondent_id": [f"R{i}" for i in range(n)], "area_id": rng.choice(["a", "b", "c"], n)}
    for column, codes in schema.CODED.items():
        values = rng.choice(list(codes) + [9], n).astype(float)
        values[rng.random(n) < 0.03] = np.nan
        frame[column] = values
    frame["age"] = rng.integers(65, 100, n).astype(float)
    frame["height_cm"] = rng.normal(155, 8, n)
    frame["weight_kg"] = rng.normal(55, 9, n)
    return pd.DataFrame(frame)


def rowwise(answers: pd.DataFrame, profile) -> pd.DataFrame:
    def one(row):
        result = {}
        for indicator in profile.indicators:
            risk = missing = 0
            flags = []
            for item in indicator.items:
                value = row[item.column]
                if pd.isna(value):
                    missing += 1
                    flags.append(None)
                    continue
                hit = (value < item.below if item.below is not None else
                       value <= item.at_most if item.at_most is not None else value in item.risk)
                risk += bool(hit)
                flags.append(bool(hit))
            if indicator.kind == "count":
                result[indicator.id] = RISK if risk >= indicator.k else NO_RISK if risk + missing < indicator.k else UNKNOWN
            else:
                result[indicator.id] = (RISK if all(f is True for f in flags) else
                                        NO_RISK if any(f is False for f in flags) else UNKNOWN)
        return pd.Series(result)
    return answers.apply(one, axis=1)


def measure(respondents: int = 100_000, repeat: int = 3) -> dict:
    profile = load_profile("standard")
    raw = synthetic_answers(respondents)
    ours, ours_s = timed(lambda: score(clean_answers(raw), profile), repeat)
    base, base_s, base_memory = timed_peak(lambda: rowwise(clean_answers(raw), profile))
    assert base.shape == ours.shape and (base.astype(int).to_numpy() == ours.to_numpy()).all(), "results differ"
    memory = peak_mb(lambda: score(clean_answers(raw), profile))
    return {"survey_scoring_100k": row(
        ours_s, base_s, memory, what="needs-survey scoring, all indicators of the standard profile: vectorised vs "
        "row-wise DataFrame.apply over all rows", respondents=respondents, indicators=len(profile.indicators),
        speedup=base_s / ours_s, goal_s=1.0, goal_speedup=20, baseline_peak_mb=base_memory,
        answers_equal=True, synthetic=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=100_000)
    args = parser.parse_args()
    result = measure(args.respondents)["survey_scoring_100k"]
    print(f"{args.respondents:,} respondents × {result['indicators']} indicators: ours {result['ours_s']:.2f} s "
          f"(target ≤ 1 s), row-wise apply over all rows {result['baseline_s']:.1f} s, "
          f"speed-up {result['speedup']:.0f}× (target ≥ 20×); answers equal on all rows")


if __name__ == "__main__":
    main()
