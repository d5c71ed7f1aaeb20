"""`mesa.batch_run` plays real games through `wargame.batch.PlayedGame`: seats decide, events
fire, it stops at the scenario's end, and its rows are the same game `wargame run` plays."""

from __future__ import annotations

from conftest import finished_game, scenario
from mesa.batchrunner import batch_run

from wargame.batch import PlayedGame, parse_seats


def _rows(number_processes: int, **params):
    return batch_run(PlayedGame, params, number_processes=number_processes, max_steps=1000,
                     data_collection_period=1, display_progress=False)


def test_batch_run_plays_the_same_game_as_a_session():
    rows = _rows(1, scenario="baseline", seed=[4, 5])
    turns = scenario("baseline").turns
    for seed in (4, 5):
        mine = sorted((r for r in rows if r["seed"] == seed), key=lambda r: r["Step"])
        assert [r["turn"] for r in mine] == list(range(1, turns + 1))  # stops at the end, no extra step
        game = finished_game("baseline", seed)
        for row, record in zip(mine, game.timeline, strict=True):
            assert row["quarter"] == record["quarter"]
            assert row["china_compute_stock_h100e"] == record["china_compute_stock_h100e"]
            assert row["smuggled_h100e"] == record["smuggled_h100e"]


def test_seats_and_events_take_part():
    idle = _rows(1, scenario="baseline", seed=6, seats="us=idle,china=idle")
    busy = _rows(1, scenario="baseline", seed=6)
    assert [r["us_hawkishness"] for r in idle] != [r["us_hawkishness"] for r in busy]
    assert parse_seats("us=idle, china=random") == {"us": "idle", "china": "random"}


def test_max_steps_and_processes():
    short = batch_run(PlayedGame, {"scenario": "baseline", "seed": 1}, number_processes=1, max_steps=2,
                      display_progress=False)
    assert short[-1]["turn"] == 3  # Mesa runs while steps <= max_steps: three quarters
    two = _rows(2, scenario="baseline", seed=[1, 2], seats="smugglers=idle")
    one = _rows(1, scenario="baseline", seed=[1, 2], seats="smugglers=idle")
    key = lambda r: (r["seed"], r["Step"])  # noqa: E731
    assert sorted(two, key=key) == sorted(one, key=key)
