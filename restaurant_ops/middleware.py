from django.conf import settings
from django.http import JsonResponse


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
