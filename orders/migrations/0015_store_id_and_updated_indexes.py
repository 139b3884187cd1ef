"""Indexes for the answer cache's data version (docs/answer-cache.md), read on every warm dashboard
request: (store, id) on both rollups, where PostgreSQL otherwise walked each monthly partition's primary
key backwards past the other stores' newer rows for the store's MAX(id) (30-40 ms on the bench's chain;
about 2 ms with it), and (store, updated_at) on orders, whose MAX(updated_at) read every order of the
store (22 ms for 40,000 orders). On the partitioned tables the index is made on every partition, and on
those made later."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0014_modifier_rollup"),
        ("restaurant_ops", "0007_api_account_key_and_updated_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="modifierrollup",
            index=models.Index(fields=["store", "id"], name="modrollup_store_id"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["store", "updated_at"], name="order_store_updated"),
        ),
        migrations.AddIndex(
            model_name="salesrollup",
            index=models.Index(fields=["store", "id"], name="rollup_store_id"),
        ),
    ]
