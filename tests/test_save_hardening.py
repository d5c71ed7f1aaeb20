"""Save files that lie are refused; genuine ones load and continue exactly; `--save` writes only
regular files and keeps their permissions.

The bad saves are generated from a real save made here (a sampled baseline game with a
facilitator's inject, stopped mid-quarter after some orders): each corruption must end in exit
status 2, one to three lines all prefixed `wargame: `, naming the file and the field or log
entry, and no traceback. Loading is a replay of the move log compared with the snapshot, so
every edit of the snapshot, log, scenario, seed or draw shows up as a difference.
"""

from __future__ import annotations

import json
import math
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from wargame import MODEL_VERSION, limits
from wargame.cli import main
from wargame.runner import make_seats, play, play_phase
from wargame.safe_write import target_problem
from wargame.savefile import VERSION, SaveError
from wargame.scenario import Effect, Event, load_scenario
from wargame.session import GameSession
from wargame.verify import ReplayError

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, err: str, path: Path, *needles: str, max_lines: int = 3) -> list[str]:
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert 1 <= len(lines) <= max_lines, err
    assert all(ln.startswith("wargame: ") for ln in lines), err
    assert all(str(path) in ln for ln in lines), f"every line names the file:\n{err}"
    for needle in needles:
        assert needle in err, f"{needle!r} not in stderr:\n{err}"
    return lines


# --- the real save the corruptions start from -------------------------------------------------------

INJECT = Event(id="FAC1", quarter="2025Q3", description="Facilitator: Washington panics.",
               effects=[Effect(target="us.hawkishness", value=0.9)])


def _mid_quarter_game(seed: int = 1) -> tuple[GameSession, dict]:
    """Two quarters, a facilitator inject, a third quarter, then three or more seats and two
    orders of the fourth: the log has an inject, and the snapshot has used orders and public moves."""
    s = GameSession(load_scenario("baseline"), seed, sample_params=True)
    policies = make_seats(s, {"smugglers": "random"})
    play(s, policies, 2)
    s.inject(INJECT)
    play(s, policies, 1)
    for _ in range(3):
        play_phase(s, s.current_actor, policies[s.current_actor])
    while not any(m.kind != "pass" and not m.secret for m in s.legal_moves(s.current_actor)):
        play_phase(s, s.current_actor, policies[s.current_actor])
    actor = s.current_actor
    public = [m for m in s.legal_moves(actor) if m.kind != "pass" and not m.secret]
    assert s.submit(actor, public[len(public) // 2]) is None
    assert s.submit(actor, next(m for m in s.legal_moves(actor) if m.kind != "pass")) is None
    return s, policies


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Path, str, dict]:
    path = tmp_path_factory.mktemp("base") / "base.json"
    s, _ = _mid_quarter_game()
    assert s.snapshot()["used"] and s.snapshot()["public_moves"], "the base save is mid-quarter with orders"
    s.save(path)
    text = path.read_text(encoding="utf-8")
    return path, text, json.loads(text)


def _copy(d: dict) -> dict:
    return json.loads(json.dumps(d))


def _index(d: dict, pred: Callable[[dict], bool]) -> int:
    return next(i for i, e in enumerate(d["moves"]) if pred(e))


def _order(d: dict, kind: str | None = None) -> int:
    return _index(d, lambda e: "move" in e and e["move"]["kind"] != "pass" and (kind is None or e["move"]["kind"] == kind))


def _inject(d: dict) -> int:
    return _index(d, lambda e: "inject" in e)


# Each corruption: (text -> bytes) for the file as a whole, or (dict -> dict) for its JSON, and
# the words the one-line refusal must contain.
def _edit(fn: Callable[[dict], None]) -> Callable[[str, dict], bytes]:
    def make(text: str, data: dict) -> bytes:
        d = _copy(data)
        fn(d)
        return json.dumps(d, indent=1, allow_nan=True).encode()
    return make


def _text(fn: Callable[[str], str | bytes]) -> Callable[[str, dict], bytes]:
    def make(text: str, data: dict) -> bytes:
        out = fn(text)
        return out if isinstance(out, bytes) else out.encode()
    return make


def _set(path: str, value) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        *parents, last = path.split(".")
        node = d
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return fn


def _do(*steps: Callable[[dict], None]) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        for step in steps:
            step(d)
    return fn


def _add(path: str, delta: float) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        *parents, last = path.split(".")
        node = d
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[last] += delta
    return fn


def _drop_second_half(d: dict) -> None:
    d["moves"] = d["moves"][: len(d["moves"]) // 2]


def _drop_first_half(d: dict) -> None:
    d["moves"] = d["moves"][len(d["moves"]) // 2:]


def _insert_illegal(d: dict) -> None:
    d["moves"].insert(3, {"turn": 1, "actor": "us", "move": {"kind": "set_enforcement", "actor": "us", "budget_usd_m": -1.0}})


def _alter_amount(factor: float) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        e = d["moves"][_order(d, "set_subsidy")]["move"]
        e["usd_b"] = e["usd_b"] * factor
    return fn


def _wrong_entry_actor(d: dict) -> None:
    i = _order(d)
    d["moves"][i]["actor"] = "china" if d["moves"][i]["actor"] != "china" else "us"


def _wrong_move_actor(d: dict) -> None:
    i = _order(d, "set_subsidy")
    d["moves"][i]["move"]["actor"] = "us"


def _duplicate_order(d: dict) -> None:
    i = _order(d)
    d["moves"].insert(i + 1, _copy(d["moves"][i]))


def _duplicate_turn(d: dict) -> None:
    i = _index(d, lambda e: e["turn"] == 2)
    d["moves"][i]["turn"] = 1 if i == 0 else d["moves"][i - 1]["turn"] + 5


def _drop_a_pass(d: dict) -> None:
    del d["moves"][_index(d, lambda e: "move" in e and e["move"]["kind"] == "pass")]


def _swap_scenario(d: dict) -> None:
    other = load_scenario("smuggling-crackdown")
    d["scenario"] = other.model_dump(mode="json")
    d["scenario_name"] = other.name


def _other_draw(d: dict) -> None:
    from wargame.sampling import draw_parameters

    d["param_draw"] = draw_parameters(load_scenario("baseline"), 2)


def _deep_record(d: dict) -> None:
    deep: list = []
    for _ in range(limits.MAX_NESTING + 5):
        deep = [deep]
    d["snapshot"]["records"][0]["junk"] = deep


def _huge_nesting(text: str) -> str:
    return "[" * 200_000 + "]" * 200_000


def _non_utf8(text: str) -> bytes:
    return text.replace('"Facilitator: Washington', '"Facilitator: Washingt\xf6n', 1).encode("latin-1")


def _duplicate_key(text: str) -> str:
    return '{\n "seed": 2,' + text.lstrip()[1:]


def _huge_int(text: str) -> str:
    d = json.loads(text)
    return text.replace(f'"seed": {d["seed"]}', '"seed": ' + "9" * 5000, 1)


def _first_key(d: dict, section: str) -> str:
    return sorted(d["snapshot"][section][0] if section == "records" else d["snapshot"][section])[0]


CORRUPTIONS: dict[str, tuple[Callable[[str, dict], bytes], tuple[str, ...]]] = {
    # the file as a whole
    "truncated": (_text(lambda t: t[: len(t) // 2]), ("JSON error at line",)),
    "not_json": (_text(lambda t: "hello, world\n"), ("not a save file",)),
    "empty": (_text(lambda t: ""), ("not a save file",)),
    "json_array": (_text(lambda t: "[1, 2, 3]"), ("format", "list")),
    "json_string": (_text(lambda t: '"a save"'), ("format", "str")),
    "huge_nesting": (_text(_huge_nesting), ("nested deeper than",)),
    "deep_junk_in_a_record": (_edit(_deep_record), ("snapshot.records[0].junk", "nested deeper than")),
    "bom": (_text(lambda t: b"\xef\xbb\xbf" + t.encode()), ("byte-order mark",)),
    "non_utf8": (_text(_non_utf8), ("not UTF-8",)),
    "utf16": (_text(lambda t: t.encode("utf-16")), ("not UTF-8",)),
    "duplicate_key": (_text(_duplicate_key), ("'seed' appears twice",)),
    "huge_integer": (_text(_huge_int), ("not a save file",)),
    "nan_in_a_record": (_edit(lambda d: d["snapshot"]["records"][1].update(smic_yield=math.nan)),
                        ("snapshot.records[1].smic_yield", "NaN")),
    "infinity_in_flows": (_edit(lambda d: d["snapshot"]["flows"].update({_first_key(d, "flows"): -math.inf})),
                          ("snapshot.flows.", "-Infinity")),
    "1e999_as_a_number": (_text(lambda t: t.replace('"hawkishness": ', '"hawkishness": 1e999, "x": ', 1)),
                           ("1e999",)),
    "integer_of_5000_digits": (_text(lambda t: t.replace('"hawkishness": ', '"hawkishness": ' + "9" * 5000 + ', "x": ', 1)),
                               ("4300 digits",)),
    # header
    "format": (_edit(_set("format", "other-game-save")), ("format", "not a save file")),
    "version_2": (_edit(_set("version", 2)), ("version", "format 2", f"format {VERSION}")),
    "version_string": (_edit(_set("version", str(VERSION))), ("version",)),
    "version_float": (_edit(_set("version", float(VERSION))), ("version",)),
    "version_missing": (_edit(lambda d: d.pop("version")), ("version: required",)),
    "model_version": (_edit(_set("model_version", "2020.01-1")), ("model_version", "2020.01-1", MODEL_VERSION)),
    "model_version_missing": (_edit(lambda d: d.pop("model_version")), ("model_version", MODEL_VERSION)),
    # top-level fields
    "moves_missing": (_edit(lambda d: d.pop("moves")), ("moves: required",)),
    "snapshot_missing": (_edit(lambda d: d.pop("snapshot")), ("snapshot: required",)),
    "scenario_missing": (_edit(lambda d: d.pop("scenario")), ("scenario: required",)),
    "unknown_field": (_edit(_set("cheat", True)), ("cheat: unknown field",)),
    "moves_not_a_list": (_edit(_set("moves", {"0": 1})), ("moves: must be a list",)),
    "seed_string": (_edit(_set("seed", "1")), ("seed: must be an integer",)),
    "seed_bool": (_edit(_set("seed", True)), ("seed: must be an integer",)),
    "seed_negative": (_edit(_set("seed", -4)), ("seed: must be a non-negative",)),
    "seed_swapped": (_edit(_set("seed", 2)), ()),
    "seats_unknown_policy": (_edit(_set("seats.us", "genius")), ("seats.us", "genius")),
    "seats_unknown_actor": (_edit(_set("seats.mars", "random")), ("seats.mars", "unknown actor")),
    "seats_not_an_object": (_edit(_set("seats", ["us"])), ("seats: must be an object",)),
    "param_draw_of_another_seed": (_edit(_other_draw), ()),
    "param_draw_dropped": (_edit(_set("param_draw", None)), ()),
    "param_draw_outside": (_edit(lambda d: d["param_draw"].update({sorted(d["param_draw"])[0]: 1e9})), ("param_draw.",)),
    "scenario_swapped": (_edit(_swap_scenario), ()),
    "scenario_name_only": (_edit(_set("scenario_name", "historical")), ("scenario_name", "historical")),
    "scenario_broken": (_edit(_set("scenario.turns", -3)), ("scenario", "turns")),
    # the move log
    "second_half_of_the_log_deleted": (_edit(_drop_second_half), ("moves:", "replays to turn")),
    "first_half_of_the_log_deleted": (_edit(_drop_first_half), ("moves[0]", "out of order")),
    "illegal_move_inserted": (_edit(_insert_illegal), ("moves[3]", "turn 1, us", "budget_usd_m")),
    "amount_altered_within_bounds": (_edit(_alter_amount(0.5)), ("snapshot.", "differs")),
    "amount_altered_out_of_bounds": (_edit(_alter_amount(100.0)), ("moves[", "usd_b", "out of bounds")),
    "entry_of_the_wrong_actor": (_edit(_wrong_entry_actor), ("moves[", "refused")),
    "move_for_another_actor": (_edit(_wrong_move_actor), ("moves[", "refused")),
    "order_duplicated": (_edit(_duplicate_order), ("moves[", "refused")),
    "turn_number_edited": (_edit(_duplicate_turn), ("moves[", "out of order")),
    "a_pass_deleted": (_edit(_drop_a_pass), ("moves[", "refused")),
    "entry_not_an_object": (_edit(lambda d: d["moves"].insert(2, "pass")), ("moves[2]: must be an object",)),
    "entry_extra_field": (_edit(lambda d: d["moves"][0].update(note="hi")), ("moves[0]", "unknown field")),
    "entry_without_move": (_edit(lambda d: d["moves"][0].pop("move")), ("moves[0]", "missing move")),
    "malformed_move": (_edit(lambda d: d["moves"][_order(d)]["move"].update(kind="launch_missiles")), ("moves[", "malformed move")),
    "inject_bad_target": (_edit(lambda d: d["moves"][_inject(d)]["inject"]["effects"][0].update(target="us.warp_drive")),
                          ("moves[", "facilitator", "us.warp_drive")),
    "inject_bad_value": (_edit(lambda d: d["moves"][_inject(d)]["inject"]["effects"][0].update(value="very")),
                         ("moves[", "facilitator")),
    "inject_no_effects": (_edit(lambda d: d["moves"][_inject(d)]["inject"].update(effects=[])), ("moves[", "inject refused")),
    "inject_by_a_seat": (_edit(lambda d: d["moves"][_inject(d)].update(actor="us")), ("moves[", "facilitator")),
    "inject_deleted": (_edit(lambda d: d["moves"].pop(_inject(d))), ()),
    # the snapshot
    "stock_edited": (_edit(_add("snapshot.world.huawei.die_bank", 1000.0)), ("snapshot.world.huawei.die_bank", "differs")),
    "hawkishness_edited": (_edit(_set("snapshot.world.us.hawkishness", 0.1)), ("snapshot.world.us.hawkishness",)),
    "quarter_index_edited": (_edit(_add("snapshot.world.quarter_index", 1)), ("snapshot.world.quarter_index",)),
    "world_field_removed": (_edit(lambda d: d["snapshot"]["world"]["smic"].pop("duv_tools")), ("snapshot.world.smic.duv_tools", "missing")),
    "world_field_added": (_edit(_set("snapshot.world.smic.warp", 1)), ("snapshot.world.smic.warp",)),
    "news_edited": (_edit(lambda d: d["snapshot"]["world"]["news"].append("Fake news")), ("snapshot.world.news",)),
    "turn_edited": (_edit(_add("snapshot.world.turn", 1)), ("replays to turn",)),
    "phase_edited": (_edit(_add("snapshot.phase", 1)), ("replays to turn", "phase")),
    "phase_junk": (_edit(_set("snapshot.phase", "two")), ("phase",)),
    "used_junk": (_edit(_set("snapshot.used", 5)), ("snapshot.used",)),
    "used_extra_pair": (_edit(lambda d: d["snapshot"]["used"].append(["set_subsidy", "hbm"])), ("snapshot.used",)),
    "public_moves_junk": (_edit(lambda d: d["snapshot"]["public_moves"].append({"actor": "us", "move": "nuke"})),
                          ("snapshot.public_moves",)),
    "public_moves_emptied": (_edit(_set("snapshot.public_moves", [])), ("snapshot.public_moves",)),
    "record_value_edited": (_edit(lambda d: d["snapshot"]["records"][0].update(smic_yield=0.99)), ("snapshot.records[0].smic_yield",)),
    "record_removed": (_edit(lambda d: d["snapshot"]["records"].pop()), ("snapshot.records",)),
    "records_not_a_list": (_edit(_set("snapshot.records", {"turn": 1})), ("snapshot.records",)),
    "flows_junk": (_edit(lambda d: d["snapshot"]["flows"].update({_first_key(d, "flows"): "junk"})), ("snapshot.flows.",)),
    "flows_extra_key": (_edit(lambda d: d["snapshot"]["flows"].update(bribes=1.0)), ("snapshot.flows.bribes",)),
    "snapshot_extra_key": (_edit(_set("snapshot.cheat", 1)), ("snapshot.cheat",)),
    "snapshot_missing_key": (_edit(lambda d: d["snapshot"].pop("flows")), ("snapshot.flows",)),
    "snapshot_a_list": (_edit(_set("snapshot", [])), ("snapshot: must be an object",)),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_corrupted_save_is_refused_in_one_line(capsys, tmp_path, base, name):
    make, needles = CORRUPTIONS[name]
    _, text, data = base
    bad = tmp_path / f"{name}.json"
    bad.write_bytes(make(text, data))
    code, out, err = run(capsys, "run", "--load", str(bad), "--turns", "1")
    assert out == ""
    lines = assert_refused(code, err, bad, *needles)
    if not needles:  # a coherent lie: only the replay can tell, and it names where
        assert any(w in err for w in ("moves", "snapshot.", "differs")), err
    with pytest.raises(SaveError) as exc:
        GameSession.load(bad)
    assert exc.value.problems == [ln.removeprefix("wargame: ") for ln in lines]


def test_a_too_long_integer_is_refused_without_python_advice(capsys, tmp_path, base):
    """Python's ValueError ends "use sys.set_int_max_str_digits() to increase the limit": advice
    for a programmer; the line keeps the reason only (the same trimming as mc's manifest reader)."""
    bad = tmp_path / "digits.json"
    bad.write_bytes(CORRUPTIONS["integer_of_5000_digits"][0](base[1], base[2]))
    code, _, err = run(capsys, "run", "--load", str(bad), "--turns", "1")
    (line,) = assert_refused(code, err, bad, "4300 digits")
    assert "set_int_max_str_digits" not in line and line.endswith("value has 5000 digits)"), line


def test_there_are_enough_corruptions():
    assert len(CORRUPTIONS) >= 45


def test_the_base_save_itself_loads(base):
    path, _, data = base
    loaded = GameSession.load(path)
    assert data["model_version"] == MODEL_VERSION and data["version"] == VERSION
    assert loaded.snapshot() == data["snapshot"]


def test_an_edited_stock_names_the_field_and_why(capsys, tmp_path, base):
    _, _, data = base
    d = _copy(data)
    d["snapshot"]["world"]["huawei"]["die_bank"] += 1.0
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(d))
    code, _, err = run(capsys, "run", "--load", str(bad))
    [line] = assert_refused(code, err, bad)
    assert line.startswith(f"wargame: {bad}: snapshot.world.huawei.die_bank: differs from the replayed game "
                           "(the file was edited, or made by another model version)")


def test_an_oversize_save_is_refused_before_it_is_read(capsys, tmp_path, base, monkeypatch):
    path, _, _ = base
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k))
    code, _, err = run(capsys, "--max-file-mb", "0.01", "run", "--load", str(path))
    monkeypatch.undo()
    assert_refused(code, err, path, "MB limit", "--max-file-mb")
    assert str(path) not in opened
    code, _, err = run(capsys, "run", "--load", str(path), "--max-file-mb", "0.01")
    assert_refused(code, err, path, "--max-file-mb")
    assert limits.max_file_bytes() == limits.DEFAULT_MAX_FILE_BYTES, "the limit lasts one invocation"
    assert run(capsys, "run", "--load", str(path), "--max-file-mb", "50", "--turns", "1")[0] == 0


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "lots", "1e-12"])
def test_bad_max_file_mb(capsys, value):
    code, _, err = run(capsys, "--max-file-mb", value, "scenarios")
    assert code == 2 and err.count("\n") == 1 and err.startswith(f"wargame: --max-file-mb {value}:"), err


def test_a_fifo_or_directory_is_not_read_as_a_save(capsys, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "run", "--load", str(fifo))  # must not block on the pipe
    assert_refused(code, err, fifo, "not a regular file")
    code, _, err = run(capsys, "run", "--load", str(tmp_path))
    assert_refused(code, err, tmp_path, "directory")


@pytest.mark.parametrize("argv", [("run", "--save", ""), ("run", "--load", ""), ("run", "--scenario", ""), ("validate", "")])
def test_empty_paths_and_names_are_errors(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("wargame: ") and "empty" in err, err


def test_replay_names_the_entry_of_an_illegal_move(base):
    _, _, data = base
    moves = _copy(data)["moves"]
    moves[5] = {**moves[5], "move": {"kind": "set_enforcement", "actor": "us", "budget_usd_m": -1.0}}
    with pytest.raises(ReplayError, match="move log entry 5") as exc:
        GameSession.replay(load_scenario("baseline"), data["seed"], moves, data["seats"], data["param_draw"])
    assert exc.value.index == 5 and isinstance(exc.value, ValueError)


def test_the_corrupted_saves_fail_cleanly_in_a_real_process(tmp_path, base):
    """The same refusals through `python -m wargame`: no traceback, nothing on stdout."""
    _, text, data = base
    for name in ("stock_edited", "illegal_move_inserted", "huge_nesting", "nan_in_a_record", "model_version"):
        bad = tmp_path / f"{name}.json"
        bad.write_bytes(CORRUPTIONS[name][0](text, data))
        proc = subprocess.run([sys.executable, "-m", "wargame", "run", "--load", str(bad)], capture_output=True,
                              text=True, cwd=ROOT, timeout=120, env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
        assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"wargame: {bad}: "), proc.stderr


# --- genuine saves load and continue exactly ---------------------------------------------------------


@pytest.mark.parametrize("seed,extra", [(0, ()), (3, ("--seat", "us=random")), (5, ("--sample-params",)),
                                        (8, ("--sample-params", "--seat", "huawei=idle"))])
def test_a_genuine_save_continues_to_the_straight_result(capsys, tmp_path, seed, extra):
    save = tmp_path / "g.json"
    code, _, err = run(capsys, "run", "--seed", str(seed), "--turns", "4", *extra, "--save", str(save))
    assert code == 0, err
    code, out, err = run(capsys, "run", "--json", "--load", str(save), *[x for x in extra if x != "--sample-params"])
    assert code == 0, err
    resumed = json.loads(out)
    code, out, err = run(capsys, "run", "--json", "--seed", str(seed), *extra)
    straight = json.loads(out)
    assert resumed["turns_played"] == straight["turns_played"] == 24
    assert resumed["state_hash"] == straight["state_hash"]
    assert resumed["timeline"] == straight["timeline"]


def test_a_mid_quarter_save_with_an_inject_continues_exactly(tmp_path):
    straight, policies = _mid_quarter_game(seed=4)
    path = tmp_path / "mid.json"
    straight.save(path)
    loaded = GameSession.load(path)
    assert loaded.snapshot_hash() == straight.snapshot_hash() and loaded.moves == straight.moves
    assert loaded.current_actor == straight.current_actor
    play(straight, policies)
    play(loaded, make_seats(loaded))
    assert loaded.is_over and loaded.state_hash() == straight.state_hash()
    assert loaded.snapshot_hash() == straight.snapshot_hash()


def test_saving_over_the_loaded_file_works(capsys, tmp_path):
    save = tmp_path / "same.json"
    assert run(capsys, "run", "--turns", "2", "--save", str(save))[0] == 0
    code, out, err = run(capsys, "run", "--load", str(save), "--turns", "2", "--save", str(save))
    assert code == 0, err
    assert GameSession.load(save).world.turn == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same.json"]


# --- where --save may write -------------------------------------------------------------------------


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_save_gets_the_umask_mode_not_0600(capsys, tmp_path, umask_022):
    save = tmp_path / "new.json"
    assert run(capsys, "run", "--turns", "1", "--save", str(save))[0] == 0
    assert _mode(save) == 0o644


def test_a_replaced_save_keeps_its_mode(capsys, tmp_path, umask_022):
    save = tmp_path / "kept.json"
    save.write_text("old")
    os.chmod(save, 0o640)
    assert run(capsys, "run", "--turns", "1", "--save", str(save))[0] == 0
    assert _mode(save) == 0o640 and save.read_text() != "old"


def test_a_read_only_save_needs_force(capsys, tmp_path):
    save = tmp_path / "ro.json"
    save.write_text("old")
    os.chmod(save, 0o444)
    code, out, err = run(capsys, "run", "--turns", "1", "--save", str(save))
    assert_refused(code, err, save, "read-only", "--force", max_lines=1)
    assert out == "" and save.read_text() == "old"
    assert run(capsys, "run", "--turns", "1", "--save", str(save), "--force")[0] == 0
    assert _mode(save) == 0o444 and GameSession.load(save).world.turn == 1


def test_a_symlink_needs_force_and_its_target_is_untouched(capsys, tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("precious")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    code, _, err = run(capsys, "run", "--turns", "1", "--save", str(link))
    assert_refused(code, err, link, "symbolic link", "--force", max_lines=1)
    assert link.is_symlink()
    assert run(capsys, "run", "--turns", "1", "--save", str(link), "--force")[0] == 0
    assert not link.is_symlink() and link.is_file() and target.read_text() == "precious"


def test_a_fifo_needs_force(capsys, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "run", "--turns", "1", "--save", str(fifo))
    assert_refused(code, err, fifo, "FIFO", "--force", max_lines=1)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert run(capsys, "run", "--turns", "1", "--save", str(fifo), "--force")[0] == 0
    assert stat.S_ISREG(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_a_directory_is_never_replaced(capsys, tmp_path, force):
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run(capsys, "run", "--turns", "1", "--save", str(folder), *force)
    assert_refused(code, err, folder, "directory", max_lines=1)
    assert folder.is_dir()


def test_a_device_is_never_replaced_even_with_force():
    assert "device" in target_problem("/dev/null", force=True)
    assert "device" in target_problem("/dev/null", force=False)


@pytest.mark.parametrize("where", ["missing", "file"])
def test_the_save_folder_must_exist(capsys, tmp_path, where):
    parent = tmp_path / "nope"
    if where == "file":
        parent.write_text("a file")
    save = parent / "g.json"
    code, out, err = run(capsys, "run", "--turns", "1", "--save", str(save))
    assert_refused(code, err, save, str(parent), "does not exist" if where == "missing" else "not a folder", max_lines=1)
    assert out == "", "the target is checked before the game is played"


# --- edits the replay cannot see: save format 4's digest ---------------------------------------------
UNSEEN_EDITS = {
    "a_seat": lambda d: d["seats"].update(us="random" if d["seats"]["us"] != "random" else "doctrine"),
    "the_title": lambda d: d["scenario"].update(title=d["scenario"]["title"] + " (edited)"),
    "a_source": lambda d: d["scenario"]["parameters"][sorted(d["scenario"]["parameters"])[0]].update(source="edited"),
    "the_length": lambda d: d["scenario"].update(turns=d["scenario"]["turns"] + 4),  # quarters the replay never reaches
    "the_digest_itself": lambda d: d.update(digest="0" * 64),
}


@pytest.mark.parametrize("edit", UNSEEN_EDITS.values(), ids=list(UNSEEN_EDITS))
def test_an_edit_the_replay_cannot_see_is_refused_by_the_digest(capsys, tmp_path, base, edit):
    bad = tmp_path / "edited.json"
    bad.write_bytes(_edit(edit)(base[1], base[2]))
    code, _, err = run(capsys, "run", "--load", str(bad), "--turns", "1")
    (line,) = assert_refused(code, err, bad, "digest: the file was edited after it was saved")


def test_a_save_reformatted_but_not_edited_still_loads(tmp_path, base):
    """The digest is over the content in one canonical spelling, not over the file's bytes."""
    again = tmp_path / "reindented.json"
    again.write_text(json.dumps(base[2], indent=4))
    assert GameSession.load(again).state_hash() == GameSession.load(base[0]).state_hash()
