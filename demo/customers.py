"""The demo's customers: a year of visits by opted-in guests (history checks, like the imported sales
history: no orders behind the older ones), consent for most, a few ratings, and the weekend rush of
the last week, when guests rated slow service on checks whose tickets took 13–18 minutes and the plan
was a cook short. Ratings and complaints go through the customers app's services, so analytics records
each one's operational facts exactly as it does for a real guest."""

import datetime as dt
import random
from decimal import Decimal

from customers import services as customers
from customers.models import CheckCustomer, Source
from kitchen.models import Station, Ticket
from orders.models import Check, Order
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date
from staffing import services as staffing
from staffing.models import Position

from . import story


def _check(store: Store, day: dt.date, moment: dt.datetime, net: Decimal) -> Check:
    return Check(
        store=store,
        business_date=day,
        status=Check.Status.CLOSED,
        opened_at=moment - dt.timedelta(minutes=45),
        paid_at=moment,
        closed_at=moment,
        subtotal=net,
        net_sales=net,
        total=net,
        paid_total=net,
    )


def _visit_days(rng: random.Random, today: dt.date, group: str, gap, last_range) -> list[dt.date]:
    if group == "stopped last month":
        first_of_month = today.replace(day=1)
        month_before_last_end = (first_of_month - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
        last = month_before_last_end - dt.timedelta(days=rng.randrange(0, 10))
    else:
        last = today - dt.timedelta(days=rng.randint(*last_range))
    if gap is None:
        return [last]
    days, day = [], last
    while (today - day).days < 365:
        days.append(day)
        day -= dt.timedelta(days=max(1, gap + rng.randint(-1, 1)))
    return days[::-1]


def _guests(store: Store, rng: random.Random, today: dt.date) -> dict[str, list]:
    """Customers per group, with their visits as history checks linked to them."""
    groups: dict[str, list] = {}
    number = 0
    checks, owners = [], []
    for group, (count, gap, last_range, spend) in story.CUSTOMER_GROUPS.items():
        groups[group] = []
        for _ in range(count):
            number += 1
            customer = customers.customer_join(
                store=store,
                phone=f"+86138{number:08d}",
                name=story.CUSTOMER_NAMES[number % len(story.CUSTOMER_NAMES)],
                language="zh-hans",
                source=rng.choice([Source.QR, Source.QR, Source.TILL]),
                marketing_sms=rng.random() < story.MARKETING_SHARE,
            )
            groups[group].append(customer)
            for day in _visit_days(rng, today, group, gap, last_range):
                moment = dt.datetime.combine(
                    day, dt.time(rng.choice([12, 13, 18, 19, 20]), 30), tzinfo=store.tz
                )
                checks.append(_check(store, day, moment, Decimal(rng.randint(*spend))))
                owners.append(customer)
    Check.objects.bulk_create(checks)
    CheckCustomer.objects.bulk_create(
        CheckCustomer(guest_check=check, customer=customer, source=customer.source, attached_at=check.paid_at)
        for check, customer in zip(checks, owners, strict=True)
    )
    return groups


def _rush(store: Store, rng: random.Random, today: dt.date, slipping: list) -> int:
    """The last weekend rush: settled checks with slow tickets for the history orders placed at
    18:00–20:00, the staffing plan one cook above the rota, and the guests' slow-service ratings."""
    days = [today - dt.timedelta(days=k) for k in range(1, 7)]
    rush_days = [d for d in days if d.weekday() in (4, 5)]
    cook = Position.objects.get(store=store, name="Cook")
    weeks: dict[dt.date, list] = {}
    for day in rush_days:
        for hour in story.RUSH_HOURS:
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=store.tz)
            weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append(
                {
                    "position": cook,
                    "hour_start": start,
                    "needed_staff": story.RUSH_COOKS_NEEDED,
                    "forecast_load": 0,
                }
            )
    for week_start, rows in weeks.items():
        staffing.staffing_requirements_replace(store, week_start, rows)
    station = Station.objects.get(store=store, is_default=True)
    rush_checks = []
    for order in Order.objects.filter(store=store, business_date__in=rush_days).order_by("placed_at"):
        local = order.placed_at.astimezone(store.tz)
        if local.hour not in story.RUSH_HOURS:
            continue
        minutes = rng.randint(*story.RUSH_TICKET_MINUTES)
        ready = order.placed_at + dt.timedelta(minutes=minutes)
        check = _check(store, order.business_date, ready + dt.timedelta(minutes=30), order.total)
        check.save()
        Order.objects.filter(pk=order.pk).update(guest_check=check, ready_at=ready)
        order.lines.update(guest_check=check)
        Ticket.objects.create(
            store=store,
            order=order,
            station=station,
            status=Ticket.Status.READY,
            queued_at=order.placed_at,
            started_at=order.placed_at + dt.timedelta(minutes=2),
            ready_at=ready,
        )
        rush_checks.append(check)
    rated = rng.sample(rush_checks, min(story.RUSH_SLOW_RATINGS, len(rush_checks)))
    for check, customer in zip(rated, slipping, strict=False):
        customers.check_attach(customer=customer, guest_check=check, source=Source.QR)
    for check in rated:
        customers.feedback_leave(
            guest_check=check,
            rating=rng.choice([1, 2, 2]),
            tags=["slow"],
            source=Source.QR,
            text=rng.choice(
                ["", "Waited almost 20 minutes for the drumsticks.", "Too slow on a Friday night."]
            ),
        )
    return len(rated)


def load(*, store: Store, now: dt.datetime, log=print) -> None:
    rng = random.Random(story.SEED + 7)
    today = business_date(store, now)
    groups = _guests(store, rng, today)
    for tag, days_ago in story.BASELINE_COMPLAINTS:
        moment = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(13, 20), tzinfo=store.tz)
        customers.complaint_log(store=store, tags=[tag], occurred_at=moment, text="By phone")
    for customer in groups["regular"][:12]:
        check = customer.check_links.order_by("-attached_at").first().guest_check
        customers.feedback_leave(guest_check=check, rating=rng.choice([4, 5, 5]), source=Source.RECEIPT)
    slow = _rush(store, rng, today, groups["slipping"])
    joined = sum(len(g) for g in groups.values())
    log(f"Customers: {joined} opted in, {slow} slow-service ratings on the weekend rush")
