"""The operational facts behind a complaint, read from kitchen, staffing and inventory (which the
customers app may not read) and written back onto the feedback through `customers.services`.

Called from the `customers.events.feedback_left` listener inside the feedback's transaction, so a
complaint is stored with its evidence frozen as it was that evening:
- `ticket`: the check's slowest ticket, minutes from queued to ready, against its station's target;
- `staffing`: positions short of their requirement in the hour the check's first order was placed;
- `dish`: the dish's recipe edits and supplier switches in the 30 days before.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from customers import services as customer_services
from customers.models import Feedback
from inventory import selectors as inventory_selectors
from kitchen import selectors as kitchen_selectors
from restaurant_ops.timeutils import business_date
from staffing import selectors as staffing_selectors
from staffing.models import Position


def _ticket_fact(feedback: Feedback) -> dict | None:
    if feedback.guest_check_id is None:
        return None
    timed = [
        t
        for t in kitchen_selectors.check_ticket_times(guest_check=feedback.guest_check)
        if t["minutes"] is not None
    ]
    if not timed:
        return None
    slowest = max(timed, key=lambda t: t["minutes"])
    minutes = Decimal(str(slowest["minutes"])).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return {
        "station": slowest["station"],
        "minutes": str(minutes),
        "target": slowest["target"],
        "over_target": minutes > slowest["target"],
        "tickets": len(timed),
    }


def _service_hour(feedback: Feedback) -> dt.datetime:
    """The start of the hour the guest was served in: the check's first order, else the feedback's time."""
    moment = feedback.occurred_at
    check = feedback.guest_check
    if check is not None:
        first = check.orders.order_by("placed_at").values_list("placed_at", flat=True).first()
        moment = first or check.opened_at
    local = moment.astimezone(feedback.store.tz)
    return local.replace(minute=0, second=0, microsecond=0)


def _staffing_fact(feedback: Feedback, hour: dt.datetime) -> dict:
    store = feedback.store
    week_start = staffing_selectors.week_start_for(business_date(store, hour))
    rows = [
        c
        for c in staffing_selectors.requirement_coverage(store=store, week_start=week_start)
        if c.hour_start == hour
    ]
    names = dict(Position.objects.filter(pk__in=[c.position_id for c in rows]).values_list("pk", "name"))
    short = [
        {
            "position": names.get(c.position_id, ""),
            "position_id": c.position_id,
            "needed": c.needed,
            "scheduled": c.scheduled,
            "missing": -c.difference,
        }
        for c in rows
        if c.difference < 0
    ]
    return {"hour": hour.isoformat(), "planned": bool(rows), "short": short}


def complaint_facts_record(*, feedback: Feedback) -> Feedback:
    """Every feedback gets its facts (a 5-star rating with fast tickets is evidence too)."""
    hour = _service_hour(feedback)
    facts: dict = {"staffing": _staffing_fact(feedback, hour)}
    if ticket := _ticket_fact(feedback):
        facts["ticket"] = ticket
    if feedback.menu_item_id:
        facts["dish"] = {
            "item": feedback.menu_item.name,
            "changes": inventory_selectors.item_changes(
                menu_item_id=feedback.menu_item_id, until=feedback.occurred_at
            ),
        }
    return customer_services.feedback_record_facts(feedback=feedback, facts=facts)
