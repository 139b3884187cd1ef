"""The morning digest's beat schedule (django-celery-beat, editable in the admin): every 5 minutes the
task sends each store's digest once its time has come (minutes before the day's first opening)."""

import json

from django.db import migrations

NAME = "connections: morning digests"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "connections.tasks.morning_digests",
            "kwargs": json.dumps({}),
            "queue": "default",
            "enabled": True,
            "interval": interval,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0004_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
