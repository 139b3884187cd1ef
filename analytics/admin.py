from django.contrib import admin

from .models import AnalysisSettings, DemandForecast, ForecastAccuracy, Insight, JobRun


@admin.register(AnalysisSettings)
class AnalysisSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "store",
        "margin_drop_threshold",
        "switch_threshold",
        "negotiate_threshold",
        "price_change_threshold",
        "price_change_high",
        "service_level_z",
    ]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "store", "started_at", "duration", "outcome"]
    list_filter = ["job", "outcome", "store"]
    readonly_fields = [f.name for f in JobRun._meta.fields]


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "store", "severity", "state", "updated_at", "job_run"]
    list_filter = ["kind", "state", "severity", "store"]
    search_fields = ["subject", "message_key"]
    raw_id_fields = ["job_run", "acknowledged_by"]


@admin.register(ForecastAccuracy)
class ForecastAccuracyAdmin(admin.ModelAdmin):
    list_display = ["store", "level", "method", "wape", "mase", "served", "weeks_of_history", "computed_at"]
    list_filter = ["store", "level", "served"]


@admin.register(DemandForecast)
class DemandForecastAdmin(admin.ModelAdmin):
    list_display = ["store", "menu_item", "weekday", "hour", "quantity"]
    list_filter = ["store", "weekday"]
