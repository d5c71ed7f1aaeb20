"""Huawei doctrines: volume, supernode, export-push.

Huawei sees its own books and, as part of the Chinese state's group, SMIC's and Beijing's
state in full; of Washington it sees the public state (threshold, listings, hawkishness), and of
the Tier-2 nations their stance and alignment.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.doctrine import Dice, huawei_plan
from policies.library.common import differs, merge, tier2_nations
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation

HUAWEI_BUDGET_USD_B = 3.0  # what R&D and packaging share a quarter, as the default plan assumes (the legal bounds enforce it)


def _budget(obs: Observation, rd: float, packaging: float) -> list[AnyMove]:
    """R&D and packaging share one budget: the cut is ordered first so the raise fits."""
    me = obs.own
    orders = []
    if differs(rd, me["rd_usd_b"]):
        orders.append((rd - me["rd_usd_b"], mv.FundAscendRnD(usd_b=rd)))
    if differs(packaging, me["packaging_invest_usd_b"]):
        orders.append((packaging - me["packaging_invest_usd_b"], mv.InvestPackaging(usd_b=packaging)))
    return [m for _, m in sorted(orders, key=lambda x: x[0])]


def _default_with_rd(obs: Observation, dice: Dice, rd: float, drop: tuple[str, ...]) -> tuple[list[AnyMove], list[AnyMove]]:
    """(budget orders, the rest of the default plan): R&D at `rd`, packaging as the default wants
    it within what the budget leaves."""
    base = huawei_plan(obs, dice)
    packaging = next((m.usd_b for m in base if isinstance(m, mv.InvestPackaging)), obs.own["packaging_invest_usd_b"])
    budget = _budget(obs, rd, min(packaging, HUAWEI_BUDGET_USD_B - rd))
    return budget, [m for m in base if m.kind not in ("fund_ascend_rnd", "invest_packaging", *drop)]


def receptive_buyers(obs: Observation) -> list[str]:
    """Tier-2 nations whose stance leaves room for Chinese chips."""
    return [n for n in tier2_nations(obs) if obs.public[n]["stance"] in ("hedge", "buy_chinese")]


@dataclass(frozen=True)
class Volume:
    """Volume: make as many Ascend chips as the wafers, dies and HBM allow, now. Huawei orders every
    wafer Beijing's directive frees, even with dies banked, puts `packaging_usd_b` of its budget
    into packaging lines (R&D gets the rest), draws the HBM stockpile down, sells chips singly
    rather than bundled (`supernode_share`), keeps them all at home, and buys dies through proxies
    at the most the channel allows while Washington has not listed them and is not at its most
    hawkish (`proxy_hawkishness`)."""

    packaging_usd_b: float = 2.5
    rd_usd_b: float = 0.5  # the rest of the budget
    supernode_share: float = 0.2
    proxy_hawkishness: float = 0.8
    proxy_dies: float = 500000.0  # asked for; clamped to what the channel allows

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        smic = obs.public["smic"]
        us = obs.public["us"]
        out: list[AnyMove] = []
        allowed = smic["advanced_capacity_wpm"] * 0.855 * smic["huawei_share"]
        if differs(allowed, me["wafer_order_wpm"], 0.02):
            out.append(mv.OrderWafers(wpm=allowed))
        out += _budget(obs, self.rd_usd_b, self.packaging_usd_b)
        if me["hbm_policy"] != "draw":
            out.append(mv.SetHBMPolicy(policy="draw"))
        if differs(self.supernode_share, me["supernode_share"]):
            out.append(mv.SetSupernodeShare(share=self.supernode_share))
        if me["export_share"] > 0:
            out.append(mv.SetExportShare(share=0.0))
        if "huawei_proxies" not in us["entity_list"] and us["hawkishness"] < self.proxy_hawkishness:
            out.append(mv.ProxyProcurement(dies=dice.jitter(self.proxy_dies, 0.2, 8)))
        return out


@dataclass(frozen=True)
class Supernode:
    """Supernode: compete on systems, not chips, as with the CloudMatrix 384: bundle most output into
    supernodes that make many weaker chips perform as a cluster, at a large power cost. Huawei
    bundles `share` of its output while Beijing subsidises data-centre power by at least
    `power_subsidy_usd_b` a quarter, and `unsubsidised_share` otherwise; it funds Ascend R&D at
    `rd_usd_b` (the interconnect and the next generation) and follows the default for wafers,
    packaging, HBM, exports and proxies."""

    share: float = 0.9
    unsubsidised_share: float = 0.6
    power_subsidy_usd_b: float = 0.5
    rd_usd_b: float = 1.5

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        powered = obs.public["china"]["subsidies_usd_b"].get("dc_power", 0.0) >= self.power_subsidy_usd_b
        share = self.share if powered else self.unsubsidised_share
        out: list[AnyMove] = []
        if differs(share, me["supernode_share"]):
            out.append(mv.SetSupernodeShare(share=share))
        budget, rest = _default_with_rd(obs, dice, self.rd_usd_b, ("set_supernode_share",))
        return merge(out + budget, rest)


@dataclass(frozen=True)
class ExportPush:
    """Export push: build a foreign market for the Ascend while Washington's rules keep Nvidia out of
    some buyers' reach. Huawei offers `share` of its output abroad while any Tier-2 nation hedges or
    leans to Chinese chips, and `seed_share` when none does (so a buyer that turns finds chips
    waiting); it funds R&D at `rd_usd_b` to stay competitive abroad, and it holds exports back to
    `short_share` only when China's own labs were badly short last quarter (`home_shortage`).
    Wafers, packaging and HBM follow the default."""

    share: float = 0.3
    seed_share: float = 0.1
    short_share: float = 0.15
    home_shortage: float = 0.6
    rd_usd_b: float = 1.5

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        r = obs.last_record
        latent = r.get("china_latent_demand_h100e", 0.0)
        shortage = 1.0 - r.get("china_compute_additions_h100e", 0.0) / latent if latent > 0 else 0.0
        share = self.share if receptive_buyers(obs) else self.seed_share
        if shortage > self.home_shortage:
            share = min(share, self.short_share)
        out: list[AnyMove] = []
        if differs(share, me["export_share"]):
            out.append(mv.SetExportShare(share=share))
        budget, rest = _default_with_rd(obs, dice, self.rd_usd_b, ("set_export_share",))
        return merge(out + budget, rest)


DOCTRINES = {
    "volume": (Volume(), "as many Ascend chips as possible now: every wafer, packaging lines first, proxies, no exports"),
    "supernode": (Supernode(), "bundle most output into supernodes (CloudMatrix-style) while power is subsidised"),
    "export-push": (ExportPush(), "offer a large share of output to Tier-2 buyers that hedge or lean to China"),
}
