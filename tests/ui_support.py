"""Scripted real input for pygame_gui tests: clicks, drags and keystrokes go through the event
queue and UIManager.process_events exactly as a player's would, never by setting widget state.

Every helper takes `listeners`: callables that also receive each event (an app's or a form's
`process_event`), because pygame_gui reports clicks as new events (UI_BUTTON_PRESSED, ...) that
the next pass of the loop must deliver. `pump` is that loop.

Needs a display: call `pygame.display.set_mode(...)` under SDL_VIDEODRIVER=dummy first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pygame
import pygame_gui

Listener = Callable[[pygame.event.Event], object]
STEP = 0.05  # seconds per simulated frame


def pump(manager: pygame_gui.UIManager, listeners: Iterable[Listener] = (), frames: int = 3) -> None:
    """Run the event loop: deliver every queued event to the manager, then to each listener,
    then update; repeat while events keep coming (at least `frames` frames)."""
    listeners = list(listeners)
    for i in range(50):
        events = pygame.event.get()
        for event in events:
            manager.process_events(event)
            for listen in listeners:
                listen(event)
        manager.update(STEP)
        if not events and i + 1 >= frames:
            return


def _post(kind: int, **data) -> None:
    pygame.event.post(pygame.event.Event(kind, data))


def _centre(element) -> tuple[int, int]:
    return element.rect.center


def press_at(manager: pygame_gui.UIManager, pos: tuple[int, int], listeners: Iterable[Listener] = ()) -> None:
    """Move the mouse to `pos` and click the left button there."""
    pygame.mouse.set_pos(pos)
    _post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0), touch=False)
    pump(manager, listeners, frames=1)
    _post(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False)
    _post(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=False)
    pump(manager, listeners)


def click(manager: pygame_gui.UIManager, element, listeners: Iterable[Listener] = ()) -> None:
    """Click the centre of a widget (a button, an entry, a closed drop-down)."""
    if not element.visible or not element.alive():
        raise AssertionError(f"cannot click {element!r}: it is not on screen")
    press_at(manager, _centre(element), listeners)


def choose(manager: pygame_gui.UIManager, dropdown: pygame_gui.elements.UIDropDownMenu, option_text: str,
           listeners: Iterable[Listener] = ()) -> None:
    """Open a drop-down and click the option whose text is `option_text`. Already showing it, a
    person does nothing (clicking the selected item in the open list would deselect it)."""
    if dropdown.current_state is dropdown.menu_states["closed"] and dropdown.selected_option[0] == option_text:
        return
    if dropdown.current_state is dropdown.menu_states["closed"]:
        click(manager, dropdown, listeners)
    state = dropdown.menu_states["expanded"]
    if dropdown.current_state is not state or state.options_selection_list is None:
        raise AssertionError(f"{dropdown!r} did not open")
    items = state.options_selection_list.item_list
    item = next((i for i in items if i["text"] == option_text), None)
    if item is None:
        raise AssertionError(f"no option {option_text!r}; options: {[i['text'] for i in items]}")
    button = item["button_element"]
    if button is None:  # scrolled out of the list's view: scroll it into view with the wheel
        for _ in range(len(items)):
            pygame.mouse.set_pos(state.options_selection_list.rect.center)
            _post(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False, precise_x=0.0, precise_y=-1.0, touch=False)
            pump(manager, listeners)
            button = item["button_element"]
            if button is not None:
                break
    if button is None:
        raise AssertionError(f"option {option_text!r} never came into view")
    click(manager, button, listeners)
    if dropdown.alive() and dropdown.selected_option[0] != option_text:
        raise AssertionError(f"{dropdown!r} shows {dropdown.selected_option[0]!r}, not {option_text!r}")


def type_into(manager: pygame_gui.UIManager, entry: pygame_gui.elements.UITextEntryLine, text: str,
              listeners: Iterable[Listener] = (), enter: bool = False) -> None:
    """Click into a text entry, select all and delete it (Ctrl+A, Backspace), then type `text`."""
    click(manager, entry, listeners)
    if not entry.is_focused:
        raise AssertionError(f"{entry!r} did not take the focus")
    _post(pygame.KEYDOWN, key=pygame.K_a, mod=pygame.KMOD_CTRL, unicode="a", scancode=4)
    _post(pygame.KEYUP, key=pygame.K_a, mod=pygame.KMOD_CTRL, unicode="a", scancode=4)
    _post(pygame.KEYDOWN, key=pygame.K_BACKSPACE, mod=0, unicode="\b", scancode=42)
    _post(pygame.KEYUP, key=pygame.K_BACKSPACE, mod=0, unicode="\b", scancode=42)
    for char in text:
        _post(pygame.TEXTINPUT, text=char)
    if enter:
        _post(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r", scancode=40)
        _post(pygame.KEYUP, key=pygame.K_RETURN, mod=0, unicode="\r", scancode=40)
    pump(manager, listeners)


def drag_slider(manager: pygame_gui.UIManager, slider: pygame_gui.elements.UIHorizontalSlider, fraction: float,
                listeners: Iterable[Listener] = ()) -> None:
    """Grab the slider's handle and drag it to `fraction` (0 = left end, 1 = right end) of its track."""
    handle = slider.sliding_button
    start = handle.rect.center
    pygame.mouse.set_pos(start)
    _post(pygame.MOUSEMOTION, pos=start, rel=(0, 0), buttons=(0, 0, 0), touch=False)
    pump(manager, listeners, frames=1)
    _post(pygame.MOUSEBUTTONDOWN, pos=start, button=1, touch=False)
    pump(manager, listeners, frames=1)
    left = slider.rect.left + slider.arrow_button_width + handle.rect.w // 2
    right = slider.rect.right - slider.arrow_button_width - handle.rect.w // 2
    target = (round(left + max(0.0, min(1.0, fraction)) * (right - left)), start[1])
    # move in a few steps, as a hand would; beyond the ends the handle stops at the bound
    for k in range(1, 5):
        pos = (start[0] + (target[0] - start[0]) * k // 4, start[1])
        pygame.mouse.set_pos(pos)
        _post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(1, 0, 0), touch=False)
        pump(manager, listeners, frames=1)
    if fraction >= 1.0 or fraction <= 0.0:  # push past the end so the handle rests against it
        pos = (slider.rect.right + 40 if fraction >= 1.0 else slider.rect.left - 40, start[1])
        pygame.mouse.set_pos(pos)
        _post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(1, 0, 0), touch=False)
        pump(manager, listeners, frames=1)
    _post(pygame.MOUSEBUTTONUP, pos=pygame.mouse.get_pos(), button=1, touch=False)
    pump(manager, listeners)
