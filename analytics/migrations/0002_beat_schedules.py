"""The analyses' Celery beat schedules, editable in the admin afterwards (django-celery-beat)."""

import json

from django.db import migrations

SCHEDULES = [
    # (name, task, kwargs, interval minutes or None, crontab (minute, hour) or None)
    ("analytics: analyses every 5 minutes", "analytics.tasks.run_analyses", {"only_open": True}, 5, None),
    ("analytics: nightly full run", "analytics.tasks.nightly", {}, None, ("30", "3")),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, kwargs, minutes, cron in SCHEDULES:
        fields = {"task": task, "kwargs": json.dumps(kwargs), "queue": "analytics", "enabled": True}
        if minutes:
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        else:
            fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=cron[0], hour=cron[1], day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC")
        PeriodicTask.objects.update_or_create(name=name, defaults=fields)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
