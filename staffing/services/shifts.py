"""Shifts under the conflict rules, and the week's copy and publication.

Every refusal is a `DomainError(field, code, message)`; conflicts with other facts (another shift, a
day off, availability, opening hours) answer 409, malformed requests 400, another store's rows 404.

Conflict rules, checked in this order by `shift_create` and `shift_move`:
  overlap                  the person already has a shift here that overlaps       (field "start")
  double_booked            the same user has an overlapping shift at another store  (field "staff")
  day_off                  the shift's business day is in one of the person's days off (field "start")
  outside_availability     the shift is not inside the person's weekly availability   (field "start")
  outside_opening_hours    the shift is not inside the store's opening hours, and no reason was given
                           (field "reason"; opening spans may pass midnight; closed dates count as shut)
A suggested shift given to someone, and an open shift claimed, also keep the person within their
maximum weekly hours (`over_max_hours`, field "staff"); a manager's own shift does not (they decide).

An open shift is a shift with no one yet (`staff` empty): published from a staffing card when nobody
fits, it is claimed in My shifts by someone who holds the position (`open_shift_claim`).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import ClosedDate, Store
from restaurant_ops.services import acting_user, audit_record
from restaurant_ops.timeutils import business_date, local

from .. import events
from ..models import Availability, DaysOff, Position, Shift, StaffMember, WeekSchedule
from ..selectors import week_start_for

MAX_SHIFT = dt.timedelta(hours=16)


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
        raise DomainError("staff", "not_found", _("No such staff member in this store."))
    if not staff.is_active:
        raise DomainError("staff", "inactive", _("%(name)s is no longer active.") % {"name": staff.name})
    if position.store_id != store.pk:
        raise DomainError("position", "not_found", _("No such position in this store."))
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
            )


def check_max_hours(
    *, staff: StaffMember, start: dt.datetime, end: dt.datetime, exclude_pk: int | None = None
) -> None:
    """The person's scheduled hours in the shift's week plus the shift stay within their maximum."""
    if staff.max_weekly_hours is None:
        return
    week = week_start_for(business_date(staff.store, start))
    scheduled = (
        Shift.objects.filter(staff=staff, week_start=week)
        .exclude(pk=exclude_pk)
        .aggregate(m=Sum("minutes"))["m"]
        or 0
    )
    total = scheduled + int((end - start).total_seconds() // 60)
    if total > staff.max_weekly_hours * 60:
        raise DomainError(
            "staff",
            "over_max_hours",
            _("%(name)s would work %(hours)s h in the week of %(week)s, over their maximum of %(max)s h.")
            % {
                "name": staff.name,
                "hours": f"{(Decimal(total) / 60).quantize(Decimal('0.01')).normalize():f}",
                "week": week.isoformat(),
                "max": staff.max_weekly_hours,
            },
        )


def _fill(shift: Shift) -> None:
    shift.business_date = business_date(shift.store, shift.start)
    shift.week_start = week_start_for(shift.business_date)
    shift.minutes = int((shift.end - shift.start).total_seconds() // 60)


def staff_lock(staff: StaffMember) -> StaffMember:
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
    staff = staff_lock(staff)
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
        created_by=acting_user(by),
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
    if staff is None and shift.staff is None:
        raise DomainError("staff", "required", _("Choose who works."))
    staff = staff_lock(staff or shift.staff)
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
            data={
                "staff": shift.staff.name if shift.staff else "",
                "start": shift.start.isoformat(),
                "end": shift.end.isoformat(),
            },
        )
    shift.delete()


def week_monday(week_start: dt.date) -> dt.date:
    if not isinstance(week_start, dt.date) or week_start.weekday() != 0:
        raise DomainError("week", "not_monday", _("A week starts on a Monday."))
    return week_start


@transaction.atomic
def week_copy_previous(*, store: Store, week_start: dt.date, by=None) -> tuple[list[Shift], list[tuple]]:
    """Copies last week's shifts into this week at the same local times (open shifts are not copied:
    they were last week's call for help). Each copy passes the conflict rules; the ones refused are
    returned as (previous shift, DomainError) and skipped."""
    week_start = week_monday(week_start)
    previous = (
        Shift.objects.filter(store=store, week_start=week_start - dt.timedelta(days=7), staff__isnull=False)
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
    week_start = week_monday(week_start)
    if not Shift.objects.filter(store=store, week_start=week_start).exists():
        raise DomainError("week", "empty", _("This week has no shifts to publish."))
    week, _created = WeekSchedule.objects.select_for_update().get_or_create(
        store=store, week_start=week_start
    )
    if week.published_at is None:
        week.published_at = timezone.now()
        week.published_by = acting_user(by)
        week.save(update_fields=["published_at", "published_by"])
        events.week_published.send(sender=WeekSchedule, week=week)
    return week


# ---------------------------------------------------------------- open shifts


@transaction.atomic
def open_shift_publish(
    *,
    store: Store,
    position: Position,
    start: dt.datetime,
    end: dt.datetime,
    reason: str = "",
    source: str = Shift.Source.MANUAL,
    by=None,
) -> Shift:
    """A shift with no one yet, for someone who holds the position to claim in My shifts. Its cost is
    estimated at the average hourly cost of the active staff holding the position until it is claimed
    (then the claimer's)."""
    for field, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            raise DomainError(field, "invalid", _("Give a date and time with a time zone."))
    if end <= start:
        raise DomainError("end", "before_start", _("A shift must end after it starts."))
    if end - start > MAX_SHIFT:
        raise DomainError("end", "too_long", _("A shift is at most 16 hours long."))
    if position.store_id != store.pk:
        raise DomainError("position", "not_found", _("No such position in this store."))
    estimate = StaffMember.objects.filter(store=store, is_active=True, positions=position).aggregate(
        c=Avg("hourly_cost")
    )["c"]
    shift = Shift(
        store=store,
        staff=None,
        position=position,
        start=start,
        end=end,
        reason=(reason or "").strip(),
        source=source,
        hourly_cost=(estimate or Decimal("0")).quantize(Decimal("0.01")),
        created_by=acting_user(by),
    )
    _fill(shift)
    shift.save()
    return shift


@transaction.atomic
def open_shift_claim(*, shift: Shift, staff: StaffMember, by=None) -> Shift:
    """`staff` takes an open shift. The shift row is locked first, so of two people claiming it at once
    one gets it and the other a `taken` (409). The claimer must hold the position, be free, available
    and not on a day off then (the conflict rules), and stay within their maximum weekly hours."""
    locked = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("store", "position")
        .filter(pk=shift.pk)
        .first()
    )
    if locked is None or locked.store_id != staff.store_id:
        raise DomainError("shift", "not_found", _("No such shift in this store."))
    if locked.staff_id is not None:
        raise DomainError(
            "shift",
            "taken",
            _("Someone else has already taken this shift.")
            if locked.staff_id != staff.pk
            else _("You have already taken this shift."),
        )
    if locked.start <= timezone.now():
        raise DomainError("shift", "stale", _("This shift has already started."))
    staff = staff_lock(staff)
    _check_shift(
        store=locked.store,
        staff=staff,
        position=locked.position,
        start=locked.start,
        end=locked.end,
        reason=locked.reason,
        exclude_pk=locked.pk,
    )
    check_max_hours(staff=staff, start=locked.start, end=locked.end, exclude_pk=locked.pk)
    locked.staff = staff
    locked.hourly_cost = staff.hourly_cost
    locked.save(update_fields=["staff", "hourly_cost", "updated_at"])
    audit_record(
        store=locked.store,
        action="open_shift_claimed",
        actor=by,
        target=locked,
        data={"staff": staff.name, "start": locked.start.isoformat(), "end": locked.end.isoformat()},
    )
    return locked
