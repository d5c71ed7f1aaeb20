"""Shared fixtures for the whole suite.

* Every test that asks for `scenario_name` runs once per built-in scenario, and every test
  that asks for `scenario_actor` once per (scenario, actor) pair: the lists come from
  `builtin_names()` and `scenario.actors`, never from a hard-coded roster.
* Hypothesis runs derandomised with a modest example count, so CI is deterministic.
* Finished games are cached per pytest session (`finished` fixture / `finished_game`); each
  call hands out a private pickled copy, so one test cannot spoil another's game.
* Fixtures: scenario_names, scenario, make_session (session + seats via runner.make_seats),
  play_random, seats_all, seats_mixed, copy_session, finished. Test modules may also import
  the plain helpers from this file.
"""

from __future__ import annotations

import functools
import os
import pickle

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from wargame.runner import make_seats, play, play_phase, play_turn  # noqa: E402
from wargame.scenario import builtin_names, load_scenario  # noqa: E402
from wargame.session import GameSession  # noqa: E402

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=40,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SCENARIO_NAMES: list[str] = builtin_names()


@functools.cache
def scenario(name: str):
    """A loaded built-in scenario (frozen, so safe to share)."""
    return load_scenario(name)


def _scenario_actor_pairs() -> list[tuple[str, str]]:
    return [(name, actor) for name in SCENARIO_NAMES for actor in scenario(name).actors]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scenario_name" in metafunc.fixturenames:
        metafunc.parametrize("scenario_name", SCENARIO_NAMES)
    if "scenario_actor" in metafunc.fixturenames:
        pairs = _scenario_actor_pairs()
        metafunc.parametrize("scenario_actor", pairs, ids=[f"{n}-{a}" for n, a in pairs])


# --- plain helpers (also handed out as fixtures) ----------------------------------------------
def new_session(name: str, seed: int = 0, seats: dict[str, str] | None = None) -> tuple[GameSession, dict]:
    """A fresh session of a built-in scenario and its seat policies (`make_seats`)."""
    s = GameSession(scenario(name), seed)
    return s, make_seats(s, seats or {})


def all_seats(name: str, policy: str) -> dict[str, str]:
    return {a: policy for a in scenario(name).actors}


def mixed_seats(name: str) -> dict[str, str]:
    """Doctrine for every other actor in initiative order, random for the rest."""
    return {a: ("doctrine" if i % 2 == 0 else "random") for i, a in enumerate(scenario(name).actors)}


def play_random(session: GameSession, turns: int | None = None) -> GameSession:
    """Play `turns` more quarters (default: to the end) with every seat random."""
    policies = make_seats(session, {a: "random" for a in session.actors})
    return play(session, policies, turns)


def into_a_quarter(name: str, seed: int, seats: dict[str, str], turns: int, phases: int, orders: int,
                   pick=lambda i, n: n // 2) -> GameSession:
    """Play `turns` quarters, then `phases` whole seats, then `orders` orders of the next seat
    (the `pick(i, n)`-th of its n non-pass moves), leaving the session mid-quarter."""
    s, pol = new_session(name, seed, seats)
    play(s, pol, turns)
    for _ in range(phases):
        play_phase(s, s.current_actor, pol[s.current_actor])
    actor = s.current_actor
    for i in range(orders):
        others = [m for m in s.legal_moves(actor) if m.kind != "pass"]
        if others:
            assert s.submit(actor, others[pick(i, len(others))]) is None
    return s


def clone(session: GameSession) -> GameSession:
    return pickle.loads(pickle.dumps(session))


@functools.cache
def _finished(name: str, seed: int, seats: tuple[tuple[str, str], ...]) -> GameSession:
    s, pol = new_session(name, seed, dict(seats))
    return play(s, pol)


def finished_game(name: str, seed: int, seats: dict[str, str] | None = None) -> GameSession:
    """A cached finished game; a private copy each time, so a test cannot spoil another's."""
    return clone(_finished(name, seed, tuple(sorted((seats or {}).items()))))


def play_turns_with_hook(session: GameSession, policies: dict, hook) -> None:
    """Play to the end, calling hook(session) after every resolved quarter."""
    while not session.is_over:
        play_turn(session, policies)
        hook(session)


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def scenario_names() -> list[str]:
    return list(SCENARIO_NAMES)


@pytest.fixture(scope="session", name="scenario")
def _scenario():
    """scenario(name) -> the built-in Scenario, loaded once."""
    return scenario


@pytest.fixture(scope="session", name="make_session")
def _make_session():
    """make_session(name, seed=0, seats=None) -> (session, {actor: policy}) via runner.make_seats."""
    return new_session


@pytest.fixture(scope="session")
def seats_all():
    """seats_all(name, policy) -> {actor: policy} for every actor of the scenario."""
    return all_seats


@pytest.fixture(scope="session")
def seats_mixed():
    return mixed_seats


@pytest.fixture(scope="session", name="play_random")
def _play_random():
    """play_random(session, turns=None): every seat random, from wherever the game stands."""
    return play_random


@pytest.fixture(scope="session")
def copy_session():
    """copy_session(session) -> an independent pickled copy."""
    return clone


@pytest.fixture(scope="session")
def finished():
    """finished(name, seed, seats=None) -> a finished game (a private copy of a cached one)."""
    return finished_game
