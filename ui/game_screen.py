"""The table in play: board, charts, ticker, the side column, hot-seat hand-over and dialogs.

What the side column shows follows who may see it: a human seat's own observation and order
form once that player has clicked through the hand-over; the facilitator's god's-eye rows in
facilitator mode; otherwise the seats and their players, which are public. Bots play on the
BotWorker thread; every read of the game here happens under the table's lock and is cached by
the table's version, so a frame never waits for a bot and never sees half an order.
"""

from __future__ import annotations

from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel, UISelectionList, UIWindow
from pygame_gui.windows import UIFileDialog

from policies.registry import HUMAN, policy_names
from ui import theme
from ui.board import draw_banner, draw_map, draw_ticker
from ui.charts import draw_charts
from ui.intel import facilitator_rows, seat_summary
from ui.layout import Layout, layout
from ui.order_form import OrderForm
from ui.seat_panel import draw_facilitator_panel, draw_seat_panel
from ui.table import BotWorker, Table
from ui.view import board_view
from wargame.ids import actor_label

SAVE_DIR = Path("runs") / "saves"


class GameScreen:
    kind = "board"

    def __init__(self, app, table: Table, pace: float = 0.0):
        self.app, self.table = app, table
        self.manager: pygame_gui.UIManager = app.manager
        self.lay: Layout = layout(app.size)
        self.worker = BotWorker(table, pace)
        self.revealed: str | None = None  # the human seat whose private view is on screen
        self.handover_to: str | None = None
        self.god_view = table.facilitator
        self.form: OrderForm | None = None
        self.form_key: tuple | None = None
        self.dialog: UIWindow | UIFileDialog | None = None
        self.dialog_kind = ""
        self.dialog_widgets: dict = {}
        self.focus_actor = table.session.actors[0]  # whose estimates the facilitator panel shows
        self._cache: dict = {}
        self._cache_version = -1
        self.message = ""
        self.error_shown = False
        self.notices_shown = 0  # the table's notices (autosave failed, inject refused, ...) already on screen
        self.scroll = self.scroll_max = 0  # the seat or facilitator panel, scrolled with the mouse wheel
        self._build_toolbar()
        self.worker.start()

    # -- widgets ------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        r = self.lay.toolbar.inflate(-8, -8)
        names = ["Save", "Load", "Seats"] + (["Pause", "Inject", "Truth"] if self.table.facilitator else [])
        w = (r.w - 6 * (len(names) - 1)) // len(names)
        self.buttons = {}
        for i, name in enumerate(names):
            rect = pygame.Rect(r.x + i * (w + 6), r.y, w, r.h)
            self.buttons[name] = UIButton(rect, name, self.manager)

    def kill(self) -> None:
        self.worker.stop()
        self.worker.join(5)
        for b in self.buttons.values():
            b.kill()
        self._close_form()
        self._close_dialog()

    # -- who sees what --------------------------------------------------------------------------
    def hot_seat(self) -> bool:
        return len(self.table.humans) > 1

    def viewer(self) -> str:
        if self.revealed is not None and self.handover_to is None:
            return "facilitator" if self.table.facilitator and self.god_view and not self.table.humans else self.revealed
        if self.table.facilitator and self.god_view and self.handover_to is None:
            return "facilitator"
        humans = self.table.humans
        if len(humans) == 1 and self.handover_to is None:
            return humans[0]
        return "public"

    def _refresh(self) -> dict:
        """The frame's data, rebuilt only when the game moved on and the lock is free."""
        t = self.table
        key = (t.version, self.revealed, self.handover_to, self.god_view, self.focus_actor)
        if key == self._cache.get("key"):
            return self._cache
        if not t.lock.acquire(timeout=0.004):
            return self._cache if self._cache else self._refresh_blocking(key)
        try:
            self._cache = self._build(key)
        finally:
            t.lock.release()
        return self._cache

    def _refresh_blocking(self, key) -> dict:
        with self.table.lock:
            self._cache = self._build(key)
        return self._cache

    def _build(self, key) -> dict:
        t, s = self.table, self.table.session
        labels = {a: t.seat(a) for a in s.actors}
        data: dict = {"key": key, "view": board_view(s, self.viewer(), labels), "over": s.is_over,
                      "human_turn": t.human_turn(), "current": s.current_actor, "quarter": s.quarter}
        if self.revealed and self.handover_to is None and self.revealed in s.actors:
            obs = s.observe(self.revealed)
            data["summary"] = seat_summary(s, self.revealed, obs)
        elif t.facilitator and self.god_view:
            data["rows"] = facilitator_rows(s, self.focus_actor, s.observe(self.focus_actor))
        data["seats"] = [(a, labels[a], t.pending_seats.get(a)) for a in s.actors]
        data["injects"] = [c.id for c in t.pending_injects]
        data["paused"] = t.paused
        return data

    # -- per frame ------------------------------------------------------------------------------
    def update(self) -> None:
        data = self._refresh()
        notices = self.table.notices
        if len(notices) > self.notices_shown:  # the newest, on the message line: nothing else shows them
            self.notices_shown = len(notices)
            self.message = notices[-1]
        if self.worker.error is not None and not self.error_shown:  # the bots stopped: nothing else on screen says why
            self.error_shown = True
            self.message = f"stopped: {self.worker.error}; the game is saved when the window closes"
        if data.get("over"):
            self.app.game_over(self.table)
            return
        human = data.get("human_turn")
        if human is None:
            if self.form is not None and self.revealed is not None and data.get("current") != self.revealed:
                self._close_form()
            if not self.hot_seat() and self.table.humans:
                self.revealed = self.table.humans[0]
            return
        if human != self.revealed and self.handover_to != human:
            if self.hot_seat():
                self.handover_to = human  # hide everything private until the next player clicks
                self._close_form()
            else:
                self.revealed = human
        if self.handover_to is None and self.revealed == human:
            self._ensure_form(human, data)

    def _ensure_form(self, actor: str, data: dict) -> None:
        key = (actor, data["quarter"])
        if self.form is not None and self.form_key == key:
            return
        self._close_form()
        with self.table.lock:
            self.form = OrderForm(self.manager, self.lay.side, self.table.session, actor, self._submit_for(actor))
        self.scroll = 0
        self.form_key = key

    def _submit_for(self, actor: str):
        def submit(move):
            refusal = self.table.submit(actor, move)
            if refusal is None and move.kind == "pass":
                self.message = f"{actor_label(actor)} has given its orders for {self._cache.get('quarter', '')}"
            return refusal
        return submit

    def _close_form(self) -> None:
        if self.form is not None:
            self.form.kill()
        self.form, self.form_key = None, None

    # -- input ----------------------------------------------------------------------------------
    def handle(self, event: pygame.event.Event) -> None:
        if self.handover_to is not None and event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            if self._handover_button().collidepoint(event.pos):
                self.revealed, self.handover_to = self.handover_to, None
                self._cache = {}
            return
        if event.type == pygame.KEYDOWN and self.dialog is None and not self._typing():
            if event.key == pygame.K_SPACE and self.table.facilitator:
                self.table.set_paused(not self.table.paused)
            elif event.key == pygame.K_g and self.table.facilitator:
                self.god_view = not self.god_view
            elif event.key == pygame.K_TAB and self.table.facilitator:  # the next seat's estimates against the truth
                actors = self.table.session.actors
                self.focus_actor = actors[(actors.index(self.focus_actor) + 1) % len(actors)]
                self.scroll = 0
        if event.type == pygame.MOUSEWHEEL and self.dialog is None and not self._over_form():
            self.scroll = max(0, min(self.scroll_max, self.scroll - 40 * event.y))
        if self.form is not None and self.handover_to is None:
            with self.table.lock:  # the form reads the session (its legal moves) after each order
                self.form.process_event(event)
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            self._button(event.ui_element)
        elif event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            self._file_picked(Path(event.text))
        elif event.type == pygame_gui.UI_WINDOW_CLOSE and event.ui_element is self.dialog:
            self.dialog, self.dialog_kind, self.dialog_widgets = None, "", {}
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.dialog_widgets.get("focus"):
            self.focus_actor = self.dialog_widgets["focus_ids"][event.text]

    def _over_form(self) -> bool:
        return self.form is not None and self.lay.side.collidepoint(pygame.mouse.get_pos())

    def _typing(self) -> bool:
        focused = self.manager.get_focus_set()
        return bool(focused) and any(isinstance(e, pygame_gui.elements.UITextEntryLine) for e in focused)

    def _button(self, element) -> None:
        names = {b: n for n, b in self.buttons.items()}
        name = names.get(element)
        if name == "Save":
            self._open_file_dialog("save")
        elif name == "Load":
            self._open_file_dialog("load")
        elif name == "Seats":
            self._open_seats()
        elif name == "Pause":
            self.table.set_paused(not self.table.paused)
            element.set_text("Resume" if self.table.paused else "Pause")
        elif name == "Inject":
            self._open_injects()
        elif name == "Truth":  # the facilitator's god's-eye view, on or off
            self.god_view = not self.god_view
            self._open_focus() if self.god_view else None
        elif element is self.dialog_widgets.get("apply_seats"):
            self._apply_seats()
        elif element is self.dialog_widgets.get("play_inject"):
            self._play_inject()

    # -- dialogs --------------------------------------------------------------------------------
    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.kill()
        self.dialog, self.dialog_kind, self.dialog_widgets = None, "", {}

    def _dialog_rect(self, w: int, h: int) -> pygame.Rect:
        return pygame.Rect((self.app.size[0] - w) // 2, (self.app.size[1] - h) // 2, w, h)

    def _open_file_dialog(self, kind: str) -> None:
        self._close_dialog()
        SAVE_DIR.mkdir(parents=True, exist_ok=True)
        s = self.table.session
        start = SAVE_DIR / f"{s.scenario.name}-seed{s.seed}-{s.quarter}.json" if kind == "save" else SAVE_DIR
        self.dialog = UIFileDialog(self._dialog_rect(720, 520), self.manager, "Save the game" if kind == "save" else "Load a game",
                                   {".json"}, str(start), allow_existing_files_only=kind == "load")
        self.dialog_kind = kind

    def _file_picked(self, path: Path) -> None:
        from wargame.savefile import SaveError
        from wargame.session import GameSession

        kind = self.dialog_kind
        self.dialog, self.dialog_kind = None, ""
        if kind == "save":
            try:
                self.table.save(path)
                self.message = f"saved to {path}"
            except (SaveError, OSError) as exc:
                self.message = f"not saved: {exc}; any earlier file there is unchanged"
        elif kind == "load":
            try:
                session = GameSession.load(path)
            except (SaveError, OSError, ValueError) as exc:
                self.message = f"cannot load {path.name}: {exc}"
                return
            self.app.start_game(session, facilitator=self.table.facilitator)

    def _open_seats(self) -> None:
        self._close_dialog()
        s = self.table.session
        rows = len(s.actors)
        win = UIWindow(self._dialog_rect(560, 110 + 40 * rows), self.manager, "Seats: changes apply from the next quarter")
        widgets: dict = {"rows": {}}
        for i, actor in enumerate(s.actors):
            UILabel(pygame.Rect(10, 8 + 40 * i, 250, 34), actor_label(actor), self.manager, container=win)
            current = self.table.pending_seats.get(actor, self.table.seat(actor))
            widgets["rows"][actor] = UIDropDownMenu([HUMAN, *policy_names(actor)], current, pygame.Rect(270, 8 + 40 * i, 250, 34), self.manager,
                                                    container=win)
        widgets["apply_seats"] = UIButton(pygame.Rect(270, 12 + 40 * rows, 250, 40), "Apply", self.manager, container=win)
        self.dialog, self.dialog_kind, self.dialog_widgets = win, "seats", widgets

    def _apply_seats(self) -> None:
        for actor, dd in self.dialog_widgets["rows"].items():
            choice = dd.selected_option[0] if isinstance(dd.selected_option, tuple) else dd.selected_option
            if choice == HUMAN:
                self.table.take_over(actor)
            else:
                self.table.hand_back(actor, choice)
        self._close_dialog()
        self.message = "seat changes take effect at the start of the next quarter"

    def _open_injects(self) -> None:
        self._close_dialog()
        cards = self.table.inject_cards()
        win = UIWindow(self._dialog_rect(900, 560), self.manager, "Inject at the start of the next quarter")
        items = [(f"{'[hypothetical] ' if c.hypothetical else ''}{c.id}: {c.description}", c.id) for c in cards]
        lst = UISelectionList(pygame.Rect(10, 10, 860, 400), items, self.manager, container=win)
        btn = UIButton(pygame.Rect(10, 420, 300, 44), "Play at next quarter", self.manager, container=win)
        self.dialog, self.dialog_kind, self.dialog_widgets = win, "inject", {"list": lst, "play_inject": btn}

    def _play_inject(self) -> None:
        picked = self.dialog_widgets["list"].get_single_selection(include_object_id=True)
        if not picked:
            self.message = "pick an inject first"
            return
        inject_id = picked[1] if isinstance(picked, tuple) else picked
        try:
            self.table.queue_inject(inject_id)
            self.message = f"inject {inject_id} will be played at the start of the next quarter"
        except KeyError as exc:
            self.message = str(exc)
        self._close_dialog()

    def _open_focus(self) -> None:
        self._close_dialog()
        s = self.table.session
        win = UIWindow(self._dialog_rect(420, 130), self.manager, "Facilitator: whose estimates?")
        ids = {actor_label(a): a for a in s.actors}
        dd = UIDropDownMenu(list(ids), actor_label(self.focus_actor), pygame.Rect(10, 10, 380, 40), self.manager, container=win)
        self.dialog, self.dialog_kind, self.dialog_widgets = win, "focus", {"focus": dd, "focus_ids": ids}

    # -- drawing --------------------------------------------------------------------------------
    def _handover_button(self) -> pygame.Rect:
        w, h = self.app.size
        return pygame.Rect(w // 2 - 260, h // 2 + 40, 520, 70)

    def draw(self, surface: pygame.Surface, t_ms: int) -> None:
        data = self._cache or self._refresh()
        lay = self.lay
        surface.fill(theme.BG)
        if self.handover_to is not None:
            self._draw_handover(surface, data)
            return
        view = data["view"]
        draw_banner(surface, lay.banner, view)
        draw_ticker(surface, lay.ticker, view, t_ms)
        shown_map = lay.map
        if "summary" in data and self.form is not None:  # a human orders: map, their own panel, their form
            shown_map = lay.seated_map
            draw_map(surface, lay.seated_map, view)
            self.scroll_max = max(0, draw_seat_panel(surface, lay.seat, data["summary"], self.scroll) - lay.seat.h + 40)
        else:
            draw_map(surface, lay.map, view)
            draw_charts(surface, lay.charts, view)
            if "rows" in data:
                title = f"{actor_label(self.focus_actor)}: estimate vs truth"
                self.scroll_max = max(0, draw_facilitator_panel(surface, lay.side, data["rows"], self.scroll, title) - lay.side.h + 40)
            else:
                self._draw_seats(surface, lay.side, data)
        if self.message:
            self._draw_message(surface, shown_map)

    def _draw_message(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """The table's message in a boxed line at the bottom right of the map drawn (the legend
        keeps the bottom left), so it never lands on the seat's panel below a shortened map."""
        f = theme.font(theme.SIZE_SMALL)
        limit = int(rect.w * 0.6) - 20
        lines = theme.wrap(self.message, limit, theme.SIZE_SMALL)
        if len(lines) > 2:  # two lines at most; the second ends in an ellipsis
            lines = [lines[0], " ".join(lines[1:])]
        width = max(min(f.size(ln)[0], limit) for ln in lines)
        box = pygame.Rect(0, 0, width + 20, f.get_linesize() * len(lines) + 10)
        box.bottomright = (rect.right - 8, rect.bottom - 8)
        pygame.draw.rect(surface, theme.BG, box, border_radius=4)
        pygame.draw.rect(surface, theme.ACCENT, box, width=1, border_radius=4)
        for i, line in enumerate(lines):
            theme.text(surface, line, (box.x + 10, box.y + 5 + i * f.get_linesize()), theme.SIZE_SMALL, theme.ACCENT,
                       max_width=width)

    def _draw_seats(self, surface: pygame.Surface, rect: pygame.Rect, data: dict) -> None:
        inner = theme.panel(surface, rect, "Seats")
        y = inner.y
        for actor, seat, pending in data["seats"]:
            mark = "▶ " if actor == data["current"] else "   "
            who = "human" if seat == HUMAN else f"bot: {seat}"
            if pending:
                who += f" → {'human' if pending == HUMAN else pending} next quarter"
            theme.text(surface, f"{mark}{actor_label(actor)}", (inner.x, y), theme.SIZE_BODY, theme.actor_colour(actor),
                       max_width=inner.w // 2)
            theme.text(surface, who, (inner.x + inner.w // 2, y), theme.SIZE_BODY, theme.MUTED, max_width=inner.w // 2)
            y += 28
        y += 8
        if data.get("paused"):
            theme.text(surface, "PAUSED by the facilitator (space to resume)", (inner.x, y), theme.SIZE_BODY, theme.BAD, bold=True)
            y += 28
        if data.get("injects"):
            theme.text(surface, "Injects next quarter: " + ", ".join(data["injects"]), (inner.x, y), theme.SIZE_BODY, theme.ACCENT,
                       max_width=inner.w)
            y += 28
        if data.get("current") and data.get("human_turn") is None:
            theme.text(surface, f"{actor_label(data['current'])} (bot) is deciding…", (inner.x, y), theme.SIZE_BODY, theme.MUTED,
                       max_width=inner.w)

    def _draw_handover(self, surface: pygame.Surface, data: dict) -> None:
        w, h = self.app.size
        draw_banner(surface, self.lay.banner, data["view"])
        who = actor_label(self.handover_to)
        theme.text(surface, "Hand over", (w // 2, h // 2 - 120), theme.SIZE_TITLE, theme.ACCENT, bold=True, anchor="center")
        theme.text(surface, f"Next: {who}", (w // 2, h // 2 - 60), theme.SIZE_TITLE, theme.actor_colour(self.handover_to),
                   bold=True, anchor="center")
        theme.text(surface, "Everyone else, please look away: the next screen shows this seat's private information.",
                   (w // 2, h // 2 - 10), theme.SIZE_BODY, theme.MUTED, anchor="center", max_width=w - 80)
        b = self._handover_button()
        pygame.draw.rect(surface, theme.PANEL, b, border_radius=10)
        pygame.draw.rect(surface, theme.ACCENT, b, 2, border_radius=10)
        theme.text(surface, f"I am {who}: show my seat", b.center, theme.SIZE_HEAD, theme.TEXT, bold=True, anchor="center",
                   max_width=b.w - 20)

    def screen_kind(self) -> str:
        if self.handover_to is not None:
            return "handover"
        if self.revealed is not None and self.form is not None:
            return f"seat-{self.revealed}"
        return "facilitator" if self.table.facilitator and self.god_view else "board"
