"""Writes of the analytics app that a person (or the API) drives: the lifecycle of an insight
(acknowledge, act, dismiss) and its evaluation. `insight_act` is the one way to act on an insight,
for the dashboard's page and the API alike: it calls the owning app's service and records what it
did. What analyses publish is in `analytics.insights`, how jobs run in `analytics.registry`."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as inventory_services
from inventory.models import PurchaseOrder, SupplierItem
from kitchen import services as kitchen_services
from orders import services as order_services
from orders.models import MenuItem
from restaurant_ops.errors import DomainError
from restaurant_ops.models import AuditEntry, Store
from restaurant_ops.permissions import Perm
from restaurant_ops.services import acting_user
from restaurant_ops.timeutils import business_date
from staffing import services as staffing_services
from staffing.models import StaffMember

from . import events, selectors
from .evaluation import measure, verdict, windows_before
from .models import Insight

CENT = Decimal("0.01")


def _move(insight: Insight, allowed: tuple, target: str) -> None:
    if insight.state not in allowed:
        raise DomainError(
            "state",
            "invalid_transition",
            _("An insight that is %(state)s cannot become %(target)s.")
            % {"state": insight.get_state_display(), "target": Insight.State(target).label},
        )
    insight.state = target


@transaction.atomic
def insight_acknowledge(*, insight: Insight, by=None) -> Insight:
    _move(insight, (Insight.State.NEW,), Insight.State.ACKNOWLEDGED)
    insight.acknowledged_at, insight.acknowledged_by = timezone.now(), acting_user(by)
    insight.save()
    return insight


def _record(
    insight: Insight, action_type: str, *, target=None, detail: dict, by=None, now: dt.datetime | None = None
) -> Insight:
    """Records on the insight what was done (what, on which object, exactly how, by whom) and measures
    the metric before acting, so the evaluation can compare it with the same window afterwards."""
    _move(insight, Insight.OPEN_STATES, Insight.State.ACTED)
    now = now or timezone.now()
    insight.acted_at, insight.acted_by = now, acting_user(by)
    if insight.acknowledged_at is None:
        insight.acknowledged_at, insight.acknowledged_by = now, acting_user(by)
    insight.action_type = action_type
    insight.action_object_type = f"{target._meta.app_label}.{target._meta.model_name}" if target else ""
    insight.action_object_id = str(target.pk) if target else ""
    insight.action_detail = detail
    if insight.metric:
        insight.metric_before = measure(
            insight, insight.acted_at - dt.timedelta(days=insight.window_days or 30), insight.acted_at
        )
    insight.save()
    events.insight_acted.send(sender=Insight, insight=insight)
    return insight


def _require_open(insight: Insight) -> None:
    """Refuses before anything is changed in another app (the record would refuse too late)."""
    if insight.state not in Insight.OPEN_STATES:
        raise DomainError(
            "state",
            "invalid_transition",
            _("An insight that is %(state)s cannot be acted on.") % {"state": insight.get_state_display()},
        )


@transaction.atomic
def insight_dismiss(*, insight: Insight, reason: str, by=None) -> Insight:
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the insight is dismissed."))
    _move(insight, Insight.OPEN_STATES, Insight.State.DISMISSED)
    insight.dismissed_at, insight.dismiss_reason = timezone.now(), reason.strip()[:200]
    insight.dismissed_by = acting_user(by)
    insight.save()
    return insight


@transaction.atomic
def insight_evaluate(*, insight: Insight, now: dt.datetime | None = None) -> Insight:
    """Measures the metric over the window after acting, beside the window before, and judges it
    against the spread of the 4 windows before acting (evaluation.verdict)."""
    now = now or timezone.now()
    window = dt.timedelta(days=insight.window_days or 30)
    if insight.state != Insight.State.ACTED or insight.acted_at is None or now < insight.acted_at + window:
        raise DomainError("state", "not_due", _("This insight cannot be evaluated yet."))
    history = windows_before(insight, insight.acted_at)
    if insight.metric_before is None:
        insight.metric_before = history[0]
    insight.metric_after = measure(insight, insight.acted_at, insight.acted_at + window)
    insight.verdict, insight.metric_spread = verdict(
        insight.metric, insight.metric_before, insight.metric_after, history
    )
    insight.state, insight.evaluated_at = Insight.State.EVALUATED, now
    insight.save()
    events.insight_evaluated.send(sender=Insight, insight=insight)
    return insight


def insights_evaluate_due(*, store: Store, now: dt.datetime | None = None) -> int:
    """Evaluates every acted insight whose window has passed (run by the nightly job)."""
    now = now or timezone.now()
    done = 0
    for insight in Insight.objects.filter(store=store, state=Insight.State.ACTED).exclude(metric=""):
        if insight.acted_at + dt.timedelta(days=insight.window_days or 30) <= now:
            insight_evaluate(insight=insight, now=now)
            done += 1
    return done


# --- Acting on an insight: one path for the page and the API ----------------------------------------

# What each action needs of the person (the page and the API check it with their own means).
INSIGHT_ACTIONS: dict[str, Perm] = {
    "acknowledge": Perm.VIEW_DASHBOARD,
    "dismiss": Perm.VIEW_DASHBOARD,
    "send_po": Perm.MANAGE_STOCK,
    "apply_staffing": Perm.MANAGE_STAFF,
    "supplier": Perm.MANAGE_STOCK,
    "menu_price": Perm.EDIT_MENU,
    "add_prep": Perm.WORK_KITCHEN,
    "pause_dish": Perm.EDIT_MENU,
    "done": Perm.VIEW_DASHBOARD,
}


@transaction.atomic
def insight_act(
    *,
    insight: Insight,
    action: str,
    by=None,
    reason: str = "",
    staff_id: int | None = None,
    staff_ids: list | None = None,
    supplier_item_id: int | None = None,
    price: Decimal | None = None,
    switch: bool = False,
    menu_item_id: int | None = None,
    note: str = "",
    quantity: int | None = None,
    now: dt.datetime | None = None,
) -> Insight:
    """Acts on an insight through the app that owns the change, and records on the insight exactly what
    was done and by whom, in one transaction (the change and the record exist together or not at all):

    - acknowledge; dismiss (`reason` required);
    - send_po: sends the draft purchase order the insight proposes (inventory), recording its lines;
    - apply_staffing: the shifts the staffing card lists (`staffing_lines`), each for the person in
      `staff_ids` at its place, or published as an open shift for `"open"` (`staff_id` alone for a
      card of one shift) (staffing);
    - supplier: a negotiated `price` for `supplier_item_id` and/or `switch` to it as the preferred
      supplier (inventory);
    - menu_price: a new menu `price` for `menu_item_id` (orders);
    - add_prep: the prep task a complaint spike proposes, `quantity` portions if given (kitchen);
    - pause_dish: the complained-of dish off the menu until it is reviewed (orders);
    - done: something done outside the system, described in `note`, so its effect is measured too.

    The insight row is locked first: two clicks act once, the second gets a 409."""
    handler = _HANDLERS.get(action)
    if handler is None:
        raise DomainError(
            "action",
            "invalid_choice",
            _("Unknown action; one of: %(actions)s.") % {"actions": ", ".join(INSIGHT_ACTIONS)},
        )
    insight = Insight.objects.select_for_update().select_related("store").get(pk=insight.pk)
    return handler(
        insight,
        by=by,
        reason=reason,
        staff_id=staff_id,
        staff_ids=staff_ids,
        supplier_item_id=supplier_item_id,
        price=price,
        switch=switch,
        menu_item_id=menu_item_id,
        note=note,
        quantity=quantity,
        now=now,
    )


def _acknowledge(insight: Insight, *, by, **_kwargs) -> Insight:
    return insight_acknowledge(insight=insight, by=by)


def _dismiss(insight: Insight, *, by, reason, **_kwargs) -> Insight:
    return insight_dismiss(insight=insight, reason=reason or "", by=by)


def _send_po(insight: Insight, *, by, now, **_kwargs) -> Insight:
    po_id = (insight.numbers or {}).get("purchase_order_id")
    po = (
        PurchaseOrder.objects.filter(store=insight.store, pk=po_id).select_related("supplier").first()
        if po_id
        else None
    )
    if po is None:
        raise DomainError(
            "purchase_order", "not_found", _("This insight proposes no purchase order to send.")
        )
    _require_open(insight)
    po = inventory_services.purchase_order_send(purchase_order=po, by=by)
    lines = [
        {
            "ingredient_id": line.ingredient_id,
            "ingredient": line.ingredient.name,
            "quantity": str(line.quantity),
            "unit": line.ingredient.base_unit,
            "unit_price": str(line.unit_price),
            "total": str((line.quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)),
        }
        for line in po.lines.select_related("ingredient").order_by("pk")
    ]
    detail = {"purchase_order": po.pk, "supplier": po.supplier.name, "lines": lines}
    return _record(insight, Insight.Action.PO_SENT, target=po, detail=detail, by=by, now=now)


def _apply_staffing(insight: Insight, *, by, staff_id, staff_ids, now, **_kwargs) -> Insight:
    """Every shift the card lists, each for the person chosen for it (or published as an open shift
    when `"open"` is chosen): all of them or none."""
    lines = selectors.staffing_lines(insight)
    if not lines:
        raise DomainError("suggestion", "missing", _("This insight carries no suggestion to apply."))
    chosen = list(staff_ids) if staff_ids is not None else ([staff_id] if staff_id else [])
    if len(chosen) != len(lines) or any(c in (None, "", 0) for c in chosen):
        raise DomainError("staff", "required", _("Choose who takes the shift."))
    people = {
        p.pk: p
        for p in StaffMember.objects.filter(store=insight.store, pk__in=[c for c in chosen if c != "open"])
    }
    if any(c != "open" and c not in people for c in chosen):
        raise DomainError("staff", "not_found", _("No such staff member in this store."))
    _require_open(insight)
    shifts = []
    for suggestion, choice in zip(lines, chosen, strict=True):
        if choice == "open":
            shifts.append(
                staffing_services.suggestion_publish_open(
                    suggestion=suggestion,
                    store=insight.store,
                    by=by,
                    reason=_("Staffing suggestion from the forecast"),
                )
            )
        else:
            shifts.append(
                staffing_services.suggestion_apply(
                    suggestion=suggestion,
                    staff=people[choice],
                    by=by,
                    reason=_("Staffing suggestion from the forecast"),
                )
            )
    names = [shift.staff.name if shift.staff_id else _("open shift") for shift in shifts]
    detail = {
        "shift": shifts[0].pk,
        "shifts": [shift.pk for shift in shifts],
        "staff_id": shifts[0].staff_id,
        "staff": ", ".join(names),
        "open_shifts": sum(1 for shift in shifts if shift.staff_id is None),
        "position": lines[0].position_name,
        "start": min(shift.start for shift in shifts).isoformat(),
        "end": max(shift.end for shift in shifts).isoformat(),
    }
    return _record(insight, Insight.Action.SHIFT_ADDED, target=shifts[0], detail=detail, by=by, now=now)


def _supplier(insight: Insight, *, by, supplier_item_id, price, switch, now, **_kwargs) -> Insight:
    """A negotiated price (a new entry in the supplier's price list) and/or a switch of the
    ingredient's preferred supplier."""
    if not supplier_item_id:
        raise DomainError("supplier_item", "required", _("Choose the supplier."))
    item = (
        SupplierItem.objects.filter(supplier__store=insight.store, pk=supplier_item_id)
        .select_related("supplier", "ingredient")
        .first()
    )
    if item is None:
        raise DomainError("supplier_item", "not_found", _("No such supplier item in this store."))
    subject_kind, _sep, subject_id = insight.subject.partition(":")
    if subject_kind == "ingredient" and subject_id != str(item.ingredient_id):
        raise DomainError("supplier_item", "invalid", _("This supplier item is for another ingredient."))
    if price is None and not switch:
        raise DomainError("price", "required", _("Give the negotiated price or choose to switch."))
    _require_open(insight)
    detail = {
        "supplier_item": item.pk,
        "supplier": item.supplier.name,
        "ingredient": item.ingredient.name,
        "switched": bool(switch),
        "supplier_price": None,
    }
    if price is not None:
        entry = inventory_services.supplier_price_add(
            supplier_item=item, price=price, effective_from=business_date(insight.store, timezone.now())
        )
        detail.update(supplier_price=entry.pk, price=str(entry.price), unit_price=str(entry.unit_price))
    if switch:
        detail["previous_supplier"] = (
            item.ingredient.preferred_supplier.name if item.ingredient.preferred_supplier_id else ""
        )
        inventory_services.ingredient_update(ingredient=item.ingredient, preferred_supplier=item.supplier)
    return _record(insight, Insight.Action.SUPPLIER_CHANGED, target=item, detail=detail, by=by, now=now)


def _menu_price(insight: Insight, *, by, menu_item_id, price, now, **_kwargs) -> Insight:
    """A new menu price (the one that restores the item's margin, or the one the owner typed)."""
    if not menu_item_id:
        raise DomainError("menu_item", "required", _("Choose the menu item."))
    item = MenuItem.objects.filter(store=insight.store, pk=menu_item_id).first()
    if item is None:
        raise DomainError("menu_item", "not_found", _("No such menu item in this store."))
    if price is None:
        raise DomainError("price", "required", _("Give the new price."))
    _require_open(insight)
    old = item.price
    item = order_services.menu_item_set_price(
        item=item, price=price, by=by, reason=_("Margin insight #%(id)s") % {"id": insight.pk}
    )
    if item.price == old:
        raise DomainError(
            "price", "already", _("%(item)s already costs %(price)s.") % {"item": item.name, "price": old}
        )
    change = (
        AuditEntry.objects.filter(
            store=insight.store, action="menu_price_changed", target_type="menuitem", target_id=str(item.pk)
        )
        .order_by("-pk")
        .first()
    )
    detail = {
        "menu_item": item.pk,
        "item": item.name,
        "old_price": str(old),
        "new_price": str(item.price),
        "price_change": change.pk if change else None,
    }
    return _record(insight, Insight.Action.PRICE_CHANGED, target=item, detail=detail, by=by, now=now)


def _add_prep(insight: Insight, *, by, quantity, now, **_kwargs) -> Insight:
    """A slow-service spike's fix in the kitchen: the dish prepared ahead of the same hours next week."""
    prep = (insight.numbers or {}).get("prep") if insight.kind == Insight.Kind.COMPLAINTS else None
    if not prep:
        raise DomainError("prep", "missing", _("This insight proposes no prep task."))
    item = MenuItem.objects.filter(store=insight.store, pk=prep.get("item_id") or 0).first()
    if item is None:
        raise DomainError("menu_item", "not_found", _("No such menu item in this store."))
    _require_open(insight)
    task = kitchen_services.prep_task_create(
        store=insight.store,
        menu_item=item,
        quantity=quantity or prep.get("quantity"),
        ready_by=dt.datetime.fromisoformat(prep["ready_by"]),
        note=_("Against slow service at the rush"),
    )
    detail = {
        "prep_task": task.pk,
        "item": item.name,
        "quantity": str(task.quantity),
        "ready_by": task.ready_by.isoformat(),
    }
    return _record(insight, Insight.Action.PREP_ADDED, target=task, detail=detail, by=by, now=now)


def _pause_dish(insight: Insight, *, by, now, **_kwargs) -> Insight:
    """A dish-quality spike's fix: the dish off the menu (sold out by hand) until it is reviewed."""
    dish = (insight.numbers or {}).get("dish") if insight.kind == Insight.Kind.COMPLAINTS else None
    if not dish:
        raise DomainError("dish", "missing", _("This insight names no dish to take off the menu."))
    item = MenuItem.objects.filter(store=insight.store, pk=dish.get("item_id") or 0).first()
    if item is None:
        raise DomainError("menu_item", "not_found", _("No such menu item in this store."))
    _require_open(insight)
    order_services.menu_item_set_sold_out(item=item, sold_out=True)
    detail = {"menu_item": item.pk, "item": item.name, "sold_out": True}
    return _record(insight, Insight.Action.DISH_PAUSED, target=item, detail=detail, by=by, now=now)


def _done(insight: Insight, *, by, note, now, **_kwargs) -> Insight:
    if not (note or "").strip():
        raise DomainError("note", "required", _("Say what was done."))
    return _record(insight, Insight.Action.OTHER, detail={"note": note.strip()[:200]}, by=by, now=now)


_HANDLERS = {
    "acknowledge": _acknowledge,
    "dismiss": _dismiss,
    "send_po": _send_po,
    "apply_staffing": _apply_staffing,
    "supplier": _supplier,
    "menu_price": _menu_price,
    "add_prep": _add_prep,
    "pause_dish": _pause_dish,
    "done": _done,
}
