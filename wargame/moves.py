"""Every move in the game as a typed, frozen object, and the refusal a bad move earns.

A move says *what* an actor asks for; whether it is allowed now is the actor's agent's call
(agents/), and what it does to the world is applied there too. `Move` is a discriminated
union on `kind`, so a move round-trips through JSON (save files, move logs, the UI).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Move(BaseModel):
    # strict: an amount is a number, never True, "1.5" or b"1"; a flag is a bool, never 1 or "yes"
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)
    actor: str
    secret: ClassVar[bool] = False
    target_field: ClassVar[str | None] = None  # the field that names what the move acts on

    def key(self) -> tuple[str, str]:
        """At most one move per (kind, target) per actor per turn."""
        target = getattr(self, self.target_field) if self.target_field else ""
        return (self.kind, str(target))  # type: ignore[attr-defined]

    def describe(self) -> str:
        fields = {k: v for k, v in self.model_dump().items() if k not in ("kind", "actor")}
        args = ", ".join(f"{k}={v}" for k, v in fields.items())
        return f"{self.actor}: {self.kind}({args})"  # type: ignore[attr-defined]


class Pass(_Move):
    """Ends the actor's orders for this quarter."""

    kind: Literal["pass"] = "pass"


# --- US government -------------------------------------------------------------------------
class SetThreshold(_Move):
    kind: Literal["set_threshold"] = "set_threshold"
    actor: Literal["us"] = "us"
    level: str


class AddEntity(_Move):
    kind: Literal["add_entity"] = "add_entity"
    actor: Literal["us"] = "us"
    target: str
    target_field: ClassVar[str] = "target"


class SetDiffusionTier(_Move):
    kind: Literal["set_diffusion_tier"] = "set_diffusion_tier"
    actor: Literal["us"] = "us"
    nation: str
    tier: str
    target_field: ClassVar[str] = "nation"


class SetTier2Cap(_Move):
    """The chip cap of a nation in diffusion tier 2 (replaces the T3 default for it)."""

    kind: Literal["set_tier2_cap"] = "set_tier2_cap"
    actor: Literal["us"] = "us"
    nation: str
    cap_h100e: float
    target_field: ClassVar[str] = "nation"


class SetEnforcement(_Move):
    kind: Literal["set_enforcement"] = "set_enforcement"
    actor: Literal["us"] = "us"
    budget_usd_m: float


class SetCloudKYC(_Move):
    kind: Literal["set_cloud_kyc"] = "set_cloud_kyc"
    actor: Literal["us"] = "us"
    enabled: bool


class PressureAlly(_Move):
    kind: Literal["pressure_ally"] = "pressure_ally"
    actor: Literal["us"] = "us"
    ally: str
    target_field: ClassVar[str] = "ally"


class DecideLicence(_Move):
    kind: Literal["decide_licence"] = "decide_licence"
    actor: Literal["us"] = "us"
    grant: bool
    secret: ClassVar[bool] = True


class SetExportFee(_Move):
    kind: Literal["set_export_fee"] = "set_export_fee"
    actor: Literal["us"] = "us"
    fee: float


class SetIntelEffort(_Move):
    kind: Literal["set_intel_effort"] = "set_intel_effort"
    actor: Literal["us"] = "us"
    level: str
    secret: ClassVar[bool] = True


# --- China government ----------------------------------------------------------------------
class SetSMICDirective(_Move):
    kind: Literal["set_smic_directive"] = "set_smic_directive"
    actor: Literal["china"] = "china"
    huawei_share: float
    secret: ClassVar[bool] = True


class SetSubsidy(_Move):
    kind: Literal["set_subsidy"] = "set_subsidy"
    actor: Literal["china"] = "china"
    sector: str
    usd_b: float
    target_field: ClassVar[str] = "sector"


class SetForeignChipPolicy(_Move):
    kind: Literal["set_foreign_chip_policy"] = "set_foreign_chip_policy"
    actor: Literal["china"] = "china"
    policy: str


class CourtTier2(_Move):
    kind: Literal["court_tier2"] = "court_tier2"
    actor: Literal["china"] = "china"
    nation: str
    usd_b: float
    target_field: ClassVar[str] = "nation"
    secret: ClassVar[bool] = True


class SetMineralCurbs(_Move):
    kind: Literal["set_mineral_curbs"] = "set_mineral_curbs"
    actor: Literal["china"] = "china"
    enabled: bool


# --- Nvidia --------------------------------------------------------------------------------
class DesignChinaChip(_Move):
    kind: Literal["design_china_chip"] = "design_china_chip"
    actor: Literal["nvidia"] = "nvidia"
    level: str
    secret: ClassVar[bool] = True


class RequestLicence(_Move):
    kind: Literal["request_licence"] = "request_licence"
    actor: Literal["nvidia"] = "nvidia"


class Lobby(_Move):
    kind: Literal["lobby"] = "lobby"
    actor: Literal["nvidia"] = "nvidia"
    usd_m: float


class AllocateSupply(_Move):
    kind: Literal["allocate_supply"] = "allocate_supply"
    actor: Literal["nvidia"] = "nvidia"
    china_share: float
    tier2_share: float
    secret: ClassVar[bool] = True


class SetChinaPrice(_Move):
    kind: Literal["set_china_price"] = "set_china_price"
    actor: Literal["nvidia"] = "nvidia"
    multiplier: float


# --- Huawei --------------------------------------------------------------------------------
class OrderWafers(_Move):
    kind: Literal["order_wafers"] = "order_wafers"
    actor: Literal["huawei"] = "huawei"
    wpm: float
    secret: ClassVar[bool] = True


class FundAscendRnD(_Move):
    kind: Literal["fund_ascend_rnd"] = "fund_ascend_rnd"
    actor: Literal["huawei"] = "huawei"
    usd_b: float
    secret: ClassVar[bool] = True


class InvestPackaging(_Move):
    """New advanced-packaging lines (CoWoS-class, for Ascend dies and HBM), ready after a lag."""

    kind: Literal["invest_packaging"] = "invest_packaging"
    actor: Literal["huawei"] = "huawei"
    usd_b: float
    secret: ClassVar[bool] = True


class SetSupernodeShare(_Move):
    kind: Literal["set_supernode_share"] = "set_supernode_share"
    actor: Literal["huawei"] = "huawei"
    share: float


class SetExportShare(_Move):
    kind: Literal["set_export_share"] = "set_export_share"
    actor: Literal["huawei"] = "huawei"
    share: float


class SetHBMPolicy(_Move):
    kind: Literal["set_hbm_policy"] = "set_hbm_policy"
    actor: Literal["huawei"] = "huawei"
    policy: str
    secret: ClassVar[bool] = True


class ProxyProcurement(_Move):
    kind: Literal["proxy_procurement"] = "proxy_procurement"
    actor: Literal["huawei"] = "huawei"
    dies: float
    secret: ClassVar[bool] = True


# --- SMIC ----------------------------------------------------------------------------------
class AddCapacity(_Move):
    kind: Literal["add_capacity"] = "add_capacity"
    actor: Literal["smic"] = "smic"
    wpm: float
    secret: ClassVar[bool] = True


class FundYieldRnD(_Move):
    kind: Literal["fund_yield_rnd"] = "fund_yield_rnd"
    actor: Literal["smic"] = "smic"
    usd_b: float
    secret: ClassVar[bool] = True


class AllocateWafers(_Move):
    kind: Literal["allocate_wafers"] = "allocate_wafers"
    actor: Literal["smic"] = "smic"
    huawei_share: float
    secret: ClassVar[bool] = True


class BuyDUVTools(_Move):
    kind: Literal["buy_duv_tools"] = "buy_duv_tools"
    actor: Literal["smic"] = "smic"
    tools: float
    secret: ClassVar[bool] = True


# --- ASML ----------------------------------------------------------------------------------
class SetDUVSales(_Move):
    kind: Literal["set_duv_sales"] = "set_duv_sales"
    actor: Literal["asml"] = "asml"
    tools: float


class SetServicing(_Move):
    kind: Literal["set_servicing"] = "set_servicing"
    actor: Literal["asml"] = "asml"
    level: str


class LobbyHague(_Move):
    kind: Literal["lobby_hague"] = "lobby_hague"
    actor: Literal["asml"] = "asml"
    usd_m: float


# --- Smuggling networks --------------------------------------------------------------------
class RouteVia(_Move):
    kind: Literal["route_via"] = "route_via"
    actor: Literal["smugglers"] = "smugglers"
    hub: str
    h100e: float
    target_field: ClassVar[str] = "hub"
    secret: ClassVar[bool] = True


class SetFragmentation(_Move):
    kind: Literal["set_fragmentation"] = "set_fragmentation"
    actor: Literal["smugglers"] = "smugglers"
    level: float
    secret: ClassVar[bool] = True


class BrokerCloud(_Move):
    kind: Literal["broker_cloud"] = "broker_cloud"
    actor: Literal["smugglers"] = "smugglers"
    h100e: float
    secret: ClassVar[bool] = True


class LieLow(_Move):
    kind: Literal["lie_low"] = "lie_low"
    actor: Literal["smugglers"] = "smugglers"
    secret: ClassVar[bool] = True


# --- Tier-2 nations (actor is the nation's id) ---------------------------------------------
class SetStance(_Move):
    kind: Literal["set_stance"] = "set_stance"
    stance: str


class SetTransshipControls(_Move):
    kind: Literal["set_transship_controls"] = "set_transship_controls"
    level: str


class BuildDatacentres(_Move):
    kind: Literal["build_datacentres"] = "build_datacentres"
    mw: float


class SetChineseTenants(_Move):
    kind: Literal["set_chinese_tenants"] = "set_chinese_tenants"
    admit: bool


MOVE_CLASSES: tuple[type[_Move], ...] = (
    Pass, SetThreshold, AddEntity, SetDiffusionTier, SetTier2Cap, SetEnforcement, SetCloudKYC, PressureAlly,
    DecideLicence, SetExportFee, SetIntelEffort, SetSMICDirective, SetSubsidy,
    SetForeignChipPolicy, CourtTier2, SetMineralCurbs, DesignChinaChip, RequestLicence, Lobby,
    AllocateSupply, SetChinaPrice, OrderWafers, FundAscendRnD, InvestPackaging, SetSupernodeShare,
    SetExportShare, SetHBMPolicy, ProxyProcurement, AddCapacity, FundYieldRnD, AllocateWafers,
    BuyDUVTools, SetDUVSales, SetServicing, LobbyHague, RouteVia, SetFragmentation, BrokerCloud,
    LieLow, SetStance, SetTransshipControls, BuildDatacentres, SetChineseTenants,
)

Move = Annotated[Union[MOVE_CLASSES], Field(discriminator="kind")]  # noqa: UP007 (built from the tuple)
MOVE_ADAPTER: TypeAdapter[Move] = TypeAdapter(Move)
KINDS: dict[str, type[_Move]] = {c.model_fields["kind"].default: c for c in MOVE_CLASSES}
AnyMove = _Move


def parse_move(data: dict) -> _Move:
    """JSON-ready dict -> Move; raises pydantic.ValidationError on a malformed one."""
    return MOVE_ADAPTER.validate_python(data)


class Refusal(BaseModel):
    """Why a move was refused, and what would have been allowed instead."""

    model_config = ConfigDict(frozen=True)
    reason: str
    allowed: str

    def __str__(self) -> str:
        return f"refused: {self.reason}; allowed: {self.allowed}"
