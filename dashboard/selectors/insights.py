"""The insights feed: open insights ranked, each as a card with what its buttons need (the draft
PO, the staffing suggestion, the cheaper supplier, the "why?"), today's and recent decisions."""

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import selectors
from analytics.analyses import margin
from analytics.models import Insight
from inventory import selectors as inventory_selectors
from inventory import units
from inventory.models import Ingredient, PurchaseOrder, SupplierItem
from orders.models import MenuItem
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, local
from staffing import selectors as staffing_selectors
from staffing.models import StaffingTarget, StaffMember

from .numbers import ZERO

# --- insights feed -------------------------------------------------------------------------------------


def insights_ranked(store: Store, states) -> QuerySet[Insight]:
    """Most severe first (a price rise or a stock-out before a rota gap), then the newest."""
    severity = Case(
        *(When(severity=level, then=Value(rank)) for rank, level in enumerate(["high", "warning", "info"])),
        default=Value(3),
    )
    return (
        Insight.objects.filter(store=store, state__in=states)
        .select_related("job_run", "acted_by", "dismissed_by")
        .order_by(severity, "-updated_at", "-id")
    )


# Numbers that are plumbing (ids, keys, raw timestamps), not something an owner reads.
HIDDEN_NUMBERS = {
    "kind",
    "key",
    "start",
    "end",
    "store_id",
    "position_id",
    "load_kind",
    "position_name",
    "ingredient_id",
    "supplier_id",
    "purchase_order_id",
    "purchase_order_status",
    "week_start",
    "day",  # "when" says it
    "periods",
    "runs_out_at",  # days_left says it readably
    "runs_out_on",  # the card's delivery line says these
    "delivery_on",
    "count",
}


def insight_cards(store: Store, rows) -> list[dict]:
    """Each insight with what its buttons need: the draft PO it proposes, the staffing suggestion, the
    cheaper supplier."""
    cards = []
    po_ids, ingredient_ids = set(), set()
    rows = list(rows)
    for insight in rows:
        numbers = insight.numbers or {}
        if numbers.get("purchase_order_id"):
            po_ids.add(int(numbers["purchase_order_id"]))
        subject_kind, _sep, subject_id = insight.subject.partition(":")
        if subject_kind == "ingredient" and subject_id.isdigit():
            ingredient_ids.add(int(subject_id))
    suppliers = {}
    proposals = inventory_selectors.purchase_order_proposals(store=store, purchase_order_ids=po_ids)
    if ingredient_ids:
        for item in (
            SupplierItem.objects.filter(ingredient_id__in=ingredient_ids, supplier__store=store)
            .select_related("supplier")
            .order_by("supplier__name")
        ):
            suppliers.setdefault(item.ingredient_id, []).append(item)
    # The margin insight names the item whose menu price would restore its margin.
    item_names = {(i.numbers or {}).get("item") for i in rows if i.kind == Insight.Kind.MARGIN_DROP} - {
        None,
        "",
    }
    menu_items = {}
    if item_names:
        menu_items = {m.name: m for m in MenuItem.objects.filter(store=store, name__in=item_names)}
    # The shifts each staffing card lists, and who can take each: only they are offered (one click is
    # one click); a shift nobody can take is published as an open shift.
    lines = {}
    for insight in rows:
        if insight.kind in (Insight.Kind.STAFFING, Insight.Kind.COMPLAINTS):
            try:
                lines[insight.pk] = [s for s in selectors.staffing_lines(insight) if s.kind == "gap"]
            except DomainError:
                continue
    slots = {(s.position_id, s.start, s.end) for found in lines.values() for s in found}
    free = staffing_selectors.staff_free_for(store=store, slots=list(slots))
    coverage = _staffing_coverage(store, [i for i in rows if i.kind == Insight.Kind.STAFFING])
    for insight in rows:
        numbers = insight.numbers or {}
        subject_kind, _sep, subject_id = insight.subject.partition(":")
        ingredient_id = int(subject_id) if subject_kind == "ingredient" and subject_id.isdigit() else None
        proposal = (
            proposals.get(int(numbers["purchase_order_id"])) if numbers.get("purchase_order_id") else None
        )
        cards.append(
            {
                "insight": insight,
                "proposal": proposal,
                "po_is_draft": proposal is not None and proposal["status"] == "draft",
                **_delivery(store, numbers, proposal, suppliers.get(ingredient_id, [])),
                "prep": numbers.get("prep") if insight.kind == Insight.Kind.COMPLAINTS else None,
                "dish": numbers.get("dish") if insight.kind == Insight.Kind.COMPLAINTS else None,
                "suggestion": numbers.get("suggestion")
                if insight.kind in (Insight.Kind.STAFFING, Insight.Kind.COMPLAINTS)
                else None,
                "lines": [
                    {
                        "start": local(store, s.start),
                        "end": local(store, s.end),
                        "hours": f"{s.hours.normalize():f}",
                        "position": s.position_name,
                        "candidates": free.get((s.position_id, s.start, s.end), []),
                    }
                    for s in lines.get(insight.pk, [])
                ],
                "why": _why(store, insight, coverage),
                "supplier_items": suppliers.get(ingredient_id, []) if ingredient_id else [],
                "menu_item": menu_items.get(numbers.get("item")),
                "restoring_price": numbers.get("restoring_price") or "",
                "numbers": [
                    (k.replace("_", " "), v)
                    for k, v in numbers.items()
                    if k not in HIDDEN_NUMBERS and v not in ("", None) and not isinstance(v, dict | list)
                ],
            }
        )
    return cards


# --- "why?": the internals behind a card in plain words, with the chart that supports them ---------------


def _staffing_coverage(store: Store, insights: list) -> dict:
    """(position id, business day) → [(hour start, needed, scheduled)] for the staffing cards' days."""
    weeks = {(i.numbers or {}).get("week_start") for i in insights} - {None}
    out: dict = defaultdict(list)
    for week in sorted(weeks):
        try:
            week_start = dt.date.fromisoformat(week)
        except ValueError:
            continue
        for row in staffing_selectors.requirement_coverage(store=store, week_start=week_start):
            out[(row.position_id, business_date(store, row.hour_start))].append(row)
    return out


def _dec(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _why(store: Store, insight: Insight, coverage: dict) -> dict | None:
    """{"text": what the figures mean, in plain words; "chart": what dashboard/why.js draws}, or None
    when the card has nothing to explain beyond its message."""
    numbers = insight.numbers or {}
    why = None
    try:
        if insight.kind == Insight.Kind.LOW_STOCK:
            why = _why_low_stock(store, numbers)
        elif insight.kind == Insight.Kind.MARGIN_DROP:
            why = _why_margin(numbers)
        elif insight.kind == Insight.Kind.STAFFING and numbers.get("suggestions"):
            why = _why_staffing(store, numbers, coverage)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if why is not None:
        why["chart_json"] = json.dumps(why["chart"])
    return why


def _why_low_stock(store: Store, numbers: dict) -> dict | None:
    on_hand, per_day = _dec(numbers.get("on_hand")), _dec(numbers.get("daily_usage"))
    reorder, par = _dec(numbers.get("reorder_point")), _dec(numbers.get("par"))
    if on_hand is None or not per_day or reorder is None:
        return None
    unit, size = numbers.get("unit", ""), Decimal("1")
    bigger = units.BUYING_UNITS.get(unit)
    if bigger and max(on_hand, reorder) >= bigger[1]:
        unit, size = bigger

    def shown(value: Decimal | None) -> str:
        return "—" if value is None else units.number((value / size).quantize(Decimal("0.001")))

    lead = int(numbers.get("lead_time") or 0)
    horizon = max(lead + 2, 3)
    today = business_date(store, timezone.now())
    days = [today + dt.timedelta(days=d) for d in range(horizon + 1)]
    order = _dec(numbers.get("order_quantity")) or Decimal("0")
    delivery = numbers.get("delivery_on")
    projected, with_order, stock = [], [], on_hand
    for n, day in enumerate(days):
        left = on_hand - per_day * n
        projected.append(float(max(left, Decimal("0")) / size))
        if delivery and day.isoformat() >= delivery:
            stock = left + order
        else:
            stock = left
        with_order.append(float(max(stock, Decimal("0")) / size))
    text = _(
        "%(on_hand)s %(unit)s on hand, used at about %(per_day)s %(unit)s a day: the forecast usage times "
        "today's pace (pace %(pace)s: 1 is as forecast, above 1 faster). The reorder point, %(reorder)s "
        "%(unit)s, is the usage over the supplier's %(lead)s-day lead time plus a safety margin for how much "
        "daily usage varies (σ %(sigma)s %(base_unit)s a day); at or below it an order tops the stock up to "
        "par, %(par)s %(unit)s. The chart shows the stock day by day without the order and with it."
    ) % {
        "on_hand": shown(on_hand),
        "unit": unit,
        "per_day": shown(per_day),
        "pace": numbers.get("pace", "1"),
        "reorder": shown(reorder),
        "lead": lead,
        "sigma": numbers.get("sigma", "0"),
        "base_unit": numbers.get("unit", ""),
        "par": shown(par),
    }
    chart = {
        "type": "stock",
        "x": [d.isoformat() for d in days],
        "series": [
            {"name": _("Stock without the order"), "y": projected, "dash": "dot"},
            {"name": _("Stock with the order"), "y": with_order},
            {"name": _("Reorder point"), "y": [float(reorder / size)] * len(days), "line": "#b42318"},
        ],
        "unit": unit,
    }
    return {"text": text, "chart": chart}


def _why_margin(numbers: dict) -> dict | None:
    parts = numbers.get("parts") or {}
    gp0, gp1 = _dec(numbers.get("gp0")), _dec(numbers.get("gp1"))
    if gp0 is None or gp1 is None or not parts:
        return None
    ingredient_ids = [int(k.split(":")[1]) for k in parts if k.startswith("ingredient:")]
    names = {
        f"ingredient:{pk}": name
        for pk, name in Ingredient.objects.filter(pk__in=ingredient_ids).values_list("pk", "name")
    }
    names.update({k: str(v) for k, v in margin.PART_NAMES.items()})
    # the causes in the waterfall's order (JSON keeps no order): volume, mix, menu price, recipes, then
    # each ingredient by name
    fixed = [k for k in margin.PART_NAMES if k in parts]
    parts = {
        k: parts[k]
        for k in fixed + sorted((k for k in parts if k not in fixed), key=lambda k: names.get(k, k))
    }
    periods = numbers.get("periods") or {}
    before = " – ".join(periods.get("previous", [])) or _("before")
    after = " – ".join(periods.get("current", [])) or _("now")
    labels = [before] + [names.get(k, k) for k in parts] + [after]
    values = [float(gp0)] + [float(_dec(v) or 0) for v in parts.values()] + [float(gp1)]
    text = _(
        "Gross profit (sales minus the food cost of what was sold) was %(gp0)s over %(before)s (gp0) and "
        "%(gp1)s over %(after)s (gp1). The chart splits the change into its causes: how much was sold, the "
        "mix of dishes, menu prices, recipe changes and each ingredient's cost; %(ingredient)s alone moved "
        "it by %(effect)s."
    ) % {
        "gp0": numbers["gp0"],
        "gp1": numbers["gp1"],
        "before": before,
        "after": after,
        "ingredient": numbers.get("ingredient", "—"),
        "effect": numbers.get("ingredient_effect", "—"),
    }
    measures = ["absolute"] + ["relative"] * len(parts) + ["total"]
    return {"text": text, "chart": {"type": "waterfall", "x": labels, "y": values, "measure": measures}}


def _why_staffing(store: Store, numbers: dict, coverage: dict) -> dict | None:
    position_id, day = numbers.get("position_id"), numbers.get("day")
    if position_id is None or not day:
        return None
    hours = coverage.get((int(position_id), dt.date.fromisoformat(day)), [])
    if not hours:
        return None
    tolerance = (
        StaffingTarget.objects.filter(store=store).values_list("gap_tolerance_hours", flat=True).first()
    )
    if tolerance is None:
        tolerance = StaffingTarget.DEFAULT_GAP_TOLERANCE_HOURS
    x = [local(store, row.hour_start).strftime("%H:%M") for row in hours]
    text = _(
        "Each hour needs the forecast load (orders or kitchen items that hour) divided by what one "
        "%(position)s handles in an hour, rounded up, and never fewer than the position's minimum. The bars "
        "are the people needed, the line those scheduled: where the line is under the bars, the shifts on "
        "this card fill the gap. A suggested shift of %(tolerance)s h or less is within the store's "
        "tolerance and not shown."
    ) % {"position": numbers.get("position", ""), "tolerance": tolerance}
    if numbers.get("capacity") not in (None, "", "—"):
        text += " " + _(
            "At the busiest hour the forecast is %(load)s an hour; the %(scheduled)s scheduled can handle "
            "%(capacity)s."
        ) % {
            "load": numbers.get("load", "—"),
            "scheduled": numbers.get("scheduled", "—"),
            "capacity": numbers["capacity"],
        }
    chart = {
        "type": "staffing",
        "x": x,
        "needed": [row.needed for row in hours],
        "scheduled": [row.scheduled for row in hours],
        "names": {"needed": _("Needed"), "scheduled": _("Scheduled")},
    }
    return {"text": text, "chart": chart}


def _delivery(store: Store, numbers: dict, proposal: dict | None, offers: list) -> dict:
    """When the stock runs out against when the proposed order arrives; when it arrives too late, the
    supplier who delivers soonest (if another is faster)."""
    runs_out = numbers.get("runs_out_at")
    delivery = numbers.get("delivery_on")
    if not proposal or not runs_out or not delivery:
        return {}
    runs_out_at = local(store, dt.datetime.fromisoformat(runs_out))
    delivery_on = dt.date.fromisoformat(delivery)
    late = delivery_on > runs_out_at.date()
    current = next((o for o in offers if o.supplier.name == proposal["supplier"]), None)
    faster = min(
        (o for o in offers if current is None or o.supplier.lead_time_days < current.supplier.lead_time_days),
        key=lambda o: (o.supplier.lead_time_days, o.supplier.name),
        default=None,
    )
    return {
        "runs_out_at": runs_out_at,
        "delivery_on": delivery_on,
        "late": late,
        "faster": faster if late else None,
    }


def open_insight_cards(store: Store, limit: int = 100) -> list[dict]:
    """The open feed: the most pressing open insights first, each with what its buttons need."""
    return insight_cards(store, insights_ranked(store, Insight.OPEN_STATES)[:limit])


def _at_stake(card: dict) -> Decimal:
    """The money a decision moves, as its insight states it: the margin lost, the saving a switch
    brings, or the order the card would send."""
    numbers = card["insight"].numbers or {}
    for key in ("lost", "monthly_saving"):
        try:
            return abs(Decimal(str(numbers[key])))
        except (KeyError, ArithmeticError, ValueError):
            continue
    return card["proposal"]["total"] if card.get("proposal") else ZERO


SEVERITY_RANK = {"high": 0, "warning": 1, "info": 2}


def insights_version(store: Store) -> str:
    """A cheap token that moves whenever what the insight cards show is written: an insight new,
    updated, acted on or resolved (every write bumps its `updated_at`), or a purchase order a card
    proposes. The live parts of the pages (the feed, today's decisions) re-render only when it moves;
    two indexed aggregates, no rendering."""
    insights = Insight.objects.filter(store=store).aggregate(latest=Max("updated_at"), n=Count("id"))
    orders = PurchaseOrder.objects.filter(store=store).aggregate(latest=Max("updated_at"), n=Count("id"))
    parts = [insights["latest"], insights["n"], orders["latest"], orders["n"]]
    return "-".join(str(part.timestamp()) if isinstance(part, dt.datetime) else str(part) for part in parts)


def todays_decisions(store: Store, limit: int = 5) -> list[dict]:
    """The few open insights that matter most: the most urgent first, then the most money at stake."""
    cards = open_insight_cards(store)
    for card in cards:
        card["at_stake"] = _at_stake(card)
    cards.sort(key=lambda c: (SEVERITY_RANK.get(c["insight"].severity, 3), -c["at_stake"]))
    return cards[:limit]


def recent_decisions(store: Store, now: dt.datetime, days: int = 7) -> QuerySet[Insight]:
    """What was acted on, or judged, in the last `days` days: with its before, after and verdict."""
    since = now - dt.timedelta(days=days)
    return (
        Insight.objects.filter(store=store, state__in=[Insight.State.ACTED, Insight.State.EVALUATED])
        .filter(Q(acted_at__gte=since) | Q(evaluated_at__gte=since))
        .select_related("acted_by")
        .order_by("-acted_at", "-id")[:10]
    )


def active_staff(store: Store) -> QuerySet[StaffMember]:
    """Who can be given a shift (the staffing chart's and the insight cards' pickers)."""
    return StaffMember.objects.filter(store=store, is_active=True).order_by("name")


def open_insight_for_suggestion(store: Store, key: str) -> Insight | None:
    """The open staffing insight that proposes the suggestion with this key, if any."""
    return Insight.objects.filter(
        store=store, kind=Insight.Kind.STAFFING, state__in=Insight.OPEN_STATES, numbers__key=key
    ).first()
