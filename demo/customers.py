"""The demo's customers: a year of visits by opted-in guests (history checks, like the imported sales
history: no orders behind the older ones), consent for most, a few ratings, and the weekend rush of
the last week, when guests rated slow service on checks whose tickets took 13–18 minutes and the plan
was a cook short. Ratings and complaints go through the customers app's services, so analytics records
each one's operational facts exactly as it does for a real guest."""

import datetime as dt
import logging
import random
from decimal import Decimal

from django.test.utils import override_settings

from customers import messaging
from customers import services as customers
from customers.models import CheckCustomer, MessageRule, MessageSend, Source
from kitchen.models import Station, Ticket
from orders.models import Check, CheckAdjustment, DiscountCode, DiscountRedemption, Order
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
    rule, numbers = _win_back(store, rng, today)
    log(
        f"Message rule '{rule.name}': {numbers['sent']} messaged, {numbers['held_out']} held out, "
        f"{numbers['returned']} came back, {numbers['redeemed']} coupons redeemed"
    )


def _win_back(store: Store, rng: random.Random, today: dt.date) -> tuple[MessageRule, dict]:
    """The win-back rule's half year: quiet regulars triggered on the day they turned at risk, sent
    through the real send path (holdout by hash, consent, coupon issued as an orders discount code),
    then the visits that followed, some paying with the coupon (a redemption on that check)."""
    rule = customers.message_rule_save(
        store=store,
        data={
            **customers.message_rule_data(MessageRule(store=store)),
            "name": story.WIN_BACK["name"],
            "trigger": MessageRule.Trigger.AT_RISK,
            "templates": story.WIN_BACK["templates"],
            "holdout_share": Decimal(story.WIN_BACK["holdout_share"]),
            "coupon_kind": "percent",
            "coupon_value": Decimal(story.WIN_BACK["coupon_value"]),
            "coupon_valid_days": story.WIN_BACK["coupon_valid_days"],
            "quiet_from": dt.time(21, 0),
            "quiet_until": dt.time(9, 0),
        },
    )
    arms = {"sent": 0, "held_out": 0}
    number = 10_000
    checks, owners, returns = [], [], []
    # The half year's messages went out long ago: through the console backend, its log quiet.
    sms_log = logging.getLogger("customers.sms")
    level = sms_log.level
    sms_log.setLevel(logging.WARNING)
    with override_settings(SMS_BACKEND="customers.sms.ConsoleBackend"):
        while min(arms.values()) < story.WIN_BACK_MIN_PER_ARM:
            number += 1
            customer = customers.customer_join(
                store=store,
                phone=f"+86139{number:08d}",
                name=story.CUSTOMER_NAMES[number % len(story.CUSTOMER_NAMES)],
                language=rng.choice(["zh-hans", "zh-hans", "en"]),
                source=Source.QR,
                marketing_sms=True,
            )
            sent_on = today - dt.timedelta(days=rng.randint(*story.WIN_BACK_SENT_DAYS_AGO))
            gap = rng.randint(6, 9)
            last = sent_on - dt.timedelta(days=int(gap * 2.5))
            for k in range(rng.randint(5, 9)):
                day = last - dt.timedelta(days=gap * k)
                checks.append(
                    _check(store, day, _at(store, day, 19), Decimal(rng.randint(*story.WIN_BACK_SPEND)))
                )
                owners.append(customer)
            send = messaging.message_send(
                rule=rule, customer=customer, trigger_key=f"at_risk:{last}", now=_at(store, sent_on, 11)
            )
            arm = "sent" if send.status == MessageSend.Status.SENT else "held_out"
            arms[arm] += 1
            if rng.random() < story.WIN_BACK_RETURN["messaged" if arm == "sent" else "held_out"]:
                returns.append((customer, send, sent_on + dt.timedelta(days=rng.randint(2, 26))))
    sms_log.setLevel(level)
    Check.objects.bulk_create(checks)
    CheckCustomer.objects.bulk_create(
        CheckCustomer(guest_check=check, customer=customer, source=Source.QR, attached_at=check.paid_at)
        for check, customer in zip(checks, owners, strict=True)
    )
    redeemed = 0
    for customer, send, day in returns:
        gross = Decimal(rng.randint(*story.WIN_BACK_SPEND))
        check = _check(store, day, _at(store, day, 19), gross)
        coupon = send.coupon
        use = coupon is not None and day < coupon.valid_until.date() and rng.random() < story.WIN_BACK_REDEEM
        if use:
            off = (gross * coupon.value / 100).quantize(Decimal("0.01"))
            check.discount_total, check.net_sales, check.total, check.paid_total = (
                off,
                gross - off,
                gross - off,
                gross - off,
            )
        check.save()
        CheckCustomer.objects.create(
            guest_check=check, customer=customer, source=Source.TILL, attached_at=check.paid_at
        )
        if use:
            adjustment = CheckAdjustment.objects.create(
                guest_check=check,
                kind=CheckAdjustment.Kind.DISCOUNT,
                percent=coupon.value,
                reason=f"Code {coupon.code}",
                created_at=check.paid_at,
            )
            DiscountRedemption.objects.create(
                code=coupon, guest_check=check, adjustment=adjustment, channel="till", at=check.paid_at
            )
            DiscountCode.objects.filter(pk=coupon.pk).update(redeemed_count=1)
            redeemed += 1
    return rule, {**arms, "returned": len(returns), "redeemed": redeemed}


def _at(store: Store, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=store.tz)
