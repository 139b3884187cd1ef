"""The customer analyses against numbers worked by hand (PRODUCT.md, "Customers, feedback and
messages, defined"; the exact reading is in customers/analysis.py's docstring)."""

import datetime as dt
from decimal import Decimal

import pytest

from customers import analysis, selectors, services
from customers.models import ChurnRate, CustomerScore
from orders.models import Check

from .factories import CustomerFactory, visit

D = dt.date
AS_OF = D(2026, 6, 30)


@pytest.fixture
def people(store):
    """Ten customers; every figure below is worked from these visits (as of 30 June 2026)."""
    c = {name: CustomerFactory(store=store) for name in "ABCDEFGHIJ"}
    # A: 1, 11, 21 June (two checks on the 21st are one visit of 30 + 20 = 50); an unpaid check on
    # the 29th and a visit after as_of do not count.
    visit(c["A"], D(2026, 6, 1), "30")
    visit(c["A"], D(2026, 6, 11), "40")
    visit(c["A"], D(2026, 6, 21), "30")
    visit(c["A"], D(2026, 6, 21), "20")
    visit(c["A"], D(2026, 6, 29), "99", status=Check.Status.OPEN)
    visit(c["A"], D(2026, 7, 1), "99")
    for day in (1, 8, 15, 22):  # B: every 7 days in April, 100 each
        visit(c["B"], D(2026, 4, day), "100")
    for day in (D(2026, 5, 1), D(2026, 5, 21), D(2026, 6, 10)):  # C: every 20 days, 60 each
        visit(c["C"], day, "60")
    for day in (10, 15, 20):  # D: every 5 days, 20 each
        visit(c["D"], D(2026, 6, day), "20")
    for day in (1, 6, 11):  # E: every 5 days, 25 each
        visit(c["E"], D(2026, 6, day), "25")
    visit(c["F"], D(2026, 6, 20), "500")  # F: one big visit
    visit(c["G"], D(2026, 5, 30), "40")  # G: one visit 31 days ago
    visit(c["H"], D(2026, 1, 1), "1000")  # H: 1 Jan is exactly 180 days back: outside the window
    visit(c["H"], D(2026, 3, 1), "50")
    visit(c["H"], D(2026, 3, 15), "50")
    visit(c["I"], D(2026, 6, 25), "15")  # I: one visit 5 days ago
    visit(c["J"], D(2026, 5, 31), "10")  # J: one visit exactly 30 days ago
    return c


def test_rfm_churn_risk_segments_and_value_at_risk(store, people):
    rows = {r.customer_id: r for r in selectors.rfm_rows(store=store, as_of=AS_OF)}
    by = {name: rows[c.pk] for name, c in people.items()}
    a = by["A"]
    # A: visits 1, 11, 21 June → 3 visits, gaps 10 and 10 → median 10; recency 30 − 21 = 9;
    # churn risk 9 / 10 = 0.90; monetary 30 + 40 + 50 = 120; value at risk 120/6 × min(1, 0.90/4)
    # = 20 × 0.225 = 4.50.
    assert (a.visits, a.recency_days, a.frequency, a.monetary) == (3, 9, 3, Decimal("120"))
    assert (a.median_gap_days, a.churn_risk, a.value_at_risk) == (
        Decimal("10"),
        Decimal("0.90"),
        Decimal("4.50"),
    )
    # B: last visit 22 April → recency 8 (to 30 Apr) + 31 + 30 = 69; median gap 7; risk 69/7 = 9.857
    # → 9.86 > 4: lapsed. Monetary 4 × 100 = 400; value at risk 400/6 × min(1, 2.46) = 66.67.
    assert (by["B"].recency_days, by["B"].churn_risk, by["B"].value_at_risk) == (
        69,
        Decimal("9.86"),
        Decimal("66.67"),
    )
    # C: gaps 20, 20; recency 20; risk 1.00; monetary 180; value 30 × 0.25 = 7.50.
    assert (by["C"].churn_risk, by["C"].monetary, by["C"].value_at_risk) == (
        Decimal("1.00"),
        Decimal("180"),
        Decimal("7.50"),
    )
    # D: gaps 5, 5; recency 10; risk exactly 2.00 (not above 2: not at risk); value 10 × 0.5 = 5.00.
    assert (by["D"].churn_risk, by["D"].value_at_risk) == (Decimal("2.00"), Decimal("5.00"))
    # E: gaps 5, 5; recency 19; risk 3.80 (at risk); monetary 75; value 12.5 × 0.95 = 11.875 → 11.88.
    assert (by["E"].churn_risk, by["E"].value_at_risk) == (Decimal("3.80"), Decimal("11.88"))
    # H: gaps 59 (1 Jan → 1 Mar) and 14 → median 36.5; recency from 15 March: 16 (to 31 Mar) + 30 +
    # 31 + 30 = 107; risk 107 / 36.5 = 2.93 (≤ 4, but recency > 90: lapsed). Frequency 2 and
    # monetary 100 (1 Jan is not after 30 June − 180 days = 1 Jan).
    # Value 100/6 × 2.93/4 = 16.667 × 0.7325 = 12.208 → 12.21.
    h = by["H"]
    assert (h.recency_days, h.median_gap_days, h.churn_risk) == (107, Decimal("36.5"), Decimal("2.93"))
    assert (h.visits, h.frequency, h.monetary, h.value_at_risk) == (3, 2, Decimal("100"), Decimal("12.21"))
    # Fewer than 3 visits: no churn risk and nothing at risk.
    assert (by["F"].churn_risk, by["F"].value_at_risk) == (None, Decimal("0"))
    # Active (not lapsed): A C D E F G I J = 8 → VIP = top ceil(0.8) = 1 by monetary = F (500).
    # G: 1 visit 31 days ago → regular; J: 1 visit exactly 30 days ago → new; I: 5 days → new.
    assert {name: r.segment for name, r in by.items()} == {
        "A": "regular",
        "B": "lapsed",
        "C": "regular",
        "D": "regular",
        "E": "at_risk",
        "F": "vip",
        "G": "regular",
        "H": "lapsed",
        "I": "new",
        "J": "new",
    }


def test_scores_upsert_idempotently_and_rank_the_follow_up(store, people):
    assert services.scores_refresh(store=store, as_of=AS_OF) == 10
    assert services.scores_refresh(store=store, as_of=AS_OF) == 10
    assert CustomerScore.objects.filter(store=store).count() == 10
    ranked = [(s.customer_id, s.value_at_risk) for s in selectors.follow_up(store=store)]
    # The lapsed and at-risk, highest value at risk first: B 66.67 (lapsed), H 12.21 (lapsed), E 11.88
    # (at risk). C 7.50, D 5.00 and A 4.50 have money at risk but are back within twice their usual
    # gap (regulars): nobody to call. F G I J: nothing at risk.
    p = people
    assert ranked == [
        (p["B"].pk, Decimal("66.67")),
        (p["H"].pk, Decimal("12.21")),
        (p["E"].pk, Decimal("11.88")),
    ]
    assert selectors.segment_counts(store=store) == {
        "new": 2,
        "regular": 4,
        "vip": 1,
        "at_risk": 1,
        "lapsed": 2,
    }


def test_store_churn_rate_for_a_month(store, people):
    visits = {cid: set(days) for cid, days in selectors.visit_days(store=store, until=AS_OF).items()}
    # June 2026: the 90 days before 1 June are 3 March – 31 May. Active then: B (April), C (1 and 21
    # May), G (30 May), H (15 March; 1 March is before the window), J (31 May) = 5. Of those only C
    # came back in June (10 June): churned 4 → 4 / 5 = 0.8000.
    assert analysis.churn_rate(visits, D(2026, 6, 1)) == (5, 4, Decimal("0.8000"))
    # May 2026: 90 days before 1 May = 31 Jan – 30 April: B (April), H (March) → base 2; neither
    # visited in May (C's first visit does not make it a returner) → 2 / 2 = 1.0000.
    assert analysis.churn_rate(visits, D(2026, 5, 15)) == (2, 2, Decimal("1.0000"))


def test_churn_rates_are_upserted_per_month(store, people):
    services.churn_rates_refresh(store=store, as_of=D(2026, 7, 10), months=3)
    services.churn_rates_refresh(store=store, as_of=D(2026, 7, 10), months=3)
    rows = list(ChurnRate.objects.filter(store=store).values_list("month", "base", "churned", "rate"))
    # The three completed months before July: April (base: visits 1 Jan – 31 Mar = H → churned, H
    # did not come in April: 1/1), May (2/2 as above), June (4/5).
    assert rows == [
        (D(2026, 4, 1), 1, 1, Decimal("1.0000")),
        (D(2026, 5, 1), 2, 2, Decimal("1.0000")),
        (D(2026, 6, 1), 5, 4, Decimal("0.8000")),
    ]


def test_churn_band_and_warning(store):
    rates = [Decimal(x) for x in ("0.10", "0.12", "0.11", "0.13", "0.09", "0.11")]
    # mean 0.66 / 6 = 0.11; squared deviations (1 + 1 + 0 + 4 + 4 + 0) × 0.0001 = 0.0010; sample
    # variance 0.0010 / 5 = 0.0002; sd 0.014142; band 0.11 + 2 × 0.014142 = 0.138284 → 0.1383.
    assert analysis.churn_band(rates) == Decimal("0.1383")
    assert analysis.churn_band(rates[:2]) is None  # fewer than 3 months: no band
    for month, rate in zip(range(1, 8), [*rates, Decimal("0.1400")], strict=False):
        ChurnRate.objects.create(store=store, month=D(2026, month, 1), base=100, churned=0, rate=rate)
    warning = selectors.churn_warning(store=store)
    assert warning["month"] == D(2026, 7, 1) and warning["band"] == Decimal("0.1383")
    ChurnRate.objects.filter(store=store, month=D(2026, 7, 1)).update(rate=Decimal("0.1300"))
    assert selectors.churn_warning(store=store) is None


def test_complaint_spike_rule():
    # Baseline = mean of the 4 weeks before; a spike needs ≥ 4 complaints and ≥ 2 × baseline.
    assert analysis.is_spike(5, [1, 2, 1, 2]) == (True, Decimal("1.50"))  # 5 ≥ 3.0
    assert analysis.is_spike(4, [2, 2, 2, 2]) == (True, Decimal("2.00"))  # 4 ≥ 4.0
    assert analysis.is_spike(3, [0, 0, 0, 0]) == (False, Decimal("0.00"))  # fewer than 4
    assert analysis.is_spike(5, [3, 3, 3, 3]) == (False, Decimal("3.00"))  # 5 < 6.0


def test_visits_and_as_of_are_the_stores_business_days(sell_in_new_york):
    """New York, cutoff 00:00. A's last visit is a real order placed and paid at 23:30 local on 10 June
    (03:30 UTC on the 11th); the nightly run is at 21:00 local on 20 June (01:00 UTC on the 21st). In UTC
    the visit would be the 11th and the run the 21st: gaps 10 and 11 (median 10.5), risk 10 / 10.5 = 0.95;
    and with the run's day alone in UTC, recency 11 and risk 1.10."""
    store, customer = sell_in_new_york
    services.customers_analyse(store=store, now=dt.datetime(2026, 6, 20, 21, tzinfo=store.tz))
    score = CustomerScore.objects.get(customer=customer)
    # visits 21 May and 31 May (30.00 each) and 10 June (20.00): gaps 10 and 10 → median 10; recency
    # 20 − 10 = 10 → risk 1.00; monetary 30 + 30 + 20 = 80; value at risk 80 / 6 × min(1, 1.00 / 4)
    # = 13.333 × 0.25 = 3.33
    assert (score.as_of, score.last_visit, score.recency_days, score.visits) == (
        D(2026, 6, 20),
        D(2026, 6, 10),
        10,
        3,
    )
    assert (score.median_gap_days, score.churn_risk, score.monetary, score.value_at_risk) == (
        Decimal("10"),
        Decimal("1.00"),
        Decimal("80.00"),
        Decimal("3.33"),
    )


@pytest.fixture
def sell_in_new_york(db):
    from unittest import mock

    from orders.services import LineRequest, order_place, payment_take
    from tests.factories import MenuItemFactory, StoreFactory

    store = StoreFactory(time_zone="America/New_York", business_day_cutoff=dt.time(0))
    a = CustomerFactory(store=store)
    visit(a, D(2026, 5, 21), "30")
    visit(a, D(2026, 5, 31), "30")
    plate = MenuItemFactory(store=store, price=Decimal("20.00"))
    late = dt.datetime(2026, 6, 10, 23, 30, tzinfo=store.tz)
    with mock.patch("django.utils.timezone.now", return_value=late):
        order = order_place(
            store=store, channel="till", placed_at=late, lines=[LineRequest(item_id=plate.pk, quantity=1)]
        )
        check = order.guest_check
        check.refresh_from_db()
        payment_take(guest_check=check, method="card", amount=check.total)
        services.check_attach(customer=a, guest_check=check, source="till")
    return store, a
