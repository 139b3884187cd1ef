"""The plumbing's Celery beat schedule (editable in the admin afterwards, django-celery-beat)."""

from django.db import migrations

NAME = "restaurant_ops: purge idempotency keys hourly"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "restaurant_ops.tasks.purge_idempotency_keys",
            "interval": hourly,
            "kwargs": "{}",
            "queue": "default",
            "expire_seconds": 3000,  # a backlog does not run a stale purge twice
            "enabled": True,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("restaurant_ops", "0002_cache_table"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
