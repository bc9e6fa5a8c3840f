"""Flakiness guards, read from the tests' source with ``ast`` (like tests/test_architecture.py):

- every ``subprocess.run`` / ``check_output`` / ``check_call`` / ``call`` in tests/ has a ``timeout``: a hung
  child fails its test instead of the whole CI run;
- a process's ``wait()`` / ``communicate()`` has a ``timeout`` too;
- browser tests (tests/e2e) never wait a fixed time: ``time.sleep`` and Playwright's ``wait_for_timeout``
  appear only inside a loop that polls a condition (wait for the condition, not for the clock).

Free ports are found by binding port 0; a server that then finds its port taken (another process bound it
in between) is started again on a new one, and servers are polled on their health URL, never waited for
by the clock (tests/e2e/conftest.py ``Server``, benchmarks/public_map_load.py ``AppServer``).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
RUNS = {"run", "check_output", "check_call", "call"}


def _calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            name = receiver.id if isinstance(receiver, ast.Name) else (
                receiver.attr if isinstance(receiver, ast.Attribute) else "")
            yield node, node.func.attr, name, parents


def _in_loop(node, parents) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.While, ast.For)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
    return False


def test_every_subprocess_in_the_tests_has_a_timeout():
    missing = []
    for path in sorted(TESTS.rglob("*.py")):
        for node, method, receiver, _ in _calls(path):
            keywords = {k.arg for k in node.keywords}
            if receiver == "subprocess" and method in RUNS and "timeout" not in keywords:
                missing.append(f"{path.relative_to(TESTS)}:{node.lineno} subprocess.{method}")
            if method in ("wait", "communicate") and "proc" in receiver.lower() and "timeout" not in keywords \
                    and not node.args:
                missing.append(f"{path.relative_to(TESTS)}:{node.lineno} {receiver}.{method}()")
    assert not missing, "add timeout=…: " + ", ".join(missing)


def test_browser_tests_wait_for_conditions_not_for_the_clock():
    fixed = []
    for path in sorted((TESTS / "e2e").rglob("*.py")):
        for node, method, _, parents in _calls(path):
            # Playwright waits for page conditions (wait_for_function, locator.wait_for): never a pause, even
            # in a loop; time.sleep only as the interval of a loop polling something outside the page
            if method == "wait_for_timeout" or (method == "sleep" and not _in_loop(node, parents)):
                fixed.append(f"{path.relative_to(TESTS)}:{node.lineno} {method}")
    assert not fixed, "wait for a condition (locator.wait_for, expect, wait_for_function) instead: " + ", ".join(fixed)
