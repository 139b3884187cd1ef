"""Insight texts: a message key and its numbers, rendered with gettext in the reader's language."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory import units

MESSAGES = {
    "low_stock": _(
        "%(ingredient)s runs out in %(days_left)s days at the current pace: %(on_hand)s %(unit)s on "
        "hand, reorder point %(reorder_point)s %(unit)s."
    ),
    "low_stock_po": _(
        "%(ingredient)s runs out in %(days_left)s days at the current pace: %(on_hand)s %(unit)s on "
        "hand, reorder point %(reorder_point)s %(unit)s. Draft purchase order: %(order_quantity)s "
        "%(unit)s from %(supplier)s."
    ),
    "low_stock_on_order": _(
        "%(ingredient)s runs out in %(days_left)s days at the current pace: %(on_hand)s %(unit)s on "
        "hand, reorder point %(reorder_point)s %(unit)s; the %(on_order)s %(unit)s already on order cover it."
    ),
    "low_stock_no_supplier": _(
        "%(ingredient)s runs out in %(days_left)s days at the current pace; no supplier "
        "can deliver it: add one."
    ),
    "price_change": _(
        "%(ingredient)s from %(supplier)s now costs %(new_price)s per %(unit)s, %(change_pct)s%% "
        "against the last receipt (%(old_price)s)."
    ),
    "price_change_list": _(
        "%(ingredient)s from %(supplier)s: first receipt at %(new_price)s per %(unit)s, %(change_pct)s%% "
        "against the list price (%(old_price)s)."
    ),
    "margin_drop_switch": _(
        "Gross profit fell %(drop_pct)s%% (%(lost)s) in %(current)s against %(previous)s, "
        "mostly from %(ingredient)s (%(ingredient_effect)s). %(supplier)s quotes less: "
        "switching saves about %(monthly_saving)s a month."
    ),
    "margin_drop_negotiate": _(
        "Gross profit fell %(drop_pct)s%% (%(lost)s) in %(current)s against %(previous)s, "
        "mostly from %(ingredient)s (%(ingredient_effect)s). Negotiate with %(supplier)s, "
        "or a menu price of %(restoring_price)s restores the margin."
    ),
    "margin_drop": _("Gross profit fell %(drop_pct)s%% (%(lost)s) in %(current)s against %(previous)s."),
    "trending_up": _(
        "%(item)s sells %(today)s today against a usual %(usual)s by this time (lift %(lift)s)."
    ),
    "trending_down": _(
        "%(item)s sells %(today)s today against a usual %(usual)s by this time (lift %(lift)s)."
    ),
    "staffing_gap": _(
        "%(when)s: %(count)s more %(position)s — forecast load %(load)s/h, capacity %(capacity)s."
    ),
    "staffing_surplus": _(
        "%(when)s: %(count)s %(position)s fewer would do — forecast load %(load)s/h, capacity %(capacity)s."
    ),
    "staffing_gap_day": _(
        "%(when)s: %(position)s short by %(person_hours)s person-hours (shifts to add: %(count)s) — forecast "
        "load up to %(load)s/h, capacity %(capacity)s."
    ),
    "staffing_surplus_day": _(
        "%(when)s: %(position)s over by %(person_hours)s person-hours (shifts fewer would do: %(count)s) — "
        "forecast load up to %(load)s/h, capacity %(capacity)s."
    ),
    "prep": _("Prep %(quantity)s %(item)s before %(daypart)s."),
    "churn_warning": _(
        "%(month)s: %(rate_pct)s%% of recent customers did not come back, above the usual band (up to "
        "%(band_pct)s%%). %(follow_up)s customers are worth a follow-up."
    ),
    "complaint_spike": _(
        "Complaints about %(category)s: %(count)s this week against %(baseline)s a week before, "
        "most at %(when)s."
    ),
    "complaint_spike_tickets": _(
        "Complaints about %(category)s: %(count)s this week against %(baseline)s a week before, most at "
        "%(when)s; their tickets took %(ticket_minutes)s min against a %(target_minutes)s min target."
    ),
    "complaint_spike_staffing": _(
        "Complaints about %(category)s: %(count)s this week against %(baseline)s a week before, most at "
        "%(when)s, in hours short of staff (%(short)s, up to %(short_by)s short)."
    ),
    "complaint_spike_tickets_staffing": _(
        "Complaints about %(category)s: %(count)s this week against %(baseline)s a week before, most at "
        "%(when)s; tickets took %(ticket_minutes)s min against a %(target_minutes)s min target, "
        "%(short)s %(short_by)s short."
    ),
    "labour_band": _(
        "Scheduled hours %(scheduled)s differ from the required %(required)s by %(diff_pct)s%%."
    ),
}


QUANTITIES = ("on_hand", "reorder_point", "order_quantity")
PRICES = ("new_price", "old_price")


def in_buying_units(numbers: dict) -> dict:
    """Stock findings store grams and millilitres (and prices per gram): a message says kg / l once
    any of its quantities reaches one, and prices per kg / l, as people buy and cook."""
    bigger = units.BUYING_UNITS.get(numbers.get("unit", ""))
    if bigger is None:
        return numbers
    unit, size = bigger
    out = dict(numbers)
    try:
        quantities = {k: Decimal(str(numbers[k])) for k in QUANTITIES if numbers.get(k) not in (None, "")}
        prices = {k: Decimal(str(numbers[k])) for k in PRICES if numbers.get(k) not in (None, "")}
    except InvalidOperation:
        return numbers
    if prices:
        out.update({k: str((v * size).quantize(Decimal("0.01"))) for k, v in prices.items()})
        out["unit"] = unit
    elif quantities and max(abs(v) for v in quantities.values()) >= size:
        out.update({k: units.number(v / size) for k, v in quantities.items()})
        out["unit"] = unit
    return out


def render(key: str, numbers: dict) -> str:
    template = MESSAGES.get(key)
    if template is None:
        return key
    try:
        return gettext(str(template)) % in_buying_units(numbers)
    except (KeyError, TypeError, ValueError):
        return gettext(str(template))
