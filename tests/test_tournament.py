"""`wargame policies` and `wargame tournament`: the contract, common random numbers, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from wargame.mc.experiment import game_seed
from wargame.runner import make_seats, play
from wargame.scenario import load_scenario
from wargame.session import GameSession
from wargame.tournament import OUTCOMES

ISSUE_DOCTRINES = {
    "us": ("hawk", "dove", "status-quo", "transactional"),
    "china": ("self-reliance", "pragmatic", "retaliate"),
    "nvidia": ("lobby-hard", "comply", "china-sku"),
    "huawei": ("volume", "supernode", "export-push"),
    "smic": ("expand", "yield-first"),
    "asml": ("max-sales", "compliant"),
    "smugglers": ("aggressive", "cautious", "cloud-broker"),
    "india": ("align-us", "hedge", "pivot-china"),
    "uae": ("align-us", "hedge", "pivot-china"),
}


def _wargame(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wargame", *args], capture_output=True, text=True, cwd=cwd)


def test_policies_json_lists_every_actors_policies_with_descriptions():
    out = _wargame("policies", "--json")
    assert out.returncode == 0, out.stderr
    table = json.loads(out.stdout)
    for actor in load_scenario("baseline").actors:
        names = [p["name"] for p in table[actor]]
        for generic in ("default", "idle", "random", "lookahead"):
            assert generic in names
        for doctrine in ISSUE_DOCTRINES.get(actor, ()):
            assert doctrine in names, f"{actor} lacks {doctrine}"
        assert all(p["description"].strip() for p in table[actor])
    assert "hawk" not in [p["name"] for p in table["china"]]  # a doctrine belongs to its actor


def test_a_tournament_plays_every_combination_on_common_seeds(tmp_path):
    out = _wargame("tournament", "--runs", "2", "--seat", "us=default,idle", "--seat", "smic=default,idle",
                   "--workers", "2", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    combos = obj["combinations"]
    assert [c["seats"] for c in combos] == [{"us": "default", "smic": "default"}, {"us": "default", "smic": "idle"},
                                            {"us": "idle", "smic": "default"}, {"us": "idle", "smic": "idle"}]
    for c in combos:
        assert set(c["outcomes"]) == set(OUTCOMES)
        for actor in load_scenario("baseline").actors:
            s = c["scores"][actor]
            assert 0.0 <= s["mean"] <= 1.0 and s["ci95"][0] <= s["mean"] <= s["ci95"][1]
    # the all-default combination is the plain game on the experiment's seeds
    games = []
    for run in range(2):
        s = GameSession(load_scenario("baseline"), game_seed(0, run))
        play(s, make_seats(s))
        games.append(s)
    first = combos[0]
    assert first["outcomes"]["us_china_stock_ratio"] == pytest.approx(np.mean([g.timeline[-1]["us_china_stock_ratio"] for g in games]))
    assert first["scores"]["us"]["mean"] == pytest.approx(np.mean([np.mean([r["score_us"] for r in g.timeline]) for g in games]))


@pytest.mark.parametrize("args, says", [
    (["--seat", "us=bogus"], "unknown policy 'bogus' for us"),
    (["--seat", "china=hawk"], "'hawk' is a policy of us"),
    (["--seat", "us=default,default"], "listed twice"),
    (["--seat", "us"], "expected ACTOR=P1,P2"),
    (["--seat", "mars=default"], "unknown actor 'mars'"),
    (["--runs", "1"], "--runs 1: must be at least 2"),
    (["--runs", "1000001"], "--runs 1000001: at most 1,000,000 per combination"),
    (["--workers", "0"], "--workers 0: must be at least 1"),  # was taken as "one per CPU"
    # 4**11 combinations: a review's finding ran out of memory listing them
    ([f"--seat={a}=doctrine,random,idle,default" for a in GameSession(load_scenario("baseline"), 0).actors],
     "4,194,304 combinations x 20 runs = 83,886,080 games; at most 1,000,000 in one tournament"),
])
def test_bad_tournament_input_exits_2_with_one_line(args, says, tmp_path):
    out = _wargame("tournament", *args, cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and says in out.stderr, out.stderr
