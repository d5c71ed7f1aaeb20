"""A validated scenario always runs; a bad one is refused in one line per problem (issue 7).

* Property: scenarios generated inside every declared range (parameters at their edges, list
  values, initial-state numbers within their Field bounds, Tier-2 roster subsets, random valid
  events, start quarters and lengths) are either refused by `scenario_from_dict` or play to
  the end headless with no exception and only finite numbers in the record. A larger run is
  behind WARGAME_SLOW=1 (the project has no `slow` marker).
* Corpus: every file in tests/bad_scenarios/ is refused by `wargame validate` with its
  `# expect:` fragment in the message, one `wargame: ` line per problem naming a file.
* Bounded input: alias bombs, deep nesting and long `extends` chains are generated here at
  run time and refused quickly in one line; `extends` resolves next to the file naming it.
"""

from __future__ import annotations

import copy
import math
import os
import re
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import numpy as np
import pytest
import yaml
from annotated_types import Ge, Gt, Le
from hypothesis import given, settings
from hypothesis import strategies as st

from wargame import limits
from wargame.cli import main
from wargame.ids import KNOWN_TIER2, format_quarter, parse_quarter
from wargame.params import FIRST_YEAR, LAST_YEAR, SCORE_TERMS, Params, bounds, list_length
from wargame.runner import make_seats, play
from wargame.scenario import (
    FORBIDDEN_TARGETS,
    MAX_STATE_NUMBER,
    MIN_POSITIVE,
    SCENARIO_DIR,
    ScenarioError,
    load_scenario,
    scenario_from_dict,
)
from wargame.session import GameSession
from wargame.state import ENTITY_TARGETS, SUBSIDY_SECTORS, World

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_scenarios"
SLOW = bool(os.environ.get("WARGAME_SLOW"))


# --- generating valid scenarios ------------------------------------------------------------------
@cache
def baseline_raw() -> dict:
    return yaml.safe_load((SCENARIO_DIR / "baseline.yaml").read_text(encoding="utf-8"))


def _number(lo: float, hi: float, integer: bool = False) -> st.SearchStrategy:
    """A value in [lo, hi], often an edge; log-uniform across wide positive ranges."""
    if integer:
        return st.one_of(st.sampled_from([int(lo), int(hi)]), st.integers(int(lo), int(hi)))
    inner = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if lo > 0 and hi / lo > 100:
        inner = st.floats(math.log(lo), math.log(hi)).map(lambda x: min(hi, max(lo, math.exp(x))))
    return st.one_of(st.sampled_from([float(lo), float(hi)]), inner)


def param_value(name: str) -> st.SearchStrategy:
    field = Params.model_fields[name]
    if field.annotation is str:
        return st.integers(FIRST_YEAR * 4, LAST_YEAR * 4 + 3).map(format_quarter)
    lo, hi = bounds(name)
    if field.annotation is int:
        return _number(lo, hi, integer=True)
    n = list_length(name)
    if n is None:
        return _number(lo, hi)
    return st.integers(n[0], min(n[1], 8)).flatmap(lambda k: st.lists(_number(lo, hi), min_size=k, max_size=k))


def _state_bounds(cls: type, field: str) -> tuple[float, float, bool]:
    """(lo, hi, positive) of a numeric state field, capped where the schema has no upper bound."""
    meta = cls.model_fields[field].metadata
    lo = next((m.ge for m in meta if isinstance(m, Ge)), None)
    gt = next((m.gt for m in meta if isinstance(m, Gt)), None)
    hi = next((m.le for m in meta if isinstance(m, Le)), None)
    low = MIN_POSITIVE if gt is not None else (lo if lo is not None else -1e6)
    return float(low), float(hi if hi is not None else MAX_STATE_NUMBER), gt is not None


def _bare(tp: Any) -> Any:
    return get_args(tp)[0] if hasattr(tp, "__metadata__") else tp  # Annotated[T, ...] -> T


def state_value(cls: type, field: str, nations: list[str]) -> st.SearchStrategy | None:
    """A value the World schema and the scenario checks accept for one field (None: skip it)."""
    tp = _bare(cls.model_fields[field].annotation)
    if tp is bool:
        return st.booleans()
    if tp in (int, float):
        lo, hi, _ = _state_bounds(cls, field)
        if tp is int:
            return st.integers(int(max(lo, -50)), int(min(hi, 50)))
        return st.one_of(_number(lo, hi), _number(max(lo, 0.0), min(hi, 1e7)))
    if get_origin(tp) is Literal:
        return st.sampled_from(get_args(tp))
    if field == "entity_list":
        return st.lists(st.sampled_from(ENTITY_TARGETS), unique=True).map(sorted)
    if field in ("pipeline", "packaging_pipeline"):
        return st.lists(st.tuples(st.integers(0, 30).map(float), _number(0.0, 1e6)).map(list), max_size=4)
    if field in ("diffusion",):
        return st.dictionaries(st.sampled_from(nations), st.sampled_from(("tier1", "tier2", "tier3")))
    if field in ("tier2_caps_h100e", "court_offers_usd_b", "routes"):
        return st.dictionaries(st.sampled_from(nations), _number(0.0, 1e6))
    if field == "subsidies_usd_b":
        return st.dictionaries(st.sampled_from(SUBSIDY_SECTORS), _number(0.0, 100.0))
    return None


STATES = {name: _bare(f.annotation) for name, f in World.model_fields.items() if name not in FORBIDDEN_TARGETS
          and isinstance(_bare(f.annotation), type) and hasattr(_bare(f.annotation), "model_fields")}
TIER2_STATE = get_args(World.model_fields["tier2"].annotation)[1]


@st.composite
def effects(draw: Any, nations: list[str]) -> dict:
    """One effect with a valid target, op and value (adds stay >= 0 on fields that must stay > 0)."""
    if draw(st.integers(0, 4)) == 0:  # an entry of a map
        target = draw(st.sampled_from([f"us.diffusion.{n}" for n in nations] + [f"us.tier2_caps_h100e.{n}" for n in nations]
                                      + [f"smugglers.routes.{n}" for n in nations] + [f"china.court_offers_usd_b.{n}" for n in nations]
                                      + [f"china.subsidies_usd_b.{s}" for s in SUBSIDY_SECTORS]))
        if target.startswith("us.diffusion"):
            return {"target": target, "value": draw(st.sampled_from(("tier1", "tier2", "tier3")))}
        return {"target": target, "op": draw(st.sampled_from(["set", "add"])), "value": draw(_number(0.0, 1e6))}
    if draw(st.booleans()):
        owner, cls = f"tier2.{draw(st.sampled_from(nations))}", TIER2_STATE
    else:
        owner = draw(st.sampled_from(sorted(STATES)))
        cls = STATES[owner]
    field = draw(st.sampled_from(sorted(cls.model_fields)))
    if owner in ("huawei", "nvidia", "market") and field in ("die_bank", "unsold_china_inventory_h100e") or field.startswith("cumulative_"):
        field = "hawkishness" if owner == "us" else next(iter(cls.model_fields))  # ledgered: not alone
    tp = _bare(cls.model_fields[field].annotation)
    if tp in (int, float) and tp is not bool and draw(st.booleans()):
        lo, hi, positive = _state_bounds(cls, field)
        span = min(hi - lo, 1e6)
        value = draw(_number(0.0 if positive else -span, span, integer=tp is int))
        return {"target": f"{owner}.{field}", "op": "add", "value": value}
    if field == "entity_list" and draw(st.booleans()):
        return {"target": f"{owner}.{field}", "op": draw(st.sampled_from(["append", "remove"])),
                "value": draw(st.sampled_from(ENTITY_TARGETS))}
    strategy = state_value(cls, field, nations)
    if strategy is None:
        return {"target": "us.hawkishness", "value": draw(_number(0.0, 1.0))}
    return {"target": f"{owner}.{field}", "value": draw(strategy)}


def _tier2_entry(draw: Any) -> dict:
    return {"alignment": draw(_number(-1.0, 1.0)), "stance": draw(st.sampled_from(("align_us", "hedge", "buy_chinese"))),
            "transship_controls": draw(st.sampled_from(("none", "permits", "strict"))),
            "dc_capacity_mw": draw(_number(0.0, 1e4)), "max_build_mw_per_quarter": draw(_number(0.0, 500.0)),
            "build_mw_per_quarter": draw(_number(0.0, 200.0)), "compute_stock_h100e": draw(_number(0.0, 1e7))}


@st.composite
def distributions(draw: Any, name: str, value: float) -> dict | None:
    """A distribution around `value` whose support lies inside the parameter's range, or None."""
    lo, hi = bounds(name)
    if Params.model_fields[name].annotation is not float or not draw(st.booleans()):
        return None
    low, high = draw(_number(lo, value)), draw(_number(value, hi))
    if not low < high:
        return None
    if low > 0 and draw(st.booleans()):
        return {"kind": "lognormal", "sigma": draw(st.floats(0.01, 2.0)), "low": low, "high": high}
    return {"kind": draw(st.sampled_from(["uniform", "triangular"])), "low": low, "high": high}


@st.composite
def mutations(draw: Any, max_turns: int = 6) -> dict:
    """What to change in baseline's raw dict (kept small so a failing example reads well):
    the clock, parameters at their edges or inside, the roster, initial-state numbers within
    their Field bounds, and events with random valid effects."""
    raw = baseline_raw()
    turns = draw(st.integers(1, 6) if max_turns <= 6 else st.one_of(st.integers(1, 6), st.integers(1, max_turns)))
    start = draw(st.one_of(st.just(parse_quarter("2025Q1")), st.integers(FIRST_YEAR * 4, LAST_YEAR * 4 + 4 - turns)))
    nations = draw(st.lists(st.sampled_from(KNOWN_TIER2), min_size=1, unique=True))
    names = draw(st.lists(st.sampled_from(sorted(raw["parameters"])), max_size=40, unique=True))
    initial = []
    for _ in range(draw(st.integers(0, 12))):
        owner = draw(st.sampled_from(sorted(STATES) + ["tier2"]))
        nation, cls = (draw(st.sampled_from(nations)), TIER2_STATE) if owner == "tier2" else (None, STATES[owner])
        field = draw(st.sampled_from(sorted(cls.model_fields)))
        strategy = state_value(cls, field, nations)
        if strategy is not None and not (field == "die_bank" or field.startswith("cumulative_")):
            initial.append(((owner, nation, field) if nation else (owner, field), draw(strategy)))
    values = {n: draw(param_value(n)) for n in names}
    dists = {n: draw(distributions(n, v)) for n, v in values.items() if isinstance(v, (int, float))}
    return {
        "start_quarter": format_quarter(start), "turns": turns, "tier2": nations,
        "new_tier2": {n: _tier2_entry(draw) for n in nations if n not in raw["initial"]["tier2"]},
        "parameters": values,
        "distributions": {n: dist for n, dist in dists.items() if dist is not None},
        "initial": initial,
        "event_quarters": draw(st.lists(st.integers(0, turns - 1), min_size=20, max_size=20)),
        "events": [draw(st.lists(effects(nations), min_size=1, max_size=4)) for _ in range(draw(st.integers(0, 3)))],
        "random_events": [(draw(st.sampled_from([0.0, 0.5, 1.0])), draw(st.booleans()),
                           draw(st.lists(effects(nations), min_size=1, max_size=3))) for _ in range(draw(st.integers(0, 2)))],
        "no_seats": draw(st.booleans()),
    }


def build(m: dict) -> dict:
    """Baseline's raw dict with the mutation applied."""
    d = copy.deepcopy(baseline_raw())
    d.update(name="fuzz", start_quarter=m["start_quarter"], turns=m["turns"])
    start, nations = parse_quarter(m["start_quarter"]), m["tier2"]
    params = d["parameters"]
    for name, value in m["parameters"].items():  # a mutated parameter keeps only a new distribution
        params[name] = {k: v for k, v in params[name].items() if k != "distribution"} | {"value": value}
        if name in m["distributions"]:
            params[name]["distribution"] = m["distributions"][name]
    if params["hbm_min_stacks_per_chip"]["value"] > params["hbm_stacks_per_chip"]["value"]:
        params["hbm_min_stacks_per_chip"]["value"] = params["hbm_stacks_per_chip"]["value"]
    initial = d["initial"]
    initial["tier2"] = {n: initial["tier2"].get(n) or m["new_tier2"][n] for n in nations}
    for actor, field in (("us", "diffusion"), ("us", "tier2_caps_h100e"), ("smugglers", "routes")):
        initial[actor][field] = {n: v for n, v in initial[actor].get(field, {}).items() if n in nations}
    d["seats"] = {} if m["no_seats"] else {a: p for a, p in d["seats"].items() if a not in KNOWN_TIER2 or a in nations}
    d["locks"] = {a: k for a, k in d["locks"].items() if a not in KNOWN_TIER2 or a in nations}
    for path, value in m["initial"]:
        holder = initial
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
    events = [e for e in d["events"] if all(n in nations for n in KNOWN_TIER2 if any(n in f["target"] for f in e["effects"]))]
    events += [{"id": f"F{i}", "description": "fuzz", "effects": eff} for i, eff in enumerate(m["events"])]
    for ev, offset in zip(events, m["event_quarters"], strict=False):
        ev["quarter"] = format_quarter(start + offset)
    d["events"] = events
    d["random_events"] += [{"id": f"R{i}", "description": "fuzz", "hazard_per_quarter": hazard, "repeatable": again,
                            "effects": eff} for i, (hazard, again, eff) in enumerate(m["random_events"])]
    return d


def _finite(x: Any) -> bool:
    if isinstance(x, float):
        return math.isfinite(x)
    if isinstance(x, dict):
        return all(_finite(v) for v in x.values())
    if isinstance(x, list):
        return all(_finite(v) for v in x)
    return True


def play_to_the_end(mutation: dict, seed: int, seats: str, sample: bool) -> bool:
    """Load and play; False if the scenario is refused. Any exception is a finding."""
    try:
        sc = scenario_from_dict(build(mutation), "fuzz")
    except ScenarioError:
        return False
    session = GameSession(sc, seed, sample_params=sample)
    play(session, make_seats(session, {a: seats for a in session.actors} if seats != "scenario" else {}))
    assert session.is_over and len(session.timeline) == sc.turns
    bad = [(r["quarter"], k) for r in session.timeline for k, v in r.items() if not _finite(v)]
    assert not bad, f"non-finite numbers in the record: {bad[:5]}"
    return True


FUZZ = dict(deadline=None, derandomize=True, database=None)


@settings(max_examples=25, **FUZZ)
@given(mutation=mutations(), seed=st.integers(0, 2**31), seats=st.sampled_from(["scenario", "random"]), sample=st.booleans())
def test_a_scenario_that_validates_plays_to_the_end(mutation, seed, seats, sample):
    play_to_the_end(mutation, seed, seats, sample)


@pytest.mark.skipif(not SLOW, reason="set WARGAME_SLOW=1 for the long fuzz run")
@settings(max_examples=400, **FUZZ)
@given(mutation=mutations(max_turns=200), seed=st.integers(0, 2**31), seats=st.sampled_from(["scenario", "random", "doctrine", "idle"]),
       sample=st.booleans())
def test_many_scenarios_that_validate_play_to_the_end(mutation, seed, seats, sample):
    play_to_the_end(mutation, seed, seats, sample)


def test_most_generated_scenarios_validate():
    """The property above is not vacuous: most generated scenarios are accepted and played."""
    played = []

    @settings(max_examples=12, **FUZZ)
    @given(mutation=mutations())
    def check(mutation):
        try:
            scenario_from_dict(build(mutation), "fuzz")
            played.append(True)
        except ScenarioError:
            played.append(False)

    check()
    assert sum(played) >= len(played) // 2, f"only {sum(played)} of {len(played)} generated scenarios validate"


# --- the corpus of bad scenarios -----------------------------------------------------------------
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))


def _marks(path: Path, kind: str) -> list[str]:
    return re.findall(rf"^# {kind}: (.*)$", path.read_text(encoding="utf-8"), re.M)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, err: str, path: Path, expects: list[str], nevers: list[str] = ()) -> list[str]:
    """Exit 2, one `wargame: ` line per problem naming the file (or `(via file)` for a parent's)."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines and all(ln.startswith("wargame: ") for ln in lines), err
    assert all(str(path) in ln for ln in lines), f"a line does not name {path}:\n{err}"
    for fragment in expects:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    for fragment in nevers:
        assert fragment not in err, f"{fragment!r} must not be printed:\n{err}"
    return lines


def test_the_corpus_has_at_least_60_files_each_with_an_expectation():
    assert len(CORPUS_FILES) >= 60
    assert all(_marks(p, "expect") for p in CORPUS_FILES), [p.name for p in CORPUS_FILES if not _marks(p, "expect")]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_validate_refuses_each_bad_scenario_in_one_line(capsys, path):
    code, out, err = run_cli(capsys, "validate", str(path))
    expects = _marks(path, "expect")
    (line,) = assert_refused(code, err, path, expects, _marks(path, "never"))
    assert out == ""
    via = any("(via" in e for e in expects)
    assert (f"(via {path})" in line) if via else line.startswith(f"wargame: {path}: "), line


SUBPROCESS_CASES = ("param_zero_divisor", "random_event_resets_turn", "tier2_named_china", "extends_not_a_scenario",
                    "yaml_deep_nesting", "event_sets_quarter_index", "pipeline_entry_without_value",
                    "yaml_control_character", "yaml_tagged_value_unreadable", "yaml_integer_too_long")


@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_real_command_refuses_bad_files_without_a_traceback(command):
    for stem in SUBPROCESS_CASES:
        path = CORPUS / f"{stem}.yaml"
        argv = ["validate", str(path)] if command == "validate" else ["run", "--turns", "2", "--scenario", str(path)]
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run([sys.executable, "-m", "wargame", *argv], capture_output=True, text=True, cwd=ROOT,
                              env=env, timeout=120)
        assert proc.stdout == ""
        assert_refused(proc.returncode, proc.stderr, path, _marks(path, "expect"), _marks(path, "never"))


# --- bounded input: generated at run time ----------------------------------------------------------
def refused(path: Path | str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    return info.value.problems


def _outcome(cls, text: str):
    """What a loader class makes of `text`: its data, or its error's kind, problem and place."""
    try:
        loader = cls(text)  # the Python reader checks every character here
        try:
            return "data", loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return type(exc).__name__, getattr(exc, "problem", None), mark and (mark.line, mark.column)


SYNTAX_ERRORS = ["name: [unclosed\nturns: 3\n", "a: b: c\n", "- a\nb: 1\n", "\t- x\n", "x: 'open\n"]
OTHER_YAML = ["a: !!int abc\n", "a: 1\na: 2\n", "b: &b {x: 1}\ng:\n  m: &m\n    <<: *b\n    x: 2\no:\n  <<: *m\n", "a: !!timestamp 99\n", "a: !!bool maybe\n", "a: *nope\n", "a: !!python/object:os.system x\n", "--- 1\n--- 2\n", "", "x: 1e3\ny: .inf\nz: 0o17\nw: 1_000\n"]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml has only the Python loader")
def test_the_libyaml_loader_reads_every_file_as_the_python_loader_does():
    """Scenarios are parsed by libyaml (five times faster) under the same Python composer, limits
    and constructor: the same data from every YAML file in the repository, the same errors."""
    from wargame.scenario import _BoundedLoader, _FastBoundedLoader

    files = [p for p in ROOT.rglob("*.yaml") if ".venv" not in p.parts]
    assert len(files) > 100
    for text in [p.read_text(encoding="utf-8") for p in files] + OTHER_YAML + SYNTAX_ERRORS:
        fast, slow = _outcome(_FastBoundedLoader, text), _outcome(_BoundedLoader, text)
        if slow[0] in ("ScannerError", "ParserError"):  # the same error at the same place, in other words
            assert (fast[0], fast[2]) == (slow[0], slow[2])
        elif slow[0] == "ReaderError":  # a character YAML forbids: libyaml refuses it too
            assert fast[0] == "ReaderError"
        else:
            assert fast == slow


@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_a_syntax_error_is_worded_by_the_python_loader(text):
    """libyaml words syntax errors less precisely ("did not find expected ..."): a file that is
    not YAML is read again by the Python loader, whose message the user sees."""
    from wargame.scenario import _BoundedLoader, _load_bounded

    with pytest.raises(yaml.YAMLError) as info:
        _load_bounded(text)
    exc = info.value
    assert ("error", exc.problem, (exc.problem_mark.line, exc.problem_mark.column)) == \
        ("error", *_outcome(_BoundedLoader, text)[1:])


def test_merges_load_as_pyyaml_loads_them_and_only_a_key_written_twice_is_refused():
    """The duplicate-key check reads each mapping as written (composed), not after its merges are
    flattened in: a merged mapping that overrides a key it merged is no duplicate."""
    from wargame.scenario import _load_bounded

    merges = ["b: &b {x: 1}\ng:\n  m: &m\n    <<: *b\n    x: 2\no:\n  <<: *m\n",
              "b: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n", "b: &b {x: 1}\nc: &c {y: 2}\nd:\n  <<: [*b, *c]\n  y: 4\n"]
    for text in merges:
        assert _load_bounded(text) == yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError, match="the key 'x' is written twice in one mapping"):
        _load_bounded("b: &b {x: 1}\nc:\n  <<: *b\n  x: 3\n  x: 4\n")


def test_a_billion_laughs_is_refused_quickly_in_one_line(tmp_path):
    leaf = "[" + ", ".join(["lolololololololololololololol"] * 900) + "]"
    lines = ["extends: baseline", f"l0: &l0 {leaf}"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 11)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert 25_000 < path.stat().st_size < 40_000
    t0 = time.perf_counter()
    problems = refused(path)
    assert time.perf_counter() - t0 < 1.0
    assert len(problems) == 1 and str(path) in problems[0] and "nodes once aliases are expanded" in problems[0]


def test_an_80_kb_file_of_aliases_is_refused_quickly(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text("extends: baseline\nx: &x [1, 2, 3]\n" + "".join(f"k{i}: *x\n" for i in range(9000)))
    assert path.stat().st_size > 80_000
    t0 = time.perf_counter()
    problems = refused(path)
    assert time.perf_counter() - t0 < 1.0
    assert len(problems) == 1 and f"more than {limits.MAX_YAML_ALIASES} alias references" in problems[0]


@pytest.mark.parametrize("shape", ["flow", "block", "aliases"])
def test_deep_nesting_is_refused_in_one_line_never_a_recursion_error(tmp_path, shape):
    path = tmp_path / f"deep_{shape}.yaml"
    if shape == "flow":
        body = "x: " + "[" * 100_000 + "]" * 100_000 + "\n"
    elif shape == "block":
        body = "x:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(2000)) + "  " * 2001 + "v\n"
    else:  # each alias nests the last one deeper: shallow as written, deep once expanded
        body = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 60))
    path.write_text("extends: baseline\n" + body)
    problems = refused(path)
    assert len(problems) == 1 and f"nested more than {limits.MAX_NESTING} deep" in problems[0], problems


def test_a_long_extends_chain_is_refused_in_one_line(tmp_path):
    n = 1500
    for i in range(n):
        (tmp_path / f"c{i}.yaml").write_text(f"extends: c{i + 1}.yaml\n" if i < n - 1 else "extends: baseline\n")
    problems = refused(tmp_path / "c0.yaml")
    assert len(problems) == 1, problems
    assert f"more than {limits.MAX_EXTENDS_DEPTH} scenarios deep" in problems[0] and str(tmp_path / "c0.yaml") in problems[0]


def test_the_chain_limit_counts_parents(tmp_path):
    """A file with MAX_EXTENDS_DEPTH parents loads (the last parent is baseline); one more is refused."""
    depth = limits.MAX_EXTENDS_DEPTH
    for i in range(depth):  # p0's parents: p1 .. p{depth-1} and baseline
        (tmp_path / f"p{i}.yaml").write_text(f"extends: p{i + 1}.yaml\n" if i < depth - 1 else "extends: baseline\n")
    assert load_scenario(str(tmp_path / "p0.yaml")).name == "baseline"
    (tmp_path / "deeper.yaml").write_text("extends: p0.yaml\n")
    assert "scenarios deep" in refused(tmp_path / "deeper.yaml")[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "_max_file_bytes", 2000)
    big = tmp_path / "big.yaml"
    big.write_text("extends: baseline\n" + "".join(f"# padding line {i}\n" for i in range(500)))
    (line,) = refused(big)
    assert line.startswith(f"{big}: file is") and "--max-file-mb" in line
    child = tmp_path / "child.yaml"
    child.write_text("extends: big.yaml\n")
    (line,) = refused(child)
    assert line.startswith(f"{big} (via {child}): file is")


def test_a_fifo_or_device_is_refused_never_waited_on(tmp_path):
    """A FIFO with no writer would block the open for ever; a device claims size 0."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        (line,) = refused(path)
        assert line == f"{path}: not a regular file (a FIFO, socket or device); a scenario is a YAML file"


@pytest.mark.parametrize("mb", ["1e308", "1.7e303", "1e12"])
def test_a_huge_file_limit_reads_files_as_they_are(capsys, tmp_path, mb):
    """--max-file-mb 1e308 once overflowed to an infinite byte count, and a limit of terabytes was
    allocated whole by the read: both stopped with a traceback."""
    save = tmp_path / "g.json"
    assert main(["run", "--turns", "1", "--save", str(save)]) == 0
    assert main(["--max-file-mb", mb, "validate", "baseline"]) == 0
    assert main(["--max-file-mb", mb, "run", "--load", str(save), "--turns", "1"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_an_empty_name_is_one_line(capsys):
    (line,) = refused("")
    assert "empty" in line
    code, _, err = run_cli(capsys, "run", "--scenario", "", "--turns", "1")
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err


# --- extends: where a parent is, and where a problem is ----------------------------------------------
def test_extends_resolves_next_to_the_file_that_names_it(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "b" / "parent.yaml").write_text("extends: baseline\nname: parent\nturns: 6\n")
    (tmp_path / "a" / "child.yaml").write_text("extends: ../b/parent.yaml\nname: child\n")
    monkeypatch.chdir(tmp_path / "elsewhere")
    sc = load_scenario(str(tmp_path / "a" / "child.yaml"))
    assert sc.name == "child" and sc.turns == 6
    monkeypatch.chdir(tmp_path)
    assert load_scenario("a/child.yaml").turns == 6
    # a built-in name is still a built-in; a .yaml path is always a file
    (tmp_path / "a" / "builtin.yaml").write_text("extends: historical\nname: h\n")
    assert load_scenario("a/builtin.yaml").start_quarter == "2023Q1"


def test_a_problem_names_the_file_and_the_list_index_as_written(tmp_path):
    parent = tmp_path / "parent.yaml"
    parent.write_text("extends: historical\nname: parent\nparameters:\n  tools_per_kwpm: {value: 0}\n")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: child\ndrop_events: [T2]\nadd_events:\n"
                     "  - {id: OK, quarter: 2023Q2, description: d, effects: [{target: us.hawkishness, value: 0.5}]}\n"
                     "  - {id: BAD, quarter: 2023Q2, description: d, effects: [{target: us.threshold, op: add, value: 1}]}\n")
    problems = refused(child)
    assert f"{parent} (via {child}): parameters.tools_per_kwpm.value: 0 is out of range (allowed: a number from 0.1 to 100)" in problems
    assert any(p.startswith(f"{child}: add_events[1].effects[0].op: op add is not allowed on us.threshold (a str)")
               for p in problems), problems
    assert len(problems) == 2, problems


def test_an_interaction_names_the_parent_and_the_file_asked_for(tmp_path):
    child = tmp_path / "short.yaml"
    child.write_text("extends: historical\nturns: 4\n")
    problems = refused(child)
    assert f"historical (via {child}): add_events[2].quarter: 2024Q1 is outside the game (2023Q1 + 4 turns)" in problems
    assert f"baseline (via {child}): events[0].quarter: 2025Q2 is outside the game (2023Q1 + 4 turns)" in problems


def test_a_parent_that_is_not_a_scenario_is_named_never_quoted(tmp_path):
    secret = tmp_path / "secrets.yml"
    secret.write_text("api_token: s3cr3t-value\nowner: someone\n")
    child = tmp_path / "child.yaml"
    child.write_text("extends: secrets.yml\n")
    (line,) = refused(child)
    assert line == f"{child}: extends: {secret} is not a scenario file"
    for text in ("a plain line of text\n", "- a\n- list\n", "key: [broken\n  other: x\n"):
        secret.write_text(text)
        (line,) = refused(child)
        assert f"{secret} is not a scenario file" in line and "broken" not in line and "plain" not in line


# --- declared ranges ---------------------------------------------------------------------------------
def test_every_parameter_declares_its_range():
    for name, field in Params.model_fields.items():
        assert field.annotation is str or bounds(name) is not None, name


def test_level_lists_have_one_value_per_level_in_state_order():
    from wargame import state

    levels = {"servicing": state.SERVICING, "by_level": ("0", "1", "2", "3"), "by_intel": state.INTEL_LEVELS,
              "by_controls": state.TRANSSHIP, "stance": state.STANCES, "chinese_chip_pref": state.STANCES,
              "tier_effect": state.DIFFUSION_TIERS, "captive_share_by_policy": state.FOREIGN_CHIP_POLICIES,
              "guidance_penalty_by_policy": state.FOREIGN_CHIP_POLICIES[:3], "shell_controls_factor": state.TRANSSHIP,
              **{f"score_weights_{g}": terms for g, terms in SCORE_TERMS.items()}}
    for name in Params.model_fields:
        n = list_length(name)
        if n is None or name == "cowos_wpm_q4_by_year":
            continue
        (order,) = [v for k, v in levels.items() if k in name]
        assert n == (len(order), len(order)), name
        assert Params.model_fields[name].description == ", ".join(order), name


@pytest.mark.parametrize("name", ["baseline", "historical", "no-controls", "hbm-squeeze"])
def test_builtin_values_and_distributions_lie_inside_the_ranges(name):
    from wargame.distributions import is_integer_parameter, support

    sc = load_scenario(name)
    for pname, par in sc.parameters.items():
        if par.distribution is not None:
            lo, hi = support(par.distribution, is_integer_parameter(pname))
            assert bounds(pname)[0] <= lo <= hi <= bounds(pname)[1], pname


def test_an_inject_cannot_touch_the_clock():
    from wargame.scenario import Effect, Event

    s = GameSession(load_scenario("baseline"), 0)
    before = s.state_hash()
    for target in FORBIDDEN_TARGETS:
        with pytest.raises(KeyError):
            s.inject(Event(id="FAC", quarter=s.quarter, description="x", effects=[Effect(target=target, value=0)]))
    assert s.state_hash() == before


@pytest.mark.parametrize("initial", [
    {"us": {"hawkishness": 0.0}},  # once crashed the US doctrine: no threshold band below 0.03
    {"huawei": {"hbm_stock": 0.0}, "asml": {"dutch_restriction": 0}},  # once left -6e-11 of HBM
], ids=["dove", "no-hbm"])
def test_fuzz_findings_play_to_the_end(initial):
    d = copy.deepcopy(baseline_raw())
    for actor, fields in initial.items():
        d["initial"][actor].update(fields)
    session = GameSession(scenario_from_dict(d, "finding"), 0)
    play(session, make_seats(session, {}))
    assert session.is_over


def test_a_far_future_of_nearly_free_chips_plays_to_the_end():
    """A review's finding: by 2090 at a 30 % yearly price fall chips cost next to nothing, a random
    smuggler's route carries ~1e23 shipments, and numpy's binomial (n below 2**63) overflowed."""
    d = copy.deepcopy(baseline_raw())
    d.update(start_quarter="2090Q1", turns=40)
    d["events"] = [e for e in d["events"] if e["id"] not in {"T4", "N5", "N8", "N9", "R2", "E2", "N14"}]
    for name in ("price_decline_per_year", "power_per_h100e_decline_per_year"):
        d["parameters"][name] = {**d["parameters"][name], "value": 0.3}
        d["parameters"][name].pop("distribution", None)
    session = GameSession(scenario_from_dict(d, "far-future"), 0)
    play(session, make_seats(session, {"smugglers": "random"}))
    assert session.is_over


def test_astronomical_shipments_are_caught_in_the_binomial_limit():
    from wargame.mechanics.smuggling import _caught

    n = 10**23
    draws = [_caught(np.random.default_rng(s), n, 0.2) for s in range(50)]
    assert all(0 <= k <= n for k in draws)
    assert abs(np.mean(draws) / (n * 0.2) - 1) < 1e-9  # the spread is ~1e-12 of the mean
    assert _caught(np.random.default_rng(1), n, 1.0) == n and _caught(np.random.default_rng(1), n, 0.0) == 0
    assert _caught(np.random.default_rng(3), 2**62 - 1, 0.5) == int(np.random.default_rng(3).binomial(2**62 - 1, 0.5))
