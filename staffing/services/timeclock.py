"""The time clock: clocking in and out."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.timeutils import business_date

from ..models import Position, Shift, StaffMember, TimeClockEntry
from .shifts import staff_lock


@transaction.atomic
def clock_in(
    *, staff: StaffMember, at: dt.datetime | None = None, position: Position | None = None
) -> TimeClockEntry:
    """Starts a time-clock entry. The position is the given one, else the shift's that the person is
    on (starting within the hour), else their first position."""
    staff = staff_lock(staff)
    at = at or timezone.now()
    if TimeClockEntry.objects.filter(staff=staff, clock_out__isnull=True).exists():
        raise DomainError(
            "staff",
            "already_clocked_in",
            _("%(name)s is already clocked in.") % {"name": staff.name},
        )
    shift = (
        Shift.objects.filter(staff=staff, start__lte=at + dt.timedelta(hours=1), end__gt=at)
        .order_by("start")
        .first()
    )
    if position is not None and not staff.positions.filter(pk=position.pk).exists():
        raise DomainError(
            "position",
            "not_qualified",
            _("%(name)s does not work as %(position)s.") % {"name": staff.name, "position": position.name},
        )
    position = position or (shift.position if shift else staff.positions.order_by("name").first())
    if position is None:
        raise DomainError("position", "required", _("%(name)s has no position yet.") % {"name": staff.name})
    return TimeClockEntry.objects.create(
        store=staff.store,
        staff=staff,
        position=position,
        shift=shift,
        clock_in=at,
        business_date=business_date(staff.store, at),
        hourly_cost=staff.hourly_cost,
    )


@transaction.atomic
def clock_out(*, staff: StaffMember, at: dt.datetime | None = None) -> TimeClockEntry:
    staff = staff_lock(staff)
    at = at or timezone.now()
    entry = TimeClockEntry.objects.filter(staff=staff, clock_out__isnull=True).first()
    if entry is None:
        raise DomainError(
            "staff",
            "not_clocked_in",
            _("%(name)s is not clocked in.") % {"name": staff.name},
        )
    if at < entry.clock_in:
        raise DomainError("at", "before_clock_in", _("Clock-out cannot be before clock-in."))
    entry.clock_out = at
    entry.minutes = int((at - entry.clock_in).total_seconds() // 60)
    entry.save(update_fields=["clock_out", "minutes", "updated_at"])
    return entry
