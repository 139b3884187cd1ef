"""The range every date, time and id a request may name lies in. Outside it a value is malformed
(400), whatever door it came through: PostgreSQL takes no UTC offset beyond ±15:59, Python's dates
end in year 9999, and no restaurant record is dated before 2000 or after 2100."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_OFFSET = dt.timedelta(hours=14)  # the widest real zone (Kiribati, UTC+14)
MAX_ID = 2**63 - 1


def check_date(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Give a date from %(first)s to %(last)s.") % {"first": EARLIEST, "last": LATEST},
            code="out_of_range",
        )
    return value


def check_datetime(value: dt.datetime) -> dt.datetime:
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValidationError(_("A UTC offset is at most ±14:00."), code="out_of_range")
    return check_date(value)


def check_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise ValidationError(_("No such id."), code="out_of_range")
    return value
