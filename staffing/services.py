"""Writes for staffing: staff and their availability, shifts under the conflict rules, the week's copy
and publication, the time clock, and the requirements the analysis jobs write in.

Every refusal is a `DomainError(field, code, message)`; conflicts with other facts (another shift, a
day off, availability, opening hours) answer 409, malformed requests 400, another store's rows 404.

Conflict rules, checked in this order by `shift_create` and `shift_move`:
  overlap                  the person already has a shift here that overlaps       (field "start")
  double_booked            the same user has an overlapping shift at another store  (field "staff")
  day_off                  the shift's business day is in one of the person's days off (field "start")
  outside_availability     the shift is not inside the person's weekly availability   (field "start")
  outside_opening_hours    the shift is not inside the store's opening hours, and no reason was given
                           (field "reason"; opening spans may pass midnight; closed dates count as shut)
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import ClosedDate, Store
from restaurant_ops.services import audit_record
from restaurant_ops.timeutils import business_date, business_range_bounds, local

from .models import (
    Availability,
    DaysOff,
    Position,
    Shift,
    StaffingRequirement,
    StaffMember,
    TimeClockEntry,
    WeekSchedule,
)
from .selectors import StaffingSuggestion, week_start_for

MAX_SHIFT = dt.timedelta(hours=16)
CONFLICT = 409


# ---------------------------------------------------------------- time windows


def _windows(store: Store, first: dt.date, last: dt.date, spans) -> list[tuple[dt.datetime, dt.datetime]]:
    """Aware [start, end) windows for weekly (weekday, start, end) spans on local dates first..last.
    An end at or before the start passes midnight."""
    out = []
    day = first
    while day <= last:
        for weekday, start, end in spans:
            if weekday != day.weekday():
                continue
            end_day = day + dt.timedelta(days=1) if end <= start else day
            out.append(
                (
                    dt.datetime.combine(day, start, tzinfo=store.tz),
                    dt.datetime.combine(end_day, end, tzinfo=store.tz),
                )
            )
        day += dt.timedelta(days=1)
    return sorted(out)


def _covered(start: dt.datetime, end: dt.datetime, windows) -> bool:
    """True when the union of `windows` covers [start, end) without a gap."""
    cursor = start
    for window_start, window_end in sorted(windows):
        if window_start > cursor:
            break
        cursor = max(cursor, window_end)
        if cursor >= end:
            return True
    return cursor >= end


def _hm(moment: dt.datetime, store: Store) -> str:
    return local(store, moment).strftime("%H:%M")


def _span_text(spans) -> str:
    return ", ".join(f"{s:%H:%M}–{e:%H:%M}" for _weekday, s, e in spans) or _("none")


# ---------------------------------------------------------------- conflict rules


def _check_shift(
    *,
    store: Store,
    staff: StaffMember,
    position: Position,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    exclude_pk: int | None = None,
) -> None:
    for field, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            raise DomainError(field, "invalid", _("Give a date and time with a time zone."))
    if end <= start:
        raise DomainError("end", "before_start", _("A shift must end after it starts."))
    if end - start > MAX_SHIFT:
        raise DomainError("end", "too_long", _("A shift is at most 16 hours long."))
    if staff.store_id != store.pk:
        raise DomainError("staff", "not_found", _("No such staff member in this store."), status_code=404)
    if not staff.is_active:
        raise DomainError("staff", "inactive", _("%(name)s is no longer active.") % {"name": staff.name})
    if position.store_id != store.pk:
        raise DomainError("position", "not_found", _("No such position in this store."), status_code=404)
    if not staff.positions.filter(pk=position.pk).exists():
        raise DomainError(
            "position",
            "not_qualified",
            _("%(name)s does not work as %(position)s.") % {"name": staff.name, "position": position.name},
        )

    others = Shift.objects.filter(start__lt=end, end__gt=start).exclude(pk=exclude_pk)
    clash = others.filter(staff=staff).select_related("position").first()
    if clash:
        raise DomainError(
            "start",
            "overlap",
            _("%(name)s already works %(start)s–%(end)s as %(position)s on %(day)s: shifts may not overlap.")
            % {
                "name": staff.name,
                "start": _hm(clash.start, store),
                "end": _hm(clash.end, store),
                "position": clash.position.name,
                "day": clash.business_date.isoformat(),
            },
            status_code=CONFLICT,
        )
    if staff.user_id:
        elsewhere = (
            others.filter(staff__user_id=staff.user_id).exclude(store=store).select_related("store").first()
        )
        if elsewhere:
            raise DomainError(
                "staff",
                "double_booked",
                _("%(name)s is already booked at %(store)s from %(start)s to %(end)s.")
                % {
                    "name": staff.name,
                    "store": elsewhere.store.name,
                    "start": _hm(elsewhere.start, store),
                    "end": _hm(elsewhere.end, store),
                },
                status_code=CONFLICT,
            )

    day = business_date(store, start)
    off = DaysOff.objects.filter(staff=staff, first_day__lte=day, last_day__gte=day).first()
    if off:
        raise DomainError(
            "start",
            "day_off",
            _("%(name)s has %(first)s to %(last)s off%(why)s.")
            % {
                "name": staff.name,
                "first": off.first_day.isoformat(),
                "last": off.last_day.isoformat(),
                "why": f" ({off.reason})" if off.reason else "",
            },
            status_code=CONFLICT,
        )

    first, last = local(store, start).date() - dt.timedelta(days=1), local(store, end).date()
    spans = list(Availability.objects.filter(staff=staff).values_list("weekday", "start", "end"))
    if spans and not _covered(start, end, _windows(store, first, last, spans)):
        weekday = local(store, start).weekday()
        raise DomainError(
            "start",
            "outside_availability",
            _("%(start)s–%(end)s is outside %(name)s's availability that day (%(spans)s).")
            % {
                "start": _hm(start, store),
                "end": _hm(end, store),
                "name": staff.name,
                "spans": _span_text([s for s in spans if s[0] == weekday]),
            },
            status_code=CONFLICT,
        )

    if not reason.strip():
        opening = list(store.opening_hours.values_list("weekday", "opens", "closes"))
        closed = set(
            ClosedDate.objects.filter(store=store, date__range=(first, last)).values_list("date", flat=True)
        )
        windows = [
            w for w in _windows(store, first, last, opening) if local(store, w[0]).date() not in closed
        ]
        if not _covered(start, end, windows):
            weekday = local(store, start).weekday()
            raise DomainError(
                "reason",
                "outside_opening_hours",
                _(
                    "%(start)s–%(end)s is outside opening hours (%(spans)s). "
                    "Give a reason to schedule it anyway."
                )
                % {
                    "start": _hm(start, store),
                    "end": _hm(end, store),
                    "spans": _span_text([s for s in opening if s[0] == weekday]),
                },
                status_code=CONFLICT,
            )


def _fill(shift: Shift) -> None:
    shift.business_date = business_date(shift.store, shift.start)
    shift.week_start = week_start_for(shift.business_date)
    shift.minutes = int((shift.end - shift.start).total_seconds() // 60)


def _lock(staff: StaffMember) -> StaffMember:
    """Serialises writes for one person, so two managers cannot double-book them at once."""
    return StaffMember.objects.select_for_update().get(pk=staff.pk)


# ---------------------------------------------------------------- shifts


@transaction.atomic
def shift_create(
    *,
    store: Store,
    staff: StaffMember,
    position: Position,
    start: dt.datetime,
    end: dt.datetime,
    reason: str = "",
    source: str = Shift.Source.MANUAL,
    by=None,
) -> Shift:
    staff = _lock(staff)
    reason = (reason or "").strip()
    _check_shift(store=store, staff=staff, position=position, start=start, end=end, reason=reason)
    shift = Shift(
        store=store,
        staff=staff,
        position=position,
        start=start,
        end=end,
        reason=reason,
        source=source,
        hourly_cost=staff.hourly_cost,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    _fill(shift)
    shift.save()
    return shift


@transaction.atomic
def shift_move(
    *,
    shift: Shift,
    start: dt.datetime,
    end: dt.datetime,
    reason: str | None = None,
    staff: StaffMember | None = None,
    position: Position | None = None,
    by=None,
) -> Shift:
    """Changes a shift's times (and optionally its person, position or reason) under the same rules."""
    staff = _lock(staff or shift.staff)
    position = position or shift.position
    reason = shift.reason if reason is None else reason.strip()
    _check_shift(
        store=shift.store,
        staff=staff,
        position=position,
        start=start,
        end=end,
        reason=reason,
        exclude_pk=shift.pk,
    )
    if staff.pk != shift.staff_id:
        shift.hourly_cost = staff.hourly_cost
    shift.staff, shift.position, shift.start, shift.end, shift.reason = staff, position, start, end, reason
    _fill(shift)
    shift.save()
    return shift


@transaction.atomic
def shift_delete(*, shift: Shift, by=None) -> None:
    published = WeekSchedule.objects.filter(
        store=shift.store, week_start=shift.week_start, published_at__isnull=False
    ).exists()
    if published:
        audit_record(
            store=shift.store,
            action="shift_deleted",
            actor=by,
            target=shift,
            data={"staff": shift.staff.name, "start": shift.start.isoformat(), "end": shift.end.isoformat()},
        )
    shift.delete()


def _monday(week_start: dt.date) -> dt.date:
    if not isinstance(week_start, dt.date) or week_start.weekday() != 0:
        raise DomainError("week", "not_monday", _("A week starts on a Monday."))
    return week_start


@transaction.atomic
def week_copy_previous(*, store: Store, week_start: dt.date, by=None) -> tuple[list[Shift], list[tuple]]:
    """Copies last week's shifts into this week at the same local times. Each copy passes the
    conflict rules; the ones refused are returned as (previous shift, DomainError) and skipped."""
    week_start = _monday(week_start)
    previous = (
        Shift.objects.filter(store=store, week_start=week_start - dt.timedelta(days=7))
        .select_related("staff", "position")
        .order_by("start")
    )
    created, skipped = [], []
    for old in previous:
        start_local, end_local = local(store, old.start), local(store, old.end)
        start = dt.datetime.combine(
            start_local.date() + dt.timedelta(days=7), start_local.time(), tzinfo=store.tz
        )
        end = dt.datetime.combine(end_local.date() + dt.timedelta(days=7), end_local.time(), tzinfo=store.tz)
        try:
            created.append(
                shift_create(
                    store=store,
                    staff=old.staff,
                    position=old.position,
                    start=start,
                    end=end,
                    reason=old.reason,
                    source=old.source,
                    by=by,
                )
            )
        except DomainError as error:
            skipped.append((old, error))
    return created, skipped


@transaction.atomic
def week_publish(*, store: Store, week_start: dt.date, by=None) -> WeekSchedule:
    """Publishes the week: its staff see their shifts on the "my shifts" page."""
    week_start = _monday(week_start)
    if not Shift.objects.filter(store=store, week_start=week_start).exists():
        raise DomainError("week", "empty", _("This week has no shifts to publish."))
    week, _created = WeekSchedule.objects.select_for_update().get_or_create(
        store=store, week_start=week_start
    )
    if week.published_at is None:
        week.published_at = timezone.now()
        week.published_by = by if by is not None and by.is_authenticated else None
        week.save(update_fields=["published_at", "published_by"])
    return week


# ---------------------------------------------------------------- time clock


@transaction.atomic
def clock_in(
    *, staff: StaffMember, at: dt.datetime | None = None, position: Position | None = None
) -> TimeClockEntry:
    """Starts a time-clock entry. The position is the given one, else the shift's that the person is
    on (starting within the hour), else their first position."""
    staff = _lock(staff)
    at = at or timezone.now()
    if TimeClockEntry.objects.filter(staff=staff, clock_out__isnull=True).exists():
        raise DomainError(
            "staff",
            "already_clocked_in",
            _("%(name)s is already clocked in.") % {"name": staff.name},
            status_code=CONFLICT,
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
    staff = _lock(staff)
    at = at or timezone.now()
    entry = TimeClockEntry.objects.filter(staff=staff, clock_out__isnull=True).first()
    if entry is None:
        raise DomainError(
            "staff",
            "not_clocked_in",
            _("%(name)s is not clocked in.") % {"name": staff.name},
            status_code=CONFLICT,
        )
    if at < entry.clock_in:
        raise DomainError("at", "before_clock_in", _("Clock-out cannot be before clock-in."))
    entry.clock_out = at
    entry.minutes = int((at - entry.clock_in).total_seconds() // 60)
    entry.save(update_fields=["clock_out", "minutes", "updated_at"])
    return entry


# ---------------------------------------------------------------- staff, availability


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(field, "invalid", _("Give an amount such as 14.50."))
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1000000"):
        raise DomainError(field, "invalid", _("Give an amount such as 14.50."))
    return amount.quantize(Decimal("0.01"))


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
    return Position.objects.create(
        store=store,
        name=name.strip(),
        load_kind=load_kind,
        productivity_target=productivity_target,
        min_staff_per_open_hour=min_staff_per_open_hour,
    )


@transaction.atomic
def staff_member_create(
    *, store: Store, name: str, hourly_cost, positions: Iterable[Position] = (), user=None
) -> StaffMember:
    if not name.strip():
        raise DomainError("name", "required", _("Give a name."))
    cost = _money(hourly_cost, "hourly_cost")
    positions = _positions_of(store, positions)
    if user is not None and StaffMember.objects.filter(store=store, user=user).exists():
        raise DomainError("user", "unique", _("This user already has a staff profile here."))
    staff = StaffMember.objects.create(store=store, name=name.strip(), hourly_cost=cost, user=user)
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
) -> StaffMember:
    """Changes a profile. A new hourly cost applies to shifts created or given to them from now on."""
    if name is not None:
        if not name.strip():
            raise DomainError("name", "required", _("Give a name."))
        staff.name = name.strip()
    if hourly_cost is not None:
        staff.hourly_cost = _money(hourly_cost, "hourly_cost")
    if is_active is not None:
        staff.is_active = is_active
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


# ---------------------------------------------------------------- requirements (written by analytics)


def staffing_requirements_replace(
    store: Store, week_start: dt.date, rows: Iterable[Mapping], *, computed_at: dt.datetime | None = None
) -> int:
    """Replaces the store's requirements for the week (Monday, business days) with `rows`.

    Each row is a mapping: {"position": Position or id, "hour_start": aware datetime on the hour,
    "needed_staff": int >= 0, "forecast_load": Decimal}. All rows are checked first; nothing is
    written when one is bad (DomainErrors with paths rows[i].<field>). Returns the number written.
    Re-running it with the same rows gives the same table (idempotent)."""
    with transaction.atomic():
        week_start = _monday(week_start)
        lower, upper = business_range_bounds(store, week_start, week_start + dt.timedelta(days=6))
        positions = {p.pk: p for p in Position.objects.filter(store=store)}
        computed_at = computed_at or timezone.now()
        errors, objects, seen = [], [], set()
        for index, row in enumerate(rows):
            position = row.get("position")
            position_id = position.pk if isinstance(position, Position) else position
            hour = row.get("hour_start")
            needed = row.get("needed_staff")
            try:
                load = Decimal(str(row.get("forecast_load", 0)))
            except (InvalidOperation, ValueError):
                load = None
            if position_id not in positions:
                errors.append(
                    DomainError(f"rows[{index}].position", "not_found", _("No such position in this store."))
                )
            elif (
                not isinstance(hour, dt.datetime)
                or timezone.is_naive(hour)
                or not (lower <= hour < upper)
                or hour.minute
                or hour.second
                or hour.microsecond
            ):
                errors.append(
                    DomainError(
                        f"rows[{index}].hour_start",
                        "invalid",
                        _("An aware datetime on the hour, inside the week."),
                    )
                )
            elif (position_id, hour) in seen:
                errors.append(
                    DomainError(f"rows[{index}].hour_start", "duplicate", _("This hour is given twice."))
                )
            elif not isinstance(needed, int) or isinstance(needed, bool) or not 0 <= needed <= 1000:
                errors.append(
                    DomainError(f"rows[{index}].needed_staff", "invalid", _("A whole number, 0 or more."))
                )
            elif load is None or not load.is_finite() or load < 0:
                errors.append(
                    DomainError(f"rows[{index}].forecast_load", "invalid", _("A number, 0 or more."))
                )
            else:
                seen.add((position_id, hour))
                objects.append(
                    StaffingRequirement(
                        store=store,
                        position=positions[position_id],
                        hour_start=hour,
                        needed_staff=needed,
                        forecast_load=load.quantize(Decimal("0.01")),
                        computed_at=computed_at,
                    )
                )
        if errors:
            raise DomainErrors(errors)
        StaffingRequirement.objects.filter(store=store, hour_start__gte=lower, hour_start__lt=upper).delete()
        StaffingRequirement.objects.bulk_create(objects)
        return len(objects)


@transaction.atomic
def suggestion_apply(
    *, suggestion: StaffingSuggestion, staff: StaffMember, reason: str = "", by=None
) -> Shift:
    """Applies a gap suggestion (see selectors.staffing_suggestions): one shift for `staff` over the
    suggestion's hours, through shift_create and so under every conflict rule. For a suggestion of
    `count` > 1 people, apply it once per person."""
    if suggestion.kind != StaffingSuggestion.GAP:
        raise DomainError("suggestion", "not_a_gap", _("Only a suggestion to add staff can be applied."))
    position = Position.objects.filter(store_id=staff.store_id, pk=suggestion.position_id).first()
    if position is None or suggestion.store_id != staff.store_id:
        raise DomainError(
            "suggestion", "not_found", _("This suggestion is not for this store."), status_code=404
        )
    return shift_create(
        store=staff.store,
        staff=staff,
        position=position,
        start=suggestion.start,
        end=suggestion.end,
        reason=reason,
        source=Shift.Source.SUGGESTION,
        by=by,
    )
