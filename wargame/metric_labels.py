"""Plain-language names and units of the record's metrics, for reports and plots.

The metric ids (wargame/metrics.py) are a contract and stay as they are; these labels are what a
reader sees beside them. Wording follows the table's labels (ui/intel.py, ui/view.py) and the
definitions in docs/model.md §4.1 and DESIGN §5.

`kind` says what a value at a given quarter is:
  flow  - that one quarter's amount (output, sales, smuggling during the quarter), not a total;
  stock - what is in service at the end of the quarter: earlier stock less retirements plus the
          quarter's additions (wargame/mechanics/stocks.py: chips retire at `retire_per_quarter`,
          a 4-year life), so not a cumulative total; a stock marked `cumulative` (smuggling since
          the start) is a running total from which nothing is retired;
  level - a state at the end of the quarter (a yield, a balance, a price premium).
A ratio or share has the kind of what it divides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MetricLabel:
    label: str  # plain words, short enough for a plot's title
    unit: str  # what a number of it counts ("H100e per quarter", "$B per quarter", "US ÷ China")
    kind: str  # "flow", "stock" or "level" (see the module's docstring)
    note: str = ""  # one line: what exactly is counted
    cumulative: bool = False  # a stock that is a running total since the start (nothing retires)
    # never below 0 (an amount, or a ratio, share or 0-1 level of amounts): summary.md clips the
    # mean's 95 % CI at 0. Every labelled metric is; a guessed label (metric_label's fallback) is
    # not, since unlabelled metrics can be negative (smuggler_profit_usd_b, tier2_alignment_*).
    nonnegative: bool = True

    @property
    def bounds(self) -> tuple[float, float]:
        """The values it can take: at least 0 if non-negative, at most 1 if a share 0-1 (what
        summary.md intersects the mean's CI with)."""
        return (0.0 if self.nonnegative else -math.inf, 1.0 if self.unit == "share 0-1" else math.inf)

    def with_unit(self) -> str:
        return f"{self.label} ({self.unit})"


_F, _S, _L = "flow", "stock", "level"

LABELS: dict[str, MetricLabel] = {
    # the model's "US" stock is every US-vendor chip installed outside China and the Tier-2 nations
    # (docs/model.md §3.6), so it includes allies such as Europe and Japan
    "us_compute_stock_h100e": MetricLabel("US and allied installed AI compute", "H100e", _S,
                                          "US-vendor (Nvidia and others) AI chips in service outside China and the "
                                          "Tier-2 nations (the US, Europe, Japan and others) at the end of the quarter, "
                                          "additions less retirements"),
    "china_compute_stock_h100e": MetricLabel("China's installed AI compute", "H100e", _S,
                                             "domestic and foreign AI chips in service in China at the end of the "
                                             "quarter, additions less retirements"),
    "tier2_compute_stock_h100e": MetricLabel("Tier-2 installed AI compute", "H100e", _S,
                                             "US-vendor (Nvidia and others) and Chinese AI chips in service in the "
                                             "Tier-2 nations at the end of the quarter, additions less retirements"),
    "us_ai_chip_output_h100e": MetricLabel("US-vendor AI-chip output", "H100e per quarter", _F,
                                           "every AI chip designed and sold by Nvidia and the other US vendors in the quarter, "
                                           "including those sold to China and the Tier-2 nations"),
    "china_ai_chip_output_h100e": MetricLabel("China's AI-chip output", "H100e per quarter", _F,
                                              "Ascend packages (exports included) and other domestic AI chips made in the quarter"),
    "us_china_output_ratio": MetricLabel("US:China AI-chip output ratio", "US ÷ China", _F,
                                         "AI chips made in the quarter, in H100e: all US vendors' (Nvidia and others, "
                                         "wherever sold) ÷ China's domestic output (Ascend and others)"),
    "us_china_stock_ratio": MetricLabel("US+allies:China compute stock ratio", "US+allies ÷ China", _S,
                                        "US and allied installed AI compute (US-vendor chips in service outside China "
                                        "and the Tier-2 nations) ÷ China's, in H100e, at the end of the quarter"),
    "china_self_sufficiency": MetricLabel("China's self-sufficiency", "share 0-1", _F,
                                          "domestic share of China's AI-compute additions in the quarter"),
    "china_unmet_demand_h100e": MetricLabel("China's unmet demand", "H100e per quarter", _F,
                                            "AI-compute demand China could not meet in the quarter"),
    "smuggled_h100e": MetricLabel("Smuggled into China", "H100e per quarter", _F,
                                  "true volume that reached China in the quarter, after seizures"),
    "seized_h100e": MetricLabel("Smuggled chips seized", "H100e per quarter", _F, "seized at the hubs in the quarter"),
    "cloud_leak_h100e": MetricLabel("Compute rented abroad by Chinese firms (cloud access)", "H100e per quarter", _F,
                                    "compute in Tier-2 nations' data centres (those admitting Chinese tenants) rented by Chinese firms in "
                                    "the quarter, directly or through brokers; it meets demand but is not installed in China"),
    "smuggling_price_premium": MetricLabel("Smuggling price premium", "over list, 0.5 = +50 %", _L,
                                           "black-market price over list price"),
    "china_ai_power_gw": MetricLabel("Power drawn by China's AI fleet", "GW", _S,
                                     "drawn by the AI chips in service in China at the end of the quarter (data-centre "
                                     "overhead included): new chips' draw added, retired chips' removed"),
    "nvidia_revenue_usd_b": MetricLabel("Nvidia revenue", "$B per quarter", _F, "the quarter's revenue, gross of the US export fee"),
    "nvidia_china_revenue_usd_b": MetricLabel("Nvidia China revenue", "$B per quarter", _F,
                                              "licensed AI-chip sales in China in the quarter"),
    "nvidia_china_share": MetricLabel("Nvidia share of China's additions", "share 0-1", _F,
                                      "licensed Nvidia chips and all smuggled chips (the model counts every smuggled chip as "
                                      "Nvidia's; grey imports are not counted) as a share of China's compute additions in "
                                      "the quarter"),
    "huawei_output_chips": MetricLabel("Huawei Ascend output", "chips per quarter", _F,
                                       "Ascend packages made in the quarter, exports included"),
    "huawei_exports_chips": MetricLabel("Huawei Ascend exports", "chips per quarter", _F, "Ascend chips exported in the quarter"),
    "smic_advanced_capacity_wpm": MetricLabel("SMIC advanced-node capacity", "wafers/month", _L, "at the end of the quarter"),
    "smic_yield": MetricLabel("SMIC AI-die yield", "share 0-1", _L, "at the end of the quarter"),
    "smic_revenue_usd_b": MetricLabel("SMIC revenue", "$B per quarter", _F, "the quarter's revenue"),
    "asml_china_revenue_usd_b": MetricLabel("ASML China revenue", "$B per quarter", _F, "ASML's sales to China in the quarter"),
    "asml_china_share": MetricLabel("China's share of ASML sales", "share 0-1", _F, "in the quarter"),
    "us_hawkishness": MetricLabel("US hawk-dove balance", "0 dove - 1 hawk", _L, "at the end of the quarter"),
    "cumulative_smuggled_h100e": MetricLabel("Smuggled into China since the start", "H100e", _S,
                                             "everything smuggled since the game began (a running total, nothing "
                                             "retired)", cumulative=True),
}

_UNIT_SUFFIXES = (("_h100e", "H100e", _F), ("_usd_b", "$B", _F), ("_usd_m", "$M", _F), ("_chips", "chips", _F),
                  ("_wpm", "wafers/month", _L), ("_gw", "GW", _L))


def metric_label(metric: str) -> MetricLabel:
    """The metric's label; a metric without one keeps its id as label, with a unit guessed from
    its suffix (a flow, unless it says otherwise)."""
    if metric in LABELS:
        return LABELS[metric]
    for suffix, unit, kind in _UNIT_SUFFIXES:
        if metric.endswith(suffix):
            return MetricLabel(metric, unit, kind, nonnegative=False)
    return MetricLabel(metric, "value", _L, nonnegative=False)


def when(metric: str, quarter: str) -> str:
    """What a metric's value at `quarter` covers, in words: 'in 2030Q4 alone' for a flow."""
    label = metric_label(metric)
    if label.kind == _F:
        return f"in {quarter} alone"
    if label.kind == _S:
        if label.cumulative:
            return f"by the end of {quarter} (cumulative since the start)"
        return f"at the end of {quarter} (in service: additions less retirements)"
    return f"at the end of {quarter}"
