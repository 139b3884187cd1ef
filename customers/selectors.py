"""Reads: customers as each role may see them, visit aggregates for the analyses, complaint rankings,
and one customer's export."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from orders.models import Check
from restaurant_ops.models import Store

from . import analysis
from .models import CheckCustomer, ChurnRate, Consent, Customer, CustomerScore, Feedback

SETTLED = [Check.Status.PAID, Check.Status.CLOSED]


def customers(*, stores: QuerySet[Store]) -> QuerySet[Customer]:
    return Customer.objects.filter(store__in=stores).select_related("store", "score")


def customer_lookup(*, store: Store, phone=None, code: str = "") -> Customer | None:
    """The till's exact match by phone (normalised) or membership code; never a partial search."""
    qs = Customer.objects.filter(store=store)
    if phone:
        return qs.filter(phone=phone).first()
    if code:
        return qs.filter(membership_code=code.strip().upper()).first()
    return None


def check_customer(*, guest_check: Check) -> Customer | None:
    link = CheckCustomer.objects.filter(guest_check=guest_check).select_related("customer").first()
    return link.customer if link else None


def active_consents(*, customer: Customer) -> QuerySet[Consent]:
    return customer.consents.filter(withdrawn_at__isnull=True)


def mask_email(email: str) -> str:
    """What roles without PII access see of an e-mail address: its domain only."""
    return f"•••@{email.rsplit('@', 1)[-1]}" if email and "@" in email else ""


def mask_phone(phone) -> str:
    """What roles without PII access see: the last four digits only."""
    if not phone:
        return ""
    return "•••• " + str(phone)[-4:]


# --- visits and the analyses -----------------------------------------------------------------


def visit_days(*, store: Store, until: dt.date) -> dict[int, dict[dt.date, Decimal]]:
    """{customer id: {business day: net sales of its settled checks that day}} up to `until`,
    aggregated in the database (one row per customer and day)."""
    rows = (
        CheckCustomer.objects.filter(
            customer__store=store,
            guest_check__status__in=SETTLED,
            guest_check__merged_into__isnull=True,
            guest_check__business_date__lte=until,
        )
        .values("customer_id", "guest_check__business_date")
        .annotate(net=Coalesce(Sum("guest_check__net_sales"), Decimal(0)))
        .order_by()
    )
    out: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for row in rows:
        out[row["customer_id"]][row["guest_check__business_date"]] = row["net"]
    return out


def rfm_rows(*, store: Store, as_of: dt.date) -> list[analysis.Rfm]:
    visits = visit_days(store=store, until=as_of)
    rows = [
        analysis.rfm(customer_id, visits.get(customer_id, {}), as_of)
        for customer_id in Customer.objects.filter(store=store).values_list("pk", flat=True)
    ]
    return analysis.segment_all(rows)


def segment_counts(*, store: Store) -> dict[str, int]:
    counts = dict(
        CustomerScore.objects.filter(store=store).values_list("segment").annotate(n=Count("pk")).order_by()
    )
    return {value: counts.get(value, 0) for value in CustomerScore.Segment.values}


FOLLOW_UP_SEGMENTS = (CustomerScore.Segment.AT_RISK, CustomerScore.Segment.LAPSED)


def follow_up(*, store: Store) -> QuerySet[CustomerScore]:
    """Who is worth a call or a message now: the customers at risk or lapsed (away more than twice
    their usual gap, or 90 days), by value at risk, highest first. A regular back on time has a value
    at risk too (risk 0.8 counts for a fifth of their spend) but no reason to be called."""
    return (
        CustomerScore.objects.filter(store=store, value_at_risk__gt=0, segment__in=FOLLOW_UP_SEGMENTS)
        .select_related("customer")
        .order_by("-value_at_risk", "customer_id")
    )


def churn_trend(*, store: Store, months: int = 12) -> list[ChurnRate]:
    return list(ChurnRate.objects.filter(store=store).order_by("-month")[:months])[::-1]


def churn_warning(*, store: Store) -> dict | None:
    """The latest computed month if its rate is above the band of the 6 before it."""
    trend = churn_trend(store=store, months=analysis.BAND_MONTHS + 1)
    if len(trend) < 2 or trend[-1].rate is None:
        return None
    band = analysis.churn_band([r.rate for r in trend[:-1]])
    if band is None or trend[-1].rate <= band:
        return None
    return {
        "month": trend[-1].month,
        "rate": trend[-1].rate,
        "band": band,
        "base": trend[-1].base,
        "rate_pct": f"{trend[-1].rate * 100:.1f}",
        "band_pct": f"{band * 100:.1f}",
    }


# --- feedback and complaints ---------------------------------------------------------------------


def feedback(*, stores: QuerySet[Store]) -> QuerySet[Feedback]:
    return Feedback.objects.filter(store__in=stores).select_related("store", "menu_item", "guest_check")


def with_tag(qs: QuerySet[Feedback], tag: str) -> QuerySet[Feedback]:
    """Feedback carrying `tag`. JSON containment is not portable (SQLite, the embedded demo, lacks it),
    so the matching ids are picked from the tag lists: complaints are few next to orders."""
    return qs.filter(pk__in=[pk for pk, tags in qs.values_list("pk", "tags") if tag in tags])


def checks_settled(*, store: Store, first: dt.date, last: dt.date) -> int:
    return Check.objects.filter(
        store=store, status__in=SETTLED, merged_into__isnull=True, business_date__range=(first, last)
    ).count()


def _tag_counts(store: Store, first: dt.date, last: dt.date) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    rows = Feedback.objects.filter(store=store, is_complaint=True, business_date__range=(first, last))
    for tags in rows.values_list("tags", flat=True):
        for tag in tags:
            counts[tag] += 1
    return counts


def complaint_ranking(*, store: Store, first: dt.date, last: dt.date) -> dict:
    """Complaints in [first, last] per category and per dish, each with the same-length period
    before it (trend = now − before), most frequent first; and the complaint rate."""
    length = (last - first).days + 1
    before_last = first - dt.timedelta(days=1)
    before_first = first - dt.timedelta(days=length)
    now, before = _tag_counts(store, first, last), _tag_counts(store, before_first, before_last)
    labels = dict(Feedback.Tag.choices)
    categories = sorted(
        (
            {
                "tag": tag,
                "label": labels.get(tag, tag),
                "count": now.get(tag, 0),
                "before": before.get(tag, 0),
                "trend": now.get(tag, 0) - before.get(tag, 0),
            }
            for tag in set(now) | set(before)
        ),
        key=lambda row: (-row["count"], -row["trend"], row["tag"]),
    )
    complaints = Feedback.objects.filter(store=store, is_complaint=True, menu_item__isnull=False)
    items = (
        complaints.filter(business_date__range=(before_first, last))
        .values("menu_item_id", "menu_item__name")
        .annotate(
            count=Count("pk", filter=Q(business_date__gte=first)),
            before=Count("pk", filter=Q(business_date__lt=first)),
        )
        .order_by()
    )
    dishes = sorted(
        (
            {
                "item_id": r["menu_item_id"],
                "name": r["menu_item__name"],
                "count": r["count"],
                "before": r["before"],
                "trend": r["count"] - r["before"],
            }
            for r in items
        ),
        key=lambda row: (-row["count"], -row["trend"], row["name"]),
    )
    total = Feedback.objects.filter(
        store=store, is_complaint=True, business_date__range=(first, last)
    ).count()
    checks = checks_settled(store=store, first=first, last=last)
    rate = (Decimal(total) / Decimal(checks)).quantize(Decimal("0.0001")) if checks else None
    return {"categories": categories, "items": dishes, "complaints": total, "checks": checks, "rate": rate}


def complaint_rate(*, store: Store, first: dt.date, last: dt.date, tag: str = "") -> Decimal | None:
    """Complaints (with `tag`, if given) ÷ checks settled, business days first..last."""
    checks = checks_settled(store=store, first=first, last=last)
    if not checks:
        return None
    complaints = Feedback.objects.filter(store=store, is_complaint=True, business_date__range=(first, last))
    if tag:
        complaints = with_tag(complaints, tag)
    return (Decimal(complaints.count()) / Decimal(checks)).quantize(Decimal("0.0001"))


def churn_between(*, store: Store, first: dt.date, last: dt.date) -> Decimal | None:
    """The churn rate of any window (what an acted-on churn warning is evaluated by)."""
    visits = {cid: set(days) for cid, days in visit_days(store=store, until=last).items()}
    return analysis.churn_between(visits, first, last)[2]


def complaint_spikes(*, store: Store, as_of: dt.date) -> list[dict]:
    """Categories whose complaints in the 7 days ending `as_of` spiked against the 4 weeks before,
    with the evidence their complaints' facts carry (when they cluster, ticket times, staffing)."""
    weeks = analysis.SPIKE_BASELINE_WEEKS
    first = as_of - dt.timedelta(days=7 * (weeks + 1) - 1)
    rows = list(
        Feedback.objects.filter(store=store, is_complaint=True, business_date__range=(first, as_of)).values(
            "pk", "tags", "business_date", "occurred_at", "facts", "guest_check_id", "menu_item_id"
        )
    )
    spikes = []
    for tag in Feedback.Tag.values:
        tagged = [r for r in rows if tag in r["tags"]]
        week_of = lambda r: (as_of - r["business_date"]).days // 7  # noqa: E731 (0 = this week)
        this_week = [r for r in tagged if week_of(r) == 0]
        previous = [sum(1 for r in tagged if week_of(r) == w) for w in range(1, weeks + 1)]
        spike, baseline = analysis.is_spike(len(this_week), previous)
        if spike:
            spikes.append(
                {
                    "tag": tag,
                    "count": len(this_week),
                    "baseline": baseline,
                    "check_ids": sorted({r["guest_check_id"] for r in this_week if r["guest_check_id"]}),
                    "item_ids": [r["menu_item_id"] for r in this_week if r["menu_item_id"]],
                    **cause_of(store=store, rows=this_week),
                }
            )
    return spikes


def cause_of(*, store: Store, rows: list[dict]) -> dict:
    """The likely cause, from the facts recorded on the complaints: the 2-hour window most of them
    fall in, their average ticket minutes against target, and the staffing gap most of them saw."""
    tz = store.tz
    windows: dict[tuple[int, int], int] = defaultdict(int)
    for r in rows:
        local = r["occurred_at"].astimezone(tz)
        windows[(local.weekday(), local.hour - local.hour % 2)] += 1
    (weekday, hour), in_window = max(windows.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
    tickets = [r["facts"]["ticket"] for r in rows if r["facts"].get("ticket")]
    short = [r["facts"]["staffing"] for r in rows if r["facts"].get("staffing", {}).get("short")]
    dishes = [r["facts"]["dish"] for r in rows if r["facts"].get("dish", {}).get("changes")]
    out: dict = {"weekday": weekday, "hour": hour, "in_window": in_window}
    if tickets:
        avg = sum(Decimal(t["minutes"]) for t in tickets) / len(tickets)
        out["ticket_minutes"] = str(avg.quantize(Decimal("0.1")))
        out["target_minutes"] = tickets[0]["target"]
        out["over_target"] = sum(1 for t in tickets if t["over_target"])
    if short:
        gaps = [p for s in short for p in s["short"]]
        out["staffing_short"] = len(short)
        out["short_positions"] = sorted({p["position"] for p in gaps})
        out["short_by"] = max(p["missing"] for p in gaps)
        # The position short most often, for the shift that would have covered it.
        names = [p["position"] for p in gaps]
        top = max(set(names), key=lambda name: (names.count(name), name))
        worst = max((p for p in gaps if p["position"] == top), key=lambda p: p["missing"])
        out["short_position_id"] = worst.get("position_id")
        out["short_needed"], out["short_scheduled"] = worst["needed"], worst["scheduled"]
    if dishes:
        out["dish_changes"] = len(dishes)
    return out


# --- one customer's data -------------------------------------------------------------------------


def customer_export(*, customer: Customer) -> dict:
    """Everything this app holds about one person, for a data request (owner or manager only)."""
    links = CheckCustomer.objects.filter(customer=customer).select_related("guest_check")
    return {
        "customer": {
            "id": customer.pk,
            "store": customer.store.slug,
            "phone": str(customer.phone or ""),
            "email": customer.email,
            "name": customer.name,
            "birthday": customer.birthday.isoformat() if customer.birthday else None,
            "membership_code": customer.membership_code,
            "language": customer.language,
            "joined_at": customer.created_at.isoformat(),
            "joined_via": customer.source,
        },
        "consents": [
            {
                "channel": c.channel,
                "wording": c.wording,
                "source": c.source,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
                "withdrawn_via": c.withdrawn_via,
            }
            for c in customer.consents.order_by("given_at", "id")
        ],
        "visits": [
            {
                "check": link.guest_check_id,
                "business_date": link.guest_check.business_date.isoformat(),
                "net_sales": str(link.guest_check.net_sales),
                "status": link.guest_check.status,
            }
            for link in links.order_by("guest_check__business_date", "guest_check_id")
        ],
        "feedback": [
            {
                "at": f.occurred_at.isoformat(),
                "rating": f.rating,
                "tags": f.tags,
                "text": f.text,
                "check": f.guest_check_id,
            }
            for f in customer.feedback.order_by("occurred_at", "id")
        ],
    }
