"""Orders: `order_place` is the one way an order comes to exist (API, guest QR page, till, tests);
history import is the only bulk path. Status moves, cancel, line voids and the guest's order."""

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops import db
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store, TaxCategory
from restaurant_ops.services import acting_user, audit_record
from restaurant_ops.timeutils import business_date

from .. import events
from ..models import (
    CashDrawerSession,
    Check,
    MenuCategory,
    MenuItem,
    Modifier,
    ModifierGroup,
    Order,
    OrderLine,
    OrderLineModifier,
    OrderStatusChange,
    Table,
)
from .checks import check_for_table, check_locked, check_open, check_recalculate, check_require_settleable
from .pricing import price_line, price_totals
from .rollup import sales_rollup_line_voided, sales_rollup_order_cancelled, sales_rollup_order_placed
from .table_sessions import table_order_throttle, table_session_current

MAX_LINES = 100
MAX_LINE_QUANTITY = 99


@dataclass
class LineRequest:
    """One line as a client asks for it. Prices are never taken from the client."""

    item_id: int | None = None
    item_external_id: str = ""
    quantity: int = 1
    modifier_ids: list[int] = field(default_factory=list)
    note: str = ""


# The order's menu items with their tax category and modifier groups, one row per (item, group). Written
# out because the ORM's version (select_related + prefetch_related, then the same for external ids)
# cost about a fifth of an order's web CPU in building and compiling two queries; the order path runs
# it on every order. Ordered as the ORM orders items (the last of duplicate external ids wins) and
# groups (the order of choice-count errors).
@functools.cache
def _items_sql() -> str:
    return (
        f"SELECT {db.columns(MenuItem, 'i')}, {db.columns(TaxCategory, 't')}, "
        f"{db.columns(ModifierGroup, 'g')} "
        f"FROM {MenuItem._meta.db_table} i "
        f"JOIN {MenuCategory._meta.db_table} c ON c.id = i.category_id "
        f"LEFT JOIN {TaxCategory._meta.db_table} t ON t.id = i.tax_category_id "
        f"LEFT JOIN {MenuItem.modifier_groups.through._meta.db_table} mg ON mg.menuitem_id = i.id "
        f"LEFT JOIN {ModifierGroup._meta.db_table} g ON g.id = mg.modifiergroup_id "
        "WHERE i.store_id = %s AND i.is_active = %s "
        "AND (i.id IN ({ids}) OR i.external_id IN ({external_ids})) "
        "ORDER BY c.position, i.position, i.name, i.id, g.position, g.name, g.id"
    )


def _resolve_items(store: Store, lines: list[LineRequest]) -> tuple[dict, dict]:
    """The active items the lines ask for, by id and (lines without an id) by external id, each with
    its tax category and modifier groups loaded."""
    ids = {line.item_id for line in lines if line.item_id is not None}
    external_ids = {line.item_external_id for line in lines if line.item_id is None and line.item_external_id}
    sql = _items_sql().format(ids=db.placeholders(ids), external_ids=db.placeholders(external_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, [store.pk, True, *db.in_params(ids), *db.in_params(external_ids)])
        rows = cursor.fetchall()
    tax_at, group_at = db.width(MenuItem), db.width(MenuItem) + db.width(TaxCategory)
    items: dict[int, MenuItem] = {}
    groups: dict[int, list[ModifierGroup]] = {}
    for row in rows:
        item_id = row[0]  # the item's id is its first column
        if item_id not in items:
            item = items[item_id] = db.instance(MenuItem, row)
            item.tax_category = db.instance(TaxCategory, row, tax_at)
            groups[item_id] = []
        group = db.instance(ModifierGroup, row, group_at)
        if group is not None:
            groups[item_id].append(group)
    by_id, by_external = {}, {}
    for item_id, item in items.items():
        _prefetched(item, "modifier_groups", groups[item_id])
        if item_id in ids:
            by_id[item_id] = item
        if item.external_id in external_ids:
            by_external[item.external_id] = item
    return by_id, by_external


def _validate_lines(
    store: Store, lines: list[LineRequest]
) -> list[tuple[MenuItem, LineRequest, list[Modifier]]]:
    if not lines:
        raise DomainError("lines", "empty", _("An order needs at least one line."))
    if len(lines) > MAX_LINES:
        raise DomainError("lines", "too_many", _("An order has at most %(n)d lines.") % {"n": MAX_LINES})
    by_id, by_external = _resolve_items(store, lines)
    modifier_ids = {mid for line in lines for mid in line.modifier_ids}
    modifiers = (
        {
            m.pk: m
            for m in Modifier.objects.filter(
                pk__in=modifier_ids, is_active=True, group__store=store
            ).select_related("group")
        }
        if modifier_ids
        else {}  # most orders choose none: not even the queryset is built
    )
    errors: list[DomainError] = []
    resolved = []
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        item = by_id.get(line.item_id) if line.item_id is not None else by_external.get(line.item_external_id)
        if item is None:
            name = "item" if line.item_id is not None or not line.item_external_id else "item_external_id"
            errors.append(
                DomainError(f"{path}.{name}", "unknown_item", _("No such item on this store's menu."))
            )
            continue
        if item.is_sold_out:
            errors.append(
                DomainError(
                    f"{path}.item",
                    "sold_out",
                    _("%(item)s is sold out.") % {"item": item.name},
                )
            )
            continue
        if not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            errors.append(
                DomainError(
                    f"{path}.quantity",
                    "out_of_range",
                    _("Quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_LINE_QUANTITY},
                )
            )
            continue
        group_ids = {group.pk for group in item.modifier_groups.all()}
        chosen: list[Modifier] = []
        for m_index, modifier_id in enumerate(line.modifier_ids):
            modifier = modifiers.get(modifier_id)
            if modifier is None or modifier.group_id not in group_ids:
                errors.append(
                    DomainError(
                        f"{path}.modifiers[{m_index}]",
                        "not_for_item",
                        _("This modifier does not belong to %(item)s.") % {"item": item.name},
                    )
                )
            elif modifier.sold_out_stock:
                errors.append(
                    DomainError(
                        f"{path}.modifiers[{m_index}]",
                        "sold_out",
                        _("%(modifier)s is sold out.") % {"modifier": modifier.name},
                    )
                )
            elif modifier in chosen:
                errors.append(
                    DomainError(
                        f"{path}.modifiers[{m_index}]", "repeated", _("The same modifier was chosen twice.")
                    )
                )
            else:
                chosen.append(modifier)
        per_group = Counter(m.group_id for m in chosen)
        for group in item.modifier_groups.all():
            count = per_group.get(group.pk, 0)
            if not group.min_choices <= count <= group.max_choices:
                errors.append(
                    DomainError(
                        f"{path}.modifiers",
                        "choice_count",
                        _("%(group)s: choose between %(min)d and %(max)d.")
                        % {"group": group.name, "min": group.min_choices, "max": group.max_choices},
                    )
                )
        resolved.append((item, line, chosen))
    if errors:
        raise DomainErrors(errors)
    return resolved


def order_check_placed_at(*, store: Store, placed_at, now=None) -> bool:
    """The bounds of an order a till queued offline and sends with the time it was placed: not in the
    future beyond the clock skew we allow (`ORDER_PLACED_AT_SKEW_SECONDS`), not older than
    `ORDER_PLACED_AT_MAX_DAYS`, and not before the store's last Z report (its drawer's figures are
    frozen). Returns whether the order is late (placed before now − the skew)."""
    now = now or timezone.now()
    skew = dt.timedelta(seconds=settings.ORDER_PLACED_AT_SKEW_SECONDS)
    if placed_at > now + skew:
        raise DomainError("placed_at", "in_future", _("An order cannot be placed in the future."))
    if placed_at < now - dt.timedelta(days=settings.ORDER_PLACED_AT_MAX_DAYS):
        raise DomainError(
            "placed_at",
            "too_old",
            _("An order sent late may be at most %(days)d days old.")
            % {"days": settings.ORDER_PLACED_AT_MAX_DAYS},
        )
    last_z = (
        CashDrawerSession.objects.filter(store=store, closed_at__isnull=False)
        .order_by("-closed_at")
        .values_list("closed_at", flat=True)
        .first()
    )
    if last_z is not None and placed_at < last_z:
        raise DomainError(
            "placed_at",
            "day_closed",
            _("A Z report was taken after this time: the order belongs to a closed period."),
        )
    return placed_at < now - skew


@transaction.atomic
def order_place(
    *,
    store: Store,
    lines: list[LineRequest],
    channel: str,
    table: Table | None = None,
    service_type: str = Order.ServiceType.DINE_IN,
    note: str = "",
    external_id: str = "",
    placed_by=None,
    placed_at=None,
    guest_check: Check | None = None,
    sent_late: bool = False,
    served: bool = False,
) -> Order:
    """Prices the order on the server, snapshots it, adds it to a check, and announces it inside this
    transaction. The check is the one given, else the table's open check (opening the table's session
    if needed), else a new check of its own (takeaway, or an order without a table).

    `sent_late`: a till queued the order offline and sends it with `placed_at`, the time it was placed
    (checked by `order_check_placed_at`; the order is flagged `late` when that is before now). Its
    business day and stock movements are those of `placed_at`. `served`: the food already went out
    (served, or collected for takeaway) at `placed_at`, so the kitchen makes no ticket."""
    late = False
    if sent_late and placed_at is not None:
        late = order_check_placed_at(store=store, placed_at=placed_at)
    if table is not None and (table.store_id != store.pk or not table.is_active):
        raise DomainError("table", "unknown_table", _("No such table in this store."))
    if service_type not in Order.ServiceType.values:
        raise DomainError("service_type", "invalid", _("Service must be dine_in or takeaway."))
    if external_id and Order.objects.filter(store=store, channel=channel, external_id=external_id).exists():
        raise DomainError("external_id", "duplicate", _("An order with this external id already exists."))
    resolved = _validate_lines(store, lines)
    if guest_check is not None:
        guest_check = Check.objects.select_for_update().get(pk=guest_check.pk)
        if guest_check.store_id != store.pk:
            raise DomainError("check", "not_found", _("No such check in this store."))
        if not guest_check.is_settleable:
            raise DomainError("check", "closed", _("This check is already paid; start a new one."))
    elif table is not None:
        guest_check = check_for_table(table=table, by=placed_by)
    # else: a check of its own, opened below with this order's totals (nothing else is on it)
    placed_at = placed_at or timezone.now()
    inclusive = store.prices_include_tax

    order_lines: list[OrderLine] = []
    priced = []
    for position, (item, line, chosen) in enumerate(resolved):
        price = price_line(item=item, modifiers=chosen, quantity=line.quantity, inclusive=inclusive)
        priced.append(price)
        order_lines.append(
            OrderLine(
                menu_item=item,
                position=position,
                name=item.name,
                quantity=line.quantity,
                unit_price=price.unit_price,
                line_total=price.line_total,
                tax_rate=item.tax_rate,
                tax_amount=price.tax_amount,
                net_amount=price.net_amount,
                note=line.note[:200],
            )
        )
    new_check = guest_check is None
    if new_check:
        guest_check = check_open(store=store, service_type=service_type, by=placed_by, lines=priced)
    totals = price_totals(priced, inclusive=inclusive)  # the service charge belongs to the check
    order = Order.objects.create(
        store=store,
        table=table,
        channel=channel,
        service_type=service_type,
        note=note[:300],
        external_id=external_id,
        placed_by=acting_user(placed_by),
        currency=store.currency,
        prices_include_tax=inclusive,
        placed_at=placed_at,
        business_date=business_date(store, placed_at),
        guest_check=guest_check,
        late=late,
        subtotal=totals["subtotal"],
        tax=totals["tax"],
        total=totals["total"],
    )
    for line in order_lines:
        line.order, line.guest_check = order, guest_check
    OrderLine.objects.bulk_create(order_lines)
    chosen_of = [
        [OrderLineModifier(line=line, modifier=m, name=m.name, price_delta=m.price_delta) for m in chosen]
        for line, (_item, _req, chosen) in zip(order_lines, resolved, strict=True)
    ]
    OrderLineModifier.objects.bulk_create([m for chosen in chosen_of for m in chosen])
    OrderStatusChange.objects.create(
        order=order, from_status="", to_status=order.status, at=placed_at, by=order.placed_by
    )
    if served:  # it went out before the till could send it: straight to served (collected), no ticket
        done = Order.Status.COLLECTED if service_type == Order.ServiceType.TAKEAWAY else Order.Status.SERVED
        order.status, order.served_at = done, placed_at
        order.save(update_fields=["status", "served_at"])
        OrderStatusChange.objects.create(
            order=order, from_status=Order.Status.PLACED, to_status=done, at=placed_at, by=order.placed_by
        )
    # What was just written is what listeners and the API answer read: set it as the order's prefetched
    # lines (and each line's modifiers) so nobody queries it again.
    _prefetched(order, "lines", order_lines)
    for line, chosen in zip(order_lines, chosen_of, strict=True):
        _prefetched(line, "modifiers", chosen)
    if not new_check:  # other orders, discounts and payments share the check: total it again
        check_recalculate(guest_check=guest_check, known_lines=order_lines)
    sales_rollup_order_placed(store=store, order=order, lines=order_lines)  # after its discount shares
    events.order_placed.send(sender=Order, order=order, lines=order_lines)
    return order


def _prefetched(instance, relation: str, objects: list) -> None:
    """Django's prefetch cache, filled with rows we hold (as prefetch_related would after a query)."""
    queryset = getattr(instance, relation).all()
    queryset._result_cache, queryset._prefetch_done = list(objects), True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[relation] = queryset


_STATUS_TIMESTAMP = {
    Order.Status.IN_KITCHEN: "in_kitchen_at",
    Order.Status.READY: "ready_at",
    Order.Status.SERVED: "served_at",
    Order.Status.COLLECTED: "served_at",
    Order.Status.CANCELLED: "cancelled_at",
}


@transaction.atomic
def order_set_status(*, order: Order, status: str, by=None, reason: str = "") -> Order:
    """Moves an order along placed → in kitchen → ready → served/collected (or cancelled)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if status not in Order.Status.values:
        raise DomainError("status", "invalid", _("Unknown status %(status)s.") % {"status": status})
    if status == order.status:
        return order  # repeating a move (a double tap on "ready") changes nothing
    if not order.can_move_to(status):
        raise DomainError(
            "status",
            "invalid_transition",
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": order.status, "new": status},
        )
    previous, now = order.status, timezone.now()
    order.status = status
    setattr(order, _STATUS_TIMESTAMP[status], now)
    fields = ["status", _STATUS_TIMESTAMP[status], "updated_at"]
    if status == Order.Status.CANCELLED:
        order.cancel_reason = reason[:200]
        fields.append("cancel_reason")
    order.save(update_fields=fields)
    OrderStatusChange.objects.create(
        order=order,
        from_status=previous,
        to_status=status,
        at=now,
        by=acting_user(by),
    )
    if status == Order.Status.CANCELLED:  # its counted lines leave the rollup at what they were counted
        sales_rollup_order_cancelled(store=order.store, order=order)
    if status == Order.Status.CANCELLED and order.guest_check_id:  # its lines leave the check's total
        check_recalculate(
            guest_check=Check.objects.select_for_update().select_related("store").get(pk=order.guest_check_id)
        )
    signal = events.order_cancelled if status == Order.Status.CANCELLED else events.order_status_changed
    signal.send(sender=Order, order=order, previous_status=previous)
    return order


@transaction.atomic
def order_cancel(*, order: Order, reason: str, by=None, approved_by=None) -> Order:
    """Cancels (voids) a whole order; listeners return its stock and withdraw its tickets."""
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the order is cancelled."))
    order = order_set_status(order=order, status=Order.Status.CANCELLED, by=by, reason=reason)
    audit_record(
        store=order.store,
        action="order_cancelled",
        actor=by,
        approved_by=approved_by,
        reason=reason,
        target=order,
        data={"total": str(order.total)},
    )
    return order


@transaction.atomic
def order_line_void(*, line: OrderLine, reason: str, by=None, approved_by=None) -> OrderLine:
    """Removes a line that was not made or not paid; listeners give its stock back."""
    line = OrderLine.objects.select_for_update().select_related("order__store").get(pk=line.pk)
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the item is voided."))
    if line.voided_at is not None or line.order.status == Order.Status.CANCELLED:
        raise DomainError("line", "already_voided", _("This line is already voided."))
    check = check_locked(line.guest_check) if line.guest_check_id else None
    if check is not None:
        check_require_settleable(check)
    line.voided_at, line.void_reason = timezone.now(), reason.strip()[:200]
    line.save(update_fields=["voided_at", "void_reason"])
    sales_rollup_line_voided(store=line.order.store, line=line)
    if check is not None:
        check = check_recalculate(guest_check=check)
        if check.total < check.paid_total:
            raise DomainError(
                "line",
                "below_paid",
                _("Refund first: the check would be less than what is paid."),
            )
    audit_record(
        store=line.order.store,
        action="void",
        actor=by,
        approved_by=approved_by,
        reason=line.void_reason,
        target=line,
        data={
            "order": line.order_id,
            "item": line.name,
            "quantity": line.quantity,
            "amount": str(line.line_total),
        },
    )
    # Portions already refunded by line went back (or to waste) with their refund.
    refunded = line.refunds.aggregate(n=models.Sum("quantity", default=0))["n"]
    events.order_line_voided.send(sender=OrderLine, line=line, quantity=line.quantity - refunded)
    return line


def order_lines_mark_started(*, line_ids: list[int], at=None) -> int:
    """How the kitchen tells orders a ticket's lines are being made (ticket started or bumped): from
    then on, stock a void, cancel or refund gives back is recorded as waste."""
    return OrderLine.objects.filter(pk__in=line_ids, kitchen_started_at__isnull=True).update(
        kitchen_started_at=at or timezone.now()
    )


def guest_order_place(
    *, qr_token: str, session_token: str, lines: list[LineRequest], note: str = ""
) -> Order:
    """A guest's order from the table's QR page: only into the table's current session (the page
    carries its token), throttled per table, then the one order service."""
    table = Table.objects.select_related("store").filter(qr_token=qr_token, is_active=True).first()
    if table is None:
        raise DomainError(
            "table",
            "qr_expired",
            _("This QR code is no longer valid: scan the code on your table again."),
        )
    session = table_session_current(table=table)
    if session is None or session.token != session_token:
        raise DomainError(
            "session",
            "session_closed",
            _("This table's check is closed: scan the code on your table again or ask the staff."),
        )
    _validate_lines(table.store, lines)  # a bad order must not spend the table's throttle
    table_order_throttle(table=table)
    with transaction.atomic():
        check = check_for_table(table=table)  # locks the table: the session cannot change under us
        if check.session.token != session_token:
            raise DomainError(
                "session",
                "session_closed",
                _("This table's check is closed: scan the code on your table again or ask the staff."),
            )
        return order_place(
            store=table.store,
            table=table,
            lines=lines,
            channel=Order.Channel.QR,
            note=note,
            guest_check=check,
        )
