"""Fog of war lives here only: what one actor may see of the world, and its estimates.

An actor sees its own state in full, the public fields of the others, last quarter's public
metrics, the public moves made so far this quarter, and *estimates* of hidden numbers. The US
seat's estimates are its intelligence community's conclusions, worked out each quarter by
`mechanics.politics.us_intelligence` and kept in the US's private state, because Washington's
politics react to them: analysts count SMIC's Ascend wafers at the yield they believe and see
only part of the output built from stockpiled dies, so the US undercounts for a reason, not
because a number was typed in (H3 vs H4).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict

from wargame.metrics import CHINA_BLOC, HIDDEN_KEYS
from wargame.params import Params
from wargame.state import World

# Fields of each actor's state that others may see; everything else is private.
PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "us": ("hawkishness", "threshold", "export_fee", "entity_list", "enforcement_budget_usd_m", "cloud_kyc", "diffusion",
           "tier2_caps_h100e"),
    "china": ("subsidies_usd_b", "budget_usd_b", "foreign_chip_policy", "mineral_curbs"),
    "nvidia": ("china_chip", "licence_pending", "licensed_level", "lobby_usd_m", "price_multiplier"),
    "huawei": ("generation", "supernode_share", "export_share"),
    "smic": (),
    "asml": ("duv_sales_cap", "servicing", "lobby_usd_m", "dutch_restriction"),
    "smugglers": (),
}
TIER2_PUBLIC: tuple[str, ...] = ("alignment", "stance", "transship_controls", "dc_capacity_mw", "build_mw_per_quarter",
                                 "admit_chinese_tenants", "compute_stock_h100e")


class Observation(BaseModel):
    model_config = ConfigDict(frozen=True)
    actor: str
    turn: int  # the turn being decided, 1-based
    quarter: str
    own: dict
    public: dict
    last_record: dict
    estimates: dict[str, float]
    moves_this_turn: list[dict]
    news: list[str]
    # the seat's own dice for this quarter: the same on every call within the quarter, so a bot
    # that plans once per quarter plans alike after a save, whatever it had already ordered
    dice_seed: int = 0

    # Lazy parts. The session's observations (observe_lazily) leave the parts most seats never
    # read to be made on first read: their makers wait in __pydantic_private__ (which pydantic
    # keeps for private attributes, and Observation has none), and the part is missing from
    # __dict__ until then. Every BaseModel method below reads __dict__ whole, so it first makes
    # what is pending; after that the instance is exactly what the eager observe() builds.
    def __getattr__(self, name: str):
        try:
            pending = object.__getattribute__(self, "__pydantic_private__")
        except AttributeError:  # an instance not set up yet (as pydantic allows for, unpickling)
            pending = None
        if pending and name in pending:
            return self._make(name)
        return super().__getattr__(name)

    def _make(self, name: str):
        """Make one pending part and put it in __dict__ at its field's place."""
        pending = object.__getattribute__(self, "__pydantic_private__")
        value = pending[name]()  # if making it fails, it stays pending and fails again when read
        del pending[name]
        d = self.__dict__
        object.__setattr__(self, "__dict__", {f: value if f == name else d[f] for f in _OBSERVATION_FIELDS
                                              if f == name or f in d})
        if not pending:
            object.__setattr__(self, "__pydantic_private__", None)
        return value

    def _settle(self) -> None:
        """Make every part still pending."""
        pending = object.__getattribute__(self, "__pydantic_private__")
        while pending:
            self._make(next(iter(pending)))

    def __eq__(self, other: object) -> bool:
        self._settle()
        if isinstance(other, Observation):
            other._settle()
        return super().__eq__(other)

    def __iter__(self):
        self._settle()
        return super().__iter__()

    def __repr_args__(self):
        self._settle()
        return super().__repr_args__()

    def __copy__(self):
        self._settle()
        return super().__copy__()

    def __deepcopy__(self, memo: dict | None = None):
        self._settle()
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict:
        self._settle()
        return super().__getstate__()

    def model_dump(self, **kwargs) -> dict:
        self._settle()
        return super().model_dump(**kwargs)

    def model_dump_json(self, **kwargs) -> str:
        self._settle()
        return super().model_dump_json(**kwargs)


def _plain_model(cls: type[BaseModel]) -> bool:
    """No aliases, defaults to fill, extras, private attributes or post-init: model_construct with
    every field given comes down to setting the instance's dict and its fields-set."""
    return (not cls.__pydantic_root_model__ and not cls.__pydantic_post_init__ and not cls.__private_attributes__
            and cls.model_config.get("extra") != "allow"
            and all(f.alias is None and f.validation_alias is None for f in cls.__pydantic_fields__.values()))


_OBSERVATION_FIELDS = tuple(Observation.__pydantic_fields__)
_FAST_CONSTRUCT = _plain_model(Observation)


def _construct(**values) -> Observation:
    """Observation.model_construct(**values) for all of its fields, without its per-field alias
    and default look-ups (pydantic's model_construct, main.py): the same instance state."""
    if not _FAST_CONSTRUCT or tuple(values) != _OBSERVATION_FIELDS:
        return Observation.model_construct(**values)
    m = Observation.__new__(Observation)
    object.__setattr__(m, "__dict__", values)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def sees_truth(observer: str, key: str) -> bool:
    if key.startswith("score_"):
        return key == f"score_{observer}"  # a score would reveal its owner's private numbers
    owner = HIDDEN_KEYS.get(key)
    if owner is None:
        return True
    if owner in CHINA_BLOC:
        return observer in CHINA_BLOC
    return observer == owner


@functools.lru_cache(maxsize=256)
def _visible_keys(observer: str, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The record's keys the observer sees the truth of (the same every quarter)."""
    return tuple(k for k in keys if sees_truth(observer, k))


def _dump(state: BaseModel) -> dict:
    """state.model_dump(mode="json"), without the wrapper's keyword plumbing."""
    return state.__pydantic_serializer__.to_python(state, mode="json")


@functools.cache
def _include(cls: type[BaseModel], fields: tuple[str, ...]) -> set[str] | None:
    """`fields` as a set for the serializer's include, if that gives them in this order (the
    serializer keeps the model's field order); else None."""
    return set(fields) if tuple(f for f in cls.model_fields if f in fields) == fields else None


def _public_part(state: BaseModel, fields: tuple[str, ...]) -> dict:
    """{f: state.model_dump(mode="json")[f] for f in fields}, serialising only those fields."""
    include = _include(type(state), fields)
    if include is not None:
        return state.__pydantic_serializer__.to_python(state, mode="json", include=include)
    dump = _dump(state)
    return {f: dump[f] for f in fields}


def _public_view(world: World, observer: str) -> dict:
    out: dict = {}
    bloc = observer in CHINA_BLOC
    for actor, fields in PUBLIC_FIELDS.items():
        if actor == observer:
            continue
        if bloc and actor in CHINA_BLOC:
            out[actor] = _dump(getattr(world, actor))
        elif fields:
            out[actor] = _public_part(getattr(world, actor), fields)
        else:  # nothing of it is public (SMIC, the smugglers)
            out[actor] = {}
    for nation, t in sorted(world.tier2.items()):
        if nation != observer:
            out[nation] = _public_part(t, TIER2_PUBLIC)
    return out


_ESTIMATED = ("huawei_output_chips", "smuggled_h100e", "smic_yield", "smic_advanced_capacity_wpm",
              "china_compute_stock_h100e", "china_demand_h100e")


def _us_view(world: World) -> dict:
    """The US intelligence community's conclusions, which the US seat reads as its estimates."""
    return {
        "huawei_output_chips": world.us.intel_huawei_chips,
        "smuggled_h100e": world.us.intel_smuggled_h100e,
        "china_compute_stock_h100e": world.us.intel_china_stock_h100e,
        "smic_yield": world.us.intel_smic_yield,
    }


def _estimates(us_view: dict | None, p: Params, observer: str, last: dict, rng: np.random.Generator) -> dict[str, float]:
    """Estimates of what the observer cannot see. The US seat reads its intelligence community's
    conclusions (`us_view`; structurally biased: see mechanics.politics.us_intelligence); other
    outsiders get analysts' noisy reading of last quarter's true figures."""
    if not last:
        return {}
    sigma = p.analyst_sigma
    # always draw in the same order so one observer's dice never depend on what it can see
    z = rng.standard_normal(len(_ESTIMATED)).tolist()  # the same six normals as six single draws
    draws = {k: float(math.exp(sigma * z[i] - 0.5 * sigma * sigma)) for i, k in enumerate(_ESTIMATED)}
    out: dict[str, float] = {}
    for key, draw in draws.items():
        if sees_truth(observer, key):
            continue
        if observer == "us" and key in us_view:
            out[key] = float(us_view[key])
        elif key == "smuggled_h100e":
            out[key] = last["seized_h100e"] / p.smuggling_assumed_seizure * draw
        else:
            out[key] = float(last[key] * draw)
    return out


def _visible(observer: str, last: dict) -> dict:
    """The part of last quarter's record the observer sees the truth of."""
    return {k: last[k] for k in _visible_keys(observer, tuple(last))}


def _others_moves(observer: str, public_moves: list[dict]) -> list[dict]:
    """The others' public moves, copied: a bot cannot edit the log."""
    return [{**m, "move": dict(m["move"])} for m in public_moves if m["actor"] != observer]


def observe(
    world: World, p: Params, observer: str, last: dict, public_moves: list[dict],
    rng: np.random.Generator, quarter: str, dice_seed: int = 0,
) -> Observation:
    return _construct(  # built from checked state: validating it again costs a third of observing
        actor=observer,
        turn=world.turn + 1,
        quarter=quarter,
        own=_dump(world.actor_state(observer)),
        public=_public_view(world, observer),
        last_record=_visible(observer, last),
        estimates=_estimates(_us_view(world) if observer == "us" else None, p, observer, last, rng),
        moves_this_turn=_others_moves(observer, public_moves),
        news=list(world.news),
        dice_seed=dice_seed,
    )


def observe_lazily(
    world: World, p: Params, observer: str, last: dict, public_moves: list[dict],
    draws: Callable[[], np.random.Generator], quarter: str, dice_seed: int | Callable[[], int],
) -> Observation:
    """observe(), leaving the last record, the estimates (and their generator, from `draws`),
    this quarter's moves and the dice seed (if `dice_seed` is its maker) to be made on first
    read: the session's seats mostly read few of them, and a third of doctrine phases never roll.
    For a caller that never changes `last` (a quarter's record is final) nor the entries of
    `public_moves`: what each part needs is fixed now, so it reads the same whenever it is read,
    though the seat's own orders change the world before it reads."""
    if not _FAST_CONSTRUCT:  # pydantic would not take an instance put together by hand
        seed = dice_seed() if callable(dice_seed) else dice_seed
        return observe(world, p, observer, last, public_moves, draws(), quarter, seed)
    us_view = _us_view(world) if observer == "us" else None
    moves = public_moves[:]  # the list grows as the seat orders
    m = Observation.__new__(Observation)
    object.__setattr__(m, "__dict__", {
        "actor": observer, "turn": world.turn + 1, "quarter": quarter,
        "own": _dump(world.actor_state(observer)), "public": _public_view(world, observer),
        "news": list(world.news),
    })
    pending = {
        "last_record": lambda: _visible(observer, last),
        "estimates": lambda: _estimates(us_view, p, observer, last, draws()),
        "moves_this_turn": lambda: _others_moves(observer, moves),
    }
    if callable(dice_seed):  # a seat that never rolls never needs it
        pending["dice_seed"] = dice_seed
    else:
        m.__dict__["dice_seed"] = dice_seed
    object.__setattr__(m, "__pydantic_fields_set__", set(_OBSERVATION_FIELDS))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", pending)
    return m
