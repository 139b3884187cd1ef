"""Writes for staffing, one module per area; every public name is importable from here: shifts under
the conflict rules (see `shifts`) and the week's copy and publication, the time clock, staff and their
availability, and the requirements the analysis jobs write in."""

from .requirements import staffing_requirements_replace, suggestion_apply, suggestion_publish_open
from .shifts import (
    MAX_SHIFT,
    check_max_hours,
    open_shift_claim,
    open_shift_publish,
    shift_create,
    shift_delete,
    shift_move,
    week_copy_previous,
    week_publish,
)
from .staff import (
    availability_add,
    availability_delete,
    days_off_add,
    position_create,
    position_delete,
    position_update,
    staff_invite,
    staff_member_create,
    staff_member_link_user,
    staff_member_update,
)
from .timeclock import clock_in, clock_out

__all__ = [
    "MAX_SHIFT",
    "availability_add",
    "check_max_hours",
    "availability_delete",
    "clock_in",
    "clock_out",
    "days_off_add",
    "open_shift_claim",
    "open_shift_publish",
    "position_create",
    "position_delete",
    "position_update",
    "shift_create",
    "shift_delete",
    "shift_move",
    "staff_invite",
    "staff_member_create",
    "staff_member_link_user",
    "staff_member_update",
    "staffing_requirements_replace",
    "suggestion_apply",
    "suggestion_publish_open",
    "week_copy_previous",
    "week_publish",
]
