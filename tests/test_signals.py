"""SIGINT and SIGTERM during `wargame run`, during play and in the middle of a save: one line on
stderr, exit 130 or 143, no traceback, no temporary file left, and an earlier save unchanged.

In-process cases send the signal to this process from inside the code being interrupted (a
patched fsync or game loop), so it lands exactly there; subprocess cases do the same to a real
`python -m wargame` once /proc shows its handlers installed, or once its temp file exists.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wargame.runner
from wargame.cli import main

ROOT = Path(__file__).resolve().parents[1]
SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}


def _interrupting(sig: int):
    """A stand-in that signals this process, then waits to be interrupted in the sleep."""
    def fake(*args, **kwargs):
        os.kill(os.getpid(), sig)
        time.sleep(10)
        raise AssertionError("the signal handler did not interrupt")
    return fake


@pytest.fixture
def earlier(tmp_path, capsys) -> Path:
    path = tmp_path / "game.json"
    assert main(["run", "--turns", "1", "--save", str(path)]) == 0
    capsys.readouterr()
    return path


def _one_line(err: str, sig: int) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"wargame: interrupted ({NAMES[sig]}); "), err
    return lines[0]


@pytest.mark.parametrize("sig,code", SIGNALS)
def test_a_signal_during_the_save_keeps_the_earlier_file(capsys, monkeypatch, earlier, sig, code):
    before, listing = earlier.read_bytes(), sorted(p.name for p in earlier.parent.iterdir())
    handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    monkeypatch.setattr(os, "fsync", _interrupting(sig))
    assert main(["run", "--turns", "3", "--save", str(earlier)]) == code
    monkeypatch.undo()
    line = _one_line(capsys.readouterr().err, sig)
    assert "unchanged" in line and str(earlier) in line
    assert earlier.read_bytes() == before
    assert sorted(p.name for p in earlier.parent.iterdir()) == listing, "no temporary file left"
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers, "handlers restored"


@pytest.mark.parametrize("sig,code", SIGNALS)
def test_a_signal_during_the_first_save_leaves_nothing(capsys, monkeypatch, tmp_path, sig, code):
    monkeypatch.setattr(os, "fsync", _interrupting(sig))
    assert main(["run", "--turns", "1", "--save", str(tmp_path / "new.json")]) == code
    monkeypatch.undo()
    assert "nothing saved" in _one_line(capsys.readouterr().err, sig)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig,code", SIGNALS)
def test_a_signal_during_play(capsys, monkeypatch, earlier, sig, code):
    before = earlier.read_bytes()
    monkeypatch.setattr(wargame.runner, "play_turn", _interrupting(sig))  # every quarter of `run` goes through it
    assert main(["run", "--load", str(earlier), "--save", str(earlier)]) == code
    monkeypatch.undo()
    out, err = capsys.readouterr()
    assert out == "" and "unchanged" in _one_line(err, sig)
    assert earlier.read_bytes() == before


def test_a_signal_after_the_rename_says_the_game_was_saved(capsys, monkeypatch, earlier):
    before = earlier.read_bytes()
    real_replace = os.replace

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        _interrupting(signal.SIGTERM)()

    monkeypatch.setattr(os, "replace", replace_then_signal)
    assert main(["run", "--turns", "3", "--save", str(earlier)]) == 143
    monkeypatch.undo()
    assert "saved to" in _one_line(capsys.readouterr().err, signal.SIGTERM)
    assert earlier.read_bytes() != before
    assert [p.name for p in earlier.parent.iterdir()] == [earlier.name]


# --- a real process ---------------------------------------------------------------------------------


def _env() -> dict:
    return {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONDONTWRITEBYTECODE": "1"}


def _handlers_installed(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _wait_for(pred, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not pred():
        assert proc.poll() is None, f"the game ended before {what}: {proc.communicate()}"
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to see the handlers installed")
@pytest.mark.parametrize("sig,code", SIGNALS)
def test_a_real_run_interrupted_during_play(tmp_path, earlier, sig, code):
    long = tmp_path / "long.yaml"
    long.write_text("extends: baseline\nturns: 200\n")
    before, listing = earlier.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.Popen([sys.executable, "-m", "wargame", "run", "--scenario", str(long), "--save", str(earlier)],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: _handlers_installed(proc.pid), proc, "the handlers were installed")
        time.sleep(0.3)  # well into the 200 quarters
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "unchanged" in _one_line(err, sig) and out == ""
    assert earlier.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


SLOW_FSYNC = """
import os, sys, time
real = os.fsync
def slow(fd):
    time.sleep(30)
    real(fd)
os.fsync = slow
from wargame.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("sig,code", SIGNALS)
def test_a_real_run_interrupted_mid_save(tmp_path, earlier, sig, code):
    """The temp file exists (its fsync is slowed down) when the signal arrives."""
    before = earlier.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", SLOW_FSYNC, "run", "--turns", "2", "--save", str(earlier)],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()), proc, "the temp file appeared")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "unchanged" in _one_line(err, sig)
    assert earlier.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [earlier.name], "the temp file was removed"
