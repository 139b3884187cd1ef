"""Writes for the menu and orders. `order_place` is the one way an order comes to exist (API, guest
QR page, till, tests); history import is the only bulk path and lives in analytics."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.services import audit_record
from restaurant_ops.timeutils import business_date

from . import events
from .models import (
    CashDrawerSession,
    Check,
    CheckAdjustment,
    MenuItem,
    Modifier,
    Order,
    OrderLine,
    OrderLineModifier,
    OrderStatusChange,
    Payment,
    Receipt,
    ReceiptCounter,
    Register,
    Table,
    TableSession,
)

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


def _validate_lines(
    store: Store, lines: list[LineRequest]
) -> list[tuple[MenuItem, LineRequest, list[Modifier]]]:
    if not lines:
        raise DomainError("lines", "empty", _("An order needs at least one line."))
    if len(lines) > MAX_LINES:
        raise DomainError("lines", "too_many", _("An order has at most %(n)d lines.") % {"n": MAX_LINES})
    by_id, by_external = _resolve_items(store, lines)
    modifier_ids = {mid for line in lines for mid in line.modifier_ids}
    modifiers = {
        m.pk: m
        for m in Modifier.objects.filter(
            pk__in=modifier_ids, is_active=True, group__store=store
        ).select_related("group")
    }
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
                    status_code=409,
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
            elif modifier in chosen:
                errors.append(
                    DomainError(
                        f"{path}.modifiers[{m_index}]", "duplicate", _("The same modifier was chosen twice.")
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
) -> Order:
    """Prices the order on the server, snapshots it, adds it to a check, and announces it inside this
    transaction. The check is the one given, else the table's open check (opening the table's session
    if needed), else a new check of its own (takeaway, or an order without a table)."""
    if table is not None and (table.store_id != store.pk or not table.is_active):
        raise DomainError("table", "unknown_table", _("No such table in this store."), status_code=404)
    if service_type not in Order.ServiceType.values:
        raise DomainError("service_type", "invalid", _("Service must be dine_in or takeaway."))
    if external_id and Order.objects.filter(store=store, channel=channel, external_id=external_id).exists():
        raise DomainError(
            "external_id", "duplicate", _("An order with this external id already exists."), status_code=409
        )
    resolved = _validate_lines(store, lines)
    if guest_check is not None:
        guest_check = Check.objects.select_for_update().get(pk=guest_check.pk)
        if guest_check.store_id != store.pk:
            raise DomainError("check", "not_found", _("No such check in this store."), status_code=404)
        if not guest_check.is_settleable:
            raise DomainError(
                "check", "closed", _("This check is already paid; start a new one."), status_code=409
            )
    elif table is not None:
        guest_check = check_for_table(table=table, by=placed_by)
    else:
        guest_check = check_open(store=store, service_type=service_type, by=placed_by)
    placed_at = placed_at or timezone.now()
    inclusive = store.prices_include_tax

    order = Order(
        store=store,
        table=table,
        channel=channel,
        service_type=service_type,
        note=note[:300],
        external_id=external_id,
        placed_by=placed_by if placed_by and placed_by.is_authenticated else None,
        currency=store.currency,
        prices_include_tax=inclusive,
        placed_at=placed_at,
        business_date=business_date(store, placed_at),
        guest_check=guest_check,
        subtotal=Decimal("0"),
        tax=Decimal("0"),
        total=Decimal("0"),
    )
    order_lines: list[OrderLine] = []
    for position, (item, line, chosen) in enumerate(resolved):
        unit_price = item.price + sum((m.price_delta for m in chosen), Decimal("0"))
        line_total = unit_price * line.quantity
        tax_amount, net_amount = split_tax(line_total, item.tax_rate, inclusive=inclusive)
        order_lines.append(
            OrderLine(
                menu_item=item,
                position=position,
                name=item.name,
                quantity=line.quantity,
                unit_price=unit_price,
                line_total=line_total,
                tax_rate=item.tax_rate,
                tax_amount=tax_amount,
                net_amount=net_amount,
                note=line.note[:200],
                guest_check=guest_check,
            )
        )
    order.subtotal = sum((line.line_total for line in order_lines), Decimal("0"))
    order.tax = sum((line.tax_amount for line in order_lines), Decimal("0"))
    order.total = order.subtotal if inclusive else order.subtotal + order.tax
    order.save()
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderLineModifier.objects.bulk_create(
        [
            OrderLineModifier(line=line, modifier=m, name=m.name, price_delta=m.price_delta)
            for line, (_item, _req, chosen) in zip(order_lines, resolved, strict=True)
            for m in chosen
        ]
    )
    OrderStatusChange.objects.create(
        order=order, from_status="", to_status=order.status, at=placed_at, by=order.placed_by
    )
    check_recalculate(guest_check=guest_check)
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
            "status",
            "invalid_transition",
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": order.status, "new": status},
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
    OrderStatusChange.objects.create(
        order=order,
        from_status=previous,
        to_status=status,
        at=now,
        by=by if by is not None and by.is_authenticated else None,
    )
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


def menu_item_set_stock_facts(
    *,
    item: MenuItem,
    sold_out: bool | None = None,
    allergens: list[str] | None = None,
    dietary_tags: list[str] | None = None,
) -> None:
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


@transaction.atomic
def menu_item_set_price(*, item: MenuItem, price, by=None, reason: str = "") -> MenuItem:
    """A new menu price from now on (orders already placed keep the price they were priced at).
    Audited: a price change moves every margin the owner looks at."""
    try:
        new = Decimal(str(price))
    except (ArithmeticError, ValueError, TypeError):
        raise DomainError("price", "invalid", _("Enter a price such as 24.50."))
    if not new.is_finite() or new != new.quantize(CENT) or new < 0 or new >= Decimal("100000"):
        raise DomainError("price", "invalid", _("Enter a price in whole cents, from 0 to 99999.99."))
    item = MenuItem.objects.select_for_update().get(pk=item.pk)
    old = item.price
    if new != old:
        item.price = new
        item.save(update_fields=["price", "updated_at"])
        audit_record(
            store=item.store,
            action="menu_price_changed",
            actor=by,
            reason=reason[:200],
            target=item,
            data={"old": str(old), "new": str(new)},
        )
    return item


def table_rotate_token(*, table: Table) -> Table:
    """A new QR secret: codes printed or photographed before stop working."""
    table.qr_token = Table._meta.get_field("qr_token").default()
    table.save(update_fields=["qr_token", "updated_at"])
    return table


# --- Front of house: table sessions, checks, money, payments, receipts, drawers ----------------


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """Shares of `amount` that sum to it exactly: each the amount ÷ parts rounded down to the cent,
    the cents left over going one each to the first shares (100.00 / 3 = 33.34, 33.33, 33.33)."""
    if parts < 1:
        raise DomainError("parts", "out_of_range", _("Split into at least one part."))
    cents = int((amount / CENT).to_integral_value())
    base, remainder = divmod(cents, parts)
    return [(base + (1 if index < remainder else 0)) * CENT for index in range(parts)]


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` spread over `weights` in proportion, to the cent, by largest remainder (ties: first)."""
    weight_sum = sum(weights, Decimal("0"))
    if not weights or weight_sum <= 0 or total == 0:
        return [Decimal("0.00") for _w in weights]
    cents = int((total / CENT).to_integral_value())
    exact = [Decimal(cents) * w / weight_sum for w in weights]
    floors = [int(e) for e in exact]  # weights and total are non-negative here
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [f * CENT for f in floors]


def table_session_current(*, table: Table) -> TableSession | None:
    return TableSession.objects.filter(table=table, closed_at__isnull=True).first()


@transaction.atomic
def table_session_open(*, table: Table, by=None) -> TableSession:
    """The table's open session, or a new one (the table row is locked so two phones scanning at
    once share one session)."""
    Table.objects.select_for_update().filter(pk=table.pk).first()
    session = table_session_current(table=table)
    if session is None:
        session = TableSession.objects.create(
            store_id=table.store_id,
            table=table,
            opened_by=by if by is not None and by.is_authenticated else None,
        )
    return session


@transaction.atomic
def table_session_close(*, session: TableSession) -> TableSession:
    """Ends the party's session. In rotate_token stores the table's QR secret changes too, so a photo
    of the old code cannot order into the next party's check."""
    if session.closed_at is None:
        session.closed_at = timezone.now()
        session.save(update_fields=["closed_at"])
        if session.store.table_session_mode == Store.TableSessionMode.ROTATE_TOKEN:
            table_rotate_token(table=session.table)
    return session


def check_open(
    *,
    store: Store,
    service_type: str = Order.ServiceType.DINE_IN,
    table: Table | None = None,
    session: TableSession | None = None,
    by=None,
) -> Check:
    now = timezone.now()
    return Check.objects.create(
        store=store,
        table=table,
        session=session,
        service_type=service_type,
        opened_at=now,
        business_date=business_date(store, now),
        opened_by=by if by is not None and by.is_authenticated else None,
    )


@transaction.atomic
def check_for_table(*, table: Table, by=None) -> Check:
    """The table's open check (locked): every phone and the staff add to this one."""
    session = table_session_open(table=table, by=by)
    check = (
        Check.objects.select_for_update()
        .filter(session=session, status__in=[Check.Status.OPEN, Check.Status.PARTIALLY_PAID])
        .order_by("id")
        .first()
    )
    if check is None:
        check = check_open(store=table.store, table=table, session=session, by=by)
    return check


def _locked(check: Check) -> Check:
    return Check.objects.select_for_update().select_related("store").get(pk=check.pk)


def _require_settleable(check: Check, field: str = "check") -> None:
    if not check.is_settleable:
        raise DomainError(
            field,
            "check_settled",
            _("This check is %(status)s and can no longer change.")
            % {"status": check.get_status_display().lower()},
            status_code=409,
        )


def check_recalculate(*, guest_check: Check) -> Check:
    """Recomputes a check's money from its active lines, adjustments and payments (called inside the
    transaction of whatever changed them; the check row is locked by the caller).

    Comps take a line's whole amount; discounts are spread over the other lines in proportion to
    their amounts, to the cent by largest remainder, and stored per line. Tax is taken on the
    discounted amount at each line's rate (contained in it when prices include tax). The service
    charge is the store's rate on dine-in net sales (after discounts, without tax), itself untaxed."""
    check = guest_check
    lines = list(
        OrderLine.objects.filter(guest_check=check, voided_at__isnull=True)
        .exclude(order__status=Order.Status.CANCELLED)
        .select_related("order")
        .order_by("id")
    )
    adjustments = list(CheckAdjustment.objects.filter(guest_check=check))
    comped = {a.line_id for a in adjustments if a.kind == CheckAdjustment.Kind.COMP}
    discounts = {line.pk: (line.line_total if line.pk in comped else Decimal("0")) for line in lines}
    open_lines = [line for line in lines if line.pk not in comped]
    base = sum((line.line_total for line in open_lines), Decimal("0"))
    off = Decimal("0")
    for adjustment in adjustments:
        if adjustment.kind == CheckAdjustment.Kind.DISCOUNT:
            off += (
                adjustment.amount if adjustment.amount is not None else money(base * adjustment.percent / 100)
            )
    off = min(off, base)
    for line, share in zip(open_lines, allocate(off, [line.line_total for line in open_lines]), strict=True):
        discounts[line.pk] = share

    subtotal = discount_total = net_sales = tax = due = Decimal("0")
    changed = []
    for line in lines:
        amount = line.line_total - discounts[line.pk]
        line_tax, line_net = split_tax(amount, line.tax_rate, inclusive=line.order.prices_include_tax)
        subtotal += line.line_total
        discount_total += discounts[line.pk]
        net_sales += line_net
        tax += line_tax
        due += amount if line.order.prices_include_tax else amount + line_tax
        # The line keeps its share: revenue everywhere (reports, analyses) is net of discounts.
        if (line.discount_amount, line.tax_amount, line.net_amount) != (
            discounts[line.pk],
            line_tax,
            line_net,
        ):
            line.discount_amount, line.tax_amount, line.net_amount = discounts[line.pk], line_tax, line_net
            changed.append(line)
    # Lines that left the check's active set (voided, cancelled, moved) keep no discount share.
    for line in (
        OrderLine.objects.filter(guest_check=check)
        .exclude(pk__in=[line.pk for line in lines])
        .exclude(discount_amount=0)
        .select_related("order")
    ):
        line.discount_amount = Decimal("0")
        line.tax_amount, line.net_amount = split_tax(
            line.line_total, line.tax_rate, inclusive=line.order.prices_include_tax
        )
        changed.append(line)
    if changed:
        OrderLine.objects.bulk_update(changed, ["discount_amount", "tax_amount", "net_amount"])

    rate = (
        check.store.service_charge_rate if check.service_type == Order.ServiceType.DINE_IN else Decimal("0")
    )
    service_charge = money(net_sales * rate)
    paid = Payment.objects.filter(guest_check=check).aggregate(
        amount=models.Sum("amount", default=Decimal("0")), tip=models.Sum("tip", default=Decimal("0"))
    )
    check.subtotal, check.discount_total, check.net_sales, check.tax = (
        subtotal,
        discount_total,
        net_sales,
        tax,
    )
    check.service_charge, check.total = service_charge, due + service_charge
    check.paid_total, check.tip_total = paid["amount"], paid["tip"]
    if check.paid_at is None and check.status != Check.Status.CLOSED:  # a refund does not reopen a check
        if check.total > 0 and check.paid_total >= check.total:
            check.status, check.paid_at = Check.Status.PAID, timezone.now()
        elif check.paid_total > 0:
            check.status = Check.Status.PARTIALLY_PAID
        else:
            check.status = Check.Status.OPEN
    check.save()
    return check


def _receipt_issue(check: Check) -> Receipt:
    """The next number of the store's gapless sequence: the counter row is locked until the payment's
    transaction commits, so a rolled-back payment gives its number back."""
    ReceiptCounter.objects.bulk_create([ReceiptCounter(store_id=check.store_id)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(store_id=check.store_id)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return Receipt.objects.create(store_id=check.store_id, number=counter.last_number, guest_check=check)


def _settle(check: Check, drawer: CashDrawerSession | None) -> None:
    """A check just paid in full: its receipt number, its drawer's Z report, and the table is free."""
    check.drawer_session = drawer
    check.save(update_fields=["drawer_session", "updated_at"])
    _receipt_issue(check)
    if (
        check.session_id
        and not Check.objects.filter(
            session_id=check.session_id, status__in=[Check.Status.OPEN, Check.Status.PARTIALLY_PAID]
        ).exists()
    ):
        table_session_close(session=check.session)


def drawer_current(*, register: Register) -> CashDrawerSession | None:
    return CashDrawerSession.objects.filter(register=register, closed_at__isnull=True).first()


def _money_arg(value, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        value = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        raise DomainError(field, "invalid", _("Enter an amount."))
    if not value.is_finite() or value != value.quantize(CENT):
        raise DomainError(field, "invalid", _("Enter an amount in whole cents."))
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError(field, "out_of_range", _("The amount must be more than zero."))
    if value >= Decimal("10000000"):
        raise DomainError(field, "out_of_range", _("That amount is too large."))
    return value


@transaction.atomic
def payment_take(
    *,
    guest_check: Check,
    method: str,
    amount,
    tip=Decimal("0"),
    tendered=None,
    reference: str = "",
    register: Register | None = None,
    by=None,
) -> Payment:
    """Takes one payment towards a check (several methods may share a check). Cash may be tendered
    above the amount and tip: the difference is the change due. The payment that completes the
    check issues its receipt number and closes the table's session."""
    check = _locked(guest_check)
    _require_settleable(check)
    if method not in Payment.Method.values:
        raise DomainError("method", "invalid", _("Method must be cash, card or mobile."))
    amount = _money_arg(amount, "amount")
    tip = _money_arg(tip or 0, "tip", allow_zero=True)
    if amount > check.balance:
        raise DomainError(
            "amount", "exceeds_balance", _("Only %(balance)s is left to pay.") % {"balance": check.balance}
        )
    change = Decimal("0")
    if method == Payment.Method.CASH:
        tendered = amount + tip if tendered in (None, "") else _money_arg(tendered, "tendered")
        if tendered < amount + tip:
            raise DomainError(
                "tendered", "too_little", _("Cash tendered must cover %(due)s.") % {"due": amount + tip}
            )
        change = tendered - amount - tip
    else:
        tendered = None
    drawer = None
    if register is not None:
        if register.store_id != check.store_id:
            raise DomainError("register", "not_found", _("No such register in this store."), status_code=404)
        drawer = drawer_current(register=register)
        if drawer is None and method == Payment.Method.CASH:
            raise DomainError(
                "register",
                "drawer_closed",
                _("Open the cash drawer (count the float) before taking cash."),
                status_code=409,
            )
    now = timezone.now()
    payment = Payment.objects.create(
        store_id=check.store_id,
        guest_check=check,
        method=method,
        amount=amount,
        tip=tip,
        tendered=tendered,
        change_due=change,
        reference=reference[:80],
        register=register,
        drawer_session=drawer,
        taken_by=by if by is not None and by.is_authenticated else None,
        created_at=now,
        business_date=business_date(check.store, now),
    )
    was_paid = check.paid_at is not None
    check = check_recalculate(guest_check=check)
    if check.paid_at is not None and not was_paid:
        _settle(check, drawer)
    return payment


@transaction.atomic
def payment_refund(
    *, payment: Payment, amount, reason: str, by=None, approved_by=None, register: Register | None = None
) -> Payment:
    """Money back, by the method it came in: a negative payment, with reason and approval audited."""
    original = Payment.objects.select_for_update().get(pk=payment.pk)
    check = _locked(original.guest_check)
    if original.kind != Payment.Kind.PAYMENT:
        raise DomainError("payment", "not_refundable", _("A refund cannot be refunded."))
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the money is returned."))
    amount = _money_arg(amount, "amount")
    already = -(original.refunds.aggregate(s=models.Sum("amount", default=Decimal("0")))["s"])
    if amount > original.amount - already:
        raise DomainError(
            "amount",
            "exceeds_payment",
            _("At most %(left)s of this payment can be refunded.") % {"left": original.amount - already},
        )
    register = register or original.register
    drawer = drawer_current(register=register) if register is not None else None
    if original.method == Payment.Method.CASH and register is not None and drawer is None:
        raise DomainError(
            "register", "drawer_closed", _("Open the cash drawer to give cash back."), status_code=409
        )
    now = timezone.now()
    refund = Payment.objects.create(
        store_id=check.store_id,
        guest_check=check,
        kind=Payment.Kind.REFUND,
        method=original.method,
        amount=-amount,
        refund_of=original,
        reason=reason.strip()[:200],
        register=register,
        drawer_session=drawer,
        taken_by=by if by is not None and by.is_authenticated else None,
        approved_by=approved_by,
        created_at=now,
        business_date=business_date(check.store, now),
    )
    check_recalculate(guest_check=check)
    audit_record(
        store=check.store,
        action="refund",
        actor=by,
        approved_by=approved_by,
        reason=reason.strip(),
        target=refund,
        data={"check": check.pk, "amount": str(amount), "method": original.method},
    )
    return refund


@transaction.atomic
def check_discount(
    *, guest_check: Check, reason: str, amount=None, percent=None, by=None, approved_by=None
) -> CheckAdjustment:
    """A discount off the whole check: a fixed amount (as priced) or a percentage."""
    check = _locked(guest_check)
    _require_settleable(check)
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the discount is given."))
    if (amount in (None, "")) == (percent in (None, "")):
        raise DomainError("amount", "one_of", _("Give either an amount or a percentage."))
    if amount not in (None, ""):
        amount, percent = _money_arg(amount, "amount"), None
        if amount > check.subtotal - check.discount_total:
            raise DomainError("amount", "exceeds_check", _("The discount is more than the check."))
    else:
        percent = _money_arg(percent, "percent")
        if percent > 100:
            raise DomainError("percent", "out_of_range", _("A percentage is at most 100."))
        amount = None
    adjustment = CheckAdjustment.objects.create(
        guest_check=check,
        kind=CheckAdjustment.Kind.DISCOUNT,
        amount=amount,
        percent=percent,
        reason=reason.strip()[:200],
        by=by if by is not None and by.is_authenticated else None,
        approved_by=approved_by,
    )
    check = check_recalculate(guest_check=check)
    if check.total < check.paid_total:
        raise DomainError("amount", "below_paid", _("The check would be less than what is already paid."))
    audit_record(
        store=check.store,
        action="discount",
        actor=by,
        approved_by=approved_by,
        reason=reason.strip(),
        target=check,
        data={
            "amount": str(amount) if amount else None,
            "percent": str(percent) if percent else None,
            "discount_total": str(check.discount_total),
        },
    )
    return adjustment


@transaction.atomic
def check_comp_line(*, line: OrderLine, reason: str, by=None, approved_by=None) -> CheckAdjustment:
    """Gives one line free on purpose (it was made and served: a comp, not a void)."""
    if line.guest_check_id is None:
        raise DomainError("line", "no_check", _("This line is on no check."))
    check = _locked(line.guest_check)
    _require_settleable(check)
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the item is comped."))
    if line.voided_at or CheckAdjustment.objects.filter(guest_check=check, line=line).exists():
        raise DomainError("line", "already", _("This line is already voided or comped."), status_code=409)
    adjustment = CheckAdjustment.objects.create(
        guest_check=check,
        kind=CheckAdjustment.Kind.COMP,
        line=line,
        reason=reason.strip()[:200],
        by=by if by is not None and by.is_authenticated else None,
        approved_by=approved_by,
    )
    check = check_recalculate(guest_check=check)
    if check.total < check.paid_total:
        raise DomainError("line", "below_paid", _("The check would be less than what is already paid."))
    audit_record(
        store=check.store,
        action="comp",
        actor=by,
        approved_by=approved_by,
        reason=reason.strip(),
        target=line,
        data={"check": check.pk, "amount": str(line.line_total), "item": line.name},
    )
    return adjustment


@transaction.atomic
def order_line_void(*, line: OrderLine, reason: str, by=None, approved_by=None) -> OrderLine:
    """Removes a line that was not made or not paid; listeners give its stock back."""
    line = OrderLine.objects.select_for_update().select_related("order__store").get(pk=line.pk)
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the item is voided."))
    if line.voided_at is not None or line.order.status == Order.Status.CANCELLED:
        raise DomainError("line", "already_voided", _("This line is already voided."), status_code=409)
    check = _locked(line.guest_check) if line.guest_check_id else None
    if check is not None:
        _require_settleable(check)
    line.voided_at, line.void_reason = timezone.now(), reason.strip()[:200]
    line.save(update_fields=["voided_at", "void_reason"])
    if check is not None:
        check = check_recalculate(guest_check=check)
        if check.total < check.paid_total:
            raise DomainError(
                "line",
                "below_paid",
                _("Refund first: the check would be less than what is paid."),
                status_code=409,
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
    events.order_line_voided.send(sender=OrderLine, line=line)
    return line


@transaction.atomic
def check_split_items(*, guest_check: Check, line_ids: list[int], by=None) -> Check:
    """Moves the chosen lines (and their comps) to a new check at the same table: split by item."""
    check = _locked(guest_check)
    _require_settleable(check)
    if not line_ids:
        raise DomainError("lines", "empty", _("Choose the items for the new check."))
    lines = list(OrderLine.objects.filter(guest_check=check, pk__in=line_ids, voided_at__isnull=True))
    found = {line.pk for line in lines}
    missing = [i for i, line_id in enumerate(line_ids) if line_id not in found]
    if missing:
        raise DomainError(f"lines[{missing[0]}]", "not_on_check", _("This item is not on the check."))
    if len(found) == OrderLine.objects.filter(guest_check=check, voided_at__isnull=True).count():
        raise DomainError("lines", "all_lines", _("Leave at least one item on the original check."))
    new = check_open(
        store=check.store, service_type=check.service_type, table=check.table, session=check.session, by=by
    )
    OrderLine.objects.filter(pk__in=found).update(guest_check=new)
    CheckAdjustment.objects.filter(guest_check=check, line_id__in=found).update(guest_check=new)
    check = check_recalculate(guest_check=check)
    if check.total < check.paid_total:
        raise DomainError("lines", "below_paid", _("The original check would be less than what is paid."))
    return check_recalculate(guest_check=new)


@transaction.atomic
def check_merge(*, into: Check, other: Check, by=None) -> Check:
    """Puts `other`'s lines, orders, adjustments and payments on `into`; `other` closes."""
    if into.pk == other.pk:
        raise DomainError("other", "same_check", _("A check cannot be merged into itself."))
    first, second = sorted([into, other], key=lambda c: c.pk)  # lock in a stable order
    locked = {c.pk: c for c in (_locked(first), _locked(second))}
    into, other = locked[into.pk], locked[other.pk]
    if into.store_id != other.store_id:
        raise DomainError("other", "not_found", _("No such check in this store."), status_code=404)
    _require_settleable(into, "check")
    _require_settleable(other, "other")
    OrderLine.objects.filter(guest_check=other).update(guest_check=into)
    Order.objects.filter(guest_check=other).update(guest_check=into)
    CheckAdjustment.objects.filter(guest_check=other).update(guest_check=into)
    Payment.objects.filter(guest_check=other).update(guest_check=into)
    now = timezone.now()
    other.status, other.closed_at, other.merged_into = Check.Status.CLOSED, now, into
    other = check_recalculate(guest_check=other)
    into = check_recalculate(guest_check=into)
    if into.paid_at is not None:
        _settle(into, None)
    if (
        other.session_id
        and other.session_id != into.session_id
        and not Check.objects.filter(
            session_id=other.session_id, status__in=[Check.Status.OPEN, Check.Status.PARTIALLY_PAID]
        ).exists()
    ):
        table_session_close(session=other.session)
    audit_record(store=into.store, action="check_merged", actor=by, target=into, data={"merged": other.pk})
    return into


@transaction.atomic
def check_move(*, guest_check: Check, table: Table, by=None) -> Check:
    """Moves a party's check to another (free) table; the old table's session ends with it."""
    check = _locked(guest_check)
    _require_settleable(check)
    if table.store_id != check.store_id or not table.is_active:
        raise DomainError("table", "unknown_table", _("No such table in this store."), status_code=404)
    if table.pk == check.table_id:
        return check
    target_session = table_session_open(table=table, by=by)
    if Check.objects.filter(
        session=target_session, status__in=[Check.Status.OPEN, Check.Status.PARTIALLY_PAID]
    ).exists():
        raise DomainError(
            "table",
            "table_busy",
            _("That table has an open check: merge the checks instead."),
            status_code=409,
        )
    old_session = check.session
    check.table, check.session, check.service_type = table, target_session, Order.ServiceType.DINE_IN
    check.save(update_fields=["table", "session", "service_type", "updated_at"])
    if (
        old_session is not None
        and not Check.objects.filter(
            session=old_session, status__in=[Check.Status.OPEN, Check.Status.PARTIALLY_PAID]
        ).exists()
    ):
        table_session_close(session=old_session)
    return check_recalculate(guest_check=check)


@transaction.atomic
def check_close(*, guest_check: Check, by=None) -> Check:
    """Files a paid check away (the Z report closes the rest of its drawer's paid checks)."""
    check = _locked(guest_check)
    if check.status == Check.Status.CLOSED:
        return check
    nothing_due = check.status == Check.Status.OPEN and check.total == 0 and check.paid_total == 0
    if check.status != Check.Status.PAID and not nothing_due:
        raise DomainError("check", "not_paid", _("Only a paid check can be closed."), status_code=409)
    check.status, check.closed_at = Check.Status.CLOSED, timezone.now()
    if nothing_due and check.lines.exists():  # all comped: it still gets its receipt and frees the table
        check.paid_at = check.closed_at
        check.save(update_fields=["status", "closed_at", "paid_at", "updated_at"])
        _settle(check, None)
    check.save(update_fields=["status", "closed_at", "paid_at", "updated_at"])
    return check


def table_order_throttle(*, table: Table) -> None:
    """At most N guest orders per table per period (settings TABLE_ORDER_RATE, e.g. "10/min"), counted
    in the shared cache so the limit holds across worker processes."""
    from django.conf import settings
    from django.core.cache import cache

    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["table"]
    count, period = rate.split("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    window = int(timezone.now().timestamp() // seconds)
    key = f"orders:table-throttle:{table.pk}:{window}"
    cache.add(key, 0, timeout=seconds * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds * 2)
        used = 1
    if used > int(count):
        raise DomainError(
            "table",
            "throttled",
            _("Too many orders from this table just now; please wait a minute or ask the staff."),
            status_code=429,
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
            status_code=404,
        )
    session = table_session_current(table=table)
    if session is None or session.token != session_token:
        raise DomainError(
            "session",
            "session_closed",
            _("This table's check is closed: scan the code on your table again or ask the staff."),
            status_code=409,
        )
    table_order_throttle(table=table)
    with transaction.atomic():
        check = check_for_table(table=table)  # locks the table: the session cannot change under us
        if check.session.token != session_token:
            raise DomainError(
                "session",
                "session_closed",
                _("This table's check is closed: scan the code on your table again or ask the staff."),
                status_code=409,
            )
        return order_place(
            store=table.store,
            table=table,
            lines=lines,
            channel=Order.Channel.QR,
            note=note,
            guest_check=check,
        )


# --- Registers and the cash drawer -----------------------------------------------------------


@transaction.atomic
def register_create(*, store: Store, name: str) -> Register:
    if not name.strip():
        raise DomainError("name", "required", _("Name the register."))
    register, _created = Register.objects.get_or_create(store=store, name=name.strip()[:40])
    return register


@transaction.atomic
def drawer_open(*, register: Register, opening_float, by=None) -> CashDrawerSession:
    Register.objects.select_for_update().filter(pk=register.pk).first()
    if drawer_current(register=register) is not None:
        raise DomainError(
            "register", "drawer_open", _("This register's drawer is already open."), status_code=409
        )
    opening_float = _money_arg(opening_float, "opening_float", allow_zero=True)
    drawer = CashDrawerSession.objects.create(
        store_id=register.store_id,
        register=register,
        opening_float=opening_float,
        opened_by=by if by is not None and by.is_authenticated else None,
    )
    audit_record(
        store=register.store,
        action="drawer_opened",
        actor=by,
        target=drawer,
        data={"register": register.name, "opening_float": str(opening_float)},
    )
    return drawer


@transaction.atomic
def drawer_close(*, drawer: CashDrawerSession, counted_cash, by=None) -> CashDrawerSession:
    """The Z report: counts the drawer against what it should hold, freezes the report, and files the
    drawer's paid checks away. Nothing can be added to a closed drawer."""
    from .selectors import drawer_report

    drawer = (
        CashDrawerSession.objects.select_for_update().select_related("register", "store").get(pk=drawer.pk)
    )
    if drawer.closed_at is not None:
        raise DomainError("drawer", "closed", _("This drawer is already closed."), status_code=409)
    counted = _money_arg(counted_cash, "counted_cash", allow_zero=True)
    now = timezone.now()
    report = drawer_report(drawer=drawer, counted_cash=counted)
    report["closed_at"] = now.isoformat()
    drawer.closed_at, drawer.closed_by = now, by if by is not None and by.is_authenticated else None
    drawer.expected_cash = Decimal(report["cash"]["expected"])
    drawer.counted_cash, drawer.difference = counted, counted - drawer.expected_cash
    drawer.z_report = report
    drawer.save()
    Check.objects.filter(drawer_session=drawer, status=Check.Status.PAID).update(
        status=Check.Status.CLOSED, closed_at=now, updated_at=now
    )
    audit_record(
        store=drawer.store,
        action="drawer_count",
        actor=by,
        target=drawer,
        data={
            "register": drawer.register.name,
            "expected": str(drawer.expected_cash),
            "counted": str(counted),
            "difference": str(drawer.difference),
        },
    )
    return drawer
