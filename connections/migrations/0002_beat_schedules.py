"""The outbox's Celery beat schedules, editable in the admin afterwards (django-celery-beat): the
drain every 30 s picks up work owed while the broker or the worker was down."""

import json

from django.db import migrations

SCHEDULES = [
    # (name, task, interval (every, period) or None, crontab (minute, hour) or None)
    ("connections: drain the outbox", "connections.tasks.outbox_drain", (30, "seconds"), None),
    ("connections: purge the delivered outbox", "connections.tasks.outbox_purge", None, ("10", "4")),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, interval, cron in SCHEDULES:
        fields = {"task": task, "kwargs": json.dumps({}), "queue": "default", "enabled": True}
        if interval:
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(every=interval[0], period=interval[1])
        else:
            fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=cron[0], hour=cron[1], day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC")
        PeriodicTask.objects.update_or_create(name=name, defaults=fields)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
