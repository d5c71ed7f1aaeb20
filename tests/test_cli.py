"""The `wargame` command: runs, JSON, seats, save/load, scenario validation and bad input.

Most cases call `wargame.cli.main([...])` in-process (capsys); a few run `python -m wargame`
as a subprocess to check the real entry point, the absence of tracebacks and that a headless
run imports neither pygame nor mlflow. Bad input must exit 2 with one line per problem that
names the file and the field.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import wargame.savefile
from wargame.cli import main
from wargame.metrics import CONTRACT_KEYS
from wargame.runner import make_seats, play
from wargame.scenario import SCENARIO_DIR, builtin_names, load_scenario
from wargame.session import GameSession

ROOT = Path(__file__).resolve().parents[1]
BASELINE = SCENARIO_DIR / "baseline.yaml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, "run", "--json", *argv)
    assert code == 0, err
    assert out.count("\n") == 1, "--json prints exactly one line"
    return json.loads(out)


def subprocess_run(*argv: str, extra: tuple[str, ...] = (), env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, *extra, "-m", "wargame", *argv], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def quarters(start: str, n: int) -> list[str]:
    year, q = int(start[:4]), int(start[-1])
    out = []
    for _ in range(n):
        out.append(f"{year}Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def assert_usage_error(code: int, err: str, *needles: str) -> list[str]:
    """Exit 2, no traceback, every line prefixed, and each needle somewhere in stderr."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines, "an error must say something"
    assert all(ln.startswith("wargame: ") for ln in lines), err
    for needle in needles:
        assert needle in err, f"{needle!r} not in stderr:\n{err}"
    return lines


@pytest.fixture(scope="module")
def straight_hash() -> str:
    s = GameSession(load_scenario("baseline"), 0)
    return play(s, make_seats(s)).state_hash()


# --- runs ----------------------------------------------------------------------------------------


def test_run_json_structure(capsys, straight_hash):
    out = run_json(capsys)
    sc = load_scenario("baseline")
    assert set(out) == {"scenario", "seed", "turns_played", "state_hash", "actors", "seats", "param_draw", "final", "timeline"}
    assert out["scenario"] == "baseline" and out["seed"] == 0
    assert out["param_draw"] is None, "parameters are drawn only with --sample-params"
    assert out["turns_played"] == sc.turns == 24
    assert re.fullmatch(r"[0-9a-f]{64}", out["state_hash"])
    assert out["state_hash"] == straight_hash
    assert out["actors"] == list(sc.actors)
    assert out["seats"] == {a: "doctrine" for a in sc.actors}
    assert [r["quarter"] for r in out["timeline"]] == quarters("2025Q1", 24)
    assert out["timeline"][-1]["quarter"] == "2030Q4"
    assert [r["turn"] for r in out["timeline"]] == list(range(1, 25))
    assert out["final"] == out["timeline"][-1]
    for r in out["timeline"]:
        assert set(CONTRACT_KEYS) <= set(r)
        assert {f"tier2_alignment_{n}" for n in sc.tier2} <= set(r)
        assert {f"score_{a}" for a in sc.actors} <= set(r)


def test_run_turns_and_seed(capsys):
    out = run_json(capsys, "--turns", "3", "--seed", "5")
    assert out["turns_played"] == 3 and out["seed"] == 5
    assert [r["quarter"] for r in out["timeline"]] == ["2025Q1", "2025Q2", "2025Q3"]
    s = GameSession(load_scenario("baseline"), 5)
    assert out["state_hash"] == play(s, make_seats(s), 3).state_hash()


def test_run_seat_override(capsys):
    out = run_json(capsys, "--turns", "4", "--seat", "us=random", "--seat", "smugglers=random")
    assert out["seats"]["us"] == "random" and out["seats"]["smugglers"] == "random"
    assert out["seats"]["china"] == "doctrine"
    s = GameSession(load_scenario("baseline"), 0)
    assert out["state_hash"] == play(s, make_seats(s, {"us": "random", "smugglers": "random"}), 4).state_hash()
    assert out["state_hash"] != run_json(capsys, "--turns", "4")["state_hash"]


def test_run_every_builtin_scenario(capsys, scenario_name):
    out = run_json(capsys, "--scenario", scenario_name, "--turns", "2")
    assert out["scenario"] == scenario_name and out["turns_played"] == 2


def test_readable_table(capsys):
    code, out, err = run(capsys, "run", "--turns", "3")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "seed 0" in lines[0] and "3 of 24" in lines[0]
    header = lines[1].split()
    assert header[0] == "quarter" and "yield" in header and "hawk" in header
    assert set(lines[2].replace(" ", "")) == {"-"}
    rows = lines[3:6]
    assert [r.split()[0] for r in rows] == ["2025Q1", "2025Q2", "2025Q3"]
    assert all(len(r) == len(lines[1]) for r in rows), "columns line up"
    assert re.fullmatch(r"state hash [0-9a-f]{64}", lines[6])


def test_save_then_load_continues_to_the_straight_result(capsys, tmp_path, straight_hash):
    save = tmp_path / "game.json"
    code, out, err = run(capsys, "run", "--turns", "5", "--save", str(save))
    assert code == 0, err
    assert f"saved to {save}" in out
    data = json.loads(save.read_text())
    assert data["format"] == "chip-war-wargame-save" and data["snapshot"]["world"]["turn"] == 5
    out = run_json(capsys, "--load", str(save))
    assert out["turns_played"] == 24
    assert out["state_hash"] == straight_hash
    assert [r["quarter"] for r in out["timeline"]] == quarters("2025Q1", 24)


def test_load_with_turns(capsys, tmp_path):
    save = tmp_path / "game.json"
    assert run(capsys, "run", "--turns", "2", "--seed", "3", "--seat", "india=random", "--save", str(save))[0] == 0
    resumed = run_json(capsys, "--load", str(save), "--turns", "3")
    assert resumed["turns_played"] == 5 and resumed["seed"] == 3
    assert resumed["seats"]["india"] == "random", "a loaded game keeps its seats"
    straight = run_json(capsys, "--turns", "5", "--seed", "3", "--seat", "india=random")
    assert resumed["state_hash"] == straight["state_hash"]
    assert resumed["timeline"] == straight["timeline"]


def test_scenarios_lists_the_builtins(capsys, scenario_names):
    code, out, _ = run(capsys, "scenarios")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == scenario_names == builtin_names()
    assert "baseline" in names
    assert "2025Q1" in out and "+24" in out


def test_validate_builtin_files(capsys, scenario_name):
    code, out, err = run(capsys, "validate", str(SCENARIO_DIR / f"{scenario_name}.yaml"))
    assert code == 0, err
    assert ": ok (" in out and scenario_name in out


def test_python_dash_m_entry_point(straight_hash):
    proc = subprocess_run("run", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["state_hash"] == straight_hash


def test_output_is_byte_identical_across_processes(capsys):
    """Another process with another string-hash seed prints exactly the same JSON."""
    argv = ("run", "--json", "--seed", "4", "--seat", "us=random", "--seat", "smugglers=random")
    assert main(list(argv)) == 0
    here = capsys.readouterr().out
    proc = subprocess_run(*argv, env={"PYTHONHASHSEED": "12345"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == here


# --- bad input -------------------------------------------------------------------------------------


def test_unknown_scenario(capsys):
    code, _, err = run(capsys, "run", "--scenario", "atlantis")
    lines = assert_usage_error(code, err, "atlantis", *builtin_names())
    assert len(lines) == 1


def test_unknown_scenario_in_a_subprocess_has_no_traceback():
    proc = subprocess_run("run", "--scenario", "atlantis")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "atlantis" in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("seat,needles", [
    ("mars=random", ("mars", "us", "china", "smugglers")),
    ("us=genius", ("genius", "doctrine", "random")),
    ("usrandom", ("usrandom", "ACTOR=POLICY")),
])
def test_bad_seat(capsys, seat, needles):
    code, _, err = run(capsys, "run", "--turns", "1", "--seat", seat)
    assert len(assert_usage_error(code, err, *needles)) == 1


def test_bad_turns(capsys):
    code, _, err = run(capsys, "run", "--turns", "0")
    assert_usage_error(code, err, "--turns")


def test_load_and_scenario_together(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--load", str(tmp_path / "x.json"), "--scenario", "baseline")
    assert_usage_error(code, err, "--load")


@pytest.fixture
def good_save(tmp_path, capsys) -> Path:
    path = tmp_path / "good.json"
    assert run(capsys, "run", "--turns", "2", "--save", str(path))[0] == 0
    return path


def test_load_missing_file(capsys, tmp_path):
    missing = tmp_path / "nope.json"
    code, _, err = run(capsys, "run", "--load", str(missing))
    assert_usage_error(code, err, str(missing), "no such file")


def test_load_not_a_save_file(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--load", str(BASELINE))
    assert_usage_error(code, err, str(BASELINE), "not a save file")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))
    code, _, err = run(capsys, "run", "--load", str(other))
    assert_usage_error(code, err, str(other), "format")


def test_load_truncated_save(capsys, tmp_path, good_save):
    cut = tmp_path / "cut.json"
    text = good_save.read_text()
    cut.write_text(text[: len(text) // 2])
    code, _, err = run(capsys, "run", "--load", str(cut))
    assert_usage_error(code, err, str(cut), "line")


def test_load_save_with_a_broken_world(capsys, tmp_path, good_save):
    data = json.loads(good_save.read_text())
    data["snapshot"]["world"]["us"]["hawkishness"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    code, _, err = run(capsys, "run", "--load", str(bad))
    assert_usage_error(code, err, str(bad), "snapshot.world.us.hawkishness")


def test_save_into_a_missing_directory(capsys, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "game.json"
    code, _, err = run(capsys, "run", "--turns", "1", "--save", str(target))
    assert_usage_error(code, err, str(target))
    assert not target.parent.exists()


def test_a_save_over_the_scenario_it_plays_is_refused(capsys, tmp_path, monkeypatch):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("extends: baseline\nname: mine\nturns: 2\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "run", "--scenario", str(scenario), "--save", "./mine.yaml")
    assert_usage_error(code, err, "./mine.yaml", "is the scenario file itself")
    assert scenario.read_text().startswith("extends: baseline")


@pytest.mark.parametrize("where", ["json.dumps", "os.replace"])
def test_failed_save_keeps_the_old_file(capsys, monkeypatch, good_save, where):
    before = good_save.read_bytes()
    listing = sorted(p.name for p in good_save.parent.iterdir())

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    module, attr = where.split(".")
    monkeypatch.setattr(getattr(wargame.savefile, module), attr, boom)
    code, _, err = run(capsys, "run", "--turns", "5", "--save", str(good_save))
    monkeypatch.undo()
    assert_usage_error(code, err, str(good_save), "unchanged")
    assert good_save.read_bytes() == before
    assert sorted(p.name for p in good_save.parent.iterdir()) == listing, "no temporary file left behind"


# --- scenario validation ---------------------------------------------------------------------------


def baseline_dict() -> dict:
    return yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def _without(d: dict, *path: str) -> dict:
    d = json.loads(json.dumps(d))
    node = d
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]
    return d


def _with(d: dict, value, *path: str) -> dict:
    d = json.loads(json.dumps(d))
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return d


BAD_EVENT = {"id": "X1", "quarter": "2025Q3", "description": "d", "effects": [{"target": "us.warp_drive", "value": 1}]}

BAD_SCENARIOS = {
    # name: (file text or a function of the baseline dict, [what stderr must name])
    "yaml_syntax": ("name: [unclosed\nturns: 3\n", ["(document)", "YAML syntax error", "line"]),
    "a_list": ("- name\n- turns\n", ["(document)", "mapping", "list"]),
    "empty": ("", ["(document)", "empty"]),
    "turns_many": ("extends: baseline\nturns: many\n", ["turns"]),
    "unknown_field": ("extends: baseline\ncolour: red\n", ["colour", "unknown field"]),
    "missing_parameter": (lambda d: _without(d, "parameters", "yield_max"), ["parameters.yield_max", "missing"]),
    "unknown_parameter": (lambda d: _with(d, {"value": 9, "unit": "x"}, "parameters", "warp_factor"),
                          ["parameters.warp_factor"]),
    "bad_parameter_type": (lambda d: _with(d, {"value": "lots", "unit": "x"}, "parameters", "yield_max"),
                           ["parameters.yield_max"]),
    "event_bad_target": (lambda d: _with(d, [BAD_EVENT], "events"), ["events[0].effects[0].target", "us.warp_drive"]),
    "event_bad_value": (lambda d: _with(d, [{**BAD_EVENT, "effects": [{"target": "us.threshold", "value": "moon"}]}],
                                        "events"), ["events[0].effects[0].value"]),
    "event_outside_game": (lambda d: _with(d, [{**BAD_EVENT, "quarter": "2040Q1",
                                                "effects": [{"target": "us.hawkishness", "value": 0.5}]}], "events"),
                           ["events[0].quarter", "2040Q1"]),
    "event_bad_quarter": (lambda d: _with(d, [{**BAD_EVENT, "quarter": "spring"}], "events"), ["events[0].quarter"]),
    "hawkishness_2": ("extends: baseline\ninitial:\n  us:\n    hawkishness: 2\n", ["initial.us.hawkishness"]),
    "negative_stock": ("extends: baseline\ninitial:\n  huawei:\n    die_bank: -5\n", ["initial.huawei.die_bank"]),
    "seat_unknown_policy": ("extends: baseline\nseats:\n  us: genius\n", ["seats.us", "genius", "doctrine"]),
    "seat_unknown_actor": ("extends: baseline\nseats:\n  mars: random\n", ["seats.mars"]),
    "extends_unknown": ("extends: atlantis\nturns: 4\n", ["atlantis"]),
    "start_quarter": ("extends: baseline\nstart_quarter: 2025Q5\n", ["start_quarter"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_validate_rejects_bad_scenarios(capsys, tmp_path, case):
    content, needles = BAD_SCENARIOS[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content(baseline_dict()), sort_keys=False))
    code, out, err = run(capsys, "validate", str(path))
    needles = needles if case == "extends_unknown" else [str(path), *needles]
    lines = assert_usage_error(code, err, *needles)
    assert out == ""
    if case != "extends_unknown":
        assert all(str(path) in ln for ln in lines), "every problem line names the file"
    # the same file is refused by `run --scenario` too
    code, _, err = run(capsys, "run", "--turns", "1", "--scenario", str(path))
    assert code == 2 and "Traceback" not in err


def test_validate_lists_every_problem(capsys, tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text("extends: baseline\nturns: many\ncolour: red\ninitial:\n  us:\n    hawkishness: 2\n")
    code, _, err = run(capsys, "validate", str(path))
    lines = assert_usage_error(code, err, "turns", "colour", "initial.us.hawkishness")
    assert len(lines) == 3


def test_validate_missing_file(capsys, tmp_path):
    path = tmp_path / "nowhere.yaml"
    code, _, err = run(capsys, "validate", str(path))
    assert_usage_error(code, err, str(path), "no such file")


def test_a_variant_that_extends_baseline_validates_and_runs(capsys, tmp_path):
    path = tmp_path / "variant.yaml"
    path.write_text("extends: baseline\nname: short_variant\ntitle: Short\nturns: 6\n")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 0, err
    assert "short_variant" in out and "6 turns" in out
    result = run_json(capsys, "--scenario", str(path))
    assert result["scenario"] == "short_variant" and result["turns_played"] == 6
    assert [r["quarter"] for r in result["timeline"]] == quarters("2025Q1", 6)


# --- headless imports ------------------------------------------------------------------------------


def test_headless_run_imports_neither_pygame_nor_mlflow():
    proc = subprocess_run("run", "--json", "--turns", "2", extra=("-X", "importtime"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["turns_played"] == 2
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            modules.add(line.split("|")[2].strip())
    assert "wargame.session" in modules and "mesa" in modules, "the importtime report was not parsed"
    heavy = sorted(m for m in modules if m.split(".")[0] in ("pygame", "pygame_gui", "mlflow"))
    assert heavy == [], f"a headless run imported {heavy}"


# --- bad input found by the first run of this suite (each was a traceback or a wrong listing) ----


@pytest.mark.parametrize("text,field", [
    ("initial:\n  market:\n    us_compute_stock_h100e: .inf\n", "initial.market.us_compute_stock_h100e"),
    ("initial:\n  smic:\n    pipeline: [[2, .nan]]\n", "initial.smic.pipeline"),
    ("events:\n  - {id: X, quarter: 2025Q3, description: d, effects: [{target: us.enforcement_budget_usd_m, value: .inf}]}\n",
     "events[0].effects[0].value"),
])
def test_validate_rejects_non_finite_numbers(capsys, tmp_path, text, field):
    path = tmp_path / "nonfinite.yaml"
    path.write_text("extends: baseline\n" + text)
    code, _, err = run(capsys, "validate", str(path))
    assert_usage_error(code, err, str(path), field)


def test_negative_seed_is_a_usage_error(capsys):
    code, _, err = run(capsys, "run", "--seed", "-1", "--turns", "1")
    assert_usage_error(code, err, "--seed")


def test_unknown_extends_names_the_file_and_field(capsys, tmp_path):
    path = tmp_path / "child.yaml"
    path.write_text("extends: atlantis\nturns: 4\n")
    code, _, err = run(capsys, "validate", str(path))
    assert_usage_error(code, err, str(path), "extends", "atlantis")


@pytest.mark.parametrize("corrupt", ["seats", "used", "records", "seed", "roster"])
def test_corrupted_save_is_a_usage_error(capsys, tmp_path, good_save, corrupt):
    data = json.loads(good_save.read_text())
    if corrupt == "seats":
        data["seats"]["us"] = "genius"
    elif corrupt == "used":
        data["snapshot"]["used"] = 5
    elif corrupt == "records":
        data["snapshot"]["records"] = {"turn": 1}
    elif corrupt == "seed":
        data["seed"] = -4
    else:
        data["snapshot"]["world"]["tier2"].pop(sorted(data["snapshot"]["world"]["tier2"])[0])
    bad = tmp_path / "corrupt.json"
    bad.write_text(json.dumps(data))
    code, _, err = run(capsys, "run", "--load", str(bad))
    assert_usage_error(code, err, str(bad))


@pytest.mark.parametrize("argv", [["run", "--scenario", "{name}"], ["validate", "{name}"], ["brief", "--out", "{name}"],
                                  ["mc", "--no-track", "--runs", "1", "--out", "{name}"],
                                  ["sensitivity", "--no-track", "--scenario", "{name}"]])
def test_a_name_the_system_refuses_is_one_line(capsys, tmp_path, monkeypatch, argv):
    """A path longer than the file system takes (ENAMETOOLONG) escaped as an OSError traceback;
    any refusal by the operating system is now one line naming the file, shortened."""
    monkeypatch.chdir(tmp_path)
    name = "x" * 5000
    code, out, err = run(capsys, *[a.format(name=name) for a in argv])
    assert code == 2 and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("wargame: " + "x" * 60 + "...") and "File name too long" in err, err


# --- argparse errors: one line naming the command and the flag -----------------------------------


@pytest.mark.parametrize(("argv", "line"), [
    (["mc", "--runs", "abc"], "wargame: mc --runs: invalid int value: 'abc' (see: wargame mc --help)"),
    (["mc", "--executor", "foo"], "wargame: mc --executor: invalid choice: 'foo' (choose from 'local', 'dask') "
                                  "(see: wargame mc --help)"),
    (["sensitivity", "--method", "foo"], "wargame: sensitivity --method: invalid choice: 'foo' (choose from 'sobol', "
                                         "'morris') (see: wargame sensitivity --help)"),
    (["mc", "--bogus"], "wargame: mc: unknown flag --bogus (see: wargame mc --help)"),
    (["run", "--turns"], "wargame: run --turns: expected one argument (see: wargame run --help)"),
    (["run", "extra"], "wargame: run: unexpected argument extra (see: wargame run --help)"),
    (["validate"], "wargame: validate: the following arguments are required: path (see: wargame validate --help)"),
    ([], "wargame: give a command: scenarios, validate, run"),
])
def test_argparse_errors_are_one_line_naming_the_subcommand(capsys, argv, line):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and "usage:" not in err
    assert len(err.splitlines()) == 1 and err.startswith(line), err


@pytest.mark.parametrize(("argv", "line"), [
    (["mc", "--runs", "0", "--no-track"], "wargame: mc --runs 0: must be at least 1"),
    (["mc", "--workers", "0", "--no-track"], "wargame: mc --workers 0: must be at least 1"),
    (["sensitivity", "--samples", "0", "--no-track"], "wargame: sensitivity --samples 0: must be at least 2"),
    (["sensitivity", "--seed", "-1", "--no-track"], "wargame: sensitivity --seed -1: must be a non-negative integer"),
    (["tournament", "--runs", "1"], "wargame: tournament --runs 1: must be at least 2"),
    (["run", "--turns", "0"], "wargame: run --turns 0: must be at least 1"),
    (["run", "--seed", "-1"], "wargame: run --seed -1: must be a non-negative integer"),
    (["calibrate", "--seeds", "0"], "wargame: calibrate --seeds 0: must be at least 1"),
    (["effects", "--seeds", "1"], "wargame: effects --seeds 1: must be at least 2"),
    (["play", "--exit-after-turns", "0"], "wargame: play --exit-after-turns 0: must be at least 1"),
    (["report", "x.json", "--workers", "0"], "wargame: report --workers 0: must be at least 1"),
    (["report", "x.json", "--futures", "1"], "wargame: report --futures 1: must be at least 2"),
    (["--max-file-mb", "0", "run"], "wargame: --max-file-mb 0: must be"),  # given before any command
    # no upper bound ran for ever (effects, calibrate) or crashed inside SALib (sensitivity)
    (["calibrate", "--seeds", "1000001"], "wargame: calibrate --seeds 1000001: at most 1,000,000"),
    (["effects", "--seeds", "10" * 12], f"wargame: effects --seeds {'10' * 12}: at most 1,000,000"),
    (["sensitivity", "--samples", "9" * 23, "--no-track"], f"wargame: sensitivity --samples {'9' * 23}: at most 65,536"),
])
def test_range_errors_name_the_subcommand_like_argparse_errors(capsys, argv, line):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(line), err


def test_a_newline_in_a_file_name_stays_on_one_line(capsys):
    code, _, err = run(capsys, "validate", "/tmp/no-such\nwargame: fake.yaml")
    (line,) = assert_usage_error(code, err, "no such file")
    assert line == "wargame: /tmp/no-such\\nwargame: fake.yaml: no such file"


@pytest.mark.parametrize("args, says", [
    (["--inject", "1:H20-LICENCE", "--inject", "1:H20-LICENCE"], "this card is already scheduled for turn 1; give it once"),
])
def test_a_card_given_twice_for_one_quarter_is_refused(capsys, args, says):
    code, _, err = run(capsys, "run", "--turns", "1", *args)
    (line,) = assert_usage_error(code, err, says)


def test_a_card_after_the_game_is_over_says_so(capsys, tmp_path):
    save = tmp_path / "over.json"
    assert main(["run", "--save", str(save)]) == 0
    code, _, err = run(capsys, "run", "--load", str(save), "--inject", "24:H20-LICENCE")
    assert_usage_error(code, err, "the game is over (all 24 turns played); no card can be played")


def test_a_file_just_over_the_limit_never_reads_as_the_limit(tmp_path, monkeypatch):
    from wargame import limits

    monkeypatch.setattr(limits, "_max_file_bytes", 5 * 2**20)
    assert limits.file_size_problem(int(5.04 * 2**20), "f").startswith("f: file is 5.04 MB, over the 5 MB limit")
    assert limits.file_size_problem(int(7.3 * 2**20), "f").startswith("f: file is 7.3 MB, over the 5 MB limit")


def test_a_save_too_big_to_load_back_is_written_with_a_warning(capsys, tmp_path):
    save = tmp_path / "big.json"
    limit = 60_000  # above the scenario file (45 kB), below a one-quarter save (80 kB)
    assert (SCENARIO_DIR / "baseline.yaml").stat().st_size < limit
    code, _, err = run(capsys, "--max-file-mb", str(limit / 2**20), "run", "--turns", "1", "--save", str(save))
    assert code == 0 and save.exists()
    (line,) = err.splitlines()
    assert line.startswith(f"wargame: warning: --save {save}: the save is 0.0") and line.endswith(
        "MB, over the 0.0572 MB limit for reading files; load it with a larger --max-file-mb"), line
