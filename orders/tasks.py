"""Celery entry points of the orders app: each takes ids and calls a service."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import import_jobs
from .services import rollup


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=settings.SALES_IMPORT_TIME_LIMIT_SECONDS)
def sales_import_run(job_id: int) -> None:
    import_jobs.sales_import_run(job_id=job_id)


@shared_task(expires=240)
def sales_imports_resume() -> int:
    return import_jobs.sales_imports_resume()


@shared_task(expires=240)
def sales_rollup_compact() -> int:
    return rollup.sales_rollup_compact()


@shared_task(expires=3600)
def sales_rollup_partitions_ahead() -> list[str]:
    return rollup.sales_rollup_partitions_ahead(today=timezone.localdate())
