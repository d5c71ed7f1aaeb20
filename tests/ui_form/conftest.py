"""The seat panel and order form under SDL's dummy driver: no window, no sound card, real input."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pygame  # noqa: E402
import pytest  # noqa: E402

SIZE = (1280, 800)


@pytest.fixture()
def screen():
    """A fresh dummy display; the event queue starts empty."""
    pygame.init()
    surface = pygame.display.set_mode(SIZE)
    pygame.event.clear()
    yield surface
    pygame.event.clear()


@pytest.fixture()
def manager(screen):
    from ui.order_form import make_manager

    return make_manager(SIZE)
