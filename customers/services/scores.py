"""The customer analyses' results: every customer's RFM scores and the store's monthly churn rates,
upserted (running them twice gives the same rows)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from .. import analysis, selectors
from ..models import ChurnRate, Customer, CustomerScore


@transaction.atomic
def scores_refresh(*, store: Store, as_of: dt.date) -> int:
    """Upserts every customer's RFM row as of a day: running it twice gives the same rows."""
    rows = selectors.rfm_rows(store=store, as_of=as_of)
    for row in rows:
        CustomerScore.objects.update_or_create(
            customer_id=row.customer_id,
            defaults={
                "store": store,
                "as_of": as_of,
                "visits": row.visits,
                "last_visit": row.last_visit,
                "recency_days": row.recency_days,
                "frequency": row.frequency,
                "monetary": row.monetary,
                "median_gap_days": row.median_gap_days,
                "churn_risk": row.churn_risk,
                "value_at_risk": row.value_at_risk,
                "segment": row.segment,
            },
        )
    return len(rows)


@transaction.atomic
def churn_rates_refresh(*, store: Store, as_of: dt.date, months: int = 12) -> list[ChurnRate]:
    """Upserts the churn rate of the last `months` completed months before `as_of`'s month; months
    not complete as of that day (left by a later run) go, so the latest row is the latest month."""
    visits = {cid: set(days) for cid, days in selectors.visit_days(store=store, until=as_of).items()}
    month = as_of.replace(day=1)
    ChurnRate.objects.filter(store=store, month__gte=month).delete()
    out = []
    for _i in range(months):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        base, churned, rate = analysis.churn_rate(visits, month)
        row, _created = ChurnRate.objects.update_or_create(
            store=store,
            month=month,
            defaults={"base": base, "churned": churned, "rate": rate, "computed_at": timezone.now()},
        )
        out.append(row)
    return out[::-1]


def customers_analyse(*, store: Store, now: dt.datetime | None = None) -> dict:
    """The nightly customer analyses for one store (what the Celery task calls)."""
    today = business_date(store, now or timezone.now())
    scored = scores_refresh(store=store, as_of=today)
    rates = churn_rates_refresh(store=store, as_of=today)
    return {"customers": scored, "months": len(rates), "as_of": today.isoformat()}


def customers_analyse_if_stale(*, store: Store, now: dt.datetime) -> dict | None:
    """The figures as of `now`'s business day, computed unless they already are (so analytics' runs,
    every few minutes or as of a past moment, read figures of the day they judge, and pay for it once
    a day). A store without customers has nothing to compute."""
    today = business_date(store, now)
    if not Customer.objects.filter(store=store).exists():
        return None
    scores = CustomerScore.objects.filter(store=store)
    if scores.filter(as_of=today).exists() and not scores.exclude(as_of=today).exists():
        return None
    return customers_analyse(store=store, now=now)
