"""What a seat's panel says, as data: its own position, its intelligence estimates with ranges,
its objectives and its score. Pygame-free, so tests check content without pixels.

A seat's summary is built from its Observation only (fog of war): the world is never read for
it. The facilitator's rows are the exception on purpose: they put the hidden truth beside a
seat's estimates for the god's-eye view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from wargame.ids import actor_label
from wargame.metrics import HIDDEN_KEYS
from wargame.numbers import short_number
from wargame.observation import Observation
from wargame.orders import value_label
from wargame.session import GameSession
from wargame.state import INTEL_LEVELS

Z90 = 1.6448536269514722  # the 95th percentile of the standard normal: a two-sided 90 % interval


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    kind: str  # "own" | "estimate" | "public" | "score" | "note"


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class SeatSummary:
    actor: str
    title: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def rows(self) -> list[Row]:
        return [r for s in self.sections for r in s.rows]

    def texts(self) -> list[str]:
        """Every string the panel shows (titles, labels and values)."""
        out = [self.title]
        for s in self.sections:
            out.append(s.title)
            out += [t for r in s.rows for t in (r.label, r.value)]
        return out


@dataclass(frozen=True)
class FacilitatorRow:
    label: str
    estimate: str
    truth: str
    gap: str  # how far the estimate is from the truth, in words


def estimate_range(value: float, sigma: float) -> tuple[float, float]:
    """A 90 % interval for the true value behind an estimate carrying a mean-one lognormal
    analyst error exp(sigma Z - sigma^2/2) (wargame/observation.py): truth = estimate / error."""
    if value <= 0 or sigma <= 0:
        return value, value
    centre = math.log(value) + 0.5 * sigma * sigma
    return math.exp(centre - Z90 * sigma), math.exp(centre + Z90 * sigma)


NBSP = "\u00a0"  # between a number and its unit, so a wrapped line never strands a '%'


def _pct(x: float) -> str:
    return f"{x * 100:.3g}{NBSP}%"


def _usd_b(x: float) -> str:
    return f"USD {x:.3g}B" if abs(x) >= 1 or x == 0 else f"USD {x * 1000:.3g}M"


def _usd_m(x: float) -> str:
    return f"USD {x:.3g}M"


def _num(unit: str):
    return lambda x: f"{_fmt(x)} {unit}"


def _fmt(value: float) -> str:
    return short_number(value)


def _words(x) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    return value_label(x)


def _on(x: bool) -> str:
    return "on" if x else "off"


def _keyed(fmt):
    """A {target: value} setting as 'India 2.5k, UAE 1k', or 'none'."""
    def show(d: dict) -> str:
        items = [f"{value_label(k)} {fmt(v)}" for k, v in sorted(d.items()) if v not in (0, 0.0)]
        return ", ".join(items) if items else "none"
    return show


def _tiers(d: dict) -> str:
    return ", ".join(f"{value_label(k)} {value_label(v)}" for k, v in sorted(d.items())) or "all tier 1"


def _entities(items: list) -> str:
    return ", ".join(value_label(x) for x in items) or "none"


def _pipeline(entries: list) -> str:
    return _fmt(math.fsum(e[1] for e in entries)) if entries else "none"


# actor -> [(own-state field, label, how to show it)]; tier-2 nations share the "tier2" list
OWN_FIELDS: dict[str, list[tuple[str, str, object]]] = {
    "us": [
        ("threshold", "Export threshold for China", _words),
        ("entity_list", "Entity List", _entities),
        ("enforcement_budget_usd_m", "Enforcement budget", lambda x: f"USD {x:.3g}M a year"),
        ("cloud_kyc", "Cloud know-your-customer rules", _on),
        ("export_fee", "Revenue share on Nvidia's China sales", _pct),
        ("intel_effort", "Intelligence effort", _words),
        ("diffusion", "Diffusion tiers", _tiers),
        ("tier2_caps_h100e", "Tier-2 caps you set (H100e/quarter)", _keyed(_fmt)),
        ("pressure_netherlands", "Pressure on the Netherlands (0-1)", lambda x: f"{x:.2f}"),
        ("pressure_korea", "Pressure on Korea (0-1)", lambda x: f"{x:.2f}"),
        ("hawkishness", "Hawkishness (0 dove, 1 hawk)", lambda x: f"{x:.2f}"),
    ],
    "china": [
        ("directive_huawei_share", "SMIC wafers directed to Huawei", _pct),
        ("subsidies_usd_b", "Subsidies (USD billion/quarter)", _keyed(lambda x: f"{x:.3g}")),
        ("budget_usd_b", "Budget ceiling", lambda x: f"USD {x:.3g}B a quarter"),
        ("foreign_chip_policy", "Policy on foreign chips", _words),
        ("court_offers_usd_b", "Offers to Tier-2 nations (USD billion)", _keyed(lambda x: f"{x:.3g}")),
        ("mineral_curbs", "Critical-mineral curbs", _on),
        ("algorithmic_efficiency", "Chinese labs' algorithmic efficiency", lambda x: f"{x:.3g}x"),
    ],
    "nvidia": [
        ("china_chip", "China chip on sale", _words),
        ("design_target", "China chip in design", _words),
        ("licence_pending", "Licence request pending", _words),
        ("licensed_level", "Licensed for China", _words),
        ("shipping_level", "Shipping to China", _words),
        ("china_supply_share", "Output made as the China chip", _pct),
        ("tier2_supply_share", "Output offered to Tier-2", _pct),
        ("price_multiplier", "China price (x list)", lambda x: f"{x:.3g}x"),
        ("lobby_usd_m", "Lobbying", lambda x: f"USD {x:.3g}M a quarter"),
        ("unsold_china_inventory_h100e", "Unsold China chips", _num("H100e")),
    ],
    "huawei": [
        ("generation", "Ascend generation", str),
        ("wafer_order_wpm", "Wafer order at SMIC", _num("wafers/month")),
        ("die_bank", "Die bank", _num("dies")),
        ("hbm_stock", "HBM stockpile", _num("stacks")),
        ("hbm_policy", "HBM policy", _words),
        ("packaging_capacity_chips", "Packaging capacity", _num("chips/quarter")),
        ("rd_usd_b", "Ascend R&D", lambda x: f"USD {x:.3g}B a quarter"),
        ("packaging_invest_usd_b", "Packaging investment", lambda x: f"USD {x:.3g}B a quarter"),
        ("supernode_share", "Output in supernodes", _pct),
        ("export_share", "Output offered abroad", _pct),
        ("chip_inventory_h100e", "Unsold domestic chips", _num("H100e")),
        ("proxy_order_dies", "Proxy order outstanding", _num("dies")),
    ],
    "smic": [
        ("advanced_capacity_wpm", "Advanced capacity", _num("wafers/month")),
        ("pipeline", "Capacity under construction (wafers/month)", _pipeline),
        ("duv_tools", "DUV scanners", _num("tools")),
        ("tools_on_order", "Scanners on order", _num("tools")),
        ("ai_yield", "AI-die yield", _pct),
        ("yield_rd_usd_b", "Yield R&D", lambda x: f"USD {x:.3g}B a quarter"),
        ("huawei_share", "Advanced wafers to Huawei", _pct),
        ("cash_usd_b", "Cash", _usd_b),
    ],
    "asml": [
        ("dutch_restriction", "Dutch licence level (0-3)", str),
        ("duv_sales_cap", "DUV sales cap", _num("tools/quarter")),
        ("servicing", "Servicing in China", _words),
        ("lobby_usd_m", "Lobbying The Hague", lambda x: f"USD {x:.3g}M a quarter"),
    ],
    "smugglers": [
        ("capital_usd_b", "Capital", _usd_b),
        ("routes", "Planned routes (H100e/quarter)", _keyed(_fmt)),
        ("fragmentation", "Fragmentation (0 bulk, 1 small parcels)", lambda x: f"{x:.2f}"),
        ("cloud_broker_h100e", "Brokered cloud compute", _num("H100e")),
        ("lying_low", "Lying low this quarter", _words),
    ],
    "tier2": [
        ("alignment", "Alignment (-1 China, +1 US)", lambda x: f"{x:+.2f}"),
        ("stance", "Stance", _words),
        ("transship_controls", "Transshipment controls", _words),
        ("dc_capacity_mw", "Data-centre capacity", _num("MW")),
        ("build_mw_per_quarter", "Build rate", _num("MW/quarter")),
        ("max_build_mw_per_quarter", "Build capacity", _num("MW/quarter")),
        ("admit_chinese_tenants", "Chinese cloud tenants admitted", _words),
        ("compute_stock_h100e", "Installed US-made compute", _num("H100e")),
        ("chinese_chips_h100e", "Installed Chinese chips", _num("H100e")),
    ],
}

# estimate key -> (label, unit); "%" marks a fraction shown as a percentage
ESTIMATES: dict[str, tuple[str, str]] = {
    "huawei_output_chips": ("Huawei AI chips made last quarter", "chips"),
    "smuggled_h100e": ("Chips smuggled into China last quarter", "H100e"),
    "smic_yield": ("SMIC's AI-die yield", "%"),
    "smic_advanced_capacity_wpm": ("SMIC's advanced capacity", "wafers/month"),
    "china_compute_stock_h100e": ("China's installed AI compute", "H100e"),
    "china_demand_h100e": ("China's AI-chip demand last quarter", "H100e"),
}


def _figure(key: str, value: float, unit: bool = True) -> str:
    """An estimated figure: '1.2M H100e', '6.5 %'; without its unit for the low end of a range."""
    u = ESTIMATES[key][1]
    text = f"{value * 100:.2g}" if u == "%" else _fmt(value)
    return f"{text}{NBSP if u == '%' else ' '}{u}" if unit else text


# the US seat's estimates are its intelligence community's conclusions, kept in its own state
US_INTEL: dict[str, str] = {
    "huawei_output_chips": "intel_huawei_chips",
    "smuggled_h100e": "intel_smuggled_h100e",
    "china_compute_stock_h100e": "intel_china_stock_h100e",
    "smic_yield": "intel_smic_yield",
}

# last quarter's figures worth a glance, per seat (shown only if the seat's record has them)
RECORD_LABELS: dict[str, tuple[str, object]] = {
    "us_compute_stock_h100e": ("US and allied installed AI compute", lambda x: f"{_fmt(x)} H100e"),
    "china_compute_stock_h100e": ("China's installed AI compute", lambda x: f"{_fmt(x)} H100e"),
    "tier2_compute_stock_h100e": ("Tier-2 installed AI compute", lambda x: f"{_fmt(x)} H100e"),
    "us_china_stock_ratio": ("US+allies:China compute ratio", lambda x: f"{x:.3g} to 1"),
    "china_self_sufficiency": ("China's self-sufficiency", _pct),
    "china_unmet_demand_h100e": ("China's unmet demand", lambda x: f"{_fmt(x)} H100e"),
    "seized_h100e": ("Smuggled chips seized", lambda x: f"{_fmt(x)} H100e"),
    "smuggled_h100e": ("Chips smuggled into China", lambda x: f"{_fmt(x)} H100e"),
    "smuggler_profit_usd_b": ("Smuggling profit", _usd_b),
    "smuggling_price_premium": ("Black-market premium over list", _pct),
    "nvidia_revenue_usd_b": ("Nvidia revenue", _usd_b),
    "nvidia_china_revenue_usd_b": ("Nvidia China chip revenue", _usd_b),
    "nvidia_china_share": ("Nvidia's share of China's additions", _pct),
    "huawei_output_chips": ("Ascend chips packaged", lambda x: f"{_fmt(x)} chips"),
    "huawei_exports_chips": ("Ascend chips exported", lambda x: f"{_fmt(x)} chips"),
    "huawei_output_limit": ("What limited Ascend output", lambda x: str(x).replace("+", " and ")),
    "smic_advanced_capacity_wpm": ("SMIC advanced capacity", lambda x: f"{_fmt(x)} wafers/month"),
    "smic_yield": ("SMIC AI-die yield", _pct),
    "smic_revenue_usd_b": ("SMIC revenue", _usd_b),
    "asml_china_revenue_usd_b": ("ASML China revenue", _usd_b),
    "asml_china_share": ("China's share of ASML sales", _pct),
    "us_hawkishness": ("US hawkishness (0-1)", lambda x: f"{x:.2f}"),
}
GLANCE: dict[str, tuple[str, ...]] = {
    "us": ("us_compute_stock_h100e", "seized_h100e", "nvidia_revenue_usd_b", "tier2_compute_stock_h100e"),
    "china": ("china_compute_stock_h100e", "us_china_stock_ratio", "china_self_sufficiency", "china_unmet_demand_h100e",
              "seized_h100e"),
    "nvidia": ("nvidia_revenue_usd_b", "nvidia_china_revenue_usd_b", "nvidia_china_share", "us_hawkishness"),
    "huawei": ("huawei_output_chips", "huawei_exports_chips", "huawei_output_limit", "china_self_sufficiency"),
    "smic": ("smic_advanced_capacity_wpm", "smic_yield", "smic_revenue_usd_b"),
    "asml": ("asml_china_revenue_usd_b", "asml_china_share", "smic_advanced_capacity_wpm"),
    "smugglers": ("smuggled_h100e", "seized_h100e", "smuggler_profit_usd_b", "smuggling_price_premium"),
    "tier2": ("tier2_compute_stock_h100e", "us_hawkishness"),
}

# DESIGN §2, "wants"
OBJECTIVES: dict[str, str] = {
    "us": "Keep a large lead in AI compute over China, keep US industry (Nvidia) strong, and keep allies and "
          "Tier-2 nations aligned.",
    "china": "Close the compute gap with the US, reach self-sufficiency in AI chips, and keep Chinese AI labs supplied.",
    "nvidia": "Revenue and global market share; keep CUDA the world's standard.",
    "huawei": "Ascend output and market share at home and abroad.",
    "smic": "Revenue, utilisation and progress on advanced nodes.",
    "asml": "Revenue from China, within the export rules.",
    "smugglers": "Profit, against the risk of seizure.",
    "tier2": "Data-centre build-out, access to chips, and sovereignty (not being pulled into either camp).",
}


def score_rule(actor: str, goal: float = 0.7, weights=None) -> str:
    """How wargame.metrics.score rates the seat, in one line, with the scenario's weights
    (`params`: the scenario's Params; its `score_weights_*` say how much each term counts)."""
    if actor in ("asml", "smugglers"):
        return {"asml": "ASML's China revenue (scanners, mature-fab tools, servicing) against a reference level.",
                "smugglers": "Rises with last quarter's profit; 0.5 at break-even."}[actor]
    w = [f"{100 * x:g} %" for x in getattr(weights, f"score_weights_{actor}")]
    return {
        "us": "{0} the US:China compute-stock lead, {1} Nvidia's revenue, {2} Tier-2 alignment with the US.",
        "china": "{0} progress to the {goal} % self-sufficiency goal, {1} of demand met, {2} closing the compute gap.",
        "nvidia": "{0} revenue net of the US revenue share, {1} Nvidia's share of China's AI-chip additions.",
        "huawei": "{0} domestic share of China's compute additions, {1} share of Ascend output exported.",
        "smic": "{0} revenue, {1} progress of AI-die yield towards its ceiling.",
        "tier2": "{0} how full your data centres are with chips, {1} staying non-aligned.",
    }[actor].format(*w, goal=f"{goal * 100:.0f}")


def _group(session: GameSession, actor: str) -> str:
    return "tier2" if actor in session.scenario.tier2 else actor


def seat_sigma(session: GameSession, obs: Observation, key: str = "") -> float:
    """The log error of one of the seat's estimates: the US intelligence community's conclusions
    carry the noise of its intelligence effort (the seat's own setting, so it knows it); every
    other estimate is analysts' reading with `analyst_sigma` (wargame/observation.py)."""
    p = session.model.params
    if obs.actor == "us" and key in US_INTEL and obs.own.get("intel_effort") in INTEL_LEVELS:
        return float(p.obs_sigma_by_intel[INTEL_LEVELS.index(obs.own["intel_effort"])])
    return float(p.analyst_sigma)


def seat_estimates(obs: Observation) -> dict[str, float]:
    """The seat's estimates: the Observation's, and for the US also its intelligence community's
    standing conclusions before the first quarter has been resolved."""
    out = dict(obs.estimates)
    if obs.actor == "us":
        for key, own in US_INTEL.items():
            if key not in out and own in obs.own:
                out[key] = float(obs.own[own])
    return {k: v for k, v in out.items() if k in ESTIMATES}


def estimate_text(key: str, value: float, sigma: float) -> str:
    """'intelligence estimate 1.2M H100e (range 0.9M–1.6M)': the 90 % range of estimate_range."""
    lo, hi = estimate_range(value, sigma)
    if key == "smic_yield":
        hi = min(hi, 1.0)
    if value <= 0:
        return f"intelligence estimate {_figure(key, value)}"
    high = _figure(key, hi) if ESTIMATES[key][1] == "%" else _figure(key, hi, False)
    return f"intelligence estimate {_figure(key, value)} (range {_figure(key, lo, False)}–{high})"


def seat_summary(session: GameSession, actor: str, obs: Observation) -> SeatSummary:
    """The seat panel's content, from the seat's Observation only."""
    group = _group(session, actor)
    own_rows = []
    for name, label, show in OWN_FIELDS[group]:
        if name not in obs.own:
            continue
        value = obs.own[name]
        if name == "design_target" and value == "none":
            continue
        if name in ("proxy_order_dies", "tools_on_order") and not value:
            continue
        own_rows.append(Row(label, show(value), "own"))
    if actor == "china" and "budget_usd_b" in obs.own:
        committed = math.fsum(obs.own.get("subsidies_usd_b", {}).values()) + math.fsum(obs.own.get("court_offers_usd_b", {}).values())
        own_rows.append(Row("Budget not yet committed", f"USD {max(0.0, obs.own['budget_usd_b'] - committed):.3g}B", "own"))
    sections = [Section("Your position (private)", tuple(own_rows))]

    est = seat_estimates(obs)
    est_rows = [Row(ESTIMATES[k][0], estimate_text(k, v, seat_sigma(session, obs, k)), "estimate") for k, v in est.items()]
    if est_rows:
        sigmas = "/".join(sorted({f"{seat_sigma(session, obs, k):.2g}" for k in est}))
        est_rows.append(Row("About these figures", f"Ranges are 90 % intervals for an analyst error of {sigmas} (log sd); "
                            "an estimate can also be biased.", "note"))
        sections.append(Section("Intelligence estimates", tuple(est_rows)))

    glance = [k for k in GLANCE[group] if k in obs.last_record and k in RECORD_LABELS]
    if glance:
        rows = tuple(Row(RECORD_LABELS[k][0], RECORD_LABELS[k][1](obs.last_record[k]),
                         "own" if k in HIDDEN_KEYS else "public") for k in glance)
        sections.append(Section(f"Last quarter ({obs.last_record.get('quarter', '')})".replace(" ()", ""), rows))

    goal = float(getattr(session.model.params, "self_sufficiency_goal", 0.7))
    obj = [Row("Wants", OBJECTIVES[group], "note"), Row("Scored on", score_rule(group, goal, session.model.params), "note")]
    score = obs.last_record.get(f"score_{actor}")
    obj.append(Row("Score last quarter", f"{score:.2f} (0 to 1)" if score is not None else "none yet (first quarter)", "score"))
    sections.append(Section("Objectives and score", tuple(obj)))
    return SeatSummary(actor, f"{actor_label(actor)}, {obs.quarter}", tuple(sections))


def _truth(session: GameSession, key: str) -> float | None:
    """The true figure behind an estimate: last quarter's record, or before any quarter has
    been resolved, the world's stock where there is one."""
    if session.timeline and key in session.timeline[-1]:
        return float(session.timeline[-1][key])
    if key == "china_compute_stock_h100e":
        m = session.world.market
        return m.china_domestic_stock_h100e + m.china_foreign_stock_h100e
    if key == "smic_yield":
        return session.world.smic.ai_yield
    if key == "smic_advanced_capacity_wpm":
        return session.world.smic.advanced_capacity_wpm
    return None


def facilitator_rows(session: GameSession, actor: str, obs: Observation) -> list[FacilitatorRow]:
    """For the facilitator only: each of the seat's estimates beside the hidden truth."""
    rows = []
    for key, value in seat_estimates(obs).items():
        label = ESTIMATES[key][0]
        truth = _truth(session, key)
        if truth is None:
            rows.append(FacilitatorRow(label, _figure(key, value), "not known yet", ""))
            continue
        if truth > 0:
            ratio = value / truth - 1.0
            gap = "about right" if abs(ratio) < 0.005 else f"{abs(ratio) * 100:.0f} % {'high' if ratio > 0 else 'low'}"
        else:
            gap = "about right" if value == 0 else "truth is zero"
        rows.append(FacilitatorRow(label, _figure(key, value), _figure(key, truth), gap))
    return rows
