"""Staff, positions, availability and days off."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Invitation, Membership, Store
from restaurant_ops.services import audit_record, invitation_create

from ..models import Availability, DaysOff, Position, StaffMember


def _hourly_cost(value: Decimal | int) -> Decimal:
    """An hour's cost (a Decimal: the serializer or the form parsed it), from 0 to 999999.99, to the cent."""
    return check_decimal(
        value, "hourly_cost", below=Decimal("1000000"), error=("invalid", _("Give an amount such as 14.50."))
    ).quantize(Decimal("0.01"))


def _positions_of(store: Store, positions: Iterable[Position]) -> list[Position]:
    positions = list(positions)
    for index, position in enumerate(positions):
        if position.store_id != store.pk:
            raise DomainError(f"positions[{index}]", "not_found", _("No such position in this store."))
    return positions


@transaction.atomic
def position_create(
    *,
    store: Store,
    name: str,
    load_kind: str = Position.LoadKind.ORDERS,
    productivity_target: Decimal | None = None,
    min_staff_per_open_hour: int = 0,
) -> Position:
    if not name.strip():
        raise DomainError("name", "required", _("Give the position a name."))
    if Position.objects.filter(store=store, name__iexact=name.strip()).exists():
        raise DomainError("name", "unique", _("This store already has that position."))
    _position_targets(load_kind, productivity_target, min_staff_per_open_hour)
    return Position.objects.create(
        store=store,
        name=name.strip(),
        load_kind=load_kind,
        productivity_target=productivity_target,
        min_staff_per_open_hour=min_staff_per_open_hour,
    )


def _position_targets(load_kind, productivity_target, min_staff_per_open_hour) -> None:
    if load_kind not in Position.LoadKind.values:
        raise DomainError("load_kind", "invalid_choice", _("Load is measured in orders or kitchen items."))
    if productivity_target is not None and not (Decimal("0.01") <= productivity_target < Decimal("100000")):
        raise DomainError(
            "productivity_target", "out_of_range", _("A target is from 0.01 to 99999.99 per hour.")
        )
    if not 0 <= min_staff_per_open_hour <= 100:
        raise DomainError("min_staff_per_open_hour", "out_of_range", _("A minimum is 0 to 100 people."))


@transaction.atomic
def position_update(*, position: Position, **fields) -> Position:
    """A position's name and targets (what the staffing plan needs per hour: the load kind, the load one
    person handles per hour, the minimum on duty while open)."""
    allowed = {"name", "load_kind", "productivity_target", "min_staff_per_open_hour"}
    if set(fields) - allowed:
        raise DomainError(sorted(set(fields) - allowed)[0], "unknown_field", _("Unknown field."))
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise DomainError("name", "required", _("Give the position a name."))
        if (
            Position.objects.filter(store_id=position.store_id, name__iexact=name)
            .exclude(pk=position.pk)
            .exists()
        ):
            raise DomainError("name", "unique", _("This store already has that position."))
        fields["name"] = name
    for name, value in fields.items():
        setattr(position, name, value)
    _position_targets(position.load_kind, position.productivity_target, position.min_staff_per_open_hour)
    position.save()
    return position


@transaction.atomic
def position_delete(*, position: Position) -> None:
    """A position nobody worked or was scheduled in goes (with its staffing requirements); one with
    shifts or clocked time stays (409)."""
    if position.shifts.exists() or position.time_clock_entries.exists():
        raise DomainError("position", "in_use", _("Shifts or clocked time use this position; keep it."))
    position.delete()


def _max_hours(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise DomainError(
            "max_weekly_hours", "invalid", _("Give whole hours from 1 to 168, or leave it empty.")
        )
    if not 1 <= hours <= 168:
        raise DomainError(
            "max_weekly_hours", "invalid", _("Give whole hours from 1 to 168, or leave it empty.")
        )
    return hours


UNCHANGED = object()


@transaction.atomic
def staff_member_create(
    *,
    store: Store,
    name: str,
    hourly_cost,
    positions: Iterable[Position] = (),
    user=None,
    max_weekly_hours: int | None = None,
) -> StaffMember:
    if not name.strip():
        raise DomainError("name", "required", _("Give a name."))
    cost = _hourly_cost(hourly_cost)
    positions = _positions_of(store, positions)
    if user is not None and StaffMember.objects.filter(store=store, user=user).exists():
        raise DomainError("user", "unique", _("This user already has a staff profile here."))
    staff = StaffMember.objects.create(
        store=store,
        name=name.strip(),
        hourly_cost=cost,
        user=user,
        max_weekly_hours=_max_hours(max_weekly_hours),
    )
    staff.positions.set(positions)
    return staff


@transaction.atomic
def staff_member_update(
    *,
    staff: StaffMember,
    name: str | None = None,
    hourly_cost=None,
    positions: Iterable[Position] | None = None,
    is_active: bool | None = None,
    max_weekly_hours=UNCHANGED,
    by=None,
) -> StaffMember:
    """Changes a profile. A new hourly cost applies to shifts created or given to them from now on;
    it is audited, since it moves the labour share of sales the owner reads. `max_weekly_hours` None
    removes the limit (left out: unchanged)."""
    if name is not None:
        if not name.strip():
            raise DomainError("name", "required", _("Give a name."))
        staff.name = name.strip()
    if hourly_cost is not None:
        old, new = staff.hourly_cost, _hourly_cost(hourly_cost)
        if new != old:
            staff.hourly_cost = new
            audit_record(
                store=staff.store,
                action="staff_hourly_cost_changed",
                actor=by,
                target=staff,
                data={"old": str(old), "new": str(new)},
            )
    if is_active is not None:
        staff.is_active = is_active
    if max_weekly_hours is not UNCHANGED:
        staff.max_weekly_hours = _max_hours(max_weekly_hours)
    staff.save()
    if positions is not None:
        staff.positions.set(_positions_of(staff.store, positions))
    return staff


@transaction.atomic
def availability_add(*, staff: StaffMember, weekday: int, start: dt.time, end: dt.time) -> Availability:
    if weekday not in range(7):
        raise DomainError("weekday", "invalid", _("Weekday is 0 (Monday) to 6 (Sunday)."))
    if start == end:
        raise DomainError("end", "empty", _("Availability must not start and end at the same time."))
    return Availability.objects.create(staff=staff, weekday=weekday, start=start, end=end)


@transaction.atomic
def availability_delete(*, availability: Availability) -> None:
    availability.delete()


@transaction.atomic
def days_off_add(*, staff: StaffMember, first_day: dt.date, last_day: dt.date, reason: str = "") -> DaysOff:
    if last_day < first_day:
        raise DomainError("last_day", "before_first", _("The last day off cannot be before the first."))
    return DaysOff.objects.create(staff=staff, first_day=first_day, last_day=last_day, reason=reason.strip())


@transaction.atomic
def staff_invite(*, store: Store, name: str, role: str, hourly_cost, by) -> StaffMember:
    """A staff profile (what an hour of theirs costs) and the invitation link they join with, in the
    role given; accepting the link gives the profile its user (`staff_member_link_user`)."""
    staff = staff_member_create(store=store, name=name, hourly_cost=hourly_cost)
    staff.invitation = invitation_create(store=store, role=role, name=staff.name, created_by=by)
    staff.save(update_fields=["invitation", "updated_at"])
    return staff


def staff_member_link_user(*, invitation: Invitation, membership: Membership) -> None:
    """Receiver of restaurant_ops' invitation_accepted: the invited profile now belongs to the user."""
    StaffMember.objects.filter(invitation=invitation, user__isnull=True).update(user=membership.user)
