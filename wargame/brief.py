"""Role briefings for an exercise (`wargame brief`): one packet per seat, in Markdown or HTML.

A packet is what a player reads before the first quarter: who the seat is and how it is scored,
the situation at the start with each figure's source, every order it can give with what it does,
what it costs and its limits on the first turn, what it can and cannot see, a one-page rules
summary and the cited sources. Nothing is typed in twice: the orders come from
`wargame.orders.order_kinds` on the seat's first turn, visibility from the fog-of-war tables
(`observation`, `metrics`), the scoring words from `ui.intel.score_rule` (checked against the
weights read out of `metrics.score`), figures and sources from the scenario and
../shared/calibration/targets.yaml. A briefing shows only what its seat may see at the start.

Both formats render one list of blocks, so the Markdown and the HTML say the same thing. Text
may carry `code` and [link](url) spans; the HTML escapes everything else, inlines its CSS and
its one chart (a base64 PNG) and so can be emailed or printed as it is.
"""

from __future__ import annotations

import ast
import base64
import fnmatch
import functools
import html
import inspect
import io
import math
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ui.intel import ESTIMATES, OBJECTIVES, OWN_FIELDS, RECORD_LABELS, US_INTEL, score_rule
from wargame import metrics
from wargame.distributions import support
from wargame.ids import actor_label, format_quarter, parse_quarter
from wargame.metrics import CHINA_BLOC, CONTRACT_KEYS
from wargame.numbers import short_number
from wargame.observation import _ESTIMATED, PUBLIC_FIELDS, TIER2_PUBLIC, sees_truth
from wargame.orders import KIND_TEXT, OrderKind, number_text, order_kinds, value_label
from wargame.runner import bot_seats, make_seats, play_phase
from wargame.safe_write import UnsafeTarget, write_atomic
from wargame.scenario import Scenario, load_scenario
from wargame.session import MAX_ORDERS_PER_TURN, GameSession
from wargame.state import World

FORMATS = ("md", "html")
DEFAULT_SCENARIO = "baseline"
TARGETS_FILE = Path(__file__).resolve().parents[2] / "shared" / "calibration" / "targets.yaml"


class BriefError(Exception):
    """Bad input to `wargame brief`: one line naming the flag and what is allowed."""


# -- the document: blocks both renderers understand ----------------------------------------
@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    style: str = ""  # "" | "note" | "label" (a hypothetical marker)


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    png: bytes
    alt: str
    caption: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Bullets | Table | Figure | PageBreak


def block_texts(blocks: Iterable[Block]) -> Iterator[str]:
    """Every string a list of blocks shows (a chart's alt text and caption included)."""
    for b in blocks:
        if isinstance(b, (Heading, Para)):
            yield b.text
        elif isinstance(b, Bullets):
            yield from b.items
        elif isinstance(b, Table):
            yield from b.headers
            yield from (c for row in b.rows for c in row)
        elif isinstance(b, Figure):
            yield b.alt
            yield b.caption


# -- numbers and labels --------------------------------------------------------------------
def show(value: Any) -> str:
    """A state value in words, for fields the seat panel has no format for."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return short_number(value)
    if isinstance(value, str):
        return value_label(value)
    if isinstance(value, dict):
        return ", ".join(f"{value_label(str(k))} {show(v)}" for k, v in sorted(value.items())) or "none"
    if isinstance(value, list):
        if value and all(isinstance(e, list) and len(e) == 2 for e in value):  # a [turn ready, amount] pipeline
            return f"{short_number(math.fsum(e[1] for e in value))} under way"
        return ", ".join(show(v) for v in value) or "none"
    return str(value)


# record keys the seat panel has no label for
KEY_LABELS: dict[str, str] = {
    "us_ai_chip_output_h100e": "US AI-chip output",
    "china_ai_chip_output_h100e": "China's domestic AI-chip output",
    "us_china_output_ratio": "US:China AI-chip output ratio",
    "cloud_leak_h100e": "Compute rented abroad by Chinese firms",
    "china_ai_power_gw": "Power drawn by China's AI fleet (GW)",
}


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def key_label(key: str) -> str:
    if key.startswith("tier2_alignment_"):
        return f"{possessive(actor_label(key.removeprefix('tier2_alignment_')))} alignment (-1 China, +1 US)"
    if key.startswith("score_"):
        return f"{possessive(actor_label(key.removeprefix('score_')))} score"
    if key in RECORD_LABELS:
        return RECORD_LABELS[key][0]
    if key in ESTIMATES:
        return ESTIMATES[key][0]
    return KEY_LABELS.get(key, key.replace("_", " ").capitalize())


def group(scenario: Scenario, actor: str) -> str:
    """The seat's kind: its own id, or "tier2" for every Tier-2 nation."""
    return "tier2" if actor in scenario.tier2 else actor


# state fields the seat panel does not show, in words
FIELD_WORDS: dict[str, str] = {
    "licence_decision": "Ruling on a licence this quarter",
    "intel_huawei_chips": "Intelligence estimate of Ascend output",
    "intel_china_stock_h100e": "Intelligence estimate of China's installed compute",
    "intel_smuggled_h100e": "Intelligence estimate of smuggled chips",
    "intel_smic_yield": "Intelligence estimate of SMIC's yield",
    "design_ready_turn": "Turn the China chip design is ready",
    "licence_requested_turn": "Turn the licence was requested",
    "rd_stock_usd_b": "Ascend R&D stock (USD billion)",
    "packaging_pipeline": "Packaging lines under construction",
}


def field_label(grp: str, name: str) -> str:
    for field, label, _ in OWN_FIELDS.get(grp, ()):
        if field == name:
            return label
    return FIELD_WORDS.get(name, name.replace("_", " ").capitalize())


def field_value(grp: str, name: str, value: Any) -> str:
    for field, _, fmt in OWN_FIELDS.get(grp, ()):
        if field == name:
            return str(fmt(value)).replace("\u00a0", " ")
    return show(value)


# -- what the scenario cites ----------------------------------------------------------------
@functools.cache
def _targets(path: Path) -> dict[str, dict] | None:
    """Rows of the targets file by id, or None where the file is absent (an installed package)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        return None
    rows = {}
    for section in (data or {}).values():
        for row in section if isinstance(section, list) else ():
            if isinstance(row, dict) and "id" in row:
                rows[str(row["id"])] = row
    return rows


def targets() -> dict[str, dict] | None:
    return _targets(TARGETS_FILE)


def _known_ids(scenario: Scenario) -> set[str]:
    rows = targets()
    if rows is not None:
        return set(rows)
    explicit = {p.source for p in scenario.parameters.values()} | {e.source for e in scenario.events}
    return {s for s in explicit | {e.source for e in scenario.random_events} if s}


def cited_ids(texts: Iterable[str], known: set[str]) -> list[str]:
    """Source ids named in the texts, in id order (A1, A2, ..., H1, H1b, H2, ...)."""
    out = {t for text in texts for t in re.findall(r"(?<![\w-])[A-Z]{1,2}\d{1,2}[a-z]?(?![\w])", text) if t in known}
    return sorted(out, key=lambda t: (re.sub(r"\d.*", "", t), int(re.sub(r"\D", "", t)), t))


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k} {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " to ".join(_value_text(v) for v in value) if len(value) == 2 else ", ".join(_value_text(v) for v in value)
    return str(value)


def source_line(sid: str) -> str:
    """'S5: wafers/month dedicated to AI accelerators: 7000 wafers/month (2025). Morgan Stanley note,
    Sep 2025; confidence medium.' or the id alone when the targets file is absent."""
    row = (targets() or {}).get(sid)
    if row is None:
        return f"**{sid}**"
    what = str(row.get("quantity", ""))
    if "value" in row:
        unit = f" {row['unit']}" if row.get("unit") else ""
        what += f": {_value_text(row['value'])}{unit}"
    if row.get("year") is not None:
        what += f" ({_value_text(row['year'])})"
    parts = [f"**{sid}**: {what}."]
    if row.get("source"):
        parts.append(f"{row['source']}.")
    if row.get("url"):
        parts.append(f"[{row['url']}]({row['url']})")
    if row.get("confidence"):
        parts.append(f"Confidence: {row['confidence']}.")
    return " ".join(parts)


def field_source(scenario: Scenario, actor: str, field: str) -> str:
    path = f"tier2.{actor}.{field}" if actor in scenario.tier2 else f"{actor}.{field}"
    return scenario.initial_sources.get(path, "")


# -- the first turn: what the seat may order ------------------------------------------------
def first_turn_orders(scenario: Scenario) -> dict[str, list[OrderKind]]:
    """Every seat's order kinds on its first turn, open and closed: the seats before it have
    ordered as the scenario's bots would (a person's seat as its doctrine)."""
    session = GameSession(scenario, 0)
    seats = make_seats(session, bot_seats(session))
    out: dict[str, list[OrderKind]] = {}
    for i, actor in enumerate(scenario.actors):
        out[actor] = order_kinds(session, actor)
        if i + 1 < len(scenario.actors):  # the last seat's pass would resolve the quarter
            play_phase(session, actor, seats[actor])
    return out


def _field_text(f) -> str:
    bounds = f.bounds_text()
    if f.kind == "amount" and "=" in f.unit:  # a unit that explains the scale: "0 = bulk .. 1 = many small parcels"
        bounds = f"{number_text(f.lo)} to {number_text(f.hi)} ({f.unit})"
    text = f"{f.label}: {bounds}"
    if f.current is not None and not isinstance(f.current, (dict, list)):
        now = number_text(f.current) if f.kind == "amount" else value_label(f.current)
        text += f" (now {now})"
    return text + (f"; {f.why}" if f.why else "")


def order_blocks(kinds: list[OrderKind]) -> list[Block]:
    rows = tuple((k.label, "open" if k.is_open else "closed", "secret" if k.secret else "public") for k in kinds)
    rows += ((KIND_TEXT["pass"][0], "open", "public"),)
    blocks: list[Block] = [
        Para(f"As on your first turn, after the seats before you have ordered as the scenario's bots would. You may give up "
             f"to {MAX_ORDERS_PER_TURN} orders a quarter, at most one of each kind for each target, and end with "
             f"{KIND_TEXT['pass'][0]}. Limits move with the game (a budget, Washington's hawkishness, a licence)."),
        Table(("Order", "First turn", "Seen by others"), rows),
    ]
    for k in [*kinds, None]:
        label, what, cost = (k.label, k.explanation, k.cost) if k else KIND_TEXT["pass"]
        blocks.append(Heading(3, label + (" (secret)" if k and k.secret else "")))
        items = [f"What it does: {what}", f"What it costs: {cost}"]
        if k is not None and not k.is_open:
            items.append(f"Closed on your first turn: {k.closed}")
        elif k is not None:
            grouped: dict[str, list[str]] = {}
            for t in k.targets:
                desc = "; ".join(_field_text(f) for f in t.fields)
                grouped.setdefault(desc, []).append(t.label)
            for desc, names in grouped.items():
                who = ", ".join(n for n in names if n)
                if not desc:
                    items.append(f"Open for: {who}" if who else "Open now")
                else:
                    items.append(f"Limits now: {who + ': ' if who else ''}{desc}")
            for tlabel, why in k.closed_targets:
                items.append(f"Not open now for {tlabel}: {why}")
        blocks.append(Bullets(tuple(items)))
    return blocks


# -- objectives and scoring, read from the scoring code -------------------------------------
@dataclass(frozen=True)
class ScoreTerms:
    weights: tuple[float, ...]  # of the weighted terms, in the code's order
    offset: float  # a constant added to them
    parameters: tuple[str, ...]  # the scenario parameters the score reads


def _branch(test: ast.expr) -> str | None:
    """The seat kind an `if` in metrics.score handles: `actor == "us"` or `actor in w.tier2`."""
    if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "actor" and len(test.ops) == 1:
        right = test.comparators[0]
        if isinstance(test.ops[0], ast.Eq) and isinstance(right, ast.Constant):
            return str(right.value)
        if isinstance(test.ops[0], ast.In) and isinstance(right, ast.Attribute) and right.attr == "tier2":
            return "tier2"
    return None


def _params_in(node: ast.AST, shared: dict[str, tuple[str, ...]]) -> list[str]:
    out: list[str] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "p":
            out.append(n.attr)
        elif isinstance(n, ast.Name) and n.id in shared:
            out += shared[n.id]
    return out


def _terms(expr: ast.expr) -> list[ast.expr]:
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _terms(expr.left) + _terms(expr.right)
    return [expr]


def _weight(term: ast.expr) -> float:
    """The constant factor leading a product such as `0.5 * x` or `0.5 * x / y` (else 1)."""
    node = term
    while isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        if isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Constant):
            return float(node.left.value)
        node = node.left
    return 1.0


def score_terms(grp: str, scenario: Scenario | None = None) -> ScoreTerms:
    """The weights (the scenario's `score_weights_<grp>`; one term: 1) and the parameters of one
    seat kind's score, the parameters read from `metrics.score` itself."""
    fn = ast.parse(textwrap.dedent(inspect.getsource(metrics.score))).body[0]
    assert isinstance(fn, ast.FunctionDef)
    shared: dict[str, tuple[str, ...]] = {}
    for stmt in fn.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            shared[stmt.targets[0].id] = tuple(_params_in(stmt.value, shared))
        if isinstance(stmt, ast.If) and _branch(stmt.test) == grp:
            ret = next(s for s in stmt.body if isinstance(s, ast.Return))
            weights, offset = [], 0.0
            for term in _terms(ret.value):
                if isinstance(term, ast.Constant):
                    offset += float(term.value)
                else:
                    weights.append(_weight(term))
            params = _params_in(ast.Module(body=stmt.body, type_ignores=[]), shared)
            sc = scenario or load_scenario("baseline")
            given = getattr(sc.params(), f"score_weights_{grp}", None)
            if given is not None:
                weights = [float(x) for x in given]
            return ScoreTerms(tuple(weights), offset, tuple(dict.fromkeys(params)))
    raise KeyError(grp)


def _param_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_param_value(v) for v in value)
    return number_text(value) if isinstance(value, (int, float)) else str(value)


def _param_row(scenario: Scenario, name: str) -> tuple[str, ...]:
    p = scenario.parameters[name]
    return (f"`{name}`", _param_value(p.value), p.unit, p.source or "none given", p.note or "")


def objective_blocks(scenario: Scenario, actor: str) -> list[Block]:
    grp = group(scenario, actor)
    goal = float(scenario.parameters["self_sufficiency_goal"].value) if "self_sufficiency_goal" in scenario.parameters else 0.7
    terms = score_terms(grp, scenario)
    blocks: list[Block] = [
        Bullets((f"What you want: {OBJECTIVES[grp]}", f"How you are scored: {score_rule(grp, goal, scenario.params())}")),
    ]
    if len(terms.weights) > 1:
        weights = ", ".join(f"{w * 100:g} %" for w in terms.weights)
        blocks.append(Para(f"The weights of the terms (the scenario's `score_weights_{grp}`, used by `wargame/metrics.py`): "
                           f"{weights}."))
    blocks.append(Para("Each quarter your score runs from 0 to 1 against your own objectives. Only you see it during the "
                       "game; it compares your quarters and strategies, not your seat with another."))
    known = [n for n in terms.parameters if n in scenario.parameters]
    if known:
        blocks.append(Para("Parameters your score uses:"))
        blocks.append(Table(("Parameter", "Value", "Unit", "Source", "Note"), tuple(_param_row(scenario, n) for n in known)))
    return blocks


# -- fog of war: what the seat sees ----------------------------------------------------------
def headline_keys(scenario: Scenario) -> list[str]:
    """DESIGN §5's headline figures, the estimated ones, Tier-2 alignment and every score."""
    keys = list(CONTRACT_KEYS) + [k for k in _ESTIMATED if k not in CONTRACT_KEYS]
    return keys + [f"tier2_alignment_{n}" for n in scenario.tier2] + [f"score_{a}" for a in scenario.actors]


def estimate_note(actor: str, key: str) -> str:
    if actor == "us" and key in US_INTEL:
        return "your intelligence community's estimate, from the start; its noise falls with your intelligence effort and it can be biased"
    if key == "smuggled_h100e":
        return "analysts' estimate worked back from seizures, from the second quarter"
    return "analysts' noisy estimate of last quarter's figure, from the second quarter"


def visibility(scenario: Scenario, actor: str) -> dict[str, list[str]]:
    """The headline figures the seat sees true, as estimates, and not at all, from the
    fog-of-war tables (`observation.sees_truth` and the estimated keys)."""
    out: dict[str, list[str]] = {"true": [], "estimate": [], "hidden": []}
    for key in headline_keys(scenario):
        if sees_truth(actor, key):
            out["true"].append(key)
        elif key in _ESTIMATED:
            out["estimate"].append(key)
        else:
            out["hidden"].append(key)
    return out


def public_fields(world: World, observer: str, other: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields of `other`'s state the observer sees, fields hidden from it)."""
    fields = tuple(type(world.actor_state(other)).model_fields)
    if observer in CHINA_BLOC and other in CHINA_BLOC:
        return fields, ()
    seen = TIER2_PUBLIC if other in world.tier2 else PUBLIC_FIELDS.get(other, ())
    return tuple(f for f in fields if f in seen), tuple(f for f in fields if f not in seen)


def visibility_blocks(scenario: Scenario, actor: str, kinds: dict[str, list[OrderKind]]) -> list[Block]:
    world = scenario.initial
    vis = visibility(scenario, actor)
    blocks: list[Block] = [
        Para("You see your own position in full, every turn. Of the others you see what the tables below say; every "
             "seat sees last quarter's public figures and the news of events."),
        Heading(3, "Headline figures you see as they are"),
        Bullets(tuple(f"{key_label(k)} (`{k}`)" for k in vis["true"])),
    ]
    if vis["estimate"]:
        blocks += [Heading(3, "Headline figures you see only as estimates"),
                   Bullets(tuple(f"{key_label(k)} (`{k}`): {estimate_note(actor, k)}" for k in vis["estimate"]))]
    blocks += [Heading(3, "Headline figures hidden from you"),
               Bullets(tuple(f"{key_label(k)} (`{k}`)" for k in vis["hidden"]) or ("none",))]
    rows = []
    for other in scenario.actors:
        if other == actor:
            continue
        seen, hidden = public_fields(world, actor, other)
        grp = group(scenario, other)
        rows.append((actor_label(other), ", ".join(field_label(grp, f) for f in seen) or "nothing",
                     ", ".join(field_label(grp, f) for f in hidden) or "nothing"))
    blocks += [Heading(3, "The other seats' positions"), Table(("Seat", "You see", "Hidden from you"), tuple(rows))]
    if actor in CHINA_BLOC:
        blocks.append(Para("Beijing, Huawei and SMIC see each other's full positions: the Chinese state sees its own firms' books."))
    mine = [k.label for k in kinds.get(actor, []) if k.secret]
    theirs = sorted({f"{k.label} ({actor_label(a)})" for a, ks in kinds.items() if a != actor for k in ks if k.secret})
    blocks.append(Heading(3, "Orders"))
    blocks.append(Bullets((
        "You see the public orders the seats before you give in the same quarter; seats after you see yours.",
        "Your secret orders, hidden from every other seat: " + (", ".join(mine) or "none") + ".",
        "Other seats' secret orders, which you never see: " + (", ".join(theirs) or "none") + ".",
    )))
    return blocks


# -- the situation at the start --------------------------------------------------------------
def _china_stock(w: World) -> float:
    return w.market.china_domestic_stock_h100e + w.market.china_foreign_stock_h100e


# record key -> (its value in the starting world, the initial_sources paths it rests on)
START_FIGURES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "us_compute_stock_h100e": (lambda w: w.market.us_compute_stock_h100e, ("market.us_compute_stock_h100e",)),
    "china_compute_stock_h100e": (_china_stock, ("market.china_domestic_stock_h100e", "market.china_foreign_stock_h100e")),
    "tier2_compute_stock_h100e": (lambda w: math.fsum(t.compute_stock_h100e + t.chinese_chips_h100e for t in w.tier2.values()),
                                  ("tier2.*.compute_stock_h100e",)),
    "us_china_stock_ratio": (lambda w: w.market.us_compute_stock_h100e / max(_china_stock(w), 1.0),
                             ("market.us_compute_stock_h100e", "market.china_foreign_stock_h100e")),
    "smic_advanced_capacity_wpm": (lambda w: w.smic.advanced_capacity_wpm, ("smic.advanced_capacity_wpm",)),
    "smic_yield": (lambda w: w.smic.ai_yield, ("smic.ai_yield",)),
    "china_ai_power_gw": (lambda w: w.market.china_fleet_power_gw, ("market.china_fleet_power_gw",)),
    "us_hawkishness": (lambda w: w.us.hawkishness, ("us.hawkishness",)),
}


def _sources_of(scenario: Scenario, patterns: tuple[str, ...]) -> str:
    found = [v for k, v in scenario.initial_sources.items() if any(fnmatch.fnmatchcase(k, p) for p in patterns)]
    return "; ".join(dict.fromkeys(found))


def _figure_text(key: str, value: float) -> str:
    if key in RECORD_LABELS:
        return str(RECORD_LABELS[key][1](value)).replace("\u00a0", " ")
    if key in ESTIMATES and ESTIMATES[key][1] == "%":
        return f"{value * 100:.3g} %"
    return short_number(value) + (f" {ESTIMATES[key][1]}" if key in ESTIMATES else "")


def start_figures(scenario: Scenario, actor: str) -> list[tuple[str, str, str, str]]:
    """(figure, value at the start, how the seat sees it, source) for the headline stocks."""
    w = scenario.initial
    rows = []
    for key, (value_of, paths) in START_FIGURES.items():
        label = f"{key_label(key)} (`{key}`)"
        if sees_truth(actor, key):
            rows.append((label, _figure_text(key, value_of(w)), "as it is", _sources_of(scenario, paths)))
        elif actor == "us" and key in US_INTEL:
            field = US_INTEL[key]
            rows.append((label, _figure_text(key, getattr(w.us, field)), "your intelligence estimate",
                         _sources_of(scenario, (f"us.{field}",))))
        else:
            later = "an estimate from the second quarter" if key in _ESTIMATED else "not seen"
            rows.append((label, "hidden from you", later, ""))
    if actor == "us":
        for key, field in US_INTEL.items():
            if key not in START_FIGURES:
                value = getattr(w.us, field)
                rows.append((f"{key_label(key)} (`{key}`)", _figure_text(key, value) if value > 0 else "none yet",
                             "your intelligence estimate", _sources_of(scenario, (f"us.{field}",))))
    for nation in scenario.tier2:
        key = f"tier2_alignment_{nation}"
        rows.append((f"{key_label(key)} (`{key}`)", f"{w.tier2[nation].alignment:+.2f}", "as it is",
                     _sources_of(scenario, (f"tier2.{nation}.alignment",))))
    return rows


def _state_rows(scenario: Scenario, actor: str, fields: Iterable[str]) -> list[tuple[str, str, str]]:
    grp = group(scenario, actor)
    state = scenario.initial.actor_state(actor).model_dump(mode="json")
    shown = [f for f, _, _ in OWN_FIELDS.get(grp, ())]
    extra = [f for f in fields if f not in shown and f not in US_INTEL.values() and field_source(scenario, actor, f)]
    order = [f for f in shown if f in fields] + extra  # the US's estimates are in the figures table
    return [(field_label(grp, f), field_value(grp, f, state[f]), field_source(scenario, actor, f)) for f in order]


def chart_view(actor: str) -> str:
    """How the seat sees China's installed compute at the start: "true", "estimate" or "hidden"."""
    if sees_truth(actor, "china_compute_stock_h100e"):
        return "true"
    return "estimate" if actor == "us" else "hidden"


def compute_chart(scenario: Scenario, view: str) -> Figure | None:
    """Installed AI compute at the start as a seat with this view of China sees it, as a PNG
    (None without matplotlib: the chart is optional)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure as MplFigure
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        return None
    w = scenario.initial
    bars = [("US", w.market.us_compute_stock_h100e)]
    bars += [(actor_label(n), w.tier2[n].compute_stock_h100e + w.tier2[n].chinese_chips_h100e) for n in scenario.tier2]
    note = {"true": "", "estimate": "China's bar is your intelligence community's estimate.",
            "hidden": "China's installed compute is hidden from you."}[view]
    if view == "true":
        bars.append(("China", _china_stock(w)))
    elif view == "estimate":
        bars.append(("China (your estimate)", w.us.intel_china_stock_h100e))
    fig = MplFigure(figsize=(6.4, 0.42 * len(bars) + 0.9), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names, values = [b[0] for b in bars][::-1], [b[1] for b in bars][::-1]
    ax.barh(names, values, color=["#8c8c8c" if "estimate" in n else "#3b6ea5" for n in names])
    for i, v in enumerate(values):
        ax.text(v, i, f" {short_number(v)}", va="center", fontsize=9)
    ax.set_xlim(0, max(values) * 1.15)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: short_number(x)))
    ax.set_xlabel("H100e")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    caption = f"Installed AI compute at the start of {scenario.start_quarter}, in H100e. {note}".strip()
    return Figure(buf.getvalue(), "Bar chart of installed AI compute at the start", caption)


def situation_blocks(scenario: Scenario, actor: str, charts: dict[str, Figure | None] | None) -> list[Block]:
    end = format_quarter(parse_quarter(scenario.start_quarter) + scenario.turns - 1)
    blocks: list[Block] = [Para(f"{scenario.description} The game runs {scenario.turns} quarters, "
                                f"{scenario.start_quarter} to {end}.")]
    blocks.append(Heading(3, "Headline figures at the start"))
    blocks.append(Table(("Figure", "Value", "You see it", "Source"), tuple(start_figures(scenario, actor))))
    if charts is not None:
        view = chart_view(actor)
        if view not in charts:
            charts[view] = compute_chart(scenario, view)
        if charts[view] is not None:
            blocks.append(charts[view])
    own = type(scenario.initial.actor_state(actor)).model_fields
    blocks += [Heading(3, "Your position at the start"),
               Table(("Setting", "Value", "Source"), tuple(_state_rows(scenario, actor, own)))]
    rows = []
    for other in scenario.actors:
        if other == actor:
            continue
        seen, _ = public_fields(scenario.initial, actor, other)
        rows += [(actor_label(other), *r) for r in _state_rows(scenario, other, seen)]
    blocks += [Heading(3, "The other seats at the start, as far as you can see"),
               Table(("Seat", "Setting", "Value", "Source"), tuple(rows))]
    return blocks


def events_blocks(scenario: Scenario) -> list[Block]:
    blocks: list[Block] = []
    if scenario.events:
        rows = tuple((e.quarter, ("Hypothetical: " if e.hypothetical else "") + e.description, e.source or "")
                     for e in sorted(scenario.events, key=lambda e: parse_quarter(e.quarter)))
        blocks += [Heading(3, "Scripted events"),
                   Para("They fire at the start of their quarter, before the first seat orders."),
                   Table(("Quarter", "Event", "Source"), rows)]
    if scenario.random_events:
        rows = tuple((("Hypothetical: " if e.hypothetical else "") + e.description, f"{e.hazard_per_quarter * 100:g} %",
                      f"{e.earliest or 'start'} to {e.latest or 'end'}" + (", may repeat" if e.repeatable else ""),
                      e.source or "") for e in scenario.random_events)
        blocks += [Heading(3, "Possible random events"),
                   Table(("Event", "Chance each quarter", "When", "Source"), rows)]
    uncertain = [n for n, p in scenario.parameters.items() if p.distribution is not None]
    if uncertain:
        rows = []
        for n in uncertain:
            p = scenario.parameters[n]
            lo, hi = support(p.distribution)
            span = f"{number_text(lo)} to {number_text(hi)}" if math.isfinite(hi) else f"above {number_text(lo)}"
            rows.append((f"`{n}`", _param_value(p.value), span, p.unit, p.source or "none given", p.note or ""))
        blocks += [Heading(3, "Key uncertainties"),
                   Para("Parameters whose true value is not known; Monte Carlo runs draw them from these ranges."),
                   Table(("Parameter", "Value played", "Range", "Unit", "Source", "Note"), tuple(rows))]
    return blocks


# -- the rules, the same for every seat ------------------------------------------------------
def rules_blocks(scenario: Scenario) -> list[Block]:
    end = format_quarter(parse_quarter(scenario.start_quarter) + scenario.turns - 1)
    order = ", ".join(actor_label(a) for a in scenario.actors)
    return [
        PageBreak(),
        Heading(2, "Rules summary"),
        Para(f"The game runs {scenario.turns} turns of one quarter each, {scenario.start_quarter} to {end}. Compute is counted "
             "in H100e: the AI compute of one Nvidia H100."),
        Heading(3, "One quarter"),
        Bullets((
            "Events: scripted events fire at the start of their quarter; random events may fire at the start of any quarter "
            "in their window; the facilitator may play an inject at any time, and it is written to the move log.",
            "Observe: each seat sees its own position in full, the others' public positions, last quarter's public figures, "
            "estimates of some hidden ones and the news.",
            f"Order: seats order one after another in a fixed order: {order}. Each gives up to {MAX_ORDERS_PER_TURN} orders, "
            f"at most one of each kind for each target, and ends with {KIND_TEXT['pass'][0]}.",
            "Public and secret: a seat sees the public orders given before it in the quarter; secret orders stay hidden "
            "from the other seats.",
            "Validate: an order outside the rules or its limits is refused with what is wrong and what is allowed; a "
            "refused order changes nothing.",
            "Standing orders: most orders change a setting that stays until it is changed (a subsidy or lobbying budget is "
            "spent every quarter while set); a few are one-off, as each order's description says.",
            "Adjudicate: after the last seat ends its orders, the model resolves the quarter: tool deliveries, capacity and "
            "yield, wafer allocation, die output, the HBM constraint, packaging, legal exports, smuggling and seizures, "
            "cloud access, data-centre build-out, demand and prices, chance research breakthroughs and Washington's "
            "hawk-dove balance.",
            "Record: the quarter's figures and every seat's score are recorded; the move log lets a game be saved, "
            "replayed and audited.",
        )),
        Heading(3, "Fog of war"),
        Para("Nobody sees everything. Each seat's hidden numbers stay private; outsiders get estimates of a few of them "
             "(the US from its intelligence community, the others from analysts), which can be noisy or biased. Only the "
             "smugglers know how many chips are smuggled; the others see seizures. Beijing, Huawei and SMIC see each other's "
             "books."),
        Heading(3, "End and scoring"),
        Para(f"The game ends after {end}. Each quarter every seat is scored from 0 to 1 against its own objectives; a seat "
             "sees only its own score. Scores compare a seat's quarters and strategies, not seats with one another. At the "
             "end the facilitator shows every score and the hidden figures."),
    ]


# -- one packet ------------------------------------------------------------------------------
def _title(scenario: Scenario, actor: str) -> str:
    return f"Briefing: {actor_label(actor)}, {scenario.title}"


def hypothetical_label(scenario: Scenario) -> str | None:
    if not scenario.hypothetical:
        return None
    base = f" It varies the {scenario.extends} scenario." if scenario.extends else ""
    return f"Hypothetical scenario: a policy variant or counterfactual, not the record.{base}"


def briefing_blocks(scenario: Scenario, actor: str, kinds: dict[str, list[OrderKind]],
                    charts: dict[str, Figure | None] | None = None) -> list[Block]:
    """One seat's packet, as blocks; with `charts` (a cache shared across seats) it has a chart."""
    if actor not in scenario.actors:
        raise KeyError(actor)
    blocks: list[Block] = [Heading(1, _title(scenario, actor))]
    label = hypothetical_label(scenario)
    if label:
        blocks.append(Para(label, "label"))
    blocks.append(Para(f"Your seat: {actor_label(actor)} (`{actor}`). Scenario `{scenario.name}`, starting "
                       f"{scenario.start_quarter}. This packet shows only what your seat may see at the start.", "note"))
    blocks += [Heading(2, "1. Your objectives and score"), *objective_blocks(scenario, actor)]
    blocks += [Heading(2, "2. The situation at the start"), *situation_blocks(scenario, actor, charts), *events_blocks(scenario)]
    blocks += [Heading(2, "3. Your orders"), *order_blocks(kinds[actor])]
    blocks += [Heading(2, "4. What you can and cannot see"), *visibility_blocks(scenario, actor, kinds)]
    blocks += rules_blocks(scenario)
    ids = cited_ids(block_texts(blocks), _known_ids(scenario))
    blocks.append(Heading(2, "Sources"))
    if targets() is None:
        blocks.append(Para("The source list (../shared/calibration/targets.yaml) is not installed here; ids only.", "note"))
    blocks.append(Bullets(tuple(source_line(s) for s in ids) or ("none cited",)))
    return blocks


def index_blocks(scenario: Scenario, files: dict[str, str]) -> list[Block]:
    blocks: list[Block] = [Heading(1, f"Briefings: {scenario.title}")]
    label = hypothetical_label(scenario)
    if label:
        blocks.append(Para(label, "label"))
    end = format_quarter(parse_quarter(scenario.start_quarter) + scenario.turns - 1)
    blocks.append(Para(f"{scenario.description} Scenario `{scenario.name}`, {scenario.start_quarter} to {end} "
                       f"({scenario.turns} quarters)."))
    rows = tuple((actor_label(a), f"`{a}`", scenario.seats.get(a, "doctrine"), f"[{name}]({name})") for a, name in files.items())
    blocks.append(Table(("Seat", "Id", "Default player", "Briefing"), rows))
    return blocks


# -- rendering -------------------------------------------------------------------------------
def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_md(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += [f"{'#' * b.level} {b.text}", ""]
        elif isinstance(b, Para):
            out += [f"*{b.text}*" if b.style == "label" else b.text, ""]
        elif isinstance(b, Bullets):
            out += [f"- {item}" for item in b.items] + [""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(_md_cell(h) for h in b.headers) + " |")
            out.append("|" + "---|" * len(b.headers))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            out.append("")
        elif isinstance(b, PageBreak):
            out += ["---", ""]
    return "\n".join(out).rstrip() + "\n"


_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+|[\w.-]+\.(?:md|html))\)")


def _inline(text: str) -> str:
    """Escaped text with `code`, **bold** and [link](url) spans."""
    out = html.escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return _LINK.sub(r'<a href="\2">\1</a>', out)


CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10pt; line-height: 1.4; color: #111;
       max-width: 182mm; margin: 0 auto; padding: 8px; }
h1 { font-size: 17pt; margin: 0 0 6px; }
h2 { font-size: 13pt; margin: 18px 0 6px; border-bottom: 1px solid #999; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 12px 0 4px; page-break-after: avoid; }
p { margin: 4px 0 8px; }
p.note { color: #444; }
p.label { border-left: 4px solid #b8860b; background: #fff8e1; padding: 4px 8px; }
ul { margin: 2px 0 8px; padding-left: 20px; }
li { margin: 2px 0; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; font-size: 8.5pt; }
th, td { border: 1px solid #bbb; padding: 2px 5px; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8.5pt; }
figure { margin: 6px 0 10px; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #444; }
.page-break { page-break-before: always; break-before: page; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
""".strip()


def render_html(blocks: list[Block]) -> str:
    title = next((b.text for b in blocks if isinstance(b, Heading)), "Briefing")
    body: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            body.append(f"<h{b.level}>{_inline(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            cls = f' class="{b.style}"' if b.style else ""
            body.append(f"<p{cls}>{_inline(b.text)}</p>")
        elif isinstance(b, Bullets):
            body.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{_inline(h)}</th>" for h in b.headers)
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Figure):
            data = base64.b64encode(b.png).decode("ascii")
            body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(b.alt)}">'
                        f"<figcaption>{_inline(b.caption)}</figcaption></figure>")
        elif isinstance(b, PageBreak):
            body.append('<div class="page-break"></div>')
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title.replace('`', ''))}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def render(blocks: list[Block], fmt: str) -> str:
    return render_html(blocks) if fmt == "html" else render_md(blocks)


# -- the command -----------------------------------------------------------------------------
def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "scenario"


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
    except UnsafeTarget as exc:
        raise BriefError(f"--out: cannot write {path}: {exc}") from None
    except OSError as exc:
        raise BriefError(f"--out: cannot write {path}: {exc.strerror or exc}") from None


def run_brief(scenario: str | None, role: str | None, out: Path | None, fmt: str) -> list[Path]:
    """Write one briefing per role (`<out>/<scenario>-<role>.<fmt>`) and an index linking them;
    returns the paths written, the index last. BriefError on bad input; ScenarioError propagates."""
    if fmt not in FORMATS:
        raise BriefError(f"--format: unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    sc = load_scenario(DEFAULT_SCENARIO if scenario is None else scenario)
    wanted = "all" if role is None else role
    if wanted != "all" and wanted not in sc.actors:
        raise BriefError(f"--role: {wanted!r} is not a seat of scenario {sc.name}; allowed: {', '.join(sc.actors)}, all")
    roles = list(sc.actors) if wanted == "all" else [wanted]
    name = _safe_name(sc.name)
    folder = Path(out) if out is not None else Path("runs") / "briefs" / name
    if folder.exists() and not folder.is_dir():
        raise BriefError(f"--out: {folder} exists and is not a folder; give a folder (it is created if missing)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefError(f"--out: cannot create folder {folder}: {exc.strerror or exc}") from None
    kinds = first_turn_orders(sc)
    files: dict[str, str] = {}
    paths: list[Path] = []
    charts: dict[str, Figure | None] | None = {} if fmt == "html" else None
    for actor in roles:
        files[actor] = f"{name}-{actor}.{fmt}"
        path = folder / files[actor]
        _write(path, render(briefing_blocks(sc, actor, kinds, charts), fmt))
        paths.append(path)
    index = folder / f"index.{fmt}"
    _write(index, render(index_blocks(sc, files), fmt))
    return [*paths, index]

