"""summary.md and the plots of an experiment (matplotlib, Agg backend, imported here only)."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np

from wargame.ids import format_quarter, parse_quarter
from wargame.mc import experiment as ex
from wargame.mc.experiment import KEY_METRICS, TRACK_METRICS
from wargame.metric_labels import metric_label, when
from wargame.numbers import aligned_numbers, short_number
from wargame.savefile import SaveError
from wargame.scenario import ScenarioError

# Headline events at each arm's final quarter: (label, metric, comparison, threshold). The
# thresholds are fixed (the same in every experiment); the ratio thresholds were set from the one
# measurement in THRESHOLD_BASIS below (README, Monte Carlo).
EVENTS = (
    ("US+allies:China compute stock ratio < 10", "us_china_stock_ratio", "<", 10.0),
    ("US+allies:China compute stock ratio < 15", "us_china_stock_ratio", "<", 15.0),
    ("US:China AI-chip output ratio < 20", "us_china_output_ratio", "<", 20.0),
    ("China self-sufficiency >= 70 %", "china_self_sufficiency", ">=", 0.7),
)
# What the ratio thresholds were set from: 40 runs per setting, seed 0, the scenarios' parameter
# values (no sampling), doctrine seats unless named; the lowest and highest final (2030Q4) value
# of the stock ratio and of the output ratio over the 40 runs. Measured with
# `wargame mc --runs 40 --no-track --compare-scenarios baseline,no-controls` and
# `wargame mc --runs 40 --no-track --compare us=idle,hawk`.
THRESHOLD_RUNS, THRESHOLD_SEED = 40, 0
THRESHOLD_BASIS = (
    ("baseline", (13.0, 25.9), (16.3, 72.7)),
    ("no-controls (hypothetical)", (8.4, 16.1), (14.9, 27.9)),
    ("baseline with us=idle", (12.3, 14.1), (14.7, 28.9)),
    ("baseline with us=hawk", (25.0, 49.2), (31.3, 80.2)),
)
TABLE_METRICS = TRACK_METRICS + ("china_self_sufficiency",)
Z95 = 1.959963984540054


def _metric_cell(m: str) -> str:
    """A metric as a summary.md row names it: plain label, unit and id."""
    return f"{metric_label(m).with_unit()} `{m}`"


def _diff_cells(diffs: list[dict]) -> list[str]:
    """'mean [lo, hi]' for each paired difference, all at one precision."""
    flat = [x for d in diffs for x in [d["mean"], *(d["ci95"] or [])]]
    shown = iter(aligned_numbers(flat))
    cells = []
    for d in diffs:
        mean = next(shown)
        cells.append(f"{mean} [{next(shown)}, {next(shown)}]" if d["ci95"] else mean)
    return cells


def _summary_cells(s: dict) -> list[str]:
    return aligned_numbers([s["mean"], s["p10"], s["p50"], s["p90"]])


def _summary_with_ci(s: dict, finals: np.ndarray | None, bounds: tuple[float, float] = (-math.inf, math.inf)) -> list[str]:
    """mean, [the mean's 95 % CI], p10, p50, p90: one precision for the row. "how sure" needs the
    CI of the mean, which p10-p90 (the spread of runs) is not. The CI is intersected with the
    metric's range (`bounds`): clipped at 0 for a metric that cannot be negative (the mean of
    values >= 0 is >= 0, whatever Student's t says for a few large runs among many zeros), and at 1
    for a share."""
    v = finals[np.isfinite(finals)] if finals is not None else np.array([])
    ci = ex.ci95(v) if v.size else None
    if ci:
        ci = [min(max(x, bounds[0]), bounds[1]) for x in ci]
    mean, lo, hi, p10, p50, p90 = aligned_numbers([s["mean"], *(ci or (None, None)), s["p10"], s["p50"], s["p90"]])
    return [mean, f"[{lo}, {hi}]" if ci else "n/a", p10, p50, p90]


def event_count(values: np.ndarray, op: str, threshold: float) -> tuple[int, int]:
    """Runs in which the event happened, and runs with a value (k, n)."""
    v = values[np.isfinite(values)]
    return int(np.sum(v < threshold if op == "<" else v >= threshold)), int(v.size)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (95 % by default): 0 of 100 gives
    [0, 0.037], not the [0, 0] of the normal approximation."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (0.0 if k == 0 else max(0.0, centre - half)), (1.0 if k == n else min(1.0, centre + half))


def _pcts(*xs: float) -> list[str]:
    """Shares as percentages at one precision: a decimal if one of them is within 10 points of 0 or 100."""
    vs = [100 * x for x in xs]
    d = 1 if any(0 < v < 10 or 90 < v < 100 for v in vs) else 0
    return [f"{v:.{d}f}" for v in vs]


def event_cell(k: int, n: int) -> str:
    """'33 of 40: 82 % (68–91 %)'; never '0.00': 0 of 100 reads '0 of 100 (< 3.7 %)'."""
    if n == 0:
        return "n/a"
    lo, hi = wilson(k, n)
    if k == 0:
        return f"0 of {n} (< {_pcts(hi)[0]} %)"
    if k == n:
        return f"{n} of {n} (> {_pcts(lo)[0]} %)"
    p, lo_s, hi_s = _pcts(k / n, lo, hi)
    return f"{k} of {n}: {p} % ({lo_s}–{hi_s} %)"


def _aligned(rows: list[list[str]], left=(0,)) -> list[str]:
    """A terminal table, indented two spaces: the header, a rule, then the rows; the columns in
    `left` flush left, the others (figures) flush right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [("  " + "  ".join(c.ljust(w) if i in left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True)))).rstrip() for r in rows]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return lines


def text_table(result: dict, metrics=TABLE_METRICS, names: list[str] | None = None, width: int | None = None) -> str:
    """The readable table the CLI prints: per arm, key metrics at the final turn, each with its
    plain label and unit, and its id last; the first arm is the others' reference. `names`: the
    arms as shown (see `display_names`: a hypothetical scenario's arm says so). Given a terminal
    `width` the table would overflow, the id column is left out (summary.md keeps it) and the
    footnote wraps, so a projected terminal does not fold every row in two."""
    metrics = list(dict.fromkeys(metrics))
    lines = []
    multi = len(result["arms"]) > 1
    names = names or [a["name"] for a in result["arms"]]
    first = result["arms"][0]["name"]
    for i, arm in enumerate(result["arms"]):
        lines.append(f"arm {names[i]}" + (" (the reference for the differences)" if multi and i == 0 else ""))
        rows = [["metric (unit)", "mean", "p10", "p50", "p90"] + ([f"diff vs {first} [95% CI]"] if multi else []) + ["id"]]
        for m in metrics:
            row = [metric_label(m).with_unit(), *_summary_cells(arm["summary"][m])]
            if multi:
                row += ["—"] if i == 0 else _diff_cells([arm["diff_vs_first"][m]])
            rows.append(row + [m])
        table = _aligned(rows, left=(0, len(rows[0]) - 1))
        if width is not None and max(map(len, table)) > width:  # the ids go first: summary.md keeps them
            table = _aligned([r[:-1] for r in rows], left=(0,))
        lines += [*table, ""]
    note = ("'per quarter' figures are the final quarter's values alone; stocks (installed compute and its ratio) "
            "are what is in service at the quarter's end (additions less retirements). '~0': rounds to zero beside "
            "the row's largest figure.")
    lines.append(textwrap.fill(note, width) if width else note)
    return "\n".join(lines).rstrip()


def events_text(collected: dict, names: list[str], final_quarters: list[str]) -> str:
    """The headline events as the terminal prints them after the table: per event and arm, the
    runs in which it happened (k of n), the share and its 95 % Wilson interval."""
    fq = _final_label(final_quarters)
    rows = [["event", *names]]
    for label, m, op, thr in EVENTS:
        rows.append([label] + [event_cell(*event_count(a["final"][m], op, thr)) if m in a["final"] else "n/a"
                               for a in collected["arms"]])
    head = (f"headline events at the final quarter ({fq}): runs in which it happened, k of n: share "
            "(95 % Wilson interval)")
    return "\n".join([head, *_aligned(rows, left=range(len(rows[0])))])


# --- summary.md ---------------------------------------------------------------------------------
def _quarter_add(quarter: str, n: int) -> str:
    return format_quarter(parse_quarter(quarter) + n)


def _policies(seats: dict) -> str:
    """'us: hawk; all others doctrine' (or 'all doctrine')."""
    if not seats:
        return "none"
    counts: dict[str, int] = {}
    for p in seats.values():
        counts[p] = counts.get(p, 0) + 1
    common = max(counts, key=lambda p: (counts[p], p == "doctrine"))
    odd = [f"{a}: {p}" for a, p in seats.items() if p != common]
    return "; ".join(odd + [f"all {'others ' if odd else ''}{common}"])


# what reading an experiment's scenario or saved game may raise once the files have moved on
_UNREADABLE = (OSError, ValueError, SaveError, ScenarioError)


def _saved_game(manifest: dict):
    """The saved game an experiment forks, read only; None if it is gone or has changed since."""
    try:
        if ex.sha256_file(manifest["from_save"]) != manifest.get("from_save_sha256"):
            return None
        return ex.saved_session(ex.manifest_key(manifest))
    except _UNREADABLE:
        return None


def _scenario_or_none(key: str, name: str):
    """The scenario an arm plays, None where it cannot be read (a saved game gone or changed)."""
    try:
        return ex.arm_scenario(key, name)
    except _UNREADABLE:
        return None


def fork_quarter(manifest: dict) -> str | None:
    """The last quarter a forked experiment's saved game had played (every run is the same up to
    it), or None: not a fork, a fork from the start, or the save is gone."""
    if not manifest.get("from_save"):
        return None
    saved = _saved_game(manifest)
    return saved.timeline[-1]["quarter"] if saved is not None and saved.timeline else None


def _mark_fork(ax, quarters: list[str], fork_after: str | None, at: dict[str, int] | None = None) -> None:
    """A dashed line after the saved game's last quarter: left of it the runs share one history."""
    if fork_after is None or fork_after not in quarters:
        return
    x = (at or {q: i for i, q in enumerate(quarters)})[fork_after] + 0.5
    ax.axvline(x, color="dimgrey", ls="--", lw=1.2)
    right = x > len(quarters) / 2  # a late fork: the label goes left of the line, inside the axes
    ax.annotate("forked from the save", (x, 1.0), xycoords=("data", "axes fraction"), xytext=(-4 if right else 4, -4),
                textcoords="offset points", ha="right" if right else "left", va="top", fontsize=10, color="dimgrey")


def _band(ax, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, **kw) -> None:
    """The p10-p90 band; for a one-quarter game, where an area has no width, a thick bar."""
    if len(x) > 1:
        ax.fill_between(x, lo, hi, **kw)
    else:
        kw.pop("lw", None)
        ax.vlines(x, lo, hi, lw=14, **kw)


def _arm_scenarios(manifest: dict) -> list:
    """Each arm's scenario, None where it cannot be read (a saved game gone or changed)."""
    key = ex.manifest_key(manifest)
    return [_scenario_or_none(key, arm["scenario"]) for arm in manifest["arms"]]


def _arm_spans(manifest: dict) -> list[tuple[str, int] | None]:
    """Each arm's (start quarter, turns), None where its scenario cannot be read."""
    return [(str(sc.start_quarter), int(sc.turns)) if sc is not None else None for sc in _arm_scenarios(manifest)]


HYPOTHETICAL = " (hypothetical)"


def _titled(title: str, hypothetical: bool) -> str:
    """A scenario's title, saying '(hypothetical)' if it is one and the title does not say so."""
    return title + (HYPOTHETICAL if hypothetical and "hypothetical" not in title.lower() else "")


def hypothetical_arms(manifest: dict | None) -> list[bool]:
    """Per arm: does it play a hypothetical scenario (a policy variant or counterfactual)?"""
    if not manifest:
        return []
    return [bool(sc is not None and sc.hypothetical) for sc in _arm_scenarios(manifest)]


def display_names(names: list[str], manifest: dict | None) -> list[str]:
    """The arms' names as reports show them: an arm that plays a hypothetical scenario says so."""
    hyp = hypothetical_arms(manifest) or [False] * len(names)
    return [n + (HYPOTHETICAL if h and "hypothetical" not in n else "") for n, h in zip(names, hyp, strict=True)]


def _overridden(seats: dict, compare: dict | None) -> list[str]:
    out = [f"{a}: {p}" for a, p in seats.items() if not (compare and a == compare["actor"])]
    if compare:
        out.append(f"{compare['actor']}: per arm ({', '.join(compare['policies'])})")
    return out


def setting_lines(manifest: dict, final_quarters: list[str]) -> list[str]:
    """The experiment's scenario(s), seats and parameters, in words."""
    over = _overridden(manifest["seats"], manifest["compare"])
    changed = f"; overridden for this experiment: {'; '.join(over)}" if over else ""
    if manifest["from_save"]:
        saved = _saved_game(manifest)
        if saved is None:
            return [f"scenario: the saved game's, forked from `{manifest['from_save']}` (the file is gone or has "
                    "changed since the experiment began)", "seats: as saved" + changed,
                    "parameters: the saved game's"]
        played = saved.world.turn
        # a seat a person held in the saved game is played by its doctrine (wargame.runner.bot_seats)
        seats = {a: "doctrine (a person's seat in the save)" if p == "human" else p for a, p in saved.seats.items()}
        last = saved.timeline[-1]["quarter"] if saved.timeline else None
        after = (f"after {last} (turn {played} of {saved.scenario.turns}; those {played} quarters are the saved "
                 "game's, the same in every run)") if last else "at its start (no quarter played)"
        title = _titled(saved.scenario.title, saved.scenario.hypothetical)
        return [f"scenario: {saved.scenario.name} (as saved), \"{title}\", forked from `{manifest['from_save']}` {after}; "
                f"the futures play {_quarter_add(str(saved.scenario.start_quarter), played)}–{final_quarters[0]}",
                f"seats: as saved ({_policies(seats)})" + changed,
                "parameters: the saved game's" + (" (its own draw)" if saved.param_draw else " (the scenario's values)")]
    sampling = "Latin hypercube" if manifest["lhs"] else "per-run draws" if manifest["sample_params"] else "none (values)"
    key = ex.manifest_key(manifest)
    titled = []
    for name in manifest["scenarios"]:
        sc = _scenario_or_none(key, name)
        titled.append(name if sc is None else f'{name} ("{_titled(sc.title, sc.hypothetical)}")')
    return [f"scenario{'s' if len(titled) > 1 else ''}: {'; '.join(titled)}", "seats: scenario defaults" + changed,
            f"parameter sampling: {sampling}"]


def calendars(arm_names: list[str], spans: list, final_quarters: list[str]) -> str:
    """'baseline: 2025Q1-2030Q4, 24 turns; no-controls: 2023Q1-2030Q4, 32 turns'."""
    return "; ".join(f"{n}: {s[0]}-{fq}, {s[1]} turns" if s else f"{n}: ends {fq}"
                     for n, s, fq in zip(arm_names, spans, final_quarters, strict=True))


def different_calendars(spans: list, final_quarters: list[str]) -> bool:
    return len({s for s in spans if s is not None}) > 1 or len(set(final_quarters)) > 1


def caveat_lines(manifest: dict, arm_names: list[str], final_quarters: list[str]) -> list[str]:
    """A plain warning when arms play different calendars (start quarter or number of turns)."""
    spans = _arm_spans(manifest)
    if not different_calendars(spans, final_quarters):
        return []
    games = calendars(arm_names, spans, final_quarters)
    return ["> **Caveat: the arms play different calendars** (" + games + "). Runs are paired by run seed (run i of "
            "one arm against run i of another), not by a shared history; the figures below compare each arm's final "
            "quarter" + (f" ({final_quarters[0]})" if len(set(final_quarters)) == 1 else "") + "; the charts that "
            "overlay arms align them by calendar quarter, not by turn.", ""]


def thresholds_paragraph() -> str:
    """What the headline events' ratio thresholds were set from, exactly (THRESHOLD_BASIS)."""
    settings = "; ".join(f"{name}: stock ratio {st[0]:.1f}–{st[1]:.1f}, output ratio {out[0]:.1f}–{out[1]:.1f}"
                         for name, st, out in THRESHOLD_BASIS)
    return ("Thresholds: fixed, the same in every experiment (not fitted to this one). The stock ratio at 10 and 15 and "
            f"the output ratio at 20 were set from one measurement of {len(THRESHOLD_BASIS)} settings, "
            f"{THRESHOLD_RUNS} runs each at seed {THRESHOLD_SEED} with the scenarios' parameter values (no sampling), "
            f"where the final (2030Q4) values ran ({settings}); a stock ratio below 5 or an output ratio below 10 "
            "happened in none of those runs. Other scenarios, seats and sampled parameters were not measured, and the "
            "model may have changed since.")


def summary_md(result: dict, collected: dict, manifest: dict, final_quarters: list[str]) -> str:
    arms = result["arms"]
    names = display_names([a["name"] for a in arms], manifest)
    multi = len(arms) > 1
    fq = final_quarters[0] if len(set(final_quarters)) == 1 else "each arm's final quarter"
    n = manifest["runs"]
    lines = ["# Monte Carlo experiment", "",
             f"- runs per arm: {n}; seed {manifest['seed']} (run i plays game seed seed*1000003+i)",
             *(f"- {line}" for line in setting_lines(manifest, final_quarters)),
             (f"- arms: {', '.join(names)} (common random numbers: every arm plays the same seeds and draws)" if multi
              else f"- arm: {names[0]}"),
             f"- results_hash: `{result['results_hash']}`", ""]
    lines += caveat_lines(manifest, names, final_quarters)
    lines += ["## How to read the figures", "",
              f"Every figure is a value at the final quarter ({fq}) over the arm's {n} run{'s' if n != 1 else ''}: the mean "
              "and the 10th, 50th and 90th percentiles (p10: one run in ten ends lower). A flow (a unit 'per "
              f"quarter', or a share of one) is the value for that one quarter, {fq}, not a total over the game; a "
              "stock (installed compute, and the stock ratio) is what is in service at the end of "
              f"{fq}: earlier additions less retirements (`retire_per_quarter`, 1/16 a quarter at the scenarios' value: a "
              "4-year effective life), not everything ever "
              "installed. The mean's 95 % CI (Student's t over the runs) says how sure the mean is, not how "
              "widely runs spread (that is p10-p90); it narrows as 1/√runs, and is clipped at zero where a metric cannot "
              "be negative (and at 1 for a share). Each row is printed at one precision, "
              "set by its largest figure: '~0' is a value that rounds to zero beside it (exact values: the Parquet "
              "tables and results.json).", "",
              "| metric | id | unit | kind | what it counts |", "|---|---|---|---|---|"]
    for m in dict.fromkeys(TABLE_METRICS):
        lab = metric_label(m)
        stock = "stock: cumulative since the start" if lab.cumulative else "stock: in service at the quarter's end"
        kind = {"flow": "flow: that quarter alone", "stock": stock}.get(lab.kind, "level at the quarter's end")
        lines.append(f"| {lab.label} | `{m}` | {lab.unit} | {kind} | {lab.note} |")
    lines.append("")
    for name, arm, q, finals in zip(names, arms, final_quarters, collected["arms"], strict=True):
        lines += [f"## {name}: final quarter {q}", "", "| metric | mean | mean's 95 % CI | p10 | p50 | p90 |",
                  "|---|---:|---:|---:|---:|---:|"]
        for m in dict.fromkeys(TABLE_METRICS):
            cells = _summary_with_ci(arm["summary"][m], finals["final"].get(m), metric_label(m).bounds)
            lines.append(f"| {_metric_cell(m)} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [f"## Headline events at the final quarter ({fq})", "",
              "Runs in which the event happened, k of n, with the share and its 95 % interval (Wilson); "
              f"'{event_cell(0, n)}' means the event happened in none of the {n} runs: it is rare here, not "
              "impossible.", "",
              "| event | definition | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(arms)]
    for label, m, op, thr in EVENTS:
        cells = [event_cell(*event_count(a["final"][m], op, thr)) if m in a["final"] else "n/a" for a in collected["arms"]]
        lines.append(f"| P({label}) | `{m}` {op} {thr:g} {when(m, fq)} | " + " | ".join(cells) + " |")
    lines += ["", thresholds_paragraph(), ""]
    if multi:
        lines += [f"## Arms against {names[0]} (mean paired difference at the final quarter, 95 % CI)", "",
                  f"Each arm minus {names[0]}, run i against run i, in the metric's unit.", "",
                  "| metric | " + " | ".join(names[1:]) + " |", "|---|" + "---:|" * (len(arms) - 1)]
        for m in dict.fromkeys(TABLE_METRICS):
            lines.append(f"| {_metric_cell(m)} | " + " | ".join(_diff_cells([a["diff_vs_first"][m] for a in arms[1:]])) + " |")
        lines.append("")
    plots_line = "Plots: `plots/fan_<arm>.png` (each arm: p10-p90 band and median per quarter), `plots/final_hist.png` (final-quarter distributions)"
    if multi:
        plots_line += (", `plots/fan_arms_<metric>.png` (one chart per metric, every arm overlaid by calendar quarter), "
                       "`plots/compare.png` (paired differences against the first arm)")
    lines += [plots_line + ".", ""]
    return "\n".join(lines)


def safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _short_arm(name: str) -> str:
    """An arm's name with its scenario file's path cut to the file's name: arms are named
    `SCENARIO`, `ACTOR=POLICY` or `SCENARIO/ACTOR=POLICY`, and a scenario may be a path."""
    scenario, sep, seat = name.rpartition("/")
    if sep and "=" in seat and "=" not in scenario:
        return f"{Path(scenario).name}/{seat}"
    return Path(name).name if "=" not in name else name


def plot_labels(names: list[str], width: int = 28) -> list[str]:
    """The arms' names as plots show them: scenario files by their file names (by their paths'
    ends if two share a name), and no label longer than `width` (it keeps its end, which tells
    the arms apart); a whole path squeezes the axes to nothing."""
    short = [_short_arm(n) for n in names]
    if len(set(short)) < len(set(names)):
        short = list(names)
    return [s if len(s) <= width else "…" + s[-(width - 1):] for s in short]


def readable_ticks(axis, integer: bool = False) -> None:
    """At most five ticks, large numbers as 25k or 1.5M: a metric in H100e runs to millions, and
    matplotlib's own ticks for it overlap or hide the scale in an offset."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(5, integer=integer))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: short_number(x)))


PLOT_STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "xtick.labelsize": 11,
              "ytick.labelsize": 11, "legend.fontsize": 11, "figure.titlesize": 14}
LINESTYLES = ("-", "--", "-.", ":")


def _series(q: dict, m: str, p: str) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in q[m][p]], float)


TICK_LABEL_IN = 0.7  # inches of axis per quarter label ("2030Q4" at 11 pt and a gap)


def quarter_step(n: int, width_in: float) -> int:
    """Quarters between two labels: the smallest of 1, 2 quarters or a whole number of years that
    fits n quarters' labels into `width_in` inches of axis."""
    fit = max(2, int(width_in / TICK_LABEL_IN))
    for step in (1, 2, 4, 8, 12, 16, 20):
        if -(-n // step) <= fit:
            return step
    return 4 * -(-n // (4 * fit))


def _quarter_ticks(ax, quarters: list[str]) -> None:
    """Quarters named along the x axis, counted back from the last one (the final quarter the
    summary reports), as far apart as the axis's width needs: in a 2x2 panel a 24-quarter game
    is labelled every year, a 32-quarter one every two years."""
    n = len(quarters)
    step = quarter_step(n, ax.get_position().width * ax.figure.get_figwidth())
    at = list(range(n - 1, -1, -step))[::-1]
    ax.set_xticks(at, [quarters[i] for i in at])
    ax.set_xlim(-0.5, len(quarters) - 0.5)


def _wrapped(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _final_label(final_quarters: list[str]) -> str:
    return final_quarters[0] if len(set(final_quarters)) == 1 else "each arm's final quarter"


def _fan_per_arm(plt, pdir: Path, collected: dict, quantiles: list[dict], fork_after: str | None = None,
                 shown: list[str] | None = None) -> list[Path]:
    """fan_<arm>.png: one arm's four key metrics per quarter, with the same y-range in every arm's
    file (the x-ranges are the arms' own calendars). `shown`: the arms' names as the titles show them."""
    limits = {}
    for m in KEY_METRICS:
        vals = np.concatenate([np.concatenate([_series(q, m, "p10"), _series(q, m, "p90")]) for q in quantiles if m in q]
                              or [np.array([np.nan])])
        vals = vals[np.isfinite(vals)]
        if vals.size:
            lo, hi = float(vals.min()), float(vals.max())
            pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi) * 0.05, 1e-9)
            limits[m] = (min(0.0, lo) if lo >= 0 else lo - pad, hi + pad)
    written = []
    shown = shown or [a["name"] for a in collected["arms"]]
    for arm, q, title in zip(collected["arms"], quantiles, shown, strict=True):
        fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), constrained_layout=True)
        for ax, m in zip(axes.flat, KEY_METRICS, strict=True):
            lab = metric_label(m)
            ax.set_title(lab.label)
            ax.set_ylabel(_wrapped(lab.unit, 24))
            if m not in q:
                continue
            x = np.arange(len(q["quarters"]))
            _band(ax, x, _series(q, m, "p10"), _series(q, m, "p90"), alpha=0.3, color="C0", label="p10-p90 of runs")
            ax.plot(x, _series(q, m, "p50"), lw=2.5, color="C0", label="median", marker="o" if len(x) == 1 else None)
            if m in limits:
                ax.set_ylim(*limits[m])
            readable_ticks(ax.yaxis)
            _quarter_ticks(ax, q["quarters"])
            _mark_fork(ax, q["quarters"], fork_after)
            ax.grid(alpha=0.3)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
        fig.suptitle(f"{title}: {len(arm['seeds'])} runs, per quarter"
                     + (" (the same y-scales in every arm's chart)" if len(quantiles) > 1 else ""))
        path = pdir / f"fan_{safe_name(arm['name'])}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written


def _fan_overlay(plt, pdir: Path, collected: dict, quantiles: list[dict], fork_after: str | None = None,
                 labels: list[str] | None = None) -> list[Path]:
    """fan_arms_<metric>.png: every arm on one chart per metric, aligned by calendar quarter."""
    quarters = sorted({qq for q in quantiles for qq in q["quarters"]})
    at = {qq: i for i, qq in enumerate(quarters)}
    labels = labels or plot_labels([a["name"] for a in collected["arms"]])
    runs = len(collected["arms"][0]["seeds"])
    written = []
    for m in KEY_METRICS:
        lab = metric_label(m)
        fig, ax = plt.subplots(figsize=(11, 6), constrained_layout=True)
        for i, (q, name) in enumerate(zip(quantiles, labels, strict=True)):
            if m not in q:
                continue
            x = np.array([at[qq] for qq in q["quarters"]])
            colour, style = f"C{i % 10}", LINESTYLES[(i // 10 + i) % len(LINESTYLES)]
            _band(ax, x, _series(q, m, "p10"), _series(q, m, "p90"), alpha=0.12, color=colour, lw=0)
            ax.plot(x, _series(q, m, "p10"), lw=0.8, color=colour, ls=style)
            ax.plot(x, _series(q, m, "p90"), lw=0.8, color=colour, ls=style)
            ax.plot(x, _series(q, m, "p50"), lw=2.5, color=colour, ls=style, label=name, marker="o" if len(x) == 1 else None)
        ax.set_title(f"{lab.label}: median (thick line) and p10-p90 band (thin lines) of {runs} runs per arm",
                     fontsize=13)
        ax.set_ylabel(lab.unit)
        ax.set_xlabel("quarter (arms aligned by calendar quarter)")
        readable_ticks(ax.yaxis)
        _quarter_ticks(ax, quarters)
        _mark_fork(ax, quarters, fork_after, at)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", title="arm")
        path = pdir / f"fan_arms_{m}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written


HATCHES = ("", "//", "..", "xx", "\\\\", "oo")


def _histograms(plt, pdir: Path, collected: dict, final_quarters: list[str], labels: list[str] | None = None) -> Path:
    """final_hist.png: each key metric's final-quarter values on common bins; with several arms,
    side-by-side bars in each bin (one colour and hatch per arm), so a bin where arms tie shows
    every arm's bar instead of outlines drawn over each other."""
    labels = labels or plot_labels([arm["name"] for arm in collected["arms"]])
    multi = len(labels) > 1
    fq = _final_label(final_quarters)
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), constrained_layout=True)
    for ax, m in zip(axes.flat, KEY_METRICS, strict=True):
        lab = metric_label(m)
        readable_ticks(ax.xaxis)
        readable_ticks(ax.yaxis, integer=True)
        ax.set_ylabel("runs")
        ax.set_xlabel(_wrapped(lab.unit + (" (that quarter alone)" if lab.kind == "flow" else
                                           " (in service at the quarter's end)" if lab.kind == "stock" else ""), 40))
        ax.set_title(f"{lab.label}, {'in' if lab.kind == 'flow' else 'end of'} {fq}" if fq[0].isdigit() else lab.label)
        values = [v[np.isfinite(v)] for v in (arm["final"][m] for arm in collected["arms"])]
        pooled = np.concatenate(values)
        if not pooled.size:
            continue
        # one set of bins for every arm: an arm whose runs all end alike stays visible beside a spread one
        edges = np.histogram_bin_edges(pooled, bins=min(30, max(5, pooled.size // (4 * len(values)))))
        if multi:
            colours = [f"C{i % 10}" for i in range(len(values))]
            _, _, containers = ax.hist(values, bins=edges, histtype="bar", rwidth=0.9, color=colours, label=labels,
                                       edgecolor="black", linewidth=0.5)
            for i, bars in enumerate(containers):
                for bar in bars:
                    bar.set_hatch(HATCHES[i % len(HATCHES)])
        else:
            ax.hist(values[0], bins=edges, color="C0", alpha=0.8, label=labels[0])
        ax.grid(alpha=0.3)
    if multi:
        handles, names = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=min(4, len(names)), frameon=False,
                   title="arm (bars side by side in each bin)")
    runs = len(collected["arms"][0]["seeds"])
    fig.suptitle(f"Final quarter ({fq}): how {runs} runs" + (" per arm" if multi else f" of {labels[0]}") + " ended")
    path = pdir / "final_hist.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _compare(plt, pdir: Path, result: dict, final_quarters: list[str], runs: int, labels: list[str] | None = None,
             calendar_note: str = "") -> Path:
    """compare.png: each later arm minus the first, mean paired difference with its 95 % CI;
    `calendar_note` (arms on different calendars) goes under the title."""
    import textwrap

    first, *names = labels or plot_labels([a["name"] for a in result["arms"]])
    note = textwrap.wrap(calendar_note, 110)
    fig, axes = plt.subplots(2, 2, figsize=(12, 3.6 + 1.0 * len(names) + 0.25 * len(note)), sharey=True,
                             constrained_layout=True)  # the arms' names once, on the left
    for ax, m in zip(axes.flat, KEY_METRICS, strict=True):
        lab = metric_label(m)
        diffs = [a["diff_vs_first"][m] for a in result["arms"][1:]]
        means = [d["mean"] if d["mean"] is not None else np.nan for d in diffs]
        errs = [(d["ci95"][1] - d["mean"]) if d["ci95"] else 0.0 for d in diffs]
        ax.barh(range(len(names)), means, xerr=errs, height=0.5, capsize=6, color="C0", ecolor="k")
        ax.set_yticks(range(len(names)), names)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_title(lab.label, fontsize=13)
        ax.set_xlabel(f"paired difference, arm minus {first}\n({lab.unit}; bar: mean, whiskers: 95 % CI)")
        readable_ticks(ax.xaxis)
        ax.grid(axis="x", alpha=0.3)
    axes.flat[0].set_ylim(len(names) - 0.5, -0.5)  # the arms top to bottom, as in summary.md
    fig.suptitle(f"Each arm against {first} at the final quarter ({_final_label(final_quarters)})\n"
                 f"mean of {runs} paired differences (run i against run i) with its 95 % CI")
    if note:  # under the charts, where summary.md has its caveat: not a shared history
        fig.supxlabel("\n".join(note), fontsize=11, color="dimgrey")
    path = pdir / "compare.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _read_manifest(out: Path) -> dict | None:
    try:
        return ex.read_manifest(out)
    except ex.McError:
        return None


def plots(out: Path, collected: dict, quantiles: list[dict], result: dict, fork_after: str | None = None,
          manifest: dict | None = None) -> list[Path]:
    """The PNGs; `fork_after` (a forked experiment's last saved quarter) is marked on the fan charts.
    `manifest` (default: the one in `out`, if any) tells which arms play a hypothetical scenario,
    marked in titles and legends, and which play different calendars (noted on compare.png)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    pdir = out / "plots"
    pdir.mkdir(exist_ok=True)
    manifest = manifest if manifest is not None else _read_manifest(out)
    final_quarters = [q["quarters"][-1] if q["quarters"] else "?" for q in quantiles]
    runs = len(collected["arms"][0]["seeds"])
    names = [a["name"] for a in collected["arms"]]
    hyp = hypothetical_arms(manifest) or [False] * len(names)
    labels = [label + (HYPOTHETICAL if h and "hypothetical" not in label else "")
              for label, h in zip(plot_labels(names), hyp, strict=True)]
    note = ""
    if manifest and len(names) > 1:
        spans = _arm_spans(manifest)
        if different_calendars(spans, final_quarters):
            note = ("Caveat: the arms play different calendars (" + calendars(plot_labels(names), spans, final_quarters)
                    + "): paired by run seed, not by a shared history")
    with plt.rc_context(PLOT_STYLE):
        written = _fan_per_arm(plt, pdir, collected, quantiles, fork_after, display_names(names, manifest))
        if len(collected["arms"]) > 1:
            written += _fan_overlay(plt, pdir, collected, quantiles, fork_after, labels)
        written.append(_histograms(plt, pdir, collected, final_quarters, labels))
        if len(result["arms"]) > 1:
            written.append(_compare(plt, pdir, result, final_quarters, runs, labels, note))
    return written
