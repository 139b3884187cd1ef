"""The staffing API: scoped to the caller's store, conflicts as field-path 4xx with nothing written,
idempotent creates, filters and the time clock."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from restaurant_ops.models import IdempotencyRecord, Role
from staffing.models import Availability, Shift, StaffMember, TimeClockEntry
from staffing.services import shift_create, staffing_requirements_replace
from tests.factories import MembershipFactory
from tests.staffing.conftest import WEEK, at
from tests.staffing.factories import PositionFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
MON = WEEK


@pytest.fixture
def client_a(open_store):
    from restaurant_ops.services import api_key_create

    _key, raw = api_key_create(store=open_store, name="Payroll", scope="write", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def counts():
    return (
        Shift.objects.count(),
        StaffMember.objects.count(),
        Availability.objects.count(),
        TimeClockEntry.objects.count(),
        IdempotencyRecord.objects.count(),
    )


def test_create_a_shift_and_replay_it_with_the_same_key(client_a, anna, cashier):
    body = {
        "staff": anna.pk,
        "position": cashier.pk,
        "start": at(MON, 11).isoformat(),
        "end": at(MON, 15).isoformat(),
    }
    first = client_a.post("/api/v1/staffing/shifts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201, first.json()
    assert (first.json()["minutes"], first.json()["hours"], first.json()["business_date"]) == (
        240,
        "4.00",
        "2026-03-02",
    )
    again = client_a.post("/api/v1/staffing/shifts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.json() == first.json()
    assert Shift.objects.count() == 1


BAD_SHIFTS = {
    "overlap": (lambda s: {"start": at(MON, 14), "end": at(MON, 18)}, 409, "start", "overlap"),
    "outside opening hours": (
        lambda s: {"start": at(MON, 8), "end": at(MON, 10)},
        409,
        "reason",
        "outside_opening_hours",
    ),
    "ends before start": (lambda s: {"start": at(MON, 18), "end": at(MON, 17)}, 400, "end", "before_start"),
    "another store's staff": (lambda s: {"staff": s["foreign"].pk}, 404, "staff", "not_found"),
    "unknown position": (lambda s: {"position": 999999}, 404, "position", "not_found"),
    "not a time": (lambda s: {"start": "soon"}, 400, "start", "invalid"),
    "missing staff": (lambda s: {"staff": None}, 400, "staff", "null"),
}


@pytest.mark.parametrize("case", BAD_SHIFTS)
def test_bad_shifts_are_field_path_errors_and_write_nothing(
    client_a, open_store, anna, cashier, other_store, case
):
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    setup = {"foreign": StaffMemberFactory(store=other_store)}
    make, status, field, code = BAD_SHIFTS[case]
    body = {"staff": anna.pk, "position": cashier.pk, "start": at(MON, 18), "end": at(MON, 22), **make(setup)}
    body = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in body.items()}
    before = counts()
    response = client_a.post(
        "/api/v1/staffing/shifts/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"bad-{case}"
    )
    assert response.status_code == status, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["errors"][0]["code"] == code
    assert counts() == before


def test_patch_moves_a_shift_and_refuses_a_conflict(client_a, open_store, anna, cashier):
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    late = shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 18), end=at(MON, 22))
    response = client_a.patch(
        f"/api/v1/staffing/shifts/{late.pk}/", {"start": at(MON, 17).isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["minutes"] == 300
    response = client_a.patch(
        f"/api/v1/staffing/shifts/{late.pk}/", {"start": at(MON, 14).isoformat()}, format="json"
    )
    assert (response.status_code, response.json()["errors"][0]["code"]) == (409, "overlap")
    late.refresh_from_db()
    assert late.start == at(MON, 17)
    assert client_a.delete(f"/api/v1/staffing/shifts/{late.pk}/").status_code == 204
    assert Shift.objects.count() == 1


def test_staff_and_availability_create_with_field_paths(client_a, open_store, cashier, other_store):
    foreign = PositionFactory(store=other_store)
    before = counts()
    response = client_a.post(
        "/api/v1/staffing/staff/",
        {"name": "Cleo", "hourly_cost": "15.00", "positions": [cashier.pk, foreign.pk]},
        format="json",
    )
    assert (response.status_code, response.json()["errors"][0]["field"]) == (404, "positions[1]")
    response = client_a.post("/api/v1/staffing/staff/", {"name": "Cleo", "hourly_cost": "-1"}, format="json")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "hourly_cost")
    assert counts() == before
    response = client_a.post(
        "/api/v1/staffing/staff/",
        {"name": "Cleo", "hourly_cost": "15.00", "positions": [cashier.pk]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["positions"] == [cashier.pk]
    cleo = response.json()["id"]
    response = client_a.post(
        "/api/v1/staffing/availability/",
        {"staff": cleo, "weekday": 7, "start": "10:00", "end": "18:00"},
        format="json",
    )
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "weekday")
    response = client_a.post(
        "/api/v1/staffing/availability/",
        {"staff": cleo, "weekday": 0, "start": "10:00", "end": "18:00"},
        format="json",
    )
    assert response.status_code == 201
    assert (
        client_a.get("/api/v1/staffing/availability/", {"staff": cleo}).json()["results"][0]["end"]
        == "18:00:00"
    )


def test_clock_in_twice_is_409_and_clock_out_gives_minutes(client_a, anna):
    body = {"staff": anna.pk, "at": at(MON, 11).isoformat()}
    assert client_a.post("/api/v1/staffing/time-clock/clock-in/", body, format="json").status_code == 201
    response = client_a.post("/api/v1/staffing/time-clock/clock-in/", body, format="json")
    assert (response.status_code, response.json()["errors"][0]["code"]) == (409, "already_clocked_in")
    response = client_a.post(
        "/api/v1/staffing/time-clock/clock-out/",
        {"staff": anna.pk, "at": at(MON, 15, 45).isoformat()},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["minutes"] == 285
    assert (
        client_a.get("/api/v1/staffing/time-clock/", {"date_from": "2026-03-02"}).json()["results"][0][
            "hours"
        ]
        == "4.75"
    )


def test_requirements_are_readable_and_other_stores_are_hidden(client_a, open_store, cashier, other_store):
    staffing_requirements_replace(
        open_store,
        WEEK,
        [{"position": cashier, "hour_start": at(MON, 12), "needed_staff": 3, "forecast_load": Decimal("30")}],
    )
    other_position = PositionFactory(store=other_store)
    staffing_requirements_replace(
        other_store, WEEK, [{"position": other_position, "hour_start": at(MON, 12), "needed_staff": 1}]
    )
    rows = client_a.get("/api/v1/staffing/requirements/").json()["results"]
    assert [(r["store"], r["needed_staff"], r["forecast_load"]) for r in rows] == [
        (open_store.slug, 3, "30.00")
    ]


def test_a_cashier_session_cannot_read_staff_costs_or_write_shifts(open_store, anna, cashier):
    client = APIClient()
    client.force_authenticate(MembershipFactory(store=open_store, role=Role.CASHIER).user)
    assert client.get("/api/v1/staffing/staff/").status_code == 403  # their role reads no staff costs
    response = client.post(
        "/api/v1/staffing/shifts/",
        {
            "staff": anna.pk,
            "position": cashier.pk,
            "start": at(MON, 11).isoformat(),
            "end": at(MON, 15).isoformat(),
        },
        format="json",
    )
    # The cashier sees no staff member (404, by the error table); nothing is written.
    assert response.status_code == 404
    assert Shift.objects.count() == 0
