"""Analyses run as of any moment: `manage.py run_analyses --at` and the API's runs, so an imported
history (which ends in the past) turns into the insights of the morning after its last day."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from analytics import registry
from analytics.models import ForecastAccuracy, Insight, JobRun
from orders.importing import sales_import
from restaurant_ops.services import api_key_create
from staffing import services as staffing
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db
POS_EXPORT = Path(__file__).resolve().parents[1] / "orders" / "data" / "sales_history.csv"


@pytest.fixture
def imported():
    """A store whose only sales are the committed export (5 January – 1 March 2026), with a server
    position (20 orders an hour each, at least one while open) and nobody on the rota yet."""
    store = StoreFactory(time_zone="Europe/Berlin")
    staffing.position_create(
        store=store, name="Server", productivity_target=Decimal("20"), min_staff_per_open_hour=1
    )
    with POS_EXPORT.open(encoding="cp1252", newline="") as stream:
        sales_import(
            store=store,
            stream=stream,
            delimiter=";",
            date_format="%d/%m/%Y %H:%M",
            mapping={"order_id": "Receipt", "date": "Date", "time": "Time", "item": "Article"}
            | {"quantity": "Qty", "unit_price": "Price"},
        )
    return store


def test_run_analyses_at_the_morning_after_an_imported_history(imported):
    out = io.StringIO()
    call_command("run_analyses", "--store", imported.slug, "--at", "2026-03-02T08:00", stdout=out)
    text = out.getvalue()
    assert f"{imported.slug} as of 2026-03-02T08:00+01:00:" in text
    assert "  forecast: success" in text and "  staffing: success" in text
    # Every job ran once and succeeded.
    runs = JobRun.objects.filter(store=imported)
    assert set(runs.values_list("outcome", flat=True)) == {"success"}
    # As of that Monday the plan is for the week from Monday 9 March, and with nobody on the rota
    # the forecast's busy hours are gaps: insights of that morning, not of today.
    gaps = Insight.objects.filter(store=imported, kind=Insight.Kind.STAFFING)
    assert gaps.exists()
    assert {g.numbers["week_start"] for g in gaps} == {"2026-03-09"}
    # Eight full weeks of history before 2 March: the forecast is judged at both levels.
    assert ForecastAccuracy.objects.filter(store=imported, served=True).count() == 2


def test_run_analyses_refuses_the_future_and_unknown_jobs(imported):
    with pytest.raises(CommandError, match="future"):
        call_command("run_analyses", "--store", imported.slug, "--at", "2999-01-01T08:00")
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("run_analyses", "--store", imported.slug, "--job", "astrology")
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("run_analyses", "--store", imported.slug, "--at", "yesterday")
    assert not JobRun.objects.filter(store=imported).exists()


def test_a_run_asked_for_over_the_api_is_queued_then_read_back(imported):
    _key, raw = api_key_create(store=imported, name="BI", scope="write", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.post(
        "/api/v1/analytics/runs/",
        {"at": "2026-03-02T08:00:00+01:00", "jobs": ["forecast", "staffing"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="as-of-0302",
    )
    assert response.status_code == 202, response.content
    queued = response.json()
    assert (queued["outcome"], queued["as_of"], queued["result"]) == (
        "queued",
        "2026-03-02T08:00:00+01:00",  # the key's store is in Berlin: its time, with the offset
        {"jobs": ["forecast", "staffing"]},
    )
    # What the worker does with it (test_worker.py runs it on a real worker).
    registry.analyses_run_requested(run=JobRun.objects.get(pk=queued["id"]))
    done = client.get(f"/api/v1/analytics/runs/{queued['id']}/").json()
    assert done["outcome"] == "success"
    assert done["result"]["outcomes"] == {"forecast": "success", "staffing": "success"}
    assert {g.numbers["week_start"] for g in Insight.objects.filter(store=imported, kind="staffing")} == {
        "2026-03-09"
    }
    # Delivered twice (a broker re-delivery), it runs once.
    registry.analyses_run_requested(run=JobRun.objects.get(pk=queued["id"]))
    assert JobRun.objects.filter(store=imported, job="forecast").count() == 1
    listed = client.get("/api/v1/analytics/runs/").json()["results"]
    # Newest first: the two jobs' own runs, then the requested run that holds them.
    assert [r["job"] for r in listed] == ["staffing", "forecast", "requested"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"at": "2999-01-01T08:00:00Z"}, "at", "future"),
        ({"at": "1999-12-31T08:00:00Z"}, "at", "too_early"),
        ({"at": "not a date"}, "at", "invalid"),
        ({"jobs": ["astrology"]}, "jobs", "unknown_job"),
        ({"jobs": []}, "jobs", "empty"),
    ],
)
def test_bad_run_requests_name_the_field_and_queue_nothing(imported, body, field, code):
    _key, raw = api_key_create(store=imported, name="BI", scope="write", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.post("/api/v1/analytics/runs/", body, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert not JobRun.objects.exists()


def test_cooks_and_cashiers_see_no_runs(imported, client):
    registry.analyses_request(store=imported, at=None, jobs=["forecast"])
    for role in ("cook", "cashier"):
        user = UserFactory()
        MembershipFactory(user=user, store=imported, role=role)
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/analytics/runs/").status_code == 403
        assert api.post("/api/v1/analytics/runs/", {}, format="json").status_code in (403, 404)
    owner = UserFactory()
    MembershipFactory(user=owner, store=imported, role="owner")
    api = APIClient()
    api.force_authenticate(owner)
    assert [r["outcome"] for r in api.get("/api/v1/analytics/runs/").json()["results"]] == ["queued"]


def test_a_queued_run_whose_nudge_was_lost_is_sent_again_by_the_sweeper(imported):
    run = registry.analyses_request(store=imported, jobs=["forecast"])
    assert registry.job_runs_queued_stale() == []  # just queued: its nudge may still arrive
    later = run.started_at + dt.timedelta(minutes=3)
    assert registry.job_runs_queued_stale(now=later) == [run.pk]
