from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.http import JsonResponse
from django.shortcuts import redirect

from .errors import conflict_from_integrity_error


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
