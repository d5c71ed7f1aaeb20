"""A hypothesis state machine over the turn API: legal and mutated orders mixed at random.

Every rule goes through `submit`, exactly as a bot, the UI or a remote client would. A legal
order (from the listed grid, or any number inside an amount's range) must be accepted; a
mutated one (a number one ulp or 1e-9 past a bound, the wrong type, NaN, the wrong actor, an
unknown kind, a missing or extra field, out of turn) must be refused and change nothing. After
every resolved quarter the invariants of test_play hold: the world fits its schema, no NaN, no
negative stocks, shares in [0, 1], the ledgers balance.
"""

from __future__ import annotations

import math

from conftest import SCENARIO_NAMES, scenario
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from test_play import check_invariants

from agents.base import Amount
from wargame import moves as mv
from wargame.session import GameSession

JUNK = st.one_of(
    st.booleans(), st.text(max_size=6), st.binary(max_size=3), st.none(),
    st.sampled_from([math.nan, math.inf, -math.inf]), st.lists(st.integers(), max_size=2),
)


def _amount_range(legal: list, move, name: str) -> tuple[float, float]:
    values = [getattr(m, name) for m in legal if m.key() == move.key()]
    return min(values), max(values)


def _amount_fields(session: GameSession, move) -> list[str]:
    """The move's fields that are continuous amounts (a float Choice, e.g. the export fee, is not)."""
    agent = session.model.by_id[move.actor]
    data = move.model_dump()
    for spec in agent.open_specs(session.world, session.model.params):
        if spec.kind == move.kind and all(data.get(k) == v for k, v in spec.fixed.items()):
            return [k for k, d in spec.fields.items() if isinstance(d, Amount)]
    return []


class TurnMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.s: GameSession | None = None
        self.turn = 0
        self.resolved = 0

    @initialize(name=st.sampled_from(SCENARIO_NAMES), seed=st.integers(0, 2**32 - 1))
    def start(self, name: str, seed: int) -> None:
        self.s = GameSession(scenario(name), seed)
        check_invariants(self.s)

    def _fingerprint(self) -> tuple:
        s = self.s
        return s.snapshot_hash(), len(s.moves), s.current_actor, len(s.timeline)

    def _refused(self, actor: str, move) -> None:
        before = self._fingerprint()
        refusal = self.s.submit(actor, move)
        assert refusal is not None, f"accepted a mutated order from {actor}: {move!r}"
        assert refusal.reason and refusal.allowed
        assert self._fingerprint() == before, f"a refused order changed the session: {move!r}"

    def _accepted(self, actor: str, move) -> None:
        refusal = self.s.submit(actor, move)
        assert refusal is None, f"refused a legal order {move!r}: {refusal}"

    # -- legal play ------------------------------------------------------------------------------
    @precondition(lambda self: self.s is not None and not self.s.is_over)
    @rule(data=st.data())
    def legal_order(self, data) -> None:
        actor = self.s.current_actor
        legal = self.s.legal_moves(actor)
        move = data.draw(st.sampled_from(legal), label="legal")
        numeric = _amount_fields(self.s, move)
        if numeric and data.draw(st.booleans(), label="off-grid"):
            name = data.draw(st.sampled_from(numeric), label="field")
            lo, hi = _amount_range(legal, move, name)
            value = data.draw(st.floats(lo, hi), label="value")
            move = type(move)(**{**move.model_dump(), name: value})
        self._accepted(actor, move)

    @precondition(lambda self: self.s is not None and not self.s.is_over)
    @rule()
    def pass_now(self) -> None:
        actor = self.s.current_actor
        self._accepted(actor, mv.Pass(actor=actor))

    # -- mutated orders ----------------------------------------------------------------------------
    @precondition(lambda self: self.s is not None and not self.s.is_over)
    @rule(data=st.data())
    def amount_past_a_bound(self, data) -> None:
        actor = self.s.current_actor
        legal = self.s.legal_moves(actor)
        numeric = [m for m in legal if _amount_fields(self.s, m)]
        if not numeric:
            return
        move = data.draw(st.sampled_from(numeric), label="move")
        name = data.draw(st.sampled_from(_amount_fields(self.s, move)), label="field")
        lo, hi = _amount_range(legal, move, name)
        value = data.draw(st.sampled_from([
            math.nextafter(lo, -math.inf), lo - 1e-9, lo - 1e-9 * max(1.0, abs(lo)), -1e300,
            math.nextafter(hi, math.inf), hi + 1e-9, hi + 1e-9 * max(1.0, abs(hi)), 1e300,
        ]), label="value")
        self._refused(actor, {**move.model_dump(), name: value})

    @precondition(lambda self: self.s is not None and not self.s.is_over)
    @rule(data=st.data())
    def wrong_type(self, data) -> None:
        actor = self.s.current_actor
        legal = [m for m in self.s.legal_moves(actor) if m.kind != "pass"]
        if not legal:
            return
        move = data.draw(st.sampled_from(legal), label="move")
        fields = [k for k in move.model_dump() if k not in ("kind", "actor")]
        if not fields:
            return
        name = data.draw(st.sampled_from(fields), label="field")
        junk = data.draw(JUNK.filter(lambda j: type(j) is not type(getattr(move, name))), label="junk")
        self._refused(actor, {**move.model_dump(), name: junk})

    @precondition(lambda self: self.s is not None and not self.s.is_over)
    @rule(data=st.data())
    def broken_shape(self, data) -> None:
        actor = self.s.current_actor
        move = data.draw(st.sampled_from(self.s.legal_moves(actor)), label="move")
        body = move.model_dump()
        how = data.draw(st.sampled_from(["actor", "kind", "extra", "drop", "other_seat"]), label="how")
        if how == "actor":
            body["actor"] = data.draw(st.sampled_from([a for a in self.s.actors if a != actor] + ["", "nobody"]))
        elif how == "kind":
            body["kind"] = data.draw(st.text(max_size=12).filter(lambda k: k not in mv.KINDS))
        elif how == "extra":
            body[data.draw(st.sampled_from(["x", "amount", "turn", "secret"]))] = 1.0
        elif how == "drop":  # a field without a default (the actor of a one-actor kind has one)
            required = ["kind"] + [k for k, f in type(move).model_fields.items() if f.is_required()]
            body.pop(data.draw(st.sampled_from(required)))
        else:
            other = data.draw(st.sampled_from([a for a in self.s.actors if a != actor]))
            self._refused(other, mv.Pass(actor=other))
            return
        self._refused(actor, body)

    @precondition(lambda self: self.s is not None and self.s.is_over)
    @rule(data=st.data())
    def after_the_end(self, data) -> None:
        """Once the game is over every order is refused, a pass included."""
        actor = data.draw(st.sampled_from(self.s.actors), label="actor")
        self._refused(actor, mv.Pass(actor=actor))

    # -- invariants --------------------------------------------------------------------------------
    @invariant()
    def quarters_are_sound(self) -> None:
        if self.s is None or self.s.world.turn == self.turn:
            return
        assert self.s.world.turn == self.turn + 1, "a quarter was skipped"
        self.turn = self.s.world.turn
        check_invariants(self.s)


TurnMachine.TestCase.settings = settings(settings.default, max_examples=30, stateful_step_count=400)
test_turn_api_machine = TurnMachine.TestCase
