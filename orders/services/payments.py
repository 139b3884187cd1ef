"""Payments and refunds towards a check."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.services import acting_user, audit_record
from restaurant_ops.timeutils import business_date

from .. import events
from ..models import Check, Order, OrderLine, Payment, RefundLine, Register
from .checks import check_locked, check_recalculate, check_require_settleable, check_settle
from .drawers import drawer_current
from .orders import MAX_LINES
from .pricing import amount_checked, line_charged, money
from .rollup import sales_rollup_refunded


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
    check = check_locked(guest_check)
    check_require_settleable(check)
    if method not in Payment.Method.values:
        raise DomainError("method", "invalid", _("Method must be cash, card or mobile."))
    amount = amount_checked(amount, "amount")
    tip = amount_checked(tip, "tip", allow_zero=True)
    if amount > check.balance:
        raise DomainError(
            "amount", "exceeds_balance", _("Only %(balance)s is left to pay.") % {"balance": check.balance}
        )
    change = Decimal("0")
    if method == Payment.Method.CASH:
        tendered = amount + tip if tendered is None else amount_checked(tendered, "tendered")
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
            raise DomainError("register", "not_found", _("No such register in this store."))
        drawer = drawer_current(register=register)
        if drawer is None and method == Payment.Method.CASH:
            raise DomainError(
                "register",
                "drawer_closed",
                _("Open the cash drawer (count the float) before taking cash."),
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
        taken_by=acting_user(by),
        created_at=now,
        business_date=business_date(check.store, now),
    )
    was_paid = check.paid_at is not None
    check = check_recalculate(guest_check=check)
    if check.paid_at is not None and not was_paid:
        check_settle(check, drawer)
    return payment


@dataclass
class LineRefund:
    """One line of a refund by line: how many of an order line to give back."""

    line_id: int
    quantity: int = 1


@transaction.atomic
def payment_refund(
    *,
    payment: Payment,
    reason: str,
    amount=None,
    lines: list[LineRefund] | None = None,
    by=None,
    approved_by=None,
    register: Register | None = None,
) -> Payment:
    """Money back, by the method it came in: a negative payment, with reason and approval audited.
    Either an amount, or lines: so many of each line, refunded at what the guest paid for them
    (`line_charged`). A refund by line also tells the kitchen and inventory (`order_lines_refunded`):
    unmade food leaves its ticket and goes back into stock, food already started is recorded as waste."""
    original = Payment.objects.select_for_update().get(pk=payment.pk)
    check = check_locked(original.guest_check)
    if original.kind != Payment.Kind.PAYMENT:
        raise DomainError("payment", "not_refundable", _("A refund cannot be refunded."))
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the money is returned."))
    if (amount is None) == (lines is None):
        raise DomainError("amount", "one_of", _("Refund either an amount or items."))
    refunded = _refund_lines_validate(check, lines) if lines is not None else []
    amount = sum((share for _l, _q, share in refunded), Decimal("0")) if lines is not None else amount
    amount = amount_checked(amount, "amount")
    already = -(original.refunds.aggregate(s=models.Sum("amount", default=Decimal("0")))["s"])
    if amount > original.amount - already:
        raise DomainError(
            "lines" if lines is not None else "amount",
            "exceeds_payment",
            _("At most %(left)s of this payment can be refunded.") % {"left": original.amount - already},
        )
    register = register or original.register
    drawer = drawer_current(register=register) if register is not None else None
    if original.method == Payment.Method.CASH and register is not None and drawer is None:
        raise DomainError("register", "drawer_closed", _("Open the cash drawer to give cash back."))
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
        taken_by=acting_user(by),
        approved_by=approved_by,
        created_at=now,
        business_date=business_date(check.store, now),
    )
    RefundLine.objects.bulk_create(
        [RefundLine(refund=refund, line=line, quantity=q, amount=share) for line, q, share in refunded]
    )
    check = check_recalculate(guest_check=check)
    sales_rollup_refunded(
        store=check.store,
        refund=refund,
        lines=[(line, q) for line, q, _s in refunded],
        check_total=check.total,
    )
    audit_record(
        store=check.store,
        action="refund",
        actor=by,
        approved_by=approved_by,
        reason=reason.strip(),
        target=refund,
        data={
            "check": check.pk,
            "amount": str(amount),
            "method": original.method,
            "lines": [{"line": line.pk, "item": line.name, "quantity": q} for line, q, _s in refunded],
        },
    )
    if refunded:
        events.order_lines_refunded.send(
            sender=Payment, refund=refund, lines=[(line, q) for line, q, _s in refunded]
        )
    events.payment_refunded.send(sender=Payment, refund=refund)
    return refund


def _refund_lines_validate(check: Check, requests: list[LineRefund]) -> list[tuple[OrderLine, int, Decimal]]:
    """Each requested line with its quantity and the money it returns; every problem reported at
    once, by field path (lines[i].line, lines[i].quantity)."""
    if not requests:
        raise DomainError("lines", "empty", _("Choose the items to refund."))
    if len(requests) > MAX_LINES:
        raise DomainError("lines", "too_many", _("A refund has at most %(n)d lines.") % {"n": MAX_LINES})
    ids = [r.line_id for r in requests if isinstance(r.line_id, int)]
    lines = {
        line.pk: line
        for line in OrderLine.objects.select_for_update(of=("self",))
        .filter(guest_check=check, pk__in=ids, voided_at__isnull=True)
        .exclude(order__status=Order.Status.CANCELLED)
        .select_related("order")
    }
    done = {
        row["line_id"]: (row["quantity"], row["amount"])
        for row in RefundLine.objects.filter(line_id__in=lines)
        .values("line_id")
        .annotate(quantity=models.Sum("quantity"), amount=models.Sum("amount"))
    }
    rate = (
        check.store.service_charge_rate if check.service_type == Order.ServiceType.DINE_IN else Decimal("0")
    )
    errors, seen, result = [], set(), []
    for index, request in enumerate(requests):
        path, line = f"lines[{index}]", lines.get(request.line_id)
        if line is None:
            errors.append(DomainError(f"{path}.line", "not_on_check", _("This item is not on the check.")))
            continue
        if line.pk in seen:
            errors.append(DomainError(f"{path}.line", "repeated", _("The same item was chosen twice.")))
            continue
        seen.add(line.pk)
        charged = line_charged(line=line, service_charge_rate=rate)
        if charged <= 0:
            errors.append(DomainError(f"{path}.line", "not_charged", _("This item was not charged.")))
            continue
        done_quantity, done_amount = done.get(line.pk, (0, Decimal("0")))
        left = line.quantity - done_quantity
        if not isinstance(request.quantity, int) or not 1 <= request.quantity <= left:
            errors.append(
                DomainError(
                    f"{path}.quantity",
                    "out_of_range",
                    _("%(item)s: refund a whole number from 1 to %(left)d.")
                    % {"item": line.name, "left": left}
                    if left
                    else _("%(item)s is already refunded.") % {"item": line.name},
                )
            )
            continue
        # Shares rounded on the running total: refunding a line in parts returns exactly its charge.
        share = money(charged * (done_quantity + request.quantity) / line.quantity) - done_amount
        result.append((line, request.quantity, share))
    if errors:
        raise DomainErrors(errors)
    return result
