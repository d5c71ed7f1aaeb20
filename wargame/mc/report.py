"""summary.md and the plots of an experiment (matplotlib, Agg backend, imported here only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wargame.mc.experiment import KEY_METRICS, TRACK_METRICS
from wargame.numbers import short_number

# headline events at the final turn: (label, metric, comparison, threshold)
EVENTS = (
    ("US:China compute stock ratio < 10", "us_china_stock_ratio", "<", 10.0),
    ("US:China compute stock ratio < 5", "us_china_stock_ratio", "<", 5.0),
    ("US:China top-chip output ratio < 10", "us_china_output_ratio", "<", 10.0),
    ("China self-sufficiency >= 70 %", "china_self_sufficiency", ">=", 0.7),
)
TABLE_METRICS = TRACK_METRICS + ("china_self_sufficiency",)


def _fmt(x) -> str:
    """A figure in the summary: three significant figures, 13.7M and 66.4k (a reader compares
    arms at a glance; the exact values are in the Parquet tables and results.json)."""
    return "n/a" if x is None else short_number(x)


def probability(values: np.ndarray, op: str, threshold: float) -> float | None:
    v = values[np.isfinite(values)]
    if not v.size:
        return None
    return float(np.mean(v < threshold if op == "<" else v >= threshold))


def event_table(collected: dict) -> list[tuple[str, list[float | None]]]:
    return [(label, [probability(a["final"][m], op, thr) if m in a["final"] else None for a in collected["arms"]])
            for label, m, op, thr in EVENTS]


def text_table(result: dict, metrics=TABLE_METRICS) -> str:
    """The readable table the CLI prints: per arm, key metrics at the final turn."""
    metrics = list(dict.fromkeys(metrics))
    lines = []
    multi = len(result["arms"]) > 1
    for arm in result["arms"]:
        lines.append(f"arm {arm['name']}")
        rows = [["metric", "mean", "p10", "p50", "p90"] + (["diff vs first [95% CI]"] if multi else [])]
        for m in metrics:
            s = arm["summary"][m]
            row = [m, _fmt(s["mean"]), _fmt(s["p10"]), _fmt(s["p50"]), _fmt(s["p90"])]
            if multi:
                d = arm["diff_vs_first"][m]
                ci = d["ci95"]
                row.append(f"{_fmt(d['mean'])} [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else _fmt(d["mean"]))
            rows.append(row)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for j, r in enumerate(rows):
            lines.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
            if j == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        lines.append("")
    return "\n".join(lines).rstrip()


def summary_md(result: dict, collected: dict, manifest: dict, final_quarters: list[str]) -> str:
    arms = result["arms"]
    sampling = "Latin hypercube" if manifest["lhs"] else "per-run draws" if manifest["sample_params"] else "none (values)"
    lines = ["# Monte Carlo experiment", "",
             f"- runs per arm: {manifest['runs']}; seed {manifest['seed']} (run i plays game seed seed*1000003+i)",
             f"- scenario(s): {', '.join(s or 'saved game' for s in manifest['scenarios'])}"
             + (f"; forked from {manifest['from_save']}" if manifest["from_save"] else ""),
             f"- seats: {manifest['seats'] or 'scenario defaults'}; parameter sampling: {sampling}",
             f"- arms: {', '.join(a['name'] for a in arms)} (common random numbers: every arm plays the same seeds and draws)",
             f"- results_hash: `{result['results_hash']}`", ""]
    for arm, fq in zip(arms, final_quarters, strict=True):
        lines += [f"## {arm['name']}: final turn ({fq})", "", "| metric | mean | p10 | p50 | p90 |", "|---|---:|---:|---:|---:|"]
        for m in dict.fromkeys(TABLE_METRICS):
            s = arm["summary"][m]
            lines.append(f"| {m} | {_fmt(s['mean'])} | {_fmt(s['p10'])} | {_fmt(s['p50'])} | {_fmt(s['p90'])} |")
        lines.append("")
    lines += ["## Headline events at the final turn", "", "| event | " + " | ".join(a["name"] for a in arms) + " |",
              "|---|" + "---:|" * len(arms)]
    for label, probs in event_table(collected):
        lines.append(f"| P({label}) | " + " | ".join("n/a" if p is None else f"{p:.2f}" for p in probs) + " |")
    lines.append("")
    if len(arms) > 1:
        lines += [f"## Arms against {arms[0]['name']} (mean paired difference, 95 % CI)", "",
                  "| metric | " + " | ".join(a["name"] for a in arms[1:]) + " |", "|---|" + "---:|" * (len(arms) - 1)]
        for m in dict.fromkeys(TABLE_METRICS):
            cells = []
            for a in arms[1:]:
                d = a["diff_vs_first"][m]
                ci = d["ci95"]
                cells.append(f"{_fmt(d['mean'])} [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else _fmt(d["mean"]))
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["Plots: `plots/fan_<arm>.png` (p10-p90 band and median per turn), `plots/final_hist.png`"
              + (", `plots/compare.png`" if len(arms) > 1 else "") + ".", ""]
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


def plots(out: Path, collected: dict, quantiles: list[dict], result: dict) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    pdir = out / "plots"
    pdir.mkdir(exist_ok=True)
    written = []
    for arm, q in zip(collected["arms"], quantiles, strict=True):
        fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
        for ax, m in zip(axes.flat, KEY_METRICS, strict=True):
            if m not in q:
                continue
            x = np.array(q["turns"])
            lo, mid, hi = (np.array([np.nan if v is None else v for v in q[m][p]], float) for p in ("p10", "p50", "p90"))
            ax.fill_between(x, lo, hi, alpha=0.3, label="p10-p90")
            ax.plot(x, mid, lw=2, label="median")
            ax.set_title(m)
            readable_ticks(ax.yaxis)
            step = max(1, len(x) // 6)
            ax.set_xticks(x[::step], q["quarters"][::step])
            ax.grid(alpha=0.3)
        axes.flat[0].legend()
        fig.suptitle(f"{arm['name']}: {len(arm['seeds'])} runs")
        path = pdir / f"fan_{safe_name(arm['name'])}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    labels = plot_labels([arm["name"] for arm in collected["arms"]])
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
    for ax, m in zip(axes.flat, KEY_METRICS, strict=True):
        readable_ticks(ax.xaxis)
        readable_ticks(ax.yaxis, integer=True)
        ax.set_ylabel("runs")
        ax.set_title(f"{m} (final turn)")
        values = [v[np.isfinite(v)] for v in (arm["final"][m] for arm in collected["arms"])]
        pooled = np.concatenate(values)
        if not pooled.size:
            continue
        # one set of bins for every arm: an arm whose runs all end alike stays visible beside a spread one
        edges = np.histogram_bin_edges(pooled, bins=min(30, max(5, pooled.size // (4 * len(values)))))
        for v, label in zip(values, labels, strict=True):
            if v.size:
                ax.hist(v, bins=edges, alpha=0.5, label=label)
    if axes.flat[0].get_legend_handles_labels()[0]:
        axes.flat[0].legend(fontsize=8)
    path = pdir / "final_hist.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)
    if len(result["arms"]) > 1:
        fig, axes = plt.subplots(1, len(KEY_METRICS), figsize=(4 * len(KEY_METRICS), 4), sharey=True,
                                 constrained_layout=True)  # the arms' names once, on the left
        first, *names = plot_labels([a["name"] for a in result["arms"]])
        for ax, m in zip(axes, KEY_METRICS, strict=True):
            means = [a["diff_vs_first"][m]["mean"] or 0.0 for a in result["arms"][1:]]
            errs = [(a["diff_vs_first"][m]["ci95"][1] - a["diff_vs_first"][m]["mean"]) if a["diff_vs_first"][m]["ci95"] else 0.0
                    for a in result["arms"][1:]]
            ax.barh(range(len(names)), means, xerr=errs, capsize=4)
            ax.set_yticks(range(len(names)), names)
            ax.axvline(0, color="k", lw=0.8)
            ax.set_title(f"{m}\nvs {first}", fontsize=9)
            readable_ticks(ax.xaxis)
        path = pdir / "compare.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written
