"""The tabletop: who sits in each seat, whose turn it is, and everything the UI may do to a game.

No pygame here, so it is tested headless. The UI never changes the world except through this
class, and this class never changes it except through GameSession (submit, inject, set_seat),
the same API the bots and the headless runner use. A bot worker thread calls `step_bot`; the
window's loop reads under `lock` so it never sees a half-applied order.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from policies.registry import HUMAN, policy_problem
from wargame.moves import AnyMove, Refusal
from wargame.runner import PolicyError, play_phase
from wargame.scenario import Event
from wargame.session import GameSession

AUTOSAVE_DIR = Path("runs") / "autosave"


@dataclass(frozen=True)
class InjectCard:
    """An inject the facilitator may play: a scripted event not yet fired, or a random one."""

    id: str
    description: str
    hypothetical: bool
    source: str | None
    scripted_quarter: str | None  # when the scenario schedules it (None: a card or a random inject)
    kind: str = "event"  # "card" (the scenario's inject library), "event" (scripted) or "random"
    lasts_quarters: int | None = None


def autosave_path(session: GameSession, stamp: str | None = None) -> Path:
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return AUTOSAVE_DIR / f"{session.scenario.name}-seed{session.seed}-{stamp}.json"


def latest_autosave(directory: Path = AUTOSAVE_DIR) -> Path | None:
    files = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime) if directory.is_dir() else []
    return files[-1] if files else None


class Table:
    def __init__(self, session: GameSession, humans: tuple[str, ...] | set[str] = (), autosave: Path | None = None,
                 facilitator: bool = False):
        """`humans` take their seats now; every other seat keeps the session's bot (a save's
        human seats stay human). `autosave` is written after every quarter and on close."""
        self.session = session
        self.facilitator = facilitator
        self.autosave = autosave
        self.lock = threading.RLock()
        self.paused = False
        self.version = 0  # bumped on every change: views rebuild only when it moves
        self.pending_seats: dict[str, str] = {}
        self.pending_injects: list[InjectCard] = []
        self.notices: list[str] = []
        self.quarters_resolved = 0  # by this table (for --exit-after-turns)
        for actor in humans:
            session.set_seat(actor, HUMAN)
        self._bots: dict[str, object] = {}
        from wargame.injects import Schedule

        self.schedule = Schedule.for_session(session)  # inject cards queued, and the endings they owe

    # -- who plays ---------------------------------------------------------------------------
    def seat(self, actor: str) -> str:
        return self.session.seats[actor]

    @property
    def humans(self) -> list[str]:
        return [a for a in self.session.actors if self.seat(a) == HUMAN]

    def human_turn(self) -> str | None:
        """The human seat that must order now, or None."""
        actor = self.session.current_actor
        return actor if actor is not None and self.seat(actor) == HUMAN else None

    def bot_turn(self) -> str | None:
        actor = self.session.current_actor
        return actor if actor is not None and self.seat(actor) != HUMAN else None

    def take_over(self, actor: str) -> None:
        """A person takes this seat from the next quarter."""
        self._pending(actor, HUMAN)

    def hand_back(self, actor: str, policy: str = "doctrine") -> None:
        """A bot plays this seat from the next quarter."""
        problem = policy_problem(policy, actor)
        if problem:
            raise ValueError(problem)
        self._pending(actor, policy)

    def _pending(self, actor: str, name: str) -> None:
        if actor not in self.session.actors:
            raise KeyError(f"unknown actor {actor!r}; actors: {', '.join(self.session.actors)}")
        with self.lock:
            if self.seat(actor) == name:
                self.pending_seats.pop(actor, None)
            else:
                self.pending_seats[actor] = name
            self._bump()
            self.notices.append(f"{actor}: {name} from the next quarter")

    def _policy(self, actor: str):
        from policies.registry import make_policy

        name = self.seat(actor)
        bot = self._bots.get(actor)
        if bot is None or bot[0] != name:
            bot = (name, make_policy(name, actor, {"scenario": self.session.scenario, "seats": dict(self.session.seats)}))
            self._bots[actor] = bot
        return bot[1]

    # -- play ---------------------------------------------------------------------------------
    def step_bot(self) -> bool:
        """Play the current bot seat's orders for the quarter (ending with its pass); False if
        it is a human's turn, the game is over or the table is paused."""
        with self.lock:
            actor = self.bot_turn()
            if actor is None or self.paused:
                return False
            turn = self.session.world.turn
            try:
                play_phase(self.session, actor, self._policy(actor))
            except PolicyError as exc:
                self.notices.append(str(exc))
                self.paused = True
                raise
            self._after(turn)
            return True

    def submit(self, actor: str, move: AnyMove | dict) -> Refusal | None:
        """A human seat's order, through the same GameSession.submit a bot's goes through."""
        with self.lock:
            if actor not in self.session.actors or self.seat(actor) != HUMAN:
                return Refusal(reason=f"{actor} is not a human seat at this table", allowed=", ".join(self.humans) or "none")
            turn = self.session.world.turn
            refusal = self.session.submit(actor, move)
            if refusal is None:
                self._after(turn)
            return refusal

    def _after(self, turn: int) -> None:
        self._bump()
        if self.session.world.turn != turn:
            self.quarters_resolved += 1
            self._quarter_started()

    def _quarter_started(self) -> None:
        """Between quarters: seat changes and facilitator injects take effect, then autosave."""
        s = self.session
        for actor, name in sorted(self.pending_seats.items()):
            s.set_seat(actor, name)
        self.pending_seats = {}
        injects, self.pending_injects = self.pending_injects, []
        if not s.is_over:
            due = self.schedule.due(s.world)  # library cards (and the endings of lasting ones) first
            for ev in due + [self._event(c) for c in injects if c.kind != "card"]:
                try:
                    s.inject(ev)
                    self.notices.append(f"inject played: {ev.id}")
                except (ValueError, KeyError) as exc:
                    self.notices.append(f"inject {ev.id} refused: {exc}")
        self.save_autosave()

    # -- facilitator --------------------------------------------------------------------------
    def inject_cards(self) -> list[InjectCard]:
        """Scripted events not yet fired, then the random injects that may still fire."""
        s, w = self.session, self.session.world
        cards = [InjectCard(c.id, f"{c.title}: {c.description}", c.hypothetical, c.source, None, "card", c.lasts_quarters)
                 for c in s.scenario.injects]
        cards += [InjectCard(e.id, e.description, e.hypothetical, e.source, e.quarter)
                  for e in s.scenario.events if e.id not in w.events_fired]
        cards += [InjectCard(r.id, r.description, r.hypothetical, r.source, None, "random")
                  for r in s.scenario.random_events if r.repeatable or r.id not in w.events_fired]
        return cards

    def queue_inject(self, inject_id: str) -> None:
        """Play an inject at the start of the next quarter (written to the move log then)."""
        cards = {c.id: c for c in self.inject_cards()}
        if inject_id not in cards:
            raise KeyError(f"unknown inject {inject_id!r}; injects: {', '.join(cards) or 'none left'}")
        with self.lock:
            if inject_id not in [c.id for c in self.pending_injects]:
                self.pending_injects.append(cards[inject_id])
                if cards[inject_id].kind == "card":  # next quarter: the world's turn + 2 while this one is played
                    from wargame.injects import find

                    self.schedule.add(self.session.world.turn + 2, find(self.session.scenario, inject_id))
            self._bump()

    def _event(self, card: InjectCard) -> Event:
        s = self.session
        source = next((e for e in s.scenario.events if e.id == card.id), None) or \
            next(r for r in s.scenario.random_events if r.id == card.id)
        return Event(id=card.id, quarter=s.quarter, description=source.description, source=source.source,
                     hypothetical=source.hypothetical, effects=list(source.effects))

    def set_paused(self, paused: bool) -> None:
        with self.lock:
            self.paused = paused
            self._bump()

    # -- files --------------------------------------------------------------------------------
    def save(self, path: Path | str) -> None:
        """Atomic (a failed save leaves any earlier file intact); raises SaveError or OSError."""
        with self.lock:
            self.session.save(path)

    def save_autosave(self) -> Path | None:
        if self.autosave is None:
            return None
        try:
            self.autosave.parent.mkdir(parents=True, exist_ok=True)
            self.save(self.autosave)
        except (OSError, ValueError) as exc:
            self.notices.append(f"autosave failed: {exc}")
            return None
        return self.autosave

    def _bump(self) -> None:
        self.version += 1


class BotWorker(threading.Thread):
    """Plays bot seats off the window's thread so the loop keeps drawing while bots decide and
    quarters resolve. `pace` seconds pass between quarters (the demo's rhythm)."""

    def __init__(self, table: Table, pace: float = 0.0):
        super().__init__(daemon=True, name="bot-worker")
        self.table, self.pace = table, pace
        self.error: BaseException | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            t = self.table
            if t.paused or t.bot_turn() is None:
                self._halt.wait(0.01)
                continue
            turn = t.session.world.turn
            try:
                t.step_bot()
            except Exception as exc:  # a bot or a quarter that cannot resolve: show it, stop playing
                self.error = exc
                t.notices.append(f"stopped: {exc}")
                t.set_paused(True)
            if self.pace and t.session.world.turn != turn:
                self._halt.wait(self.pace)
            else:
                self._halt.wait(0.001)  # let the window's thread take the lock

    def stop(self) -> None:
        self._halt.set()
