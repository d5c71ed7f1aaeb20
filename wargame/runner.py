"""Drive a session with policies: one quarter, or a whole game. Headless; no pygame, no mlflow."""

from __future__ import annotations

from wargame.session import MAX_ORDERS_PER_TURN, GameSession


class PolicyError(RuntimeError):
    """A bot offered a move the rules refuse: a bug in the bot, never silently skipped."""


def make_seats(session: GameSession, overrides: dict[str, str] | None = None) -> dict:
    from policies.registry import make_policy

    names = {**session.seats, **(overrides or {})}
    session.seats = names
    context = {"scenario": session.scenario, "seats": dict(names)}  # public at the table: what lookahead simulates with
    return {actor: make_policy(names[actor], actor, context) for actor in session.actors}


def bot_seats(session: GameSession, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """`overrides` plus the actor's default doctrine for every human seat not overridden: how a
    Monte Carlo future (or an after-action report's bot game) plays a seat a person held."""
    return {**{a: "doctrine" for a, p in session.seats.items() if p == "human"}, **(overrides or {})}


def play_phase(session: GameSession, actor: str, policy) -> None:
    """One seat's orders for the quarter, ending with its pass."""
    obs = session.observe(actor)
    for _ in range(MAX_ORDERS_PER_TURN + 1):
        legal = session.legal(actor)
        move = policy.decide(obs, legal, session.policy_rng(actor))
        refusal = session.submit(actor, move)
        if refusal is not None:
            raise PolicyError(f"{actor} ({policy.name}) offered {move.describe()}: {refusal}")
        if move.kind == "pass":
            return
    raise PolicyError(f"{actor} ({policy.name}) never passed")


def play_turn(session: GameSession, policies: dict) -> dict:
    """Play every seat from wherever the quarter stands; returns the quarter's record."""
    turn = session.world.turn
    while not session.is_over and session.world.turn == turn:
        actor = session.current_actor
        play_phase(session, actor, policies[actor])
    return session.timeline[-1]


def play(session: GameSession, policies: dict, turns: int | None = None) -> GameSession:
    """Play `turns` more quarters (default: to the scenario's end)."""
    left = session.scenario.turns - session.world.turn if turns is None else turns
    for _ in range(left):
        if session.is_over:
            break
        play_turn(session, policies)
    return session
