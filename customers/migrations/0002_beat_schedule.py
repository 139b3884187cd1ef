"""The customer analyses' nightly beat schedule (editable in the admin afterwards, django-celery-beat).
03:15 UTC: before analytics' nightly run (03:30), whose churn and complaint insights read these figures."""

import json

from django.db import migrations

NAME = "customers: nightly segments, churn and follow-up"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={"task": "customers.tasks.nightly", "kwargs": json.dumps({}), "queue": "analytics",
                  "crontab": crontab, "enabled": True},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
