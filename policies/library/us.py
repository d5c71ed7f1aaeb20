"""US government doctrines: hawk, dove, status-quo, transactional.

Each reads Washington's own intelligence estimates (China's compute stock, smuggled volume),
last quarter's public record, the news and the public state of the others; none reads the
calendar. The threshold a doctrine asks for is fitted to what politics allows (a looser level
is refused above its hawkishness ceiling), so a dove in a hawkish Washington loosens only as
far as Congress lets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.doctrine import Dice
from policies.library.common import (
    REFERENCE_ENFORCEMENT_USD_M,
    SLOT,
    breakthrough,
    differs,
    last,
    proxy_scandal,
    smuggling_seen,
    step_towards,
    stricter,
    tier2_nations,
)
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation
from wargame.state import ENTITY_TARGETS, THRESHOLDS


def closing_ratio(obs: Observation) -> float:
    """China's compute stock over the US's, as Washington's analysts estimate it."""
    us_stock = last(obs, "us_compute_stock_h100e", 0.0)
    return obs.estimates.get("china_compute_stock_h100e", 0.0) / us_stock if us_stock > 0 else 0.0


def _tiers(obs: Observation, wanted: dict[str, str]) -> list[AnyMove]:
    return [mv.SetDiffusionTier(nation=n, tier=t) for n, t in sorted(wanted.items())
            if obs.own["diffusion"].get(n, "tier1") != t]


@dataclass(frozen=True)
class Hawk:
    """Hawk (the view that the controls work): tighten them and close the gaps. Washington tightens the
    threshold to `floor` (never loosening it) and goes to `alarm_level` whenever it sees cause for
    alarm: a new Chinese chip generation, HBM or scanner breakthrough in the news, an uncovered
    proxy purchase, smuggling above `scandal_h100e` a quarter as its analysts infer it, or China's
    estimated compute stock above `closing` of the US's. It denies every pending Nvidia licence,
    raises the enforcement budget by `enforcement_growth` a quarter (more after a scandal) towards
    what Congress will fund, requires cloud KYC, lists Chinese firms (proxies and SMIC's fabs at
    once; CXMT on a breakthrough and Chinese cloud providers on a smuggling scandal, or otherwise
    each with chance 1 in 4 a quarter), presses the Netherlands and Korea every quarter, runs
    intelligence at its highest effort, and keeps only firmly aligned Tier-2 nations
    (`tier1_alignment`) in tier 1, putting those that buy Chinese chips in tier 3."""

    floor: str = "h20_class"  # the threshold held when nothing alarms
    alarm_level: str = "ban_all"  # where an alarm takes it
    scandal_h100e: float = 30000.0  # smuggled a quarter (as estimated) that counts as a scandal
    closing: float = 0.12  # China's estimated stock over the US's that counts as an alarm
    enforcement_growth: float = 0.25  # budget growth a quarter, doubled after a scandal
    tier1_alignment: float = 0.5  # alignment a nation needs (and an align_us stance) to stay in tier 1

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        smuggled = smuggling_seen(obs)
        scandal = smuggled > self.scandal_h100e or proxy_scandal(obs)
        alarm = scandal or breakthrough(obs) or closing_ratio(obs) > self.closing
        out: list[AnyMove] = []
        target = self.alarm_level if alarm else self.floor
        if stricter(target, me["threshold"]):
            # the target, or a stricter level if hawkish politics no longer allows it (ban_all always is)
            out += [mv.SetThreshold(level=level) for level in reversed(THRESHOLDS[:THRESHOLDS.index(target) + 1])]
        if obs.public["nvidia"]["licence_pending"]:
            out.append(mv.DecideLicence(grant=False))
        growth = self.enforcement_growth * (2.0 if scandal else 1.0)
        out.append(mv.SetEnforcement(budget_usd_m=max(me["enforcement_budget_usd_m"], REFERENCE_ENFORCEMENT_USD_M) * (1.0 + growth)))
        if not me["cloud_kyc"]:
            out.append(mv.SetCloudKYC(enabled=True))
        listed = set(me["entity_list"])
        wanted = {"huawei_proxies", "smic_fabs"}
        if breakthrough(obs) or dice.chance(0.25, SLOT):
            wanted.add("cxmt")
        if scandal or dice.chance(0.25, SLOT + 1):
            wanted.add("chinese_cloud")
        out += [mv.AddEntity(target=t) for t in ENTITY_TARGETS if t in wanted - listed]
        if obs.public["asml"]["dutch_restriction"] < 3:
            out.append(mv.PressureAlly(ally="netherlands"))
        out.append(mv.PressureAlly(ally="korea"))
        if me["intel_effort"] != "high":
            out.append(mv.SetIntelEffort(level="high"))
        tiers = {}
        for n in tier2_nations(obs):
            t = obs.public[n]
            firm = t["stance"] == "align_us" and t["alignment"] >= self.tier1_alignment
            tiers[n] = "tier3" if t["stance"] == "buy_chinese" else "tier1" if firm else "tier2"
        out += _tiers(obs, tiers)
        return out


@dataclass(frozen=True)
class Dove:
    """Dove (the view that the controls hand China's market to Huawei and push Tier-2 buyers towards
    Chinese chips): sell below the frontier and keep partners close. Washington loosens the
    threshold to `level` as far as politics allows, and one step further (to `answer_level`) when
    Huawei shows a new generation or smuggling runs above `smuggling_h100e` (legal sales to undercut
    both); it grants Nvidia's licences, charges no revenue share, lets enforcement fall back to
    `enforcement_usd_m` (rising only after a proxy scandal), lifts cloud KYC, adds no listings and
    presses no ally, and puts every Tier-2 nation in tier 1 unless it has turned to Chinese chips."""

    level: str = "h200_class"  # the threshold sought in quiet times
    answer_level: str = "blackwell_lite"  # sought after a Chinese breakthrough or heavy smuggling
    smuggling_h100e: float = 50000.0
    enforcement_usd_m: float = 120.0  # below the FY2025 appropriation: legal sales replace policing

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        out: list[AnyMove] = []
        answer = breakthrough(obs) or smuggling_seen(obs) > self.smuggling_h100e
        target = self.answer_level if answer else self.level
        if stricter(me["threshold"], target):
            # the loosest level politics allows, up to the target (a refused level is skipped)
            for level in reversed(THRESHOLDS[THRESHOLDS.index(me["threshold"]) + 1:THRESHOLDS.index(target) + 1]):
                out.append(mv.SetThreshold(level=level))
        if obs.public["nvidia"]["licence_pending"]:
            out.append(mv.DecideLicence(grant=True))
        if me["export_fee"] > 0:
            out.append(mv.SetExportFee(fee=0.0))
        budget = REFERENCE_ENFORCEMENT_USD_M if proxy_scandal(obs) else self.enforcement_usd_m
        if differs(budget, me["enforcement_budget_usd_m"], 0.05):
            out.append(mv.SetEnforcement(budget_usd_m=budget))
        if me["cloud_kyc"]:
            out.append(mv.SetCloudKYC(enabled=False))
        if me["intel_effort"] != "medium":
            out.append(mv.SetIntelEffort(level="medium"))
        out += _tiers(obs, {n: "tier2" if obs.public[n]["stance"] == "buy_chinese" else "tier1" for n in tier2_nations(obs)})
        return out


@dataclass(frozen=True)
class StatusQuo:
    """Status quo: keep the rules as they stand and let the bureaucracy run them. Washington changes
    neither the threshold nor the revenue share, adds no listing, presses no ally and leaves licence
    requests to the agencies (their odds fall as the administration turns hawkish). It funds
    enforcement at the appropriation, with a temporary surge of `surge` after a smuggling scandal
    (more than `scandal_h100e` a quarter as estimated, or a proxy purchase uncovered), and moves a
    Tier-2 nation down a tier only once it has switched to buying Chinese chips."""

    scandal_h100e: float = 50000.0
    surge: float = 0.5  # extra budget share while a scandal lasts

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        scandal = smuggling_seen(obs) > self.scandal_h100e or proxy_scandal(obs)
        budget = REFERENCE_ENFORCEMENT_USD_M * (1.0 + self.surge if scandal else 1.0)
        out: list[AnyMove] = []
        if differs(budget, me["enforcement_budget_usd_m"], 0.05):
            out.append(mv.SetEnforcement(budget_usd_m=budget))
        if me["intel_effort"] != "medium":
            out.append(mv.SetIntelEffort(level="medium"))
        tiers = {}
        for n in tier2_nations(obs):
            tier = me["diffusion"].get(n, "tier1")
            if obs.public[n]["stance"] == "buy_chinese" and tier != "tier3":
                tiers[n] = step_towards(tier, "tier3", ("tier1", "tier2", "tier3"))
        out += _tiers(obs, tiers)
        return out


@dataclass(frozen=True)
class Transactional:
    """Transactional: sell below-frontier chips to China for a share of the revenue, as in 2025 (H20 at
    15 %, then H200 at 25 %). Washington sets the threshold to `level`, below the flagship, charges
    the highest revenue share `fee`, and grants Nvidia's licences while a share is being paid.
    Smuggling and rented cloud compute evade the fee, so it funds enforcement in proportion to the
    smuggling its analysts infer and requires cloud KYC above `kyc_h100e`. It bargains with
    licences: while Beijing curbs critical-mineral exports it grants no new licence and lists CXMT,
    and the deal resumes when the curbs are lifted. Tier-2 access is a deal too: tier 1 for nations
    aligned with the US, tier 2 with the largest cap for hedgers, tier 3 for those that buy Chinese
    chips."""

    level: str = "h200_class"  # the class sold in normal times
    fee: float = 0.25  # revenue share asked (the largest Washington has charged)
    smuggling_per_step_h100e: float = 50000.0  # smuggling that justifies another appropriation's worth of enforcement
    kyc_h100e: float = 30000.0
    hedger_cap_h100e: float = 33000.0  # tier-2 cap offered to a hedger: about four times the agreement cap

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        curbs = obs.public["china"]["mineral_curbs"]
        out: list[AnyMove] = []
        if self.level != me["threshold"]:
            out.append(mv.SetThreshold(level=self.level))
        if differs(self.fee, me["export_fee"], 0.01):
            out.append(mv.SetExportFee(fee=self.fee))
        if obs.public["nvidia"]["licence_pending"]:
            # licences are the bargaining chip: none while Beijing curbs minerals (a threshold
            # change would void the licences already paying the fee)
            out.append(mv.DecideLicence(grant=me["export_fee"] > 0 and not curbs))
        smuggled = smuggling_seen(obs)
        budget = REFERENCE_ENFORCEMENT_USD_M * (1.0 + smuggled / self.smuggling_per_step_h100e)
        if differs(budget, me["enforcement_budget_usd_m"], 0.05):
            out.append(mv.SetEnforcement(budget_usd_m=budget))
        if smuggled > self.kyc_h100e and not me["cloud_kyc"]:
            out.append(mv.SetCloudKYC(enabled=True))
        if curbs and "cxmt" not in me["entity_list"]:
            out.append(mv.AddEntity(target="cxmt"))
        tiers = {}
        for n in tier2_nations(obs):
            stance = obs.public[n]["stance"]
            tiers[n] = "tier1" if stance == "align_us" else "tier3" if stance == "buy_chinese" else "tier2"
        out += _tiers(obs, tiers)
        for n, tier in sorted(tiers.items()):
            # a cap can be set only for a nation already in tier 2 (one placed there this quarter waits a quarter)
            if tier == "tier2" and me["diffusion"].get(n) == "tier2" and differs(self.hedger_cap_h100e, me["tier2_caps_h100e"].get(n, 0.0)):
                out.append(mv.SetTier2Cap(nation=n, cap_h100e=self.hedger_cap_h100e))
        return out


DOCTRINES = {
    "hawk": (Hawk(), "tighten on every alarm (breakthrough, smuggling scandal, China closing in): ban, deny, list, enforce"),
    "dove": (Dove(), "loosen to below-frontier sales, grant licences, light enforcement, every partner in tier 1"),
    "status-quo": (StatusQuo(), "keep the rules as they stand; enforcement at the appropriation, surging after a scandal"),
    "transactional": (Transactional(), "sell a below-frontier class for a 25 % revenue share; bargain with the threshold"),
}
