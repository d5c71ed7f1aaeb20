"""The human seat's order form: pick an order kind, its target and values, add it, end orders.

Built with pygame_gui inside a given rect. It never touches the world: every order is built
and checked by wargame.orders.build_order, then handed to `submit`, which the app routes to
GameSession.submit exactly as a bot's move. After each order the form rebuilds from the
session, because the legal set changes after every order.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.core import ObjectID
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UILabel,
    UIPanel,
    UITextBox,
    UITextEntryLine,
)

from ui import theme
from wargame.ids import actor_label
from wargame.integrity import ResolutionError
from wargame.moves import AnyMove, Pass, Refusal
from wargame.orders import (
    OrderField,
    OrderKind,
    build_order,
    describe_order,
    number_text,
    order_kinds,
    orders_given,
    value_label,
)
from wargame.session import GameSession

ASSETS = Path(__file__).parent / "assets"
THEME = ASSETS / "gui_theme.json"
REPO = Path(__file__).parent.parent

PAD, GAP = 8, 6
INFO_SIZE, INFO_MAX_H, LABEL_SIZE = 16, 220, 16
ROW_H, LABEL_H, BUTTON_H, MESSAGE_H = 38, 24, 40, 62
ROOMY_H = 560  # below this height the form drops its heading and shares one box for the texts
LIST_MIN_H, MIN_BOX_H = 70, 48
ENTRY_W = 130
SECRET = " (secret)"


def theme_data() -> dict:
    """ui/assets/gui_theme.json with its font paths made absolute, so it loads from any cwd."""
    data = json.loads(THEME.read_text(encoding="utf-8"))

    def fix(font: dict) -> None:
        for key in ("regular_path", "bold_path", "italic_path", "bold_italic_path"):
            if key in font and not Path(font[key]).is_absolute():
                font[key] = str((REPO / font[key]).resolve())

    for block in data.values():
        if isinstance(block, dict) and isinstance(block.get("font"), dict):
            fix(block["font"])
        elif isinstance(block, dict) and isinstance(block.get("font"), list):
            for f in block["font"]:
                fix(f)
    return data


def make_manager(size: tuple[int, int]) -> pygame_gui.UIManager:
    """A UIManager themed for the projector (DejaVu at 16-20 px, ui/theme.py's colours)."""
    manager = pygame_gui.UIManager(size, theme_path=theme_data(), enable_live_theme_updates=False)
    # text boxes use bold runs (<b>) at their own size: load those faces up front
    manager.preload_fonts([{"name": "dejavu", "point_size": size_, "style": "bold", "antialiased": "1"} for size_ in (16, 18)])
    return manager


def slider_text(value: float, lo: float, hi: float) -> str:
    """A slider position as a short exact number inside [lo, hi]; the ends snap to the bounds."""
    span = hi - lo
    if span <= 0:
        return number_text(lo)
    if value <= lo + 0.005 * span:
        return number_text(lo)
    if value >= hi - 0.005 * span:
        return number_text(hi)
    decimals = max(0, -math.floor(math.log10(span / 200)))
    rounded = min(max(round(value, decimals), lo), hi)
    return number_text(rounded)


class OrderForm:
    """One seat's orders for the current quarter, as pygame_gui widgets in `rect`."""

    def __init__(self, manager: pygame_gui.UIManager, rect: pygame.Rect, session: GameSession, actor: str,
                 submit: Callable[[AnyMove], Refusal | None]):
        self.manager = manager
        self.rect = pygame.Rect(rect)
        self.session = session
        self.actor = actor
        self.submit = submit
        self.message: str | None = None
        self.widgets: dict[str, pygame_gui.core.UIElement] = {}
        self.kinds: list[OrderKind] = []
        self._kind: str | None = None
        self._target: str | None = None
        self._options: dict[str, dict[str, object]] = {}  # widget name -> {option text: value}
        self._panel: UIPanel | None = None
        self.rebuild()

    # -- public ----------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Re-read what the seat may order and lay the widgets out again."""
        self.kinds = order_kinds(self.session, self.actor)
        open_kinds = [k for k in self.kinds if k.is_open]
        if self._kind not in {k.kind for k in open_kinds}:
            self._kind = open_kinds[0].kind if open_kinds else None
            self._target = None
        kind = self.kind
        if kind is not None and kind.target(self._target) is None:
            self._target = kind.targets[0].value if kind.targets else None
        self._layout()

    def kill(self) -> None:
        if self._panel is not None:
            self._panel.kill()
        self._panel = None
        self.widgets = {}
        self._options = {}

    @property
    def kind(self) -> OrderKind | None:
        return next((k for k in self.kinds if k.kind == self._kind), None)

    def process_event(self, event: pygame.event.Event) -> bool:
        """Handle the form's own widget events; True if the event was the form's."""
        w = self.widgets
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element is w.get("kind"):
                self._kind = self._options["kind"].get(event.text, self._kind)
                self._target = None
                self.message = None
                self.rebuild()
                return True
            if event.ui_element is w.get("target"):
                self._target = self._options["target"].get(event.text, self._target)
                self.message = None
                self.rebuild()
                return True
            return any(event.ui_element is e for e in w.values())
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            for name, f in self._amount_fields().items():
                if event.ui_element is w.get(f"slider:{name}"):
                    w[f"entry:{name}"].set_text(slider_text(float(event.value), f.lo, f.hi))
                    return True
            return False
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED:
            for name, f in self._amount_fields().items():
                if event.ui_element is w.get(f"entry:{name}"):
                    self._follow_entry(name, f)
                    return True
            return False
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED:  # Enter in an amount box adds the order
            if any(event.ui_element is w.get(f"entry:{name}") for name in self._amount_fields()):
                self._add()
                return True
            return False
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is w.get("add"):
                self._add()
                return True
            if event.ui_element is w.get("end"):
                self._end()
                return True
        return False

    def values(self) -> dict[str, object]:
        """What the widgets say now: exact text for amounts, the chosen value for choices."""
        kind = self.kind
        target = kind.target(self._target) if kind else None
        out: dict[str, object] = {}
        for f in target.fields if target else ():
            if f.kind == "amount":
                out[f.name] = self.widgets[f"entry:{f.name}"].get_text()
            else:
                dd = self.widgets[f"field:{f.name}"]
                out[f.name] = self._options[f"field:{f.name}"][dd.selected_option[0]]
        return out

    # -- actions ---------------------------------------------------------------------------
    def _add(self) -> None:
        kind = self.kind
        if kind is None:
            self._say("No order can be given now; end your orders.")
            return
        move, reason = build_order(self.session, self.actor, kind.kind, self._target, self.values())
        if move is None:
            self._say(reason)
            return
        self._send(move)

    def _end(self) -> None:
        self._send(Pass(actor=self.actor))

    def _send(self, move: AnyMove) -> None:
        """Hand the move to the app; a refusal, or a quarter that could not be resolved (the
        session then stays before this pass), is shown inline instead of ending the program."""
        try:
            refusal = self.submit(move)
        except ResolutionError as exc:
            self._say(str(exc))
            return
        if refusal is not None:
            self._say(f"{refusal.reason}; allowed: {refusal.allowed}")
            return
        self.message = None
        self.rebuild()

    def _say(self, text: str | None) -> None:
        """Show a problem inline; what was typed and chosen stays as it was, to be corrected."""
        self.message = text
        self._layout(keep=True)

    def _follow_entry(self, name: str, f: OrderField) -> None:
        """A typed number moves the slider when it lies within the bounds."""
        slider = self.widgets.get(f"slider:{name}")
        try:
            value = float(self.widgets[f"entry:{name}"].get_text().replace(",", ""))
        except ValueError:
            return
        if slider is not None and math.isfinite(value) and f.lo <= value <= f.hi:
            slider.set_current_value(value, warn=False)

    def _amount_fields(self) -> dict[str, OrderField]:
        kind = self.kind
        target = kind.target(self._target) if kind else None
        return {f.name: f for f in (target.fields if target else ()) if f.kind == "amount"}

    # -- layout ----------------------------------------------------------------------------
    def _kept(self) -> dict[str, str]:
        """What the widgets show now (typed text, chosen options), to survive a relayout."""
        out: dict[str, str] = {}
        for name, element in self.widgets.items():
            if name.startswith("entry:"):
                out[name] = element.get_text()
            elif name.startswith("field:"):
                out[name] = element.selected_option[0]
        return out

    def _layout(self, keep: bool = False) -> None:
        """Lay the form out top to bottom: heading (if there is room), order kind, explanation,
        target, fields, message, buttons, then the orders given and the closed kinds. In a short
        rect the explanation and both lists share one scrolling box, so nothing is cut off."""
        kept = self._kept() if keep else {}
        self.kill()
        r = self.rect
        self._panel = UIPanel(r, manager=self.manager, object_id=ObjectID(class_id="@order_form"))
        width = r.w - 2 * PAD - 4
        bottom = r.h - PAD - 4
        kind = self.kind
        target = kind.target(self._target) if kind else None
        fields = target.fields if target else ()
        roomy = r.h >= ROOMY_H
        y = PAD
        if roomy or not self.kinds:
            self._add_widget("title", UILabel(pygame.Rect(PAD, y, width, 30),
                                              f"Orders: {actor_label(self.actor)}, {self.session.quarter}",
                                              self.manager, container=self._panel, object_id=ObjectID(object_id="#heading")))
            y += 30 + GAP
        if not self.kinds:
            who = self.session.current_actor
            text = "The game is over." if who is None else f"Waiting: it is {actor_label(who)}'s turn to order."
            self._add_widget("waiting", UITextBox(html.escape(text), pygame.Rect(PAD, y, width, max(40, min(80, bottom - y))),
                                                  self.manager, container=self._panel, object_id=ObjectID(object_id="#hint")))
            return
        # the fixed rows below the explanation, measured first so the explanation gets what is left
        show_message = roomy or self.message is not None
        below = (ROW_H + GAP if kind is not None and kind.target_field else 0)
        below += sum(self._label_height(f, width) + ROW_H + GAP for f in fields)
        below += (MESSAGE_H + GAP if show_message else 0) + BUTTON_H
        if kind is not None:
            self._options["kind"] = {k.label + (SECRET if k.secret else ""): k.kind for k in self.kinds if k.is_open}
            current = next(text for text, k in self._options["kind"].items() if k == kind.kind)
            self._add_widget("kind", UIDropDownMenu(list(self._options["kind"]), current, pygame.Rect(PAD, y, width, ROW_H),
                                                    self.manager, container=self._panel))
            y += ROW_H + GAP
        room = bottom - y - below - GAP
        info_h = self._info_height(kind, width) if kind is not None else 0
        lists = self._lists_html()
        separate = roomy and room >= info_h + GAP + 2 * LIST_MIN_H + GAP
        if separate:
            box_h = info_h
            text = self._info_html(kind) if kind is not None else ""
        else:
            box_h = max(MIN_BOX_H, room)
            text = "<br>".join(t for t in (self._info_html(kind) if kind is not None else "No order can be given now.",
                                           lists[0], lists[1]) if t)
        if box_h > 0 and text:
            self._add_widget("info", UITextBox(text, pygame.Rect(PAD, y, width, box_h), self.manager, container=self._panel))
            y += box_h + GAP
        if kind is not None and kind.target_field:
            y = self._target_widgets(kind, y, width)
        for f in fields:
            y = self._field_widgets(f, y, width, kept)
        if show_message:
            hint = "Set the order's values, then press Add order. Press End orders when you are done."
            self._add_widget("message", UITextBox(html.escape(self.message or hint), pygame.Rect(PAD, y, width, MESSAGE_H),
                                                  self.manager, container=self._panel,
                                                  object_id=ObjectID(object_id="#message" if self.message else "#hint")))
            y += MESSAGE_H + GAP
        half = (width - GAP) // 2
        add = UIButton(pygame.Rect(PAD, y, half, BUTTON_H), "Add order", self.manager, container=self._panel,
                       object_id=ObjectID(object_id="#add_button"))
        if kind is None:
            add.disable()
        self._add_widget("add", add)
        self._add_widget("end", UIButton(pygame.Rect(PAD + half + GAP, y, width - half - GAP, BUTTON_H), "End orders",
                                         self.manager, container=self._panel, object_id=ObjectID(object_id="#end_button")))
        y += BUTTON_H + GAP
        if separate:
            self._separate_lists(lists, y, bottom, width)

    def _target_widgets(self, kind: OrderKind, y: int, width: int) -> int:
        label_w = 90
        self._add_widget("target_label", UILabel(pygame.Rect(PAD, y, label_w, ROW_H), kind.target_label, self.manager,
                                                 container=self._panel, object_id=ObjectID(object_id="#field_label")))
        opts = {t.label: t.value for t in kind.targets}
        self._options["target"] = opts
        chosen = kind.target(self._target) or kind.targets[0]
        self._add_widget("target", UIDropDownMenu(list(opts), chosen.label, pygame.Rect(PAD + label_w, y, width - label_w, ROW_H),
                                                  self.manager, container=self._panel))
        return y + ROW_H + GAP

    @staticmethod
    def _label_text(f: OrderField) -> str:
        return f"{f.label}: {f.bounds_text()}" if f.kind == "amount" else f.label

    def _label_height(self, f: OrderField, width: int) -> int:
        """One line, or as many as the label needs: a field's label and bounds are never cut."""
        lines = len(theme.wrap(self._label_text(f), width - 8, LABEL_SIZE))
        return LABEL_H if lines <= 1 else lines * theme.font(LABEL_SIZE).get_linesize() + 6

    def _field_widgets(self, f: OrderField, y: int, width: int, kept: dict[str, str]) -> int:
        text, label_h = self._label_text(f), self._label_height(f, width)
        if label_h == LABEL_H:
            label = UILabel(pygame.Rect(PAD, y, width, LABEL_H), text, self.manager, container=self._panel,
                            object_id=ObjectID(object_id="#field_label"))
        else:
            label = UITextBox(html.escape(text), pygame.Rect(PAD, y, width, label_h), self.manager, container=self._panel,
                              object_id=ObjectID(object_id="#field_label_box"))
        self._add_widget(f"label:{f.name}", label)
        y += label_h
        if f.kind == "amount":
            assert f.lo is not None and f.hi is not None
            entry_x = PAD + width - ENTRY_W
            if f.hi > f.lo:
                slider = UIHorizontalSlider(pygame.Rect(PAD, y, width - ENTRY_W - GAP, ROW_H), float(f.default),
                                            (float(f.lo), float(f.hi)), self.manager, container=self._panel,
                                            click_increment=(f.hi - f.lo) / 20)
                self._add_widget(f"slider:{f.name}", slider)
            entry = UITextEntryLine(pygame.Rect(entry_x, y, ENTRY_W, ROW_H), self.manager, container=self._panel)
            entry.set_text(kept.get(f"entry:{f.name}", number_text(f.default)))
            self._add_widget(f"entry:{f.name}", entry)
            self._follow_entry(f.name, f)
        else:
            opts = dict(zip(f.choice_labels, f.choices, strict=True))
            self._options[f"field:{f.name}"] = opts
            start = next((label for label, v in opts.items() if v == f.default and isinstance(v, bool) == isinstance(f.default, bool)),
                         f.choice_labels[0])
            start = kept.get(f"field:{f.name}", start) if kept.get(f"field:{f.name}") in opts else start
            self._add_widget(f"field:{f.name}", UIDropDownMenu(list(opts), start, pygame.Rect(PAD, y, width, ROW_H),
                                                               self.manager, container=self._panel))
        return y + ROW_H + GAP

    def _lists_html(self) -> tuple[str, str]:
        """The orders given this quarter, and the kinds closed now with why (empty if none)."""
        given = [f"• {html.escape(describe_order(m))}" for m in orders_given(self.session, self.actor)] or ["none yet"]
        closed = [f"• <b>{html.escape(k.label)}</b>: {html.escape(k.closed or '')}" for k in self.kinds if not k.is_open]
        return ("<b>Given this quarter</b><br>" + "<br>".join(given),
                "<b>Not available now</b><br>" + "<br>".join(closed) if closed else "")

    def _separate_lists(self, lists: tuple[str, str], y: int, bottom: int, width: int) -> None:
        given, closed = lists
        room = bottom - y
        lines = given.count("<br>") + 1
        orders_h = min(max(LIST_MIN_H, 14 + 22 * lines), room // 2) if closed else room
        self._add_widget("orders", UITextBox(given, pygame.Rect(PAD, y, width, orders_h), self.manager, container=self._panel))
        y += orders_h + GAP
        if closed and bottom - y >= LIST_MIN_H // 2:
            self._add_widget("closed", UITextBox(closed, pygame.Rect(PAD, y, width, bottom - y), self.manager,
                                                 container=self._panel))

    def _info_parts(self, kind: OrderKind) -> list[tuple[str, str]]:
        """(bold lead, text) paragraphs: what the order does, its cost, secrecy, limits, closed targets."""
        parts = [("", kind.explanation), ("Cost:", kind.cost)]
        if kind.secret:
            parts.append(("Secret:", "other seats do not see this order."))
        target = kind.target(self._target)
        for f in target.fields if target else ():
            if f.why:
                parts.append((f"{f.label}:", f.why))
            if f.current is not None and f.kind != "amount" and f.current not in f.choices:
                parts.append(("Now:", value_label(f.current, kind.kind, f.name)))
        if kind.closed_targets:
            parts.append(("Closed now:", "; ".join(f"{t} ({why})" for t, why in kind.closed_targets)))
        return parts

    def _info_html(self, kind: OrderKind) -> str:
        return "<br>".join((f"<b>{html.escape(lead)}</b> " if lead else "") + html.escape(text.rstrip())
                           for lead, text in self._info_parts(kind))

    def _info_height(self, kind: OrderKind, width: int) -> int:
        """Tall enough to show the whole explanation and cost without scrolling, within reason."""
        lines = sum(len(theme.wrap(f"{lead} {text}".strip(), width - 34, INFO_SIZE)) for lead, text in self._info_parts(kind))
        line_h = round(theme.font(INFO_SIZE).get_linesize() * 1.15)
        return max(3 * line_h, min(INFO_MAX_H, lines * line_h + 14))

    def _add_widget(self, name: str, element) -> None:
        self.widgets[name] = element
