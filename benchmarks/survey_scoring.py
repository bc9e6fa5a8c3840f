"""Survey scoring at scale: vectorised profile scoring (ours) vs a row-wise ``DataFrame.apply``.

Target (issue #5): 100,000 respondents, all indicators of the standard profile, ≤ 1 s and ≥ 20×
faster than the row-wise baseline in the same run. The baseline applies the same profile rules
to one respondent at a time, as a spreadsheet-style loop would.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=10_000,
                        help="the row-wise baseline runs on this many rows and is scaled linearly")
    args = parser.parse_args()
    profile = load_profile("standard")
    raw = synthetic_answers(args.respondents)

    start = time.perf_counter()
    ours = score(clean_answers(raw), profile)
    ours_s = time.perf_counter() - start

    sample = clean_answers(raw.iloc[:args.baseline_sample])
    start = time.perf_counter()
    base = rowwise(sample, profile)
    base_s = (time.perf_counter() - start) * args.respondents / args.baseline_sample
    assert (base.astype(int).to_numpy() == ours.iloc[:args.baseline_sample].to_numpy()).all(), "results differ"
    print(f"{args.respondents:,} respondents × {len(profile.indicators)} indicators: ours {ours_s:.2f} s "
          f"(target ≤ 1 s: {'OK' if ours_s <= 1 else 'OVER'}), row-wise apply ≈ {base_s:.1f} s "
          f"(measured on {args.baseline_sample:,} rows), speed-up {base_s / ours_s:.0f}× (target ≥ 20×)")


if __name__ == "__main__":
    main()
