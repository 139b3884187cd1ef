"""The OpenAPI schema says what the API does: the API-key scheme, the `Idempotency-Key` header on
every creating POST, and the error body with the statuses of the README's table on every operation."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.views import APIView

from .idempotency import HEADER


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "restaurant_ops.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a store integration's key, created by an owner.",
        }


class AutoSchema(SpectacularAutoSchema):
    def map_parsers(self):
        """A request body is JSON unless the view names its own parsers (an upload takes multipart).
        The JSON, form and multipart bodies the default parsers accept would all be declared with one
        schema, and a generated client then cannot tell which to send (it sent multipart)."""
        for cls in type(self.view).__mro__:
            if cls is APIView:
                break
            if "parser_classes" in vars(cls):
                return super().map_parsers()
        return ["application/json"]

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        handler = getattr(self.view, self.method.lower(), None)
        if getattr(handler, "idempotent", False):
            parameters.append(
                OpenApiParameter(
                    HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="Any unique string (at most 255 characters) per thing you create: a retry "
                    "with the same key within 24 h returns the first response (header "
                    "`Idempotent-Replayed: true`) and creates nothing; the same key with another "
                    "body is 422.",
                )
            )
        return parameters


ERROR_STATUSES = {
    "400": "The request cannot be read: malformed JSON, a wrong type, a missing or unknown field, "
    "a value outside the field's bounds.",
    "401": "No API key or session, or an unknown or revoked key.",
    "403": "The key is read-only, or the role may not do this.",
    "404": "What the request names (in the URL or by id in the body) is not in your stores.",
    "409": "Conflicts with the current state: already done, wrong status, a duplicate, sold out.",
    "413": "The body is too large.",
    "422": "Well-formed, but a business rule refuses it.",
}
READ_STATUSES = ("400", "401", "403", "404")


def document_errors(result, generator, request, public):
    """Postprocessing hook: every operation answers its errors as `ErrorResponse`."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "required": ["field", "code", "message"],
        "properties": {
            "field": {"type": "string", "description": "Path of the field, e.g. `lines[2].modifiers[0]`."},
            "code": {"type": "string", "description": "What is wrong; its status is fixed by the code."},
            "message": {"type": "string"},
        },
    }
    schemas["ErrorResponse"] = {
        "type": "object",
        "required": ["errors"],
        "properties": {"errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}}},
    }
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            statuses = READ_STATUSES if method == "get" else ERROR_STATUSES
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(status, {"description": ERROR_STATUSES[status], "content": body})
    return result


# A time of day as the API writes it (DRF's TimeField): the store's wall clock, no offset. OpenAPI's
# `format: time` is RFC 3339's full-time, which requires an offset, so a validator rejects "15:30:00".
TIME_OF_DAY = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "description": "A time of day on the store's clock, `HH:MM[:SS[.ffffff]]`.",
}


def document_times_of_day(result, generator, request, public):
    """Postprocessing hook: every `format: time` is a time of day without an offset (TIME_OF_DAY)."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                del node["format"]
                node["pattern"] = TIME_OF_DAY["pattern"]
                node["description"] = node.get("description") or TIME_OF_DAY["description"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
