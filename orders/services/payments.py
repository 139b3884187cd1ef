"""Payments and refunds towards a check."""

from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.services import audit_record
from restaurant_ops.timeutils import business_date

from ..models import Check, Payment, Register
from .checks import check_locked, check_recalculate, check_require_settleable, check_settle
from .drawers import drawer_current
from .pricing import money_arg


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
    amount = money_arg(amount, "amount")
    tip = money_arg(tip or 0, "tip", allow_zero=True)
    if amount > check.balance:
        raise DomainError(
            "amount", "exceeds_balance", _("Only %(balance)s is left to pay.") % {"balance": check.balance}
        )
    change = Decimal("0")
    if method == Payment.Method.CASH:
        tendered = amount + tip if tendered in (None, "") else money_arg(tendered, "tendered")
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
        check_settle(check, drawer)
    return payment


@transaction.atomic
def payment_refund(
    *, payment: Payment, amount, reason: str, by=None, approved_by=None, register: Register | None = None
) -> Payment:
    """Money back, by the method it came in: a negative payment, with reason and approval audited."""
    original = Payment.objects.select_for_update().get(pk=payment.pk)
    check = check_locked(original.guest_check)
    if original.kind != Payment.Kind.PAYMENT:
        raise DomainError("payment", "not_refundable", _("A refund cannot be refunded."))
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why the money is returned."))
    amount = money_arg(amount, "amount")
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
