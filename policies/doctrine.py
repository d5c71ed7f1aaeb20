"""Default doctrines: one plausible, documented rule of thumb per actor, so a game plays itself.

Each doctrine reads only its observation and returns the orders it wants this quarter, most
important first; `Doctrine.decide` submits them one at a time, clamped to the legal bounds,
and passes when none is left. (A library of doctrines and look-ahead bots is a later issue.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation
from wargame.state import THRESHOLDS

Plan = Callable[[Observation, np.random.Generator], list[AnyMove]]


def _differs(a: float, b: float, rel: float = 0.1) -> bool:
    return abs(a - b) > rel * max(abs(a), abs(b), 1e-9)


def _last(obs: Observation, key: str, default: float = 0.0) -> float:
    return float(obs.last_record.get(key, obs.estimates.get(key, default)))


def us_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Hawkishness picks the threshold and the enforcement effort; listings follow evidence."""
    me = obs.own
    h = me["hawkishness"]
    out: list[AnyMove] = []
    # hysteresis: keep the rule in force unless Washington has swung clearly one way
    rank = THRESHOLDS.index(me["threshold"])
    if h >= 0.8 and rank > 0:
        out.append(mv.SetThreshold(level="ban_all"))
    elif h >= 0.7 and rank > 1:
        out.append(mv.SetThreshold(level=THRESHOLDS[rank - 1]))
    elif h < 0.4 and rank < len(THRESHOLDS) - 1:
        out.append(mv.SetThreshold(level=THRESHOLDS[rank + 1]))
    budget = 150 + 450 * h
    if _differs(budget, me["enforcement_budget_usd_m"]):
        out.append(mv.SetEnforcement(budget_usd_m=budget))
    if h > 0.6 and not me["cloud_kyc"]:
        out.append(mv.SetCloudKYC(enabled=True))
    if h > 0.7 and me["intel_effort"] != "high":
        out.append(mv.SetIntelEffort(level="high"))
    smuggled = obs.estimates.get("smuggled_h100e", 0.0)
    if h > 0.65 and smuggled > 50000 and "chinese_cloud" not in me["entity_list"]:
        out.append(mv.AddEntity(target="chinese_cloud"))
    if h > 0.7 and "huawei_proxies" not in me["entity_list"]:
        out.append(mv.AddEntity(target="huawei_proxies"))
    if h > 0.8 and obs.turn > 4 and "cxmt" not in me["entity_list"]:
        out.append(mv.AddEntity(target="cxmt"))
    if h > 0.65 and obs.turn % 4 == 1 and obs.public["asml"]["dutch_restriction"] < 3:
        out.append(mv.PressureAlly(ally="netherlands"))
    if h > 0.7 and obs.turn % 4 == 3:
        out.append(mv.PressureAlly(ally="korea"))
    for nation, tier in sorted(me["diffusion"].items()):
        a = obs.public[nation]["alignment"]
        want_tier = "tier3" if a < -0.5 else "tier2" if a < 0.0 else "tier1"
        if want_tier != tier:
            out.append(mv.SetDiffusionTier(nation=nation, tier=want_tier))
    if obs.public["nvidia"]["licence_pending"]:
        out.append(mv.DecideLicence(grant=h < 0.55))
    return out


def china_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Priority to Huawei, steady subsidies, domestic-first guidance, court the hedgers."""
    me = obs.own
    out: list[AnyMove] = []
    year = int(obs.quarter[:4])
    directive = min(0.6, max(0.15, 0.15 + 0.04 * (year - 2025)))  # priority to Huawei grows year by year
    if _differs(directive, me["directive_huawei_share"], 0.05):
        out.append(mv.SetSMICDirective(huawei_share=directive))
    targets = {"fab_capacity": 2.0, "lithography": 1.0, "hbm": 1.5, "dc_power": 1.0}
    # lower subsidies first so the budget has room for the raises that follow
    for sector, amount in sorted(targets.items(), key=lambda kv: kv[1] - me["subsidies_usd_b"].get(kv[0], 0.0)):
        if _differs(amount, me["subsidies_usd_b"].get(sector, 0.0)):
            out.append(mv.SetSubsidy(sector=sector, usd_b=amount))
    ss = obs.last_record.get("china_self_sufficiency", 0.0)
    if ss > 0.9 and me["foreign_chip_policy"] != "full_ban":
        out.append(mv.SetForeignChipPolicy(policy="full_ban"))
    elif ss > 0.5 and me["foreign_chip_policy"] in ("open", "guidance"):
        out.append(mv.SetForeignChipPolicy(policy="state_dc_domestic"))
    for nation in sorted(n for n, v in obs.public.items() if "alignment" in v):
        if -0.2 < obs.public[nation]["alignment"] < 0.3:
            out.append(mv.CourtTier2(nation=nation, usd_b=0.2))
    us = obs.public["us"]
    curbs = us["threshold"] == "ban_all" and us["hawkishness"] > 0.8
    if curbs != me["mineral_curbs"]:
        out.append(mv.SetMineralCurbs(enabled=curbs))
    return out


def nvidia_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Design the best chip the rules allow, ask for its licence, lobby when the door is shut."""
    me = obs.own
    us = obs.public["us"]
    out: list[AnyMove] = []
    allowed = us["threshold"]
    best = "none" if allowed == "ban_all" else allowed
    if best != me["china_chip"] and best != me["design_target"]:
        out.append(mv.DesignChinaChip(level=best))
    if me["china_chip"] != "none" and me["licensed_level"] != me["china_chip"] and not me["licence_pending"]:
        out.append(mv.RequestLicence())
    lobby = 1.5 if THRESHOLDS.index(allowed) <= 1 else 0.8
    if _differs(lobby, me["lobby_usd_m"]):
        out.append(mv.Lobby(usd_m=lobby))
    # follow what China actually buys: grow the allocation while it sells out, cut it when stock piles up
    share = max(me["china_supply_share"], 0.02)
    made = share * obs.last_record.get("us_ai_chip_output_h100e", 0.0) / 1.3
    unsold = me["unsold_china_inventory_h100e"]
    ceiling = 0.3 * (1.0 - us["export_fee"])  # a US revenue share makes China less worth supplying
    share = min(ceiling, share * 1.25) if unsold < 0.1 * made else share * 0.7 if unsold > 0.5 * made else min(share, ceiling)
    china_share = share  # kept while sales are blocked, so supply resumes at its level
    if _differs(china_share, me["china_supply_share"]) or _differs(0.1, me["tier2_supply_share"]):
        out.append(mv.AllocateSupply(china_share=china_share, tier2_share=0.1))
    return out


def huawei_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Order all the wafers Beijing's directive frees; bundle; spend the HBM stock with care."""
    me = obs.own
    out: list[AnyMove] = []
    share = obs.public["china"].get("directive_huawei_share", 0.2)
    capacity = obs.estimates.get("smic_advanced_capacity_wpm", obs.last_record.get("smic_advanced_capacity_wpm", 30000.0))
    order = capacity * 0.855 * (share + 0.05)
    if _differs(order, me["wafer_order_wpm"]):
        out.append(mv.OrderWafers(wpm=order))
    if _differs(1.5, me["rd_usd_b"]):
        out.append(mv.FundAscendRnD(usd_b=1.5))
    if _differs(0.5, me["supernode_share"]):
        out.append(mv.SetSupernodeShare(share=0.5))
    buyers = any(v.get("stance") in ("hedge", "buy_chinese") for v in obs.public.values())
    export = 0.05 if buyers else 0.0
    if _differs(export, me["export_share"]):
        out.append(mv.SetExportShare(share=export))
    policy = "draw" if me["hbm_stock"] > 4e6 else "conserve"
    if policy != me["hbm_policy"]:
        out.append(mv.SetHBMPolicy(policy=policy))
    if "huawei_proxies" not in obs.public["us"]["entity_list"] and obs.public["us"]["hawkishness"] < 0.7:
        out.append(mv.ProxyProcurement(dies=100000))
    return out


def smic_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Grow advanced capacity while tools last; fund yield; buy what ASML may sell."""
    me = obs.own
    out: list[AnyMove] = [mv.AddCapacity(wpm=2000)]
    if _differs(0.5, me["yield_rd_usd_b"]):
        out.append(mv.FundYieldRnD(usd_b=0.5))
    directive = obs.public["china"].get("directive_huawei_share", 0.2)
    share = min(0.9, directive + 0.05)
    if _differs(share, me["huawei_share"], 0.02):
        out.append(mv.AllocateWafers(huawei_share=share))
    if me["tools_on_order"] < 10 and obs.public["asml"]["duv_sales_cap"] > 0:
        out.append(mv.BuyDUVTools(tools=20))
    return out


def asml_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Sell what the licences allow, keep servicing the fleet, lobby when rules tighten."""
    me = obs.own
    out: list[AnyMove] = [mv.SetDUVSales(tools=30)]
    if me["servicing"] != "full":
        out.append(mv.SetServicing(level="full"))
    lobby = 1.0 if me["dutch_restriction"] >= 2 else 0.3
    if _differs(lobby, me["lobby_usd_m"]):
        out.append(mv.LobbyHague(usd_m=lobby))
    return out


def smugglers_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Push volume where controls are weak; fragment as seizures bite; go quiet in a crackdown."""
    me = obs.own
    us = obs.public["us"]
    smuggled = obs.last_record.get("smuggled_h100e", 0.0)
    seized = obs.last_record.get("seized_h100e", 0.0)
    if us["enforcement_budget_usd_m"] > 450 and seized > 0.2 * (smuggled + seized):
        return [mv.LieLow()]
    out: list[AnyMove] = []
    premium = obs.last_record.get("smuggling_price_premium", 0.5)
    for hub in sorted(n for n, v in obs.public.items() if "transship_controls" in v):
        weight = {"none": 1.0, "permits": 0.5, "strict": 0.15}[obs.public[hub]["transship_controls"]]
        volume = 60000 * weight * (0.5 + premium)
        if _differs(volume, me["routes"].get(hub, 0.0)):
            out.append(mv.RouteVia(hub=hub, h100e=volume))
    frag = 0.7 if seized > 0.1 * (smuggled + seized) else 0.4
    if _differs(frag, me["fragmentation"]):
        out.append(mv.SetFragmentation(level=frag))
    if _differs(10000, me["cloud_broker_h100e"]):
        out.append(mv.BrokerCloud(h100e=10000))
    return out


def tier2_plan(obs: Observation, rng: np.random.Generator) -> list[AnyMove]:
    """Follow the tier the US grants, build steadily, close doors the US is watching."""
    me = obs.own
    actor = obs.actor
    us = obs.public["us"]
    tier = us["diffusion"].get(actor, "tier1")
    out: list[AnyMove] = []
    stance = "buy_chinese" if tier == "tier3" else "align_us" if tier == "tier1" and me["alignment"] > 0.2 else me["stance"]
    if stance != me["stance"]:
        out.append(mv.SetStance(actor=actor, stance=stance))
    build = 0.6 * me["max_build_mw_per_quarter"]
    if _differs(build, me["build_mw_per_quarter"]):
        out.append(mv.BuildDatacentres(actor=actor, mw=build))
    if us["enforcement_budget_usd_m"] > 300 and me["transship_controls"] == "none":
        out.append(mv.SetTransshipControls(actor=actor, level="permits"))
    if us["cloud_kyc"] and me["alignment"] > 0.3 and me["admit_chinese_tenants"]:
        out.append(mv.SetChineseTenants(actor=actor, admit=False))
    return out


PLANS: dict[str, Plan] = {
    "us": us_plan, "china": china_plan, "nvidia": nvidia_plan, "huawei": huawei_plan,
    "smic": smic_plan, "asml": asml_plan, "smugglers": smugglers_plan,
}


def fit_to_legal(move: AnyMove, legal: list[AnyMove]) -> AnyMove | None:
    """The move with its amounts clamped into the legal range, or None if not allowed now."""
    same = [m for m in legal if m.key() == move.key()]
    if not same:
        return None
    data = move.model_dump()
    for name, value in data.items():
        if name in ("kind", "actor"):
            continue
        options = [m.model_dump()[name] for m in same]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in options + [value])
        if value in options:
            continue
        if numeric:  # an Amount: any value inside the listed range is legal
            data[name] = float(min(max(value, min(options)), max(options)))
        else:
            return None
    return type(move)(**data)


class Doctrine:
    name = "doctrine"

    def __init__(self, plan: Plan):
        self.plan = plan
        self._cache: tuple[tuple, list[AnyMove]] | None = None

    def decide(self, obs: Observation, legal: list[AnyMove], rng: np.random.Generator) -> AnyMove:
        key = (obs.actor, obs.turn, obs.quarter)
        if self._cache is None or self._cache[0] != key:  # plan once per quarter
            self._cache = (key, self.plan(obs, rng))
        for wanted in self._cache[1]:
            move = fit_to_legal(wanted, legal)
            if move is not None:
                return move
        return next(m for m in legal if m.kind == "pass")


def doctrine_for(actor: str) -> Doctrine:
    return Doctrine(PLANS.get(actor, tier2_plan))
