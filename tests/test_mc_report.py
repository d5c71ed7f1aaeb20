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
from wargame.mc.experiment import KEY_METRICS, result_object
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
    assert "cumulative" in when("china_compute_stock_h100e", "2030Q4")


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
    assert "the value for that one quarter, 2030Q4, not a total" in md and "cumulative" in md
    assert not re.search(r"^\| [a-z]+_[a-z_]+ \|", md, re.M), "a row named only by its snake_case id"


def test_terminal_table_has_labels_and_units_and_keeps_the_ids():
    result, *_ = experiment({"baseline": ("baseline", "2025Q1", 24)})
    text = report.text_table(result)
    assert "Smuggled into China (H100e per quarter)" in text and "smuggled_h100e" in text
    assert "US:China compute stock ratio (US ÷ China)" in text
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
        assert all(not p.get_fill() for p in ax.patches), "filled translucent bars blend into unlisted colours"
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
    assert md.count("P(US:China compute stock ratio < 10)") == 1
    row = next(line for line in md.splitlines() if line.startswith("| P(US:China compute stock ratio < 10)"))
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
