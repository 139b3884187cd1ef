"""Registers and the cash drawer: open with a float, the Z report on close."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user, audit_record

from ..models import CashDrawerSession, Check, Register
from ..selectors import drawer_report
from .pricing import amount_checked


def drawer_current(*, register: Register) -> CashDrawerSession | None:
    return CashDrawerSession.objects.filter(register=register, closed_at__isnull=True).first()


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
        raise DomainError("register", "drawer_open", _("This register's drawer is already open."))
    opening_float = amount_checked(opening_float, "opening_float", allow_zero=True)
    drawer = CashDrawerSession.objects.create(
        store_id=register.store_id,
        register=register,
        opening_float=opening_float,
        opened_by=acting_user(by),
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
    drawer = (
        CashDrawerSession.objects.select_for_update().select_related("register", "store").get(pk=drawer.pk)
    )
    if drawer.closed_at is not None:
        raise DomainError("drawer", "closed", _("This drawer is already closed."))
    counted = amount_checked(counted_cash, "counted_cash", allow_zero=True)
    now = timezone.now()
    report = drawer_report(drawer=drawer, counted_cash=counted)
    report["closed_at"] = now.isoformat()
    drawer.closed_at, drawer.closed_by = now, acting_user(by)
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
