"""What every actor agent shares: move specs, legal-move listing, validation with reasons.

An agent never decides; it says which moves its actor may make now (`specs`) and applies an
accepted one (`apply`). Each spec is a move kind with fixed targets and a domain per field:
a `Choice` (discrete) or an `Amount` (bounded number). Listing and validation both come from
the same specs, so what is listed is exactly what validates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import mesa

from wargame.moves import KINDS, AnyMove, Pass, Refusal
from wargame.params import Params
from wargame.state import World


# Specs and their domains are rebuilt after every order (a few thousand per game): their
# constructors write the instance dict directly, which a frozen dataclass's own __init__ does
# through object.__setattr__ one field at a time. Equality, hashing, repr and immutability are
# still the dataclass's.
@dataclass(frozen=True, init=False)
class Choice:
    values: tuple
    why: str = ""

    def __init__(self, values: tuple, why: str = ""):
        d = self.__dict__
        d["values"] = values
        d["why"] = why

    def contains(self, v: Any) -> bool:
        return any(isinstance(v, bool) == isinstance(x, bool) and v == x for x in self.values)

    def grid(self) -> tuple:
        return self.values

    @property
    def empty(self) -> bool:
        return not self.values

    def describe(self) -> str:
        vals = ", ".join(str(v) for v in self.values)
        return f"one of {vals}" + (f" ({self.why})" if self.why else "")


@dataclass(frozen=True, init=False)
class Amount:
    lo: float
    hi: float
    unit: str
    why: str = ""
    points: int = 5

    def __init__(self, lo: float, hi: float, unit: str, why: str = "", points: int = 5):
        d = self.__dict__
        d["lo"] = lo
        d["hi"] = hi
        d["unit"] = unit
        d["why"] = why
        d["points"] = points

    def contains(self, v: Any) -> bool:
        """A finite number within the bounds, with no tolerance: a value past a bound by any
        amount would let the world break its own schema (a negative stock, a share above 1)."""
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return False
        return self.lo <= v <= self.hi

    empty = False  # an amount always lists at least its lower bound

    def grid(self) -> tuple:
        """The bounds themselves plus short, rounded points strictly between them."""
        if self.hi <= self.lo:
            return (float(self.lo),)
        step = (self.hi - self.lo) / (self.points - 1)
        inner = {_tidy(self.lo + i * step) for i in range(1, self.points - 1)}
        return tuple(sorted({float(self.lo), float(self.hi)} | {x for x in inner if self.lo < x < self.hi}))

    def describe(self) -> str:
        return f"{_tidy(self.lo)}..{_tidy(self.hi)} {self.unit}" + (f" ({self.why})" if self.why else "")


def _tidy(x: float) -> float:
    """Round to six significant figures so listed amounts stay short."""
    return float(f"{x:.6g}")


_NEW = object()  # "not given": a fresh dict, as the dataclass's default_factory made


@dataclass(frozen=True, init=False)
class Spec:
    """One move kind the actor may make, with its fixed targets and each field's domain."""

    cls: type[AnyMove]
    fixed: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    unavailable: str | None = None

    def __init__(self, cls: type[AnyMove], fixed: Any = _NEW, fields: Any = _NEW, unavailable: str | None = None):
        d = self.__dict__
        d["cls"] = cls
        d["fixed"] = {} if fixed is _NEW else fixed
        d["fields"] = {} if fields is _NEW else fields
        d["unavailable"] = unavailable
        d["kind"] = _KIND_OF[cls]  # the move kind (read often; not a field, so not in eq or repr)

    kind: ClassVar[str]


_KIND_OF: dict[type[AnyMove], str] = {cls: kind for kind, cls in KINDS.items()}  # a dict: read per spec built

Builder = Callable[["ActorAgent", World, Params, "str | None"], "list[Spec]"]


def builds(cls: type[AnyMove]) -> Callable[[Builder], Builder]:
    """Mark an agent method as the builder of `cls`'s specs: `method(self, world, p, target)`
    returns them in a fixed order and, when `target` is a str, only those aimed at that target
    (`aimed`), so that fitting one wanted move builds its own spec and no other."""
    def mark(method: Builder) -> Builder:
        method.builds_kind = _KIND_OF[cls]  # type: ignore[attr-defined]
        return method
    return mark


def _lists_something(spec: Spec) -> bool:
    """No field of the spec has an empty domain (one that does lists no move at all)."""
    for d in spec.fields.values():
        if d.empty:
            return False
    return True


def _aimed_at(spec: Spec, target: str | None) -> bool:
    """Whether `aimed` keeps this spec: no target asked for, a kind without targets, or its own."""
    tf = spec.cls.target_field
    return target is None or tf is None or str(spec.fixed[tf]) == target


def aimed(targets: Iterable[str], target: str | None) -> Iterable[str]:
    """`targets`, or only those equal to `target` when one is given (the key fit asks about)."""
    return targets if target is None else [t for t in targets if t == target]


class ActorAgent(mesa.Agent):
    """A Mesa agent for one actor; its state lives in the model's World under its id."""

    actor_id: str = ""
    builders: ClassVar[dict[str, Builder]] = {}  # kind -> its `@builds` method, in definition order

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        cls.builders = {**cls.builders, **{m.builds_kind: m for m in vars(cls).values() if hasattr(m, "builds_kind")}}

    def __init__(self, model: mesa.Model, actor_id: str | None = None):
        super().__init__(model)
        if actor_id is not None:
            self.actor_id = actor_id

    # -- to be provided by each actor: `@builds` methods and apply --------------------------
    def specs(self, world: World, p: Params, kind: str | None = None, target: str | None = None) -> list[Spec]:
        """Every spec, in a fixed order (the builders'); with `kind`, only that kind's (in the same
        order), and with a `target` as well only those aimed at it, so that fitting one wanted
        move does not build the other twenty specs."""
        if kind is not None:
            build = self.builders.get(kind)
            return [] if build is None else build(self, world, p, target)
        out: list[Spec] = []
        for build in self.builders.values():
            out += build(self, world, p, None)
        return out

    def apply(self, move: AnyMove, world: World, p: Params) -> None:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------------
    def open_specs(self, world: World, p: Params, token: object = None, kind: str | None = None,
                   target: str | None = None) -> list[Spec]:
        """The actor's specs (only those of `kind` if given, and of those only the ones aimed at
        `target` if that is given too), with any kind the scenario locks (a policy assumption)
        closed. With a `token` (the session's change counter) the answer is reused until it changes."""
        memo = getattr(self, "_specs_memo", None)
        if token is None or memo is None or memo[0] != token or memo[1] is not world:
            memo = None
        elif memo[2] is not None:
            return memo[2] if kind is None else [s for s in memo[2] if s.kind == kind and _aimed_at(s, target)]
        elif kind is not None and (kind, target) in memo[3]:
            return memo[3][kind, target]
        locked = self._locked(world.quarter_index)
        specs = self.specs(world, p, kind, target)
        if locked:
            specs = [Spec(s.cls, s.fixed, s.fields, locked[s.kind]) if s.kind in locked else s for s in specs]
        if token is not None:
            if memo is None:
                memo = self._specs_memo = (token, world, None, {})
            if kind is None:
                self._specs_memo = (token, world, specs, memo[3])
            else:
                memo[3][kind, target] = specs
        return specs

    def _locked(self, quarter_index: int) -> dict[str, str]:
        """The kinds the scenario locks in this quarter, with why: the (frozen) scenario's locks
        change only with the quarter, so the answer is kept until the quarter moves on."""
        scenario = self.model.scenario
        memo = getattr(self, "_locks_memo", None)
        if memo is None or memo[0] != quarter_index or memo[1] is not scenario:
            locked = {k: f"locked by the scenario: {lock.reason}" for k, lock in scenario.locks.get(self.actor_id, {}).items()
                      if lock.active(quarter_index)}
            memo = self._locks_memo = (quarter_index, scenario, locked)
        return memo[2]

    def state(self, world: World):
        return world.actor_state(self.actor_id)

    def _build(self, spec: Spec, values: dict) -> AnyMove:
        return spec.cls(**spec.fixed, **values, actor=self.actor_id)

    def _listed_specs(self, world: World, p: Params, used: set[tuple[str, str]], token: object = None) -> list[Spec]:
        """Specs that list at least one move now (open, every field has a value, not yet ordered).
        With a `token`, the answer (and its sorted kinds) is kept for that token, world and `used`:
        a random seat asks for the kinds and then for one kind's moves."""
        return self._listed(world, p, used, token)[0]

    def _listed(self, world: World, p: Params, used: set[tuple[str, str]], token: object) -> tuple[list[Spec], list[str]]:
        memo = getattr(self, "_listed_memo", None)
        if token is not None and memo is not None and memo[0] == token and memo[1] is world and memo[2] == used:
            return memo[3]
        out = []
        for spec in self.open_specs(world, p, token):
            if spec.unavailable or not _lists_something(spec):
                continue
            tf = spec.cls.target_field
            if (spec.kind, str(spec.fixed[tf]) if tf in spec.fixed else "") in used:
                continue
            out.append(spec)
        answer = (out, sorted({s.kind for s in out}))
        if token is not None:
            self._listed_memo = (token, world, frozenset(used), answer)
        return answer

    def listed_kinds(self, world: World, p: Params, used: set[tuple[str, str]], token: object = None) -> list[str]:
        """The kinds (other than pass) that legal_moves would list, sorted."""
        return list(self._listed(world, p, used, token)[1])

    def moves_of_kind(self, kind: str, world: World, p: Params, used: set[tuple[str, str]],
                      token: object = None) -> list[AnyMove]:
        """legal_moves restricted to one kind, in the same order, without building the others."""
        specs = [s for s in self._listed_specs(world, p, used, token) if s.kind == kind]
        return self._list(specs, used)

    def legal_moves(self, world: World, p: Params, used: set[tuple[str, str]], token: object = None) -> list[AnyMove]:
        """Sorted, unique moves that validate now; always includes `pass`."""
        return self._list(self.open_specs(world, p, token), used, with_pass=True)

    def _list(self, specs: list[Spec], used: set[tuple[str, str]], with_pass: bool = False) -> list[AnyMove]:
        out: dict[str, AnyMove] = {}
        for spec in specs:
            if spec.unavailable:
                continue
            names = list(spec.fields)
            for combo in itertools.product(*(spec.fields[n].grid() for n in names)):
                move = self._build(spec, dict(zip(names, combo, strict=True)))
                if move.key() in used:
                    continue
                out[move.model_dump_json()] = move
        if with_pass:
            pass_move = Pass(actor=self.actor_id)
            out[pass_move.model_dump_json()] = pass_move
        return [out[k] for k in sorted(out)]

    def fit(self, move: AnyMove, world: World, p: Params, used: set[tuple[str, str]], token: object = None,
            key: tuple[str, str] | None = None) -> AnyMove | None:
        """The move with each amount clamped into its legal range, or None if no move of its kind
        and target may be made now: exactly what scanning `legal_moves` for the same key would
        give (tests/conformance/test_fit.py), without building every listed move. `key` is
        move.key(), if the caller has it already."""
        if key is None:
            key = move.key()
        if key in used:
            return None
        if isinstance(move, Pass):
            return Pass(actor=move.actor)
        matching = []  # (loops, not comprehensions: this runs for every order a doctrine gives)
        for spec in self.open_specs(world, p, token, key[0], key[1] if move.target_field else None):  # its target's
            if not spec.unavailable and _lists_something(spec):
                matching.append(spec)
        if not matching:
            return None
        one = len(matching) == 1
        data = None  # the move's fields, copied when the first one is clamped
        for name, value in move.__dict__.items():
            if name == "kind" or name == "actor":
                continue
            listed, domains = [], []  # what legal_moves lists for the field: the fixed values, then the domains'
            for s in matching:
                if name in s.fixed:
                    listed.append(s.fixed[name])
            for s in matching:
                if name in s.fields:
                    domains.append(s.fields[name])
            if one and len(domains) == 1 and isinstance(domains[0], Amount):
                a = domains[0]  # its grid runs from lo to hi (or is lo alone): clamp without building it
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    return None
                if value not in (a.lo, a.hi) and not a.lo <= value <= a.hi or not a.hi > a.lo and value != a.lo:
                    data = dict(move.__dict__) if data is None else data
                    data[name] = float(min(max(value, a.lo), a.hi if a.hi > a.lo else a.lo))
                continue
            for d in domains:
                listed += d.grid()
            if not listed and not domains:  # no spec fixes or bounds the field: its default
                listed = [type(move).model_fields[name].default]
            if value in listed:
                continue
            if listed and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in [*listed, value]):
                data = dict(move.__dict__) if data is None else data
                data[name] = float(min(max(value, min(listed)), max(listed)))
            else:
                return None
        return move if data is None else type(move)(**data)

    def check(self, move: AnyMove, world: World, p: Params, used: set[tuple[str, str]], token: object = None) -> Refusal | None:
        """None if the move may be applied now, else what is wrong and what is allowed."""
        if move.actor != self.actor_id:
            return Refusal(reason=f"move is for {move.actor!r}, not {self.actor_id!r}", allowed=f"actor={self.actor_id}")
        if isinstance(move, Pass):
            return None
        specs = self.open_specs(world, p, token)
        kinds = sorted({s.kind for s in specs if not s.unavailable} | {"pass"})
        same_kind = [s for s in specs if s.kind == move.kind]
        if not same_kind:
            return Refusal(reason=f"{self.actor_id} has no move {move.kind!r}", allowed="kinds: " + ", ".join(kinds))
        if move.key() in used:
            return Refusal(reason=f"{move.kind} already ordered this quarter" + (f" for {move.key()[1]}" if move.key()[1] else ""),
                           allowed="one such order per quarter; kinds: " + ", ".join(kinds))
        data = move.model_dump()
        spec = next((s for s in same_kind if all(data.get(k) == v for k, v in s.fixed.items())), None)
        if spec is None:
            field_name = next(iter(same_kind[0].fixed))
            options = sorted(str(s.fixed[field_name]) for s in same_kind)
            return Refusal(reason=f"{move.kind}: {field_name}={data.get(field_name)!r} is not a valid target",
                           allowed=f"{field_name}: one of {', '.join(options)}")
        if spec.unavailable:
            return Refusal(reason=f"{move.kind} is not available now: {spec.unavailable}", allowed="kinds: " + ", ".join(kinds))
        for name, domain in spec.fields.items():
            if not domain.contains(data[name]):
                return Refusal(reason=f"{move.kind}: {name}={data[name]!r} is out of bounds", allowed=f"{name}: {domain.describe()}")
        return None
