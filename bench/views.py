"""Baselines served through the same middleware, settings and server as the product."""

import json

from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

PING_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_ping (id bigserial PRIMARY KEY, body jsonb NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())"
)


@csrf_exempt
@require_POST
def bare_insert(request):
    """The bare endpoint: parse the JSON body, insert one row in a transaction, answer 201 with its id."""
    body = json.loads(request.body or b"{}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_ping (body) VALUES (%s) RETURNING id", [json.dumps(body)])
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


def base_template(request):
    """The base-template view: renders templates/base.html with the standard context processors."""
    return render(request, "base.html", {})
