"""What `wargame mc` shows people: summary.md, the terminal table and the plots.

Labels and units beside the metric ids, flows vs stocks at the final quarter, headline events as
"k of n" with a 95 % interval, a caveat when arms play different calendars, one precision per
row, the forked game named in a --from-save summary, and plots a projector can read. Most cases
build a small synthetic experiment and call the report directly; two play a few real games.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from wargame.cli import main
from wargame.mc import report
from wargame.mc.experiment import KEY_METRICS, ci95, result_object
from wargame.metric_labels import LABELS, metric_label, when
from wargame.metrics import CONTRACT_KEYS
from wargame.numbers import aligned_numbers, short_number

RUNS = 20


def _quarters(start: str, n: int) -> list[str]:
    year, q = int(start[:4]), int(start[-1]) - 1
    return [f"{year + (q + i) // 4}Q{(q + i) % 4 + 1}" for i in range(n)]


def experiment(arms: dict[str, tuple[str, str, int]], seed: int = 1):
    """A synthetic experiment: arms name -> (scenario, start quarter, turns). Returns
    (result, collected, manifest, quantiles, final_quarters) as wargame.mc.command builds them."""
    rng = np.random.default_rng(seed)
    collected_arms, quantiles = [], []
    for k, name in enumerate(arms):
        final = {m: rng.uniform(1.0, 100.0, RUNS) * (k + 1) for m in CONTRACT_KEYS}
        final["us_china_stock_ratio"] = np.linspace(5.0, 25.0, RUNS) + 3 * k
        final["smuggled_h100e"] = np.r_[np.full(RUNS // 2, 0.00035), np.full(RUNS - RUNS // 2, 5.68)]
        final["china_self_sufficiency"] = np.linspace(0.2, 0.9, RUNS)
        collected_arms.append({"name": name, "seeds": list(range(RUNS)), "params": {}, "final": final})
        _, start, turns = arms[name]
        q = {"turns": list(range(1, turns + 1)), "quarters": _quarters(start, turns)}
        for m in report.TRACK_METRICS:
            base = np.linspace(1.0, 10.0, turns) * (k + 1)
            q[m] = {"p10": list(base * 0.8), "p50": list(base), "p90": list(base * 1.2)}
        quantiles.append(q)
    collected = {"results_hash": "0" * 64, "arms": collected_arms}
    manifest = {"runs": RUNS, "seed": 0, "lhs": False, "sample_params": False, "from_save": None,
                "from_save_sha256": None, "seats": {}, "compare": None,
                "scenarios": list(dict.fromkeys(sc for sc, _, _ in arms.values())),
                "arms": [{"name": n, "scenario": sc, "overrides": []} for n, (sc, _, _) in arms.items()]}
    result = result_object(collected, manifest)
    final_quarters = [q["quarters"][-1] for q in quantiles]
    return result, collected, manifest, quantiles, final_quarters


@pytest.fixture
def figures(monkeypatch):
    """Every figure the report saves, by file name (the objects outlive plt.close)."""
    from matplotlib.figure import Figure

    saved = {}
    original = Figure.savefig

    def record(fig, path, *args, **kwargs):
        saved[str(path).rsplit("/", 1)[-1]] = fig
        return original(fig, path, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    return saved


# --- 1. labels, units, flows and stocks -----------------------------------------------------------
def test_every_reported_metric_has_a_plain_label_and_unit():
    for m in report.TABLE_METRICS + KEY_METRICS + tuple(CONTRACT_KEYS):
        lab = metric_label(m)
        assert lab.label != m and lab.unit and lab.kind in ("flow", "stock", "level"), m
    assert metric_label("smuggled_h100e").with_unit() == "Smuggled into China (H100e per quarter)"
    assert when("smuggled_h100e", "2030Q4") == "in 2030Q4 alone"
    assert when("china_compute_stock_h100e", "2030Q4") == "at the end of 2030Q4 (in service: additions less retirements)"


def test_output_ratio_is_labelled_as_all_us_vendor_output_not_top_chips():
    lab = LABELS["us_china_output_ratio"]
    assert "top-chip" not in lab.label and "AI-chip output" in lab.label
    assert "US vendors" in lab.note and "H100e" in lab.note
    assert not any("top-chip" in label for label, *_ in report.EVENTS)


def test_summary_names_each_metric_with_label_unit_and_id_and_says_what_the_final_quarter_means(tmp_path):
    result, collected, manifest, _, fq = experiment({"baseline": ("baseline", "2025Q1", 24)})
    md = report.summary_md(result, collected, manifest, fq)
    assert "| Smuggled into China (H100e per quarter) `smuggled_h100e` |" in md
    assert "| China's installed AI compute (H100e) `china_compute_stock_h100e` |" in md
    assert "the value for that one quarter, 2030Q4, not a total" in md and "in service at the end of 2030Q4" in md
    assert not re.search(r"^\| [a-z]+_[a-z_]+ \|", md, re.M), "a row named only by its snake_case id"


def test_terminal_table_has_labels_and_units_and_keeps_the_ids():
    result, *_ = experiment({"baseline": ("baseline", "2025Q1", 24)})
    text = report.text_table(result)
    assert "Smuggled into China (H100e per quarter)" in text and "smuggled_h100e" in text
    assert "US+allies:China compute stock ratio (US+allies ÷ China)" in text
    assert "final quarter's values alone" in text


def test_plots_carry_units_the_final_quarter_and_one_legend(tmp_path, figures):
    arms = {"us=doctrine": ("baseline", "2025Q1", 24), "us=hawk": ("baseline", "2025Q1", 24),
            "us=idle": ("baseline", "2025Q1", 24)}
    result, collected, _, quantiles, _ = experiment(arms)
    paths = report.plots(tmp_path, collected, quantiles, result)
    names = {p.name for p in paths}
    assert {"fan_us_doctrine.png", "fan_us_hawk.png", "fan_us_idle.png", "final_hist.png", "compare.png"} <= names
    assert {f"fan_arms_{m}.png" for m in KEY_METRICS} <= names

    fan = figures["fan_us_hawk.png"]
    for ax, m in zip(fan.axes, KEY_METRICS, strict=True):
        assert ax.get_title() == metric_label(m).label and metric_label(m).unit in ax.get_ylabel()
    # the same y-range for a metric in every arm's fan chart
    assert [a.get_ylim() for a in fan.axes] == [a.get_ylim() for a in figures["fan_us_doctrine.png"].axes]

    hist = figures["final_hist.png"]
    for ax, m in zip(hist.axes, KEY_METRICS, strict=True):
        assert metric_label(m).unit in ax.get_xlabel()
        assert "2030Q4" in ax.get_title() and "final turn" not in ax.get_title()
        assert ax.get_legend() is None  # one legend, for the figure
        assert all(p.get_alpha() in (None, 1) for p in ax.patches), "translucent bars blend into unlisted colours"
    assert len(hist.legends) == 1 and [t.get_text() for t in hist.legends[0].get_texts()] == list(arms)

    cmp = figures["compare.png"]
    assert cmp.get_suptitle() and "95 % CI" in cmp.get_suptitle()
    for ax, m in zip(cmp.axes, KEY_METRICS, strict=True):
        assert "paired difference" in ax.get_xlabel() and "us=doctrine" in ax.get_xlabel()
        assert metric_label(m).unit in ax.get_xlabel()
        assert ax.title.get_fontsize() >= 11
        bottom, top = ax.get_ylim()
        assert bottom > top  # y runs downwards: the arms top to bottom, in the summary's order
    assert [t.get_text() for t in cmp.axes[0].get_yticklabels()] == ["us=hawk", "us=idle"]


def test_overlaid_fan_charts_align_arms_by_calendar_quarter(tmp_path, figures):
    arms = {"baseline": ("baseline", "2025Q1", 24), "no-controls": ("no-controls", "2023Q1", 32)}
    result, collected, _, quantiles, _ = experiment(arms)
    report.plots(tmp_path, collected, quantiles, result)
    ax = figures["fan_arms_us_china_stock_ratio.png"].axes[0]
    medians = {line.get_label(): line.get_xdata() for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert medians["no-controls"][0] == 0 and medians["baseline"][0] == 8  # 2025Q1 is 8 quarters after 2023Q1
    assert medians["baseline"][-1] == medians["no-controls"][-1]  # both end in 2030Q4
    assert ax.get_ylabel() == metric_label("us_china_stock_ratio").unit


# --- 2. headline events ---------------------------------------------------------------------------
def test_event_cells_give_counts_and_a_wilson_interval_never_a_bare_zero():
    lo, hi = report.wilson(0, 100)
    assert lo == 0.0 and hi == pytest.approx(0.0370, abs=5e-4)
    assert report.event_cell(0, 100) == "0 of 100 (< 3.7 %)"
    assert report.event_cell(100, 100) == "100 of 100 (> 96.3 %)"
    assert report.event_cell(33, 40) == "33 of 40: 82.5 % (68.1–91.3 %)"
    lo, hi = report.wilson(20, 40)
    assert lo == pytest.approx(0.352, abs=1e-3) and hi == pytest.approx(0.648, abs=1e-3)


def test_summary_defines_each_event_and_counts_runs(tmp_path):
    result, collected, manifest, _, fq = experiment({"baseline": ("baseline", "2025Q1", 24)})
    md = report.summary_md(result, collected, manifest, fq)
    assert md.count("P(US+allies:China compute stock ratio < 10)") == 1
    row = next(line for line in md.splitlines() if line.startswith("| P(US+allies:China compute stock ratio < 10)"))
    assert "`us_china_stock_ratio` < 10 at the end of 2030Q4" in row
    assert f"of {RUNS}" in row and "0.00" not in row and "Wilson" in md
    assert "Thresholds:" in md


def test_event_thresholds_separate_baseline_from_no_controls(capsys, tmp_path):
    """With the old thresholds (stock ratio < 5, output ratio < 10) every arm read 0."""
    assert main(["mc", "--runs", "8", "--workers", "1", "--no-track", "--compare-scenarios", "baseline,no-controls",
                 "--out", str(tmp_path / "s")]) == 0
    capsys.readouterr()
    md = (tmp_path / "s" / "summary.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| P(")]
    assert len(rows) == len(report.EVENTS)
    differ = 0
    for line in rows:
        counts = [int(c.strip().split(" of ")[0]) for c in line.strip("|").split("|")[2:]]
        differ += counts[0] != counts[1]
    assert differ >= 3, rows
    assert "Caveat: the arms play different calendars" in md  # 2025Q1 and 2023Q1 starts (item 3)
    assert (tmp_path / "s" / "plots" / "fan_arms_us_china_stock_ratio.png").stat().st_size > 0


# --- 3. arms on different calendars ---------------------------------------------------------------
def test_caveat_when_arms_start_in_different_quarters():
    arms = {"baseline": ("baseline", "2025Q1", 24), "no-controls": ("no-controls", "2023Q1", 32)}
    result, collected, manifest, _, fq = experiment(arms)
    md = report.summary_md(result, collected, manifest, fq)
    caveat = next(line for line in md.splitlines() if "Caveat" in line)
    assert "2025Q1" in caveat and "2023Q1" in caveat and "24 turns" in caveat and "32 turns" in caveat
    assert "paired by run seed" in caveat and "calendar quarter, not by turn" in caveat
    same = experiment({"us=doctrine": ("baseline", "2025Q1", 24), "us=idle": ("baseline", "2025Q1", 24)})
    assert "Caveat" not in report.summary_md(same[0], same[1], same[2], same[4])


# --- 4. one precision per row ---------------------------------------------------------------------
def test_aligned_numbers_share_the_precision_of_the_largest():
    assert aligned_numbers([5.68, 0.00035, 0.00051]) == ["5.68", "~0", "~0"]
    assert aligned_numbers([236, 0.00035, 0.00051, 249]) == ["236", "~0", "~0", "249"]
    assert aligned_numbers([18.9, 13.5, 0.0, 24.6]) == ["18.9", "13.5", "0", "24.6"]
    assert aligned_numbers([0.652, 0.301, 0.95]) == ["0.652", "0.301", "0.950"]
    assert aligned_numbers([15.1e6, 11.2e6, 20.2e6]) == ["15.1M", "11.2M", "20.2M"]
    assert aligned_numbers([-41.5e3, -55e3, -28e3]) == ["-41.5k", "-55.0k", "-28.0k"]
    assert aligned_numbers([None, 3.0]) == ["n/a", "3.00"]
    assert aligned_numbers([0.00035, 0.00051]) == ["0.00035", "0.00051"]  # tiny beside tiny stays readable


def test_short_number_keeps_its_behaviour_for_other_callers():
    assert [short_number(x) for x in (1234567, 66351.37, 0.004, 0.00035, 5.68, 0, 13.7e6)] == [
        "1.23M", "66.4k", "0.004", "0.00035", "5.68", "0", "13.7M"]


def test_summary_rows_do_not_print_meaningless_precision():
    result, collected, manifest, _, fq = experiment({"baseline": ("baseline", "2025Q1", 24)})
    md = report.summary_md(result, collected, manifest, fq)
    row = next(line for line in md.splitlines() if line.startswith("| Smuggled into China (H100e per quarter) `"))
    assert "0.00035" not in row and "~0" in row and "5.68" in row


# --- 5. forks of a saved game ---------------------------------------------------------------------
def test_from_save_summary_names_the_scenario_the_fork_quarter_and_the_seats(capsys, tmp_path):
    save = tmp_path / "g.json"
    assert main(["run", "--turns", "6", "--seed", "3", "--seat", "us=hawk", "--save", str(save)]) == 0
    assert main(["mc", "--from-save", str(save), "--seat", "china=idle", "--runs", "2", "--workers", "1",
                 "--no-track", "--out", str(tmp_path / "f")]) == 0
    capsys.readouterr()
    md = (tmp_path / "f" / "summary.md").read_text()
    assert "scenario defaults" not in md and "saved game" not in md.split("\n## ")[0].replace("the saved game's", "")
    assert "{'" not in md
    assert "scenario: baseline (as saved)" in md and "after 2026Q2 (turn 6 of 24" in md and "2026Q3–2030Q4" in md
    assert "seats: as saved (us: hawk; all others doctrine); overridden for this experiment: china: idle" in md
    manifest = json.loads((tmp_path / "f" / "manifest.json").read_text())
    assert manifest["from_save"] == str(save)  # read from the manifest's save, which stays untouched
    assert report.fork_quarter(manifest) == "2026Q2"  # the fan charts mark it
    assert report.fork_quarter({**manifest, "from_save": None}) is None


def test_fan_charts_mark_the_fork():
    """A dashed line after the saved game's last quarter, on every fan chart; none without a fork."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    quarters = ["2026Q1", "2026Q2", "2026Q3"]
    report._mark_fork(ax, quarters, None)
    report._mark_fork(ax, quarters, "2024Q4")  # not on the chart: nothing drawn
    assert not ax.lines and not ax.texts
    report._mark_fork(ax, quarters, "2026Q2")
    assert [tuple(line.get_xdata()) for line in ax.lines] == [(1.5, 1.5)]
    assert [t.get_text() for t in ax.texts] == ["forked from the save"]
    plt.close(fig)


def test_seat_overrides_print_as_words_not_a_dict():
    result, collected, manifest, _, fq = experiment({"baseline": ("baseline", "2025Q1", 24)})
    manifest["seats"] = {"us": "hawk"}
    md = report.summary_md(result, collected, manifest, fq)
    assert "- seats: scenario defaults; overridden for this experiment: us: hawk" in md and "{'" not in md


# --- 6. the reference arm -------------------------------------------------------------------------
def test_first_arm_shows_a_dash_not_a_zero_difference():
    result, *_ = experiment({"us=doctrine": ("baseline", "2025Q1", 24), "us=idle": ("baseline", "2025Q1", 24)})
    text = report.text_table(result)
    first, second = text.split("\narm us=idle")
    assert "0 [0, 0]" not in first and "—" in first and "(the reference for the differences)" in first
    assert "—" not in second and re.search(r"\[-?[\d.]+\w?, -?[\d.]+\w?\]", second)


def test_short_number_rounds_into_the_next_suffix():
    """999,600 rounds to 1.00M at three figures: '1M', never '1e+03k'; nothing infinite gets a suffix."""
    assert [short_number(x) for x in (999_600, 999.6, 999.4, -999_600, 999.5e6, 1.2e12)] == [
        "1M", "1k", "999", "-1M", "1B", "1.2T"]
    assert [short_number(x) for x in (float("inf"), float("-inf"), float("nan"))] == ["inf", "-inf", "nan"]


# --- 7. what the labels claim (review of the Monte Carlo outputs) ---------------------------------
def test_the_us_stock_is_labelled_as_us_and_allied_compute():
    """The model's "US" stock is every US-vendor chip installed outside China and the Tier-2
    nations (docs/model.md §3.6): allies such as Europe and Japan are in it."""
    lab, ratio = LABELS["us_compute_stock_h100e"], LABELS["us_china_stock_ratio"]
    assert lab.label == "US and allied installed AI compute"
    assert "outside China and the Tier-2 nations" in lab.note and "Europe, Japan" in lab.note
    assert "allies" in ratio.label and "allies" in ratio.unit and "outside China and the Tier-2 nations" in ratio.note
    assert all("allies" in label for label, m, *_ in report.EVENTS if m == "us_china_stock_ratio")
    every_text = " ".join(f"{x.label} {x.unit} {x.note}" for x in LABELS.values())
    assert "US installed AI compute" not in every_text and "installed in the US" not in every_text


def test_stocks_are_in_service_net_of_retirements_not_cumulative(tmp_path, figures):
    """settle_stocks retires 1/16 of every stock a quarter: a stock is what is in service, and
    'cumulative' is kept for the running total of smuggling."""
    for m in ("us_compute_stock_h100e", "china_compute_stock_h100e", "tier2_compute_stock_h100e"):
        assert LABELS[m].kind == "stock" and "less retirements" in LABELS[m].note and not LABELS[m].cumulative, m
        assert "cumulative" not in when(m, "2030Q4"), m
    assert LABELS["cumulative_smuggled_h100e"].cumulative
    assert "cumulative" in when("cumulative_smuggled_h100e", "2030Q4")
    # the fleet's power is built like the stocks (kept * (1 - r) + new), so it is one
    assert LABELS["china_ai_power_gw"].kind == "stock" and "retired" in LABELS["china_ai_power_gw"].note

    result, collected, manifest, quantiles, fq = experiment({"baseline": ("baseline", "2025Q1", 24)})
    md = report.summary_md(result, collected, manifest, fq)
    assert "cumulative" not in md and "everything installed" not in md and "less retirements" in md
    assert "cumulative" not in report.text_table(result) and "less retirements" in report.text_table(result)
    report.plots(tmp_path, collected, quantiles, result)
    assert not any("cumulative" in ax.get_xlabel() for ax in figures["final_hist.png"].axes)


def _hypothetical_experiment():
    return experiment({"baseline": ("baseline", "2025Q1", 24), "no-controls": ("no-controls", "2023Q1", 32)})


def test_hypothetical_arms_say_so_in_summary_terminal_and_plots(tmp_path, figures):
    """no-controls is `hypothetical: true`: its arm is never shown as plain 'no-controls'."""
    result, collected, manifest, quantiles, fq = _hypothetical_experiment()
    md = report.summary_md(result, collected, manifest, fq)
    assert ('- scenarios: baseline ("Baseline 2025Q1-2030Q4"); no-controls ("Counterfactual: no export controls '
            'from 2022 (hypothetical)")') in md
    assert "- arms: baseline, no-controls (hypothetical) (" in md
    assert "## no-controls (hypothetical): final quarter 2030Q4" in md and "## baseline: final quarter" in md
    assert "| event | definition | baseline | no-controls (hypothetical) |" in md
    assert "arm no-controls (hypothetical)" in report.text_table(result, names=report.display_names(
        [a["name"] for a in result["arms"]], manifest))

    report.plots(tmp_path, collected, quantiles, result, manifest=manifest)
    assert figures["fan_no-controls.png"].get_suptitle().startswith("no-controls (hypothetical): ")
    assert figures["fan_baseline.png"].get_suptitle().startswith("baseline: ")
    assert [t.get_text() for t in figures["final_hist.png"].legends[0].get_texts()] == [
        "baseline", "no-controls (hypothetical)"]
    overlay = figures["fan_arms_us_china_stock_ratio.png"].axes[0].get_legend()
    assert [t.get_text() for t in overlay.get_texts()] == ["baseline", "no-controls (hypothetical)"]
    assert [t.get_text() for t in figures["compare.png"].axes[0].get_yticklabels()] == ["no-controls (hypothetical)"]


def test_a_hypothetical_scenario_title_is_marked_once():
    assert report._titled("Counterfactual: no export controls from 2022 (hypothetical)", True).count("hypothetical") == 1
    assert report._titled("A variant", True) == "A variant (hypothetical)"
    assert report._titled("Baseline 2025Q1-2030Q4", False) == "Baseline 2025Q1-2030Q4"


def _overlapping_labels(fig) -> list[tuple[str, str]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # the figure is closed: draw it again, as saved
    canvas.draw()
    renderer = canvas.get_renderer()
    clashes = []
    for ax in fig.axes:
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.get_xticklabels() if t.get_text()]
        clashes += [(a, b) for (a, box_a), (b, box_b) in zip(boxes, boxes[1:], strict=False) if box_a.x1 > box_b.x0]
    return clashes


def test_quarter_labels_never_run_together(tmp_path, figures):
    """A 32-quarter game in a 2x2 panel printed '2023Q42024Q4...': the step follows the width."""
    assert report.quarter_step(24, 4.2) == 4 and report.quarter_step(32, 4.2) == 8
    assert report.quarter_step(32, 8.5) == 4 and report.quarter_step(8, 4.2) == 2
    result, collected, manifest, quantiles, fq = _hypothetical_experiment()
    report.plots(tmp_path, collected, quantiles, result, manifest=manifest)
    for name in ("fan_no-controls.png", "fan_baseline.png", "fan_arms_us_china_stock_ratio.png"):
        fig = figures[name]
        assert not _overlapping_labels(fig), name
        assert all(t.get_text().endswith("2030Q4") for t in [fig.axes[0].get_xticklabels()[-1]]), name
    ticks = [t.get_text() for t in figures["fan_no-controls.png"].axes[0].get_xticklabels()]
    assert ticks == ["2024Q4", "2026Q4", "2028Q4", "2030Q4"]


def test_thresholds_paragraph_says_exactly_what_was_measured():
    result, collected, manifest, _, fq = experiment({"us=hawk": ("baseline", "2025Q1", 24)})
    md = report.summary_md(result, collected, manifest, fq)
    para = next(line for line in md.splitlines() if line.startswith("Thresholds:"))
    assert "across the built-in scenarios and US policies" not in para
    assert "40 runs each at seed 0" in para and "parameter values" in para
    for setting in ("baseline:", "no-controls (hypothetical):", "baseline with us=idle:", "baseline with us=hawk:"):
        assert setting in para, setting
    assert "stock ratio 8.4–16.1" in para and "not fitted to this one" in para and "were not measured" in para


def test_tied_histogram_bins_show_every_arm(tmp_path, figures):
    """Two arms with the same count in a bin: side-by-side bars, not one outline over the other."""
    arms = {"us=doctrine": ("baseline", "2025Q1", 24), "us=idle": ("baseline", "2025Q1", 24)}
    result, collected, manifest, quantiles, _ = experiment(arms)
    for a in collected["arms"]:  # both arms: the very same values, every bin tied
        a["final"]["us_china_stock_ratio"] = np.linspace(5.0, 25.0, RUNS)
    report.plots(tmp_path, collected, quantiles, result, manifest=manifest)
    ax = figures["final_hist.png"].axes[0]
    bars = [(p.get_x(), p.get_x() + p.get_width(), p.get_facecolor()) for p in ax.patches if p.get_height() > 0]
    colours = {c for *_, c in bars}
    assert len(colours) == 2
    for (x0, x1, _), (y0, y1, _) in ((a, b) for a in bars for b in bars if a[2] != b[2]):
        assert x1 <= y0 + 1e-9 or y1 <= x0 + 1e-9, "two arms' bars overlap"
    # fan charts share y-scales only; compare.png says nothing about calendars when arms share one
    assert "(the same y-scales in every arm's chart)" in figures["fan_us_idle.png"].get_suptitle()
    assert not figures["compare.png"].get_supxlabel()


def test_compare_chart_warns_when_arms_play_different_calendars(tmp_path, figures):
    result, collected, manifest, quantiles, _ = _hypothetical_experiment()
    report.plots(tmp_path, collected, quantiles, result, manifest=manifest)
    note = figures["compare.png"].get_supxlabel().replace("\n", " ")
    assert "different calendars" in note and "2025Q1-2030Q4" in note and "2023Q1-2030Q4" in note
    assert "paired by run seed" in note


def test_label_wording_is_accurate_about_vendors_smuggling_and_cloud():
    every_text = " ".join(f"{x.label} {x.note}" for x in LABELS.values())
    assert "US-made" not in every_text and "made by Nvidia" not in every_text
    assert "designed and sold by Nvidia" in LABELS["us_ai_chip_output_h100e"].note
    assert "US-vendor (Nvidia and others)" in LABELS["tier2_compute_stock_h100e"].note
    assert "counts every smuggled chip as Nvidia's" in LABELS["nvidia_china_share"].note
    cloud = LABELS["cloud_leak_h100e"]
    assert cloud.label == "Compute rented abroad by Chinese firms (cloud access)" and "leak" not in cloud.label.lower()
    assert "not installed in China" in cloud.note


def test_summary_example_uses_the_runs_and_a_single_arm_claims_no_pairing():
    result, collected, manifest, _, fq = experiment({"baseline": ("baseline", "2025Q1", 24)})
    md = report.summary_md(result, collected, manifest, fq)
    assert f"'0 of {RUNS} (< " in md and "0 of 100" not in md
    assert "common random numbers" not in md and "- arm: baseline" in md
    two = experiment({"us=doctrine": ("baseline", "2025Q1", 24), "us=idle": ("baseline", "2025Q1", 24)})
    assert "common random numbers: every arm plays the same seeds" in report.summary_md(two[0], two[1], two[2], two[4])


def test_terminal_events_block_counts_like_the_summary():
    result, collected, manifest, _, fq = _hypothetical_experiment()
    names = report.display_names([a["name"] for a in result["arms"]], manifest)
    text = report.events_text(collected, names, fq)
    lines = text.splitlines()
    assert lines[0].startswith("headline events at the final quarter (2030Q4)") and "no-controls (hypothetical)" in lines[1]
    md = report.summary_md(result, collected, manifest, fq)
    for label, m, op, thr in report.EVENTS:
        cells = [report.event_cell(*report.event_count(a["final"][m], op, thr)) for a in collected["arms"]]
        row = next(line for line in lines if line.strip().startswith(label))
        assert all(c in row for c in cells) and all(c in md for c in cells), label


def test_readme_states_the_measured_threshold_basis_and_the_relabelled_metrics():
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = " ".join(readme.read_text().split("## Monte Carlo", 1)[1].split("### Sensitivity", 1)[0].split())
    for _, (s_lo, s_hi), _ in report.THRESHOLD_BASIS:
        assert f"{s_lo:.1f}–{s_hi:.1f}" in text
    assert ", ".join(f"{o_lo:.1f}–{o_hi:.1f}" for *_, (o_lo, o_hi) in report.THRESHOLD_BASIS[:3]) in text
    assert "US and allied installed AI compute" in text and "US+allies:China compute stock ratio < 10" in text
    assert "`no-controls` (hypothetical)" in text and "same y-scales" in text
    assert "stock ratio) is cumulative" not in text and "the same scales in every arm" not in text


def test_terminal_table_fits_a_narrow_terminal_by_leaving_out_the_ids():
    result, *_ = experiment({"us=doctrine": ("baseline", "2025Q1", 24), "us=idle": ("baseline", "2025Q1", 24)})
    wide = report.text_table(result)
    assert "china_compute_stock_h100e" in wide and max(map(len, wide.splitlines())) > 120
    narrow = report.text_table(result, width=120)
    assert "china_compute_stock_h100e" not in narrow and " id" not in narrow
    assert max(map(len, narrow.splitlines())) <= 120
    assert "China's installed AI compute (H100e)" in narrow  # the labels and figures stay


def test_summary_gives_the_means_95_ci_beside_the_spread_of_runs():
    """'How sure?': each arm's row carries the mean's Student-t interval, not only p10-p90."""
    result, collected, manifest, _, fq = experiment({"baseline": ("baseline", "2025Q1", 24)})
    md = report.summary_md(result, collected, manifest, fq)
    assert "| metric | mean | mean's 95 % CI | p10 | p50 | p90 |" in md and "narrows as 1/√runs" in md
    ratio = collected["arms"][0]["final"]["us_china_stock_ratio"]  # 5..25 evenly: mean 15
    lo, hi = ci95(ratio)
    assert lo < 15 < hi
    row = next(line for line in md.splitlines() if "÷ China) `us_china_stock_ratio` |" in line)
    assert f"| 15.0 | [{lo:.1f}, {hi:.1f}] |" in row


def test_the_means_ci_is_clipped_at_zero_for_a_metric_that_cannot_be_negative_but_differences_are_not():
    """One run smuggles 5000 and nineteen none: Student's t reaches below 0, but a mean of values
    >= 0 cannot, so the interval is intersected with [0, inf); a paired difference can be negative."""
    result, collected, manifest, _, fq = experiment({"baseline": ("baseline", "2025Q1", 24),
                                                     "other": ("baseline", "2025Q1", 24)})
    collected["arms"][0]["final"]["smuggled_h100e"] = np.r_[np.zeros(RUNS - 1), 5000.0]
    collected["arms"][1]["final"]["smuggled_h100e"] = np.zeros(RUNS)
    result = result_object(collected, manifest)
    lo, hi = ci95(collected["arms"][0]["final"]["smuggled_h100e"])
    assert lo < 0 < hi
    md = report.summary_md(result, collected, manifest, fq)
    rows = [line for line in md.splitlines() if line.startswith("| Smuggled into China (H100e per quarter) `smuggled_h100e` |")]
    assert len(rows) == 3  # each arm's row, then the differences
    assert f"| 250 | [0, {hi:.0f}] |" in rows[0]
    assert "| 0 | [0, 0] |" in rows[1]
    assert f"| -250 [-{hi:.0f}, {-lo:.0f}] |" in rows[2]  # the paired difference keeps its negative end
    assert "clipped at zero where a metric cannot be negative" in md
    assert result["arms"][1]["diff_vs_first"]["smuggled_h100e"]["ci95"][0] < 0  # results.json: unclipped

    # a share's interval also stops at 1: two runs at 1 and one at 0.4 reach past it by Student's t
    collected["arms"][0]["final"]["china_self_sufficiency"] = np.r_[np.full(RUNS - 1, 1.0), 0.4]
    lo, hi = ci95(collected["arms"][0]["final"]["china_self_sufficiency"])
    assert hi > 1
    md = report.summary_md(result_object(collected, manifest), collected, manifest, fq)
    row = next(line for line in md.splitlines() if line.startswith("| China's self-sufficiency (share 0-1)"))
    assert row.split("|")[3].strip().endswith(", 1.00]"), row


def test_metrics_marked_nonnegative_never_are_negative_in_played_games():
    """The flag that clips the mean's CI at 0 must be true of the records: a few games of each
    built-in scenario, with sampled parameters and different seats."""
    from wargame.batch import cached_scenario
    from wargame.runner import make_seats, play
    from wargame.session import GameSession

    marked = [m for m, lab in LABELS.items() if lab.nonnegative]
    assert set(report.TABLE_METRICS) <= set(marked)
    assert not metric_label("smuggler_profit_usd_b").nonnegative  # unlabelled, and a loss is negative
    assert not metric_label("tier2_alignment_malaysia").nonnegative
    for scenario, seats in (("baseline", {}), ("no-controls", {"us": "idle"}), ("historical", {"us": "hawk"}),
                            ("smuggling-crackdown", {})):
        session = GameSession(cached_scenario(scenario), 1, sample_params=True)
        play(session, make_seats(session, seats))
        for record in session.timeline:
            assert all(record[m] >= 0 for m in marked), (scenario, [m for m in marked if record[m] < 0])
