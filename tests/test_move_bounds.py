"""Every amount of every actor's moves, probed at its bounds: on a bound is legal, one ulp or
1e-9 past it is refused, and a number must be a number (no True, "1.5" or b"1").

The probes come from the actors' own specs (the same source as legal_moves), at the start of
each built-in scenario and again a few quarters in, so a new move or a new bound is probed
without editing this file.
"""

from __future__ import annotations

import functools
import math
import pickle

import pytest
from conftest import all_seats, new_session, scenario
from pydantic import ValidationError

from agents.base import Amount
from wargame import moves as mv
from wargame.runner import play

PAST = (  # (label, how far past a bound, outwards)
    ("1 ulp", lambda b, out: math.nextafter(b, out * math.inf)),
    ("1e-9", lambda b, out: b + out * 1e-9),
    ("1e-9 relative", lambda b, out: b + out * 1e-9 * max(1.0, abs(b))),
)
NOT_NUMBERS = (True, False, "1.5", "0", b"1", None, [1.0], {"v": 1.0}, math.nan, math.inf, -math.inf)


@functools.cache
def _seat_blob(name: str, actor: str, turns: int) -> bytes:
    """A session `turns` quarters in (doctrine play), with every seat before `actor` passed."""
    s, pol = new_session(name, 11, all_seats(name, "doctrine"))
    play(s, pol, turns)
    while s.current_actor != actor:
        assert s.submit(s.current_actor, mv.Pass(actor=s.current_actor)) is None
    return pickle.dumps(s)


def at_seat(name: str, actor: str, turns: int):
    return pickle.loads(_seat_blob(name, actor, turns))


def probes(s, actor: str) -> list[tuple[object, str, Amount, dict]]:
    """(spec, field, amount, a legal body with every field on its lower bound) per open amount."""
    agent = s.model.by_id[actor]
    out = []
    for spec in agent.open_specs(s.world, s.model.params):
        if spec.unavailable:
            continue
        base = {n: d.grid()[0] for n, d in spec.fields.items()}
        for name, domain in spec.fields.items():
            if isinstance(domain, Amount):
                body = {**spec.fixed, **base, "kind": spec.kind, "actor": actor}
                out.append((spec, name, domain, body))
    return out


def accepted(name: str, actor: str, turns: int, body: dict) -> bool:
    s = at_seat(name, actor, turns)
    before = s.snapshot_hash()
    refusal = s.submit(actor, body)
    if refusal is not None:
        assert s.snapshot_hash() == before, f"a refused move changed the session: {body}"
    return refusal is None


def _names() -> list[str]:
    from wargame.scenario import builtin_names

    return builtin_names()


CASES = [(n, a, t) for n in _names() for a in scenario(n).actors for t in (0, 5)]


@pytest.mark.parametrize("name,actor,turns", CASES, ids=[f"{n}-{a}-t{t}" for n, a, t in CASES])
def test_bounds_are_exact(name, actor, turns):
    s = at_seat(name, actor, turns)
    found = probes(s, actor)
    for spec, field, amount, body in found:
        where = f"{name} {actor} turn {turns} {spec.kind}.{field} in [{amount.lo!r}, {amount.hi!r}]"
        for bound in {amount.lo, amount.hi}:
            assert accepted(name, actor, turns, {**body, field: bound}), f"{where}: the bound {bound!r} itself is refused"
        for label, step in PAST:
            for bound, out in ((amount.lo, -1), (amount.hi, 1)):
                past = step(bound, out)
                assert past != bound
                assert not accepted(name, actor, turns, {**body, field: past}), f"{where}: {past!r} ({label} past) accepted"
            if amount.hi - amount.lo > 1e-6:
                for bound, inward in ((amount.lo, 1), (amount.hi, -1)):
                    inside = step(bound, inward)
                    assert accepted(name, actor, turns, {**body, field: inside}), f"{where}: {inside!r} ({label} inside) refused"


@pytest.mark.parametrize("name,actor,turns", CASES[::2], ids=[f"{n}-{a}" for n, a, _ in CASES[::2]])
def test_amounts_must_be_numbers(name, actor, turns):
    s = at_seat(name, actor, turns)
    for spec, field, _amount, body in probes(s, actor):
        for junk in NOT_NUMBERS:
            s = at_seat(name, actor, turns)
            before = s.snapshot_hash()
            refusal = s.submit(actor, {**body, field: junk})
            assert refusal is not None, f"{spec.kind}.{field}={junk!r} accepted"
            assert field in refusal.reason, refusal.reason
            assert s.snapshot_hash() == before
            with pytest.raises(ValidationError):
                spec.cls(**{k: v for k, v in body.items() if k != "kind"} | {field: junk})


def test_every_actor_has_an_amount_probed():
    """The probes above are not vacuous: each core actor and every Tier-2 nation has amounts."""
    name = "baseline"
    for actor in scenario(name).actors:
        kinds = {spec.kind for spec, *_ in probes(at_seat(name, actor, 0), actor)}
        if actor in ("us", "china", "nvidia", "huawei", "smic", "asml", "smugglers"):
            assert kinds, f"{actor} has no amount to probe"
    assert {spec.kind for spec, *_ in probes(at_seat(name, "india", 0), "india")} == {"build_datacentres"}


def test_flags_and_choices_are_strict():
    s = at_seat("baseline", "us", 0)
    for junk in (1, 0, "true", "yes", None):
        refusal = s.submit("us", {"kind": "set_cloud_kyc", "actor": "us", "enabled": junk})
        assert refusal is not None and "enabled" in refusal.reason
    for junk in (1, True, b"ban_all", None):
        refusal = s.submit("us", {"kind": "set_threshold", "actor": "us", "level": junk})
        assert refusal is not None and "level" in refusal.reason
