"""`wargame play` from the command line: bad input exits 2 with one line before any window
opens; a recorded demo quits cleanly and leaves non-blank screenshots."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ENV = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def _play(*args: str, cwd=None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wargame", "play", *args], capture_output=True, text=True, env=ENV,
                          cwd=cwd, timeout=timeout)


@pytest.mark.parametrize("args, says", [
    (["--human", "narnia"], "--human 'narnia': unknown actor"),
    (["--seat", "us=genius"], "unknown policy 'genius'"),
    (["--seat", "mars=random"], "unknown actor 'mars'"),
    (["--scenario", "no-such-scenario"], "no-such-scenario"),
    (["--load", "/nonexistent/save.json"], "/nonexistent/save.json"),
    (["--size", "huge"], "--size 'huge'"),
    (["--size", "640x480"], "must be from 1024x640"),
    (["--exit-after-turns", "0"], "must be at least 1"),
    (["--demo", "--human", "us"], "--demo plays every seat with a bot"),
    (["--human", "us", "--seat", "us=random"], "give the seat one player"),
])
def test_bad_input_exits_2_with_one_line_before_a_window(args, says):
    out = _play(*args)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], out.stderr


def test_an_unreadable_save_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = _play("--load", str(bad))
    assert out.returncode == 2 and "Traceback" not in out.stderr and str(bad) in out.stderr


def test_a_recorded_demo_writes_non_blank_screenshots_and_quits(tmp_path):
    import pygame

    shots = tmp_path / "shots"
    out = _play("--demo", "--screenshot-dir", str(shots), "--exit-after-turns", "2", "--pace", "0", "--seed", "3",
                cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    pngs = sorted(shots.glob("*.png"))
    quarters = {p.stem.split("-")[-1] for p in pngs}
    assert len(pngs) >= 2 and len(quarters) >= 2, [p.name for p in pngs]
    for png in pngs:
        img = pygame.image.load(str(png))
        assert img.get_size() == (1280, 800)
        colours = {tuple(img.get_at((x, y))) for x in range(0, 1280, 37) for y in range(0, 800, 29)}
        assert len(colours) > 20, f"{png.name} looks blank"
    assert (tmp_path / "runs" / "autosave").is_dir()  # the game was saved when it quit


def test_the_headless_core_and_the_table_logic_import_no_pygame():
    code = ("import sys; import wargame.session, wargame.runner, wargame.cli, wargame.orders, ui.table, ui.view; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pygame', 'pygame_gui')]; assert not bad, bad")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
