"""Settings for `make lint`'s migration check (django-migration-linter) and nothing else.

Migrations run while the previous release still serves orders (docker compose runs `migrate` before the
new web starts), so each one must leave the old code working: no NOT NULL column without a database
default (`db_default=`, not only `default=`), no dropped or renamed column or table still read by the
old code. The linter reads the SQL PostgreSQL would run, so it connects to a PostgreSQL server
(`LINT_DATABASE_URL`, by default the local server's maintenance database); it only reads."""

import os

import dj_database_url

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("LINT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
}
DATABASE_ROUTERS = []
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
