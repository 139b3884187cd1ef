"""Errors as JSON with a field path: {"errors": [{"field": "lines[2].modifiers[0]", "code", "message"}]}."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from restaurant_ops.errors import DomainError, DomainErrors, conflict_from_integrity_error


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
    if isinstance(exc, DomainErrors):
        return errors_response([e.as_dict() for e in exc.errors], exc.status_code)
    if isinstance(exc, DomainError):
        return errors_response([exc.as_dict()], exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.get_full_details())
        status_code = status.HTTP_400_BAD_REQUEST
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
