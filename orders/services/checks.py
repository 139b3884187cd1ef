"""Checks: opening one, its money (`check_recalculate`), discounts, comps, split, merge, move and
close, and settling a check paid in full (receipt number, table freed)."""

from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user, audit_record
from restaurant_ops.timeutils import business_date

from .. import events
from ..models import (
    CashDrawerSession,
    Check,
    CheckAdjustment,
    Order,
    OrderLine,
    Payment,
    Receipt,
    ReceiptCounter,
    Table,
    TableSession,
)
from .pricing import (
    PricedLine,
    allocate,
    amount_checked,
    money,
    price_totals,
    service_charge_rate,
    split_tax,
)
from .rollup import sales_rollup_net_changed
from .table_sessions import table_session_close, table_session_open


def check_open(
    *,
    store: Store,
    service_type: str = Order.ServiceType.DINE_IN,
    table: Table | None = None,
    session: TableSession | None = None,
    by=None,
    lines: list[PricedLine] | None = None,
) -> Check:
    """A new, open check; with `lines` (an order's priced lines, the only ones on it) it is written
    with its totals already, as check_recalculate would make them, in one insert."""
    now = timezone.now()
    check = Check(
        store=store,
        table=table,
        session=session,
        service_type=service_type,
        opened_at=now,
        business_date=business_date(store, now),
        opened_by=acting_user(by),
    )
    if lines:
        inclusive = store.prices_include_tax
        totals = price_totals(lines, inclusive=inclusive, service_charge_rate=service_charge_rate(check))
        check.subtotal, check.tax, check.net_sales = totals["subtotal"], totals["tax"], totals["net_sales"]
        check.service_charge, check.total = totals["service_charge"], totals["total"]
    check.save()
    return check


@transaction.atomic
def check_for_table(*, table: Table, by=None) -> Check:
    """The table's open check (locked): every phone and the staff add to this one."""
    session = table_session_open(table=table, by=by)
    check = (
        Check.objects.select_for_update()
        .filter(session=session, status__in=Check.OPEN_STATUSES)
        .order_by("id")
        .first()
    )
    if check is None:
        check = check_open(store=table.store, table=table, session=session, by=by)
    return check


def check_locked(check: Check) -> Check:
    return Check.objects.select_for_update().select_related("store").get(pk=check.pk)


def check_require_settleable(check: Check, field: str = "check") -> None:
    if not check.is_settleable:
        raise DomainError(
            field,
            "check_settled",
            _("This check is %(status)s and can no longer change.")
            % {"status": check.get_status_display().lower()},
        )


def check_recalculate(*, guest_check: Check, known_lines: list[OrderLine] = ()) -> Check:
    """Recomputes a check's money from its active lines, adjustments and payments (called inside the
    transaction of whatever changed them; the check row is locked by the caller).

    Comps take a line's whole amount; discounts are spread over the other lines in proportion to
    their amounts, to the cent by largest remainder, and stored per line. Tax is taken on the
    discounted amount at each line's rate (contained in it when prices include tax). The service
    charge is the store's rate on dine-in net sales (after discounts, without tax), itself untaxed.
    `known_lines` are instances the caller holds (an order just placed): they get the new amounts too."""
    check = guest_check
    known = {line.pk: line for line in known_lines}
    lines = [
        known.get(line.pk, line)
        for line in OrderLine.objects.filter(guest_check=check, voided_at__isnull=True)
        .exclude(order__status=Order.Status.CANCELLED)
        .select_related("order")
        .order_by("id")
    ]
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
    counted_before = []  # (line, net amount before) of counted lines whose net amount moves: the rollup's
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
            if line.pk not in known and line.net_amount != line_net:  # the order service adds known ones
                counted_before.append((line, line.net_amount))
            line.discount_amount, line.tax_amount, line.net_amount = discounts[line.pk], line_tax, line_net
            changed.append(line)
    # Lines that left the check's active set (voided, cancelled, moved) keep no discount share.
    for line in (
        OrderLine.objects.filter(guest_check=check)
        .exclude(pk__in=[line.pk for line in lines])
        .exclude(discount_amount=0)
        .select_related("order")
    ):
        before = line.net_amount
        line.discount_amount = Decimal("0")
        line.tax_amount, line.net_amount = split_tax(
            line.line_total, line.tax_rate, inclusive=line.order.prices_include_tax
        )
        # still counted (moved to another check), unlike a voided line or a cancelled order's, which
        # left the rollup at the amount they were counted at
        if (
            line.voided_at is None
            and line.order.status != Order.Status.CANCELLED
            and before != line.net_amount
        ):
            counted_before.append((line, before))
        changed.append(line)
    if changed:
        OrderLine.objects.bulk_update(changed, ["discount_amount", "tax_amount", "net_amount"])
    if counted_before:
        sales_rollup_net_changed(store=check.store, changes=counted_before)

    service_charge = money(net_sales * service_charge_rate(check))
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


def check_settle(check: Check, drawer: CashDrawerSession | None) -> None:
    """A check just paid in full: its receipt number, its drawer's Z report, and the table is free."""
    check.drawer_session = drawer
    check.save(update_fields=["drawer_session", "updated_at"])
    _receipt_issue(check)
    if (
        check.session_id
        and not Check.objects.filter(session_id=check.session_id, status__in=Check.OPEN_STATUSES).exists()
    ):
        table_session_close(session=check.session)


@transaction.atomic
def check_discount(
    *, guest_check: Check, reason: str, amount=None, percent=None, by=None, approved_by=None
) -> CheckAdjustment:
    """A discount off the whole check: a fixed amount (as priced) or a percentage."""
    check = check_locked(guest_check)
    check_require_settleable(check)
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the discount is given."))
    if (amount is None) == (percent is None):
        raise DomainError("amount", "one_of", _("Give either an amount or a percentage."))
    if amount is not None:
        amount, percent = amount_checked(amount, "amount"), None
        if amount > check.subtotal - check.discount_total:
            raise DomainError("amount", "exceeds_check", _("The discount is more than the check."))
    else:
        percent = amount_checked(percent, "percent")
        if percent > 100:
            raise DomainError("percent", "out_of_range", _("A percentage is at most 100."))
        amount = None
    adjustment = CheckAdjustment.objects.create(
        guest_check=check,
        kind=CheckAdjustment.Kind.DISCOUNT,
        amount=amount,
        percent=percent,
        reason=reason.strip()[:200],
        by=acting_user(by),
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
    check = check_locked(line.guest_check)
    check_require_settleable(check)
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the item is comped."))
    if line.voided_at or CheckAdjustment.objects.filter(guest_check=check, line=line).exists():
        raise DomainError("line", "already", _("This line is already voided or comped."))
    adjustment = CheckAdjustment.objects.create(
        guest_check=check,
        kind=CheckAdjustment.Kind.COMP,
        line=line,
        reason=reason.strip()[:200],
        by=acting_user(by),
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
def check_split_items(*, guest_check: Check, line_ids: list[int], by=None) -> Check:
    """Moves the chosen lines (and their comps) to a new check at the same table: split by item."""
    check = check_locked(guest_check)
    check_require_settleable(check)
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
    locked = {c.pk: c for c in (check_locked(first), check_locked(second))}
    into, other = locked[into.pk], locked[other.pk]
    if into.store_id != other.store_id:
        raise DomainError("other", "not_found", _("No such check in this store."))
    check_require_settleable(into, "check")
    check_require_settleable(other, "other")
    OrderLine.objects.filter(guest_check=other).update(guest_check=into)
    Order.objects.filter(guest_check=other).update(guest_check=into)
    CheckAdjustment.objects.filter(guest_check=other).update(guest_check=into)
    Payment.objects.filter(guest_check=other).update(guest_check=into)
    now = timezone.now()
    other.status, other.closed_at, other.merged_into = Check.Status.CLOSED, now, into
    other = check_recalculate(guest_check=other)
    into = check_recalculate(guest_check=into)
    if into.paid_at is not None:
        check_settle(into, None)
    if (
        other.session_id
        and other.session_id != into.session_id
        and not Check.objects.filter(session_id=other.session_id, status__in=Check.OPEN_STATUSES).exists()
    ):
        table_session_close(session=other.session)
    audit_record(store=into.store, action="check_merged", actor=by, target=into, data={"merged": other.pk})
    return into


@transaction.atomic
def check_move(*, guest_check: Check, table: Table, by=None) -> Check:
    """Moves a party's check to another (free) table; the old table's session ends with it."""
    check = check_locked(guest_check)
    check_require_settleable(check)
    if table.store_id != check.store_id or not table.is_active:
        raise DomainError("table", "unknown_table", _("No such table in this store."))
    if table.pk == check.table_id:
        return check
    target_session = table_session_open(table=table, by=by)
    if Check.objects.filter(session=target_session, status__in=Check.OPEN_STATUSES).exists():
        raise DomainError(
            "table",
            "table_busy",
            _("That table has an open check: merge the checks instead."),
        )
    old_session = check.session
    check.table, check.session, check.service_type = table, target_session, Order.ServiceType.DINE_IN
    check.save(update_fields=["table", "session", "service_type", "updated_at"])
    if (
        old_session is not None
        and not Check.objects.filter(session=old_session, status__in=Check.OPEN_STATUSES).exists()
    ):
        table_session_close(session=old_session)
    return check_recalculate(guest_check=check)


@transaction.atomic
def check_close(*, guest_check: Check, by=None) -> Check:
    """Files a paid check away (the Z report closes the rest of its drawer's paid checks)."""
    check = check_locked(guest_check)
    if check.status == Check.Status.CLOSED:
        return check
    nothing_due = check.status == Check.Status.OPEN and check.total == 0 and check.paid_total == 0
    if check.status != Check.Status.PAID and not nothing_due:
        raise DomainError("check", "not_paid", _("Only a paid check can be closed."))
    check.status, check.closed_at = Check.Status.CLOSED, timezone.now()
    if nothing_due and check.lines.exists():  # all comped: it still gets its receipt and frees the table
        check.paid_at = check.closed_at
        check.save(update_fields=["status", "closed_at", "paid_at", "updated_at"])
        check_settle(check, None)
    check.save(update_fields=["status", "closed_at", "paid_at", "updated_at"])
    events.check_closed.send(sender=Check, guest_check=check)
    return check
