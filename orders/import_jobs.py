"""Sales-history import as a job: the API stores the upload and answers at once; the worker reads it
with the same importer as `manage.py import_sales` and the upload page (`orders/importing.py`), and
records its counts and each bad line. The job row is written in the request's transaction and is the
record that the work is owed: the worker is nudged once it commits, and `sales_imports_resume` (beat)
hands over what a broker outage or a dead worker left behind."""

import datetime as dt
import io
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError, DomainErrors, error_list
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user

from .importing import FIELDS, sales_import
from .models import SalesImport, SalesImportError

logger = logging.getLogger(__name__)
ENCODINGS = ("utf-8-sig", "utf-8", "gb18030", "cp1252", "latin-1")


def _enqueue(job_id: int) -> None:
    try:  # by name: the task module calls this one
        current_app.send_task("orders.tasks.sales_import_run", args=[job_id])
    except Exception:  # noqa: BLE001 - the broker is down: the job stays queued (its row says so)
        logger.warning("broker unreachable: sales import %s stays queued", job_id)


@transaction.atomic
def sales_import_queue(
    *,
    store: Store,
    content: bytes,
    filename: str = "",
    mapping: dict[str, str] | None = None,
    date_format: str | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    strict: bool = False,
    by=None,
) -> SalesImport:
    """Checks what can be checked without reading the file (size, fields of the mapping, encoding,
    delimiter), stores the upload as a queued job and hands it to the worker once committed."""
    if not content:
        raise DomainError("file", "empty", _("The file is empty."))
    if len(content) > settings.SALES_IMPORT_MAX_BYTES:
        raise DomainError(
            "file",
            "too_large",
            _("A sales file may be at most %(mb)d MB.")
            % {"mb": settings.SALES_IMPORT_MAX_BYTES // 1_000_000},
        )
    unknown = sorted(set(mapping or {}) - set(FIELDS))
    if unknown:
        raise DomainError(
            "map",
            "unknown_field",
            _("Unknown field(s): %(f)s. Fields: %(all)s.")
            % {"f": ", ".join(unknown), "all": ", ".join(FIELDS)},
        )
    if encoding not in ENCODINGS:
        raise DomainError(
            "encoding", "invalid_choice", _("Encoding: one of %(all)s.") % {"all": ", ".join(ENCODINGS)}
        )
    delimiter = "\t" if delimiter in ("\\t", "tab") else delimiter
    if len(delimiter) != 1:
        raise DomainError("delimiter", "invalid", _("The delimiter is one character (or tab)."))
    job = SalesImport.objects.create(
        store=store,
        filename=filename[:200],
        content=content,
        options={
            "mapping": mapping or {},
            "date_format": date_format or None,
            "delimiter": delimiter,
            "encoding": encoding,
            "strict": strict,
        },
        created_by=acting_user(by),
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def sales_import_run(*, job_id: int) -> SalesImport | None:
    """Runs one queued job (a job already taken by another worker, or finished, is left alone)."""
    with transaction.atomic():
        job = (
            SalesImport.objects.select_for_update(skip_locked=True)
            .select_related("store")
            .filter(pk=job_id, status=SalesImport.Status.QUEUED)
            .first()
        )
        if job is None:
            return None
        job.status, job.started_at = SalesImport.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
    options = job.options
    try:
        text = bytes(job.content).decode(options["encoding"])
        report = sales_import(
            store=job.store,
            stream=io.StringIO(text, newline=""),
            mapping=options["mapping"],
            date_format=options["date_format"],
            delimiter=options["delimiter"],
            strict=options["strict"],
        )
    except UnicodeDecodeError:
        return _failed(
            job,
            _("The file is not in %(e)s: choose its encoding (often cp1252).") % {"e": options["encoding"]},
        )
    except (DomainError, DomainErrors) as error:
        return _failed(job, " ".join(str(e.message) for e in error_list(error)))
    except Exception as error:
        _failed(job, _("The import stopped: %(error)s") % {"error": type(error).__name__})
        raise
    with transaction.atomic():
        SalesImportError.objects.bulk_create(
            [
                SalesImportError(sales_import=job, line=line, reason=reason[:300])
                for line, reason in report.errors
            ],
            batch_size=1000,
        )
        job.rows, job.orders, job.lines = report.rows, report.orders, report.lines
        job.items_created, job.days, job.error_count = report.items_created, report.days, len(report.errors)
        job.status, job.finished_at = SalesImport.Status.DONE, timezone.now()
        job.save()
    return job


def _failed(job: SalesImport, reason: str) -> SalesImport:
    job.status, job.failure, job.finished_at = SalesImport.Status.FAILED, reason, timezone.now()
    job.save(update_fields=["status", "failure", "finished_at", "updated_at"])
    return job


def sales_imports_resume(*, queued_for_seconds: int = 60, running_for_minutes: int = 30) -> int:
    """Hands the worker the jobs it may never have been told about (the broker was down when the upload
    committed) and those a dead worker left running (importing again adds nothing: a line's identity is
    its order and place). Beat runs it every 5 minutes. Returns how many were handed over."""
    now = timezone.now()
    SalesImport.objects.filter(
        status=SalesImport.Status.RUNNING, started_at__lt=now - dt.timedelta(minutes=running_for_minutes)
    ).update(status=SalesImport.Status.QUEUED, updated_at=now)
    ids = list(
        SalesImport.objects.filter(
            status=SalesImport.Status.QUEUED, created_at__lt=now - dt.timedelta(seconds=queued_for_seconds)
        ).values_list("pk", flat=True)
    )
    for job_id in ids:
        _enqueue(job_id)
    return len(ids)
