"""Helpers every benchmark shares: best-of-N wall time, peak memory of one call, result rows.

Peak memory is measured in a forked child (Linux): the child resets its resident-set high-water mark
(``/proc/self/clear_refs`` ← 5), runs the call once and reports ``VmHWM − VmRSS`` before the call, in
MB. Unlike tracemalloc this counts memory that C/C++ libraries allocate (GEOS geometries, CBC) as
well as numpy and Python, and a fresh child per variant means no variant reuses memory an earlier one
freed. Where forking or ``clear_refs`` is not available, tracemalloc's peak is reported instead.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def timed(function: Callable[[], Any], repeat: int = 3) -> tuple[Any, float]:
    """The result of the last call and the best wall time (s) of ``repeat`` calls."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return result, best


def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _child(function, pipe) -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # reset VmHWM to the current RSS
        before = _status_kb("VmRSS")
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
        pipe.send(((_status_kb("VmHWM") - before) / 1024, seconds, result))
    except BaseException as error:  # noqa: BLE001 — report any failure to the parent, which raises
        pipe.send(error)
    finally:
        pipe.close()


def peak_mb(function: Callable[[], Any]) -> float:
    """Extra peak memory (MB) of one call of ``function`` (see the module docstring)."""
    return timed_peak(lambda: (function(), None)[1])[2]


def timed_peak(function: Callable[[], Any]) -> tuple[Any, float, float]:
    """``(result, seconds, peak MB)`` of one call in a forked child (the result must pickle): for a
    slow baseline that should run once, timed and measured together."""
    if sys.platform.startswith("linux") and os.path.exists("/proc/self/clear_refs"):
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(function, send))
        process.start()
        send.close()
        try:
            value = receive.recv()
        except EOFError as error:
            raise RuntimeError(f"the memory probe died (exit {process.exitcode})") from error
        finally:
            process.join(timeout=600)
        if isinstance(value, BaseException):
            raise value
        peak, seconds, result = value
        return result, seconds, round(float(peak), 1)
    tracemalloc.start()
    try:
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
        return result, seconds, round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()


def row(ours_s: float, baseline_s: float, peak: float | None = None, **extra) -> dict:
    """One results.json entry: times in s, ``ratio`` = ours ÷ baseline (< 1: ours is faster)."""
    entry = {"ours_s": round(ours_s, 4), "baseline_s": round(baseline_s, 4),
             "ratio": round(ours_s / baseline_s, 4) if baseline_s else None}
    if peak is not None:
        entry["peak_mb"] = peak
    for key, value in extra.items():
        entry[key] = round(value, 4) if isinstance(value, float) else value
    return entry


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None
