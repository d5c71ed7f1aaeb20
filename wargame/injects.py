"""Inject cards: a scenario's library of events a facilitator plays by hand (issue 11).

A card does nothing until it is played. Playing it turns it into plain Events for
`GameSession.inject`, which applies them and writes them to the move log, so the log and its
replays stay the audit trail and the engine needs nothing new:

    schedule = Schedule.for_session(session, [parse_inject_flag("5:TAIWAN-STRAIT", session.scenario)])
    play_with_injects(session, policies, schedule)        # or, before each quarter's orders:
    play_due(session, schedule)                            # plays what is due at this turn

A card that `lasts_quarters` is wound down by a second Event, `<ID>:end`, played that many
quarters later. Its amounts are fixed when the card is played (a `scale` becomes the add it
amounts to then; a `restore` gives exactly that back), and `Schedule.for_session` finds the
endings still owed in a loaded game's move log, so saving mid-crisis loses nothing.

No pygame here: the CLI and the table both use this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from wargame.ids import format_quarter, parse_quarter
from wargame.scenario import Effect, EffectError, Event, Inject, Scenario, apply_effect, card_effect, ending_effect
from wargame.state import World

END_SUFFIX = ":end"
FLAG = "--inject"


class InjectError(ValueError):
    """An unknown card or a bad TURN:ID: one line that names what is allowed."""


def library(scenario: Scenario) -> list[Inject]:
    """The scenario's cards, in file order (historical ones first in the built-ins)."""
    return list(scenario.injects)


def valid_ids(scenario: Scenario) -> str:
    return ", ".join(c.id for c in scenario.injects) or "none (this scenario has no inject cards)"


def find(scenario: Scenario, inject_id: str) -> Inject:
    for card in scenario.injects:
        if card.id == inject_id:
            return card
    raise InjectError(f"unknown inject {inject_id!r}; valid ids: {valid_ids(scenario)}")


def turn_quarter(scenario: Scenario, turn: int) -> str:
    """The quarter turn `turn` (1-based) plays: the start quarter is turn 1."""
    return format_quarter(parse_quarter(scenario.start_quarter) + turn - 1)


def parse_inject_flag(text: str, scenario: Scenario) -> tuple[int, Inject]:
    """`TURN:ID` (e.g. `5:TAIWAN-STRAIT`) -> (turn, card); InjectError naming the flag otherwise."""
    turns = scenario.turns
    span = f"a whole number from 1 to {turns}, for the quarters {scenario.start_quarter} to {turn_quarter(scenario, turns)}"
    head, sep, inject_id = text.partition(":")
    if not sep or not head.strip() or not inject_id.strip():
        example = scenario.injects[0].id if scenario.injects else "ID"
        raise InjectError(f"{FLAG} {text!r}: must be TURN:ID, e.g. {FLAG} 5:{example}, with TURN {span}, and ID one of: "
                          f"{valid_ids(scenario)}")
    head, inject_id = head.strip(), inject_id.strip()
    if not (head.isascii() and head.isdigit()) or not 1 <= int(head) <= turns:
        raise InjectError(f"{FLAG} {text!r}: turn {head!r} is not a turn of {scenario.name} (allowed: {span})")
    try:
        return int(head), find(scenario, inject_id)
    except InjectError as exc:
        raise InjectError(f"{FLAG} {text!r}: {exc}") from None


def _apply(world: World, effects: Iterable[Effect]) -> None:
    for eff in effects:
        apply_effect(world, eff)


def start_event(inject: Inject, quarter: str, world: World) -> Event:
    """The card as the Event played on `world` now (`world` is not changed)."""
    trial = world.model_copy(deep=True)
    played = []
    for eff in inject.effects:  # one at a time: a later effect sees what an earlier one did
        plain = card_effect(trial, eff)
        apply_effect(trial, plain)
        played.append(plain)
    off_date = not inject.hypothetical and inject.date is not None and inject.date != quarter
    description = inject.description + (f" (The record's {inject.date}, replayed in {quarter}.)" if off_date else "")
    return Event(id=inject.id, quarter=quarter, description=description, source=inject.source,
                 hypothetical=inject.hypothetical or off_date, effects=played)  # off its date, it is not the record


def end_event(inject: Inject, start: Event, quarter: str) -> Event:
    """The ending of a card that was played as `start`, to be played in `quarter`."""
    if not inject.ends or inject.lasts_quarters is None:
        raise InjectError(f"inject {inject.id} does not last: it has no ending")
    text = inject.ends_description or f"{inject.title}: over after {inject.lasts_quarters} quarter(s)."
    return Event(id=inject.id + END_SUFFIX, quarter=quarter, description=text, source=inject.source,
                 hypothetical=inject.hypothetical, effects=[ending_effect(e, start.effects) for e in inject.ends])


def to_events(inject: Inject, quarter: str, world: World) -> list[tuple[int, Event]]:
    """(quarters from now, Event): the card to play now on `world` at offset 0 and, if it lasts,
    its ending at offset `lasts_quarters` (each Event's quarter is the one it is played in)."""
    start = start_event(inject, quarter, world)
    out = [(0, start)]
    if inject.lasts_quarters is not None:
        later = format_quarter(parse_quarter(quarter) + inject.lasts_quarters)
        out.append((inject.lasts_quarters, end_event(inject, start, later)))
    return out


class Schedule:
    """Cards to play at given turns (1-based, as in TURN:ID), and the endings they leave owed.

    `due(world)` hands out what to play at the start of the turn `world` is about to order,
    endings first, then new cards, each fixed against the world as the ones before it leave it;
    give each to `session.inject` in that order (`play_due` does)."""

    def __init__(self, plays: Iterable[tuple[int, Inject]] = (), endings: Iterable[tuple[int, Event]] = ()):
        self.plays: list[tuple[int, Inject]] = []
        for turn, inject in plays:
            self.add(turn, inject)
        self.endings: list[tuple[int, Event]] = list(endings)

    @classmethod
    def for_session(cls, session, plays: Iterable[tuple[int, Inject]] = ()) -> Schedule:
        """A schedule for `session` that also owes the endings its move log has not yet played
        (a game saved while a card was running)."""
        return cls(plays, owed_endings(session.scenario, session.moves))

    def add(self, turn: int, inject: Inject) -> None:
        """A card for `turn`; InjectError if it is already there (played twice in one quarter, its
        effects would apply twice: a slip, not a plan)."""
        if any(t == turn and c.id == inject.id for t, c in self.plays):
            raise InjectError(f"{FLAG} {turn}:{inject.id}: this card is already scheduled for turn {turn}; give it once")
        self.plays.append((turn, inject))

    def pending(self) -> list[tuple[int, str]]:
        """(turn, id) of everything not yet handed out, in turn order."""
        return sorted([(t, c.id) for t, c in self.plays] + [(t, e.id) for t, e in self.endings])

    def late(self, turn: int) -> list[tuple[int, Inject]]:
        """Cards scheduled before `turn`, which `due` at `turn` would play late."""
        return [(t, c) for t, c in self.plays if t < turn]

    def due(self, world: World) -> list[Event]:
        """Events to play now, at the start of turn `world.turn + 1` (anything overdue too)."""
        if not self.plays and not self.endings:
            return []  # the usual case: no copy of the world needed
        turn = world.turn + 1
        quarter = format_quarter(world.quarter_index)
        ends = [e for t, e in self.endings if t <= turn]
        self.endings = [(t, e) for t, e in self.endings if t > turn]
        cards = [c for t, c in self.plays if t <= turn]
        self.plays = [(t, c) for t, c in self.plays if t > turn]
        trial = world.model_copy(deep=True)
        out = []
        for ev in ends:
            _apply(trial, ev.effects)
            out.append(ev.model_copy(update={"quarter": quarter}))
        for card in cards:
            pairs = to_events(card, quarter, trial)
            _apply(trial, pairs[0][1].effects)
            out.append(pairs[0][1])
            self.endings += [(turn + offset, ev) for offset, ev in pairs[1:]]
        return out


def owed_endings(scenario: Scenario, moves: list[dict]) -> list[tuple[int, Event]]:
    """(turn, ending) for every lasting card in the move log whose ending is not logged yet; an
    ending logged at or after its turn (late, if the game was played without its schedule) counts."""
    cards = {c.id: c for c in scenario.injects if c.lasts_quarters is not None}
    played: list[tuple[int, Inject, Event]] = []
    ended: list[tuple[str, int]] = []
    for entry in moves:
        logged = entry.get("inject") if isinstance(entry, dict) else None
        if not isinstance(logged, dict):
            continue
        eid = logged.get("id", "")
        if eid.endswith(END_SUFFIX):
            ended.append((eid.removesuffix(END_SUFFIX), entry["turn"]))
        elif eid in cards:
            played.append((entry["turn"], cards[eid], Event.model_validate(logged)))
    out = []
    for turn, card, start in played:
        at = turn + card.lasts_quarters
        match = next((k for k, (eid, t) in enumerate(ended) if eid == card.id and t >= at), None)
        if match is not None:
            del ended[match]
            continue
        try:
            out.append((at, end_event(card, start, turn_quarter(scenario, at))))
        except EffectError as exc:  # a log written with another version of the card
            raise InjectError(f"the move log's {card.id} (turn {turn}) does not fit the scenario's card: {exc}") from None
    return out


def play_due(session, schedule: Schedule) -> list[Event]:
    """Play what `schedule` has due at the session's current turn; returns the Events played.
    Call it at the start of a quarter, before the first seat orders."""
    events = schedule.due(session.world)
    for ev in events:
        session.inject(ev)
    return events


def play_with_injects(session, policies: dict, schedule: Schedule, turns: int | None = None):
    """`wargame.runner.play` with the schedule's cards played before each quarter's orders."""
    from wargame.runner import play_turn

    late = schedule.late(session.world.turn + 1)
    if late:
        t, card = late[0]
        if session.is_over:
            raise InjectError(f"{FLAG} {t}:{card.id}: the game is over (all {session.scenario.turns} turns played); "
                              "no card can be played")
        raise InjectError(f"{FLAG} {t}:{card.id}: turn {t} has already been played (the game is at turn "
                          f"{session.world.turn + 1}; allowed: {session.world.turn + 1}-{session.scenario.turns})")
    left = session.scenario.turns - session.world.turn if turns is None else turns
    for _ in range(left):
        if session.is_over:
            break
        play_due(session, schedule)
        play_turn(session, policies)
    return session
