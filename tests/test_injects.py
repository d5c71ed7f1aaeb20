"""Inject cards (issue 11): every card of every built-in scenario fits its world, fires at the
turn it is played and lands in the move log there, survives a verified save and load, and ends
when it says; bad ids and TURN:ID flags say what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import SCENARIO_NAMES, clone, new_session, scenario

from wargame.ids import is_quarter
from wargame.injects import (
    InjectError,
    Schedule,
    find,
    library,
    owed_endings,
    parse_inject_flag,
    play_due,
    play_with_injects,
    to_events,
    turn_quarter,
)
from wargame.integrity import ledger_problems
from wargame.runner import make_seats, play, play_turn
from wargame.scenario import ScenarioError, apply_effect, load_scenario
from wargame.session import GameSession
from wargame.state import World

TARGETS = Path(__file__).resolve().parents[2] / "shared" / "calibration" / "targets.yaml"
NAMED_HYPOTHETICALS = ("LITHO-BREAKTHROUGH", "SMUGGLING-BUST", "TAIWAN-STRAIT", "LOCATION-VERIFY", "HBM-FIRE")


def _apply_card(world: World, card, quarter: str, initial: World) -> None:
    """Play the card and its ending (if any) on `world`; both must keep the world valid and balanced."""
    for _, ev in to_events(card, quarter, world):
        for eff in ev.effects:
            apply_effect(world, eff)
        World.model_validate(world.model_dump())
        assert ledger_problems(world, initial) == [], f"{card.id} ({ev.id}) breaks a ledger"


def test_every_built_in_scenario_has_the_library():
    for name in SCENARIO_NAMES:
        cards = library(scenario(name))
        assert len(cards) >= 8, name
        assert set(NAMED_HYPOTHETICALS) <= {c.id for c in cards}, name
        assert sum(not c.hypothetical for c in cards) >= 4, name
        events = {e.id for e in scenario(name).events} | {r.id for r in scenario(name).random_events}
        assert not events & {c.id for c in cards}, f"{name}: a card shares an id with a scripted or random event"


def test_every_card_applies_to_the_start_world(scenario_name):
    sc = scenario(scenario_name)
    session = GameSession(sc, seed=0)  # the start world, with the first quarter's scripted events fired
    for card in library(sc):
        _apply_card(session.world.model_copy(deep=True), card, session.quarter, sc.initial)


def test_every_card_applies_later_in_the_game(scenario_name):
    sc = scenario(scenario_name)
    session, policies = new_session(scenario_name, seed=3)
    play(session, policies, sc.turns // 2)
    for card in library(sc):
        _apply_card(session.world.model_copy(deep=True), card, session.quarter, sc.initial)


def test_cards_are_inert_unless_played():
    session, policies = new_session("baseline", seed=2)
    play(session, policies, 4)
    ids = {c.id for c in library(session.scenario)}
    assert not any("inject" in m for m in session.moves)
    assert not ids & {e.split(":")[0] for e in session.world.events_fired}


def test_each_card_lands_in_the_move_log_at_its_turn_and_survives_save_and_load(tmp_path):
    sc = scenario("baseline")
    cards = library(sc)
    plan = [(2 + i, card) for i, card in enumerate(cards)]  # one card a quarter from turn 2
    session, policies = new_session("baseline", seed=5)
    play_with_injects(session, policies, Schedule.for_session(session, plan), turns=len(cards) + 4)
    logged = [(m["turn"], m["inject"]) for m in session.moves if "inject" in m]
    for turn, card in plan:
        mine = [(t, ev) for t, ev in logged if ev["id"] == card.id]
        assert [t for t, _ in mine] == [turn], card.id
        assert mine[0][1]["quarter"] == turn_quarter(sc, turn)
        off_date = not card.hypothetical and card.date != turn_quarter(sc, turn)  # the record replayed elsewhere
        assert mine[0][1]["hypothetical"] is (card.hypothetical or off_date) and mine[0][1]["source"] == card.source
        assert mine[0][1]["description"].endswith(f"(The record's {card.date}, replayed in {turn_quarter(sc, turn)}.)") is off_date
        ends = [t for t, ev in logged if ev["id"] == f"{card.id}:end"]
        assert ends == ([turn + card.lasts_quarters] if card.lasts_quarters else []), card.id
        # a logged inject comes before every order of its quarter
        first_order = next(i for i, m in enumerate(session.moves) if m["turn"] == turn and "move" in m)
        assert session.moves.index(next(m for m in session.moves if m.get("inject", {}).get("id") == card.id)) < first_order
    path = tmp_path / "injected.json"
    session.save(path)
    loaded = GameSession.load(path)  # replays the move log and checks it reproduces the snapshot
    assert loaded.moves == session.moves
    assert loaded.snapshot_hash() == session.snapshot_hash()


def test_a_lasting_card_is_undone_lasts_quarters_later():
    session, policies = new_session("baseline", seed=1)
    sc = session.scenario
    schedule = Schedule.for_session(session, [parse_inject_flag("3:TAIWAN-STRAIT", sc), parse_inject_flag("3:HBM-FIRE", sc)])
    play(session, policies, 2)
    us, cxmt = session.world.market.us_compute_stock_h100e, session.world.market.cxmt_hbm_stacks
    played = play_due(session, schedule)
    assert [e.id for e in played] == ["TAIWAN-STRAIT", "HBM-FIRE"]
    assert session.world.market.us_compute_stock_h100e == pytest.approx(0.75 * us)
    assert session.world.market.cxmt_hbm_stacks == pytest.approx(0.5 * cxmt)
    assert session.world.nvidia.shipping_level == "none"
    assert any(n.startswith("Hypothetical: A crisis in the Taiwan Strait") for n in session.world.news)
    held = {e.id: e.effects[0].value for e in played}
    assert schedule.pending() == [(4, "TAIWAN-STRAIT:end"), (5, "HBM-FIRE:end")]
    play_turn(session, policies)
    before = session.world.market.us_compute_stock_h100e
    assert [e.id for e in play_due(session, schedule)] == ["TAIWAN-STRAIT:end"]  # one quarter later
    assert session.world.market.us_compute_stock_h100e == pytest.approx(before - held["TAIWAN-STRAIT"])
    play_turn(session, policies)
    before = session.world.market.cxmt_hbm_stacks
    assert [e.id for e in play_due(session, schedule)] == ["HBM-FIRE:end"]  # two quarters later
    assert session.world.market.cxmt_hbm_stacks == pytest.approx(before - held["HBM-FIRE"])
    assert schedule.pending() == []
    ends = [(m["turn"], m["inject"]["id"]) for m in session.moves if "inject" in m]
    assert ends == [(3, "TAIWAN-STRAIT"), (3, "HBM-FIRE"), (4, "TAIWAN-STRAIT:end"), (5, "HBM-FIRE:end")]


def test_a_game_saved_while_a_card_runs_still_owes_its_ending(tmp_path):
    plan = lambda sc: [parse_inject_flag("3:TAIWAN-STRAIT", sc), parse_inject_flag("3:HBM-FIRE", sc)]  # noqa: E731
    whole, policies = new_session("baseline", seed=4)
    play_with_injects(whole, policies, Schedule.for_session(whole, plan(whole.scenario)), turns=6)

    part, policies = new_session("baseline", seed=4)
    play_with_injects(part, policies, Schedule.for_session(part, plan(part.scenario)), turns=3)
    path = tmp_path / "mid-crisis.json"
    part.save(path)
    resumed = GameSession.load(path)
    schedule = Schedule.for_session(resumed)
    assert schedule.pending() == [(4, "TAIWAN-STRAIT:end"), (5, "HBM-FIRE:end")]
    play_with_injects(resumed, make_seats(resumed), schedule, turns=3)
    assert resumed.moves == whole.moves
    assert resumed.state_hash() == whole.state_hash()
    assert owed_endings(resumed.scenario, resumed.moves) == []


def test_cards_fire_mid_game_in_a_scenario_that_starts_in_2023():
    session, policies = new_session("historical", seed=0)
    sc = session.scenario
    schedule = Schedule.for_session(session, [parse_inject_flag("2:DUTCH-DUV-STEP", sc), parse_inject_flag("2:TSMC-DIES", sc)])
    bank = session.world.huawei.die_bank
    play_turn(session, policies)
    level = session.world.asml.dutch_restriction
    play_due(session, schedule)
    assert session.world.asml.dutch_restriction == level + 1
    assert session.world.huawei.die_bank > bank
    play_turn(session, policies)  # the quarter resolves with the ledgers balanced
    assert ledger_problems(session.world, sc.initial) == []


def test_unknown_ids_and_bad_flags_say_what_is_allowed():
    sc = scenario("baseline")
    ids = [c.id for c in library(sc)]
    with pytest.raises(InjectError) as err:
        find(sc, "NOPE")
    assert isinstance(err.value, ValueError)
    assert "\n" not in str(err.value) and all(i in str(err.value) for i in ids)
    for flag, says in [("TAIWAN-STRAIT", "must be TURN:ID"), ("3:", "must be TURN:ID"), (":HBM-FIRE", "must be TURN:ID"),
                       ("0:HBM-FIRE", "from 1 to 24, for the quarters 2025Q1 to 2030Q4"), ("25:HBM-FIRE", "from 1 to 24"),
                       ("x:HBM-FIRE", "from 1 to 24"), ("2.5:HBM-FIRE", "from 1 to 24"), ("3:NOPE", "unknown inject 'NOPE'")]:
        with pytest.raises(InjectError) as err:
            parse_inject_flag(flag, sc)
        text = str(err.value)
        assert text.startswith(f"--inject {flag!r}: ") and says in text and "\n" not in text, text
        if not says.startswith("from 1 to 24"):  # a bad turn names the turns; the rest name the ids too
            assert all(i in text for i in ids), text
    assert parse_inject_flag(" 5 : TAIWAN-STRAIT ", sc) == (5, find(sc, "TAIWAN-STRAIT"))
    assert parse_inject_flag("24:HBM-FIRE", sc)[0] == 24
    late = Schedule([(2, find(sc, "HBM-FIRE"))])
    session, policies = new_session("baseline", seed=0)
    play(session, policies, 3)
    with pytest.raises(InjectError, match=r"--inject 2:HBM-FIRE: turn 2 has already been played"):
        play_with_injects(session, policies, late)


def test_hypothetical_cards_are_labelled_and_historical_ones_cite_the_record():
    # a clone without ../shared (an installed package, a CI checkout) still checks the shape of each id
    rows = yaml.safe_load(TARGETS.read_text(encoding="utf-8")) if TARGETS.exists() else None
    known = {row["id"] for group in rows.values() for row in group} if rows else None
    session = GameSession(scenario("baseline"), seed=0)
    for card in library(session.scenario):
        assert card.title and len(card.title) <= 60 and card.description
        if card.hypothetical:
            assert card.source is None and card.date is None, card.id
        else:
            assert card.source and (known is None or card.source in known), f"{card.id}: {card.source} is not a targets.yaml id"
            assert card.date is not None and is_quarter(card.date), card.id
        # played now (2025Q1, off most historical cards' dates) and, for a historical card, on its own date
        for quarter in dict.fromkeys([session.quarter] + ([] if card.hypothetical else [card.date])):
            trial = clone(session)
            trial.inject(to_events(card, quarter, trial.world)[0][1])
            label = "Hypothetical: " if card.hypothetical or quarter != card.date else ""
            assert any(n.startswith(label + card.description.split(".")[0]) for n in trial.world.news), card.id
    assert {c.id for c in library(session.scenario) if c.hypothetical} == set(NAMED_HYPOTHETICALS)


# --- the scenario file: cards are checked like events, and variants inherit them ------------------
def _child(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "child.yaml"
    path.write_text("extends: baseline\nname: child\n" + body)
    return path


CARD = "  - {{id: {id}, title: T, description: D., hypothetical: true, effects: [{effects}]{more}}}\n"


def _problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(_child(tmp_path, body)))
    return err.value.problems


def test_a_variant_inherits_the_library_and_may_change_it(tmp_path):
    path = _child(tmp_path, "drop_injects: [HBM-FIRE]\nadd_injects:\n"
                  + CARD.format(id="EXTRA", effects="{target: us.hawkishness, op: add, value: 0.02}", more=""))
    sc = load_scenario(str(path))
    ids = [c.id for c in library(sc)]
    assert "HBM-FIRE" not in ids and ids[-1] == "EXTRA" and len(ids) == len(library(scenario("baseline")))


def _cards(cases: list[tuple[str, str, str]]) -> str:
    return "add_injects:\n" + "".join(CARD.format(id=f"BAD{i}", effects=e, more=m) for i, (e, m, _) in enumerate(cases))


def test_cards_that_do_not_fit_the_world_are_refused_with_where_and_why(tmp_path):
    cases = [
        ("{target: us.threshold, op: scale, value: 0.5}", "", "add_injects[0].effects[0].op: op scale is not allowed on us.threshold (a str)"),
        ("{target: huawei.die_bank, op: add, value: 1000}", "", "add_injects[1].effects: the effects leave a conserved stock out of balance"),
        ("{target: nowhere.field, value: 1}", "", "add_injects[2].effects[0].target: 'nowhere.field' is not a field of the world state"),
        ("{target: china.algorithmic_efficiency, op: scale, value: 0.5}",
         ", lasts_quarters: 1, ends: [{target: china.algorithmic_efficiency, op: restore}]",
         "add_injects[3].ends[0].op: restore of china.algorithmic_efficiency needs the card to change it only by adds"),
        ("{target: us.hawkishness, value: 0.5}", "", "add_injects[4].id: 'N5' is already the id of an event"),
    ]
    body = _cards(cases).replace("id: BAD4", "id: N5")
    problems = _problems(tmp_path, body)
    child = tmp_path / "child.yaml"
    for _, _, line in cases:
        assert any(p.startswith(f"{child}: {line}") for p in problems), (line, problems)
    assert len(problems) == len(cases), problems


def test_malformed_cards_are_refused_with_where_and_why(tmp_path):
    cases = [
        ("{target: us.hawkishness, op: add, value: 0.1}", ", lasts_quarters: 1, ends: [{target: us.threshold, op: restore}]",
         "add_injects[0]: ends[0]: restore of us.threshold needs an effect of this card that adds to or scales it"),
        ("{target: us.hawkishness, op: add, value: 0.1}", ", lasts_quarters: 2", "add_injects[1]: lasts_quarters needs ends"),
        ("{target: us.hawkishness, op: scale, value: -1}", "", "add_injects[2].effects[0]: op scale needs a factor, a finite number > 0"),
        ("{target: us.hawkishness, op: restore}", "", "add_injects[3]: effects[0]: op restore is only for ends"),
        ("{target: us.hawkishness, value: 0.5}", "", "add_injects[4].id: must be letters, digits"),
        ("{target: us.hawkishness, value: 0.5}", "", "add_injects[5]: a historical card needs source"),
        ("{target: us.hawkishness, value: 0.5}", ", date: 2026Q1", "add_injects[6]: a hypothetical card has no date"),
    ]
    body = _cards(cases).replace("id: BAD4", "id: 'A:B'").replace("id: BAD5, title: T, description: D., hypothetical: true",
                                                                    "id: BAD5, title: T, description: D., hypothetical: false")
    problems = _problems(tmp_path, body)
    child = tmp_path / "child.yaml"
    for _, _, line in cases:
        assert any(p.startswith(f"{child}: {line}") for p in problems), (line, problems)
    assert _problems(tmp_path, "drop_injects: [NOPE]\n") == [
        f"{child}: drop_injects[0]: 'NOPE' is not an inject of baseline (allowed: the ids of its injects)"]


def test_an_ending_missed_by_a_game_played_without_its_schedule_is_owed_once():
    session, policies = new_session("baseline", seed=6)
    sc = session.scenario
    play_turn(session, policies)
    play_due(session, Schedule([parse_inject_flag("2:TAIWAN-STRAIT", sc)]))  # the schedule is then dropped
    play(session, policies, 2)
    schedule = Schedule.for_session(session)
    assert schedule.pending() == [(3, "TAIWAN-STRAIT:end")]  # overdue: played now rather than never
    assert [(e.id, e.quarter) for e in play_due(session, schedule)] == [("TAIWAN-STRAIT:end", session.quarter)]
    assert owed_endings(sc, session.moves) == []
