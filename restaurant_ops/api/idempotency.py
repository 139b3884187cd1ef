"""`Idempotency-Key` on POSTs that create: the first response is stored and replayed for 24 h.

The record is inserted in the same transaction as the work. A concurrent request with the same key
blocks on the unique index until the first commits, then replays its response: one order, not two.
A failed request rolls its record back with everything else, so it may be retried.
"""

import datetime as dt
import functools
import hashlib
import json

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.response import Response

from restaurant_ops.errors import DomainError
from restaurant_ops.models import ApiKey, IdempotencyRecord

HEADER = "Idempotency-Key"


def _scope(request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _comparable(data):
    """The request's data as JSON can say it: a form's every value per key, an uploaded file by its
    name and the SHA-256 of its content (the same file again is the same request)."""
    if hasattr(data, "lists"):  # a QueryDict (multipart or form)
        return {key: [_comparable(value) for value in values] for key, values in data.lists()}
    if isinstance(data, UploadedFile):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "sha256": digest.hexdigest()}
    return data


def _fingerprint(request) -> str:
    body = json.dumps(_comparable(request.data), sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Inserts the record; on a clash returns the earlier one (expired ones are replaced). One
    statement when the key is new: INSERT … ON CONFLICT DO NOTHING (no savepoint), which waits for a
    concurrent claim of the same key to commit or roll back."""
    table = IdempotencyRecord._meta.db_table
    claim_sql = (
        f"INSERT INTO {table} (scope, {connection.ops.quote_name('key')}, request_hash, created_at) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT (scope, key) DO NOTHING"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(claim_sql, [scope, key, fingerprint, timezone.now()])
            if cursor.rowcount == 1:
                return None
        existing = IdempotencyRecord.objects.get(scope=scope, key=key)
        if existing.created_at >= timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS):
            return existing
        existing.delete()
    raise DomainError(HEADER, "conflict", "Could not claim the idempotency key; retry.")


def _store(scope: str, key: str, response: Response) -> None:
    """Keeps the response on the claimed record. Written out like the claim: every idempotent POST
    (each till and API order) runs it, and the ORM's UPDATE cost more to build than to run. The body
    goes as the JSON text it will be replayed from (the column parses it)."""
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status_code = %s, response_body = %s "
            f"WHERE scope = %s AND {connection.ops.quote_name('key')} = %s",
            [response.status_code, json.dumps(response.data, cls=DjangoJSONEncoder), scope, key],
        )


def idempotent(handler):
    """Decorates an APIView's `post`."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > 255:
            raise DomainError(HEADER, "too_long", "An Idempotency-Key has at most 255 characters.")
        scope, fingerprint = _scope(request), _fingerprint(request)
        with transaction.atomic():
            earlier = _claim(scope, key, fingerprint)
            if earlier is not None:
                if earlier.request_hash != fingerprint:
                    raise DomainError(
                        HEADER,
                        "key_reused",
                        "This Idempotency-Key was used with a different request body.",
                    )
                return Response(
                    earlier.response_body, status=earlier.status_code, headers={"Idempotent-Replayed": "true"}
                )
            response = handler(self, request, *args, **kwargs)
            _store(scope, key, response)
            return response

    wrapper.idempotent = True  # the schema declares the Idempotency-Key header for it
    return wrapper


def idempotency_purge(*, older_than_hours: int | None = None) -> int:
    hours = older_than_hours if older_than_hours is not None else settings.IDEMPOTENCY_TTL_HOURS
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(hours=hours)
    ).delete()
    return deleted
