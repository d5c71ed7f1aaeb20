"""`wargame tournament`: every combination of the listed policies, on common random numbers.

Each combination is an arm of a Monte Carlo experiment (wargame/mc): the same game seeds in
every arm, played in forked workers, results in Parquet under runs/tournament/<timestamp>. A
game's score for an actor is the mean of its `score_<actor>` over the game's quarters (each
actor's own objective, 0..1, weighted as its scenario says); the outcomes are the last
quarter's values of the headline metrics.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from wargame.mc import experiment as ex

OUTCOMES = ("us_china_stock_ratio", "china_self_sufficiency", "smuggled_h100e", "nvidia_china_revenue_usd_b")
DEFAULT_RUNS = 20


class TournamentError(Exception):
    """Bad input: one line, exit status 2."""


def parse_entries(entries: list[str], actors: tuple[str, ...]) -> dict[str, list[str]]:
    """`--seat us=hawk,dove` -> {"us": ["hawk", "dove"]}, each policy checked for its actor."""
    from policies.registry import policy_problem

    out: dict[str, list[str]] = {}
    for entry in entries:
        actor, sep, names = entry.partition("=")
        if not sep or not names.strip():
            raise TournamentError(f"--seat {entry!r}: expected ACTOR=P1,P2,..., e.g. us=hawk,dove")
        if actor not in actors:
            raise TournamentError(f"--seat {entry!r}: unknown actor {actor!r}; actors: {', '.join(actors)}")
        if actor in out:
            raise TournamentError(f"--seat {entry!r}: {actor} is listed twice; give its policies in one --seat")
        policies = [p.strip() for p in names.split(",")]
        for p in policies:
            problem = policy_problem(p, actor)
            if problem:
                raise TournamentError(f"--seat {entry!r}: {problem}")
        if len(set(policies)) != len(policies):
            raise TournamentError(f"--seat {entry!r}: a policy is listed twice")
        out[actor] = policies
    return out


def combinations(listed: dict[str, list[str]]) -> list[dict[str, str]]:
    """Every combination, in the order given (the first policy of each seat varies slowest)."""
    actors = list(listed)
    return [dict(zip(actors, combo, strict=True)) for combo in itertools.product(*(listed[a] for a in actors))] or [{}]




def run_tournament(scenario: str | None, runs: int | None, seats: list[str], workers: int, out: Path | None = None) -> dict:
    import pyarrow.dataset as ds

    from wargame.scenario import load_scenario

    runs = DEFAULT_RUNS if runs is None else runs
    if runs < 2:
        raise TournamentError(f"--runs {runs}: must be at least 2 (a 95 % interval needs two games)")
    if runs > ex.MAX_RUNS:
        raise TournamentError(f"--runs {runs}: at most {ex.MAX_RUNS:,} per combination (more would replay another "
                              "seed's games)")
    if workers < 1:
        raise TournamentError(f"--workers {workers}: must be at least 1")
    sc = load_scenario(scenario or "baseline")
    listed = parse_entries(seats, sc.actors)
    n_combos = math.prod(len(p) for p in listed.values())
    if n_combos * runs > ex.MAX_RUNS:
        raise TournamentError(f"--seat: {n_combos:,} combinations x {runs:,} runs = {n_combos * runs:,} games; at most "
                              f"{ex.MAX_RUNS:,} in one tournament (list fewer policies, or give fewer --runs)")
    combos = combinations(listed)
    manifest = ex.build_manifest(scenario, runs, 0, [], None, None, False, False, None, None)
    manifest["arms"] = [{"name": "/".join(f"{a}={p}" for a, p in combo.items()) or "defaults",
                         "scenario": manifest["scenarios"][0], "overrides": [list(p) for p in sorted(combo.items())]}
                        for combo in combos]
    manifest["tournament"] = listed
    out = out or ex.default_out_dir("tournament")
    out.mkdir(parents=True, exist_ok=True)
    ex.write_json_atomic(out / ex.MANIFEST, manifest)
    ex.execute(out, manifest, workers)
    score_cols = [f"score_{a}" for a in sc.actors]
    result = []
    for i, combo in enumerate(combos):
        files = [str(out / sub / ex.chunk_name(i, c)) for sub in ("turns",) for c in range(ex.n_chunks(manifest))]
        turns = ds.dataset(files, format="parquet").to_table(columns=["run", *score_cols])
        run_ids = turns.column("run").to_numpy()
        order = np.argsort(run_ids, kind="stable")
        bounds = np.searchsorted(run_ids[order], np.arange(runs + 1))
        scores = {}
        for a, col in zip(sc.actors, score_cols, strict=True):
            vals = turns.column(col).to_numpy(zero_copy_only=False).astype(float)[order]
            per_game = np.array([np.mean(vals[bounds[r]:bounds[r + 1]]) for r in range(runs)])
            scores[a] = {"mean": float(np.mean(per_game)), "ci95": ex.ci95(per_game)}
        finals = ds.dataset([str(out / "runs" / ex.chunk_name(i, c)) for c in range(ex.n_chunks(manifest))],
                            format="parquet").to_table(columns=list(OUTCOMES))
        outcomes = {m: float(np.mean(finals.column(m).to_numpy(zero_copy_only=False).astype(float))) for m in OUTCOMES}
        result.append({"seats": combo, "scores": scores, "outcomes": outcomes})
    return {"scenario": sc.name, "runs": runs, "out_dir": str(out), "combinations": result}


def format_tournament(obj: dict) -> str:
    """Per combination: each listed actor's mean score (95 % CI), then the outcomes."""
    lines = [f"tournament on {obj['scenario']}: {obj['runs']} games per combination, common seeds ({obj['out_dir']})"]
    for combo in obj["combinations"]:
        seats = ", ".join(f"{a}={p}" for a, p in combo["seats"].items()) or "every seat default"
        lines.append(f"\n{seats}")
        shown = list(combo["seats"]) or list(combo["scores"])
        for a in shown:
            s = combo["scores"][a]
            ci = f" [{s['ci95'][0]:.3f}, {s['ci95'][1]:.3f}]" if s["ci95"] else ""
            lines.append(f"  score {a:10s} {s['mean']:.3f}{ci}")
        o = combo["outcomes"]
        lines.append(f"  US+allies:China stock {o['us_china_stock_ratio']:.2f}x · self-sufficiency {o['china_self_sufficiency']:.2f}"
                     f" · smuggled {o['smuggled_h100e'] / 1e3:.1f}k H100e · Nvidia China ${o['nvidia_china_revenue_usd_b']:.2f}B")
    return "\n".join(lines)
