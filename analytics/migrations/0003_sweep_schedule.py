"""Beat schedule for the sweeper of JobRuns a dead worker left "running" (editable in the admin)."""

from django.db import migrations

NAME = "analytics: sweep job runs left running"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={"task": "analytics.tasks.sweep_job_runs", "kwargs": "{}", "queue": "analytics",
                  "interval": interval, "enabled": True},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_beat_schedules")]
    operations = [migrations.RunPython(create, remove)]
