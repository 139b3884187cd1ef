"""The modifier rollup (docs/sales-rollup.md): portions sold with each modifier chosen, per store × item ×
modifier × business day × local hour, beside the sales rollup, partitioned the same way on PostgreSQL
(by month of business_date, a default partition for months not made ahead; the same beat task makes
both tables' partitions) and one plain table elsewhere. Then filled from the orders already written.

The fill calls today's `modifier_rollup_rebuild` (not a frozen copy of it): it reads the order tables
as this release defines them, which is what the rollup must agree with."""

import datetime as dt

from django.db import migrations, models

TABLE = "orders_modifierrollup"


class CreateModelPartitionedOnPostgres(migrations.CreateModel):
    """CreateModel; on PostgreSQL, the same columns and indexes on a table partitioned by month (as
    0012 made the sales rollup: the primary key is (id, business_date), which nothing relies on)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(
            f'CREATE TABLE "{TABLE}" ('
            '"id" bigserial NOT NULL, "business_date" date NOT NULL, '
            '"hour" smallint NOT NULL CHECK ("hour" >= 0), "quantity" integer NOT NULL, '
            '"compacted" boolean NOT NULL, "menu_item_id" bigint NOT NULL, "modifier_id" bigint NOT NULL, '
            '"store_id" bigint NOT NULL, '
            'PRIMARY KEY ("id", "business_date")) PARTITION BY RANGE ("business_date")'
        )
        schema_editor.execute(f'CREATE TABLE "{TABLE}_default" PARTITION OF "{TABLE}" DEFAULT')
        schema_editor.execute(f'CREATE INDEX "modrollup_store_day" ON "{TABLE}" ("store_id", "business_date")')
        schema_editor.execute(
            f'CREATE INDEX "modrollup_fresh" ON "{TABLE}" ("store_id", "business_date") WHERE NOT "compacted"'
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(f'DROP TABLE "{TABLE}" CASCADE')  # and every partition


def fill(apps, schema_editor):
    from orders.services.rollup import modifier_rollup_rebuild, sales_rollup_partitions_ahead

    sales_rollup_partitions_ahead(today=dt.date.today())
    Store = apps.get_model("restaurant_ops", "Store")
    OrderLineModifier = apps.get_model("orders", "OrderLineModifier")
    stores = OrderLineModifier.objects.values_list("line__order__store_id", flat=True).distinct()
    for pk, time_zone in Store.objects.filter(pk__in=stores).values_list("pk", "time_zone"):
        modifier_rollup_rebuild(store_id=pk, time_zone=time_zone)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_sales_rollup_fill_and_beat"),
        ("restaurant_ops", "0007_api_account_key_and_updated_at"),
    ]

    operations = [
        CreateModelPartitionedOnPostgres(
            name="ModifierRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("business_date", models.DateField()),
                ("hour", models.PositiveSmallIntegerField()),
                ("quantity", models.IntegerField(default=0)),
                ("compacted", models.BooleanField(default=False)),
                (
                    "menu_item",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orders.menuitem",
                    ),
                ),
                (
                    "modifier",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orders.modifier",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="restaurant_ops.store",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["store", "business_date"], name="modrollup_store_day"),
                    models.Index(
                        condition=models.Q(("compacted", False)), fields=["store", "business_date"], name="modrollup_fresh"
                    ),
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
