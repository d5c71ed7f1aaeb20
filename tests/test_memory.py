"""Finished games are freed: nothing class-level (Mesa's `Agent._ids`, our caches) keeps a model
alive, so a Monte Carlo worker's memory stays flat however many games it plays."""

from __future__ import annotations

import gc
import weakref

import mesa
from conftest import all_seats, new_session

from wargame.runner import play


def test_played_games_are_freed():
    models: weakref.WeakSet = weakref.WeakSet()
    for seed in range(40):
        s, pol = new_session("baseline", seed, all_seats("baseline", "idle" if seed % 2 else "doctrine"))
        play(s, pol, 3)
        models.add(s.model)
    del s, pol
    gc.collect()
    assert len(models) == 0, f"{len(models)} of 40 finished models are still alive"
    assert not any(k in mesa.Agent._ids for k in models)
