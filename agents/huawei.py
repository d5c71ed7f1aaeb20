"""Huawei (HiSilicon): wafer orders, Ascend R&D, packaging lines, supernodes, exports, HBM stock,
proxy buying. R&D and packaging share one budget a quarter."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, wanted
from wargame import moves as mv
from wargame.params import Params
from wargame.state import HBM_POLICIES, World


class HuaweiAgent(ActorAgent):
    actor_id = "huawei"

    def specs(self, world: World, p: Params, kind: str | None = None) -> list[Spec]:
        hw = world.huawei
        out = []
        if wanted(kind, mv.OrderWafers):
            cap = world.smic.advanced_capacity_wpm * p.smic_utilisation
            out.append(Spec(mv.OrderWafers, fields={"wpm": Amount(0.0, cap, "wafers/month", "SMIC's usable advanced capacity")}))
        if wanted(kind, mv.FundAscendRnD):
            out.append(Spec(mv.FundAscendRnD, fields={"usd_b": Amount(0.0, max(0.0, p.huawei_budget_usd_b - hw.packaging_invest_usd_b),
                                                                       "USD billion/quarter",
                                                                       f"budget {p.huawei_budget_usd_b:g} less packaging "
                                                                       f"{hw.packaging_invest_usd_b:g}")}))
        if wanted(kind, mv.InvestPackaging):
            out.append(Spec(mv.InvestPackaging, fields={"usd_b": Amount(0.0, max(0.0, p.huawei_budget_usd_b - hw.rd_usd_b),
                                                                         "USD billion/quarter",
                                                                         f"budget {p.huawei_budget_usd_b:g} less R&D {hw.rd_usd_b:g}")}))
        if wanted(kind, mv.SetSupernodeShare):
            out.append(Spec(mv.SetSupernodeShare, fields={"share": Amount(0.0, 1.0, "share of output bundled")}))
        if wanted(kind, mv.SetExportShare):
            out.append(Spec(mv.SetExportShare, fields={"share": Amount(0.0, 0.3, "share of output offered abroad")}))
        if wanted(kind, mv.SetHBMPolicy):
            out.append(Spec(mv.SetHBMPolicy, fields={"policy": Choice(tuple(x for x in HBM_POLICIES if x != hw.hbm_policy))}))
        if wanted(kind, mv.ProxyProcurement):
            listed = "huawei_proxies" in world.us.entity_list
            proxy_max = p.proxy_max_dies_listed if listed else p.proxy_max_dies
            out.append(Spec(mv.ProxyProcurement, fields={"dies": Amount(0.0, proxy_max, "dies this quarter",
                                                                        "proxies are listed" if listed else "")}))
        return out

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
