"""Each actor's scoring weights live in the scenario (`score_weights_*`), and the score_* metrics use them."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from wargame.runner import make_seats, play
from wargame.scenario import load_scenario
from wargame.session import GameSession


def _game(sc, turns: int = 3) -> GameSession:
    s = GameSession(sc, 4)
    play(s, make_seats(s), turns)
    return s


def test_the_scores_follow_the_scenarios_weights(tmp_path):
    base = load_scenario("baseline")
    path = tmp_path / "lead-only.yaml"
    path.write_text("extends: baseline\nname: lead-only\ntitle: US scored on the lead alone (hypothetical)\n"
                    "hypothetical: true\nparameters:\n"
                    "  score_weights_us: {value: [1.0, 0.0, 0.0], unit: weights, note: test}\n"
                    "  score_weights_smic: {value: [0.0, 1.0], unit: weights, note: test}\n")
    varied = load_scenario(str(path))
    a, b = _game(base), _game(varied)
    assert a.state_hash() == b.state_hash()  # the weights change scores, never the world
    p = varied.params()
    for rec in b.timeline:
        lead = 0.5 + 0.5 * math.tanh(math.log(max(rec["us_china_stock_ratio"], 1e-9)) / math.log(10.0))
        assert rec["score_us"] == pytest.approx(lead, rel=1e-12)
        assert rec["score_smic"] == pytest.approx(rec["smic_yield"] / p.yield_max, rel=1e-12)
    assert [r["score_china"] for r in a.timeline] == [r["score_china"] for r in b.timeline]
    assert [r["score_us"] for r in a.timeline] != [r["score_us"] for r in b.timeline]


def test_weights_that_do_not_sum_to_one_are_refused_with_one_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("extends: baseline\nname: bad-weights\nparameters:\n"
                    "  score_weights_nvidia: {value: [0.7, 0.7], unit: weights}\n")
    out = subprocess.run([sys.executable, "-m", "wargame", "validate", str(path)], capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "parameters.score_weights_nvidia.value: must sum to 1 (they sum to 1.4)" in out.stderr, out.stderr
