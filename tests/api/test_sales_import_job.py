"""Sales history imported as a job: the upload answers 202 with the job, a real worker imports it with
the importer `manage.py import_sales` uses, the status shows the counts and the bad lines with their
line numbers (paginated); the same Idempotency-Key gives the same job."""

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orders.models import Order, SalesImport

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery]

# Line 1 is the header. Lines 5 and 6 cannot be read; A1 (two lines) and A2 are the orders, on one day.
CSV = """order_id,timestamp,item,quantity,unit_price
A1,2026-03-01 12:00,Lentil soup,2,8.00
A1,2026-03-01 12:00,Bread,1,2.50
A2,2026-03-01 13:10,Lentil soup,1,8.00
A3,not a time,Bread,1,2.50
A4,2026-03-02 19:00,Tea,x,3.00
"""
OPTIONS = {"mapping": {}, "date_format": None, "delimiter": ",", "encoding": "utf-8", "strict": False}


def _upload(client, content, key, **fields):
    return client.post(
        "/api/v1/sales-imports/",
        {"file": SimpleUploadedFile("export.csv", content.encode(), content_type="text/csv"), **fields},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _finished(client, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/sales-imports/{job_id}/").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"import {job_id} still {body['status']} after {timeout} s")


def test_an_upload_is_imported_by_the_worker_with_its_bad_lines(key_client, store, live_worker):
    first = _upload(key_client, CSV, "upload-2026-03")
    assert first.status_code == 202, first.json()
    assert first.json()["status"] == "queued"
    again = _upload(key_client, CSV, "upload-2026-03")  # the same file, the same key: the same job
    assert (again.status_code, again.json()["id"], again["Idempotent-Replayed"]) == (
        202,
        first.json()["id"],
        "true",
    )

    job = _finished(key_client, first.json()["id"])
    assert job["status"] == "done", job
    # 5 rows; 2 bad; orders A1 and A2 with 3 lines; Lentil soup and Bread are new items; one day.
    assert (
        job["rows"],
        job["orders"],
        job["lines"],
        job["items_created"],
        job["days"],
        job["error_count"],
    ) == (
        5,
        2,
        3,
        2,
        1,
        2,
    )
    assert Order.objects.filter(store=store, channel="import").count() == 2
    assert SalesImport.objects.count() == 1

    page = key_client.get(f"/api/v1/sales-imports/{job['id']}/errors/?page_size=1").json()
    assert [e["line"] for e in page["results"]] == [5]
    assert "time" in page["results"][0]["reason"]
    rest = key_client.get(page["next"]).json()
    assert [e["line"] for e in rest["results"]] == [6]
    assert rest["next"] is None


def test_a_file_without_its_columns_fails_and_says_why(key_client, live_worker):
    response = _upload(key_client, "receipt,article\n1,Soup\n", "upload-bad")
    assert response.status_code == 202
    job = _finished(key_client, response.json()["id"])
    assert job["status"] == "failed"
    assert "Missing columns" in job["failure"]
    assert (job["orders"], job["error_count"]) == (0, 0)


def test_what_cannot_be_queued_is_refused_at_once(key_client):
    unknown = _upload(key_client, CSV, "u1", map=["receipt=Receipt"])
    assert unknown.status_code == 400
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [("map", "unknown_field")]
    assert not SalesImport.objects.exists()


def test_beat_hands_over_what_the_broker_lost_or_a_dead_worker_left(key_client, store, live_worker):
    from orders import tasks

    long_ago = timezone.now() - dt.timedelta(hours=1)
    lost = SalesImport.objects.create(  # committed while the broker was down: no message was sent
        store=store, content=CSV.encode(), options=OPTIONS, created_at=long_ago
    )
    abandoned = SalesImport.objects.create(  # its worker died mid-import an hour ago
        store=store,
        content=CSV.encode(),
        options=OPTIONS,
        created_at=long_ago,
        status="running",
        started_at=long_ago,
    )
    fresh = SalesImport.objects.create(
        store=store, content=CSV.encode(), options=OPTIONS
    )  # its message is on its way
    assert tasks.sales_imports_resume.apply().get() == 2
    assert {_finished(key_client, lost.pk)["status"], _finished(key_client, abandoned.pk)["status"]} == {
        "done"
    }
    # Both read the same file: the second adds nothing (A1 and A2 are there once).
    assert Order.objects.filter(store=store, channel="import").count() == 2
    assert SalesImport.objects.get(pk=fresh.pk).status == "queued"


@pytest.mark.django_db  # not transactional: the schedule is the migration's row
def test_beat_schedules_the_resumption():
    from django_celery_beat.models import PeriodicTask

    beat = PeriodicTask.objects.get(task="orders.tasks.sales_imports_resume")
    assert (beat.interval.every, beat.interval.period, beat.queue, beat.expire_seconds) == (
        5,
        "minutes",
        "default",
        240,
    )
