"""`wargame report SAVE`: the after-action report of one played game.

It replays the save's move log (a verified load) to rebuild the timeline with the public and
secret orders revealed, finds the turning points (each quarter in which a seat's orders moved
the headline outcomes most: the quarter replayed with the seat's default doctrine instead, both
branches then played on by bots on the same dice), and places the game among its possible
futures: Monte Carlo games (wargame/mc, tracked like any experiment) from the same start and
from each human seat's decisive quarter, with the played outcome's percentile on each headline
metric. Outcomes are compared at the save's last resolved quarter, so an unfinished game is
compared with futures at the same point.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wargame.ids import actor_label
from wargame.limits import MAX_RUNS

HEADLINE = (  # metric, label, how to print it
    ("us_china_stock_ratio", "US+allies:China AI compute stock ratio", "{:.2f}x"),
    ("china_self_sufficiency", "China's self-sufficiency (domestic share of new compute)", "{:.0%}"),
    ("nvidia_china_revenue_usd_b", "Nvidia's China revenue in the quarter (USD bn)", "{:.2f}"),
    ("smuggled_h100e", "Chips smuggled into China in the quarter (H100e)", "{:,.0f}"),
)
DEFAULT_FUTURES = 50
REPORT_FILES = ("report.md", "report.html", "report.json", "headline.png")  # futures-*/ beside them


class ReportError(Exception):
    """Bad input: one line, exit status 2."""


@dataclass(frozen=True)
class TurningPoint:
    actor: str
    turn: int
    quarter: str
    effect: float  # mean relative change of the headline metrics at the compared quarter
    played: dict[str, float]
    default: dict[str, float]


def _fmt(metric: str, value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return dict((m, f) for m, _, f in HEADLINE)[metric].format(value)


def _describe(move: dict) -> str:
    args = ", ".join(f"{k}={v}" for k, v in move.items() if k not in ("kind", "actor"))
    return f"{move['kind']}({args})"


# --- replaying the log -------------------------------------------------------------------------
def _fresh(session):
    """A new game from the save's start: same scenario, seed, parameter draw."""
    from wargame.session import GameSession

    return GameSession(session.scenario, session.seed, dict(session.seats), param_draw=session.param_draw)


def _apply(s, entry: dict) -> None:
    from wargame.scenario import Event

    if "seat" in entry:
        s.set_seat(entry["seat"]["actor"], entry["seat"]["policy"])
    elif "inject" in entry:
        s.inject(Event.model_validate(entry["inject"]))
    else:
        refusal = s.submit(entry["actor"], entry["move"])
        if refusal is not None:  # the save was verified on load, so this is a bug, not bad input
            raise RuntimeError(f"replay refused {entry}: {refusal}")


def timeline(session) -> list[dict]:
    """Per quarter: the events that opened it, every order (secret ones marked), the injects
    and seat changes, and who played each seat."""
    from wargame.moves import parse_move

    s = _fresh(session)
    quarters: list[dict] = []

    def start() -> None:
        quarters.append({"turn": s.world.turn + 1, "quarter": s.quarter, "news": list(s.world.news), "orders": [],
                         "facilitator": [], "humans": sorted(a for a in s.actors if s.seats[a] == "human"),
                         "seats": dict(s.seats)})

    start()
    for entry in session.moves:
        turn = s.world.turn
        _apply(s, entry)
        q = quarters[-1]
        if "seat" in entry:
            q["facilitator"].append(f"seat: {actor_label(entry['seat']['actor'])} played by {entry['seat']['policy']} from now")
            q["humans"] = sorted(a for a in s.actors if s.seats[a] == "human")
            q["seats"] = dict(s.seats)
        elif "inject" in entry:
            ev = entry["inject"]
            q["facilitator"].append(f"inject {ev['id']}: {'Hypothetical: ' if ev.get('hypothetical') else ''}{ev['description']}")
        elif entry["move"]["kind"] != "pass":
            secret = parse_move(entry["move"]).secret
            q["orders"].append({"actor": entry["actor"], "order": _describe(entry["move"]), "secret": secret})
        if s.world.turn != turn and not s.is_over:
            start()
    if quarters and not quarters[-1]["orders"] and not quarters[-1]["facilitator"] and s.world.turn == session.world.turn \
            and quarters[-1]["turn"] > session.world.turn:
        quarters[-1]["unplayed"] = True
    return quarters


def _phase_bounds(session) -> list[tuple[int, str, int, int]]:
    """(turn, actor, first entry index, index after its pass) for every seat-phase in the log."""
    out, begin = [], 0
    for i, entry in enumerate(session.moves):
        if "move" not in entry:  # a facilitator's entry belongs to no seat's phase
            if begin == i:
                begin = i + 1
        elif entry["move"]["kind"] == "pass":
            out.append((entry["turn"], entry["actor"], begin, i + 1))
            begin = i + 1
    return out


def _finish(s, until_turn: int) -> dict[str, float]:
    """Bots play `s` on until `until_turn` quarters are resolved (a quarter under way counts as
    one); the headline metrics of that quarter."""
    from wargame.runner import bot_seats, make_seats, play

    play(s, make_seats(s, bot_seats(s)), until_turn - s.world.turn)
    rec = s.timeline[until_turn - 1]
    return {m: float(rec[m]) for m, _, _ in HEADLINE}


def _effect(a: dict[str, float], b: dict[str, float]) -> float:
    terms = []
    for m, _, _ in HEADLINE:
        scale = max(abs(a[m]), abs(b[m]), 1e-9)
        terms.append(abs(a[m] - b[m]) / scale)
    return float(np.mean(terms))


def turning_points(session, seats: dict[int, set[str]]) -> list[TurningPoint]:
    """For each phase of a seat in `seats[turn]`: the game with its orders as played, and with
    the seat's default doctrine deciding that phase instead, both continued by bots on the same
    dice to the save's last resolved quarter."""
    from policies.registry import make_policy
    from wargame.runner import play_phase

    horizon = session.world.turn
    if horizon < 1:
        return []
    s = _fresh(session)
    done, out = 0, []
    for turn, actor, begin, end in _phase_bounds(session):
        if turn > horizon:
            break
        for entry in session.moves[done:begin]:
            _apply(s, entry)
        done = begin
        if actor not in seats.get(turn, ()):
            continue
        played = copy.deepcopy(s)
        for entry in session.moves[begin:end]:
            _apply(played, entry)
        default = copy.deepcopy(s)
        play_phase(default, actor, make_policy("default", actor))
        a, b = _finish(played, horizon), _finish(default, horizon)
        out.append(TurningPoint(actor, turn, format_quarter_of(session, turn), _effect(a, b), a, b))
    return out


def format_quarter_of(session, turn: int) -> str:
    from wargame.ids import format_quarter, parse_quarter

    return format_quarter(parse_quarter(session.scenario.start_quarter) + turn - 1)


def fork_at(session, turn: int):
    """The game replayed up to the start of `turn` (before any of its orders)."""
    from wargame.session import GameSession

    before = [e for e in session.moves if e["turn"] < turn]  # the log is in turn order
    return GameSession.replay(session.scenario, session.seed, before, dict(session.seats), session.param_draw)


# --- futures (wargame/mc) ----------------------------------------------------------------------
def futures(start, runs: int, out: Path, workers: int, track: bool) -> dict:
    """`runs` bot games continuing `start` (a session) with new dice: the Monte Carlo machinery
    (`wargame mc --from-save`), so they land in Parquet with plots and MLflow tracking."""
    from wargame.mc import experiment as ex
    from wargame.mc.command import finish_experiment

    out.mkdir(parents=True, exist_ok=True)
    save = out / "start.json"
    start.save(save, force=True)
    manifest = ex.build_manifest(None, runs, 0, [], None, None, False, False, str(save), None)
    ex.write_json_atomic(out / ex.MANIFEST, manifest)
    obj, _, _, _ = finish_experiment(out, manifest, workers, track=track)
    return obj


def values_at(out: Path, turn: int) -> dict[str, np.ndarray]:
    """Each future's headline metrics at `turn`, in run order (from the experiment's Parquet)."""
    import pyarrow.dataset as ds

    table = ds.dataset(str(out / "turns"), format="parquet").to_table(columns=["run", "turn", *(m for m, _, _ in HEADLINE)])
    rows = sorted((r for r in table.to_pylist() if r["turn"] == turn), key=lambda r: r["run"])
    return {m: np.array([r[m] for r in rows], float) for m, _, _ in HEADLINE}


def percentile(played: float, others: np.ndarray) -> float:
    """The share of futures below the played value, ties counted half (in %)."""
    o = others[np.isfinite(others)]
    if not o.size:
        return math.nan
    return float(100.0 * (np.sum(o < played) + 0.5 * np.sum(o == played)) / o.size)


# --- the report ----------------------------------------------------------------------------------
def _chart(session, fut: dict[str, np.ndarray] | None, quantiles: dict | None, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from wargame.mc.report import readable_ticks

    recs = session.timeline
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
    x = np.arange(1, len(recs) + 1)
    for ax, (m, label, _) in zip(axes.flat, HEADLINE, strict=True):
        if quantiles and m in quantiles:
            qx = np.array(quantiles["turns"])
            keep = qx <= len(recs)
            lo, hi = (np.array([np.nan if v is None else v for v in quantiles[m][p]], float)[keep] for p in ("p10", "p90"))
            ax.fill_between(qx[keep], lo, hi, alpha=0.25, label="bot futures p10-p90")
        ax.plot(x, [r[m] for r in recs], lw=2.2, color="black", label="played")
        ax.set_title(label, fontsize=9)
        readable_ticks(ax.yaxis)
        step = max(1, len(x) // 6)
        ax.set_xticks(x[::step], [r["quarter"] for r in recs][::step], fontsize=8)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _overwrites(out: Path, save: Path) -> str | None:
    """Where the report's own files (report.*, headline.png, futures-*/) would land on the save."""
    if not save.is_file():
        return None
    target, root = save.resolve(), out.resolve()
    if target.parent == root and target.name in REPORT_FILES:
        return str(save)
    if root in target.parents and target.relative_to(root).parts[0].startswith("futures-"):
        return str(save)
    return None


def _forget_old_futures(out: Path) -> None:
    """A report written again into the same directory plays its futures anew: an earlier report's
    games (of this save, or of another with the same seeds) must not be taken for this one's."""
    import shutil

    from wargame.mc.experiment import MANIFEST

    for d in out.glob("futures-*"):
        if d.is_dir() and (d / MANIFEST).is_file():
            shutil.rmtree(d)


def run_report(save: str, n_futures: int | None = None, out: Path | None = None, fmt: str = "md",
               workers: int = 1, track: bool = True) -> Path:
    from wargame.mc import experiment as ex
    from wargame.session import GameSession

    if fmt not in ("md", "html"):
        raise ReportError(f"--format {fmt!r}: allowed: md, html")
    n = DEFAULT_FUTURES if n_futures is None else n_futures
    if n < 2:
        raise ReportError(f"--futures {n}: must be at least 2 (a percentile needs other games)")
    if n > MAX_RUNS:
        raise ReportError(f"--futures {n}: at most {MAX_RUNS:,} (the largest Monte Carlo arm)")
    session = GameSession.load(save)
    if session.world.turn < 1:
        raise ReportError(f"{save}: no quarter has been played yet; a report needs at least one")
    out = out or Path("runs") / "reports" / Path(save).stem
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out}: exists and is not a directory")
    clash = _overwrites(out, Path(save))
    if clash:
        raise ReportError(f"--out {out}: the report would overwrite or delete the save itself ({clash}); "
                          "write the report to another directory")
    out.mkdir(parents=True, exist_ok=True)
    _forget_old_futures(out)
    horizon = session.world.turn
    played = {m: float(session.timeline[horizon - 1][m]) for m, _, _ in HEADLINE}
    tl = timeline(session)
    humans = sorted({a for q in tl for a in q["humans"]})
    # a seat played by its default doctrine would be compared with itself: only the others count
    chosen = {q["turn"]: {a for a, p in q["seats"].items() if p not in ("default", "doctrine")} for q in tl}
    points = turning_points(session, chosen)
    decisive = {a: max((p for p in points if p.actor == a), key=lambda p: (p.effect, -p.turn)) for a in humans
                if any(p.actor == a for p in points)}
    forks = [("the start", 1, out / "futures-start")]
    forks += [(f"{actor_label(a)}'s decisive quarter, {p.quarter}", p.turn, out / f"futures-{a}-{p.quarter}")
              for a, p in sorted(decisive.items())]
    fut_results = []
    for label, turn, fdir in forks:
        obj = futures(fork_at(session, turn), n, fdir, workers, track)
        fut_results.append((label, turn, values_at(fdir, horizon), obj))
    start = out / "futures-start"  # written just now by futures(): its manifest needs no resume checks
    quantiles = ex.turn_quantiles(start, json.loads((start / ex.MANIFEST).read_text()), 0,
                                  tuple(m for m, _, _ in HEADLINE))
    chart = _chart(session, fut_results[0][2], quantiles, out / "headline.png")
    text = render(session, tl, points, decisive, fut_results, played, horizon, n, chart.name, fmt)
    path = out / f"report.{fmt}"
    if fmt == "html":
        b64 = base64.b64encode(chart.read_bytes()).decode()
        text = text.replace(f'src="{chart.name}"', f'src="data:image/png;base64,{b64}"')
    path.write_text(text)
    (out / "report.json").write_text(json.dumps({
        "save": str(save), "quarter": session.timeline[horizon - 1]["quarter"], "played": played,
        "percentiles": {label: {m: percentile(played[m], vals[m]) for m, _, _ in HEADLINE} for label, _, vals, _ in fut_results},
        "mlflow_run_ids": {label: obj.get("mlflow_run_id") for label, _, _, obj in fut_results},
        "turning_points": [p.__dict__ for p in sorted(points, key=lambda p: -p.effect)[:10]],
    }, indent=1, sort_keys=True, allow_nan=True))
    return path


def render(session, tl, points, decisive, fut_results, played, horizon, n, chart_name, fmt) -> str:
    """The report as Markdown, or as a self-contained HTML page (the chart inlined later)."""
    last = session.timeline[horizon - 1]
    md: list[str] = [f"# After-action report: {session.scenario.title}", ""]
    md.append(f"Scenario `{session.scenario.name}`{' (hypothetical)' if session.scenario.hypothetical else ''}, "
              f"seed {session.seed}, {horizon} of {session.scenario.turns} quarters played "
              f"({session.timeline[0]['quarter']} to {last['quarter']}).")
    humans = sorted({a for q in tl for a in q["humans"]})
    md.append("Human seats: " + (", ".join(actor_label(a) for a in humans) if humans else "none (every seat a bot)") + ".")
    md += ["", "## Outcomes and the game among its possible futures", ""]
    md.append(f"Each percentile is the share of {n} bot games (every seat its bot, human seats their default doctrine, "
              f"new dice) that ended {last['quarter']} below the played value.")
    md.append("")
    header = "| metric | played | " + " | ".join(f"percentile vs futures from {label}" for label, _, _, _ in fut_results) + " |"
    md += [header, "|" + "---|" * (2 + len(fut_results))]
    for m, label, _ in HEADLINE:
        cells = [f"{percentile(played[m], vals[m]):.0f} %" for _, _, vals, _ in fut_results]
        md.append(f"| {label} | {_fmt(m, played[m])} | " + " | ".join(cells) + " |")
    md.append("")
    for m, label, _ in HEADLINE:
        pct = percentile(played[m], fut_results[0][2][m])
        if math.isfinite(pct):
            md.append(f"- {label} in {last['quarter']} was above {pct:.0f} % of bot games from the same start.")
    md += ["", f"![Headline metrics as played, with the bot futures' p10-p90 band]({chart_name})", ""]
    md += ["## Scores", "", "| actor | seat | mean score | last quarter |", "|---|---|---|---|"]
    for a in session.actors:
        vals = [r[f"score_{a}"] for r in session.timeline[:horizon]]
        md.append(f"| {actor_label(a)} | {session.seats[a]} | {np.mean(vals):.3f} | {vals[-1]:.3f} |")
    md += ["", "## Turning points", ""]
    if points:
        md.append(f"Each row replays one seat's orders of one quarter with its default doctrine instead; both branches "
                  f"are played on by bots on the same dice to {last['quarter']}. Effect: mean relative change of the "
                  f"four headline metrics.")
        md += ["", "| quarter | seat | effect | its orders as given | the default doctrine's instead |", "|---|---|---|---|---|"]
        for p in sorted(points, key=lambda p: (-p.effect, p.turn, p.actor))[:8]:
            a = "; ".join(f"{_fmt(m, p.played[m])}" for m, _, _ in HEADLINE)
            b = "; ".join(f"{_fmt(m, p.default[m])}" for m, _, _ in HEADLINE)
            md.append(f"| {p.quarter} | {actor_label(p.actor)} | {p.effect:.1%} | {a} | {b} |")
        for a, p in sorted(decisive.items()):
            md.append(f"\n{actor_label(a)}'s decisive quarter: {p.quarter} (effect {p.effect:.1%}).")
    else:
        md.append("Every seat played its default doctrine throughout, so no quarter's orders differ from what the "
                  "default would have given: there is no turning point to find.")
    md += ["", "## Timeline (secret orders revealed)", ""]
    for q in tl:
        if q["turn"] > horizon:
            break
        md.append(f"### {q['quarter']}")
        for item in q["news"]:
            md.append(f"- event: {item}")
        for item in q["facilitator"]:
            md.append(f"- facilitator: {item}")
        for o in q["orders"]:
            md.append(f"- {actor_label(o['actor'])}{' (human)' if o['actor'] in q['humans'] else ''}: {o['order']}"
                      f"{' **[secret]**' if o['secret'] else ''}")
        md.append("")
    text = "\n".join(md).rstrip() + "\n"
    return text if fmt == "md" else _html(text, session.scenario.title)


def _html(md_text: str, title: str) -> str:
    """A small Markdown-to-HTML for the report's own constructs (headings, lists, tables, image)."""
    body, table = [], False
    for line in md_text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(set(c) <= {"-"} for c in cells):
                continue
            if not table:
                body.append("<table>")
                table = True
                body.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells) + "</tr>")
            else:
                body.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in cells) + "</tr>")
            continue
        if table:
            body.append("</table>")
            table = False
        if line.startswith("!["):
            alt, src = line[2:].split("](")
            body.append(f'<p><img alt="{html.escape(alt)}" src="{html.escape(src[:-1])}"></p>')
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            body.append(f"<li>{_inline(line[2:])}</li>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    if table:
        body.append("</table>")
    css = ("body{font-family:DejaVu Sans,Arial,sans-serif;max-width:60em;margin:2em auto;color:#111}"
           "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}"
           "th{background:#eee}img{max-width:100%}li{margin:.15em 0}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{css}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _inline(text: str) -> str:
    out = html.escape(text)
    while "**" in out:
        out = out.replace("**", "<b>", 1).replace("**", "</b>", 1)
    return out.replace("`", "")
