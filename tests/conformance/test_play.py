"""Random legal play to the end with invariants after every turn (OpenSpiel games_sim_test style).

Every built-in scenario is played with all seats random (a few seeds), with a doctrine/random
mix and with all doctrine; after each resolved quarter the world must re-validate against its
schema, every number must be finite, the chip ledgers must balance, the ratios must agree with
the stocks they summarise and every record must carry the metric contract of DESIGN §5.
"""

from __future__ import annotations

import math
import re

import pytest
from conftest import all_seats, mixed_seats, new_session, play_turns_with_hook, scenario

from wargame.metrics import CONTRACT_KEYS
from wargame.runner import play_turn
from wargame.state import World

REL = 1e-9
UNIT_KEYS = ("china_self_sufficiency", "nvidia_china_share", "asml_china_share", "smic_yield", "us_hawkishness")


def next_quarter(q: str) -> str:
    m = re.fullmatch(r"(\d{4})Q([1-4])", q)
    assert m, f"bad quarter string {q!r}"
    year, n = int(m.group(1)), int(m.group(2))
    return f"{year + 1}Q1" if n == 4 else f"{year}Q{n + 1}"


def numbers(value, path=""):
    """Every (path, number) in a nested JSON-like value (bools are not numbers)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from numbers(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from numbers(v, f"{path}.{i}")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, value


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-9)


def check_invariants(session) -> None:
    sc = session.scenario
    w = session.world
    init = sc.initial
    records = session.timeline
    where = f"{sc.name} seed {session.seed} after turn {w.turn}"

    # the world re-validates against its schema (Field(ge=0) etc.: no negative stocks)
    dump = w.model_dump()
    World.model_validate(dump)
    World.model_validate(w.model_dump(mode="json"))
    for path, x in numbers(dump):
        assert math.isfinite(x), f"{where}: world.{path} = {x}"
    for path, x in numbers(dump["market"]):
        assert x >= 0, f"{where}: market.{path} = {x} < 0"
    for actor in session.actors:
        state = w.actor_state(actor).model_dump()
        for path, x in numbers(state):
            if path == "alignment" or path.endswith("_turn"):
                continue  # signed by design
            assert x >= 0, f"{where}: {actor}.{path} = {x} < 0"

    # turns and quarters
    assert w.turn == len(records)
    quarter = sc.start_quarter
    for i, r in enumerate(records):
        assert r["turn"] == i + 1, f"{where}: record {i} has turn {r['turn']}"
        assert r["quarter"] == quarter, f"{where}: record {i} has quarter {r['quarter']}, expected {quarter}"
        quarter = next_quarter(quarter)
    assert session.quarter == quarter or session.is_over

    # the metric contract
    tier2 = sorted(w.tier2)
    wanted = set(CONTRACT_KEYS) | {"turn", "quarter"} | {f"tier2_alignment_{n}" for n in tier2} \
        | {f"score_{a}" for a in session.actors}
    for r in records:
        missing = wanted - set(r)
        assert not missing, f"{where}: record {r['turn']} lacks {sorted(missing)}"
        for key, x in numbers(r):
            assert math.isfinite(x), f"{where}: record {r['turn']} {key} = {x}"

    # chips are conserved: dies in = dies packaged + scrapped + die bank; chips packaged = exported
    # + home; Nvidia's China-only chips made = sold in China + resold elsewhere + still in stock
    m = w.market
    dies_in = init.huawei.die_bank + m.cumulative_dies_in - init.market.cumulative_dies_in
    dies_out = (m.cumulative_dies_packaged - init.market.cumulative_dies_packaged + w.huawei.die_bank
                + m.cumulative_dies_scrapped - init.market.cumulative_dies_scrapped)
    assert close(dies_in, dies_out), f"{where}: dies in {dies_in} != packaged + scrapped + bank {dies_out}"
    made = init.nvidia.unsold_china_inventory_h100e + m.cumulative_china_sku_made_h100e - init.market.cumulative_china_sku_made_h100e
    gone = (m.cumulative_china_sku_sold_h100e - init.market.cumulative_china_sku_sold_h100e
            + m.cumulative_china_sku_resold_h100e - init.market.cumulative_china_sku_resold_h100e
            + w.nvidia.unsold_china_inventory_h100e)
    assert close(made, gone), f"{where}: China-only chips made {made} != sold + resold + in stock {gone}"
    assert close(m.cumulative_chips_packaged, m.cumulative_chips_exported + m.cumulative_chips_home), where
    packaged = sum(r["huawei_output_chips"] for r in records)
    exported = sum(r["huawei_exports_chips"] for r in records)
    assert close(packaged, m.cumulative_chips_packaged - init.market.cumulative_chips_packaged), where
    assert close(exported, m.cumulative_chips_exported - init.market.cumulative_chips_exported), where

    for r in records:
        t = f"{where}, record {r['turn']}"
        assert 0 <= r["huawei_exports_chips"] <= r["huawei_output_chips"] * (1 + REL), t
        assert r["us_china_stock_ratio"] == pytest.approx(
            r["us_compute_stock_h100e"] / max(r["china_compute_stock_h100e"], 1.0), rel=REL), t
        assert r["us_china_output_ratio"] == pytest.approx(
            r["us_ai_chip_output_h100e"] / max(r["china_ai_chip_output_h100e"], 1.0), rel=REL), t
        for key in UNIT_KEYS:
            assert 0.0 <= r[key] <= 1.0, f"{t}: {key} = {r[key]}"
        for n in tier2:
            assert -1.0 <= r[f"tier2_alignment_{n}"] <= 1.0, f"{t}: alignment of {n}"
        for key in CONTRACT_KEYS:
            if key not in ("us_china_output_ratio", "us_china_stock_ratio"):
                assert r[key] >= 0, f"{t}: {key} = {r[key]} < 0"


def play_checked(name: str, seed: int, seats: dict[str, str]):
    session, policies = new_session(name, seed, seats)
    check_invariants(session)  # the start (with the first quarter's injects) is valid too
    turns: list[int] = []

    def hook(s):
        turns.append(s.world.turn)
        check_invariants(s)

    play_turns_with_hook(session, policies, hook)
    sc = scenario(name)
    assert session.is_over
    assert turns == list(range(1, sc.turns + 1)), "a quarter was skipped or repeated"
    assert len(session.timeline) == sc.turns
    assert session.current_actor is None
    return session


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_play_to_the_end(scenario_name, seed):
    session = play_checked(scenario_name, seed, all_seats(scenario_name, "random"))
    kinds = {m["move"]["kind"] for m in session.moves if "move" in m}
    assert len(kinds) > 10, "random play should exercise many kinds of move"


@pytest.mark.parametrize("seed", [3, 4])
def test_mixed_seats_to_the_end(scenario_name, seed):
    seats = mixed_seats(scenario_name)
    assert set(seats.values()) == {"doctrine", "random"}
    session = play_checked(scenario_name, seed, seats)
    assert session.seats == seats


def test_doctrine_to_the_end(scenario_name):
    play_checked(scenario_name, 5, all_seats(scenario_name, "doctrine"))


def test_each_seat_passes_once_per_quarter(scenario_name):
    """Every actor's orders for a quarter end with exactly one pass, in initiative order."""
    session, policies = new_session(scenario_name, 6, mixed_seats(scenario_name))
    play_turns_with_hook(session, policies, lambda s: None)
    for turn in range(1, session.scenario.turns + 1):
        passes = [e["actor"] for e in session.moves if e["turn"] == turn and e.get("move", {}).get("kind") == "pass"]
        assert passes == list(session.actors), f"turn {turn}"
        orders = [e for e in session.moves if e["turn"] == turn and "move" in e]
        order_of = {a: i for i, a in enumerate(session.actors)}
        assert [order_of[e["actor"]] for e in orders] == sorted(order_of[e["actor"]] for e in orders)


def test_invariant_checker_can_fail(scenario_name):
    """The checks above bite: a leaked die or a wrong ratio is caught."""
    session, policies = new_session(scenario_name, 0)
    play_turn(session, policies)
    check_invariants(session)
    session.world.huawei.die_bank += 1000.0
    with pytest.raises(AssertionError, match="dies in"):
        check_invariants(session)
    session.world.huawei.die_bank -= 1000.0
    session.world.nvidia.unsold_china_inventory_h100e += 1000.0
    with pytest.raises(AssertionError, match="China-only chips made"):
        check_invariants(session)
    session.world.nvidia.unsold_china_inventory_h100e -= 1000.0
    session.timeline[-1]["us_china_stock_ratio"] *= 1.01
    with pytest.raises(AssertionError):
        check_invariants(session)
