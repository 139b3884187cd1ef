from django.contrib import admin

from .models import DigestSchedule, OutboxDispatch, OutboxEvent


class DispatchInline(admin.TabularInline):
    model = OutboxDispatch
    extra = 0
    readonly_fields = ["task_name", "state", "created_at", "sent_at", "celery_task_id"]
    can_delete = False


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "subject", "store", "created_at"]
    list_filter = ["topic"]
    search_fields = ["subject"]
    readonly_fields = ["store", "topic", "subject", "payload", "created_at"]
    inlines = [DispatchInline]


@admin.register(DigestSchedule)
class DigestScheduleAdmin(admin.ModelAdmin):
    """When each store's morning digest goes out (minutes before its first opening of the day)."""

    list_display = ["store", "minutes_before_opening", "last_sent_on"]
    readonly_fields = ["last_sent_on"]
