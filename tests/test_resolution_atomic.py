"""Resolving a quarter is all or nothing: if adjudication or the next quarter's injects fail, or
the result breaks the world's schema, a number is not finite or a ledger does not balance, the
last pass raises ResolutionError and the session is exactly as it was before that pass."""

from __future__ import annotations

import math

import pytest
from conftest import new_session

from wargame import moves as mv
from wargame.integrity import ResolutionError
from wargame.mechanics import allied, stocks, supply
from wargame.runner import play_turn


def to_last_pass(seed: int = 3):
    """A session one quarter in, with every seat but the last passed."""
    s, pol = new_session("baseline", seed)
    play_turn(s, pol)
    while s.current_actor != s.actors[-1]:
        assert s.submit(s.current_actor, mv.Pass(actor=s.current_actor)) is None
    return s


def fingerprint(s) -> tuple:
    return (s.snapshot_hash(), s.state_hash(), len(s.moves), s.current_actor, len(s.timeline), s.model.steps,
            {k: len(v) for k, v in s.model.datacollector.model_vars.items()}, s.world.events_fired)


def _wrap(monkeypatch, module, name: str, after) -> None:
    real = getattr(module, name)

    def broken(w, p, q):
        real(w, p, q)
        after(w)

    monkeypatch.setattr(module, name, broken)


def _raise(w):
    raise RuntimeError("mechanics bug")


def _negative_bank(w):
    w.huawei.die_bank = -1.0


def _nan_premium(w):
    w.market.smuggling_premium = math.nan


def _leaked_dies(w):
    w.huawei.die_bank += 1000.0


def _share_above_one(w):
    w.nvidia.china_supply_share = 1.5


BREAKS = [
    (stocks, "settle_stocks", _raise, "RuntimeError: mechanics bug"),
    (supply, "produce_chips", _negative_bank, "die_bank"),
    (allied, "nvidia_books", _nan_premium, "smuggling_premium"),
    (stocks, "settle_stocks", _leaked_dies, "dies ledger"),
    (allied, "nvidia_books", _share_above_one, "china_supply_share"),
]


@pytest.mark.parametrize("module,name,after,message", BREAKS, ids=[b[3].split(":")[0] for b in BREAKS])
def test_a_failed_quarter_changes_nothing(monkeypatch, module, name, after, message):
    s = to_last_pass()
    twin = to_last_pass()
    before = fingerprint(s)
    last = s.current_actor
    with monkeypatch.context() as m:
        _wrap(m, module, name, after)
        with pytest.raises(ResolutionError, match=message) as err:
            s.submit(last, mv.Pass(actor=last))
    assert "could not be resolved" in str(err.value) and s.quarter in str(err.value)
    assert fingerprint(s) == before
    # the fault gone, the same pass resolves the quarter exactly as in a game that never failed
    assert s.submit(last, mv.Pass(actor=last)) is None
    assert twin.submit(last, mv.Pass(actor=last)) is None
    assert fingerprint(s) == fingerprint(twin)


def test_an_inject_that_fails_rolls_back_the_quarter(monkeypatch):
    s = to_last_pass()
    before = fingerprint(s)
    last = s.current_actor

    def failing(ev):
        raise ValueError("inject does not fit")

    monkeypatch.setattr(s, "_apply_event", failing)
    monkeypatch.setattr(s, "_fire_events", lambda: failing(None))
    with pytest.raises(ResolutionError, match="inject does not fit"):
        s.submit(last, mv.Pass(actor=last))
    assert fingerprint(s) == before


def test_a_sound_quarter_is_checked_and_kept():
    s = to_last_pass()
    turn = s.world.turn
    assert s.submit(s.current_actor, mv.Pass(actor=s.current_actor)) is None
    assert s.world.turn == turn + 1 and s.current_actor == s.actors[0] and len(s.timeline) == turn + 1


def test_the_cli_reports_a_failed_quarter_in_one_line(monkeypatch, capsys):
    from wargame.cli import main

    monkeypatch.setattr(stocks, "settle_stocks", lambda w, p, q: _raise(w))
    assert main(["run", "--turns", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wargame: internal error: ") and "could not be resolved" in err[0]
