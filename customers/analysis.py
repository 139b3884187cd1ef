"""The customer analyses of PRODUCT.md ("Customers, feedback and messages, defined") as pure functions
of aggregates: the selectors hand them one row per customer and visit day, never raw orders.

Definitions, exactly as implemented (all days are store-local business days; `as_of` is today):
- A **visit** is a business day on which a settled (paid or closed) check was linked to the
  customer: two checks on one day are one visit. Its money is the checks' net sales that day.
- **Recency** = days from the last visit to `as_of`. **Frequency** = visits in the 180 days ending on
  `as_of` (visit day > as_of − 180). **Monetary** = net sales of those visits.
- **Churn risk** (only with ≥ 3 visits) = recency ÷ the median gap in days between consecutive visits.
- **Segment**, first that applies: *lapsed* (churn risk > 4, or recency > 90 days); *at risk* (churn
  risk > 2); *VIP* (among the others, the "active" customers, the top 10% by monetary, rounded up so a
  small store has one; monetary must be > 0; ties broken by the older customer id); *new* (exactly 1
  visit, recency ≤ 30 days); otherwise *regular*.
- **Value at risk** (the follow-up ranking) = monthly monetary × min(1, churn risk ÷ 4), monthly
  monetary being the 180-day monetary ÷ 6. Customers without a churn risk have none. The follow-up
  list holds only the customers *at risk* or *lapsed* with a value at risk, highest first (see
  docs/customer-analyses.md for why: a regular back on time has a value at risk too, but no reason
  to be called).
- **Store churn rate** for a month = of the customers with a visit in the 90 days before the month's
  first day, the share with no visit from its first to its last day.
- **Churn warning**: the month's rate is above its trailing band, the mean + 2 standard deviations
  (sample) of the previous 6 months' rates; at least 3 earlier months are needed to draw a band.
"""

import datetime as dt
import itertools
import math
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WINDOW_DAYS = 180
NEW_MAX_RECENCY = 30
LAPSED_RECENCY = 90
AT_RISK_RISK = Decimal(2)
LAPSED_RISK = Decimal(4)
VIP_SHARE = Decimal("0.10")
CHURN_LOOKBACK_DAYS = 90
BAND_MONTHS = 6
BAND_MIN_MONTHS = 3
CENT = Decimal("0.01")


@dataclass
class Rfm:
    customer_id: int
    visits: int
    last_visit: dt.date | None
    recency_days: int | None
    frequency: int
    monetary: Decimal
    median_gap_days: Decimal | None
    churn_risk: Decimal | None
    value_at_risk: Decimal
    segment: str = ""


def rfm(customer_id: int, visits: dict[dt.date, Decimal], as_of: dt.date) -> Rfm:
    """One customer's figures from {visit day: net sales that day} (days after `as_of` ignored)."""
    days = sorted(d for d in visits if d <= as_of)
    if not days:
        return Rfm(customer_id, 0, None, None, 0, Decimal(0), None, None, Decimal(0))
    window_start = as_of - dt.timedelta(days=WINDOW_DAYS)
    recent = [d for d in days if d > window_start]
    monetary = sum((visits[d] for d in recent), Decimal(0))
    recency = (as_of - days[-1]).days
    median_gap = risk = None
    if len(days) >= 3:
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
        median_gap = Decimal(str(statistics.median(gaps)))
        risk = (Decimal(recency) / median_gap).quantize(CENT, ROUND_HALF_UP)
    at_risk_value = Decimal(0)
    if risk is not None:
        at_risk_value = (monetary / 6 * min(Decimal(1), risk / 4)).quantize(CENT, ROUND_HALF_UP)
    return Rfm(
        customer_id, len(days), days[-1], recency, len(recent), monetary, median_gap, risk, at_risk_value
    )


def segment_all(rows: list[Rfm]) -> list[Rfm]:
    """Sets `segment` on each row (see the module docstring for the order of the rules)."""
    active = []
    for row in rows:
        if row.visits == 0:
            row.segment = "lapsed"
        elif (
            row.churn_risk is not None and row.churn_risk > LAPSED_RISK
        ) or row.recency_days > LAPSED_RECENCY:
            row.segment = "lapsed"
        elif row.churn_risk is not None and row.churn_risk > AT_RISK_RISK:
            row.segment = "at_risk"
        else:
            active.append(row)
    all_active = [r for r in rows if r.segment != "lapsed"]
    vip_count = math.ceil(len(all_active) * VIP_SHARE)
    ranked = sorted(all_active, key=lambda r: (-r.monetary, r.customer_id))
    vip_ids = {r.customer_id for r in ranked[:vip_count] if r.monetary > 0}
    for row in active:
        if row.customer_id in vip_ids:
            row.segment = "vip"
        elif row.visits == 1 and row.recency_days <= NEW_MAX_RECENCY:
            row.segment = "new"
        else:
            row.segment = "regular"
    return rows


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def churn_rate(visit_days: dict[int, set[dt.date]], month: dt.date) -> tuple[int, int, Decimal | None]:
    """(base, churned, rate) for the calendar month containing `month`."""
    return churn_between(visit_days, *month_bounds(month))


def churn_between(
    visit_days: dict[int, set[dt.date]], first: dt.date, last: dt.date
) -> tuple[int, int, Decimal | None]:
    """(base, churned, rate) for the days first..last: of the customers with a visit in the 90 days
    before `first`, how many had none from `first` to `last` (a month, or an evaluation window)."""
    lookback = first - dt.timedelta(days=CHURN_LOOKBACK_DAYS)
    base = churned = 0
    for days in visit_days.values():
        if not any(lookback <= d < first for d in days):
            continue
        base += 1
        if not any(first <= d <= last for d in days):
            churned += 1
    rate = (Decimal(churned) / Decimal(base)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if base else None
    return base, churned, rate


def churn_band(trailing: list[Decimal]) -> Decimal | None:
    """The upper edge of the band drawn from up to the last 6 monthly rates (None with fewer than 3)."""
    rates = [r for r in trailing[-BAND_MONTHS:] if r is not None]
    if len(rates) < BAND_MIN_MONTHS:
        return None
    mean = statistics.mean(rates)
    return (mean + 2 * statistics.stdev(rates)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


# --- complaints ---------------------------------------------------------------------------------

SPIKE_MIN_COUNT = 4
SPIKE_FACTOR = Decimal(2)
SPIKE_BASELINE_WEEKS = 4


def is_spike(this_week: int, previous_weeks: list[int]) -> tuple[bool, Decimal]:
    """A category spikes when this week's complaints are at least 4 and at least twice the mean of
    the previous 4 weeks. Returns (spike?, baseline mean)."""
    baseline = Decimal(sum(previous_weeks)) / Decimal(len(previous_weeks) or 1)
    baseline = baseline.quantize(CENT, ROUND_HALF_UP)
    return this_week >= SPIKE_MIN_COUNT and Decimal(this_week) >= SPIKE_FACTOR * baseline, baseline
