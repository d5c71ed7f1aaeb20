"""Default doctrines: one plausible, documented rule of thumb per actor, so a game plays itself.

Each doctrine reads only its observation (never the true hidden state, never the calendar) and
returns the orders it wants this quarter, most important first; `Doctrine.decide` submits them
one at a time, clamped to the legal bounds, and passes when none is left. Doctrines react to
what they see (a shortage, a seizure, a rival's better chip) and roll the seat's own dice where
a real decision-maker would hesitate, so two games with different seeds differ in their choices
too. They hold no memory between quarters, so a saved game continues exactly.
(Named doctrines live in policies/library/, the look-ahead bot in policies/lookahead.py.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation
from wargame.state import FOREIGN_CHIP_POLICIES, THRESHOLDS


class Dice:
    """A seat's dice for one quarter: a fixed number of draws made up front from the observation's
    per-quarter seed, each decision reading its own slot, so which decisions come up never shifts
    the dice of the others (and a plan remade after a save is the same plan)."""

    SLOTS = 16
    __slots__ = ("_seed", "_u", "_z")

    def __init__(self, seed: int | Observation):
        self._seed = seed  # an observation: its dice_seed, read on the first roll (some plans never roll)
        self._u: list[float] | None = None  # rolled on first use

    def _roll(self) -> None:
        seed = self._seed
        g = np.random.default_rng(seed.dice_seed if isinstance(seed, Observation) else seed)
        self._u = g.random(self.SLOTS).tolist()  # Python floats: the same doubles, cheaper to read
        self._z = g.standard_normal(self.SLOTS).tolist()

    def chance(self, p: float, slot: int) -> bool:
        if self._u is None:
            self._roll()
        return self._u[slot] < p

    def jitter(self, x: float, sd: float, slot: int) -> float:
        """x times a lognormal factor with median 1: a decision-maker's imprecision."""
        if self._u is None:
            self._roll()
        return x * math.exp(sd * self._z[slot])


Plan = Callable[[Observation, Dice], list[AnyMove]]

# Rough H100e per chip that every seat knows from public specs (P2, H11, N13): what Beijing
# compares when it asks whether Nvidia's China chip is much better than a domestic one.
CHIP_CLASS_H100E = {"none": 0.0, "h20_class": 0.55, "h200_class": 1.15, "blackwell_lite": 1.4, "unrestricted": 2.4}
ASCEND_H100E = {"910B": 0.34, "910C": 0.68, "950": 1.0, "960": 1.5, "970": 2.3}
# Washington's bands: the threshold a given hawkishness supports (strictest first).
THRESHOLD_BANDS = ((0.8, "ban_all"), (0.65, "h20_class"), (0.45, "h200_class"), (0.3, "blackwell_lite"), (0.0, "unrestricted"))
REFERENCE_ENFORCEMENT_USD_M = 171.0  # X7: the FY2025 BIS budget


def _differs(a: float, b: float, rel: float = 0.1) -> bool:
    return abs(a - b) > rel * max(abs(a), abs(b), 1e-9)


def _last(obs: Observation, key: str, default: float = 0.0) -> float:
    """Last quarter's figure if the seat may see it, else its estimate of it."""
    return float(obs.last_record.get(key, obs.estimates.get(key, default)))


def _step_towards(current: str, target: str, order: tuple[str, ...]) -> str:
    i, j = order.index(current), order.index(target)
    return order[i + (j > i) - (j < i)]


def us_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Washington as its hawk-dove balance stands: the threshold follows hawkishness one step at
    a time (with bureaucratic friction); enforcement starts from the appropriated budget and rises
    with what the seizures reveal; listings follow evidence and alarm."""
    me = obs.own
    h = me["hawkishness"]
    out: list[AnyMove] = []
    # a margin round each band edge, so a balance that hovers at an edge does not flap the rule
    loosest = THRESHOLD_BANDS[-1][1]  # a balance below the lowest band's margin still has a rule
    tighten_to = next((level for floor, level in THRESHOLD_BANDS if h >= floor + 0.03), loosest)
    loosen_to = next((level for floor, level in THRESHOLD_BANDS if h >= floor - 0.03), loosest)
    rank = THRESHOLDS.index(me["threshold"])  # strictest first
    target = (tighten_to if THRESHOLDS.index(tighten_to) < rank
              else loosen_to if THRESHOLDS.index(loosen_to) > rank else me["threshold"])
    if target != me["threshold"] and dice.chance(0.5, 0):
        out.append(mv.SetThreshold(level=_step_towards(me["threshold"], target, THRESHOLDS)))
    smuggled = obs.estimates.get("smuggled_h100e", 0.0)
    budget = me["enforcement_budget_usd_m"]
    if smuggled > 20000:  # seizures reveal a trade: fund more agents and chip tracking
        budget *= 1.0 + 0.15 * min(2.0, smuggled / 50000.0) * (0.5 + h)
    else:  # back towards the appropriation
        budget += 0.2 * (REFERENCE_ENFORCEMENT_USD_M - budget)
    budget = dice.jitter(budget, 0.03, 0)
    if _differs(budget, me["enforcement_budget_usd_m"], 0.05):
        out.append(mv.SetEnforcement(budget_usd_m=budget))
    if h > 0.6 and smuggled > 30000 and not me["cloud_kyc"]:
        out.append(mv.SetCloudKYC(enabled=True))
    intel = "high" if h > 0.65 else "medium"
    if intel != me["intel_effort"]:
        out.append(mv.SetIntelEffort(level=intel))
    alarm = any("Huawei brings up the Ascend" in n for n in obs.news)  # a new generation in the news
    listed = me["entity_list"]
    if "huawei_proxies" not in listed and h > 0.7 and dice.chance(0.3, 1):
        out.append(mv.AddEntity(target="huawei_proxies"))
    if "smic_fabs" not in listed and h > 0.7 and (alarm or dice.chance(0.15, 2)):
        out.append(mv.AddEntity(target="smic_fabs"))
    if "cxmt" not in listed and h > 0.75 and dice.chance(0.2, 3):
        out.append(mv.AddEntity(target="cxmt"))
    if "chinese_cloud" not in listed and h > 0.65 and smuggled > 50000:
        out.append(mv.AddEntity(target="chinese_cloud"))
    if obs.public["asml"]["dutch_restriction"] < 3 and dice.chance(h - 0.45, 4):
        out.append(mv.PressureAlly(ally="netherlands"))
    if dice.chance(h - 0.55, 5):
        out.append(mv.PressureAlly(ally="korea"))
    for nation, tier in sorted(me["diffusion"].items()):
        a = obs.public[nation]["alignment"]
        want_tier = "tier3" if a < -0.5 else "tier2" if a < 0.0 else "tier1"
        if want_tier != tier:
            out.append(mv.SetDiffusionTier(nation=nation, tier=want_tier))
    if obs.public["nvidia"]["licence_pending"]:
        out.append(mv.DecideLicence(grant=dice.chance((1.0 - h) ** 1.5 * 1.6, 6)))
    return out


def china_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Beijing steers by the shortage and by what limits Huawei: more wafers to Huawei when dies
    are short, subsidies to the bottleneck, and guidance against foreign chips that tightens as
    domestic supply covers demand and loosens when the country is short and Nvidia's chip on
    offer is much better than a domestic one."""
    me = obs.own
    last = obs.last_record
    out: list[AnyMove] = []
    # judged against what the labs would buy at world prices, not what they could afford
    latent = last.get("china_latent_demand_h100e", 0.0)
    shortage = 1.0 - last.get("china_compute_additions_h100e", 0.0) / latent if latent > 0 else 0.0
    cover = last.get("china_domestic_additions_h100e", 0.0) / latent if latent > 0 else 0.0
    limit = str(last.get("huawei_output_limit", "dies"))
    directive = me["directive_huawei_share"]
    if limit.startswith("dies") and shortage > 0.2:
        directive = min(0.6, directive + 0.05)
    elif limit.startswith("packaging") or limit == "hbm":
        directive = max(0.15, directive - 0.03)
    if _differs(directive, me["directive_huawei_share"], 0.02):
        out.append(mv.SetSMICDirective(huawei_share=directive))
    targets = {"fab_capacity": 1.5, "lithography": 1.0, "hbm": 1.5, "dc_power": 0.5}
    if limit.startswith("dies"):
        targets["fab_capacity"] += 1.0
    if "hbm" in limit:
        targets["hbm"] += 1.0
    if last.get("china_self_sufficiency", 0.0) < 0.7:
        targets["dc_power"] += 0.5
    # lower subsidies first so the budget has room for the raises that follow
    for sector, amount in sorted(targets.items(), key=lambda kv: kv[1] - me["subsidies_usd_b"].get(kv[0], 0.0)):
        if _differs(amount, me["subsidies_usd_b"].get(sector, 0.0)):
            out.append(mv.SetSubsidy(sector=sector, usd_b=amount))
    offer = CHIP_CLASS_H100E.get(obs.public["nvidia"]["china_chip"], 0.0)
    gap = offer / ASCEND_H100E.get(obs.public["huawei"]["generation"], 0.68)
    if cover >= 0.8 and shortage < 0.1:
        target = "full_ban"
    elif shortage > 0.6 and gap > 1.5:
        target = "open"
    elif cover >= 0.4 or gap < 1.2:
        target = "state_dc_domestic"
    else:
        target = "guidance"
    policy = me["foreign_chip_policy"]
    if target != policy and dice.chance(0.5, 0):
        out.append(mv.SetForeignChipPolicy(policy=_step_towards(policy, target, FOREIGN_CHIP_POLICIES)))
    for nation in sorted(n for n, v in obs.public.items() if "alignment" in v):
        if -0.2 < obs.public[nation]["alignment"] < 0.3:
            out.append(mv.CourtTier2(nation=nation, usd_b=0.2))
    us = obs.public["us"]
    curbs = (us["threshold"] == "ban_all" or "smic_fabs" in us["entity_list"]) and us["hawkishness"] > 0.75
    if curbs != me["mineral_curbs"]:
        out.append(mv.SetMineralCurbs(enabled=curbs))
    return out


def nvidia_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Design the best chip the rules allow and ask for its licence; size the China allocation and
    price to what sells; lobby in proportion to the China revenue the rules cost it."""
    me = obs.own
    us = obs.public["us"]
    last = obs.last_record
    out: list[AnyMove] = []
    allowed = us["threshold"]
    best = "none" if allowed == "ban_all" else allowed
    if best != me["china_chip"] and best != me["design_target"]:
        out.append(mv.DesignChinaChip(level=best))
    if me["china_chip"] != "none" and me["licensed_level"] != me["china_chip"] and not me["licence_pending"]:
        out.append(mv.RequestLicence())
    # revenue at stake: half of China's market (analysts' estimate) at the world price, less what it earns
    output = last.get("us_ai_chip_output_h100e", 0.0) / 1.3
    world_price = last.get("nvidia_datacenter_revenue_usd_b", 0.0) * 1e9 / output if output > 0 else 20000.0
    market = obs.estimates.get("china_demand_h100e", 0.0) * world_price / 1e9
    stake = max(0.0, 0.5 * market - last.get("nvidia_china_revenue_usd_b", 0.0))
    lobby = min(2.0, 0.05 + 0.4 * stake)
    if _differs(lobby, me["lobby_usd_m"], 0.15):
        out.append(mv.Lobby(usd_m=lobby))
    # make for the larger of last quarter's sales grown a little and the share of China's market
    # (analysts' estimate) a chip under Beijing's present guidance can expect, net of the stock on hand
    sold = last.get("nvidia_china_sales_h100e", 0.0)
    unsold = me["unsold_china_inventory_h100e"]
    made = me["china_supply_share"] * output
    expect = {"open": 0.5, "guidance": 0.25, "state_dc_domestic": 0.15, "full_ban": 0.0}[obs.public["china"]["foreign_chip_policy"]]
    want = max(1.3 * sold, expect * obs.estimates.get("china_demand_h100e", 0.0)) - 0.5 * unsold
    ceiling = 0.3 * (1.0 - us["export_fee"])  # a US revenue share makes China less worth supplying
    share = min(ceiling, max(0.0, want) / output) if output > 0 else me["china_supply_share"]
    if _differs(share, me["china_supply_share"]) or _differs(0.1, me["tier2_supply_share"]):
        out.append(mv.AllocateSupply(china_share=share, tier2_share=0.1))
    price = me["price_multiplier"]
    if unsold < 0.05 * made and last.get("smuggling_price_premium", 0.0) > 0.4:
        price = min(1.3, price * 1.05)
    elif unsold > 0.5 * made:
        price = max(0.8, price * 0.95)
    if _differs(price, me["price_multiplier"], 0.02):
        out.append(mv.SetChinaPrice(multiplier=price))
    return out


def huawei_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Order every wafer Beijing's directive frees unless banked dies already wait; build
    packaging ahead of the dies; spend the HBM stockpile so it lasts; bundle; export a little."""
    me = obs.own
    smic = obs.public["smic"]  # the Chinese state's firms see each other's books
    out: list[AnyMove] = []
    allowed = smic["advanced_capacity_wpm"] * 0.855 * smic["huawei_share"]
    chips = obs.last_record.get("huawei_output_chips", 0.0)
    backlog = me["die_bank"] / 2.0 > 4.0 * max(me["packaging_capacity_chips"], 1.0)
    order = allowed * (0.7 if backlog else 1.0)
    if _differs(order, me["wafer_order_wpm"], 0.05):
        out.append(mv.OrderWafers(wpm=order))
    # packaging for what the dies and the HBM will allow (HBM spread as thin as a chip can take)
    fresh = order * 3.0 * 78.0 * smic["ai_yield"] / 2.0
    by_dies = fresh + me["die_bank"] / 2.0 / 6.0
    draw = 0.15 if me["hbm_policy"] == "draw" else 0.06
    by_hbm = (draw * me["hbm_stock"] + obs.last_record.get("huawei_hbm_inflow_stacks", 0.0)) / 2.0
    expected = min(by_dies, by_hbm) if by_hbm > 0 else by_dies
    coming = me["packaging_capacity_chips"] + sum(e[1] for e in me["packaging_pipeline"])
    short = coming < 1.3 * expected
    invest = 2.0 if short else 0.3
    rd = 1.0 if short else 1.5
    if _differs(rd, me["rd_usd_b"]) and rd + me["packaging_invest_usd_b"] <= 3.0:
        out.append(mv.FundAscendRnD(usd_b=rd))
    if _differs(invest, me["packaging_invest_usd_b"]):
        out.append(mv.InvestPackaging(usd_b=invest))
    if _differs(rd, me["rd_usd_b"]):
        out.append(mv.FundAscendRnD(usd_b=rd))  # after packaging, if the budget needed room first
    if _differs(0.5, me["supernode_share"]):
        out.append(mv.SetSupernodeShare(share=0.5))
    buyers = any(v.get("stance") in ("hedge", "buy_chinese") for v in obs.public.values())
    export = 0.05 if buyers else 0.0
    if _differs(export, me["export_share"]):
        out.append(mv.SetExportShare(share=export))
    use = max(chips, 1.0) * 8.0
    policy = "draw" if me["hbm_stock"] > 4.0 * use else "conserve"
    if policy != me["hbm_policy"]:
        out.append(mv.SetHBMPolicy(policy=policy))
    us = obs.public["us"]
    if "huawei_proxies" not in us["entity_list"] and us["hawkishness"] < 0.7:
        out.append(mv.ProxyProcurement(dies=dice.jitter(100000.0, 0.3, 0)))
    return out


def smic_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Grow advanced capacity while scanners and cash allow and Huawei takes the wafers; fund
    yield harder while it is low; keep scanners on order while ASML may sell."""
    me = obs.own
    hw = obs.public["huawei"]
    out: list[AnyMove] = []
    allocated = me["advanced_capacity_wpm"] * 0.855 * me["huawei_share"]
    busy = hw["wafer_order_wpm"] >= 0.9 * allocated
    # as fast as free scanners and cash allow (the order is clamped to that), up to what the
    # fab projects can absorb in a quarter; slower when Huawei leaves wafers unused
    out.append(mv.AddCapacity(wpm=dice.jitter(3000.0 if busy else 1000.0, 0.2, 0)))
    rd = 0.8 if me["ai_yield"] < 0.35 else 0.5
    if _differs(rd, me["yield_rd_usd_b"]):
        out.append(mv.FundYieldRnD(usd_b=rd))
    directive = obs.public["china"].get("directive_huawei_share", 0.2)
    share = min(0.9, directive + 0.05)
    if _differs(share, me["huawei_share"], 0.02):
        out.append(mv.AllocateWafers(huawei_share=share))
    if me["tools_on_order"] < 15 and obs.public["asml"]["duv_sales_cap"] > 0:
        out.append(mv.BuyDUVTools(tools=20))
    return out


def asml_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Sell what the licences allow, keep servicing unless Washington is at its most hawkish,
    lobby The Hague when the rules tighten or pressure mounts."""
    me = obs.own
    h = obs.public["us"]["hawkishness"]
    out: list[AnyMove] = [mv.SetDUVSales(tools=30)]
    servicing = "limited" if h > 0.85 else "full"
    if servicing != me["servicing"]:
        out.append(mv.SetServicing(level=servicing))
    lobby = 1.0 if me["dutch_restriction"] >= 2 or h > 0.65 else 0.3
    if _differs(lobby, me["lobby_usd_m"]):
        out.append(mv.LobbyHague(usd_m=lobby))
    return out


def smugglers_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Move volume where the premium beats the odds of seizure (judged from US enforcement and
    each hub's controls), more through hubs whose data-centre build-out gives cover; fragment as
    seizures bite; go quiet in a crackdown."""
    me = obs.own
    us = obs.public["us"]
    last = obs.last_record
    smuggled, seized = last.get("smuggled_h100e", 0.0), last.get("seized_h100e", 0.0)
    caught = seized / (smuggled + seized) if smuggled + seized > 0 else 0.0
    intensity = math.sqrt(us["enforcement_budget_usd_m"] / REFERENCE_ENFORCEMENT_USD_M)
    if intensity > 1.6 and caught > 0.2 and dice.chance(0.7, 0):
        return [mv.LieLow()]
    out: list[AnyMove] = []
    premium = last.get("smuggling_price_premium", 0.5)
    hidden = 1.0 - 0.6 * me["fragmentation"]
    hubs = sorted(n for n, v in obs.public.items() if "transship_controls" in v)
    for i, hub in enumerate(hubs):
        t = obs.public[hub]
        odds = 1.0 - math.exp(-(0.08 * intensity + {"none": 0.01, "permits": 0.05, "strict": 0.2}[t["transship_controls"]]) * hidden)
        margin = (1.0 + premium) * (1.0 - odds) - 1.15  # sale price net of seizures over cost
        cover = math.sqrt(max(t["dc_capacity_mw"], 0.0) / 200.0)
        target = dice.jitter(60000.0 * max(0.0, margin) / 0.2 * cover, 0.15, 1 + i % (Dice.SLOTS - 1))
        volume = 0.5 * me["routes"].get(hub, 0.0) + 0.5 * target  # networks take time to grow or wind down
        if _differs(volume, me["routes"].get(hub, 0.0)):
            out.append(mv.RouteVia(hub=hub, h100e=volume))
    frag = 0.7 if caught > 0.1 else 0.4
    if _differs(frag, me["fragmentation"]):
        out.append(mv.SetFragmentation(level=frag))
    broker = 5000.0 if us["cloud_kyc"] else 15000.0
    if _differs(broker, me["cloud_broker_h100e"]):
        out.append(mv.BrokerCloud(h100e=broker))
    return out


def tier2_plan(obs: Observation, dice: Dice) -> list[AnyMove]:
    """Follow the tier the US grants; build as fast as chips can be had; tighten transshipment
    controls as alignment with the US and US enforcement grow; close doors the US is watching."""
    me = obs.own
    actor = obs.actor
    us = obs.public["us"]
    tier = us["diffusion"].get(actor, "tier1")
    out: list[AnyMove] = []
    stance = "buy_chinese" if tier == "tier3" else "align_us" if tier == "tier1" and me["alignment"] > 0.2 else me["stance"]
    if stance != me["stance"]:
        out.append(mv.SetStance(actor=actor, stance=stance))
    pace = {"tier1": 0.35, "tier2": 0.2, "tier3": 0.1}[tier]
    build = dice.jitter(pace * me["max_build_mw_per_quarter"], 0.1, 0)
    if _differs(build, me["build_mw_per_quarter"]):
        out.append(mv.BuildDatacentres(actor=actor, mw=build))
    # tighten as US enforcement (and the scandals behind it) grows: a partner of Washington
    # readily, a hedger only under heavy pressure (as Malaysia's permits of July 2025, R2)
    controls = me["transship_controls"]
    pressure = us["enforcement_budget_usd_m"] / REFERENCE_ENFORCEMENT_USD_M
    if controls == "none" and (pressure > 1.4 or me["alignment"] > 0.45):
        out.append(mv.SetTransshipControls(actor=actor, level="permits"))
    elif controls == "permits" and pressure > (1.8 if me["alignment"] > 0.3 else 2.4) and me["alignment"] > -0.2 \
            and dice.chance(0.3, 1):
        out.append(mv.SetTransshipControls(actor=actor, level="strict"))
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
        if self._cache is None or self._cache[0] != key:  # plan once per quarter, on the quarter's dice
            self._cache = (key, self.plan(obs, Dice(obs)))
        wanted = self._cache[1]
        fit_first = getattr(legal, "fit_first", None)  # a session's LegalMoves fits without listing every move
        if fit_first is not None:
            move = fit_first(wanted)
            return move if move is not None else legal.pass_move
        for want in wanted:
            move = fit_to_legal(want, legal)
            if move is not None:
                return move
        return next(m for m in legal if m.kind == "pass")


def doctrine_for(actor: str) -> Doctrine:
    return Doctrine(PLANS.get(actor, tier2_plan))
