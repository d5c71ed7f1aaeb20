"""Verified loading: a save is accepted only if replaying its move log from its scenario, seed,
seats and parameter draw reproduces its snapshot exactly.

So an edited stock, a deleted half of the log, an illegal or altered move, another scenario or
seed, junk in the records: each is refused with one line naming the first log entry or snapshot
field where the file and the replay part, and the game that continues is the replayed one.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from wargame.savefile import SaveError
from wargame.scenario import Event, Scenario, apply_effect
from wargame.state import World, canonical_json

if TYPE_CHECKING:
    from wargame.session import GameSession

SNAPSHOT_ORDER = ("world", "phase", "used", "public_moves", "records", "flows")
EDITED = "differs from the replayed game (the file was edited, or made by another model version)"


class ReplayError(ValueError):
    """A move log entry that cannot be replayed: which one, where in the game, and why."""

    def __init__(self, index: int, entry: Any, reason: str):
        self.index = index
        self.turn = entry.get("turn") if isinstance(entry, dict) else None
        self.actor = entry.get("actor") if isinstance(entry, dict) else None
        self.reason = one_line(reason)
        super().__init__(f"move log entry {index} ({self.actor}, turn {self.turn}): {self.reason}")

    @property
    def where(self) -> str:
        """`moves[12] (turn 3, us)`, with what the entry tells of turn and actor."""
        known = ([f"turn {_short(self.turn)}"] if self.turn is not None else []) + \
            ([one_line(str(self.actor), 40)] if self.actor is not None else [])
        return f"moves[{self.index}]" + (f" ({', '.join(known)})" if known else "")


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any) -> str:
    return one_line(canonical_json(value), 60)


def entry_problem(entry: Any, next_turn: int) -> str | None:
    """What is wrong with a log entry's shape ({turn, actor, move}, or a facilitator's
    {turn, actor: facilitator, inject} or {turn, actor: facilitator, seat: {actor, policy}}),
    or None; the move itself is the rules' to judge."""
    if not isinstance(entry, dict):
        return f"must be an object with turn, actor and move (or inject, or seat), got {type(entry).__name__}"
    body = "inject" if "inject" in entry else "seat" if "seat" in entry else "move"
    want = {"turn", "actor", body}
    if set(entry) != want:
        extra, missing = sorted(set(entry) - want), sorted(want - set(entry))
        return "; ".join(([f"unknown field(s) {', '.join(map(str, extra))}"] if extra else [])
                         + ([f"missing {', '.join(missing)}"] if missing else []))
    turn = entry["turn"]
    if not isinstance(turn, int) or isinstance(turn, bool):
        return f"turn: must be an integer, got {_short(turn)}"
    if turn != next_turn:
        return f"turn {turn} is out of order (the replayed game is playing turn {next_turn})"
    if not isinstance(entry["actor"], str):
        return f"actor: must be a string, got {_short(entry['actor'])}"
    if body != "move" and entry["actor"] != "facilitator":
        return f"{'an inject' if body == 'inject' else 'a seat change'} comes from the facilitator, not {entry['actor']!r}"
    if not isinstance(entry[body], dict):
        return f"{body}: must be an object, got {type(entry[body]).__name__}"
    return None


def inject_problem(world: World, event: Event) -> str | None:
    """Which effect of a logged inject does not fit the world (tried on a copy), or None."""
    trial = world.model_copy(deep=True)
    for j, eff in enumerate(event.effects):
        try:
            apply_effect(trial, eff)
        except (KeyError, AttributeError, TypeError):
            return f"effects[{j}].target: {eff.target!r} is not a field of the world state (or {eff.op} does not fit it)"
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            return f"effects[{j}].value: {_short(eff.value)} does not fit {eff.target}: {err['msg']}"
    return None


def _first_difference(saved: Any, replayed: Any, path: str) -> str | None:
    if isinstance(saved, dict) and isinstance(replayed, dict):
        for k in sorted(set(saved) | set(replayed)):
            if k not in saved:
                return f"{path}.{k}: missing from the file (the replayed game has {_short(replayed[k])})"
            if k not in replayed:
                return f"{path}.{k}: not part of the replayed game (the file was edited, or made by another model version)"
            diff = _first_difference(saved[k], replayed[k], f"{path}.{k}")
            if diff:
                return diff
        return None
    if isinstance(saved, list) and isinstance(replayed, list):
        for i, (a, b) in enumerate(zip(saved, replayed, strict=False)):
            diff = _first_difference(a, b, f"{path}[{i}]")
            if diff:
                return diff
        if len(saved) != len(replayed):
            return f"{path}: {len(saved)} entries in the file, {len(replayed)} in the replayed game"
        return None
    if canonical_json(saved) != canonical_json(replayed):
        return f"{path}: {EDITED}: file {_short(saved)}, replayed {_short(replayed)}"
    return None


def snapshot_problem(saved: Any, replayed: dict, n_moves: int) -> str | None:
    """The first place where the file's snapshot and the replayed one part, or None."""
    if not isinstance(saved, dict):
        return "snapshot: must be an object"
    world = saved.get("world")
    at = (world.get("turn") if isinstance(world, dict) else None, saved.get("phase"))
    want = (replayed["world"]["turn"], replayed["phase"])
    if canonical_json(at) != canonical_json(list(want)):
        return (f"moves: the log ({n_moves} entries) replays to turn {want[0]}, phase {want[1]}, but the snapshot "
                f"is at turn {_short(at[0])}, phase {_short(at[1])} (entries were deleted or added, or the snapshot edited)")
    if canonical_json(saved) == canonical_json(replayed):
        return None
    for key in SNAPSHOT_ORDER + tuple(sorted(k for k in saved if k not in SNAPSHOT_ORDER)):
        if key not in saved:
            return f"snapshot.{key}: required field is missing"
        if key not in replayed:
            return f"snapshot.{key}: unknown field (not part of a save file)"
        diff = _first_difference(saved[key], replayed[key], f"snapshot.{key}")
        if diff:
            return diff
    return None


def verified_replay(cls: type[GameSession], scenario: Scenario, data: dict, label: str) -> GameSession:
    """The game replayed from the save's log, if it reproduces the save's snapshot; else
    ReplayError (a log entry that cannot be replayed) or SaveError (the first field that disagrees)."""
    try:
        session = cls.replay(scenario, data["seed"], data["moves"], data["seats"], data.get("param_draw"))
    except ReplayError:
        raise  # GameSession.load names the entry
    except Exception as exc:  # the game could not even start (an untrusted scenario): one line, no traceback
        raise SaveError([f"{label}: the saved game cannot be replayed ({exc.__class__.__name__}: {one_line(exc)})"]) from None
    replayed = json.loads(canonical_json(session.snapshot()))
    problem = snapshot_problem(data["snapshot"], replayed, len(data["moves"]))
    if problem:
        raise SaveError([f"{label}: {problem}"])
    return session
