"""Role briefings (`wargame brief`): every seat of every scenario gets a packet that names all its
orders and its scoring rule, shows only what the seat may see, and renders as Markdown and as
self-contained HTML."""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ui.intel import score_rule
from wargame.brief import (
    BriefError,
    briefing_blocks,
    first_turn_orders,
    group,
    render_md,
    run_brief,
    score_terms,
    targets,
    visibility,
)
from wargame.orders import LABELS
from wargame.scenario import ScenarioError, builtin_names, load_scenario
from wargame.session import GameSession

HTML_SAMPLE = ("baseline", "b30a-exports")  # the record and a hypothetical variant


@pytest.fixture(scope="module")
def md_briefs(tmp_path_factory) -> dict[str, dict[str, str]]:
    """scenario -> role -> the Markdown briefing `run_brief` wrote (and "index")."""
    root = tmp_path_factory.mktemp("briefs")
    out: dict[str, dict[str, str]] = {}
    for name in builtin_names():
        paths = run_brief(name, "all", root / name, "md")
        out[name] = {p.stem.removeprefix(f"{name}-"): p.read_text(encoding="utf-8") for p in paths}
    return out


@pytest.fixture(scope="module")
def html_briefs(tmp_path_factory) -> dict[str, dict[str, str]]:
    root = tmp_path_factory.mktemp("html")
    out: dict[str, dict[str, str]] = {}
    for name in HTML_SAMPLE:
        paths = run_brief(name, None, root / name, "html")
        out[name] = {p.stem.removeprefix(f"{name}-"): p.read_text(encoding="utf-8") for p in paths}
    return out


@functools.cache
def _all_kinds(scenario_name: str) -> dict[str, frozenset[str]]:
    session = GameSession(load_scenario(scenario_name), 0)
    return {a: frozenset({s.kind for s in session.model.by_id[a].open_specs(session.world, session.model.params)} | {"pass"})
            for a in session.actors}


def _kinds_of(scenario_name: str, actor: str) -> frozenset[str]:
    """Every kind the actor's agent offers at the start, open or closed (not via order_kinds)."""
    return _all_kinds(scenario_name)[actor]


def _section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level."""
    start = text.index(heading)
    nxt = re.search(r"^#{1,6} ", text[start + len(heading):], flags=re.M)
    return text[start: start + len(heading) + (nxt.start() if nxt else len(text))]


@pytest.mark.parametrize("name", builtin_names())
def test_every_role_has_a_briefing_naming_all_its_orders_and_its_score(md_briefs, name):
    sc = load_scenario(name)
    briefs = md_briefs[name]
    assert set(briefs) == set(sc.actors) | {"index"}
    goal = float(sc.parameters["self_sufficiency_goal"].value)
    for actor in sc.actors:
        text = briefs[actor]
        assert text.startswith("# Briefing: ")
        for kind in _kinds_of(name, actor):
            assert LABELS[kind] in text, f"{name}/{actor}: order {kind} ({LABELS[kind]}) missing"
        assert score_rule(group(sc, actor), goal, sc.params()) in text
        for heading in ("## 1. Your objectives and score", "## 2. The situation at the start", "## 3. Your orders",
                        "## 4. What you can and cannot see", "## Rules summary", "## Sources"):
            assert heading in text, f"{name}/{actor}: {heading}"
        assert f"({name}-{actor}.md)" in briefs["index"]


def test_closed_orders_carry_their_reason():
    """The scenario's locks show as closed orders with the lock's reason."""
    sc = load_scenario("baseline")
    text = render_md(briefing_blocks(sc, "us", first_turn_orders(sc)))
    threshold = _section(text, f"### {LABELS['set_threshold']}")
    assert "Closed on your first turn: locked by the scenario:" in threshold
    assert sc.locks["us"]["set_threshold"].reason in threshold
    assert "Limits now: Enforcement budget:" in text  # an open order shows its bounds


def test_score_words_match_the_weights_in_the_scoring_code():
    """ui.intel.score_rule's words against the weights metrics.score really uses: change a weight
    in one place only and this fails."""
    phrases = {0.5: ("half", "50 %"), 0.25: ("a quarter", "25 %")}
    for grp in ("us", "china", "nvidia", "huawei", "smic", "asml", "smugglers", "tier2"):
        weights = score_terms(grp).weights
        assert weights and all(0 < w <= 1 for w in weights)
        if len(weights) < 2:
            continue
        assert sum(weights) == pytest.approx(1.0), grp
        words = score_rule(grp, weights=load_scenario("baseline").params()).lower()
        for w in set(weights):
            said = sum(words.count(p) for p in phrases.get(w, (f"{w * 100:g} %",)))
            assert said >= weights.count(w), f"{grp}: weight {w} x{weights.count(w)} not in {words!r}"


def test_visibility_is_computed_from_the_fog_of_war_tables(md_briefs):
    sc = load_scenario("baseline")
    us, smugglers = visibility(sc, "us"), visibility(sc, "smugglers")
    assert "smuggled_h100e" in us["estimate"] and "smuggled_h100e" in smugglers["true"]
    assert "smic_yield" in visibility(sc, "huawei")["true"] and "smic_yield" in visibility(sc, "asml")["estimate"]
    assert "us_china_stock_ratio" in us["hidden"] and "score_us" in us["true"] and "score_china" in us["hidden"]
    text_us, text_sm = md_briefs["baseline"]["us"], md_briefs["baseline"]["smugglers"]
    assert "`smuggled_h100e`" in _section(text_us, "### Headline figures you see only as estimates")
    assert "`smuggled_h100e`" not in _section(text_us, "### Headline figures you see as they are")
    assert "`smuggled_h100e`" in _section(text_sm, "### Headline figures you see as they are")
    assert "`smuggled_h100e`" not in _section(text_sm, "### Headline figures hidden from you")


def test_a_briefing_shows_only_what_its_seat_may_see(md_briefs):
    """Huawei's die bank (2.92M dies) is Huawei's and Beijing's to know, not Washington's."""
    texts = md_briefs["baseline"]
    assert "2.92M dies" in texts["huawei"] and "2.92M dies" in texts["china"]
    assert "2.92M" not in texts["us"] and "2.92M" not in texts["smugglers"]
    assert "Die bank" in _section(texts["us"], "### The other seats' positions")  # named as hidden
    assert "your intelligence estimate" in texts["us"] and "your intelligence estimate" not in texts["nvidia"]


def test_sources_are_listed_with_their_publishers(md_briefs):
    text = md_briefs["baseline"]["us"]
    sources = _section(text, "## Sources")
    assert "**X7**" in sources  # the enforcement budget's source
    if targets() is not None:
        assert "Export Compliance Daily" in sources and "Confidence:" in sources


def test_hypothetical_scenarios_and_events_are_labelled(md_briefs):
    assert "Hypothetical scenario" in md_briefs["b30a-exports"]["nvidia"]
    assert "Hypothetical scenario" in md_briefs["b30a-exports"]["index"]
    assert "Hypothetical scenario" not in md_briefs["baseline"]["nvidia"]
    assert "Hypothetical: The US approves sales of a Blackwell-lite chip" in md_briefs["b30a-exports"]["us"]


class _Balanced(HTMLParser):
    """Fails on a mismatched or unclosed tag (void elements aside)."""

    VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.seen: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


@pytest.mark.parametrize("name", HTML_SAMPLE)
def test_html_is_self_contained_and_well_formed(html_briefs, name):
    sc = load_scenario(name)
    briefs = html_briefs[name]
    assert set(briefs) == set(sc.actors) | {"index"}
    for role, text in briefs.items():
        parser = _Balanced()
        parser.feed(text)
        parser.close()
        assert parser.stack == [], f"{role}: unclosed {parser.stack}"
        assert parser.seen[:1] == ["html"] and parser.seen.count("html") == 1 and parser.seen.count("body") == 1
        assert "<style>" in text
        lowered = text.lower()
        for external in ("<link", "@import", "url(", "<script", "<iframe"):
            assert external not in lowered, f"{role}: {external}"
        for src in re.findall(r'src="([^"]*)"', text):
            assert src.startswith("data:image/png;base64,"), f"{role}: {src[:40]}"
        for href in re.findall(r'href="([^"]*)"', text):
            assert href.startswith("https://") or href.startswith("http://") or href.endswith(".html"), href
        if role != "index":
            assert 'src="data:image/png;base64,' in text  # the compute chart, inline
            for kind in _kinds_of(name, role):
                assert html.escape(LABELS[kind]) in text
    for actor in sc.actors:
        assert f'href="{name}-{actor}.html"' in briefs["index"]


def test_html_escapes_text(tmp_path):
    from wargame.brief import Para, Table, render_html

    text = render_html([Para("<b>AT&T</b> `x<y`"), Table(("a<",), (("[r](https://e.org/?a=1&b=2)",),))])
    assert "<b>" not in text and "&lt;b&gt;AT&amp;T&lt;/b&gt;" in text and "<code>x&lt;y</code>" in text
    assert '<a href="https://e.org/?a=1&amp;b=2">r</a>' in text


def test_bad_input_raises_one_line_briefing_errors(tmp_path):
    with pytest.raises(BriefError) as exc:
        run_brief("baseline", "taiwan", tmp_path / "a", "md")
    msg = str(exc.value)
    assert "\n" not in msg and "--role" in msg and "us, china" in msg and "smugglers" in msg
    with pytest.raises(BriefError) as exc:
        run_brief("baseline", "us", tmp_path / "b", "pdf")
    assert "\n" not in str(exc.value) and "--format" in str(exc.value) and "md, html" in str(exc.value)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BriefError) as exc:
        run_brief("baseline", "us", blocker, "md")
    assert "\n" not in str(exc.value) and "--out" in str(exc.value)
    assert blocker.read_text() == "x"
    with pytest.raises(ScenarioError):
        run_brief("no-such-scenario", "us", tmp_path / "c", "md")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_one_role_writes_its_briefing_and_an_index(tmp_path):
    paths = run_brief("baseline", "smugglers", tmp_path / "out", "md")
    assert [p.name for p in paths] == ["baseline-smugglers.md", "index.md"]
    assert "(baseline-smugglers.md)" in paths[1].read_text() and "baseline-us.md" not in paths[1].read_text()
    again = run_brief("baseline", "smugglers", tmp_path / "out", "md")  # regenerating replaces the files
    assert again == paths and paths[0].read_text() == render_md(
        briefing_blocks(load_scenario("baseline"), "smugglers", first_turn_orders(load_scenario("baseline"))))


def test_default_folder_is_under_runs_briefs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = run_brief(None, "uae", None, "md")
    assert paths[0] == Path("runs/briefs/baseline/baseline-uae.md") and paths[0].exists()


def test_without_the_targets_file_sources_are_listed_by_id(monkeypatch, tmp_path):
    """An installed package has no ../shared: the briefing still names each cited id."""
    import wargame.brief as brief

    monkeypatch.setattr(brief, "TARGETS_FILE", tmp_path / "absent.yaml")
    sc = load_scenario("baseline")
    sources = _section(render_md(briefing_blocks(sc, "us", first_turn_orders(sc))), "## Sources")
    assert "not installed here" in sources and "- **X7**" in sources and "Export Compliance Daily" not in sources
