"""Deploying for real (README "Deploying with docker compose"): the compose file has what production needs,
its `.env.example` and the settings agree, and a backup restores to the same books."""

import os
import re
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
import yaml
from django.conf import settings
from django.db import connection

from inventory.models import Ingredient, StockMovement
from orders.models import Order, Payment
from orders.services import LineRequest, order_place, payment_take
from tests.bench.order_setup import stocked_items
from tests.factories import StoreFactory

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat")


def _example_env() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_]+=", line)
    )
    return dict(pairs)


def test_every_long_running_service_restarts_and_reports_its_health():
    for name in LONG_RUNNING:
        service = SERVICES[name]
        assert service.get("restart") == "unless-stopped", name
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_migrations_run_once_before_the_app_starts():
    runs_migrate = [name for name, s in SERVICES.items() if "migrate" in " ".join(s.get("command") or [])]
    assert runs_migrate == ["migrate"] and SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert SERVICES["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_data_lives_in_named_volumes():
    assert {"pgdata", "redisdata", "media"} <= set(COMPOSE["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert any(v.startswith("media:") for v in SERVICES["web"]["volumes"])


def test_the_example_environment_names_only_settings_that_exist_and_everything_compose_needs():
    """Each variable in .env.example is read by the settings, gunicorn or compose itself (a typo there would
    be silently ignored), and each ${VAR} compose interpolates has a default or an example."""
    example = _example_env()
    read_by_settings = set(
        re.findall(
            r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"',
            (ROOT / "restaurant_ops/settings.py").read_text(),
        )
    )
    compose_text = (ROOT / "docker-compose.yml").read_text()
    interpolated = re.findall(r"\$\{([A-Z_]+)(:-[^}]*)?\}", compose_text)
    assert set(example) - read_by_settings - {"POSTGRES_PASSWORD", "WEB_CONCURRENCY"} == set()
    assert [var for var, default in interpolated if not default and var not in example] == []
    # Production refuses to start without these; compose sets the URLs, .env the secret.
    assert "DJANGO_SECRET_KEY" in example and "PUBLIC_BASE_URL" in example


def test_docker_compose_accepts_the_file_with_the_example_environment(tmp_path):
    """`docker compose config` where a client is installed (CI installs Debian's docker-compose)."""
    command = (
        ["docker-compose"]
        if shutil.which("docker-compose")
        else ["docker", "compose"]
        if shutil.which("docker")
        else None
    )
    if command is None or subprocess.run([*command, "version"], capture_output=True).returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("CI installs a compose client (.ci/run): it is missing")
        pytest.skip("no docker compose client on this machine")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run([*command, "config", "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _books(cursor) -> tuple:
    """Orders, their total, payments, and each ingredient's ledger sum next to its on-hand figure."""
    cursor.execute(f"SELECT count(*), sum(total) FROM {Order._meta.db_table}")
    orders = cursor.fetchone()
    cursor.execute(f"SELECT count(*), sum(amount) FROM {Payment._meta.db_table}")
    payments = cursor.fetchone()
    cursor.execute(
        f"SELECT i.name, i.on_hand, sum(m.quantity) FROM {Ingredient._meta.db_table} i "
        f"JOIN {StockMovement._meta.db_table} m ON m.ingredient_id = i.id "
        "GROUP BY i.name, i.on_hand ORDER BY i.name"
    )
    return orders, payments, cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_restored_dump_brings_back_the_same_books(tmp_path):
    """The README's backup (pg_dump -Fc) and restore (pg_restore --clean --if-exists) commands, run against
    a copy: the restored database holds the same orders, payments and stock ledger.

    Two items at 10.00 with no tax, 100 g of their own ingredient a portion, 10 kg received each.
    Orders: item A × 2 + item B × 1 = 30.00, then item A × 1 = 10.00: 2 orders, 40.00; the first paid 30.00.
    Ledger: A 10000 − 3 × 100 = 9700 g, B 10000 − 100 = 9900 g (receipt + one movement per order line)."""
    store = StoreFactory()
    item_a, item_b = stocked_items(store, 2)
    first = order_place(
        store=store,
        channel="till",
        service_type="takeaway",
        lines=[LineRequest(item_id=item_a.pk, quantity=2), LineRequest(item_id=item_b.pk, quantity=1)],
    )
    order_place(
        store=store,
        channel="till",
        service_type="takeaway",
        lines=[LineRequest(item_id=item_a.pk, quantity=1)],
    )
    payment_take(guest_check=first.guest_check, method="card", amount=Decimal("30.00"))
    with connection.cursor() as cursor:
        before = _books(cursor)
    assert before == (
        (2, Decimal("40.00")),
        (1, Decimal("30.00")),
        [
            ("Ingredient 0", Decimal("9700.000"), Decimal("9700.000")),
            ("Ingredient 1", Decimal("9900.000"), Decimal("9900.000")),
        ],
    )

    source = connection.settings_dict
    target = f"restore_{uuid.uuid4().hex[:8]}"
    libpq = {
        "PGHOST": source["HOST"] or "127.0.0.1",
        "PGPORT": str(source["PORT"] or 5432),
        "PGUSER": source["USER"],
    }
    env = {**os.environ, **libpq, **({"PGPASSWORD": source["PASSWORD"]} if source["PASSWORD"] else {})}
    dump = tmp_path / "ops.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), source["NAME"]], env=env, check=True)
    subprocess.run(["createdb", target], env=env, check=True)
    try:
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", target, str(dump)],
            env=env,
            check=True,
            capture_output=True,
        )
        restored = psycopg2.connect(
            dbname=target,
            host=libpq["PGHOST"],
            port=libpq["PGPORT"],
            user=libpq["PGUSER"],
            password=source["PASSWORD"] or None,
        )
        try:
            with restored.cursor() as cursor:
                assert _books(cursor) == before
        finally:
            restored.close()
    finally:
        subprocess.run(["dropdb", "--if-exists", target], env=env, check=True)
