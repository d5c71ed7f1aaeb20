"""GameSession: the one turn API that the CLI, Monte Carlo, the UI and the tests all drive.

    observe(actor) -> Observation        what that seat may see (fog of war)
    legal_moves(actor) -> [Move]         sorted, unique, each valid now
    submit(actor, move) -> Refusal|None  validate, then apply; a refusal changes nothing
    current_actor / is_over / snapshot() / save(path) / load(path) / replay(...)

Seats order in the initiative order of DESIGN §3; each gives any number of orders (at most
one per kind and target) and ends with `pass`. The last pass of a quarter resolves it.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import ValidationError

from wargame.ids import format_quarter, parse_quarter
from wargame.integrity import ResolutionError, ledger_problems, resolution_problems
from wargame.legal import LazyGenerator, LegalMoves
from wargame.model import EVENTS, OBSERVATION, POLICY, WargameModel, first_output, stream
from wargame.moves import AnyMove, Pass, Refusal, parse_move
from wargame.observation import Observation, observe_lazily
from wargame.sampling import draw_parameters, draw_problems, normalise_draw
from wargame.savefile import SaveError, digest_problem, read_save, write_save
from wargame.scenario import Event, RandomEvent, Scenario, apply_effect
from wargame.state import World, canonical_json, state_hash

MAX_ORDERS_PER_TURN = 16
QUARTER_DICE = 1 << 20  # spawn-key slot of a seat's per-quarter dice (never an order count)


_PLAIN = {str: str, float: float, bool: bool}  # a field's annotation -> the value type dumped as itself


@functools.cache
def _json_fields(cls: type[AnyMove]) -> tuple[tuple[str, type], ...] | None:
    """(field, value type) in dump order, if every field of the move class is a plain str (or a
    Literal of strs), float or bool with no serializer of its own; else None (use pydantic)."""
    decorators = cls.__pydantic_decorators__
    if cls.__pydantic_root_model__ or cls.model_config.get("extra") == "allow" or cls.__pydantic_computed_fields__ \
            or decorators.field_serializers or decorators.model_serializers:
        return None
    out = []
    for name, f in cls.__pydantic_fields__.items():
        t = f.annotation
        if get_origin(t) is Literal and all(type(v) is str for v in get_args(t)):
            t = str
        if t not in _PLAIN or f.alias is not None or f.serialization_alias is not None or f.exclude or f.metadata:
            return None
        out.append((name, _PLAIN[t]))
    return tuple(out)


def move_json(move: AnyMove) -> dict:
    """move.model_dump(mode="json"): a move's str, finite float and bool values are their own JSON
    form, so the dict of a plain move is built without pydantic's serializer (every order is logged,
    some six hundred a game); anything else (an int or NaN in a float field...) goes to pydantic."""
    fields = _json_fields(type(move))
    if fields is not None:
        d = move.__dict__
        out = {}
        for name, t in fields:
            v = d[name]
            if type(v) is not t or (t is float and not math.isfinite(v)):
                break
            out[name] = v
        else:
            if len(d) == len(fields):
                return out
    return move.model_dump(mode="json")


class GameSession:
    def __init__(self, scenario: Scenario, seed: int = 0, seats: dict[str, str] | None = None,
                 sample_params: bool = False, _world: World | None = None, param_draw: dict[str, float] | None = None):
        """`sample_params` draws every parameter that has a distribution from the seed
        (wargame.sampling); `param_draw` instead imposes a known draw (a save's, a replay's)."""
        self.scenario = scenario
        self.seed = int(seed)
        self.seats = {a: (seats or {}).get(a, scenario.seats.get(a, "doctrine")) for a in scenario.actors}
        self.param_draw = self._param_draw(sample_params, param_draw)
        self.model = WargameModel(scenario, self.seed, world=_world, param_overrides=self.param_draw)
        self.moves: list[dict] = []
        self._phase = 0
        self._used: set[tuple[str, str]] = set()
        self._epoch = 0  # bumped by every change, so LegalMoves and vouched moves know they are stale
        self._vouched: dict[int, AnyMove] = {}
        self._views: dict[str, LegalMoves] = {}  # legal(actor)'s
        self._public: list[dict] = []
        if _world is None:
            self._fire_events()

    def _param_draw(self, sample: bool, given: dict[str, float] | None) -> dict[str, float] | None:
        if given is None:
            return draw_parameters(self.scenario, self.seed) if sample else None
        if sample:
            raise ValueError("give sample_params or param_draw, not both")
        problems = draw_problems(self.scenario, given)
        if problems:
            raise ValueError("; ".join(problems))
        return normalise_draw(given)

    # -- reading ---------------------------------------------------------------------------
    @property
    def world(self) -> World:
        return self.model.world

    @property
    def actors(self) -> tuple[str, ...]:
        return self.model.actors

    @property
    def timeline(self) -> list[dict]:
        return self.model.records

    @property
    def quarter(self) -> str:
        return format_quarter(self.world.quarter_index)

    @property
    def is_over(self) -> bool:
        return self.model.world.turn >= self.scenario.turns

    @property
    def current_actor(self) -> str | None:
        model = self.model  # asked several times per order: read the model once
        return None if model.world.turn >= self.scenario.turns else model.actors[self._phase]

    def observe(self, actor: str) -> Observation:
        self._known(actor)
        seed, turn, i = self.seed, self.world.turn, self.actors.index(actor)
        last = self.timeline[-1] if self.timeline else {}
        # that stream's integers(2**63): Lemire's bounded draw over 2**63 is the first output halved
        return observe_lazily(self.world, self.model.params, actor, last, self._public,
                              lambda: stream(seed, OBSERVATION, turn, i), self.quarter,
                              lambda: first_output(seed, POLICY, turn, i, QUARTER_DICE) >> 1)

    def legal_moves(self, actor: str) -> list[AnyMove]:
        self._known(actor)
        if actor != self.current_actor or len(self._used) >= MAX_ORDERS_PER_TURN:
            return [Pass(actor=actor)] if actor == self.current_actor else []
        return self.model.by_id[actor].legal_moves(self.world, self.model.params, self._used)

    def legal(self, actor: str) -> LegalMoves:
        """The legal moves as a lazy sequence with `fit`: what the runner hands a policy."""
        view = self._views.get(actor)
        if view is None:  # one per seat, kept: a view answers for the session as it stands when read
            self._known(actor)
            view = self._views[actor] = LegalMoves(self, actor)
        return view

    def fit(self, actor: str, move: AnyMove) -> AnyMove | None:
        """`move` clamped into the legal bounds now, or None: the same answer as scanning
        legal_moves(actor) for its kind and target, without listing them."""
        return self.fit_first(actor, (move,))

    def fit_first(self, actor: str, moves: Iterable[AnyMove]) -> AnyMove | None:
        """The first of `moves` that fits now, clamped, or None: what `fit` on each in turn gives
        (a doctrine's wanted orders, most important first), with the seat's turn checked once and
        the moves already ordered this quarter passed over without asking the agent (whose fit
        refuses a used key before anything else)."""
        if actor != self.current_actor:
            self._known(actor)  # an unknown actor is never the current one
            return None
        used = self._used
        if len(used) >= MAX_ORDERS_PER_TURN:
            return next((Pass(actor=actor) for m in moves if isinstance(m, Pass)), None)
        model = self.model
        agent, world, params, epoch = model.by_id[actor], model.world, model.params, self._epoch
        for move in moves:
            key = move.key()
            if key in used:
                continue
            fitted = agent.fit(move, world, params, used, epoch, key)
            if fitted is not None:
                return fitted
        return None

    def listed_kinds(self, actor: str) -> list[str]:
        """The kinds other than pass that legal_moves(actor) lists now, sorted."""
        self._known(actor)
        if actor != self.current_actor or len(self._used) >= MAX_ORDERS_PER_TURN:
            return []
        return self.model.by_id[actor].listed_kinds(self.world, self.model.params, self._used, self._epoch)

    def moves_of_kind(self, actor: str, kind: str) -> list[AnyMove]:
        """legal_moves(actor) restricted to one kind (other than pass), in the same order."""
        if kind not in self.listed_kinds(actor):
            return []
        return self.model.by_id[actor].moves_of_kind(kind, self.world, self.model.params, self._used, self._epoch)

    def reseed(self, seed: int) -> None:
        """Key every later draw (adjudication, events, observations, seats' dice) to `seed`:
        a Monte Carlo future forked from this position (`wargame mc --from-save`). The past
        stays as it was; the move log no longer replays from one seed, so such a fork is an
        experiment's run, not a game to save."""
        self.seed = int(seed)
        self.model.seed = int(seed)
        self._changed()

    def _vouch(self, *moves: AnyMove) -> None:
        """These move objects were found legal at this instant; submit may skip re-checking them."""
        for m in moves:
            self._vouched[id(m)] = m

    def _changed(self) -> None:
        """The session moved on: every earlier answer about legality is stale."""
        self._epoch += 1
        self._vouched.clear()

    def policy_rng(self, actor: str):
        """The seat's own dice for its next decision, independent of every other stream and
        keyed by how many orders it has given this quarter, so a resumed quarter continues alike.
        Built on first use (most decisions never roll)."""
        given = len(self._used) if actor == self.current_actor else 0
        key = (self.seed, POLICY, self.world.turn, self.actors.index(actor), given)
        return LazyGenerator(lambda: stream(*key))

    # -- acting ----------------------------------------------------------------------------
    def check(self, actor: str, move: AnyMove | dict) -> tuple[AnyMove | None, Refusal | None]:
        """Parse and validate without applying."""
        if actor == self.current_actor and (self._vouched.get(id(move)) is move or type(move) is Pass and move.actor == actor):
            # this very object was listed or fitted as legal for the seat now ordering since the
            # last change (only the current seat is ever listed or fitted anything), or it is that
            # seat's own pass: every check below would pass (the order cap included: nothing but a
            # pass is listed once it is reached, and a pass is always allowed)
            return move, None
        if not isinstance(move, (dict, AnyMove)):
            return None, Refusal(reason=f"malformed move: expected a move object or dict, got {type(move).__name__}",
                                 allowed="a move object; see legal_moves()")
        if isinstance(move, dict):
            try:
                move = parse_move(move)
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                where = ".".join(str(x) for x in err["loc"])
                return None, Refusal(reason=f"malformed move: {where}: {err['msg']}", allowed="a move object; see legal_moves()")
        if self.is_over:
            return move, Refusal(reason="the game is over", allowed="nothing")
        if actor not in self.actors:
            return move, Refusal(reason=f"unknown actor {actor!r}", allowed=", ".join(self.actors))
        if actor != self.current_actor:
            return move, Refusal(reason=f"it is {self.current_actor}'s turn to order, not {actor}'s", allowed=f"wait for {self.current_actor}")
        if len(self._used) >= MAX_ORDERS_PER_TURN and not isinstance(move, Pass):
            return move, Refusal(reason=f"{MAX_ORDERS_PER_TURN} orders already given this quarter", allowed="pass")
        return move, self.model.by_id[actor].check(move, self.world, self.model.params, self._used)

    def submit(self, actor: str, move: AnyMove | dict) -> Refusal | None:
        """Apply an order, or refuse it and leave the world untouched."""
        move, refusal = self.check(actor, move)
        if refusal is not None:
            return refusal
        assert move is not None
        self._changed()
        model = self.model  # (read once: some six hundred orders a game)
        world = model.world
        entry = {"turn": world.turn + 1, "actor": actor, "move": move_json(move)}
        if isinstance(move, Pass):
            if self._phase + 1 == len(model.actors):
                self._resolve(entry)  # all or nothing: raises ResolutionError and changes nothing
            else:
                self.moves.append(entry)
                self._phase += 1
                self._used = set()
            return None
        self.moves.append(entry)
        model.by_id[actor].apply(move, world, model.params)
        self._used.add(move.key())
        if not move.secret:
            self._public.append({"actor": actor, "move": dict(entry["move"])})
        return None

    def _resolve(self, last_pass: dict) -> None:
        """Adjudicate the quarter and fire the next one's injects, or change nothing.

        The step works on a copy of the world; the session keeps the result only if it passes
        `resolution_problems`, so a failure never leaves a half-resolved quarter behind."""
        model, n = self.model, len(self.model.records)
        before = (model.world, model.flows, model.steps)
        try:
            model.step()
            if not self.is_over:
                self._fire_events()
            problems = resolution_problems(self.world, self.scenario.initial, self.timeline[-1])
            if problems:
                raise ResolutionError("; ".join(problems))
        except BaseException as exc:
            model.world, model.flows, model.steps = before
            del model.records[n:]
            for values in model.datacollector.model_vars.values():
                del values[n:]
            if isinstance(exc, ResolutionError):
                raise ResolutionError(f"{self.quarter} could not be resolved, so the game stays before "
                                      f"{last_pass['actor']}'s pass: {exc}") from None
            if isinstance(exc, Exception):
                raise ResolutionError(f"{self.quarter} could not be resolved, so the game stays before "
                                      f"{last_pass['actor']}'s pass: {exc.__class__.__name__}: {exc}") from exc
            raise
        self.moves.append(last_pass)
        self._phase = 0
        self._used = set()
        self._public = []

    def _fire_events(self) -> None:
        """Injects of the quarter now starting (scripted, then random); seen before ordering."""
        w = self.world
        due = [ev for ev in self.scenario.events
               if parse_quarter(ev.quarter) == w.quarter_index and ev.id not in w.events_fired]
        rng = stream(self.seed, EVENTS, w.turn) if self.scenario.random_events else None
        for rev in self.scenario.random_events:
            draw = rng.random()  # one draw per random event per quarter, fired or not
            if rev.can_fire(w.quarter_index, w.events_fired) and draw < rev.hazard_per_quarter:
                due.append(rev)
        for ev in due:
            self._apply_event(ev)

    def inject(self, ev: Event) -> None:
        """A facilitator's inject, applied now and written to the move log so replays keep it.
        Raises KeyError/ValidationError (and changes nothing) if an effect does not fit, and
        ValueError if it would break a chip ledger (dies or chips appearing from nowhere)."""
        trial = self.world.model_copy(deep=True)
        for eff in ev.effects:
            apply_effect(trial, eff)
        self._changed()
        broken = ledger_problems(trial, self.scenario.initial)
        if broken:
            raise ValueError(f"inject {ev.id}: {broken[0]}; change the matching market.cumulative_* ledger too")
        self.moves.append({"turn": self.world.turn + 1, "actor": "facilitator", "inject": ev.model_dump(mode="json")})
        self._apply_event(ev)

    def set_seat(self, actor: str, policy: str) -> None:
        """Who plays `actor` from now on (a policy name or "human"), written to the move log so
        the audit trail shows when a person took a seat or handed it to a bot. It changes no
        state: replays follow the logged moves, not the seats."""
        from policies.registry import policy_problem

        self._known(actor)
        problem = policy_problem(policy, actor, allow_human=True)
        if problem:
            raise ValueError(problem)
        if self.seats.get(actor) == policy:
            return
        self.seats = {**self.seats, actor: policy}
        self.moves.append({"turn": self.world.turn + 1, "actor": "facilitator", "seat": {"actor": actor, "policy": policy}})

    def _apply_event(self, ev: Event | RandomEvent) -> None:
        for eff in ev.effects:
            apply_effect(self.world, eff)
        self.world.events_fired = self.world.events_fired + [ev.id]
        label = "Hypothetical: " if ev.hypothetical else ""
        self.world.news = self.world.news + [f"{label}{ev.description}" + (f" [{ev.source}]" if ev.source else "")]

    def _known(self, actor: str) -> None:
        if actor not in self.actors:
            raise KeyError(f"unknown actor {actor!r}; actors: {', '.join(self.actors)}")

    # -- persistence -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return {
            "world": self.world.model_dump(mode="json"),
            "phase": self._phase,
            "used": sorted(list(k) for k in self._used),
            "public_moves": list(self._public),
            "records": list(self.timeline),
            "flows": self.model.flows,
        }

    def state_hash(self) -> str:
        return state_hash(self.world)

    def snapshot_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.snapshot()).encode()).hexdigest()

    def save(self, path: str | Path, force: bool = False) -> None:
        """Atomic; `force` may replace a symlink, FIFO or read-only file (wargame/safe_write.py)."""
        write_save(path, {
            "scenario_name": self.scenario.name,
            "scenario": self.scenario.model_dump(mode="json"),
            "seed": self.seed,
            "seats": self.seats,
            "param_draw": self.param_draw,
            "moves": self.moves,
            "snapshot": self.snapshot(),
        }, force)

    @classmethod
    def load(cls, path: str | Path) -> GameSession:
        """The game replayed from the file's move log, accepted only if it reproduces the file's
        snapshot (wargame/verify.py), so nothing in the snapshot is trusted, and if the file's
        digest still matches (an edit the replay cannot see: a seat, a later quarter)."""
        from wargame.verify import ReplayError, verified_replay

        scenario, data = read_save(path)
        try:
            session = verified_replay(cls, scenario, data, str(path))
        except ReplayError as exc:
            raise SaveError([f"{path}: {exc.where}: {exc.reason}"]) from None
        edited = digest_problem(data, str(path))  # last: the replay names a changed move or snapshot field
        if edited:
            raise SaveError([edited])
        return session

    @classmethod
    def replay(cls, scenario: Scenario, seed: int, moves: list[dict], seats: dict[str, str] | None = None,
               param_draw: dict[str, float] | None = None) -> GameSession:
        """Rebuild a game from its scenario, seed, move log (the audit trail) and parameter draw.
        Raises ReplayError (a ValueError) naming the first entry that is malformed, out of turn
        or refused; the log may come from an untrusted file."""
        from wargame.verify import ReplayError, entry_problem, inject_problem, one_line

        s = cls(scenario, seed, seats, param_draw=param_draw)
        for i, entry in enumerate(moves):
            problem = entry_problem(entry, s.world.turn + 1)
            if problem:
                raise ReplayError(i, entry, problem)
            try:
                if "seat" in entry:
                    seat = entry["seat"]
                    if set(seat) != {"actor", "policy"}:
                        raise ReplayError(i, entry, "seat: must be an object with exactly actor and policy")
                    s.set_seat(seat["actor"], seat["policy"])
                    continue
                if "inject" in entry:
                    event = Event.model_validate(entry["inject"])
                    problem = inject_problem(s.world, event)
                    if problem:
                        raise ReplayError(i, entry, f"inject refused: {problem}")
                    s.inject(event)
                    continue
                refusal = s.submit(entry["actor"], entry["move"])
            except ReplayError:
                raise
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                where = ".".join(str(x) for x in err["loc"])
                what = "inject" if "inject" in entry else "move"
                raise ReplayError(i, entry, f"{what} refused: {where}: {err['msg']}") from None
            except Exception as exc:  # a bad inject target, or a quarter that cannot be resolved
                raise ReplayError(i, entry, f"{exc.__class__.__name__}: {one_line(exc)}") from None
            if refusal is not None:
                raise ReplayError(i, entry, str(refusal))
        return s
