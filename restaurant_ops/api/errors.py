"""Errors as JSON with a field path: {"errors": [{"field": "lines[2].modifiers[0]", "code", "message"}]}.

The one table from an error's code to its HTTP status, used by the API's exception handler and by
every page that answers a refused form (the README's API section prints it):

    400  the request cannot be read: malformed JSON, a wrong type, a missing or unknown field, a
         value outside the field's bounds (every serializer error, and the codes in MALFORMED)
    403  the caller's role may not do it (or needs a manager's PIN)
    404  what the request names, in the URL or by id in the body, is not in the caller's stores
    409  the request conflicts with the current state: already done, wrong status, a duplicate,
         sold out, a closed drawer
    410  a link that expired (a guest's feedback link)
    413  the body is too large
    422  well-formed and about things that exist, but a business rule refuses it
    429  too many requests (a table's guest orders)
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from restaurant_ops.errors import DomainError, DomainErrors, conflict_from_integrity_error, error_list

MALFORMED = frozenset(
    {
        "invalid",
        "private_address",
        "unresolvable",
        "required",
        "out_of_range",
        "too_long",
        "too_many",
        "empty",
        "one_of",
        "repeated",
        "invalid_choice",
        "invalid_range",
        "must_be_positive",
        "missing",
        "missing_columns",
        "unknown_field",
        "unknown_unit",
        "before_start",
        "before_first",
        "before_clock_in",
        "not_monday",
        "in_future",
        "weak",
        "parse_error",
    }
)
FORBIDDEN = frozenset(
    {
        "permission_denied",
        "approval_required",
        "invalid_pin",
        "pin_locked",
        "approver_pin_locked",
        "sign_up_closed",
        "owner_only",
    }
)
NOT_FOUND = frozenset(
    {
        "not_found",
        "unknown_item",
        "unknown_modifier",
        "unknown_table",
        "unknown_ingredient",
        "unknown_supplier",
        "unknown_station",
        "unknown_line",
        "not_on_check",
        "unknown_code",
        "qr_expired",
        "invalid_token",
    }
)
CONFLICT = frozenset(
    {
        "conflict",
        "duplicate",
        "unique",
        "invalid_transition",
        "closed",
        "check_settled",
        "not_paid",
        "below_paid",
        "no_check",
        "drawer_open",
        "drawer_closed",
        "already",
        "already_voided",
        "already_clocked_in",
        "not_clocked_in",
        "in_use",
        "inactive",
        "sold_out",
        "insufficient_stock",
        "table_busy",
        "session_closed",
        "stale",
        "not_due",
        "overlap",
        "double_booked",
        "day_off",
        "outside_availability",
        "outside_opening_hours",
        "before_last_count",
        "before_current",
        "taken",
        "over_max_hours",
        "already_rated",
        "used",
        "day_closed",
    }
)
RULE_VIOLATED = frozenset(
    {
        "choice_count",
        "not_for_item",
        "exceeds_balance",
        "exceeds_check",
        "exceeds_payment",
        "too_little",
        "not_qualified",
        "not_refundable",
        "all_lines",
        "same_check",
        "not_charged",
        "over_receipt",
        "unit_mismatch",
        "not_a_gap",
        "bad_rows",
        "key_reused",
        "not_yet_valid",
        "item_not_on_check",
        "nothing_to_discount",
        "too_old",
    }
)
GONE = frozenset({"expired"})
TOO_LARGE = frozenset({"too_large"})
THROTTLED = frozenset({"throttled", "pin_backoff"})

STATUS_BY_CODE: dict[str, int] = {
    **dict.fromkeys(MALFORMED, 400),
    **dict.fromkeys(FORBIDDEN, 403),
    **dict.fromkeys(NOT_FOUND, 404),
    **dict.fromkeys(CONFLICT, 409),
    **dict.fromkeys(GONE, 410),
    **dict.fromkeys(TOO_LARGE, 413),
    **dict.fromkeys(RULE_VIOLATED, 422),
    **dict.fromkeys(THROTTLED, 429),
}
DOCUMENTED_STATUSES = (400, 403, 404, 409, 410, 413, 422, 429)


def status_for(error: DomainError | DomainErrors) -> int:
    """Several errors answer with the most basic one's status: a malformed field before a missing
    object, before a conflict, before a broken rule (fix them in that order)."""
    return min(STATUS_BY_CODE.get(e.code, 400) for e in error_list(error))


def _flatten(detail, path: str = "") -> list[dict]:
    """Turns DRF's nested `get_full_details()` into a flat list with dotted/indexed field paths."""
    if isinstance(detail, dict) and {"message", "code"} <= detail.keys():
        return [{"field": path, "code": detail["code"], "message": str(detail["message"])}]
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():  # DRF keys a list's errors by index
                out += _flatten(value, f"{path}[{key}]")
                continue
            name = "" if key in ("non_field_errors", "detail") else str(key)
            out += _flatten(value, f"{path}.{name}" if path and name else (name or path))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            # A list of errors for one field keeps the field's path; a list of child objects indexes it.
            if isinstance(value, dict) and not ({"message", "code"} <= value.keys()):
                out += _flatten(value, f"{path}[{index}]")
            else:
                out += _flatten(value, path)
    return out


def errors_response(errors: list[dict], status_code: int) -> Response:
    return Response({"errors": errors}, status=status_code)


def exception_handler(exc, context):
    if callable(getattr(exc, "record_failure", None)):
        exc.record_failure()  # a wrong PIN is recorded after the request's transaction rolled back
    if isinstance(exc, IntegrityError):
        exc = conflict_from_integrity_error(exc) or exc  # a race lost on a unique field: 409
    if isinstance(exc, DomainError | DomainErrors):
        return errors_response([e.as_dict() for e in error_list(exc)], status_for(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.get_full_details())
        status_code = 400
    else:
        errors = [
            {
                "field": "",
                "code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error",
                "message": str(exc.detail),
            }
        ]
        status_code = response.status_code
    response.data = {"errors": errors}
    response.status_code = status_code
    return response
