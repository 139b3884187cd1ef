"""Product hygiene: production refuses to start half-configured and has no demo, the settings create
nothing when imported, and the idempotency records are purged (scheduled in tests/analytics/test_jobs)."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from restaurant_ops.models import IdempotencyRecord
from restaurant_ops.tasks import purge_idempotency_keys
from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY")


def run(code_or_args, **env):
    """A fresh Python process from the project root, with the test environment minus overrides."""
    base = {k: v for k, v in os.environ.items() if k not in (*REQUIRED, "DJANGO_ALLOW_ASYNC_UNSAFE")}
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "restaurant_ops.settings", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


SETUP = "import django; django.setup()"


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "k" * 50}, "DATABASE_URL, CELERY_BROKER_URL"),
        ({"DATABASE_URL": "postgres://x@db/ops", "DJANGO_SECRET_KEY": "k" * 50}, "CELERY_BROKER_URL"),
        (
            {"DATABASE_URL": "postgres://x@db/ops", "CELERY_BROKER_URL": "redis://r:6379/0"},
            "DJANGO_SECRET_KEY",
        ),
    ],
)
def test_production_refuses_to_start_half_configured_and_names_what_is_missing(given, missing):
    result = run(["manage.py", "check"], DJANGO_PRODUCTION="1", **given)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"DJANGO_PRODUCTION=1 needs {missing} in the environment" in result.stderr


def test_production_has_no_demo_app_and_no_load_demo():
    env = {
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "q8Zr-2mVf!Lx9@pWt3#Ny6$Kb1%Hc4^Dj7&Gs0*Ae5(Ou8)Iw2_Ry",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://x@db/ops",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or "redis://r:6379/0",
    }
    installed = run(f"{SETUP}; from django.apps import apps; print(apps.is_installed('demo'))", **env)
    assert installed.stdout.strip() == "False", installed.stderr
    load = run(["manage.py", "load_demo", "--no-jobs"], **env)
    assert load.returncode != 0 and "Unknown command: 'load_demo'" in load.stderr


def test_load_demo_refuses_in_production_even_if_installed(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="does not run with DJANGO_PRODUCTION=1"):
        call_command("load_demo", "--no-jobs")


def test_importing_settings_creates_no_folder_the_first_use_does(tmp_path):
    """Embedded default (no DATABASE_URL, filesystem broker): nothing exists until used."""
    var, static = tmp_path / "var", tmp_path / "static"
    env = {"RESTAURANT_OPS_VAR_DIR": str(var), "DJANGO_STATIC_ROOT": str(static)}
    result = run(
        f"{SETUP}; from django.conf import settings; print(settings.DATABASES['default']['NAME'])", **env
    )
    assert result.returncode == 0, result.stderr
    assert not var.exists() and not static.exists()

    first_use = (
        f"{SETUP}; from django.db import connection; connection.ensure_connection()\n"
        "from restaurant_ops.celery import app\n"
        "with app.connection_for_write() as conn: conn.default_channel"
    )
    result = run(first_use, **env)
    assert result.returncode == 0, result.stderr
    assert (var / "db.sqlite3").exists()
    assert {p.name for p in (var / "broker").iterdir()} == {"queue", "processed", "control"}


@pytest.mark.django_db
def test_the_purge_forgets_idempotency_records_older_than_a_day():
    now = timezone.now()
    IdempotencyRecord.objects.create(
        scope="k1", key="old", request_hash="x", created_at=now - dt.timedelta(hours=25)
    )
    IdempotencyRecord.objects.create(
        scope="k1", key="new", request_hash="x", created_at=now - dt.timedelta(hours=23)
    )
    assert purge_idempotency_keys.apply().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_the_docker_build_context_leaves_out_local_state_and_secrets():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "var", "media", "staticfiles", ".env", "test-artifacts"} <= ignored
    assert "!.env.example" in ignored  # the example is documentation, not a secret


def test_production_keeps_the_api_map_behind_a_login_and_answers_api_errors_in_json():
    probe = (
        f"{SETUP}; from django.test import Client; c = Client()\n"
        "print(*(c.get(url, secure=True).status_code for url in ('/api/schema/', '/api/docs/')))\n"
        "missing = c.get('/api/v1/no-such-thing/', secure=True)\n"
        "print(missing.status_code, missing['Content-Type'], missing.json()['errors'][0]['code'])"
    )
    env = {
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "q8Zr-2mVf!Lx9@pWt3#Ny6$Kb1%Hc4^Dj7&Gs0*Ae5(Ou8)Iw2_Ry",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://x@db/ops",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or "redis://r:6379/0",
    }
    result = run(probe, **env)
    assert result.returncode == 0, result.stderr
    docs, error = result.stdout.strip().splitlines()
    assert docs in ("401 401", "403 403")
    assert error == "404 application/json not_found"


@pytest.mark.django_db
def test_the_demo_keeps_the_api_map_open(client):
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_who_may_read_the_api_map_is_decided_per_request(client, settings):
    settings.PRODUCTION = True
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(MembershipFactory().user)
    assert client.get("/api/schema/").status_code == 200


def test_two_databases_sharing_one_redis_keep_their_cache_keys_apart():
    probe = f"{SETUP}; from django.core.cache import cache; print(cache.make_key('inventory:recipe:item:1'))"
    redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    keys = [
        run(probe, DATABASE_URL=f"postgres://x@db/{name}", REDIS_URL=redis).stdout.strip()
        for name in ("ops", "ops_staging")
    ]
    assert keys == ["ops:1:inventory:recipe:item:1", "ops_staging:1:inventory:recipe:item:1"]
