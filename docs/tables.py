"""Regenerate the machine-made tables of docs/model.md in place.

    .venv/bin/python docs/tables.py                  # parameters, initial conditions, events, locks, chips, scenarios
    .venv/bin/python docs/tables.py --results DIR    # and the calibration and effects tables, from DIR

Each table sits between the marker lines `<!-- BEGIN name -->` and `<!-- END name -->`; only
the text between them is replaced, so the prose around a table is never touched. The cheap
tables are computed from the scenario files and the code (the parameter table's "read by"
column parses the code with `ast`). The result tables are read from the JSON that
`wargame calibrate --json` and `wargame effects --json` print, saved in DIR as
calibrate_32.json, calibrate_32_sampled.json, effects_32.json and effects_32_sampled.json;
without `--results` they are left as they are.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "model.md"
CODE_DIRS = ("wargame", "agents", "policies")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from wargame import chips, state  # noqa: E402
from wargame.ids import parse_quarter  # noqa: E402
from wargame.mechanics.shocks import SHOCKS  # noqa: E402
from wargame.scenario import SCENARIO_DIR, Scenario, builtin_names, load_scenario  # noqa: E402

RESULT_FILES = {
    "calibration": ("calibrate_32.json", "calibrate_32_sampled.json"),
    "effects": ("effects_32.json", "effects_32_sampled.json"),
}
CHIP_QUARTERS = ("2023Q1", "2024Q1", "2025Q1", "2025Q3", "2026Q1", "2026Q3", "2027Q1", "2028Q1", "2030Q1")
EFFECT_YEARS = ("2026", "2027", "2030")
EFFECT_YEARS_HEAD = [f"{y}: change [95 % CI]" for y in EFFECT_YEARS]
MARK = 0.05  # |rel_change| flagged in the effects tables (as wargame.effects.MARK)
METRIC_LABELS = {
    "china_compute_stock_h100e": "China compute stock, Q4 (H100e)",
    "us_china_output_ratio": "US:China output ratio",
    "huawei_output_chips": "Huawei chips",
    "smuggled_h100e": "smuggled H100e",
    "nvidia_china_revenue_usd_b": "Nvidia China revenue (USD B)",
}


# --- formatting ----------------------------------------------------------------------------------
def fmt_value(v: Any) -> str:
    """A scenario value as the tables print it: numbers as written, lists in brackets."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.12g}"
    if isinstance(v, list):
        return "[" + ", ".join(fmt_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {fmt_value(x)}" for k, x in v.items())
    return str(v)


def cell(text: Any) -> str:
    """Safe inside a markdown table cell: pipes escaped, one line."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def table(header: list[str], rows: Iterable[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def num(x: float) -> str:
    """Three significant figures, thousands separated for large numbers."""
    if x != x:  # NaN
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def pct(x: float) -> str:
    return f"{100 * x:+.1f} %"


# --- parameters ------------------------------------------------------------------------------------
def basis(note: str | None, source: str | None) -> str:
    """What the note says the value rests on."""
    text = (note or "").lower()
    if text.startswith("fitted"):
        return "fitted"
    if "hypothetical" in text:
        return "hypothetical"
    if "assumption" in text:
        return "assumption"
    return "cited" if source else "none given"


def distribution_text(dist: Any) -> str:
    if dist is None:
        return "—"
    fields = [f"{k} {fmt_value(v)}" for k, v in dist.model_dump(exclude_none=True).items() if k != "kind"]
    return f"{dist.kind}: " + ", ".join(fields)


def _vocabularies() -> list[tuple[str, ...]]:
    """The level names a parameter's name may be built from at run time (f-strings): each
    tuple of level names in wargame/state.py, and the shocks."""
    out = [tuple(SHOCKS)]
    for name in sorted(dir(state)):
        value = getattr(state, name)
        if name.isupper() and isinstance(value, tuple) and value and all(isinstance(x, str) for x in value):
            out.append(value)
    return out


def _expand(pattern: str, names: set[str]) -> set[str]:
    """Parameters an f-string `getattr` may read: those matching its pattern with a level name of
    the vocabulary that explains the most of them (so `perf_train_{level}` means the Nvidia
    levels, not also the Huawei generations that share the prefix)."""
    best: set[str] = set()
    for vocab in _vocabularies():
        hits = set()
        for n in names:
            m = re.fullmatch(pattern, n)
            if m and all(g in vocab for g in m.groups()):
                hits.add(n)
        if len(hits) > len(best):
            best = hits
    return best


def _module_label(path: Path) -> str:
    return path.stem


def read_by(param_names: Iterable[str]) -> dict[str, list[str]]:
    """For each parameter, the functions that read it: `p.<name>` attribute reads, and
    `getattr(p, f"prefix_{x}")` reads expanded over the level names of wargame/state.py and the
    shocks. A function is `module.function` or `module.Class.method` (nested code counts for
    its outermost function)."""
    names = set(param_names)
    out: dict[str, set[str]] = {n: set() for n in names}

    def reads(node: ast.AST) -> set[str]:
        found: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in ("p", "params") \
                    and sub.attr in names:
                found.add(sub.attr)
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "getattr" and len(sub.args) >= 2 \
                    and isinstance(sub.args[0], ast.Name) and sub.args[0].id in ("p", "params"):
                key = sub.args[1]
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value in names:
                    found.add(key.value)
                elif isinstance(key, ast.JoinedStr):
                    pattern = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else "([A-Za-z0-9_]+)" for v in key.values)
                    found |= _expand(pattern, names)
        return found

    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            mod = _module_label(path)
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for n in reads(node):
                        out[n].add(f"{mod}.{node.name}")
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            for n in reads(item):
                                out[n].add(f"{mod}.{node.name}.{item.name}")
                else:
                    for n in reads(node):
                        out[n].add(mod)
    return {n: sorted(v) for n, v in out.items()}


def parameters_table(sc: Scenario) -> str:
    readers = read_by(sc.parameters)
    rows = []
    for i, (name, par) in enumerate(sc.parameters.items(), start=1):
        rows.append([i, f"`{name}`", fmt_value(par.value), par.unit, par.source or "—", basis(par.note, par.source),
                     par.note or "", distribution_text(par.distribution),
                     ", ".join(f"`{r}`" for r in readers[name]) or "(nothing)"])
    head = ["#", "Parameter", "Value", "Unit", "Source", "Basis", "Note", "Distribution", "Read by"]
    counts: dict[str, int] = {}
    for par in sc.parameters.values():
        b = basis(par.note, par.source)
        counts[b] = counts.get(b, 0) + 1
    sampled = sum(p.distribution is not None for p in sc.parameters.values())
    summary = (f"{len(sc.parameters)} parameters: " + ", ".join(f"{counts[b]} {b}" for b in sorted(counts))
               + f"; {sampled} with a distribution.")
    unread = [n for n, r in readers.items() if not r]
    if unread:
        summary += " Read by nothing: " + ", ".join(f"`{n}`" for n in sorted(unread)) + "."
    return table(head, rows) + "\n\n" + summary


def fitted_table(sc: Scenario) -> str:
    rows = [[f"`{n}`", fmt_value(p.value), p.source or "—", p.note or ""] for n, p in sc.parameters.items()
            if basis(p.note, p.source) == "fitted"]
    return table(["Parameter", "Value", "Source", "Note (what it was fitted to)"], rows)


def distributions_table(sc: Scenario) -> str:
    rows = [[f"`{n}`", fmt_value(p.value), p.unit, distribution_text(p.distribution), p.source or "—"]
            for n, p in sorted(sc.parameters.items()) if p.distribution is not None]
    return table(["Parameter", "Value (the game without --sample-params)", "Unit", "Distribution", "Source"], rows)


# --- initial conditions ----------------------------------------------------------------------------
def flatten(initial: dict) -> dict[str, Any]:
    """`section.field` -> value; Tier-2 nations as `tier2.nation.field`; maps stay whole."""
    out: dict[str, Any] = {}
    for section, fields in initial.items():
        if not isinstance(fields, dict):
            out[section] = fields
        elif section == "tier2":
            for nation, t in fields.items():
                for f, v in t.items():
                    out[f"tier2.{nation}.{f}"] = v
        else:
            for f, v in fields.items():
                out[f"{section}.{f}"] = v
    return out


def raw_yaml(name: str) -> dict:
    return yaml.safe_load((SCENARIO_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def initial_table() -> str:
    raw = raw_yaml("baseline")
    sources = raw.get("initial_sources", {})
    flat = flatten(raw["initial"])
    rows = [[f"`{k}`", fmt_value(v), sources.get(k, "—")] for k, v in flat.items()]
    unmatched = sorted(k for k in sources if k not in flat)
    world = load_scenario("baseline").start_world().model_dump(mode="json")
    defaults = [k for k in flatten({s: v for s, v in world.items() if isinstance(v, dict)})
                if k not in flat and not k.startswith("tier2.")]
    tier2_defaults = sorted({k.split(".", 2)[2] for k in flatten({"tier2": world["tier2"]}) if k not in flat})
    text = table(["Field", "Initial value", "Source (initial_sources)"], rows)
    text += "\n\n" + ("Every `initial_sources` entry matches an initial field." if not unmatched
                      else "`initial_sources` entries with no initial field: " + ", ".join(unmatched) + ".")
    text += " Fields the file leaves out take their defaults in `wargame/state.py`: " + ", ".join(f"`{k}`" for k in defaults)
    if tier2_defaults:
        text += "; for each Tier-2 nation " + ", ".join(f"`{k}`" for k in tier2_defaults)
    return text + "."


def historical_initial_table() -> str:
    """Fields where `historical` starts differently from the baseline, or that its file sets."""
    hist, base = load_scenario("historical"), load_scenario("baseline")
    own = raw_yaml("historical")
    own_flat, own_sources = flatten(own.get("initial", {})), own.get("initial_sources", {})
    hw = flatten({k: v for k, v in hist.initial.model_dump(mode="json").items() if isinstance(v, dict)})
    bw = flatten({k: v for k, v in base.initial.model_dump(mode="json").items() if isinstance(v, dict)})
    rows = []
    for k, v in hw.items():
        if v == bw.get(k) and k not in own_flat:
            continue
        if k in own_sources:
            src = own_sources[k]
        elif k in hist.initial_sources:
            src = "inherited from the baseline: " + hist.initial_sources[k]
        else:
            src = "—"
        rows.append([f"`{k}`", fmt_value(v), fmt_value(bw.get(k)), src])
    return table(["Field", "`historical`", "baseline", "Source (initial_sources)"], rows)


# --- events and locks ------------------------------------------------------------------------------
def effects_text(effects: Iterable[Any]) -> str:
    return "; ".join(f"{e.target} {e.op} {fmt_value(e.value)}" for e in effects)


def events_table(events: Iterable[Any]) -> str:
    rows = [[ev.id, ev.quarter, ev.description, ev.source or "—", "yes" if ev.hypothetical else "no", effects_text(ev.effects)]
            for ev in events]
    return table(["Event", "Quarter", "Description", "Source", "Hypothetical", "Effects"], rows)


def random_events_table(sc: Scenario) -> str:
    rows = [[ev.id, fmt_value(ev.hazard_per_quarter), f"{ev.earliest or 'start'} .. {ev.latest or 'end'}",
             "yes" if ev.repeatable else "no", "yes" if ev.hypothetical else "no", ev.description, effects_text(ev.effects)]
            for ev in sc.random_events]
    return table(["Random event", "Hazard/quarter", "Window", "Repeatable", "Hypothetical", "Description", "Effects"], rows)


def locks_table(sc: Scenario) -> str:
    rows = [[f"`{actor}`", f"`{kind}`", lock.until or "whole game", lock.reason]
            for actor in sc.actors for kind, lock in sc.locks.get(actor, {}).items()]
    return table(["Seat", "Move kind", "Locked until (inclusive)", "Reason"], rows)


def historical_events_table() -> str:
    own = {e["id"] for e in raw_yaml("historical").get("add_events", [])}
    return events_table([e for e in load_scenario("historical").events if e.id in own])


def variants_table() -> str:
    """What each hypothetical scenario's own file changes in the scenario it extends."""
    rows = []
    for name in builtin_names():
        raw = raw_yaml(name)
        if name in ("baseline", "historical"):
            continue
        sc = load_scenario(name)
        init = flatten(raw.get("initial", {}))
        params = [f"`{k}` = {fmt_value(v.get('value'))}" + (" (no distribution)" if "distribution" in v and v["distribution"] is None
                                                          else f" ({distribution_text(sc.parameters[k].distribution)})"
                                                          if sc.parameters[k].distribution is not None and "distribution" in v else "")
                  for k, v in raw.get("parameters", {}).items()]
        added = [f"{e['id']} ({e['quarter']}): {effects_text(ev.effects)}" for e in raw.get("add_events", [])
                 for ev in sc.events if ev.id == e["id"]]
        locks = [f"{a}.{k}" + (f" until {lk['until']}" if isinstance(lk, dict) and lk.get("until") else " (whole game)")
                 for a, kinds in raw.get("locks", {}).items() for k, lk in kinds.items()]
        rows.append([f"`{name}`", raw.get("extends", "—"), "yes" if sc.hypothetical else "no", f"{sc.start_quarter}, {sc.turns}",
                     "; ".join(f"`{k}` = {fmt_value(v)}" for k, v in init.items()) or "—",
                     "; ".join(params) or "—", ", ".join(raw.get("drop_events", [])) or "—",
                     "; ".join(added) or "—", "; ".join(locks) or "—"])
    return table(["Scenario", "Extends", "Hypothetical", "Start, turns", "Initial changes", "Parameter changes",
                  "Events dropped", "Events added", "Locks added or replaced"], rows)


# --- fog of war ------------------------------------------------------------------------------------
def public_fields_table() -> str:
    from wargame.observation import PUBLIC_FIELDS, TIER2_PUBLIC

    rows = [[f"`{a}`", ", ".join(f"`{f}`" for f in fields) or "nothing"] for a, fields in PUBLIC_FIELDS.items()]
    rows.append(["each Tier-2 nation (`TIER2_PUBLIC`)", ", ".join(f"`{f}`" for f in TIER2_PUBLIC)])
    return table(["Actor", "Public fields (seen by every other seat)"], rows)


def hidden_keys_table() -> str:
    from wargame.metrics import CHINA_BLOC, HIDDEN_KEYS

    owners: dict[str, list[str]] = {}
    for key, owner in HIDDEN_KEYS.items():
        owners.setdefault(owner, []).append(key)
    rows = [[f"`{o}`" + (" (China bloc)" if o in CHINA_BLOC else ""), ", ".join(f"`{k}`" for k in keys)]
            for o, keys in owners.items()]
    return table(["Owner", "Hidden record keys"], rows)


# --- chips -----------------------------------------------------------------------------------------
def chips_h100e_table(sc: Scenario) -> str:
    p = sc.params()
    rows = []
    for q in CHIP_QUARTERS:
        i = parse_quarter(q)
        rows.append([q, f"{chips.inference_share(p, i):.3f}"]
                    + [f"{chips.huawei_chip_h100e(p, g, i):.3f}" for g in state.HUAWEI_GENERATIONS]
                    + [f"{chips.china_sku_h100e(p, lv, i):.3f}" for lv in state.THRESHOLDS[1:4]]
                    + [f"{chips.flagship_h100e(p, i):.3f}"])
    head = ["Quarter", "Inference share"] + list(state.HUAWEI_GENERATIONS) + list(state.THRESHOLDS[1:4]) + ["flagship (outside China, smuggled)"]
    return table(head, rows)


def chips_prices_table(sc: Scenario) -> str:
    p = sc.params()
    rows = []
    for q in CHIP_QUARTERS:
        i = parse_quarter(q)
        years = chips.years_since_2025(i)
        rows.append([q, f"{chips.world_price_per_h100e(p, i):,.0f}"]
                    + [f"{chips.sku_price_per_h100e(p, lv, i):,.0f}" for lv in state.THRESHOLDS[1:]]
                    + [f"{p.ascend_price_per_h100e_usd * p.ascend_price_decline_per_year ** years:,.0f}",
                       f"{chips.kw_per_h100e(p, i):.3f}"])
    head = ["Quarter", "world (flagship) USD/H100e"] + [f"{lv} USD/H100e" for lv in state.THRESHOLDS[1:]] \
        + ["Ascend list USD/H100e (before clearance and power)", "kW/H100e (Nvidia, chip level)"]
    return table(head, rows)


# --- results: calibration --------------------------------------------------------------------------
def _target_text(t: Any) -> str:
    return "..".join(num(x) for x in t) if isinstance(t, list) else num(t)


def calibration_table(fixed: dict, sampled: dict) -> str:
    by_key = {(r["id"], r["quantity"]): r for r in sampled["targets"]}
    rows = []
    for r in fixed["targets"]:
        s = by_key.get((r["id"], r["quantity"]))
        row = [r["id"], r["quantity"], _target_text(r["target"]), _target_text(r["band"]), r["basis"],
               f"{num(r['model_median'])} ({num(r['model_p10'])}..{num(r['model_p90'])})", "yes" if r["within"] else "**NO**"]
        row += [f"{num(s['model_median'])} ({num(s['model_p10'])}..{num(s['model_p90'])})", "yes" if s["within"] else "**NO**"] \
            if s else ["—", "—"]
        rows.append(row)
    head = ["id", "quantity", "target", "band", "basis", "median (p10..p90), parameters at their values", "within",
            "median (p10..p90), --sample-params", "within"]

    def line(res: dict, label: str) -> str:
        by = res["within_by_basis"]
        return (f"{label}: {res['within_count']} of {res['total']} within band over {res['seeds']} seeds "
                f"(by basis: {by['emergent']} emergent, {by['fitted']} fitted, {by['initial']} initial).")

    return table(head, rows) + "\n\n" + line(fixed, "Parameters at their values") + " " + line(sampled, "With `--sample-params`")


# --- results: effects ------------------------------------------------------------------------------
def _effect_cell(e: dict) -> str:
    r, ci = e["rel_change"], e["ci95"]
    if r is None:
        return "n/a"
    text = pct(r).replace(" %", "%")
    text += f" [{100 * ci[0]:+.0f}, {100 * ci[1]:+.0f}]" if ci is not None else " [n/a]"
    return f"**{text}**" if abs(r) >= MARK else text


def effects_table(result: dict) -> str:
    rows = []
    for c in result["comparisons"]:
        for metric, by_year in c["effects"].items():
            rows.append([f"`{c['name']}`", c["base"], METRIC_LABELS.get(metric, metric)] + [_effect_cell(by_year[y]) for y in EFFECT_YEARS])
    return table(["comparison", "against", "headline metric"] + EFFECT_YEARS_HEAD, rows)


def _largest(c: dict, years: tuple[str, ...] = ("2027", "2030"), skip_smuggling: bool = False) -> tuple[float, str, dict] | None:
    cells = [(abs(e[y]["rel_change"]), f"{METRIC_LABELS.get(m, m)} {y}", e[y]) for m, e in c["effects"].items() for y in years
             if e[y]["rel_change"] is not None and not (skip_smuggling and m == "smuggled_h100e")]
    return max(cells, key=lambda x: x[0]) if cells else None


def effects_summary_table(fixed: dict, sampled: dict) -> str:
    """The largest 2027/2030 change of each comparison, preferring a metric other than smuggling
    when one moves by at least MARK; under both ways of setting the parameters."""
    def best(c: dict) -> str:
        pick = _largest(c, skip_smuggling=True)
        if pick is None or pick[0] < MARK:
            pick = _largest(c)
        if pick is None:
            return "n/a"
        return f"{pick[1]}: {_effect_cell(pick[2])}"

    other = {c["name"]: c for c in sampled["comparisons"]}
    rows = [[f"`{c['name']}`", c["base"], best(c), best(other[c["name"]]) if c["name"] in other else "—"] for c in fixed["comparisons"]]
    seats = [c for c in fixed["comparisons"] if c["kind"] == "seat"]
    moved = sum(1 for c in seats if (_largest(c) or (0.0,))[0] >= MARK)
    seats_s = [c for c in sampled["comparisons"] if c["kind"] == "seat"]
    moved_s = sum(1 for c in seats_s if (_largest(c) or (0.0,))[0] >= MARK)
    return (table(["comparison", "against", f"largest change in 2027 or 2030, parameters at their values ({fixed['seeds']} seeds)",
                   f"the same with --sample-params ({sampled['seeds']} seeds)"], rows)
            + f"\n\nSeat swaps moving a headline metric by {MARK:.0%} or more in 2027 or 2030: {moved} of {len(seats)} "
              f"(parameters at their values), {moved_s} of {len(seats_s)} (--sample-params).")


def effects_base_table(fixed: dict, sampled: dict) -> str:
    """Medians of the reference arms (baseline with default seats, and historical), per year."""
    rows = []
    for label, res in (("parameters at their values", fixed), ("--sample-params", sampled)):
        seen: set[str] = set()
        for c in res["comparisons"]:
            if c["base"] in seen:
                continue
            seen.add(c["base"])
            for metric, by_year in c["effects"].items():
                rows.append([c["base"], label, METRIC_LABELS.get(metric, metric)]
                            + [num(by_year[y]["base"]) if by_year[y]["base"] is not None else "n/a" for y in EFFECT_YEARS])
    return table(["reference arm", "parameters", "headline metric"] + list(EFFECT_YEARS), rows)


# --- the document ----------------------------------------------------------------------------------
# --- results: the baseline's long run --------------------------------------------------------------
def longrun_table(seeds: int = 32) -> str:
    """Yearly medians of default-seat baseline games, and what bound Huawei's output."""
    import numpy as np

    from wargame.runner import make_seats, play
    from wargame.session import GameSession

    games = []
    for seed in range(seeds):
        s = GameSession(load_scenario("baseline"), seed)
        play(s, make_seats(s))
        games.append({r["quarter"]: r for r in s.timeline})
    flows = ("huawei_output_chips", "china_ai_chip_output_h100e", "us_ai_chip_output_h100e", "smuggled_h100e",
             "nvidia_china_revenue_usd_b")
    stocks = ("china_compute_stock_h100e", "us_china_stock_ratio", "china_self_sufficiency",
              "smic_advanced_capacity_wpm", "us_hawkishness")
    rows = []
    for year in range(2025, 2031):
        qs = [f"{year}Q{i}" for i in range(1, 5)]
        row: list = [year]
        row += [num(float(np.median([sum(g[q][k] for q in qs) for g in games]))) for k in flows]
        row += [num(float(np.median([g[qs[-1]][k] for g in games]))) for k in stocks]
        limits: dict[str, int] = {}
        for g in games:
            for q in qs:
                limits[g[q]["huawei_output_limit"]] = limits.get(g[q]["huawei_output_limit"], 0) + 1
        rows.append(row + [", ".join(f"{k} {v}" for k, v in sorted(limits.items(), key=lambda kv: -kv[1]))])
    return table(["year", "Huawei chips", "China's AI output (H100e)", "US output (H100e)", "smuggled (H100e)",
                  "Nvidia China revenue (USD B)", "China stock, Q4", "US:China stock, Q4", "self-sufficiency, Q4",
                  "SMIC capacity, Q4 (wpm)", "hawkishness, Q4", "what bound Huawei (seed-quarters)"], rows)


def replace_block(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- BEGIN {re.escape(name)} -->\n)(.*?)(<!-- END {re.escape(name)} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"docs/model.md: no <!-- BEGIN {name} --> ... <!-- END {name} --> markers")
    return pattern.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(3), text, count=1)


def cheap_tables() -> dict[str, Callable[[], str]]:
    base = load_scenario("baseline")
    return {
        "chips-h100e": lambda: chips_h100e_table(base),
        "chips-prices": lambda: chips_prices_table(base),
        "parameters": lambda: parameters_table(base),
        "fitted": lambda: fitted_table(base),
        "distributions": lambda: distributions_table(base),
        "initial": initial_table,
        "events": lambda: events_table(base.events),
        "random-events": lambda: random_events_table(base),
        "locks": lambda: locks_table(base),
        "historical-initial": historical_initial_table,
        "historical-events": historical_events_table,
        "historical-locks": lambda: locks_table(load_scenario("historical")),
        "variants": variants_table,
        "public-fields": public_fields_table,
        "hidden-keys": hidden_keys_table,
    }


def result_tables(results: Path) -> dict[str, Callable[[], str]]:
    def load(name: str) -> dict:
        return json.loads((results / name).read_text(encoding="utf-8"))

    cal = [load(n) for n in RESULT_FILES["calibration"]]
    eff = [load(n) for n in RESULT_FILES["effects"]]
    return {
        "calibration": lambda: calibration_table(*cal),
        "effects": lambda: effects_table(eff[0]),
        "effects-summary": lambda: effects_summary_table(*eff),
        "effects-base": lambda: effects_base_table(*eff),
        "longrun": longrun_table,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, help="folder with calibrate_32*.json and effects_32*.json")
    ap.add_argument("--doc", type=Path, default=DOC, help="the document to update (default docs/model.md)")
    args = ap.parse_args(argv)
    jobs = cheap_tables()
    if args.results is not None:
        jobs |= result_tables(args.results)
    text = args.doc.read_text(encoding="utf-8")
    for name, make in jobs.items():
        text = replace_block(text, name, make())
    args.doc.write_text(text, encoding="utf-8")
    print(f"{args.doc}: refreshed {', '.join(jobs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
