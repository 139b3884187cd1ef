"""Customer insights, read from the customers app's selectors (analytics may read every app; customers
never imports analytics): a churn warning when the last month's churn rate rose above its trailing
band, and a complaint spike per category with its likely cause. The figures themselves (scores, monthly
churn rates) are the customers app's (its nightly job); this one has them computed as of its own day
when they are not yet, then turns them into advice.

A slow-service spike in hours short of staff carries next week's staffing suggestion for the same
weekday and hours, so the owner adds the shift in one click (through staffing's service); the insight
is then evaluated by the category's complaint rate (complaints with the tag ÷ settled checks)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils.formats import date_format

from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.models import Feedback
from kitchen.models import KitchenItem
from orders.models import MenuItem, OrderLine
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, local
from staffing import selectors as staffing_selectors
from staffing.models import Position

from ..insights import Finding, insights_sync
from ..models import Insight


def churn_finding(store: Store) -> Finding | None:
    warning = customer_selectors.churn_warning(store=store)
    if warning is None:
        return None
    return Finding(
        kind=Insight.Kind.CHURN,
        subject=f"month:{warning['month']:%Y-%m}",
        message_key="churn_warning",
        severity=Insight.Severity.WARNING,
        numbers={
            "month": f"{warning['month']:%Y-%m}",
            "rate_pct": warning["rate_pct"],
            "band_pct": warning["band_pct"],
            "customers": warning["base"],
            # The follow-up list's length: the at-risk and lapsed customers with money at stake.
            "follow_up": customer_selectors.follow_up(store=store).count(),
        },
        metric="churn_rate",
        window_days=30,
    )


def _suggestion_for(store: Store, today: dt.date, spike: dict) -> dict | None:
    """The shift that covers the spike's hours next week: the staffing plan's own gap there if it has
    one, else one more person of the position the complaints found short, for those two hours."""

    week_start = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    for suggestion in staffing_selectors.staffing_suggestions(store=store, week_start=week_start):
        start, end = local(store, suggestion.start), local(store, suggestion.end)
        if (
            suggestion.kind == suggestion.GAP
            and suggestion.position_name in spike.get("short_positions", [])
            and start.weekday() == spike["weekday"]
            and start.hour < spike["hour"] + 2
            and end.hour > spike["hour"]
        ):
            return suggestion.as_dict()
    position = Position.objects.filter(store=store, pk=spike.get("short_position_id") or 0).first()
    if position is None:
        return None
    day = week_start + dt.timedelta(days=spike["weekday"])
    start = dt.datetime.combine(day, dt.time(spike["hour"]), tzinfo=store.tz)
    return staffing_selectors.StaffingSuggestion(
        kind=staffing_selectors.StaffingSuggestion.GAP,
        store_id=store.pk,
        position_id=position.pk,
        position_name=position.name,
        load_kind=position.load_kind,
        start=start,
        end=start + dt.timedelta(hours=2),
        count=spike["short_by"],
        needed=spike["short_needed"],
        scheduled=spike["short_scheduled"],
        peak_load=Decimal(0),
        capacity=None,
    ).as_dict()


def _prep_for(store: Store, today: dt.date, spike: dict) -> dict | None:
    """For slow service: the prepared-ahead dish most ordered on the complained-about checks, to have
    ready before the same hours next week, as many portions as sold in those hours on the spike's day."""

    prep_ahead = set(
        KitchenItem.objects.filter(menu_item__store=store, prep_ahead=True).values_list(
            "menu_item_id", flat=True
        )
    )
    lines = OrderLine.objects.filter(guest_check_id__in=spike["check_ids"], menu_item_id__in=prep_ahead)
    top = (  # ties as `ranking` breaks them: the name A–Z, then the id
        lines.values("menu_item_id", "menu_item__name")
        .annotate(n=Sum("quantity"))
        .order_by("-n", "menu_item__name", "menu_item_id")
        .first()
    )
    if top is None:
        return None
    day = today - dt.timedelta(days=(today.weekday() - spike["weekday"]) % 7)  # within the spike's week
    start = dt.datetime.combine(day, dt.time(spike["hour"]), tzinfo=store.tz)
    sold = (
        OrderLine.objects.filter(
            order__store=store,
            menu_item_id=top["menu_item_id"],
            order__placed_at__gte=start,
            order__placed_at__lt=start + dt.timedelta(hours=2),
            voided_at__isnull=True,
        )
        .exclude(order__status="cancelled")
        .aggregate(n=Sum("quantity"))["n"]
    )
    next_week = start + dt.timedelta(days=7) - dt.timedelta(minutes=30)
    return {
        "item_id": top["menu_item_id"],
        "item": top["menu_item__name"],
        "quantity": sold or top["n"],
        "ready_by": next_week.isoformat(),
    }


def _dish_for(spike: dict) -> dict | None:
    """For dish quality: the dish most complained about (paused from the menu until it is reviewed)."""
    if not spike["item_ids"]:
        return None
    item_id = max(set(spike["item_ids"]), key=lambda i: (spike["item_ids"].count(i), -i))
    name = MenuItem.objects.filter(pk=item_id).values_list("name", flat=True).first()
    return {"item_id": item_id, "item": name}


def spike_findings(store: Store, today: dt.date) -> list[Finding]:
    labels = dict(Feedback.Tag.choices)
    findings = []
    for spike in customer_selectors.complaint_spikes(store=store, as_of=today):
        monday = today - dt.timedelta(days=today.weekday())
        day = monday + dt.timedelta(days=spike["weekday"])
        numbers = {
            "category": str(labels[spike["tag"]]),
            "count": spike["count"],
            "baseline": str(spike["baseline"]),
            "when": f"{date_format(day, 'D')} {spike['hour']:02d}–{spike['hour'] + 2:02d}",
            "in_window": spike["in_window"],
        }
        key = "complaint_spike"
        if spike.get("ticket_minutes"):
            numbers.update(ticket_minutes=spike["ticket_minutes"], target_minutes=spike["target_minutes"])
            key = "complaint_spike_tickets"
        if spike.get("staffing_short"):
            numbers.update(short=", ".join(spike["short_positions"]), short_by=spike["short_by"])
            key = (
                "complaint_spike_staffing" if key == "complaint_spike" else "complaint_spike_tickets_staffing"
            )
            if suggestion := _suggestion_for(store, today, spike):
                numbers["suggestion"] = suggestion
        if spike.get("dish_changes"):
            numbers["dish_changes"] = spike["dish_changes"]
        if spike["tag"] in ("slow", "cold") and (prep := _prep_for(store, today, spike)):
            numbers["prep"] = prep
        if spike["tag"] == "dish" and (dish := _dish_for(spike)):
            numbers["dish"] = dish
        findings.append(
            Finding(
                kind=Insight.Kind.COMPLAINTS,
                subject=f"tag:{spike['tag']}",
                message_key=key,
                severity=Insight.Severity.HIGH
                if spike["count"] >= 3 * spike["baseline"]
                else Insight.Severity.WARNING,
                numbers=numbers,
                metric="complaint_rate",
                window_days=14,
            )
        )
    return findings


def run_customer_insights(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    # The customers' figures as of this run's day first (a run as of a past moment judges that day).
    customer_services.customers_analyse_if_stale(store=store, now=now)
    today = business_date(store, now)
    churn = churn_finding(store)
    spikes = spike_findings(store, today)
    insights_sync(store=store, kind=Insight.Kind.CHURN, findings=[churn] if churn else [], job_run=job_run)
    insights_sync(store=store, kind=Insight.Kind.COMPLAINTS, findings=spikes, job_run=job_run)
    return {"churn_warning": churn is not None, "complaint_spikes": len(spikes)}
