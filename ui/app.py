"""`wargame play`: the window, its event loop, and which screen is showing.

The loop never waits for the game: bots play on a worker thread (ui/table.py), and each frame
only reads what changed. It records how long every frame's own work took, so
benchmarks/ui_frame.py can report frame times and the longest block of the loop.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pygame

from ui import theme
from wargame.integrity import ResolutionError
from wargame.runner import PolicyError
from wargame.verify import one_line


@dataclass
class PlayConfig:
    scenario: str | None = None
    humans: list[str] = field(default_factory=list)
    seats: dict[str, str] = field(default_factory=dict)
    seed: int = 0
    load: Path | None = None
    facilitator: bool = False
    demo: bool = False
    size: tuple[int, int] = (1280, 800)
    screenshot_dir: Path | None = None
    exit_after_turns: int | None = None
    pace: float | None = None  # seconds between quarters when bots play on (default: 1.5 in a demo, 0 otherwise)
    setup: bool = False  # show the setup screen first
    max_frames: int | None = None  # tests: stop after this many frames
    start_paused: bool = False  # tests: bots wait until the table is resumed


class App:
    def __init__(self, config: PlayConfig):
        from ui.order_form import make_manager

        self.t0 = time.perf_counter()
        self.config = config
        self.size = config.size
        pygame.display.init()  # not pygame.init(): a table needs no sound, and a machine may have no audio device
        pygame.font.init()
        pygame.display.set_caption("Chip-war wargame")
        self.surface = pygame.display.set_mode(self.size)
        self.manager = make_manager(self.size)
        self.clock = pygame.time.Clock()
        self.running = True
        self.screen = None
        self.frame_ms: list[float] = []
        self.first_frame_s: float | None = None
        self.shots: set[tuple[str, str]] = set()
        self.shot_count = 0
        self.exit_message = ""  # for stdout when the table closes: where the game was saved
        self.exit_error = ""  # for stderr: why the table quit on its own before the game could go on
        self.shots_failed = False  # a screenshot could not be written: warned once, no more tried
        self.events_seen = 0
        self.closed = False

    # -- screens ------------------------------------------------------------------------------
    def _switch(self, screen) -> None:
        if self.screen is not None:
            self.screen.kill()
        self.screen = screen

    def show_setup(self) -> None:
        from ui.setup_screen import SetupScreen

        c = self.config
        self._switch(SetupScreen(self, c.scenario or "baseline", {**c.seats, **{a: "human" for a in c.humans}}, c.seed))

    def start_game(self, session, humans: list[str] | tuple[str, ...] = (), facilitator: bool = False) -> None:
        from ui.game_screen import GameScreen
        from ui.table import Table, autosave_path

        table = Table(session, humans=humans, autosave=autosave_path(session), facilitator=facilitator)
        table.paused = self.config.start_paused
        pace = self.config.pace if self.config.pace is not None else (1.5 if self.config.demo else 0.0)
        self._switch(GameScreen(self, table, pace))

    def load_game(self, path: Path, facilitator: bool) -> None:
        from wargame.savefile import SaveError
        from wargame.session import GameSession

        try:
            session = GameSession.load(path)
        except (SaveError, OSError, ValueError) as exc:
            if hasattr(self.screen, "message"):
                self.screen.message = f"cannot load {path}: {exc}"
            return
        self.start_game(session, facilitator=facilitator)

    def game_over(self, table) -> None:
        from ui.results_screen import ResultsScreen

        self._switch(ResultsScreen(self, table))

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> int:
        try:
            while self.running:
                dt = self.clock.tick(60)
                self.frame(pygame.event.get(), dt / 1000.0)
        finally:
            self.close()  # a window closed, --exit-after-turns, or Ctrl-C: the game is saved where it stands
        return 1 if self.exit_error else 0

    def frame(self, events: list[pygame.event.Event], dt: float = 1 / 60) -> None:
        """One pass of the loop: input, the game's progress, drawing; its own time is recorded."""
        start = time.perf_counter()
        for event in events:
            self.events_seen += 1
            if event.type == pygame.QUIT:
                self.running = False
                return
            self.screen.handle(event)
            self.manager.process_events(event)
        self.screen.update()
        self.manager.update(dt)
        self.draw()
        self.frame_ms.append(1000 * (time.perf_counter() - start))
        if self.first_frame_s is None:
            self.first_frame_s = time.perf_counter() - self.t0
        self._screenshot()
        self._check_exit()

    def draw(self) -> None:
        self.screen.draw(self.surface, int(1000 * (time.perf_counter() - self.t0)))
        self.manager.draw_ui(self.surface)
        pygame.display.flip()

    def _table(self):
        return getattr(self.screen, "table", None)

    def _unattended(self) -> bool:
        """Nobody is expected to close the window: --exit-after-turns asked the table to end by
        itself, and a --demo has no player to notice that it stopped."""
        return self.config.exit_after_turns is not None or self.config.demo

    def _check_exit(self) -> None:
        """--exit-after-turns N quits after N quarters or at the game's end, whichever comes
        first (a finished game has no quarters left to wait for); an unattended table also quits
        when its bots stopped on an error, since nothing can resume it."""
        c = self.config
        table = self._table()
        if c.exit_after_turns is not None and table is not None:
            if table.quarters_resolved >= c.exit_after_turns or self.screen.screen_kind() == "results":
                self.running = False
        error = getattr(getattr(self.screen, "worker", None), "error", None)
        if error is not None and self._unattended():
            what = str(error) if isinstance(error, (ResolutionError, PolicyError)) else f"{type(error).__name__}: {error}"
            self.exit_error = "the game cannot continue: " + one_line(what)
            self.running = False
        if c.max_frames is not None and len(self.frame_ms) >= c.max_frames:
            self.running = False

    def _screenshot(self) -> None:
        if self.config.screenshot_dir is None:
            return
        kind = self.screen.screen_kind()
        table = self._table()
        shown = getattr(self.screen, "_cache", None) or {}
        quarter = shown.get("quarter") or (table.session.quarter if table is not None else "-")  # what the frame drew
        key = (kind, quarter)
        if key in self.shots or self.shots_failed:
            return
        self.shots.add(key)
        self.shot_count += 1
        path = self.config.screenshot_dir / f"{self.shot_count:03d}-{kind}-{quarter}.png"
        try:
            self.config.screenshot_dir.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.surface, str(path))
        except (pygame.error, OSError) as exc:  # the CLI checked the folder; a full disk or a removed folder
            self._screenshot_failed(path, exc)  # must not end the game

    def _screenshot_failed(self, path: Path, exc: Exception) -> None:
        """Warn once and take no more: a missing picture is no reason to stop the game, and a
        half-written one is worse than none."""
        self.shots_failed = True
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        reason = one_line(str(exc)) or type(exc).__name__
        print(f"wargame: warning: --screenshot-dir: could not write {path.name} ({reason}); "
              f"no more screenshots this game, the game goes on", file=sys.stderr)

    def close(self) -> None:
        """Closing mid-game loses nothing: the game is saved where it stands."""
        if self.closed:
            return
        self.closed = True
        table = self._table()
        if table is not None:
            self.screen.worker.stop() if hasattr(self.screen, "worker") else None
            with table.lock:
                path = table.save_autosave()
            if path is not None and not table.session.is_over:
                self.exit_message = f"game saved at {table.session.quarter}; resume with: wargame play --load {path}"
            elif path is not None:
                self.exit_message = f"game over; saved to {path}"
        if self.screen is not None:
            self.screen.kill()
        theme.font.cache_clear()  # fonts die with pygame.quit(); a later window must load its own
        pygame.quit()


def run_play(config: PlayConfig, session=None) -> tuple[int, App]:
    """Open the window on the setup screen or straight into the game; returns (status, app)."""
    theme.LOG.recording = False
    app = App(config)
    if session is None:
        app.show_setup()
    else:
        app.start_game(session, humans=config.humans, facilitator=config.facilitator)
    status = app.run()
    return status, app
