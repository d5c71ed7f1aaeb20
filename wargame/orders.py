"""The order form's model: what a seat may order now, in plain words, and a checked move from typed input.

Pygame-free, so the form's logic is tested headless. It reads the same specs the agents list
(agents/base.py): a kind is open exactly when `session.listed_kinds` lists it, and every move
it builds is validated by `session.check`, never submitted. Explanations and costs are written
from the agents' `apply` and the mechanics (docs/model.md §2-3); keep them in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from agents.base import Amount, Choice, Spec
from wargame.ids import ACTOR_LABELS
from wargame.moves import KINDS, AnyMove, Pass, parse_move
from wargame.session import MAX_ORDERS_PER_TURN, GameSession

# kind -> (label, what it does in the model, what it costs). Every kind in wargame.moves has one
# (tests/test_orders.py); costs say "no budget cost" only where no modelled budget is charged.
KIND_TEXT: dict[str, tuple[str, str, str]] = {
    "pass": ("End orders",
             "Ends your orders for this quarter; the next seat orders, and after the last seat the quarter is resolved.",
             "No cost."),
    # US government
    "set_threshold": ("Set the export threshold",
                      "Sets the most capable Nvidia chip class that may be sold to China. If Nvidia's licensed chip is "
                      "above the new level, its licence lapses.",
                      "No budget cost. Looser levels are open only while Washington's hawkishness is low; a stricter level "
                      "can cut Nvidia's China sales (Nvidia's revenue is a quarter of the US score)."),
    "add_entity": ("Add to the Entity List",
                   "Lists a target for the rest of the game (no move removes it). Huawei's proxies: proxy purchases are "
                   "caught more often and must be smaller. SMIC's fabs: higher capex per wafer and slower yield learning. "
                   "CXMT: slower HBM growth. Chinese cloud firms: less compute rentable abroad.",
                   "No budget cost; permanent."),
    "set_diffusion_tier": ("Set a nation's diffusion tier",
                           "Tier 1: no cap on the nation's purchases of US chips. Tier 2: a cap (the default, a higher one "
                           "if the nation aligns with the US, or one you set). Tier 3: no US chips. Each quarter tier 1 "
                           "nudges the nation's alignment towards the US, tiers 2 and 3 away from it.",
                           "No budget cost. A tighter tier lowers the nation's US chip purchases and its alignment "
                           "(Tier-2 alignment is a quarter of the US score)."),
    "set_tier2_cap": ("Set a tier-2 nation's chip cap",
                      "Sets how many H100e of US chips a nation in diffusion tier 2 may buy each quarter, replacing the "
                      "default cap.",
                      "No budget cost."),
    "set_enforcement": ("Set the enforcement budget",
                        "Funds export-control enforcement: raises the odds that smuggled shipments (with diminishing "
                        "returns) and Huawei's proxy purchases are caught, and shrinks what smugglers can move through "
                        "Tier-2 hubs.",
                        "No modelled budget is charged."),
    "set_cloud_kyc": ("Switch cloud know-your-customer rules",
                      "Know-your-customer rules for cloud providers cut the compute Chinese firms can rent in Tier-2 data "
                      "centres.",
                      "No budget cost."),
    "pressure_ally": ("Pressure an ally",
                      "Raises US pressure on the Netherlands (a chance each quarter that The Hague tightens DUV licences, "
                      "offset by ASML's lobbying) or on Korea (cuts the grey-market HBM reaching China). Pressure fades "
                      "each quarter unless renewed.",
                      "No budget cost."),
    "decide_licence": ("Rule on Nvidia's licence request",
                       "Grants or denies Nvidia's pending request to sell its China chip. Without a ruling the bureaucracy "
                       "decides, granting less often the more hawkish Washington is. Only a chip within the threshold can "
                       "be granted; it ships from the next quarter.",
                       "No budget cost. A grant lets Nvidia sell its China chip; a denial keeps it off the Chinese market."),
    "set_export_fee": ("Set the revenue share on China sales",
                       "Sets the share of Nvidia's China chip revenue paid to the US government (the 15 % and 25 % deals).",
                       "Charged against Nvidia's score, not its recorded revenue; the money counts in no score."),
    "set_intel_effort": ("Set intelligence effort",
                         "Sets how noisy US intelligence estimates are, how fast analysts learn SMIC's true yield and how "
                         "much output built from stockpiled dies they see.",
                         "No budget cost in the model."),
    # China government
    "set_smic_directive": ("Direct SMIC's wafers to Huawei",
                           "Sets the minimum share of SMIC's advanced wafers that must go to Huawei; SMIC's allocation is "
                           "raised to it at once.",
                           "No budget cost. Wafers directed to Huawei are not available to other Chinese chip designers."),
    "set_subsidy": ("Set a subsidy",
                    "Pays a subsidy every quarter while set. Fab capacity: adds to SMIC's cash and to mature fabs' tool "
                    "buying. Lithography: raises the chance of a domestic scanner breakthrough. HBM: speeds CXMT's HBM "
                    "output and its HBM3 breakthrough. Data-centre power: lowers the running cost of domestic chips.",
                    "Commits the amount against China's quarterly budget ceiling while it stays set, leaving less for "
                    "other subsidies and offers."),
    "set_foreign_chip_policy": ("Set the policy on foreign chips",
                                "Steers Chinese buyers away from Nvidia. Guidance: a penalty on licensed Nvidia chips. "
                                "State data centres domestic: the same penalty, and a captive share of demand buys only "
                                "domestic chips. Full ban: a larger captive share; licensed Nvidia and grey-market chips are "
                                "excluded and smuggled ones penalised.",
                                "No budget cost; demand domestic chips cannot meet goes unmet."),
    "court_tier2": ("Court a Tier-2 nation",
                    "A one-off offer this quarter that pulls the nation's alignment towards China; the offer is then "
                    "cleared.",
                    "Commits the amount against China's budget ceiling for this quarter."),
    "set_mineral_curbs": ("Switch critical-mineral export curbs",
                          "While on, the curbs cut Nvidia's output and raise Washington's hawkishness every quarter.",
                          "No budget cost; raises US hawkishness each quarter they stay on."),
    # Nvidia
    "design_china_chip": ("Design a China chip",
                          "Starts a China-compliant chip at the chosen level, ready after the design lag; a new chip needs "
                          "a new licence. 'None' withdraws the China chip, its design and its licence at once.",
                          "No cost is charged in the model."),
    "request_licence": ("Request an export licence",
                        "Asks Washington to licence the current China chip. The US rules on it next quarter, or the "
                        "bureaucracy decides, granting less often the more hawkish Washington is.",
                        "No cost."),
    "lobby": ("Lobby Washington",
              "Spends on lobbying every quarter while set, which lowers US hawkishness.",
              "Recorded, but not deducted from Nvidia's revenue or score in the model."),
    "allocate_supply": ("Split supply across markets",
                        "Sets the share of Nvidia's output made as the China chip (only while it may legally ship) and the "
                        "share of the rest offered to Tier-2 nations (within their caps).",
                        "No direct cost; China chips that do not sell are resold elsewhere at a loss."),
    "set_china_price": ("Set the China chip's price",
                        "Multiplies the China chip's list price: more revenue per chip, fewer Chinese buyers.",
                        "No direct cost."),
    # Huawei
    "order_wafers": ("Order wafers from SMIC",
                     "Sets Huawei's monthly wafer order; Huawei receives the smaller of its order and SMIC's allocation "
                     "to it.",
                     "Not charged to Huawei in the model (the wafers count in SMIC's revenue)."),
    "fund_ascend_rnd": ("Fund Ascend R&D",
                        "Spends every quarter while set; the R&D stock raises the chance of the next Ascend generation.",
                        "Spent from Huawei's quarterly budget, shared with packaging investment."),
    "invest_packaging": ("Invest in packaging lines",
                         "Spends every quarter while set on advanced packaging lines, ready after a lag and within a ramp "
                         "limit.",
                         "Spent from Huawei's quarterly budget, shared with Ascend R&D."),
    "set_supernode_share": ("Set the supernode share",
                            "Bundles a share of output into supernodes: more usable performance per chip at home, more "
                            "power drawn.",
                            "No budget cost; raises the power China's AI fleet draws."),
    "set_export_share": ("Set the export share",
                         "Offers a share of Ascend output abroad to Tier-2 buyers that lean towards Chinese chips.",
                         "No budget cost; exported chips do not add to China's own compute."),
    "set_hbm_policy": ("Set the HBM stockpile policy",
                       "Draw: releases a share of the pre-ban HBM stockpile each quarter. Conserve: releases a smaller "
                       "share. Stockpile: releases none and puts part of new HBM supply aside.",
                       "No budget cost."),
    "proxy_procurement": ("Buy foreign-made dies through proxies",
                          "A one-off order of foreign-made dies for Huawei's die bank. US authorities may catch it (more "
                          "likely with more enforcement and larger orders); a caught purchase is lost, lists the proxies "
                          "and raises US hawkishness.",
                          "No money is charged in the model; the risk is detection."),
    # SMIC
    "add_capacity": ("Add advanced capacity",
                     "Starts new advanced-node capacity, ready after the construction lag; it needs free DUV scanners.",
                     "The capex is paid from SMIC's cash at once."),
    "fund_yield_rnd": ("Fund yield R&D",
                       "Spends every quarter while set to speed yield learning on SMIC's advanced node.",
                       "Paid from SMIC's cash each quarter."),
    "allocate_wafers": ("Allocate wafers to Huawei",
                        "Sets the share of SMIC's advanced wafers offered to Huawei, at least Beijing's directive; the "
                        "rest goes to other customers.",
                        "No direct cost."),
    "buy_duv_tools": ("Order DUV scanners",
                      "Adds scanners to SMIC's order book; ASML delivers within its sales cap and the Dutch licence limit.",
                      "Paid from SMIC's cash on delivery."),
    # ASML
    "set_duv_sales": ("Set DUV sales to China",
                      "Caps the immersion DUV scanners delivered to SMIC each quarter, within the Dutch licence regime; "
                      "fewer sales also slow CXMT's HBM growth.",
                      "No direct cost; fewer deliveries mean less China revenue (ASML's score)."),
    "set_servicing": ("Set servicing of China's fleet",
                      "Without full servicing SMIC loses scanners each quarter, its yield learning and CXMT's growth slow.",
                      "No direct cost; less servicing means less service revenue (ASML's score)."),
    "lobby_hague": ("Lobby The Hague",
                    "Spends on lobbying every quarter while set, which offsets US pressure on the Dutch government to "
                    "tighten DUV licences.",
                    "Recorded, but not deducted from ASML's revenue or score in the model."),
    # smuggling networks
    "route_via": ("Route chips through a hub",
                  "Plans the H100e to move through the hub each quarter, within the hub's capacity and your leveraged "
                  "capital; shipments may be seized.",
                  "Each shipped chip costs the world price plus handling, paid from capital; seized chips are lost."),
    "set_fragmentation": ("Set shipment fragmentation",
                          "Splits shipments into smaller parcels: lower seizure odds, less throughput.",
                          "No money cost; less volume gets through."),
    "broker_cloud": ("Broker cloud access",
                     "Adds compute rented for Chinese buyers in Tier-2 data centres that admit Chinese tenants.",
                     "No cost is charged in the model."),
    "lie_low": ("Lie low",
                "No smuggling route runs this quarter.",
                "No shipments: no profit and no seizures this quarter."),
    # Tier-2 nations
    "set_stance": ("Set your stance",
                   "Align with the US, hedge or buy Chinese: sets where your alignment drifts and how much of your "
                   "demand prefers Chinese chips. Aligning with the US can earn a higher cap in diffusion tier 2.",
                   "No budget cost."),
    "set_transship_controls": ("Set transshipment controls",
                               "Permits or strict controls cut what can be diverted through your hub and the "
                               "shell-company buying your data centres can hide, add seizures of your own and nudge your "
                               "alignment towards the US.",
                               "No budget cost."),
    "build_datacentres": ("Build data centres",
                          "Adds this many MW of data-centre capacity every quarter while set.",
                          "No budget is charged in the model; limited by national build capacity."),
    "set_chinese_tenants": ("Admit or refuse Chinese cloud tenants",
                            "Only hubs that admit Chinese tenants rent compute to Chinese firms.",
                            "No budget cost."),
}
EXPLANATIONS: dict[str, str] = {k: v[1] for k, v in KIND_TEXT.items()}
LABELS: dict[str, str] = {k: v[0] for k, v in KIND_TEXT.items()}
COSTS: dict[str, str] = {k: v[2] for k, v in KIND_TEXT.items()}

TARGET_LABELS: dict[str, str] = {"target": "Target", "nation": "Nation", "sector": "Sector", "ally": "Ally", "hub": "Hub"}

# (kind, field) -> label; fields not named here fall back to their name in words
FIELD_LABELS: dict[tuple[str, str], str] = {
    ("set_threshold", "level"): "Threshold",
    ("set_diffusion_tier", "tier"): "Tier",
    ("set_tier2_cap", "cap_h100e"): "Cap",
    ("set_enforcement", "budget_usd_m"): "Enforcement budget",
    ("set_cloud_kyc", "enabled"): "Cloud KYC rules",
    ("decide_licence", "grant"): "Ruling",
    ("set_export_fee", "fee"): "Revenue share",
    ("set_intel_effort", "level"): "Effort",
    ("set_smic_directive", "huawei_share"): "Huawei's minimum share",
    ("set_subsidy", "usd_b"): "Subsidy",
    ("set_foreign_chip_policy", "policy"): "Policy",
    ("court_tier2", "usd_b"): "Offer",
    ("set_mineral_curbs", "enabled"): "Curbs",
    ("design_china_chip", "level"): "Chip level",
    ("lobby", "usd_m"): "Lobbying",
    ("allocate_supply", "china_share"): "China chip share",
    ("allocate_supply", "tier2_share"): "Tier-2 share",
    ("set_china_price", "multiplier"): "Price multiplier",
    ("order_wafers", "wpm"): "Wafer order",
    ("fund_ascend_rnd", "usd_b"): "R&D spend",
    ("invest_packaging", "usd_b"): "Packaging spend",
    ("set_supernode_share", "share"): "Supernode share",
    ("set_export_share", "share"): "Export share",
    ("set_hbm_policy", "policy"): "HBM policy",
    ("proxy_procurement", "dies"): "Dies",
    ("add_capacity", "wpm"): "New capacity",
    ("fund_yield_rnd", "usd_b"): "Yield R&D",
    ("allocate_wafers", "huawei_share"): "Huawei's share",
    ("buy_duv_tools", "tools"): "Scanners",
    ("set_duv_sales", "tools"): "Sales cap",
    ("set_servicing", "level"): "Servicing",
    ("lobby_hague", "usd_m"): "Lobbying",
    ("route_via", "h100e"): "Volume",
    ("set_fragmentation", "level"): "Fragmentation",
    ("broker_cloud", "h100e"): "Brokered compute",
    ("set_stance", "stance"): "Stance",
    ("set_transship_controls", "level"): "Controls",
    ("build_datacentres", "mw"): "Build rate",
    ("set_chinese_tenants", "admit"): "Chinese tenants",
}

# how a yes/no field reads: (kind, field) -> (label for True, label for False)
FLAG_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("decide_licence", "grant"): ("grant", "deny"),
    ("set_chinese_tenants", "admit"): ("admit", "refuse"),
}

VALUE_LABELS: dict[str, str] = {
    "ban_all": "ban all", "h20_class": "H20 class", "h200_class": "H200 class", "blackwell_lite": "Blackwell-lite",
    "unrestricted": "unrestricted", "none": "none",
    "tier1": "tier 1", "tier2": "tier 2", "tier3": "tier 3",
    "huawei_proxies": "Huawei's proxies", "smic_fabs": "SMIC's fabs", "cxmt": "CXMT", "chinese_cloud": "Chinese cloud firms",
    "fab_capacity": "fab capacity", "lithography": "lithography", "hbm": "HBM", "dc_power": "data-centre power",
    "guidance": "guidance", "open": "open", "state_dc_domestic": "state data centres domestic", "full_ban": "full ban",
    "netherlands": "Netherlands", "korea": "Korea",
    "draw": "draw", "conserve": "conserve", "stockpile": "stockpile",
    "full": "full", "limited": "limited",
    "align_us": "align with the US", "hedge": "hedge", "buy_chinese": "buy Chinese",
    "permits": "permits", "strict": "strict",
    "low": "low", "medium": "medium", "high": "high",
}

# (kind, field) -> where the actor's state holds the current setting: (attribute, keyed by the target?)
CURRENT: dict[tuple[str, str], tuple[str, bool]] = {
    ("set_threshold", "level"): ("threshold", False),
    ("set_enforcement", "budget_usd_m"): ("enforcement_budget_usd_m", False),
    ("set_cloud_kyc", "enabled"): ("cloud_kyc", False),
    ("set_export_fee", "fee"): ("export_fee", False),
    ("set_intel_effort", "level"): ("intel_effort", False),
    ("set_diffusion_tier", "tier"): ("diffusion", True),
    ("set_tier2_cap", "cap_h100e"): ("tier2_caps_h100e", True),
    ("set_smic_directive", "huawei_share"): ("directive_huawei_share", False),
    ("set_subsidy", "usd_b"): ("subsidies_usd_b", True),
    ("set_foreign_chip_policy", "policy"): ("foreign_chip_policy", False),
    ("court_tier2", "usd_b"): ("court_offers_usd_b", True),
    ("set_mineral_curbs", "enabled"): ("mineral_curbs", False),
    ("design_china_chip", "level"): ("china_chip", False),
    ("lobby", "usd_m"): ("lobby_usd_m", False),
    ("allocate_supply", "china_share"): ("china_supply_share", False),
    ("allocate_supply", "tier2_share"): ("tier2_supply_share", False),
    ("set_china_price", "multiplier"): ("price_multiplier", False),
    ("order_wafers", "wpm"): ("wafer_order_wpm", False),
    ("fund_ascend_rnd", "usd_b"): ("rd_usd_b", False),
    ("invest_packaging", "usd_b"): ("packaging_invest_usd_b", False),
    ("set_supernode_share", "share"): ("supernode_share", False),
    ("set_export_share", "share"): ("export_share", False),
    ("set_hbm_policy", "policy"): ("hbm_policy", False),
    ("proxy_procurement", "dies"): ("proxy_order_dies", False),
    ("fund_yield_rnd", "usd_b"): ("yield_rd_usd_b", False),
    ("allocate_wafers", "huawei_share"): ("huawei_share", False),
    ("set_duv_sales", "tools"): ("duv_sales_cap", False),
    ("set_servicing", "level"): ("servicing", False),
    ("lobby_hague", "usd_m"): ("lobby_usd_m", False),
    ("route_via", "h100e"): ("routes", True),
    ("set_fragmentation", "level"): ("fragmentation", False),
    ("broker_cloud", "h100e"): ("cloud_broker_h100e", False),
    ("set_stance", "stance"): ("stance", False),
    ("set_transship_controls", "level"): ("transship_controls", False),
    ("build_datacentres", "mw"): ("build_mw_per_quarter", False),
    ("set_chinese_tenants", "admit"): ("admit_chinese_tenants", False),
}
TIER_DEFAULT = "tier1"  # a nation with no diffusion entry is in tier 1 (agents/us.py)


def value_label(value: Any, kind: str = "", field: str = "") -> str:
    """How a choice reads on screen: words for codes and flags, percent for fees."""
    if isinstance(value, bool):
        yes, no = FLAG_WORDS.get((kind, field), ("on", "off"))
        return yes if value else no
    if kind == "set_export_fee":
        return f"{value * 100:g} %"
    if isinstance(value, str):
        return VALUE_LABELS.get(value) or ACTOR_LABELS.get(value) or value.replace("_", " ")
    return number_text(value)


def number_text(x: float) -> str:
    """A number as the form shows and accepts it: plain digits, up to six significant figures."""
    if abs(x) >= 1e5:
        return f"{round(x):d}"
    text = f"{x:.6g}"
    return text if "e" not in text else f"{x:.6f}".rstrip("0").rstrip(".")


def field_label(kind: str, name: str) -> str:
    return FIELD_LABELS.get((kind, name), name.replace("_", " ").capitalize())


@dataclass(frozen=True)
class OrderField:
    """One input of an order: a choice, a yes/no flag or an amount within bounds."""

    name: str
    label: str
    kind: str  # "choice" | "flag" | "amount"
    choices: tuple = ()
    choice_labels: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    default: Any = None  # the current setting where the actor's state has one (clamped into range), else the first value
    current: Any = None  # the actor's current setting, if any
    why: str = ""

    def bounds_text(self) -> str:
        if self.kind == "amount":
            return f"{number_text(self.lo)} to {number_text(self.hi)} {self.unit}".strip()
        return ", ".join(self.choice_labels)


@dataclass(frozen=True)
class OrderTarget:
    value: str | None  # the target field's value, None for kinds without one
    label: str
    fields: tuple[OrderField, ...]


@dataclass(frozen=True)
class OrderKind:
    kind: str
    label: str
    explanation: str
    cost: str
    secret: bool
    target_field: str | None
    target_label: str
    targets: tuple[OrderTarget, ...]  # the open ones
    closed: str | None = None  # why no order of this kind may be given now
    closed_targets: tuple[tuple[str, str], ...] = ()  # (target label, why) for targets closed now

    @property
    def is_open(self) -> bool:
        return self.closed is None

    def target(self, value: str | None) -> OrderTarget | None:
        return next((t for t in self.targets if t.value == value), None)


def orders_given(session: GameSession, actor: str) -> list[AnyMove]:
    """The orders `actor` has given this quarter (passes excluded), from the move log."""
    if session.current_actor != actor:
        return []
    turn = session.world.turn + 1
    return [parse_move(e["move"]) for e in session.moves
            if e.get("turn") == turn and e.get("actor") == actor and "move" in e and e["move"].get("kind") != "pass"]


def _current(state: dict, kind: str, name: str, target: str | None) -> Any:
    where = CURRENT.get((kind, name))
    if where is None or where[0] not in state:
        return None
    value = state[where[0]]
    if where[1]:
        if not isinstance(value, dict):
            return None
        return value.get(target, TIER_DEFAULT if kind == "set_diffusion_tier" else None)
    return value


def _field(kind: str, name: str, domain: Choice | Amount, current: Any) -> OrderField:
    label = field_label(kind, name)
    if isinstance(domain, Amount):
        lo, hi = float(domain.lo), float(max(domain.lo, domain.hi))
        default = lo
        if isinstance(current, (int, float)) and not isinstance(current, bool) and math.isfinite(current):
            default = min(max(float(current), lo), hi)
        return OrderField(name, label, "amount", lo=lo, hi=hi, unit=domain.unit, default=default, current=current, why=domain.why)
    values = tuple(domain.values)
    flag = bool(values) and all(isinstance(v, bool) for v in values)
    default = current if any(current == v and isinstance(current, bool) == isinstance(v, bool) for v in values) else (
        values[0] if values else None)
    return OrderField(name, label, "flag" if flag else "choice", choices=values,
                      choice_labels=tuple(value_label(v, kind, name) for v in values),
                      default=default, current=current, why=domain.why)


def _spec_closed(spec: Spec, key_used: bool) -> str | None:
    if spec.unavailable:
        return spec.unavailable
    if key_used:
        return "already ordered this quarter"
    empty = [n for n, d in spec.fields.items() if d.empty]
    if empty:
        return f"no {field_label(spec.kind, empty[0]).lower()} can be chosen now"
    return None


def _specs(session: GameSession, actor: str) -> list[Spec]:
    return session.model.by_id[actor].open_specs(session.world, session.model.params)


def order_kinds(session: GameSession, actor: str) -> list[OrderKind]:
    """What `actor` may order now, one entry per move kind, open ones first: empty unless it is
    the actor's turn. A kind is open exactly when `session.listed_kinds(actor)` lists it."""
    if session.is_over or session.current_actor != actor:
        return []
    listed = set(session.listed_kinds(actor))
    given = orders_given(session, actor)
    used = {m.key() for m in given}
    state = session.world.actor_state(actor).model_dump(mode="json")
    by_kind: dict[str, list[Spec]] = {}
    for spec in _specs(session, actor):
        by_kind.setdefault(spec.kind, []).append(spec)
    out: list[OrderKind] = []
    for kind, specs in by_kind.items():
        cls = KINDS[kind]
        tf = cls.target_field
        targets, closed_targets = [], []
        for spec in specs:
            tvalue = str(spec.fixed[tf]) if tf and tf in spec.fixed else None
            tlabel = value_label(tvalue) if tvalue is not None else ""
            why = _spec_closed(spec, (kind, tvalue or "") in used)
            if why:
                closed_targets.append((tlabel, why))
                continue
            fields = tuple(_field(kind, n, d, _current(state, kind, n, tvalue)) for n, d in spec.fields.items())
            targets.append(OrderTarget(tvalue, tlabel, fields))
        closed = None
        if kind not in listed:
            if len(given) >= MAX_ORDERS_PER_TURN:
                closed = f"{MAX_ORDERS_PER_TURN} orders already given this quarter"
            else:
                reasons = sorted({why for _, why in closed_targets})
                closed = reasons[0] if len(reasons) == 1 else "; ".join(f"{t}: {w}" for t, w in closed_targets)
                closed = closed or "not available now"
            targets = []
        out.append(OrderKind(kind, LABELS[kind], EXPLANATIONS[kind], COSTS[kind], bool(cls.secret), tf,
                             TARGET_LABELS.get(tf or "", ""), tuple(targets), closed,
                             tuple(closed_targets) if tf else ()))
    return [k for k in out if k.is_open] + [k for k in out if not k.is_open]


def _parse_amount(f: OrderField, raw: Any) -> tuple[float | None, str | None]:
    if isinstance(raw, bool):
        return None, f"{f.label}: enter a number"
    if isinstance(raw, str):
        text = raw.strip().replace(",", "").replace("_", "")
        if not text:
            return None, f"{f.label}: enter a number from {f.bounds_text()}"
        try:
            value = float(text)
        except ValueError:
            return None, f"{f.label}: {raw.strip()!r} is not a number; enter one from {f.bounds_text()}"
    elif isinstance(raw, (int, float)):
        value = float(raw)
    else:
        return None, f"{f.label}: enter a number from {f.bounds_text()}"
    if not math.isfinite(value):
        return None, f"{f.label}: enter a finite number from {f.bounds_text()}"
    assert f.lo is not None and f.hi is not None
    # what the form shows as a bound is that bound (the display rounds to six figures)
    for bound in (f.lo, f.hi):
        if value != bound and number_text(value) == number_text(bound):
            value = bound
    why = f" ({f.why})" if f.why else ""
    if value > f.hi:
        return None, f"{f.label}: {number_text(value)} is above the maximum {number_text(f.hi)} {f.unit}{why}".replace("  ", " ")
    if value < f.lo:
        return None, f"{f.label}: {number_text(value)} is below the minimum {number_text(f.lo)} {f.unit}{why}".replace("  ", " ")
    return value, None


def _parse_choice(f: OrderField, raw: Any) -> tuple[Any, str | None]:
    for value, label in zip(f.choices, f.choice_labels, strict=True):
        if isinstance(raw, bool) == isinstance(value, bool) and raw == value:
            return value, None
        if isinstance(raw, str) and raw.strip().lower() in (label.lower(), str(value).lower()):
            return value, None
    shown = raw if isinstance(raw, str) else value_label(raw)
    return None, f"{f.label}: {shown!r} is not allowed now; choose {f.bounds_text() or 'nothing (none is open)'}"


def build_order(session: GameSession, actor: str, kind: str, target: str | None = None,
                values: dict[str, Any] | None = None) -> tuple[AnyMove | None, str | None]:
    """Build the move from form input and validate it with `session.check` (never submits):
    (move, None) if it may be given now, else (None, a one-line reason fit to show inline)."""
    values = values or {}
    if kind == "pass":
        move = Pass(actor=actor)
        _, refusal = session.check(actor, move)
        return (None, f"{refusal.reason}; allowed: {refusal.allowed}") if refusal else (move, None)
    if kind not in KINDS:
        return None, f"unknown order {kind!r}"
    label = LABELS[kind]
    if actor not in session.actors:
        return None, f"unknown actor {actor!r}"
    cls = KINDS[kind]
    specs = [s for s in _specs(session, actor) if s.kind == kind]
    if not specs:
        return None, f"{label}: not an order {actor} can give"
    tf = cls.target_field
    key = (kind, str(target) if tf and target is not None else "")
    if key in {m.key() for m in orders_given(session, actor)}:
        where = f" for {value_label(key[1])}" if key[1] else ""
        return None, f"{label}: already ordered this quarter{where}; one such order per quarter"
    if tf:
        tname = TARGET_LABELS.get(tf, tf).lower()
        if target is None or str(target) == "":
            return None, f"{label}: choose a {tname}"
        spec = next((s for s in specs if str(s.fixed.get(tf)) == str(target)), None)
        if spec is None:
            options = ", ".join(value_label(str(s.fixed[tf])) for s in specs if tf in s.fixed)
            return None, f"{label}: {value_label(str(target))} is not open now; allowed: {options}"
    else:
        spec = specs[0]
    if spec.unavailable:
        return None, f"{label} is not available now: {spec.unavailable}"
    state = session.world.actor_state(actor).model_dump(mode="json")
    data: dict[str, Any] = {}
    for name, domain in spec.fields.items():
        f = _field(kind, name, domain, _current(state, kind, name, str(target) if tf else None))
        if name not in values:
            return None, f"{f.label}: no value given"
        value, problem = _parse_amount(f, values[name]) if f.kind == "amount" else _parse_choice(f, values[name])
        if problem:
            return None, problem
        data[name] = value
    try:
        move = cls(**spec.fixed, **data, actor=actor)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(x) for x in err["loc"])
        return None, f"{label}: {where}: {err['msg']}"
    _, refusal = session.check(actor, move)
    if refusal is not None:
        return None, f"{refusal.reason}; allowed: {refusal.allowed}"
    return move, None


def describe_order(move: AnyMove) -> str:
    """One line for the list of orders given: 'Set the enforcement budget: 300 USD million/year'."""
    label = LABELS.get(move.kind, move.kind)
    parts = []
    tf = move.target_field
    if tf:
        parts.append(value_label(str(getattr(move, tf))))
    for name, value in move.model_dump().items():
        if name in ("kind", "actor", tf):
            continue
        parts.append(f"{field_label(move.kind, name).lower()} {value_label(value, move.kind, name)}")
    secret = " (secret)" if move.secret else ""
    return f"{label}{': ' + ', '.join(parts) if parts else ''}{secret}"
