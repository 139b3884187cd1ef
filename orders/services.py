"""Writes for the menu and orders. `order_place` is the one way an order comes to exist (API, guest
QR page, till, tests); history import is the only bulk path and lives in analytics."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.services import audit_record
from restaurant_ops.timeutils import business_date

from . import events
from .models import MenuItem, Modifier, Order, OrderLine, OrderLineModifier, OrderStatusChange, Table

CENT = Decimal("0.01")
MAX_LINES = 100
MAX_LINE_QUANTITY = 99


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split_tax(amount: Decimal, rate: Decimal, *, inclusive: bool) -> tuple[Decimal, Decimal]:
    """Returns (tax, net) for an amount as priced: inclusive prices contain their tax."""
    if inclusive:
        tax = money(amount * rate / (1 + rate))
        return tax, amount - tax
    return money(amount * rate), amount


@dataclass
class LineRequest:
    """One line as a client asks for it. Prices are never taken from the client."""

    item_id: int | None = None
    item_external_id: str = ""
    quantity: int = 1
    modifier_ids: list[int] = field(default_factory=list)
    note: str = ""


def _resolve_items(store: Store, lines: list[LineRequest]) -> tuple[dict, dict]:
    ids = {line.item_id for line in lines if line.item_id is not None}
    external_ids = {line.item_external_id for line in lines if line.item_id is None and line.item_external_id}
    items = (
        MenuItem.objects.filter(store=store, is_active=True)
        .filter(pk__in=ids)
        .select_related("tax_category")
        .prefetch_related("modifier_groups")
    )
    by_external = (
        MenuItem.objects.filter(store=store, is_active=True, external_id__in=external_ids)
        .select_related("tax_category")
        .prefetch_related("modifier_groups")
        if external_ids
        else []
    )
    return {item.pk: item for item in items}, {item.external_id: item for item in by_external}


def _validate_lines(store: Store, lines: list[LineRequest]) -> list[tuple[MenuItem, LineRequest, list[Modifier]]]:
    if not lines:
        raise DomainError("lines", "empty", _("An order needs at least one line."))
    if len(lines) > MAX_LINES:
        raise DomainError("lines", "too_many", _("An order has at most %(n)d lines.") % {"n": MAX_LINES})
    by_id, by_external = _resolve_items(store, lines)
    modifier_ids = {mid for line in lines for mid in line.modifier_ids}
    modifiers = {m.pk: m for m in Modifier.objects.filter(pk__in=modifier_ids, is_active=True, group__store=store)
                 .select_related("group")}
    errors: list[DomainError] = []
    resolved = []
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        item = by_id.get(line.item_id) if line.item_id is not None else by_external.get(line.item_external_id)
        if item is None:
            name = "item" if line.item_id is not None or not line.item_external_id else "item_external_id"
            errors.append(DomainError(f"{path}.{name}", "unknown_item",
                                      _("No such item on this store's menu.")))
            continue
        if item.is_sold_out:
            errors.append(DomainError(f"{path}.item", "sold_out",
                                      _("%(item)s is sold out.") % {"item": item.name}, status_code=409))
            continue
        if not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            errors.append(DomainError(f"{path}.quantity", "out_of_range",
                                      _("Quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_LINE_QUANTITY}))
            continue
        group_ids = {group.pk for group in item.modifier_groups.all()}
        chosen: list[Modifier] = []
        for m_index, modifier_id in enumerate(line.modifier_ids):
            modifier = modifiers.get(modifier_id)
            if modifier is None or modifier.group_id not in group_ids:
                errors.append(DomainError(f"{path}.modifiers[{m_index}]", "not_for_item",
                                          _("This modifier does not belong to %(item)s.") % {"item": item.name}))
            elif modifier in chosen:
                errors.append(DomainError(f"{path}.modifiers[{m_index}]", "duplicate",
                                          _("The same modifier was chosen twice.")))
            else:
                chosen.append(modifier)
        per_group = Counter(m.group_id for m in chosen)
        for group in item.modifier_groups.all():
            count = per_group.get(group.pk, 0)
            if not group.min_choices <= count <= group.max_choices:
                errors.append(DomainError(
                    f"{path}.modifiers", "choice_count",
                    _("%(group)s: choose between %(min)d and %(max)d.")
                    % {"group": group.name, "min": group.min_choices, "max": group.max_choices},
                ))
        resolved.append((item, line, chosen))
    if errors:
        raise DomainErrors(errors)
    return resolved


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
) -> Order:
    """Prices the order on the server, snapshots it, and announces it inside this transaction."""
    if table is not None and (table.store_id != store.pk or not table.is_active):
        raise DomainError("table", "unknown_table", _("No such table in this store."), status_code=404)
    if service_type not in Order.ServiceType.values:
        raise DomainError("service_type", "invalid", _("Service must be dine_in or takeaway."))
    if external_id and Order.objects.filter(store=store, channel=channel, external_id=external_id).exists():
        raise DomainError("external_id", "duplicate",
                          _("An order with this external id already exists."), status_code=409)
    resolved = _validate_lines(store, lines)
    placed_at = placed_at or timezone.now()
    inclusive = store.prices_include_tax

    order = Order(
        store=store, table=table, channel=channel, service_type=service_type, note=note[:300],
        external_id=external_id, placed_by=placed_by if placed_by and placed_by.is_authenticated else None,
        currency=store.currency, prices_include_tax=inclusive, placed_at=placed_at,
        business_date=business_date(store, placed_at),
        subtotal=Decimal("0"), tax=Decimal("0"), total=Decimal("0"),
    )
    order_lines: list[OrderLine] = []
    for position, (item, line, chosen) in enumerate(resolved):
        unit_price = item.price + sum((m.price_delta for m in chosen), Decimal("0"))
        line_total = unit_price * line.quantity
        tax_amount, net_amount = split_tax(line_total, item.tax_rate, inclusive=inclusive)
        order_lines.append(OrderLine(
            menu_item=item, position=position, name=item.name, quantity=line.quantity, unit_price=unit_price,
            line_total=line_total, tax_rate=item.tax_rate, tax_amount=tax_amount, net_amount=net_amount,
            note=line.note[:200],
        ))
    order.subtotal = sum((line.line_total for line in order_lines), Decimal("0"))
    order.tax = sum((line.tax_amount for line in order_lines), Decimal("0"))
    order.total = order.subtotal if inclusive else order.subtotal + order.tax
    order.save()
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderLineModifier.objects.bulk_create([
        OrderLineModifier(line=line, modifier=m, name=m.name, price_delta=m.price_delta)
        for line, (_item, _req, chosen) in zip(order_lines, resolved, strict=True) for m in chosen
    ])
    OrderStatusChange.objects.create(order=order, from_status="", to_status=order.status, at=placed_at,
                                     by=order.placed_by)
    events.order_placed.send(sender=Order, order=order)
    return order


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
            "status", "invalid_transition",
            _("An order that is %(current)s cannot become %(new)s.") % {"current": order.status, "new": status},
            status_code=409,
        )
    previous, now = order.status, timezone.now()
    order.status = status
    setattr(order, _STATUS_TIMESTAMP[status], now)
    fields = ["status", _STATUS_TIMESTAMP[status], "updated_at"]
    if status == Order.Status.CANCELLED:
        order.cancel_reason = reason[:200]
        fields.append("cancel_reason")
    order.save(update_fields=fields)
    OrderStatusChange.objects.create(order=order, from_status=previous, to_status=status, at=now,
                                     by=by if by is not None and by.is_authenticated else None)
    signal = events.order_cancelled if status == Order.Status.CANCELLED else events.order_status_changed
    signal.send(sender=Order, order=order, previous_status=previous)
    return order


@transaction.atomic
def order_cancel(*, order: Order, reason: str, by=None, approved_by=None) -> Order:
    """Cancels (voids) a whole order; listeners return its stock and withdraw its tickets."""
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the order is cancelled."))
    order = order_set_status(order=order, status=Order.Status.CANCELLED, by=by, reason=reason)
    audit_record(store=order.store, action="order_cancelled", actor=by, approved_by=approved_by,
                 reason=reason, target=order, data={"total": str(order.total)})
    return order


def menu_item_set_stock_facts(*, item: MenuItem, sold_out: bool | None = None,
                              allergens: list[str] | None = None, dietary_tags: list[str] | None = None) -> None:
    """How inventory tells the menu what it knows (sold out by stock, allergens, tags) without the
    guest and till pages ever reading inventory. Writes only what changed."""
    changes = {}
    if sold_out is not None and item.sold_out_stock != sold_out:
        changes["sold_out_stock"] = sold_out
    if allergens is not None and sorted(allergens) != sorted(item.allergens):
        changes["allergens"] = sorted(allergens)
    if dietary_tags is not None and sorted(dietary_tags) != sorted(item.dietary_tags):
        changes["dietary_tags"] = sorted(dietary_tags)
    if changes:
        changes["updated_at"] = timezone.now()
        MenuItem.objects.filter(pk=item.pk).update(**changes)
        for name, value in changes.items():
            setattr(item, name, value)


def menu_item_set_sold_out(*, item: MenuItem, sold_out: bool) -> MenuItem:
    """The manual 86: a cook or manager marks an item sold out by hand, or back."""
    item.sold_out_manual = sold_out
    item.save(update_fields=["sold_out_manual", "updated_at"])
    return item


def table_rotate_token(*, table: Table) -> Table:
    """A new QR secret: codes printed or photographed before stop working."""
    table.qr_token = Table._meta.get_field("qr_token").default()
    table.save(update_fields=["qr_token", "updated_at"])
    return table
