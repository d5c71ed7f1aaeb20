"""Monte Carlo throughput: the same baseline game (doctrine seats) played
(a) in one process, (b) through `mesa.batch_run` with 2 processes, (c) through
`wargame mc --workers 2` with MLflow tracking on (and once with --no-track, for tracking's share).
(b) and (c) are each timed whole: batch_run from its pool's start to its last result, mc from
its start to its tracked report (its own wall_s, without the Python interpreter's start-up).

Run: .venv/bin/python benchmarks/mc_throughput.py [--runs N] [--rounds R] [--json]
Prints figures and ratios; it asserts nothing. A shared machine's speed drifts by a third within
minutes, so (a), (b) and (c) are measured in R interleaved rounds (default 3) and each figure is
the median of its rounds, a ratio the median of the rounds' ratios (both sides timed together);
the text output gives each figure's range across the rounds. Targets on a 2-core machine (issue 8):
c >= 167 games/s, c/b >= 1.3, c/(2a) >= 0.85, tracking <= 10 % of wall time
(into an existing MLflow store).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mesa.batchrunner import batch_run

from wargame.batch import PlayedGame, cached_scenario
from wargame.runner import make_seats, play
from wargame.session import GameSession

ROOT = Path(__file__).resolve().parent.parent


def single(runs: int) -> tuple[float, float]:
    """Games per second in this process and CPU ms per game (the scenario loaded once, as every
    runner does). One untimed game first: a worker of (b) or (c) plays hundreds, so its first
    game's lazy imports and cache fills would weigh on (a) alone."""
    sc = cached_scenario("baseline")
    s = GameSession(sc, runs)
    play(s, make_seats(s))
    t, cpu = time.perf_counter(), time.process_time()
    for seed in range(runs):
        s = GameSession(sc, seed)
        play(s, make_seats(s))
    return runs / (time.perf_counter() - t), 1000 * (time.process_time() - cpu) / runs


def through_batch_run(runs: int) -> float:
    t = time.perf_counter()
    batch_run(PlayedGame, {"scenario": "baseline", "seed": range(runs)}, number_processes=2,
              max_steps=1000, display_progress=False)
    return runs / (time.perf_counter() - t)


def through_mc(runs: int, track: bool, tmp: Path, label: str = "") -> dict:
    out = tmp / (("mc_track" if track else "mc_notrack") + label)
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp / 'mlflow.db'}"}
    cmd = [sys.executable, "-m", "wargame", "mc", "--runs", str(runs), "--workers", "2", "--out", str(out), "--json"]
    if not track:
        cmd.append("--no-track")
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"wargame mc failed ({done.returncode}): {done.stderr.strip()}")
    data = json.loads(done.stdout)  # its own wall_s: the experiment with its tracking, without interpreter start-up
    timing = json.loads((out / "timing.json").read_text())
    return {"wall_s": data["wall_s"], "games_per_s": runs / data["wall_s"], "play_games_per_s": data["games_per_s"],
            "process_wall_s": wall, "worker_peak_rss_mb": timing["worker_peak_rss_mb"]}


def overhead(mc: dict, runs: int) -> float:
    """An experiment's wall time outside playing (set-up, report, plots, tracking): comparing these
    of a tracked and an untracked run gives tracking's cost without the noise of the games' timing."""
    return mc["wall_s"] - runs / mc["play_games_per_s"]


def one_round(runs: int, tmp: Path, label: str) -> dict:
    """(a), (b) and (c) tracked and untracked, one after the other."""
    a, cpu_ms = single(max(20, runs // 4))
    b = through_batch_run(runs)
    tracked = through_mc(runs, True, tmp, label)
    untracked = through_mc(runs, False, tmp, label)
    c = tracked["games_per_s"]  # the whole experiment (set-up, play, report, plots, tracking), as (b) is batch_run whole
    play = tracked["play_games_per_s"]
    return {
        "a": a, "cpu_ms": cpu_ms, "b": b, "c": c, "c_untracked": untracked["games_per_s"], "c_play": play,
        "c_process": runs / tracked["process_wall_s"], "c_over_b": c / b, "efficiency": c / (2 * a),
        "play_efficiency": play / (2 * a),
        "tracking_share": max(0.0, overhead(tracked, runs) - overhead(untracked, runs)) / tracked["wall_s"],
        "fixed_s": overhead(tracked, runs), "rss": tracked["worker_peak_rss_mb"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.runs < 1 or args.rounds < 1:
        raise SystemExit("mc_throughput: --runs and --rounds must be at least 1")
    with tempfile.TemporaryDirectory() as d:
        # An MLflow store is created (and its schema migrated, about 1 s) by the first experiment
        # that tracks into it; the runs/mlflow.db of a working directory outlives that one, so the
        # store is made before timing.
        through_mc(2, True, Path(d), "_store")
        rounds = [one_round(args.runs, Path(d), f"_{i}") for i in range(args.rounds)]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    def spread(key: str, fmt: str = ".1f") -> str:
        lo, hi = min(r[key] for r in rounds), max(r[key] for r in rounds)
        return "" if len(rounds) == 1 else f" [{lo:{fmt}}-{hi:{fmt}}]"

    out = {
        "runs": args.runs,
        "single_games_per_s": round(med("a"), 2),
        "batch_run_games_per_s": round(med("b"), 2),
        "mc_games_per_s": round(med("c"), 2),
        "ratio_vs_batch_run": round(med("c_over_b"), 3),
        "parallel_efficiency": round(med("efficiency"), 3),
        "tracking_share": round(med("tracking_share"), 3),
        "rss_mb_per_worker": max(r["rss"] for r in rounds),
    }
    if args.json:
        print(json.dumps(out, sort_keys=True))
        return
    print(f"medians of {args.runs} games x {args.rounds} interleaved rounds [range across rounds]")
    print(f"(a) one process      : {med('a'):7.1f} games/s{spread('a')} ({1000 / med('a'):.1f} ms/game; "
          f"{med('cpu_ms'):.1f} ms of CPU{spread('cpu_ms')}, target 10)")
    print(f"(b) mesa.batch_run x2: {med('b'):7.1f} games/s{spread('b')}")
    print(f"(c) wargame mc x2    : {med('c'):7.1f} games/s{spread('c')} over the whole experiment, tracking on "
          f"({med('c_untracked'):.1f} without; {med('c_play'):.1f} while playing; {med('c_process'):.1f} counting "
          "Python's start-up)")
    print(f"c/b {out['ratio_vs_batch_run']:.2f}{spread('c_over_b', '.2f')} (target >= 1.3); efficiency c/2a "
          f"{out['parallel_efficiency']:.2f}{spread('efficiency', '.2f')} (target >= 0.85; {med('play_efficiency'):.2f} "
          f"while playing); tracking {100 * out['tracking_share']:.1f} % of wall time (target <= 10 %)")
    fixed, play = med("fixed_s"), med("c_play")
    print(f"a worker's peak RSS: {out['rss_mb_per_worker']} MB; 10,000 games would take about "
          f"{fixed + 10000 / play:.0f} s with (c) ({fixed:.1f} s of set-up, report and tracking, the rest play; "
          "target <= 60 s)")


if __name__ == "__main__":
    main()
