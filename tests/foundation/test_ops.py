"""Health endpoint, deploy checks and the OpenAPI schema."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_production_settings_pass_check_deploy():
    env = {
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "q8Zr-2mVf!Lx9@pWt3#Ny6$Kb1%Hc4^Dj7&Gs0*Ae5(Ou8)Iw2_Ry",
        "DJANGO_ALLOWED_HOSTS": "ops.example",
        "PATH": "/usr/bin:/bin",
    }
    import os

    # The test process allows async-unsafe ORM calls for Playwright; production must not inherit that.
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200 and "/api/v1/orders/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()
