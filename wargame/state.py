"""The world's state: every actor's settings and stocks, and the market's stocks.

Plain pydantic models so a snapshot is canonical JSON and a save file round-trips exactly.
Adjudication works on a deep copy and returns a new World, so records never alias live state.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

# Ordered from strictest to loosest: the US threshold for chips sold to China.
Threshold = Literal["ban_all", "h20_class", "h200_class", "blackwell_lite", "unrestricted"]
ChinaChip = Literal["none", "h20_class", "h200_class", "blackwell_lite", "unrestricted"]
ForeignChipPolicy = Literal["open", "guidance", "state_dc_domestic", "full_ban"]
DiffusionTier = Literal["tier1", "tier2", "tier3"]
EntityTarget = Literal["huawei_proxies", "smic_fabs", "cxmt", "chinese_cloud"]
IntelLevel = Literal["low", "medium", "high"]
SubsidySector = Literal["fab_capacity", "lithography", "hbm", "dc_power"]
Ally = Literal["netherlands", "korea"]
HBMPolicy = Literal["draw", "conserve", "stockpile"]
Servicing = Literal["full", "limited", "none"]
Stance = Literal["align_us", "hedge", "buy_chinese"]
Transship = Literal["none", "permits", "strict"]
Generation = Literal["910B", "910C", "950", "960", "970"]
LicenceDecision = Literal["none", "grant", "deny"]

THRESHOLDS: tuple[str, ...] = get_args(Threshold)
CHINA_CHIP_LEVELS: tuple[str, ...] = get_args(ChinaChip)
FOREIGN_CHIP_POLICIES: tuple[str, ...] = get_args(ForeignChipPolicy)
DIFFUSION_TIERS: tuple[str, ...] = get_args(DiffusionTier)
ENTITY_TARGETS: tuple[str, ...] = get_args(EntityTarget)
INTEL_LEVELS: tuple[str, ...] = get_args(IntelLevel)
SUBSIDY_SECTORS: tuple[str, ...] = get_args(SubsidySector)
ALLIES: tuple[str, ...] = get_args(Ally)
HBM_POLICIES: tuple[str, ...] = get_args(HBMPolicy)
SERVICING: tuple[str, ...] = get_args(Servicing)
STANCES: tuple[str, ...] = get_args(Stance)
TRANSSHIP: tuple[str, ...] = get_args(Transship)
HUAWEI_GENERATIONS: tuple[str, ...] = get_args(Generation)

# Capacity on its way: exactly [turn ready, amount] pairs, both >= 0 (the mechanics read e[0], e[1]).
Pipeline = list[Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=2, max_length=2)]]


class _State(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    # The fields that BaseModel.__setattr__ sets by storing the value and marking the field set
    # (pydantic's _model_field_setattr_handler): all of them, unless a state validates
    # assignments or freezes a field.
    _plain_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        config = cls.model_config
        if not (config.get("validate_assignment") or config.get("frozen")):
            cls._plain_fields = frozenset(n for n, f in cls.__pydantic_fields__.items() if not f.frozen)

    def __setattr__(self, name: str, value: Any) -> None:
        """BaseModel.__setattr__, with a plain field set here in one call instead of pydantic's
        two (the mechanics set some seventy fields a quarter); anything else goes to pydantic."""
        if name in self._plain_fields:
            self.__dict__[name] = value
            self.__pydantic_fields_set__.add(name)
        else:
            super().__setattr__(name, value)


class USState(_State):
    hawkishness: float = Field(ge=0, le=1)
    threshold: Threshold
    export_fee: float = Field(ge=0, le=0.5)
    entity_list: list[EntityTarget] = []
    enforcement_budget_usd_m: float = Field(ge=0)
    cloud_kyc: bool = False
    intel_effort: IntelLevel = "medium"
    diffusion: dict[str, DiffusionTier] = {}
    tier2_caps_h100e: dict[str, Annotated[float, Field(ge=0)]] = {}  # per-nation caps the US set; else the T3 default
    pressure_netherlands: float = Field(0.0, ge=0, le=1)
    pressure_korea: float = Field(0.0, ge=0, le=1)
    licence_decision: LicenceDecision = "none"  # this quarter: none / grant / deny
    # the US intelligence community's latest estimates (private to the US seat; fog of war)
    intel_huawei_chips: float = Field(0.0, ge=0)  # Ascend chips made last quarter, as counted
    intel_china_stock_h100e: float = Field(0.0, ge=0)  # China's installed AI compute, as estimated
    intel_smuggled_h100e: float = Field(0.0, ge=0)  # smuggled last quarter, inferred from seizures
    intel_smic_yield: float = Field(0.1, ge=0, le=1)  # what US analysts believe SMIC's Ascend-die yield is


class ChinaState(_State):
    directive_huawei_share: float = Field(ge=0, le=1)
    subsidies_usd_b: dict[SubsidySector, Annotated[float, Field(ge=0)]]
    budget_usd_b: float = Field(ge=0)
    foreign_chip_policy: ForeignChipPolicy = "open"
    court_offers_usd_b: dict[str, Annotated[float, Field(ge=0)]] = {}
    mineral_curbs: bool = False
    algorithmic_efficiency: float = Field(1.0, gt=0)


class NvidiaState(_State):
    china_chip: ChinaChip = "h20_class"
    design_target: ChinaChip = "none"
    design_ready_turn: int = 0
    licence_pending: bool = False
    licence_requested_turn: int = -1
    licensed_level: ChinaChip = "none"
    shipping_level: ChinaChip = "none"  # licensed at the end of last quarter: a new licence ships a quarter later
    lobby_usd_m: float = Field(0.0, ge=0)
    china_supply_share: float = Field(0.05, ge=0, le=1)
    tier2_supply_share: float = Field(0.1, ge=0, le=1)
    price_multiplier: float = Field(1.0, gt=0)
    unsold_china_inventory_h100e: float = Field(0.0, ge=0)  # China-only chips made and not yet sold or resold


class HuaweiState(_State):
    generation: Generation = "910C"
    wafer_order_wpm: float = Field(ge=0)
    rd_usd_b: float = Field(ge=0)
    supernode_share: float = Field(0.3, ge=0, le=1)
    export_share: float = Field(0.0, ge=0, le=1)
    hbm_policy: HBMPolicy = "draw"
    die_bank: float = Field(ge=0)
    hbm_stock: float = Field(ge=0)
    proxy_order_dies: float = Field(0.0, ge=0)
    rd_stock_usd_b: float = Field(0.0, ge=0)
    packaging_capacity_chips: float = Field(ge=0)  # advanced packaging lines, chips/quarter
    packaging_invest_usd_b: float = Field(0.0, ge=0)  # spent each quarter on new lines
    packaging_pipeline: Pipeline = []  # [turn ready, chips/quarter]
    chip_inventory_h100e: float = Field(0.0, ge=0)  # domestic chips made and not yet sold


class SMICState(_State):
    advanced_capacity_wpm: float = Field(ge=0)
    pipeline: Pipeline = []  # [turn ready, wafers/month]
    duv_tools: float = Field(ge=0)
    tools_on_order: float = Field(0.0, ge=0)
    ai_yield: float = Field(ge=0, le=1)
    yield_rd_usd_b: float = Field(0.0, ge=0)
    huawei_share: float = Field(ge=0, le=1)
    cash_usd_b: float = Field(ge=0)


class ASMLState(_State):
    duv_sales_cap: float = Field(ge=0)
    servicing: Servicing = "full"
    lobby_usd_m: float = Field(0.0, ge=0)
    dutch_restriction: int = Field(1, ge=0, le=3)


class SmugglersState(_State):
    routes: dict[str, Annotated[float, Field(ge=0)]] = {}
    fragmentation: float = Field(0.3, ge=0, le=1)
    cloud_broker_h100e: float = Field(0.0, ge=0)
    lying_low: bool = False
    capital_usd_b: float = Field(ge=0)


class Tier2State(_State):
    alignment: float = Field(ge=-1, le=1)
    stance: Stance = "hedge"
    transship_controls: Transship = "none"
    dc_capacity_mw: float = Field(ge=0)
    build_mw_per_quarter: float = Field(0.0, ge=0)
    max_build_mw_per_quarter: float = Field(ge=0)
    admit_chinese_tenants: bool = True
    compute_stock_h100e: float = Field(0.0, ge=0)
    chinese_chips_h100e: float = Field(0.0, ge=0)


class MarketState(_State):
    """Stocks and trajectories that belong to no actor."""

    us_compute_stock_h100e: float = Field(ge=0)
    china_domestic_stock_h100e: float = Field(ge=0)
    china_foreign_stock_h100e: float = Field(ge=0)
    china_demand_h100e: float = Field(0.0, ge=0)  # derived each quarter
    smuggling_premium: float = Field(0.0, ge=0)  # derived each quarter
    china_price_index_usd: float = Field(gt=0)  # what Chinese buyers paid per H100e last quarter
    cxmt_hbm_stacks: float = Field(ge=0)
    cxmt_hbm3: bool = False
    domestic_litho: bool = False
    china_fleet_power_gw: float = Field(0.0, ge=0)
    cumulative_smuggled_h100e: float = Field(0.0, ge=0)
    # conservation ledgers: dies in = dies packaged + scrapped + die bank; chips = exported + at home;
    # Nvidia's China-only chips made = sold in China + resold elsewhere + still in inventory
    cumulative_dies_in: float = Field(0.0, ge=0)
    cumulative_dies_packaged: float = Field(0.0, ge=0)
    cumulative_dies_scrapped: float = Field(0.0, ge=0)
    cumulative_china_sku_made_h100e: float = Field(0.0, ge=0)
    cumulative_china_sku_sold_h100e: float = Field(0.0, ge=0)
    cumulative_china_sku_resold_h100e: float = Field(0.0, ge=0)
    cumulative_chips_packaged: float = Field(0.0, ge=0)
    cumulative_chips_exported: float = Field(0.0, ge=0)
    cumulative_chips_home: float = Field(0.0, ge=0)


class World(_State):
    turn: int = Field(0, ge=0)  # turns resolved so far
    quarter_index: int = Field(ge=0)  # absolute quarter of the turn being played
    us: USState
    china: ChinaState
    nvidia: NvidiaState
    huawei: HuaweiState
    smic: SMICState
    asml: ASMLState
    smugglers: SmugglersState
    tier2: dict[str, Tier2State]
    market: MarketState
    events_fired: list[str] = []
    news: list[str] = []

    def actor_state(self, actor: str) -> _State:
        if actor in self.tier2:
            return self.tier2[actor]
        return getattr(self, actor)


def _dump_input(world: World) -> dict[str, Any] | None:
    """world.model_dump(), for validation's purposes, from the states' own __dict__s; None if a
    state is not where its class belongs (then only pydantic's serializer knows what it dumps).

    model_dump() hands every field's value back as it is (a list or dict as a copy) and each state
    as a dict of its fields, and validation builds new lists, dicts and states from whatever it is
    given; so this input gives the same copy, or the same validation error. The one difference: a
    value of the wrong type (a str in a float field) no longer draws the serializer's warning
    before validation coerces or refuses it."""
    data = dict(world.__dict__)
    for name, cls in _STATES:
        state = data.get(name)
        if type(state) is not cls:
            return None
        data[name] = state.__dict__
    tier2 = data.get("tier2")
    if type(tier2) is not dict or not set(map(type, tier2.values())) <= {Tier2State}:
        return None
    data["tier2"] = {n: t.__dict__ for n, t in tier2.items()}
    return data


# the world's fields that hold one state each, with its class (read off the schema)
_STATES = tuple((name, f.annotation) for name, f in World.model_fields.items()
                if isinstance(f.annotation, type) and issubclass(f.annotation, _State))


def validated_copy(world: World) -> World:
    """World.model_validate(world.model_dump()): a deep copy of the world that its schema has
    checked (raises ValidationError), without running pydantic's serializer (a third of the cost)."""
    data = _dump_input(world)
    return World.model_validate(world.model_dump() if data is None else data)


def canonical_json(data: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces; the basis of hashes and goldens."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def state_hash(world: World) -> str:
    return hashlib.sha256(canonical_json(world.model_dump(mode="json")).encode()).hexdigest()
