"""PINs are now 6 to 8 digits. Earlier ones (4 digits allowed, and a hash does not tell the length)
are cleared: each approver sets a new PIN on the approvals page before approving again."""

from django.db import migrations


def clear(apps, schema_editor):
    apps.get_model("restaurant_ops", "Membership").objects.exclude(pin_hash="").update(pin_hash="")


class Migration(migrations.Migration):
    dependencies = [("restaurant_ops", "0005_pin_guard")]
    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
