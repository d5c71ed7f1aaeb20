"""Headless pygame for the UI tests: the dummy video and audio drivers, set before pygame loads."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pygame  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def screen() -> pygame.Surface:
    """A 1280x800 surface (the projector size) with pygame initialised."""
    pygame.init()
    return pygame.Surface((1280, 800))
