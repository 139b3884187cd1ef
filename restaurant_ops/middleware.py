import logging

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .api.errors import status_for
from .errors import DomainError, DomainErrors, conflict_from_integrity_error, error_list
from .models import Store
from .timeutils import use_store_time

logger = logging.getLogger(__name__)


class ApiBodyLimitMiddleware:
    """An API body larger than DATA_UPLOAD_MAX_MEMORY_SIZE gets a JSON 413 before anything reads it
    (Django alone would raise deep inside request parsing and DRF would call it a parse error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if request.path.startswith("/api/v1/sales-imports/"):  # a sales file: its own limit
                limit = settings.SALES_IMPORT_MAX_BYTES + 65_536
            if length > limit:
                error = {"field": "", "code": "too_large", "message": f"The body exceeds {limit} bytes."}
                return JsonResponse({"errors": [error]}, status=413)
        return self.get_response(request)


class UniqueConflictMiddleware:
    """A page form that loses a race on a unique field (two people adding "Grill" at once) goes back
    to the page with the message, as a refused form does, instead of a 500. The API answers 409
    through its exception handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.method != "POST" or not isinstance(exception, IntegrityError):
            return None
        error = conflict_from_integrity_error(exception)
        if error is None:
            return None
        messages.error(request, error.message)
        return redirect(request.get_full_path())


class DatabaseUnavailableMiddleware:
    """A request whose database connection failed (server restarting, connection terminated) gets a
    clean 503 with Retry-After, not a 500: its transaction rolled back, so nothing was written, and
    the client may retry (with its Idempotency-Key, a retry never duplicates)."""

    RETRY_AFTER_SECONDS = 2

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable (%s): 503 for %s", exception.__class__.__name__, request.path)
        message = _("The service is briefly unavailable; please try again in a moment.")
        if request.path.startswith("/api/"):
            body = {"errors": [{"field": "", "code": "unavailable", "message": str(message)}]}
            response = JsonResponse(body, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


# URL keyword -> the Store lookup that finds the store a page is about (through Store's reverse
# relations, so this app imports none of the apps that own the tables).
STORE_LOOKUPS = {
    "store_slug": "slug",
    "qr_token": "tables__qr_token",
    "session_token": "table_sessions__token",
}


class StoreTimeZoneMiddleware:
    """Every page about a store shows its times in the store's zone: `{{ moment|date }}`,
    `{% localtime %}` and forms render in it, not in UTC. Only the zone is looked up here; whether
    the reader may see the store stays the view's question (a stranger still gets the view's 404).

    The API writes times in the same zone, with its offset (2026-03-19T11:00:00+01:00): the store of
    the URL, else of its `?store=` slug; a store's API key sets its own store's zone when it
    authenticates. A call about several stores answers in UTC (still with its offset, `Z`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        lookups = [(lookup, view_kwargs[key]) for key, lookup in STORE_LOOKUPS.items() if key in view_kwargs]
        if not lookups and request.path.startswith("/api/") and isinstance(request.GET.get("store"), str):
            lookups = [("slug", request.GET["store"][:100])]
        for lookup, value in lookups[:1]:
            try:
                zone = Store.objects.filter(**{lookup: value}).values_list("time_zone", flat=True).first()
            except (OperationalError, InterfaceError, ValueError):
                return None  # the view meets the same failure (503) or refuses the odd value itself
            if zone:
                use_store_time(zone)
        return None


def _nul_field(request) -> str | None:
    """The first place a request carries a NUL character: no text we keep may hold one (PostgreSQL
    refuses it, so it would surface as a 500 deep inside a write)."""
    if "\x00" in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
    for name, value in request.headers.items():
        if "\x00" in value:
            return name
    return None


class RejectNulMiddleware:
    """A NUL character anywhere in the path, the query, a form field or a header is a 400 naming the
    field, before any view runs (JSON bodies are checked by DRF's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _nul_field(request)
        if field is None:
            return self.get_response(request)
        message = _("%(field)s contains a NUL character.") % {"field": field}
        if request.path.startswith("/api/"):
            error = {"field": field, "code": "invalid", "message": message}
            return JsonResponse({"errors": [error]}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class DomainErrorPageMiddleware:
    """A page that lets a DomainError through (an id it could not read, a refusal it does not catch)
    answers the error table's status with the messages, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") or not isinstance(exception, DomainError | DomainErrors):
            return None
        errors = error_list(exception)
        return render(request, "refused.html", {"errors": errors}, status=status_for(exception))
