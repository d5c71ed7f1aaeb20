"""Huawei (HiSilicon): wafer orders, Ascend R&D, packaging lines, supernodes, exports, HBM stock,
proxy buying. R&D and packaging share one budget a quarter."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, builds
from wargame import moves as mv
from wargame.params import Params
from wargame.state import HBM_POLICIES, World


class HuaweiAgent(ActorAgent):
    actor_id = "huawei"

    @builds(mv.OrderWafers)
    def _wafers(self, world: World, p: Params, target: str | None) -> list[Spec]:
        cap = world.smic.advanced_capacity_wpm * p.smic_utilisation
        return [Spec(mv.OrderWafers, fields={"wpm": Amount(0.0, cap, "wafers/month", "SMIC's usable advanced capacity")})]

    @builds(mv.FundAscendRnD)
    def _rnd(self, world: World, p: Params, target: str | None) -> list[Spec]:
        packaging = world.huawei.packaging_invest_usd_b
        return [Spec(mv.FundAscendRnD, fields={"usd_b": Amount(0.0, max(0.0, p.huawei_budget_usd_b - packaging), "USD billion/quarter",
                                                               f"budget {p.huawei_budget_usd_b:g} less packaging {packaging:g}")})]

    @builds(mv.InvestPackaging)
    def _packaging(self, world: World, p: Params, target: str | None) -> list[Spec]:
        rd = world.huawei.rd_usd_b
        return [Spec(mv.InvestPackaging, fields={"usd_b": Amount(0.0, max(0.0, p.huawei_budget_usd_b - rd), "USD billion/quarter",
                                                                 f"budget {p.huawei_budget_usd_b:g} less R&D {rd:g}")})]

    @builds(mv.SetSupernodeShare)
    def _supernodes(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetSupernodeShare, fields={"share": Amount(0.0, 1.0, "share of output bundled")})]

    @builds(mv.SetExportShare)
    def _exports(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetExportShare, fields={"share": Amount(0.0, 0.3, "share of output offered abroad")})]

    @builds(mv.SetHBMPolicy)
    def _hbm(self, world: World, p: Params, target: str | None) -> list[Spec]:
        now = world.huawei.hbm_policy
        return [Spec(mv.SetHBMPolicy, fields={"policy": Choice(tuple(x for x in HBM_POLICIES if x != now))})]

    @builds(mv.ProxyProcurement)
    def _proxies(self, world: World, p: Params, target: str | None) -> list[Spec]:
        listed = "huawei_proxies" in world.us.entity_list
        proxy_max = p.proxy_max_dies_listed if listed else p.proxy_max_dies
        return [Spec(mv.ProxyProcurement, fields={"dies": Amount(0.0, proxy_max, "dies this quarter",
                                                                 "proxies are listed" if listed else "")})]

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        hw = world.huawei
        if isinstance(move, mv.OrderWafers):
            hw.wafer_order_wpm = float(move.wpm)
        elif isinstance(move, mv.FundAscendRnD):
            hw.rd_usd_b = float(move.usd_b)
        elif isinstance(move, mv.InvestPackaging):
            hw.packaging_invest_usd_b = float(move.usd_b)
        elif isinstance(move, mv.SetSupernodeShare):
            hw.supernode_share = float(move.share)
        elif isinstance(move, mv.SetExportShare):
            hw.export_share = float(move.share)
        elif isinstance(move, mv.SetHBMPolicy):
            hw.hbm_policy = move.policy
        elif isinstance(move, mv.ProxyProcurement):
            hw.proxy_order_dies = float(move.dies)
