"""How long the look-ahead bot takes to decide, against its budget (default 100 ms per seat per quarter).

    python benchmarks/lookahead_budget.py [--json] [--turns N] [--seed S] [--scenario NAME] [--actors a,b]

For each actor, plays a baseline game of a few quarters with that seat on `lookahead` and every
other seat on its scenario policy, and times the seat's whole phase each quarter (its plan,
made on the first call, and every order after). Prints per actor the median and worst decision
time in ms (wall clock, and the process's CPU time, which other load on the machine inflates
less) and the imagined quarters per decision (the bot's fixed budget, which is what keeps
games deterministic; the time is what that budget costs on this machine). Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies.lookahead import LookaheadPolicy  # noqa: E402
from wargame.runner import make_seats, play_phase  # noqa: E402
from wargame.scenario import load_scenario  # noqa: E402
from wargame.session import GameSession  # noqa: E402


def time_actor(scenario_name: str, actor: str, turns: int, seed: int) -> dict:
    session = GameSession(load_scenario(scenario_name), seed)
    policies = make_seats(session, {actor: "lookahead"})
    bot: LookaheadPolicy = policies[actor]
    ms, cpu, cost = [], [], []
    end = min(session.scenario.turns, turns)
    while not session.is_over and session.world.turn < end:
        who = session.current_actor
        start, start_cpu = time.perf_counter(), time.process_time()
        play_phase(session, who, policies[who])
        if who == actor:
            ms.append((time.perf_counter() - start) * 1000.0)
            cpu.append((time.process_time() - start_cpu) * 1000.0)
            cost.append(bot.last_cost)
    return {"actor": actor, "decisions": len(ms), "p50_ms": statistics.median(ms), "max_ms": max(ms),
            "cpu_p50_ms": statistics.median(cpu), "cpu_max_ms": max(cpu),
            "budget_ms": bot.budget_ms, "budget_quarters": bot.max_quarters,
            "quarters_p50": statistics.median(cost), "quarters_max": max(cost)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    ap.add_argument("--turns", type=int, default=6, help="quarters per game (default 6)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--actors", default="", help="comma-separated (default: every actor of the scenario)")
    args = ap.parse_args(argv)
    actors = [a for a in args.actors.split(",") if a] or list(load_scenario(args.scenario).actors)
    rows = [time_actor(args.scenario, a, args.turns, args.seed) for a in actors]
    if args.json:
        print(json.dumps({"scenario": args.scenario, "turns": args.turns, "seed": args.seed, "actors": rows}, indent=2))
        return
    print(f"lookahead decision time, {args.scenario}, {args.turns} quarters, seed {args.seed} "
          f"(budget {rows[0]['budget_ms']:.0f} ms = {rows[0]['budget_quarters']} imagined quarters)")
    print(f"{'actor':<11} {'p50 ms':>7} {'max ms':>7} {'cpu p50':>8} {'cpu max':>8} {'quarters p50':>13} {'max':>4}")
    for r in rows:
        print(f"{r['actor']:<11} {r['p50_ms']:7.1f} {r['max_ms']:7.1f} {r['cpu_p50_ms']:8.1f} {r['cpu_max_ms']:8.1f} "
              f"{r['quarters_p50']:13.0f} {r['quarters_max']:4d}")


if __name__ == "__main__":
    main()
