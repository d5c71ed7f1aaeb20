"""Scenario files: a frozen schema, a YAML loader, and error messages a person can act on.

A scenario is data: start quarter, length, the roster's initial state, every parameter with
its unit and source id (../shared/calibration/targets.yaml), scripted events, inject cards a
facilitator may play (inert unless played: wargame/injects.py) and default seats.
`extends: NAME` lets a policy variant override a few fields of another scenario; it inherits the
parent's events and injects, less `drop_events`/`drop_injects`, plus `add_events`/`add_injects`.

A scenario that loads always plays to its end: every parameter is inside its declared range
(wargame/params.py), every distribution draws inside it, and every event changes only game
state, with an operation and a value the mechanics can handle. Reading is bounded
(wargame/limits.py): file size, YAML aliases, nodes and nesting, and the depth of `extends`.
Each problem is one line naming the file that holds it (a parent's, in a chain), the field as
written there (`add_events[0].effects[1].target`) and what is allowed.
"""

from __future__ import annotations

import math
import os
import re
import stat
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
import yaml.constructor
import yaml.cyaml
import yaml.parser
import yaml.reader
import yaml.scanner
from annotated_types import Gt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from wargame import limits
from wargame.distributions import distribution_problems, is_integer_parameter, support
from wargame.ids import KNOWN_TIER2, format_quarter, initiative_order, is_quarter, parse_quarter
from wargame.params import LAST_YEAR, ORDERED, SCORE_WEIGHTS, Params, bounds, describe, quarter_problem, weights_problem
from wargame.state import World

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
QUARTER_FORMAT = "must look like 2025Q1 (year, Q, 1-4)"


class ScenarioError(Exception):
    """One line per problem: `file: field.path: what is wrong (what is allowed)`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Distribution(_Frozen):
    """Uncertainty for Monte Carlo sampling of a parameter (fields per kind: wargame/distributions.py).

    A normal would be `truncated_normal`: an untruncated one can draw impossible values."""

    kind: Literal["uniform", "triangular", "truncated_normal", "lognormal"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class Parameter(_Frozen):
    value: float | int | str | list[float]
    unit: str
    source: str | None = None
    note: str | None = None
    distribution: Distribution | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _plain(cls, v: Any) -> Any:
        """One clear line instead of a failure per member of the union (and no `true` as 1)."""
        items = v if isinstance(v, list) else [v]
        if not (_is_number(v) or isinstance(v, str) or (isinstance(v, list) and all(_is_number(x) for x in v))):
            raise ValueError("must be a number, a quarter such as 2026Q3, or a list of numbers")
        if any(isinstance(x, float) and not math.isfinite(x) for x in items):
            raise ValueError("must be a finite number")
        return v


class Effect(_Frozen):
    """Change one field of the world: `target` is a dotted path such as `us.threshold`."""

    target: str
    op: Literal["set", "add", "append", "remove"] = "set"
    value: Any


def _quarter_field(v: str | None) -> str | None:
    if v is not None and not is_quarter(v):
        raise ValueError(QUARTER_FORMAT)
    return v


class Event(_Frozen):
    id: str
    quarter: str
    description: str
    source: str | None = None
    hypothetical: bool = False
    effects: list[Effect] = Field(min_length=1)

    _quarter = field_validator("quarter")(_quarter_field)


class RandomEvent(_Frozen):
    """An inject that may fire at the start of any quarter in its window, with a fixed hazard."""

    id: str
    description: str
    hazard_per_quarter: float = Field(ge=0, le=1)
    earliest: str | None = None
    latest: str | None = None
    repeatable: bool = False
    source: str | None = None
    hypothetical: bool = True
    effects: list[Effect] = Field(min_length=1)

    _quarter = field_validator("earliest", "latest")(_quarter_field)

    def can_fire(self, quarter_index: int, fired: list[str]) -> bool:
        if not self.repeatable and self.id in fired:
            return False
        lo = parse_quarter(self.earliest) if self.earliest else quarter_index
        hi = parse_quarter(self.latest) if self.latest else quarter_index
        return lo <= quarter_index <= hi


INJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
INJECT_ID_FORM = "letters, digits, '-', '_' or '.', starting with a letter or digit (it is typed as TURN:ID: no ':' or spaces)"


class CardEffect(_Frozen):
    """An inject card's effect. Besides an Effect's set/add/append/remove: `scale` multiplies a
    number by `value` (a card may be played in 2023 or 2030, when stocks differ tenfold), and, in
    `ends` only, `restore` (no value) gives back what the card's own effects added to or took
    from that number. Both become plain Effects when the card is played (wargame/injects.py), so
    the move log, which replays re-apply, holds only what changed."""

    target: str
    op: Literal["set", "add", "append", "remove", "scale", "restore"] = "set"
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> CardEffect:
        if self.op == "restore" and self.value is not None:
            raise ValueError("op restore takes no value (it gives back what the card's effects changed)")
        if self.op != "restore" and self.value is None:
            raise ValueError(f"op {self.op} needs a value")
        if self.op == "scale" and not (_is_number(self.value) and math.isfinite(self.value) and self.value > 0):
            raise ValueError(f"op scale needs a factor, a finite number > 0, not {self.value!r}")
        return self


class Inject(_Frozen):
    """A card a facilitator may play at any quarter; it does nothing unless played. Historical
    cards replay a dated row of the record (`source`, `date`) at another time; hypothetical ones
    carry the label. A card that `lasts_quarters` is wound down by its `ends`, played as
    `<ID>:end` that many quarters later."""

    id: str
    title: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1)
    hypothetical: bool  # no default: every card says which it is
    source: str | None = None  # a ../shared/calibration/targets.yaml id
    date: str | None = None  # the quarter a historical card happened
    effects: list[CardEffect] = Field(min_length=1)
    lasts_quarters: int | None = Field(None, ge=1, le=200, strict=True)
    ends: list[CardEffect] = []
    ends_description: str | None = None

    _date = field_validator("date")(_quarter_field)

    @field_validator("id")
    @classmethod
    def _id_form(cls, v: str) -> str:
        if not INJECT_ID.match(v):
            raise ValueError(f"must be {INJECT_ID_FORM}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Inject:
        if self.ends and self.lasts_quarters is None:
            raise ValueError("ends needs lasts_quarters (how many quarters later they are played)")
        if self.lasts_quarters is not None and not self.ends:
            raise ValueError("lasts_quarters needs ends (the effects that wind the card down)")
        if self.ends_description is not None and not self.ends:
            raise ValueError("ends_description describes ends, and the card has none")
        for j, eff in enumerate(self.effects):
            if eff.op == "restore":
                raise ValueError(f"effects[{j}]: op restore is only for ends")
        changed = {e.target for e in self.effects if e.op in ("add", "scale")}
        for j, eff in enumerate(self.ends):
            if eff.op == "scale":
                raise ValueError(f"ends[{j}]: op scale is only for effects (an ending is fixed when the card is played); "
                                 f"allowed: set, add, append, remove, restore")
            if eff.op == "restore" and eff.target not in changed:
                raise ValueError(f"ends[{j}]: restore of {eff.target} needs an effect of this card that adds to or scales it")
        if self.hypothetical and self.date is not None:
            raise ValueError("a hypothetical card has no date (date is the quarter a historical card happened)")
        if not self.hypothetical and (self.source is None or self.date is None):
            raise ValueError("a historical card needs source (a targets.yaml id) and date (the quarter it happened); "
                             "otherwise mark it hypothetical: true")
        return self


class Lock(_Frozen):
    """A move kind the scenario takes out of a seat's hands (a policy assumption or the record)."""

    reason: str
    until: str | None = None  # last quarter locked; None = the whole game

    _quarter = field_validator("until")(_quarter_field)

    def active(self, quarter_index: int) -> bool:
        return self.until is None or quarter_index <= parse_quarter(self.until)


class Scenario(_Frozen):
    name: str
    extends: str | None = None  # the scenario this one varies (kept for `wargame effects`)
    hypothetical: bool = False  # a policy variant or counterfactual, compared with what it extends
    title: str
    description: str
    start_quarter: str
    turns: int = Field(ge=1, le=200, strict=True)
    initial: World
    initial_sources: dict[str, str] = {}
    parameters: dict[str, Parameter]
    events: list[Event] = []
    random_events: list[RandomEvent] = []
    injects: list[Inject] = []  # cards a facilitator may play (wargame/injects.py); inert unless played
    seats: dict[str, str] = {}
    locks: dict[str, dict[str, Lock]] = {}  # actor -> {move kind: why (and until when) it is fixed}

    @field_validator("locks", mode="before")
    @classmethod
    def _plain_reasons(cls, v: Any) -> Any:
        """`kind: "reason"` is shorthand for a lock over the whole game."""
        if isinstance(v, dict):
            return {a: ({k: ({"reason": r} if isinstance(r, str) else r) for k, r in kinds.items()} if isinstance(kinds, dict) else kinds)
                    for a, kinds in v.items()}
        return v

    @field_validator("start_quarter")
    @classmethod
    def _start(cls, v: str) -> str:
        problem = quarter_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @property
    def tier2(self) -> tuple[str, ...]:
        return tuple(sorted(self.initial.tier2))  # alphabetical: stable across save files

    @property
    def actors(self) -> tuple[str, ...]:
        return initiative_order(self.tier2)

    def params(self, overrides: dict[str, float] | None = None) -> Params:
        """The parameters, with `overrides` (e.g. a Monte Carlo draw) replacing some values."""
        return Params(**{k: v.value for k, v in self.parameters.items()} | (overrides or {}))

    def start_world(self) -> World:
        return self.initial.model_copy(update={"quarter_index": parse_quarter(self.start_quarter), "turn": 0}, deep=True)


# Keys a scenario file may hold; a mapping with none of them is some other file.
SCENARIO_KEYS = frozenset(Scenario.model_fields) | {"add_events", "drop_events", "add_injects", "drop_injects"}


# --- effects on a world ---------------------------------------------------------------------
# The clock and the engine's bookkeeping: an event that set them could loop a game forever.
FORBIDDEN_TARGETS = ("turn", "quarter_index", "events_fired", "news")
TARGET_FORM = ("a field of an actor's state such as us.threshold, tier2.NATION.FIELD or market.FIELD, "
               "or a map entry such as us.diffusion.NATION; not turn, quarter_index, events_fired or news")
OPS = {"number": ("set", "add"), "integer": ("set", "add"), "flag": ("set",), "str": ("set",),
       "list": ("set", "append", "remove"), "pairs": ("set",), "map": ("set",)}
KIND_WORDS = {"number": "a number", "integer": "an integer", "flag": "a flag", "str": "a str", "list": "a list",
              "pairs": "a list of [turn, amount] pairs", "map": "a map"}
NATION_MAPS = (("us", "diffusion"), ("us", "tier2_caps_h100e"), ("china", "court_offers_usd_b"), ("smugglers", "routes"))
MAX_STATE_NUMBER = 1e12  # no stock, price or budget in the game comes near it; far below overflow
MIN_POSITIVE = 1e-6  # floor of a field that must stay > 0 (it divides or is raised to a power)


class EffectError(KeyError):
    """An effect whose target, op or value does not fit the world; `field` is the one at fault."""

    def __init__(self, message: str, field: str = "target"):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return str(self.args[0])


def _resolve(world: World, path: str) -> tuple[BaseModel, str, str | None]:
    """The state model that owns the path, its field, and a dict key inside it (if any)."""
    parts = path.split(".")
    obj: Any = world
    i = 0
    while i < len(parts):
        part = parts[i]
        if not isinstance(obj, BaseModel) or part not in type(obj).model_fields:
            raise KeyError(part)
        value = getattr(obj, part)
        rest = parts[i + 1:]
        if not rest:
            return obj, part, None
        if isinstance(value, dict):
            if isinstance(value.get(rest[0]), BaseModel):  # e.g. tier2.malaysia.<field>
                obj, i = value[rest[0]], i + 2
                continue
            if len(rest) != 1:
                raise KeyError(path)
            return obj, part, rest[0]
        obj, i = value, i + 1
    raise KeyError(path)


def _bare(tp: Any) -> Any:
    return get_args(tp)[0] if get_origin(tp) is Annotated else tp


def _kind(tp: Any) -> str:
    """What sort of value a state field holds, which decides the operations it takes."""
    tp = _bare(tp)
    if tp is bool:
        return "flag"
    if tp is int:
        return "integer"
    if tp is float:
        return "number"
    if tp is str or get_origin(tp) is Literal:
        return "str"
    if get_origin(tp) is list:
        return "pairs" if get_origin(_bare(get_args(tp)[0])) is list else "list"
    if get_origin(tp) is dict:
        return "model" if isinstance(_bare(get_args(tp)[1]), type) and issubclass(_bare(get_args(tp)[1]), BaseModel) else "map"
    return "model"


def _target(world: World, effect: Effect) -> tuple[BaseModel, str, str | None, str]:
    """Owner, field, map key and kind of the effect's target; EffectError if it may not change."""
    path = effect.target
    if path.split(".")[0] in FORBIDDEN_TARGETS:
        raise EffectError(f"{path!r} is the game's clock or bookkeeping, not game state (allowed: {TARGET_FORM})")
    try:
        owner, field, key = _resolve(world, path)
    except KeyError:
        raise EffectError(f"{path!r} is not a field of the world state (allowed: {TARGET_FORM})") from None
    tp = type(owner).model_fields[field].annotation
    kind = _kind(tp)
    if key is not None:
        if kind != "map":
            raise EffectError(f"{path!r} is not a field of the world state (allowed: {TARGET_FORM})")
        kind = _kind(get_args(_bare(tp))[1])
    if kind == "model":
        raise EffectError(f"{path!r} is a whole state, not one field (allowed: {TARGET_FORM})")
    if effect.op not in OPS[kind]:
        raise EffectError(f"op {effect.op} is not allowed on {path} ({KIND_WORDS[kind]}); allowed: {', '.join(OPS[kind])}", "op")
    if effect.op == "add" and not (_is_number(effect.value) and math.isfinite(effect.value)):
        raise EffectError(f"op add on {path} needs a finite number, not {effect.value!r}", "value")
    if effect.op == "add" and effect.value < 0 and key is None and _floor(type(owner), field) is not None:
        raise EffectError(f"a negative add could take {path} to 0, and it must stay above 0 "
                          f"(allowed: set it to a value, or add a value >= 0)", "value")
    return owner, field, key, kind


def _floor(cls: type[BaseModel], field: str) -> float | None:
    """The strict lower bound of a field (`gt`), if it has one."""
    return next((m.gt for m in cls.model_fields[field].metadata if isinstance(m, Gt)), None)


def _clamp(cls: type[BaseModel], field: str, value: Any) -> Any:
    """An `add` effect saturates at the field's bounds instead of breaking the world."""
    for meta in cls.model_fields[field].metadata:
        if getattr(meta, "ge", None) is not None:
            value = max(meta.ge, value)
        if getattr(meta, "le", None) is not None:
            value = min(meta.le, value)
    return value


def apply_effect(world: World, effect: Effect) -> None:
    """Mutates `world`; raises EffectError (a KeyError) on a target or op that does not fit,
    ValidationError on a bad value."""
    owner, field, key, _ = _target(world, effect)
    container = getattr(owner, field)
    current = container.get(key, 0.0) if key is not None else container
    if effect.op == "set":
        new = effect.value
    elif effect.op == "add":
        new = current + effect.value
    elif effect.op == "append":
        new = sorted(set(current) | {effect.value}) if isinstance(effect.value, str) else [*current, effect.value]
    else:
        new = [x for x in current if x != effect.value]
    if key is not None:
        if effect.op == "add":
            new = max(0.0, new)  # every numeric map in the state is non-negative
        new = {**container, key: new}
    elif effect.op == "add":
        new = _clamp(type(owner), field, new)
    trial = owner.model_copy()
    type(owner).__pydantic_validator__.validate_assignment(trial, field, new)
    setattr(owner, field, getattr(trial, field))


def card_effect(world: World, eff: CardEffect) -> Effect:
    """The plain Effect an inject card's effect is when played on `world` (not changed here).
    `scale` becomes an add of the change (a set on a field that must stay above 0), and an add
    that a bound clips becomes the add that really happens, so the move log says what changed
    and a `restore` can give exactly that back. EffectError if the target or op does not fit."""
    if eff.op == "restore":
        raise EffectError("op restore is only for ends", "op")
    if eff.op in ("set", "append", "remove"):
        return Effect(target=eff.target, op=eff.op, value=eff.value)
    owner, field, key, kind = _target(world, Effect(target=eff.target, op="set", value=None))
    if eff.op == "add":
        plain = Effect(target=eff.target, op="add", value=eff.value)
        _target(world, plain)  # an add's own checks: a number, not a negative add on a positive field
    elif kind != "number":
        raise EffectError(f"op scale is not allowed on {eff.target} ({KIND_WORDS[kind]}); allowed: {', '.join(OPS[kind])}", "op")
    container = getattr(owner, field)
    current = container.get(key, 0.0) if key is not None else container
    raw = current + eff.value if eff.op == "add" else current * eff.value
    new = max(0.0, raw) if key is not None else _clamp(type(owner), field, raw)
    if eff.op == "add":
        return plain if new == raw else Effect(target=eff.target, op="add", value=new - current)
    if key is None and _floor(type(owner), field) is not None:
        return Effect(target=eff.target, op="set", value=new)
    return Effect(target=eff.target, op="add", value=new - current)


def ending_effect(eff: CardEffect, played: list[Effect]) -> Effect:
    """The plain Effect of one of a card's `ends`, given the Effects the card was played as:
    `restore` adds back the sum of the card's adds to that target. EffectError if it cannot."""
    if eff.op == "scale":
        raise EffectError("op scale is only for effects (an ending is fixed when the card is played); "
                          "allowed: set, add, append, remove, restore", "op")
    if eff.op != "restore":
        return Effect(target=eff.target, op=eff.op, value=eff.value)
    mine = [e for e in played if e.target == eff.target]
    if not mine or any(e.op != "add" for e in mine):
        raise EffectError(f"restore of {eff.target} needs the card to change it only by adds (a scale of a field "
                          f"that must stay above 0 is played as a set, which cannot be given back)", "op")
    return Effect(target=eff.target, op="add", value=-math.fsum(e.value for e in mine))


# --- reading files ----------------------------------------------------------------------------
class _LimitError(yaml.YAMLError):
    def __init__(self, problem: str, mark: Any):
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class _Bounds:
    """Refuses, while composing, documents that would expand past the limits: alias references,
    nodes after alias expansion, and nesting depth (also after expansion). A "billion laughs"
    file is refused after a few hundred thousand nodes, never expanded. Mixed into a loader
    ahead of PyYAML's Composer, whose compose_node it wraps."""

    def _start_bounds(self) -> None:
        self._aliases = 0
        self._depth = 0
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes once expanded, height)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self._aliases += 1
            if self._aliases > limits.MAX_YAML_ALIASES:
                raise _LimitError(f"more than {limits.MAX_YAML_ALIASES} alias references (*name) (allowed: at most "
                                  f"{limits.MAX_YAML_ALIASES} in a file)", event.start_mark)
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:
                    raise _LimitError(f"alias *{event.anchor} refers to a node that contains it (allowed: aliases "
                                      f"to complete nodes only)", event.start_mark)
                if self._depth + size[1] > limits.MAX_NESTING:
                    raise _LimitError(self._too_deep(), event.start_mark)
            return Composer.compose_node(self, parent, index)
        event = self.peek_event()
        collection = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        self._depth += collection
        if self._depth > limits.MAX_NESTING:
            raise _LimitError(self._too_deep(), event.start_mark)
        node = Composer.compose_node(self, parent, index)
        self._depth -= collection
        if isinstance(node, yaml.MappingNode):
            _refuse_duplicate_keys(node)
        if isinstance(node, yaml.ScalarNode):
            size = (1, 0)
        else:
            children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
            sizes = [self._sizes[id(c)] for c in children]
            size = (1 + sum(s[0] for s in sizes), 1 + max((s[1] for s in sizes), default=0))
        if size[0] > limits.MAX_YAML_NODES:
            raise _LimitError(f"more than {limits.MAX_YAML_NODES} nodes once aliases are expanded (allowed: at most "
                              f"{limits.MAX_YAML_NODES})", event.start_mark)
        self._sizes[id(node)] = size
        return node

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """SafeConstructor's, with a value its tag cannot take refused as a ConstructorError at
        its place: PyYAML's scalar constructors raise ValueError, KeyError, IndexError or
        AttributeError on `!!int abc`, `!!bool maybe`, `!!timestamp 99` or an integer of more
        digits than Python converts, which would otherwise escape as a traceback."""
        try:
            return SafeConstructor.construct_object(self, node, deep)
        except (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError):
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            what = f"{node.value[:40]!r}{'...' if len(node.value) > 40 else ''}" if isinstance(node.value, str) else "this node"
            raise yaml.constructor.ConstructorError(None, None, f"{what} cannot be read as {tag}", node.start_mark) from None

    @staticmethod
    def _too_deep() -> str:
        return f"lists and mappings nested more than {limits.MAX_NESTING} deep (allowed: at most {limits.MAX_NESTING})"


def _refuse_duplicate_keys(node: Any) -> None:
    """A key written twice in one mapping, as composed (before any merge is flattened in): YAML
    forbids it, and PyYAML would keep the last silently (two `turns:` lines, the first ignored).
    Keys a merge (`<<: *base`) brings in may still be overridden, as YAML intends."""
    seen: dict[tuple[str, str], Any] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        first = seen.setdefault((key_node.tag, key_node.value), key_node)
        if first is not key_node:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key_node.value!r} is written twice in one mapping (first on line "
                f"{first.start_mark.line + 1}); give each key once", key_node.start_mark)


class _BoundedLoader(_Bounds, yaml.SafeLoader):
    """PyYAML's SafeLoader in Python, within the limits: its syntax errors say what it found."""

    def __init__(self, stream: str):
        yaml.SafeLoader.__init__(self, stream)
        self._start_bounds()


if yaml.__with_libyaml__:
    class _FastBoundedLoader(_Bounds, Composer, yaml.cyaml.CParser, SafeConstructor, Resolver):
        """The same loader with libyaml's scanner and parser (what CSafeLoader is made of) under
        the Python composer that the limits wrap: five times faster on a scenario file, and the
        same data from every YAML file in the repository, since what builds it (composer,
        resolver, safe constructor) is the same code. On malformed text libyaml, YAML's reference
        parser, is a little more lenient than PyYAML's Python scanner (it takes a tab inside a
        plain scalar, and drops a byte-order mark in mid-file); what it reads is validated as
        any scenario is."""

        def __init__(self, stream: str):
            yaml.cyaml.CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_bounds()
else:  # a PyYAML built without libyaml
    _FastBoundedLoader = _BoundedLoader


_SYNTAX_ERRORS = (yaml.reader.ReaderError, yaml.scanner.ScannerError, yaml.parser.ParserError)


def _load_bounded(text: str) -> Any:
    """The YAML document in `text`, within the limits (raises yaml.YAMLError). A file that is not
    YAML is read again by the Python loader, so a syntax error is reported in its words (which
    name what it found where libyaml's say only what was expected); every other error comes from
    the same Python code either way."""
    if _FastBoundedLoader is not _BoundedLoader:
        try:
            return _load_with(_FastBoundedLoader, text)
        except _SYNTAX_ERRORS:
            pass
    return _load_with(_BoundedLoader, text)


def _load_with(cls: type, text: str) -> Any:
    loader = cls(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> tuple[str, str]:
    """Where and what, for a character YAML does not allow (a control character, U+FFFE, ...)."""
    pos = exc.position
    line, column = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
    char = exc.character if isinstance(exc.character, int) else ord(text[pos]) if pos < len(text) else 0
    return f"line {line}, column {column}: ", f"character #x{char:04x} is not allowed in YAML ({exc.reason})"


def _constructor_problem(problem: str) -> str:
    """PyYAML's words for a node the safe loader will not build, said as what a scenario allows."""
    if problem.startswith("could not determine a constructor for the tag"):
        tag = problem.rpartition(" ")[2].replace("tag:yaml.org,2002:", "!!")
        return (f"the tag {tag} is not allowed (allowed: plain YAML values, i.e. mappings, lists, text, numbers, "
                "true/false and null, or the standard tags such as !!str and !!float)")
    if problem == "found unhashable key":
        return "a mapping key is a list or a mapping (allowed: text or a number)"
    return problem


def _shown(label: str, top: str) -> str:
    """A parent's label, with the file the user asked for when it is another."""
    return label if label == top else f"{label} (via {top})"


def _read_yaml(path: Path, label: str, top: str, via: str | None = None) -> Any:
    """The file's YAML, bounded in size, aliases, nodes and depth; ScenarioError otherwise.
    A parent (`via` is `child: extends`) that is not YAML is named, never quoted."""
    shown = _shown(label, top)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):  # a FIFO would wait for a writer
            raise ScenarioError([f"{shown}: not a regular file (a FIFO, socket or device); a scenario is a YAML file"])
        problem = limits.file_size_problem(st.st_size, shown)
        if problem:
            raise ScenarioError([problem])
        with open(path, "rb") as f:
            raw = limits.read_capped(f)
        problem = limits.file_size_problem(max(st.st_size, len(raw)), shown)  # it grew after the stat
        if problem:
            raise ScenarioError([problem])
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{shown}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{shown}: cannot read ({exc.__class__.__name__})"]) from None
    try:
        return _load_bounded(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        if isinstance(exc, yaml.reader.ReaderError):  # a character YAML forbids: no mark, a position
            where, problem = _reader_problem(text, exc)
        if isinstance(exc, _LimitError):
            raise ScenarioError([f"{shown}: (document): {where}YAML limit: {problem}"]) from None
        if via is not None:  # a parent may be any file (a secret): named, never quoted
            raise ScenarioError([f"{via}: {label} is not a scenario file ({where}not valid YAML)"]) from None
        if isinstance(exc, yaml.constructor.ConstructorError):  # well-formed YAML this loader will not build
            raise ScenarioError([f"{shown}: (document): {where}YAML value error: {_constructor_problem(problem)}"]) from None
        raise ScenarioError([f"{shown}: (document): {where}YAML syntax error: {problem}"]) from None
    except RecursionError:  # belt and braces: the nesting limit stops long before this
        raise ScenarioError([f"{shown}: (document): YAML limit: {_Bounds._too_deep()}"]) from None


def builtin_names() -> list[str]:
    return sorted(p.name[:-5] for p in SCENARIO_DIR.iterdir() if p.name.endswith(".yaml"))


def _builtins_hint() -> str:
    return f"built-in scenarios: {', '.join(builtin_names())} (or a path to a .yaml file)"


def _locate(name_or_path: str) -> tuple[Path, str]:
    if name_or_path == "":
        raise ScenarioError([f"(no scenario): the scenario name or path is empty; {_builtins_hint()}"])
    if name_or_path in builtin_names():
        return SCENARIO_DIR / f"{name_or_path}.yaml", name_or_path
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in name_or_path:
        return path, str(path)
    raise ScenarioError([f"unknown scenario {name_or_path!r}; {_builtins_hint()}"])


def scenario_identity(name_or_path: str) -> str:
    """The file a built-in name or a path stands for, resolved: `baseline`, `./baseline.yaml` in
    the scenarios directory and its absolute path are one scenario. ScenarioError if unknown."""
    return _identity(_locate(name_or_path)[0])


def _parent(base: Any, child: Path, where: str) -> tuple[Path, str]:
    """Where `extends: base` points: a built-in name, or a .yaml/.yml path relative to the
    directory of the file that names it."""
    if base in builtin_names():
        return SCENARIO_DIR / f"{base}.yaml", base
    if not isinstance(base, str) or not base.strip():
        got = "an empty name" if base == "" else f"{base!r}"
        raise ScenarioError([f"{where}: must name a scenario, got {got}; {_builtins_hint()}"])
    path = Path(base)
    if path.suffix not in (".yaml", ".yml"):
        raise ScenarioError([f"{where}: {base!r} is neither a built-in scenario nor a .yaml/.yml file; {_builtins_hint()}"])
    return (path if path.is_absolute() else child.parent / path), str(path if path.is_absolute() else child.parent / path)


def _identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def _is_scenario(data: Any) -> bool:
    return isinstance(data, dict) and any(isinstance(k, str) and k in SCENARIO_KEYS for k in data)


# --- where a problem is -------------------------------------------------------------------------
def fmt_loc(loc: tuple) -> str:
    """`events[3].effects[0].target`: list indices in brackets, fields after dots."""
    out = ""
    for x in loc:
        out += f"[{x}]" if isinstance(x, int) else (f".{x}" if out else str(x))
    return out or "(document)"


class Origins:
    """Which file, and which path as written there, each part of a merged scenario came from."""

    def __init__(self, label: str):
        self.top = label
        self.map: dict[tuple, tuple[str, tuple]] = {(): (label, ())}

    def locate(self, loc: tuple) -> tuple[str, tuple]:
        for n in range(len(loc), -1, -1):
            hit = self.map.get(loc[:n])
            if hit is not None:
                return hit[0], hit[1] + loc[n:]
        raise AssertionError("the root always has an origin")

    def at(self, *loc: Any) -> str:
        """`file: path` of a location in the merged scenario."""
        label, written = self.locate(tuple(loc))
        return f"{_shown(label, self.top)}: {fmt_loc(written)}"

    def inherit(self, parent: Origins, data: dict) -> None:
        for k in data:
            self.map[(k,)] = parent.locate((k,))
        self.map.update((p, hit) for p, hit in parent.map.items() if len(p) >= 2)

    def claim(self, path: tuple, label: str) -> None:
        for p in [p for p in self.map if len(p) > len(path) and p[:len(path)] == path]:
            del self.map[p]
        self.map[path] = (label, path)

    def reindex(self, key: str, old: list[int]) -> None:
        """List `key` now holds the items that were at indices `old`, in that order."""
        for i in old:
            self.map[(key, i)] = self.locate((key, i))
        moved = {p: hit for p, hit in self.map.items() if len(p) >= 2 and p[0] == key and isinstance(p[1], int)}
        for p in moved:
            del self.map[p]
        for j, i in enumerate(old):
            self.map.update(((key, j) + p[2:], hit) for p, hit in moved.items() if p[1] == i)


def _merge(base: dict, over: dict, origins: Origins, label: str, path: tuple = ()) -> dict:
    out = dict(base)
    for k, v in over.items():
        here = path + (k,)
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v, origins, label, here)
        else:
            out[k] = v
            origins.claim(here, label)
    return out


def _drop_replaced_distributions(parent: dict, over: dict) -> dict:
    """A child's distribution that names its `kind` replaces the parent's whole (no stale
    fields of another kind); one without `kind` adjusts the parent's fields."""
    params, mine = parent.get("parameters"), over.get("parameters")
    if not isinstance(params, dict) or not isinstance(mine, dict):
        return parent
    params = dict(params)
    for name, par in mine.items():
        dist = par.get("distribution") if isinstance(par, dict) else None
        if isinstance(dist, dict) and "kind" in dist and isinstance(params.get(name), dict):
            params[name] = {k: v for k, v in params[name].items() if k != "distribution"}
    return {**parent, "parameters": params}


def _raw(path: Path, label: str, top: str, seen: tuple[str, ...] = (), via: str | None = None) -> tuple[dict, Origins]:
    """The file's scenario with its `extends` chain merged in, and where each part came from.
    `via` is `child: extends` when this file is a parent: if it is no scenario at all, that is
    the child's problem, said without quoting the file."""
    data = _read_yaml(path, label, top, via)
    shown = _shown(label, top)
    if via is not None and not _is_scenario(data):
        raise ScenarioError([f"{via}: {label} is not a scenario file"])
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise ScenarioError([f"{shown}: (document): a scenario must be a mapping of fields, got {kind}"])
    if not _is_scenario(data):
        raise ScenarioError([f"{shown}: (document): not a scenario file (it has none of the fields of a scenario, "
                             f"such as name, start_quarter, parameters or extends)"])
    origins = Origins(label)
    if "extends" not in data:
        return data, origins
    base = data.pop("extends")
    where = f"{shown}: extends"
    parent_path, parent_label = _parent(base, path, where)
    key = _identity(parent_path)
    if key in seen:
        raise ScenarioError([f"{where}: {base} is this file or one that extends it (allowed: a chain without cycles)"])
    if len(seen) > limits.MAX_EXTENDS_DEPTH:
        raise ScenarioError([f"{where}: the chain of extends is more than {limits.MAX_EXTENDS_DEPTH} scenarios deep "
                             f"(allowed: at most {limits.MAX_EXTENDS_DEPTH})"])
    if not parent_path.is_file():
        raise ScenarioError([f"{where}: {parent_label}: no such file" + ("" if parent_path.exists() else f"; {_builtins_hint()}")])
    parent, parent_origins = _raw(parent_path, parent_label, top, seen + (key,), via=where)
    origins.inherit(parent_origins, parent)
    lists = {key: (data.pop(f"add_{key}", []), data.pop(f"drop_{key}", [])) for key in _SPLICED}
    problems = []
    for key, (extra, drop) in lists.items():
        if not isinstance(extra, list):
            problems.append(f"{shown}: add_{key}: must be a list of {key}")
        if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
            problems.append(f"{shown}: drop_{key}: must be a list of {_SPLICED[key]} ids")
    if problems:
        raise ScenarioError(problems)
    data = _merge(_drop_replaced_distributions(parent, data), data, origins, label)
    data["extends"] = base
    origins.claim(("extends",), label)
    for key, (extra, drop) in lists.items():
        _splice(data, key, extra, drop, origins, label, f"{shown}: drop_{key}", base)
    return data, origins


# Lists a child changes by id rather than replacing: the parent's items less `drop_KEY`, then `add_KEY`.
_SPLICED = {"events": "event", "injects": "inject"}


def _splice(data: dict, key: str, extra: list, drop: list, origins: Origins, label: str, where: str, base: str) -> None:
    items = data.get(key, [])
    if not isinstance(items, list):
        return  # the schema check says what is wrong with it
    ids = {e.get("id") for e in items if isinstance(e, dict)}
    what = _SPLICED[key]
    unknown = [f"{where}[{i}]: {d!r} is not an {what} of {base} (allowed: the ids of its {key})"
               for i, d in enumerate(drop) if d not in ids]
    if unknown:
        raise ScenarioError(unknown)
    kept = [i for i, e in enumerate(items) if not (isinstance(e, dict) and e.get("id") in drop)]
    origins.reindex(key, kept)
    for k in range(len(extra)):
        origins.map[(key, len(kept) + k)] = (label, (f"add_{key}", k))
    data[key] = [items[i] for i in kept] + extra


# --- checking ------------------------------------------------------------------------------------
def _msg(err: dict) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return "unknown field (not part of the schema)"
    return err["msg"].removeprefix("Value error, ")


def _problems_from(exc: ValidationError, at: Any, prefix: tuple = ()) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        msg = _msg(err)
        if any(x in ("pipeline", "packaging_pipeline") for x in loc[-3:-1]):
            msg += " (allowed: [turn ready, amount] pairs of numbers >= 0)"
        lines.append(f"{at(*loc)}: {msg}")
    return lines


def _param_problems(sc: Scenario, at: Any) -> list[str]:
    """Each parameter inside its range, each distribution sound and drawing inside the range."""
    problems: list[str] = []
    dist_bad = set()
    for name, par in sc.parameters.items():
        if par.distribution is not None:
            found = distribution_problems(name, par.value, par.distribution)
            if found:
                dist_bad.add(name)
                for p in found:  # `distribution.FIELD: why`: located where that field was written
                    head, _, why = p.partition(": ")
                    problems.append(f"{at('parameters', name, *head.split('.'))}: {why}")
    value_bad = set()
    try:
        sc.params()
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if not loc:  # the cross-field check: reported below with both names
                continue
            name = loc[0]
            value_bad.add(name)
            if name in dist_bad:
                continue
            if err["type"] == "missing":
                problems.append(f"{at('parameters', name)}: required parameter is missing ({describe(name)})")
            elif err["type"] == "extra_forbidden":
                problems.append(f"{at('parameters', name)}: unknown parameter (not read by the model)")
            elif err["type"] == "value_error":
                problems.append(f"{at('parameters', name, 'value', *loc[1:])}: {_msg(err)}")
            else:
                got, kind = err.get("input"), err["type"]
                what = (f"has {len(got)} items" if kind in ("too_short", "too_long") else
                        f"{got!r} is out of range" if kind in ("greater_than_equal", "less_than_equal") else _msg(err))
                problems.append(f"{at('parameters', name, 'value', *loc[1:])}: {what} (allowed: {describe(name)})")
    ranges: dict[str, tuple[float, float]] = {}
    for name, par in sc.parameters.items():
        if name in dist_bad or name in value_bad or name not in Params.model_fields:
            continue
        lo_hi = None
        if _is_number(par.value):
            lo_hi = (float(par.value), float(par.value))
        if par.distribution is not None and lo_hi is not None:
            lo, hi = support(par.distribution, is_integer_parameter(name))
            allowed = bounds(name)
            if allowed is not None and not allowed[0] <= lo <= hi <= allowed[1]:
                ends = "" if math.isfinite(hi) else "; give it a high bound"
                problems.append(f"{at('parameters', name, 'distribution')}: can draw from {lo:g} to {hi:g}, outside "
                                f"the parameter's range (allowed: {describe(name)}{ends})")
                continue
            lo_hi = (lo, hi)
        if lo_hi is not None:
            ranges[name] = lo_hi
    for name in SCORE_WEIGHTS:
        par = sc.parameters.get(name)
        if par is not None and isinstance(par.value, list) and all(isinstance(v, (int, float)) for v in par.value):
            problem = weights_problem(par.value)
            if problem:
                problems.append(f"{at('parameters', name, 'value')}: {problem}")
    for lesser, greater in ORDERED:
        if lesser in ranges and greater in ranges and ranges[lesser][1] > ranges[greater][0]:
            problems.append(f"{at('parameters', lesser, 'value')}: must not exceed {greater} "
                            f"({ranges[lesser][1]:g} > {ranges[greater][0]:g}, counting any distribution)")
    return problems


def _numbers(value: Any, path: tuple) -> list[tuple[tuple, float]]:
    if isinstance(value, BaseModel):
        return [x for f in type(value).model_fields for x in _numbers(getattr(value, f), path + (f,))]
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _numbers(v, path + (k,))]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _numbers(v, path + (i,))]
    return [(path, value)] if _is_number(value) else []


def _size_problem(x: float) -> str | None:
    if abs(x) > MAX_STATE_NUMBER:
        return f"{x:g} is too large for the model (allowed: at most {MAX_STATE_NUMBER:g} in size)"
    return None


def _state_problems(world: World, tier2: set[str], at: Any, prefix: tuple) -> list[str]:
    """What the state schema allows but the mechanics cannot use: nations outside the roster,
    numbers too large to compound, and positive fields too close to 0."""
    problems = []
    nations = ", ".join(sorted(tier2)) or "none"
    for actor, field in NATION_MAPS:
        for nation in getattr(getattr(world, actor), field):
            if nation not in tier2:
                problems.append(f"{at(*prefix, actor, field, nation)}: not a Tier-2 nation of this scenario (allowed: {nations})")
    for path, x in _numbers(world, ()):
        problem = _size_problem(x)
        if problem:
            problems.append(f"{at(*prefix, *path)}: {problem}")
    states = [((a,), getattr(world, a)) for a in type(world).model_fields if isinstance(getattr(world, a), BaseModel)]
    for path, state in states + [(("tier2", n), t) for n, t in world.tier2.items()]:
        for field in type(state).model_fields:
            if _floor(type(state), field) is not None and getattr(state, field) < MIN_POSITIVE:
                problems.append(f"{at(*prefix, *path, field)}: {getattr(state, field):g} is too small (allowed: at least {MIN_POSITIVE:g})")
    return problems


def _effect_problems(world: World, effects: list[Effect], tier2: set[str], at: Any, loc: tuple,
                     key_name: str = "effects", first: int = 0) -> list[str]:
    """Apply the effects to a probe world; one line per effect that does not fit (effects[first] on)."""
    problems = []
    for j, eff in enumerate(effects, first):
        try:
            owner, field, key, _ = _target(world, eff)
            apply_effect(world, eff)
        except EffectError as exc:
            problems.append(f"{at(*loc, key_name, j, exc.field)}: {exc}")
            continue
        except ValidationError as exc:
            problems += [f"{at(*loc, key_name, j, 'value')}: {_msg(e)}" for e in exc.errors(include_url=False)]
            continue
        new = getattr(owner, field)
        if any(owner is getattr(world, actor) and field == f for actor, f in NATION_MAPS):
            strangers = sorted(({key} if key is not None else set(new)) - tier2)
            if strangers:
                problems.append(f"{at(*loc, key_name, j, 'target')}: {', '.join(strangers)} is not a Tier-2 nation of "
                                f"this scenario (allowed: {', '.join(sorted(tier2))})")
        for _, x in _numbers(new if key is None else new.get(key), ()):
            problem = _size_problem(x)
            if problem:
                problems.append(f"{at(*loc, key_name, j, 'value')}: {problem}")
                break
        floor = _floor(type(owner), field) if key is None else None
        if floor is not None and new < MIN_POSITIVE:
            problems.append(f"{at(*loc, key_name, j, 'value')}: {new:g} is too small for {eff.target} (allowed: at least {MIN_POSITIVE:g})")
    return problems


def _ledger_problems(world: World, before: World, at: Any, loc: tuple, key_name: str = "effects") -> list[str]:
    """An event that adds dies or chips must add them to the ledger too (wargame/integrity.py)."""
    from wargame.integrity import ledger_problems  # lazy: the session imports it too

    return [f"{at(*loc, key_name)}: the effects leave a conserved stock out of balance: {p} "
            f"(allowed: change a stock and its ledger together, e.g. huawei.die_bank with market.cumulative_dies_in)"
            for p in ledger_problems(world, before)]


def _inject_problems(world: World, card: Inject, tier2: set[str], at: Any, loc: tuple) -> list[str]:
    """Play the card on a probe world as a facilitator would (each effect resolved against the
    world as it stands), then its ending: the same checks as an event's, ledgers included."""
    before = world.model_copy(deep=True)
    problems: list[str] = []
    played: list[Effect] = []
    for j, eff in enumerate(card.effects):
        try:
            plain = card_effect(world, eff)
        except EffectError as exc:
            problems.append(f"{at(*loc, 'effects', j, exc.field)}: {exc}")
            continue
        found = _effect_problems(world, [plain], tier2, at, loc, first=j)
        problems += found
        played += [] if found else [plain]
    problems = problems or _ledger_problems(world, before, at, loc)
    if problems or not card.ends:
        return problems
    for j, eff in enumerate(card.ends):
        try:
            plain = ending_effect(eff, played)
        except EffectError as exc:
            problems.append(f"{at(*loc, 'ends', j, exc.field)}: {exc}")
            continue
        problems += _effect_problems(world, [plain], tier2, at, loc, key_name="ends", first=j)
    return problems or _ledger_problems(world, before, at, loc, key_name="ends")


def _check_semantics(sc: Scenario, at: Any) -> list[str]:
    problems = _param_problems(sc, at)
    start = parse_quarter(sc.start_quarter)
    last = start + sc.turns - 1
    if last > LAST_YEAR * 4 + 3:
        problems.append(f"{at('turns')}: {sc.start_quarter} + {sc.turns} turns ends in {format_quarter(last)}, after "
                        f"{LAST_YEAR}Q4 (allowed: at most {LAST_YEAR * 4 + 3 - start + 1} turns from {sc.start_quarter})")
    tier2 = set(sc.tier2)
    if not tier2:
        problems.append(f"{at('initial', 'tier2')}: at least one Tier-2 nation is required (allowed: {', '.join(KNOWN_TIER2)})")
    for nation in sorted(tier2 - set(KNOWN_TIER2)):
        problems.append(f"{at('initial', 'tier2', nation)}: not a known Tier-2 nation (allowed: {', '.join(KNOWN_TIER2)})")
    start_bad = _state_problems(sc.initial, tier2, at, ("initial",))
    problems += start_bad
    world = sc.start_world()
    for i, ev in sorted(enumerate(sc.events), key=lambda e: parse_quarter(e[1].quarter)):
        if not start <= parse_quarter(ev.quarter) <= last:
            problems.append(f"{at('events', i, 'quarter')}: {ev.quarter} is outside the game ({sc.start_quarter} + {sc.turns} turns)")
        before = world.model_copy(deep=True)
        found = _effect_problems(world, ev.effects, tier2, at, ("events", i))
        problems += found or _ledger_problems(world, before, at, ("events", i))
    for i, rev in enumerate(sc.random_events):
        world = sc.start_world()
        found = _effect_problems(world, rev.effects, tier2, at, ("random_events", i))
        problems += found or _ledger_problems(world, sc.start_world(), at, ("random_events", i))
    seen: set[str] = set()
    for key, evs in (("events", sc.events), ("random_events", sc.random_events)):
        for i, ev in enumerate(evs):
            if ev.id in seen:
                problems.append(f"{at(key, i, 'id')}: {ev.id!r} is already the id of another event (ids must be unique)")
            seen.add(ev.id)
    cards: set[str] = set()
    for i, card in enumerate(sc.injects):
        if card.id in seen:  # a played card marks its id as fired, which would stop that event
            problems.append(f"{at('injects', i, 'id')}: {card.id!r} is already the id of an event (an inject's id must differ)")
        elif card.id in cards:
            problems.append(f"{at('injects', i, 'id')}: {card.id!r} is already the id of another inject (ids must be unique)")
        cards.add(card.id)
        if not start_bad:  # a refused start would only echo its problem through the cards
            problems += _inject_problems(sc.start_world(), card, tier2, at, ("injects", i))
    from wargame.moves import KINDS

    for actor, kinds in sc.locks.items():
        if actor not in sc.actors:
            problems.append(f"{at('locks', actor)}: unknown actor (allowed: {', '.join(sc.actors)})")
        for kind in kinds:
            if kind not in KINDS or kind == "pass":
                problems.append(f"{at('locks', actor, kind)}: unknown move kind (allowed: {', '.join(k for k in sorted(KINDS) if k != 'pass')})")
    from policies.registry import policy_problem  # lazy: policies import the game, not the reverse

    for actor, policy in sc.seats.items():
        if actor not in sc.actors:
            problems.append(f"{at('seats', actor)}: unknown actor (allowed: {', '.join(sc.actors)})")
        elif policy_problem(policy, actor):
            problems.append(f"{at('seats', actor)}: {policy_problem(policy, actor)}")
    return problems


def scenario_from_dict(data: dict, label: str, origins: Origins | None = None) -> Scenario:
    """A checked Scenario from merged data; `origins` says which file each part came from."""
    at = (origins or Origins(label)).at
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from(exc, at)) from None
    problems = _check_semantics(sc, at)
    if problems:
        raise ScenarioError(problems)
    return sc


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in name or a YAML path -> a checked Scenario, or ScenarioError listing every problem."""
    path, label = _locate(name_or_path)
    data, origins = _raw(path, label, label, (_identity(path),))
    return scenario_from_dict(data, label, origins)
