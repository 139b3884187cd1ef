# Accuracy is recomputed by every forecast run, so the old per-series rows are replaced, not migrated.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_sweep_schedule"),
        ("restaurant_ops", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="ForecastAccuracy"),
        migrations.CreateModel(
            name="ForecastAccuracy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "level",
                    models.CharField(
                        choices=[("orders_hour", "Orders per hour"), ("item_daypart", "Items per daypart")],
                        max_length=20,
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("seasonal_naive", "Same day last week"),
                            ("flat_mean", "Average of the last 4 weeks"),
                            ("weighted", "Weighted same weekday (4-3-2-1)"),
                            ("level_weekday", "4-week average × weekday pattern"),
                            ("tsb", "Intermittent demand (TSB)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("wape", models.DecimalField(blank=True, decimal_places=4, max_digits=10, null=True)),
                ("mase", models.DecimalField(blank=True, decimal_places=4, max_digits=10, null=True)),
                ("served", models.BooleanField(default=False)),
                ("weeks_of_history", models.PositiveSmallIntegerField(default=0)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="forecast_accuracy",
                        to="restaurant_ops.store",
                    ),
                ),
            ],
            options={
                "ordering": ["level", "method"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "level", "method"), name="uniq_forecast_accuracy_method"
                    )
                ],
            },
        ),
    ]
