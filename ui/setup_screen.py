"""The setup screen: a scenario (with its description), a player for every seat, a seed; start,
load a saved game, or resume the last autosave."""

from __future__ import annotations

import html
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel, UITextBox, UITextEntryLine
from pygame_gui.windows import UIFileDialog

from policies.registry import HUMAN, policy_names
from ui import theme
from ui.table import latest_autosave
from wargame.ids import actor_label
from wargame.scenario import ScenarioError, builtin_names, load_scenario


class SetupScreen:
    kind = "setup"

    def __init__(self, app, scenario: str = "baseline", seats: dict[str, str] | None = None, seed: int = 0):
        self.app, self.manager = app, app.manager
        self.choices = dict(seats or {})
        self.seed = seed
        self.message = ""
        self.widgets: dict = {}
        self.seat_rows: dict[str, UIDropDownMenu] = {}
        self.dialog: UIFileDialog | None = None
        names = builtin_names()
        self.scenario_name = scenario if scenario in names else names[0]
        self._build()

    def _build(self) -> None:
        w, h = self.app.size
        m = self.manager
        col = w // 2 - 40
        self.widgets["scenario"] = UIDropDownMenu(builtin_names(), self.scenario_name, pygame.Rect(30, 100, col - 30, 44), m)
        self.widgets["description"] = UITextBox("", pygame.Rect(30, 156, col - 30, h - 330), m)
        UILabel(pygame.Rect(30, h - 160, 90, 40), "Seed", m)
        self.widgets["seed"] = UITextEntryLine(pygame.Rect(120, h - 160, 160, 40), m)
        self.widgets["seed"].set_text(str(self.seed))
        self.widgets["facilitator"] = UIButton(pygame.Rect(300, h - 160, col - 270, 40), "Facilitator mode: off", m)
        self.widgets["start"] = UIButton(pygame.Rect(30, h - 100, 240, 56), "Start game", m)
        self.widgets["load"] = UIButton(pygame.Rect(290, h - 100, 200, 56), "Load a save…", m)
        last = latest_autosave()
        self.widgets["resume"] = UIButton(pygame.Rect(510, h - 100, col - 480, 56), "Resume", m,
                                          tool_tip_text=str(last) if last else "no autosave yet")
        if last is None:
            self.widgets["resume"].disable()
        self.facilitator = bool(self.app.config.facilitator)
        self._facilitator_label()
        self._scenario_changed()

    def _facilitator_label(self) -> None:
        self.widgets["facilitator"].set_text(f"Facilitator mode: {'on' if self.facilitator else 'off'}")

    def _scenario_changed(self) -> None:
        sc = load_scenario(self.scenario_name)
        self.scenario = sc
        self.widgets["description"].set_text(f"<b>{html.escape(sc.title)}</b><br><br>{html.escape(sc.description)}".replace("\n", "<br>"))
        for dd in self.seat_rows.values():
            dd.kill()
        for lbl in self.widgets.pop("seat_labels", []):
            lbl.kill()
        w = self.app.size[0]
        x = w // 2
        labels = []
        step = min(46, (self.app.size[1] - 200) // max(1, len(sc.actors)))
        for i, actor in enumerate(sc.actors):
            y = 100 + i * step
            labels.append(UILabel(pygame.Rect(x, y, 240, step - 6), actor_label(actor), self.manager))
            current = self.choices.get(actor, sc.seats.get(actor, "doctrine"))
            self.seat_rows[actor] = UIDropDownMenu([HUMAN, *policy_names(actor)], current, pygame.Rect(x + 250, y, w - x - 280, step - 6),
                                                   self.manager)
        self.widgets["seat_labels"] = labels

    def kill(self) -> None:
        for wdg in self.widgets.values():
            for e in (wdg if isinstance(wdg, list) else [wdg]):
                e.kill()
        for dd in self.seat_rows.values():
            dd.kill()
        if self.dialog is not None:
            self.dialog.kill()

    def seats(self) -> dict[str, str]:
        out = {}
        for actor, dd in self.seat_rows.items():
            opt = dd.selected_option
            out[actor] = opt[0] if isinstance(opt, tuple) else opt
        return out

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.widgets["scenario"]:
            self.choices.update(self.seats())
            self.scenario_name = event.text
            self._scenario_changed()
        elif event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is self.widgets["start"]:
                self.start()
            elif event.ui_element is self.widgets["facilitator"]:
                self.facilitator = not self.facilitator
                self._facilitator_label()
            elif event.ui_element is self.widgets["load"]:
                Path("runs/saves").mkdir(parents=True, exist_ok=True)
                self.dialog = UIFileDialog(pygame.Rect(200, 120, 720, 520), self.manager, "Load a game", {".json"},
                                           "runs/saves", allow_existing_files_only=True)
            elif event.ui_element is self.widgets["resume"]:
                last = latest_autosave()
                if last is not None:
                    self.app.load_game(last, self.facilitator)
        elif event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            self.dialog = None
            self.app.load_game(Path(event.text), self.facilitator)

    def start(self) -> None:
        from wargame.session import GameSession

        text = self.widgets["seed"].get_text().strip()
        if not text.isdigit():
            self.message = f"seed {text!r}: give a whole number, 0 or more"
            return
        seats = self.seats()
        humans = [a for a, p in seats.items() if p == HUMAN]
        bots = {a: p for a, p in seats.items() if p != HUMAN}
        try:
            session = GameSession(load_scenario(self.scenario_name), int(text), bots)
        except ScenarioError as exc:
            self.message = str(exc)
            return
        self.app.start_game(session, humans=humans, facilitator=self.facilitator)

    def update(self) -> None:
        pass

    def draw(self, surface: pygame.Surface, t_ms: int) -> None:
        surface.fill(theme.BG)
        w, h = self.app.size
        theme.text(surface, "Chip-war wargame: set up the table", (30, 24), theme.SIZE_TITLE, theme.ACCENT, bold=True)
        theme.text(surface, "Scenario", (30, 72), theme.SIZE_BODY, theme.MUTED)
        theme.text(surface, "Who plays each seat (human, or a bot policy)", (w // 2, 72), theme.SIZE_BODY, theme.MUTED,
                   max_width=w // 2 - 30)
        if self.message:
            theme.text(surface, self.message, (30, h - 36), theme.SIZE_BODY, theme.BAD, max_width=w - 60)

    def screen_kind(self) -> str:
        return "setup"
