"""The sales rollup (docs/sales-rollup.md). Django models no partitioning, so the table is created by an
operation that is Django's own CreateModel everywhere but on PostgreSQL, where it writes the table
partitioned by month of business_date (a default partition catches months not made ahead; beat makes
them, `sales_rollup_partitions_ahead`). The model state is the same on both: Django reads and writes the
parent table as any other; only the primary key differs ((id, business_date), as PostgreSQL requires of
a partitioned table), which nothing relies on: no foreign key points at the rollup."""

from decimal import Decimal

from django.db import migrations, models

TABLE = "orders_salesrollup"


class CreateModelPartitionedOnPostgres(migrations.CreateModel):
    """CreateModel; on PostgreSQL, the same columns and indexes on a table partitioned by month."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(
            f'CREATE TABLE "{TABLE}" ('
            '"id" bigserial NOT NULL, "business_date" date NOT NULL, '
            '"hour" smallint NOT NULL CHECK ("hour" >= 0), "quantity" integer NOT NULL, '
            '"net_sales" numeric(20, 6) NOT NULL, "orders" integer NOT NULL, "compacted" boolean NOT NULL, '
            '"menu_item_id" bigint NULL, "store_id" bigint NOT NULL, '
            'PRIMARY KEY ("id", "business_date")) PARTITION BY RANGE ("business_date")'
        )
        schema_editor.execute(f'CREATE TABLE "{TABLE}_default" PARTITION OF "{TABLE}" DEFAULT')
        schema_editor.execute(f'CREATE INDEX "rollup_store_day" ON "{TABLE}" ("store_id", "business_date")')
        schema_editor.execute(
            f'CREATE INDEX "rollup_fresh" ON "{TABLE}" ("store_id", "business_date") WHERE NOT "compacted"'
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(f'DROP TABLE "{TABLE}" CASCADE')  # and every partition


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0011_beat_resume_sales_imports"),
        ("restaurant_ops", "0007_api_account_key_and_updated_at"),
    ]

    operations = [
        CreateModelPartitionedOnPostgres(
            name="SalesRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("business_date", models.DateField()),
                ("hour", models.PositiveSmallIntegerField()),
                ("quantity", models.IntegerField(default=0)),
                ("net_sales", models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=20)),
                ("orders", models.IntegerField(default=0)),
                ("compacted", models.BooleanField(default=False)),
                (
                    "menu_item",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orders.menuitem",
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
                    models.Index(fields=["store", "business_date"], name="rollup_store_day"),
                    models.Index(
                        condition=models.Q(("compacted", False)), fields=["store", "business_date"], name="rollup_fresh"
                    ),
                ],
            },
        ),
    ]
