"""Write the golden transcript of one seeded game; tests/test_golden.py diffs against it.

    .venv/bin/python tests/golden/regen.py           # rewrite tests/golden/baseline_seed7.txt

Regenerate only when a change to the game's behaviour is intended, and read the diff before
committing it: every changed number in the transcript is a changed outcome.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIO, SEED = "baseline", 7
GOLDEN = HERE / f"{SCENARIO}_seed{SEED}.txt"
REGEN = ".venv/bin/python tests/golden/regen.py"


def _fmt(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"


def render(scenario: str = SCENARIO, seed: int = SEED) -> str:
    """A readable transcript: per turn the news, the orders in play order and the record."""
    from wargame.moves import parse_move
    from wargame.runner import make_seats, play_turn
    from wargame.scenario import load_scenario
    from wargame.session import GameSession

    session = GameSession(load_scenario(scenario), seed)
    policies = make_seats(session)
    lines = [
        f"# golden transcript: scenario {scenario}, seed {seed}, default seats",
        f"# regenerate on purpose with: {REGEN}",
        "seats: " + ", ".join(f"{a}={session.seats[a]}" for a in session.actors),
    ]
    while not session.is_over:
        turn, quarter = session.world.turn + 1, session.quarter
        lines += ["", f"== turn {turn} {quarter}"]
        lines += [f"news: {n}" for n in session.world.news]
        play_turn(session, policies)
        for entry in session.moves:
            if entry["turn"] != turn:
                continue
            if "move" not in entry:
                lines.append(f"inject: {entry}")
                continue
            move = parse_move(entry["move"])
            if move.kind != "pass":
                lines.append(f"move: {move.describe()}")
        record = session.timeline[-1]
        assert record["quarter"] == quarter
        lines += [f"  {key} = {_fmt(record[key])}" for key in sorted(record)]
    lines += ["", "== end"]
    lines += [f"news: {n}" for n in session.world.news]
    lines.append(f"state_hash: {session.state_hash()}")
    return "\n".join(lines) + "\n"


def render_report() -> str:
    """The after-action report of tests/test_report.py's seeded human-US save (4 futures)."""
    import tempfile

    sys.path.insert(0, str(HERE.parent))
    from test_report import human_us_save

    from wargame.report import run_report

    with tempfile.TemporaryDirectory() as tmp:
        save = human_us_save(Path(tmp) / "game.json")
        return run_report(str(save), 4, Path(tmp) / "out", "md", workers=1, track=False).read_text()


def main() -> int:
    GOLDEN.write_text(render(), encoding="utf-8")
    print(f"wrote {GOLDEN}")
    report = HERE / "report_baseline_seed5.md"
    report.write_text(render_report(), encoding="utf-8")
    print(f"wrote {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
