"""`wargame play` from the command line: bad input exits 2 with one line before any window
opens; a recorded demo quits cleanly and leaves non-blank screenshots."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from wargame.integrity import ResolutionError

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
    (["--human", "us", "--human", "us"], "--human us: given twice; give each seat once"),
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


def _finished_save(tmp_path) -> str:
    save = tmp_path / "full.json"
    out = subprocess.run([sys.executable, "-m", "wargame", "run", "--seed", "3", "--save", str(save)], capture_output=True,
                         text=True, env=ENV, timeout=120)
    assert out.returncode == 0, out.stderr
    return str(save)


def test_exit_after_more_turns_than_are_left_quits_at_the_end_of_the_game(tmp_path):
    from wargame.session import GameSession

    out = _play("--demo", "--exit-after-turns", "30", "--pace", "0", "--seed", "3", "--screenshot-dir", "shots",
                cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("game over; saved to "), out.stdout
    saved = GameSession.load(tmp_path / out.stdout.strip().removeprefix("game over; saved to "))
    assert saved.is_over and saved.world.turn == saved.scenario.turns
    assert [p.name for p in (tmp_path / "shots").glob("*-results-*.png")], "the end screen was drawn before quitting"
    assert not [p.name for p in (tmp_path / "shots").iterdir() if p.suffix != ".png"]  # no probe file left behind


def test_a_finished_save_loaded_with_exit_after_turns_quits_at_once(tmp_path):
    out = _play("--load", _finished_save(tmp_path), "--demo", "--exit-after-turns", "1", cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "game over; saved to" in out.stdout and "Traceback" not in out.stderr


@pytest.mark.parametrize("demo, humans", [(True, []), (False, ["us"])])
def test_without_exit_after_turns_the_end_screen_stays_up(tmp_path, monkeypatch, demo, humans):
    """A watched demo and a human table end on the scores; the window stays until someone closes it."""
    from ui.app import App, PlayConfig
    from wargame.session import GameSession

    monkeypatch.chdir(tmp_path)
    app = App(PlayConfig(demo=demo, humans=humans, pace=0, max_frames=20))
    app.start_game(GameSession.load(_finished_save(tmp_path)), humans=humans)
    assert app.run() == 0
    assert len(app.frame_ms) == 20 and app.screen.screen_kind() == "results"


def _bots_fail_in_the_second_quarter(monkeypatch, error: Exception) -> None:
    import ui.table

    real = ui.table.play_phase

    def play_phase(session, actor, policy):
        if session.world.turn >= 1:
            raise error
        real(session, actor, policy)

    monkeypatch.setattr(ui.table, "play_phase", play_phase)


def _close_the_window_after(seconds: float):
    import threading

    import pygame

    timer = threading.Timer(seconds, lambda: pygame.event.post(pygame.event.Event(pygame.QUIT)))
    timer.daemon = True
    timer.start()
    return timer


@pytest.mark.parametrize("error, says", [
    (ResolutionError("2025Q2 could not be resolved: stocks < 0"),
     "the game cannot continue: 2025Q2 could not be resolved: stocks < 0"),
    (ValueError("a bot's bug\nover two lines"), "the game cannot continue: ValueError: a bot's bug over two lines"),
])
def test_a_demo_whose_game_cannot_continue_quits_with_one_line_and_keeps_the_game(tmp_path, monkeypatch, capsys, error,
                                                                                  says):
    from wargame.cli import main
    from wargame.session import GameSession

    monkeypatch.chdir(tmp_path)
    _bots_fail_in_the_second_quarter(monkeypatch, error)
    watchdog = _close_the_window_after(60)  # a table that waits forever fails the test instead of hanging it
    try:
        status = main(["play", "--demo", "--exit-after-turns", "5", "--pace", "0", "--seed", "3"])
    finally:
        watchdog.cancel()
    out, err = capsys.readouterr()
    assert status == 1
    assert err.strip().splitlines() == [f"wargame: {says}"]
    assert out.startswith("game saved at 2025Q2; resume with: wargame play --load "), out
    saved = GameSession.load(tmp_path / out.strip().split("--load ")[1])
    assert saved.world.turn == 1 and not saved.is_over  # saved where it stood


def test_an_attended_table_whose_bots_stop_says_why_and_stays_open(tmp_path, monkeypatch):
    import time

    from ui.app import App, PlayConfig
    from wargame.scenario import load_scenario
    from wargame.session import GameSession

    monkeypatch.chdir(tmp_path)
    _bots_fail_in_the_second_quarter(monkeypatch, RuntimeError("no orders"))
    app = App(PlayConfig(pace=0))
    try:
        app.start_game(GameSession(load_scenario("baseline"), 3))
        end = time.monotonic() + 30
        while not app.screen.message and time.monotonic() < end:
            app.frame([])
            time.sleep(0.002)
        assert app.screen.message.startswith("stopped: no orders"), app.screen.message
        assert app.running and not app.exit_error
    finally:
        app.close()


def _without_root_override(cmd: list[str]) -> list[str]:
    """root writes anywhere; drop that, as a user's account would not have it."""
    if os.geteuid() != 0:
        return cmd
    import shutil

    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a folder unwritable")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", *cmd]


@pytest.mark.parametrize("where, says", [("ro", "cannot write there (Permission denied); give a writable directory"),
                                         ("ro/new", "cannot create it (Permission denied)"),
                                         ("file/new", "cannot create it (Not a directory)")])
def test_an_unwritable_screenshot_dir_exits_2_before_a_window(tmp_path, where, says):
    (tmp_path / "ro").mkdir(mode=0o555)
    (tmp_path / "file").write_text("")
    shots = tmp_path / where
    cmd = [sys.executable, "-m", "wargame", "play", "--demo", "--exit-after-turns", "1", "--pace", "0",
           "--screenshot-dir", str(shots)]
    try:
        out = subprocess.run(_without_root_override(cmd), capture_output=True, text=True, env=ENV, cwd=tmp_path,
                             timeout=60)
    finally:
        (tmp_path / "ro").chmod(0o755)
    assert out.returncode == 2, out.stderr
    assert out.stderr.splitlines() == [f"wargame: play --screenshot-dir {shots}: {says}"]
    assert not (tmp_path / "runs").exists()  # no game was started
    assert not list((tmp_path / "ro").iterdir())


def test_a_screenshot_that_cannot_be_written_mid_game_warns_once_and_play_goes_on(tmp_path, monkeypatch, capsys):
    import time

    import pygame

    from ui.app import App, PlayConfig
    from wargame.scenario import load_scenario
    from wargame.session import GameSession

    monkeypatch.chdir(tmp_path)
    shots = tmp_path / "shots"

    def disk_full(surface, name):
        with open(name, "wb") as f:
            f.write(b"\x89PNG half")
        raise pygame.error(f"Couldn't write {name}: No space left on device")

    monkeypatch.setattr(pygame.image, "save", disk_full)
    app = App(PlayConfig(screenshot_dir=shots, pace=0))
    try:
        app.start_game(GameSession(load_scenario("baseline"), 3))
        end = time.monotonic() + 60
        while app.screen.table.quarters_resolved < 3 and time.monotonic() < end:
            app.frame([])
            time.sleep(0.002)
        assert app.screen.table.quarters_resolved >= 3 and app.running
    finally:
        app.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("wargame: warning: --screenshot-dir: could not write 001-board-2025Q1.png (")
    assert "No space left on device" in err[0] and err[0].endswith("no more screenshots this game, the game goes on")
    assert not list(shots.iterdir())  # the half-written picture was removed
