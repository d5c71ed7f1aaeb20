"""The end of the game: every actor's score and the headline charts, with the fog lifted."""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from policies.registry import HUMAN
from ui import theme
from ui.charts import draw_chart
from ui.table import Table
from ui.view import board_view
from wargame.ids import actor_label


class ResultsScreen:
    kind = "results"

    def __init__(self, app, table: Table):
        self.app, self.table = app, table
        s = table.session
        self.view = board_view(s, "facilitator", {a: table.seat(a) for a in s.actors})
        last = s.timeline[-1] if s.timeline else {}
        self.scores = sorted(((a, last.get(f"score_{a}")) for a in s.actors), key=lambda x: -(x[1] or 0.0))
        self.saved = table.save_autosave()
        w, h = app.size
        self.quit = UIButton(pygame.Rect(w - 220, h - 70, 190, 50), "Quit", app.manager)
        self.again = UIButton(pygame.Rect(w - 430, h - 70, 190, 50), "New game", app.manager)

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is self.quit:
                self.app.running = False
            elif event.ui_element is self.again:
                self.app.show_setup()

    def update(self) -> None:
        pass

    def kill(self) -> None:
        self.quit.kill()
        self.again.kill()

    def draw(self, surface: pygame.Surface, t_ms: int) -> None:
        surface.fill(theme.BG)
        w, h = self.app.size
        s = self.table.session
        theme.text(surface, f"Game over: {s.scenario.title}", (30, 20), theme.SIZE_TITLE, theme.ACCENT, bold=True,
                   max_width=w - 60)
        first = s.timeline[0]["quarter"] if s.timeline else s.quarter
        last = s.timeline[-1]["quarter"] if s.timeline else s.quarter
        theme.text(surface, f"{first} to {last} · seed {s.seed} · {s.world.turn} quarters played · the fog is lifted",
                   (30, 62), theme.SIZE_BODY, theme.MUTED, max_width=w - 60)
        inner = theme.panel(surface, pygame.Rect(20, 96, 430, h - 190), "Scores")
        theme.text(surface, "each against its own objective, 0 to 1", (inner.x, inner.y), theme.SIZE_SMALL, theme.MUTED,
                   max_width=inner.w)
        y = inner.y + 30
        for actor, score in self.scores:
            who = "human" if self.table.seat(actor) == HUMAN else self.table.seat(actor)
            theme.text(surface, actor_label(actor), (inner.x, y), theme.SIZE_BODY, theme.actor_colour(actor), max_width=200)
            theme.text(surface, "n/a" if score is None else f"{score:.3g}", (inner.x + 215, y), theme.SIZE_BODY, bold=True)
            theme.text(surface, who, (inner.x + 300, y), theme.SIZE_SMALL, theme.MUTED, max_width=inner.w - 300)
            y += 30
        series = list(self.view.series.values()) if isinstance(self.view.series, dict) else list(self.view.series)
        cw, ch = (w - 490) // 2, (h - 200) // 2
        for i, ser in enumerate(series[:4]):
            rect = pygame.Rect(470 + (i % 2) * (cw + 10), 96 + (i // 2) * (ch + 10), cw, ch)
            draw_chart(surface, rect, ser)
        if self.saved:
            theme.text(surface, f"saved to {self.saved}", (30, h - 52), theme.SIZE_SMALL, theme.MUTED, max_width=w - 480)

    def screen_kind(self) -> str:
        return "results"
