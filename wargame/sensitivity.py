"""`wargame sensitivity`: global sensitivity of final-turn outcomes to the scenario's uncertain
parameters (those with a `distribution`), with SALib.

The SALib problem is the unit hypercube [0, 1]^D, one axis per uncertain parameter in sorted
name order; each sample's coordinates are quantiles, mapped through each parameter's inverse
CDF (the same `draw` the Monte Carlo Latin hypercube uses). Quantiles are clipped to
[QMIN, 1 - QMIN] so that Morris's grid ends (exactly 0 and 1) stay finite for unbounded tails.

Every sample plays one game with the same game seed (common random numbers): the events',
observers' and seats' dice are identical across samples, so outcome differences come from the
parameters alone. Games run in a forked process pool; results are in sample order, so the
indices do not depend on the number of workers.

* sobol:  SALib.sample.sobol (Saltelli, first and total order only: N*(D+2) games; N a power
          of 2, rounded up) + SALib.analyze.sobol; index = total-order ST, ci95 = ST_conf.
* morris: SALib.sample.morris (N trajectories, 4 levels: N*(D+1) games) +
          SALib.analyze.morris; index = mu_star, ci95 = mu_star_conf.
"""

from __future__ import annotations

import json
import math
import os
import sys
import textwrap
from pathlib import Path

import numpy as np

from wargame.forkpool import fork_pool
from wargame.ids import format_quarter, parse_quarter
from wargame.metric_labels import metric_label
from wargame.numbers import short_number

DEFAULT_OUTCOMES = ("china_compute_stock_h100e", "us_china_stock_ratio", "smuggled_h100e", "huawei_output_chips")
DEFAULT_SAMPLES = {"sobol": 64, "morris": 10}
MAX_SAMPLES = 65_536  # base samples: SALib's arrays, and the games, grow with N times the parameters
METHODS = ("sobol", "morris")
QMIN = 1e-3
EXPERIMENT = "wargame-sensitivity"


class SensitivityError(ValueError):
    """Bad input: the CLI prints it as one line and exits 2."""


# --- the problem and its samples ------------------------------------------------------------------
def problem_of(names: list[str]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def unit_samples(method: str, names: list[str], samples: int, seed: int) -> np.ndarray:
    problem = problem_of(names)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, samples, num_levels=4, seed=seed)


def to_draw(scenario, names: list[str], row: np.ndarray) -> dict[str, float]:
    """One row of quantiles -> a parameter draw, through each parameter's inverse CDF."""
    from wargame.sampling import draw_at_quantiles

    return draw_at_quantiles(scenario, {n: min(max(float(u), QMIN), 1.0 - QMIN) for n, u in zip(names, row, strict=True)})


# --- playing the games ----------------------------------------------------------------------------
_JOB: dict = {}  # set before the pool forks: the workers inherit the loaded scenario


def _play(draw: dict[str, float]) -> list[float]:
    from wargame.runner import make_seats, play
    from wargame.session import GameSession

    session = GameSession(_JOB["scenario"], _JOB["seed"], param_draw=draw)
    play(session, make_seats(session))
    final = session.timeline[-1]
    return [float(final[m]) for m in _JOB["outcomes"]]


def play_all(scenario, seed: int, outcomes: list[str], draws: list[dict], workers: int) -> np.ndarray:
    """One row per draw (in draw order), one column per outcome."""
    _JOB.update(scenario=scenario, seed=int(seed), outcomes=list(outcomes))
    try:
        if workers <= 1 or len(draws) <= 1:
            rows = [_play(d) for d in draws]
        else:
            with fork_pool(min(workers, len(draws))) as pool:
                rows = pool.map(_play, draws, chunksize=max(1, len(draws) // (4 * workers)))
    finally:
        _JOB.clear()
    return np.asarray(rows, dtype=float).reshape(len(draws), len(outcomes))


# --- analysis -------------------------------------------------------------------------------------
def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def analyse(method: str, names: list[str], X: np.ndarray, y: np.ndarray, seed: int) -> list[dict]:
    """[{param, index, ci95}] sorted by index descending (then name)."""
    if not np.all(np.isfinite(y)) or float(np.ptp(y)) == 0.0:
        if np.all(np.isfinite(y)):  # an outcome the parameters never move: every index is 0
            return [{"param": n, "index": 0.0, "ci95": 0.0} for n in names]
        raise SensitivityError("an outcome was not a finite number in some game; cannot analyse it")
    problem = problem_of(names)
    if method == "sobol":
        from SALib.analyze import sobol

        # a Generator, not the int: SALib seeds its bootstrap only `if seed:`, so seed 0 left the
        # CIs to the global numpy state (different every run); default_rng(g) is g itself, so
        # every other seed gives the CIs it gave before
        res = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=np.random.default_rng(seed))
        idx, ci = res["ST"], res["ST_conf"]
    else:
        from SALib.analyze import morris

        res = morris.analyze(problem, X, y, conf_level=0.95, num_levels=4, seed=seed)
        idx, ci = res["mu_star"], res["mu_star_conf"]
    rows = [{"param": n, "index": _finite(i), "ci95": _finite(c)} for n, i, c in zip(names, idx, ci, strict=True)]
    return sorted(rows, key=lambda r: (-(r["index"] if r["index"] is not None else -math.inf), r["param"]))


def notes_on(method: str, outcomes: dict[str, list[dict]], samples: int) -> dict[str, str]:
    """What a reader must know before trusting an outcome's ranking, by outcome: the parameters
    never moved it (alone: then nothing else applies), or every one that applies of: the top
    indices' 95 % CIs reach zero (too few of the `samples` actually used to rank anything), a
    Sobol total-order index above 1 (sampling noise); several are joined with "; "."""
    notes = {}
    for metric, rows in outcomes.items():
        top = rows[0] if rows else None
        if top is None or top["index"] is None:
            continue
        if all(r["index"] == 0.0 for r in rows):
            notes[metric] = "the parameters did not move this outcome in any sample: every index is 0"
            continue
        leading = [r for r in rows if r["index"] is not None and r["index"] >= 0.1 * top["index"]]
        unsure = [r for r in leading if r["ci95"] is None or r["ci95"] >= r["index"]]
        found = []
        if unsure:
            have = "has" if len(unsure) == 1 else "have"
            found.append(f"too few samples to rank the parameters: {len(unsure)} of the {len(leading)} leading "
                         f"indices {have} a 95 % CI that reaches zero (use --samples {2 * samples} or more)")
        if method == "sobol" and any(r["index"] is not None and r["index"] > 1.0 for r in rows):
            found.append("a total-order index above 1 is sampling noise (the true index is at most 1): "
                         "use more --samples")
        if found:
            notes[metric] = "; ".join(found)
    return notes


def sensitivity(scenario, method: str, samples: int, outcomes: list[str], seed: int, workers: int) -> dict:
    """The full result: {"method", "outcomes": {metric: [{param, index, ci95}]}} plus `games`."""
    from wargame.sampling import sampled_names

    names = sampled_names(scenario)
    if not names:
        raise SensitivityError(f"scenario {scenario.name}: no parameter has a distribution, so there is nothing to vary")
    X = unit_samples(method, names, samples, seed)
    draws = [to_draw(scenario, names, row) for row in X]
    Y = play_all(scenario, seed, outcomes, draws, workers)
    result = {m: analyse(method, names, X, Y[:, j], seed) for j, m in enumerate(outcomes)}
    return {"method": method, "outcomes": result, "games": len(draws), "params": names}


# --- output ---------------------------------------------------------------------------------------
def _at_scale(x: float | None, top: float) -> str:
    """A figure beside the outcome's largest index: "~0" below a thousandth of it (1.6e-05 next
    to 0.98 says nothing), else three significant figures."""
    if x is None:
        return "n/a"
    return "~0" if top > 0 and abs(x) < 1e-3 * top else short_number(x)


def index_label(method: str, metric: str) -> str:
    """What the index of an outcome measures, in words. SALib's Morris divides each elementary
    effect by the step (2/3 of the quantile range on 4 levels), so mu* is the outcome's change
    per unit of quantile range, about 1.5 times the mean absolute change over one step."""
    if method == "sobol":
        return "total-order Sobol index ST (share of the outcome's variance)"
    return f"Morris mu* ({metric_label(metric).unit} per unit of quantile range)"


def text_table(obj: dict, notes: dict[str, str] | None = None, final_quarter: str | None = None) -> str:
    """One block per outcome, parameters ranked; figures by the reports' number rule (8.73M, not
    8.733e+06)."""
    lines = []
    for metric, rows in obj["outcomes"].items():
        width = max([len(r["param"]) for r in rows] + [5])
        top = max([abs(r["index"]) for r in rows if r["index"] is not None] + [0.0])
        at = f" in {final_quarter}" if final_quarter else ""
        lines.append(f"{metric_label(metric).with_unit()} `{metric}`{at}: {index_label(obj['method'], metric)}, ±95% CI")
        for r in rows:
            i = _at_scale(r["index"], top)
            c = _at_scale(r["ci95"], top)
            lines.append(f"  {r['param']:<{width}}  {i:>8}  ± {c}")
        if notes and metric in notes:
            lines.append(f"  note: {notes[metric]}")
    return "\n".join(lines)


def write_outputs(out: Path, obj: dict, run: dict | None = None) -> list[Path]:
    """sensitivity.json (the --json object, plus `run`: how it was made) and one bar plot per
    outcome; returns the plot paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from wargame.mc.experiment import write_json_atomic
    from wargame.mc.report import PLOT_STYLE

    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "sensitivity.json", {**obj, "run": run} if run is not None else obj)
    notes = (run or {}).get("notes", {})
    at = f", {run['final_quarter']}" if run and run.get("final_quarter") else ""
    paths = []
    with plt.rc_context(PLOT_STYLE):
        for metric, rows in obj["outcomes"].items():
            paths.append(_bar_plot(plt, out, obj["method"], metric, rows, notes.get(metric), at, (run or {}).get("games")))
    return paths


def _bar_plot(plt, out: Path, method: str, metric: str, rows: list[dict], note: str | None, at: str,
              games: int | None) -> Path:
    """sensitivity_<metric>.png: the parameters ranked, largest at the top, the axis from 0."""
    from wargame.mc.report import readable_ticks, safe_name

    rows = rows[::-1]  # largest at the top
    fig, ax = plt.subplots(figsize=(10, 0.4 * len(rows) + 2.2))
    vals = [max(r["index"] or 0.0, 0.0) for r in rows]
    errs = [r["ci95"] or 0.0 for r in rows]
    ax.barh([r["param"] for r in rows], vals, xerr=errs, color="tab:blue", ecolor="grey", capsize=2)
    # an index is never negative; an axis stretched to a CI many times the index hides every bar
    top = max(vals) * 1.3 if max(vals) > 0 else 1.0
    ax.set_xlim(0.0, top)
    for y, (v, e) in enumerate(zip(vals, errs, strict=True)):
        if v + e > top:  # the CI runs off the axis: say how far
            ax.annotate(f"±{short_number(e)} →", (top, y), xytext=(-4, 0), textcoords="offset points",
                        ha="right", va="center", fontsize=9, color="dimgrey",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    readable_ticks(ax.xaxis)
    ax.set_xlabel(textwrap.fill(f"{index_label(method, metric)}; whiskers: 95 % CI", 70))
    ax.set_title(textwrap.fill(f"{metric_label(metric).with_unit()}{at}: sensitivity ({method}, {games or '?'} games)",
                               55))
    if note:
        fig.text(0.01, 0.01, textwrap.fill(f"Note: {note}", 110), fontsize=10, color="firebrick", va="bottom")
    fig.tight_layout(rect=(0, 0.08 if note else 0, 1, 1))
    path = out / f"sensitivity_{safe_name(metric)}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def track(out: Path, obj: dict, scenario_name: str, samples: int, seed: int, games: int, plots: list[Path],
          scenario_file: Path | None = None) -> str:
    """One MLflow run: params, each index and CI as a metric; the plots, the JSON and the scenario
    as played as artifacts (as `wargame mc` logs them). A failure marks the run FAILED."""
    from wargame.mc.tracking import _client, _experiment_id, _failing_marks, _key, _log_metrics, _params, _quiet

    with _quiet():
        client, uri = _client()
        exp_id = _experiment_id(client, uri, EXPERIMENT)
        run = client.create_run(exp_id, run_name=f"sensitivity {out.name}", tags={"wargame.out_dir": str(out.resolve())})
        rid = run.info.run_id
        with _failing_marks(client, [rid]):
            client.log_batch(rid, params=_params({"method": obj["method"], "samples": samples, "scenario": scenario_name,
                                                  "seed": seed, "games": games, "outcomes": list(obj["outcomes"])}))
            items = []
            for metric, rows in obj["outcomes"].items():
                for r in rows:
                    items.append((_key(f"{metric}.{r['param']}.index"), r["index"], 0))
                    items.append((_key(f"{metric}.{r['param']}.ci95"), r["ci95"], 0))
            _log_metrics(client, rid, items)
            client.log_artifact(rid, str(out / "sensitivity.json"))
            for path in plots:
                client.log_artifact(rid, str(path), "plots")
            if scenario_file is not None:
                client.log_artifact(rid, str(scenario_file), "scenarios")
            client.set_terminated(rid)
        return rid


# --- the command ----------------------------------------------------------------------------------
def out_problem(out: Path) -> str | None:
    """Why `out` cannot become the results directory, found before any game is played: it or an
    ancestor is a file, or the nearest existing ancestor is not writable."""
    p = out
    while not p.exists() and p != p.parent:
        p = p.parent
    if not p.is_dir():
        return f"{p} is a file, not a directory; give a new or empty directory" if p == out else \
            f"{p} is a file, so no directory can be made under it; give a directory path"
    if not os.access(p, os.W_OK | os.X_OK):
        return f"{p} is not writable; give a directory you can write to"
    return None


def run_sensitivity(args) -> int:
    from wargame.metrics import CONTRACT_KEYS, EXTRA_KEYS, TEXT_KEYS
    from wargame.scenario import load_scenario

    method = args.method
    samples = args.samples if args.samples is not None else DEFAULT_SAMPLES[method]
    if samples < 2:
        raise SensitivityError(f"--samples {samples}: must be at least 2")
    if samples > MAX_SAMPLES:
        raise SensitivityError(f"--samples {samples}: at most {MAX_SAMPLES:,} (the games grow with N times the "
                               "number of parameters)")
    if args.workers is not None and args.workers < 1:
        raise SensitivityError(f"--workers {args.workers}: must be at least 1")
    if args.seed is not None and args.seed < 0:
        raise SensitivityError(f"--seed {args.seed}: must be a non-negative integer")
    if args.scenario is not None and not args.scenario.strip():
        raise SensitivityError("--scenario: empty name; give a file or a built-in name")
    known = CONTRACT_KEYS + EXTRA_KEYS
    outcomes = list(dict.fromkeys(args.outcome)) if args.outcome else list(DEFAULT_OUTCOMES)
    for m in outcomes:
        if m not in known:
            raise SensitivityError(f"--outcome {m}: unknown metric; DESIGN §5 metrics: {', '.join(CONTRACT_KEYS)}")
        if m in TEXT_KEYS:
            raise SensitivityError(f"--outcome {m}: a text metric (it names what limits the quarter), not a number; "
                                   "give a numeric metric, e.g. huawei_output_chips")
    if method == "sobol" and samples & (samples - 1):
        rounded = 1 << (samples - 1).bit_length()
        print(f"wargame: note: --samples {samples} rounded up to {rounded} (Sobol sampling needs a power of 2)",
              file=sys.stderr)
        samples = rounded
    seed = 0 if args.seed is None else args.seed
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if args.out is not None:
        problem = out_problem(Path(args.out))
        if problem:
            raise SensitivityError(f"--out {args.out}: {problem}")
    scenario = load_scenario(args.scenario or "baseline")
    full = sensitivity(scenario, method, samples, outcomes, seed, workers)
    obj = {"method": full["method"], "outcomes": full["outcomes"]}
    notes = notes_on(method, full["outcomes"], samples)
    from wargame.mc.experiment import default_out_dir

    out = Path(args.out) if args.out is not None else default_out_dir("sensitivity")
    final_quarter = format_quarter(parse_quarter(str(scenario.start_quarter)) + scenario.turns - 1)
    run = {"scenario": scenario.name, "samples": samples, "seed": seed, "games": full["games"],
           "params": full["params"], "final_quarter": final_quarter, "notes": notes,
           "outcome_labels": {m: {"label": metric_label(m).label, "unit": metric_label(m).unit} for m in outcomes}}
    plots = write_outputs(out, obj, run)
    from wargame.mc.experiment import write_json_atomic
    from wargame.mc.report import safe_name

    scenario_file = out / f"scenario-{safe_name(args.scenario or 'baseline')}.json"  # as played, like mc's
    write_json_atomic(scenario_file, scenario.model_dump(mode="json"))
    run_id = None
    if not args.no_track:
        try:
            run_id = track(out, obj, args.scenario or "baseline", samples, seed, full["games"], plots, scenario_file)
        except Exception as exc:  # the results are on disk whatever happened to tracking
            from wargame.mc.tracking import failure_line

            print(f"wargame: warning: MLflow tracking failed ({': '.join(failure_line(exc))}); results are in {out}",
                  file=sys.stderr)
    if args.json:
        print(json.dumps(obj, sort_keys=True, allow_nan=False))
    else:
        print(f"{method} sensitivity of {scenario.name}: {len(full['params'])} parameters, {full['games']} games "
              f"(game seed {seed} in every one: common random numbers)")
        print(text_table(obj, notes, final_quarter))
        print(f"results in {out}" + (f"; MLflow run {run_id}" if run_id else ""))
    return 0
