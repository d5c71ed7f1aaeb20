"""`wargame report`: the after-action report of a saved game with a human seat.

Its text is stable for a seeded save (golden file), its percentiles come from real bot futures
(one is recomputed here by playing that future directly), and its turning points are real
counterfactuals.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ui.table import Table
from wargame.mc.experiment import game_seed
from wargame.moves import Pass, SetEnforcement
from wargame.report import HEADLINE, ReportError, fork_at, percentile, run_report, values_at
from wargame.runner import bot_seats, make_seats, play
from wargame.scenario import load_scenario
from wargame.session import GameSession

GOLDEN = Path(__file__).parent / "golden" / "report_baseline_seed5.md"


def human_us_save(path: Path, quarters: int = 4) -> Path:
    """A game in which a person at the US seat cuts enforcement to its floor and otherwise passes."""
    table = Table(GameSession(load_scenario("baseline"), 5), humans=("us",))
    for _ in range(quarters):
        while table.bot_turn() is not None:
            table.step_bot()
        legal = table.session.fit("us", SetEnforcement(budget_usd_m=0.0))
        if legal is not None:
            assert table.submit("us", legal) is None
        assert table.submit("us", Pass(actor="us")) is None
    while table.bot_turn() is not None and table.session.world.turn < quarters:
        table.step_bot()
    table.save(path)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    save = human_us_save(tmp / "game.json")
    path = run_report(str(save), 4, tmp / "out", "md", workers=1, track=False)
    return save, path


def test_the_report_of_a_seeded_save_is_stable(report):
    _, path = report
    text = path.read_text()
    if not GOLDEN.exists():  # write it on purpose: tests/golden/regen.py
        pytest.fail(f"no golden report; run: .venv/bin/python tests/golden/regen.py (would write {GOLDEN})")
    assert text == GOLDEN.read_text()


def test_the_report_covers_timeline_secrets_scores_turning_points_and_futures(report):
    _, path = report
    text = path.read_text()
    for heading in ("## Outcomes and the game among its possible futures", "## Scores", "## Turning points",
                    "## Timeline (secret orders revealed)"):
        assert heading in text
    assert "Human seats: US government." in text
    assert "**[secret]**" in text  # a secret order (e.g. smugglers' routes) is revealed
    assert "US government's decisive quarter" in text
    assert "percentile vs futures from US government's decisive quarter" in text


def test_a_percentile_comes_from_a_real_future(report):
    save, path = report
    data = json.loads((path.parent / "report.json").read_text())
    session = GameSession.load(save)
    horizon = session.world.turn
    fut = values_at(path.parent / "futures-start", horizon)
    run = 2  # play this future again, directly, outside the Monte Carlo machinery
    again = fork_at(session, 1)
    again.reseed(game_seed(0, run))
    play(again, make_seats(again, bot_seats(again)), horizon)
    for metric, _, _ in HEADLINE:
        assert again.timeline[horizon - 1][metric] == pytest.approx(fut[metric][run], rel=0, abs=0)
    metric = "us_china_stock_ratio"
    played = session.timeline[horizon - 1][metric]
    expected = 100.0 * (np.sum(fut[metric] < played) + 0.5 * np.sum(fut[metric] == played)) / fut[metric].size
    assert data["percentiles"]["the start"][metric] == pytest.approx(expected)
    assert percentile(played, fut[metric]) == pytest.approx(expected)


def test_html_is_self_contained(report, tmp_path):
    save, _ = report
    path = run_report(str(save), 2, tmp_path / "h", "html", workers=1, track=False)
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>") and "data:image/png;base64," in text
    assert 'src="http' not in text and "<link" not in text


@pytest.mark.parametrize("args, says", [
    (["--futures", "1"], "--futures 1: must be at least 2"),
    (["--format", "pdf"], "invalid choice: 'pdf'"),
    (["--futures", "1000001"], "--futures 1000001: at most 1,000,000"),
])
def test_bad_input_exits_2_with_one_line(report, args, says):
    save, _ = report
    out = subprocess.run([sys.executable, "-m", "wargame", "report", str(save), *args], capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr and says in out.stderr


def test_a_missing_or_edited_save_exits_2(tmp_path, report):
    save, _ = report
    data = json.loads(Path(save).read_text())
    data["snapshot"]["world"]["us"]["hawkishness"] = 0.01
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(data))
    for path in (tmp_path / "missing.json", bad):
        out = subprocess.run([sys.executable, "-m", "wargame", "report", str(path)], capture_output=True, text=True)
        assert out.returncode == 2 and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("inside", ["report.json", "report.md", "futures-start/start.json"])
def test_a_report_never_overwrites_or_deletes_its_own_save(report, tmp_path, inside):
    save, _ = report
    copy = tmp_path / "out" / inside
    copy.parent.mkdir(parents=True)
    copy.write_bytes(Path(save).read_bytes())
    with pytest.raises(ReportError, match="would overwrite or delete the save itself"):
        run_report(str(copy), 2, tmp_path / "out", "md", workers=1, track=False)
    assert copy.read_bytes() == Path(save).read_bytes()


def test_a_report_written_again_plays_its_own_futures(report, tmp_path, capsys):
    """A second report into the same directory, of another save with the same seeds, must not take
    the first one's games for its own (nor call them damaged)."""
    import shutil

    save, path = report
    out = tmp_path / "again"
    shutil.copytree(path.parent, out)
    other = human_us_save(tmp_path / "other.json", quarters=2)
    run_report(str(other), 4, out, "md", workers=1, track=False)
    assert "damaged" not in capsys.readouterr().err
    fresh = run_report(str(other), 4, tmp_path / "fresh", "md", workers=1, track=False)
    assert sorted(p.name for p in out.glob("futures-*")) == sorted(p.name for p in fresh.parent.glob("futures-*"))
    got, want = values_at(out / "futures-start", 2), values_at(fresh.parent / "futures-start", 2)
    for metric, _, _ in HEADLINE:
        assert np.array_equal(got[metric], want[metric], equal_nan=True)
    assert (out / "report.md").read_text() == fresh.read_text().replace(str(tmp_path / "fresh"), str(out))


def test_a_write_that_names_no_file_names_the_report_directory(report, tmp_path, monkeypatch, capsys):
    """A full disk or `ulimit -f` fails a write with no file name: the line names --out instead."""
    import errno

    from wargame import report as report_module
    from wargame.cli import main

    def full(*args, **kwargs):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(report_module, "run_report", full)
    save, _ = report
    assert main(["report", str(save), "--out", str(tmp_path / "r")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"wargame: report --out {tmp_path / 'r'}: cannot write the report (File too large); the save is unchanged"
