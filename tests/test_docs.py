"""docs/model.md stays true to the code: its parameter table lists exactly the baseline's
parameters with their current values and units, §2 names every move kind of every actor, and
§4 names every record key. Regenerate the tables with `.venv/bin/python docs/tables.py`."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from wargame.metrics import CONTRACT_KEYS, EXTRA_KEYS
from wargame.scenario import load_scenario
from wargame.session import GameSession

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "model.md"


def _tables_module():
    spec = importlib.util.spec_from_file_location("docs_tables", ROOT / "docs" / "tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def _block(text: str, name: str) -> str:
    m = re.search(rf"<!-- BEGIN {re.escape(name)} -->\n(.*?)<!-- END {re.escape(name)} -->", text, re.S)
    assert m, f"docs/model.md has no {name} block"
    return m.group(1)


def _section(text: str, number: int) -> str:
    m = re.search(rf"^## {number}\. .*?(?=^## {number + 1}\. )", text, re.S | re.M)
    assert m, f"docs/model.md has no section {number}"
    return m.group(0)


def _cells(line: str) -> list[str]:
    """A markdown table row split on unescaped pipes, cells unescaped and trimmed."""
    parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [p.strip().replace("\\|", "|") for p in parts]


def test_parameter_table_lists_the_baseline_parameters_with_their_values_and_units(text):
    fmt = _tables_module().fmt_value
    rows = [_cells(line) for line in _block(text, "parameters").splitlines() if line.startswith("| ") and not line.startswith("| #")]
    documented = {r[1].strip("`"): (r[2], r[3]) for r in rows}
    params = load_scenario("baseline").parameters
    assert len(rows) == len(documented), "a parameter is listed twice"
    missing, extra = sorted(set(params) - set(documented)), sorted(set(documented) - set(params))
    assert not missing and not extra, f"run docs/tables.py: missing {missing}, not parameters {extra}"
    stale = [f"{n}: doc {documented[n]} != {(fmt(p.value), p.unit)}" for n, p in params.items()
             if documented[n] != (fmt(p.value), p.unit)]
    assert not stale, "run docs/tables.py: " + "; ".join(stale)


def test_section_2_names_every_move_kind(text):
    section = _section(text, 2)
    session = GameSession(load_scenario("baseline"), 0)
    missing = []
    for actor in session.actors:
        agent = session.model.by_id[actor]
        for spec in agent.specs(session.world, session.model.params):
            if f"`{spec.kind}`" not in section:
                missing.append(f"{actor}.{spec.kind}")
    assert not missing, f"§2 does not name {sorted(set(missing))}"


def test_section_4_names_every_record_key(text):
    section = _section(text, 4)
    missing = [k for k in CONTRACT_KEYS + EXTRA_KEYS if f"`{k}`" not in section]
    assert not missing, f"§4 does not define {missing}"


def test_the_machine_made_tables_are_current(text):
    """Every table docs/tables.py makes from the scenarios and the code (not the result tables,
    which need a calibrate and effects run) is as it would make it now: the "read by" column had
    gone stale after a refactor with no test noticing."""
    tables = _tables_module()
    fresh = text
    for name, make in tables.cheap_tables().items():
        fresh = tables.replace_block(fresh, name, make())
    stale = [name for name in tables.cheap_tables() if _block(fresh, name) != _block(text, name)]
    assert not stale, f"run .venv/bin/python docs/tables.py: stale tables {stale}"
