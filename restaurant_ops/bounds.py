"""The range every date, time and id a request may name lies in. Outside it a value is malformed
(400), whatever door it came through: PostgreSQL takes no UTC offset beyond ±15:59, Python's dates
end in year 9999, and no restaurant record is dated before 2000 or after 2100. And the rules every
number a service is given keeps (`check_decimal`), in one place."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .errors import DomainError

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


# --- The numbers a service is given ----------------------------------------------------------------
# Strings are parsed where they arrive (the API's serializers, the pages' forms, an importer's row form);
# a service takes a Decimal (or an int) and checks only the domain's rules for it, here. Anything else
# (a str, a float, None) is a bug in the caller, not a bad request: it raises TypeError, loudly.


def check_decimal(
    value: Decimal | int,
    field: str,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    below: Decimal | None = None,
    places: int | None = None,
    error: tuple[str, str] | None = None,
    sign_error: tuple[str, str] | None = None,
    size_error: tuple[str, str] | None = None,
    places_error: tuple[str, str] | None = None,
) -> Decimal:
    """`value` as a Decimal once it keeps the rules: not negative (unless `allow_negative`), not zero
    (unless `allow_zero`), of a magnitude under `below`, with at most `places` decimal places. A broken
    rule is a DomainError(field, code, message): by default `must_be_positive`, `out_of_range` and
    `invalid`; a service names its own (code, message) per rule, or one `error` for all of them."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(
            f"{field}: expected a Decimal, got {type(value).__name__} (parse it in the serializer or form)"
        )
    number = Decimal(value)
    if not number.is_finite():
        raise DomainError(field, "invalid", _("Give a number."))
    if (number < 0 and not allow_negative) or (number == 0 and not allow_zero):
        default = _("Must not be negative.") if allow_zero else _("Must be more than zero.")
        raise DomainError(field, *(sign_error or error or ("must_be_positive", default)))
    if below is not None and abs(number) >= below:
        raise DomainError(field, *(size_error or error or ("out_of_range", _("That number is too large."))))
    if places is not None and _places(number) > places:
        default = ("invalid", _("Use at most %(n)d decimal places.") % {"n": places})
        raise DomainError(field, *(places_error or error or default))
    return number


def _places(number: Decimal) -> int:
    """The decimal places a finite number needs (12.50 needs 1), read from its digits: quantizing
    would overflow the decimal context for 1e30."""
    _sign, digits, exponent = number.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    if not significant:
        return 0
    return max(0, -(exponent + len(digits) - len(significant)))
