"""The staffing requirements the analysis jobs write in, and applying a staffing suggestion."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_range_bounds

from ..models import Position, Shift, StaffingRequirement, StaffMember
from ..selectors import StaffingSuggestion
from .shifts import check_max_hours, open_shift_publish, shift_create, staff_lock, week_monday


def staffing_requirements_replace(
    store: Store, week_start: dt.date, rows: Iterable[Mapping], *, computed_at: dt.datetime | None = None
) -> int:
    """Replaces the store's requirements for the week (Monday, business days) with `rows`.

    Each row is a mapping: {"position": Position or id, "hour_start": aware datetime on the hour,
    "needed_staff": int >= 0, "forecast_load": Decimal}. All rows are checked first; nothing is
    written when one is bad (DomainErrors with paths rows[i].<field>). Returns the number written.
    Re-running it with the same rows gives the same table (idempotent)."""
    with transaction.atomic():
        week_start = week_monday(week_start)
        lower, upper = business_range_bounds(store, week_start, week_start + dt.timedelta(days=6))
        positions = {p.pk: p for p in Position.objects.filter(store=store)}
        computed_at = computed_at or timezone.now()
        errors, objects, seen = [], [], set()
        for index, row in enumerate(rows):
            position = row.get("position")
            position_id = position.pk if isinstance(position, Position) else position
            hour = row.get("hour_start")
            needed = row.get("needed_staff")
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
                    DomainError(f"rows[{index}].hour_start", "repeated", _("This hour is given twice."))
                )
            elif not isinstance(needed, int) or isinstance(needed, bool) or not 0 <= needed <= 1000:
                errors.append(
                    DomainError(f"rows[{index}].needed_staff", "invalid", _("A whole number, 0 or more."))
                )
            else:
                try:  # a Decimal or an int (the analysis computed it); a string is a TypeError
                    load = check_decimal(
                        row.get("forecast_load", 0),
                        f"rows[{index}].forecast_load",
                        error=("invalid", _("A number, 0 or more.")),
                    )
                except DomainError as error:
                    errors.append(error)
                    continue
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


def _suggestion_position(suggestion: StaffingSuggestion, store_id: int) -> Position:
    if suggestion.kind != StaffingSuggestion.GAP:
        raise DomainError("suggestion", "not_a_gap", _("Only a suggestion to add staff can be applied."))
    position = Position.objects.filter(store_id=store_id, pk=suggestion.position_id).first()
    if position is None or suggestion.store_id != store_id:
        raise DomainError("suggestion", "not_found", _("This suggestion is not for this store."))
    return position


@transaction.atomic
def suggestion_apply(
    *, suggestion: StaffingSuggestion, staff: StaffMember, reason: str = "", by=None
) -> Shift:
    """Applies a gap suggestion (see selectors.staffing_suggestions): one shift for `staff` over the
    suggestion's hours, through shift_create and so under every conflict rule, and within the
    person's maximum weekly hours. For a suggestion of `count` > 1 people, apply it once per person."""
    position = _suggestion_position(suggestion, staff.store_id)
    staff = staff_lock(staff)
    check_max_hours(staff=staff, start=suggestion.start, end=suggestion.end)
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


@transaction.atomic
def suggestion_publish_open(
    *, suggestion: StaffingSuggestion, store: Store, reason: str = "", by=None
) -> Shift:
    """A gap suggestion nobody can take now, published as an open shift over its hours."""
    position = _suggestion_position(suggestion, store.pk)
    return open_shift_publish(
        store=store,
        position=position,
        start=suggestion.start,
        end=suggestion.end,
        reason=reason,
        source=Shift.Source.SUGGESTION,
        by=by,
    )
