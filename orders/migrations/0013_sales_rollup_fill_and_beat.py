"""Fills the sales rollup from the orders already written (compacted rows), and has beat compact it every
5 minutes and make its monthly partitions three months ahead every day (editable in the admin).

The fill calls today's `sales_rollup_rebuild` (not a frozen copy of it): it reads the order tables as
this release defines them, which is what the rollup must agree with."""

import datetime as dt

from django.db import migrations

COMPACT = "orders: compact the sales rollup every 5 minutes"
PARTITIONS = "orders: sales rollup partitions three months ahead, daily"


def fill(apps, schema_editor):
    from orders.services.rollup import sales_rollup_partitions_ahead, sales_rollup_rebuild

    sales_rollup_partitions_ahead(today=dt.date.today())
    Store = apps.get_model("restaurant_ops", "Store")
    for pk, time_zone in Store.objects.filter(orders__isnull=False).distinct().values_list("pk", "time_zone"):
        sales_rollup_rebuild(store_id=pk, time_zone=time_zone)


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=COMPACT,
        defaults={
            "task": "orders.tasks.sales_rollup_compact",
            "interval": every_five,
            "kwargs": "{}",
            "queue": "default",
            "expire_seconds": 240,
            "enabled": True,
        },
    )
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="20", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.update_or_create(
        name=PARTITIONS,
        defaults={
            "task": "orders.tasks.sales_rollup_partitions_ahead",
            "crontab": nightly,
            "kwargs": "{}",
            "queue": "default",
            "expire_seconds": 3600,
            "enabled": True,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[COMPACT, PARTITIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_sales_rollup"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
