"""The golden transcript: one seeded baseline game, diffed line by line on every run.

Any change to the mechanics, the doctrines, the events or the dice shows up here as a readable
diff. If the change is intended, regenerate the file (see the failure message) and commit the
new transcript together with the change that caused it.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

REGEN_PATH = Path(__file__).resolve().parent / "golden" / "regen.py"


def _regen():
    spec = importlib.util.spec_from_file_location("golden_regen", REGEN_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regen = _regen()


def test_golden_transcript():
    if not regen.GOLDEN.exists():
        pytest.fail(f"{regen.GOLDEN} is missing; create it with: {regen.REGEN}")
    expected = regen.GOLDEN.read_text(encoding="utf-8")
    actual = regen.render()
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"{regen.GOLDEN.name} (golden)", tofile="this run", n=2))
        lines = diff.splitlines(keepends=True)
        if len(lines) > 200:
            diff = "".join(lines[:200]) + f"... ({len(lines) - 200} more diff lines)\n"
        pytest.fail(
            "the seeded baseline game no longer matches the golden transcript.\n"
            f"If the change is intended, regenerate it with `{regen.REGEN}` and commit the new file.\n\n" + diff,
            pytrace=False,
        )


def test_golden_transcript_is_complete():
    """The transcript has every turn, real orders, numbers and the final hash."""
    text = regen.GOLDEN.read_text(encoding="utf-8")
    from wargame.scenario import load_scenario

    sc = load_scenario(regen.SCENARIO)
    assert text.count("\n== turn ") == sc.turns
    assert text.count("move: ") > sc.turns
    assert "state_hash: " in text and len(text.rsplit("state_hash: ", 1)[1].strip()) == 64
    assert "us_china_stock_ratio = " in text


def test_render_is_deterministic():
    assert regen.render(seed=3) == regen.render(seed=3)
    assert regen.render(seed=3) != regen.render(seed=4)
