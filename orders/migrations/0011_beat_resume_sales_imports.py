"""Beat hands queued or abandoned sales imports to the worker every 5 minutes (editable in the admin)."""

from django.db import migrations

NAME = "orders: resume sales imports every 5 minutes"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "orders.tasks.sales_imports_resume",
            "interval": every_five,
            "kwargs": "{}",
            "queue": "default",
            "expire_seconds": 240,  # a backlog after an outage does not replay stale runs
            "enabled": True,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_sales_imports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
