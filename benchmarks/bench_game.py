"""How long one game takes: median of several seeded 24-turn baseline games.

Run: `make bench` (or .venv/bin/python benchmarks/bench_game.py [--games N]).
Prints figures and ratios; it asserts nothing (speed is measured here, never in tests).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from wargame.runner import make_seats, play
from wargame.scenario import load_scenario
from wargame.session import GameSession

ISSUE_8_TARGET_S = 0.010  # issue 8's budget for one whole doctrine game


def one_game(scenario, seed: int, policy: str | None) -> tuple[float, float]:
    """Wall time of a whole game and the part spent adjudicating."""
    session = GameSession(scenario, seed)
    seats = make_seats(session, {a: policy for a in session.actors} if policy else None)
    adjudication = 0.0
    step = session.model.step

    def timed_step() -> None:
        nonlocal adjudication
        t = time.perf_counter()
        step()
        adjudication += time.perf_counter() - t

    session.model.step = timed_step
    t0 = time.perf_counter()
    play(session, seats)
    return time.perf_counter() - t0, adjudication


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--games", type=int, default=9)
    args = ap.parse_args()
    t = time.perf_counter()
    scenario = load_scenario("baseline")
    print(f"load baseline scenario: {1e3 * (time.perf_counter() - t):.1f} ms")
    one_game(scenario, 0, None)  # warm-up
    rows = {}
    for label, policy in (("doctrine seats", None), ("random seats", "random"), ("idle seats", "idle")):
        runs = [one_game(scenario, seed, policy) for seed in range(1, args.games + 1)]
        total = [r[0] for r in runs]
        adj = [r[1] for r in runs]
        rows[label] = statistics.median(total)
        print(f"{label:15s}: median {1e3 * statistics.median(total):7.1f} ms/game "
              f"(min {1e3 * min(total):.1f}, max {1e3 * max(total):.1f}, n={len(total)}); "
              f"adjudication {100 * statistics.median(adj) / statistics.median(total):.0f} % of it; "
              f"{scenario.turns / statistics.median(total):.0f} turns/s")
    print(f"ratio random/doctrine: {rows['random seats'] / rows['doctrine seats']:.2f}")
    # every seat passes: observations, the turn order and adjudication, with no decision made.
    # No bot or harness change can take a game below this floor.
    print(f"ratio idle/doctrine: {rows['idle seats'] / rows['doctrine seats']:.2f} (the engine's floor, every seat "
          f"passing, is {rows['idle seats'] / ISSUE_8_TARGET_S:.1f}x issue 8's {1e3 * ISSUE_8_TARGET_S:.0f} ms for a whole doctrine game)")
    session = GameSession(scenario, 1)
    play(session, make_seats(session), 12)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.json"
        t = time.perf_counter()
        session.save(path)
        save_ms = 1e3 * (time.perf_counter() - t)
        loads = []
        for _ in range(5):
            t = time.perf_counter()
            GameSession.load(path)  # parse, check, replay the move log, compare with the snapshot
            loads.append(1e3 * (time.perf_counter() - t))
        load_ms = statistics.median(loads)
        size = path.stat().st_size
    t = time.perf_counter()
    GameSession.replay(scenario, 1, session.moves)
    replay_ms = 1e3 * (time.perf_counter() - t)
    print(f"save at turn 12: {save_ms:.1f} ms ({size / 1024:.0f} KiB); load (verified replay) of a 12-turn save: "
          f"{load_ms:.1f} ms (median of 5); replay alone of its {len(session.moves)} logged moves: {replay_ms:.1f} ms "
          f"({replay_ms / load_ms:.0%} of the load)")
    print(f"games per core-hour (doctrine seats): {3600 / rows['doctrine seats']:.0f}")


if __name__ == "__main__":
    main()
