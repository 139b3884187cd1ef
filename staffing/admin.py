from django.contrib import admin

from .models import (
    Availability,
    DaysOff,
    Position,
    Shift,
    StaffingRequirement,
    StaffingTarget,
    StaffMember,
    TimeClockEntry,
    WeekSchedule,
)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "load_kind", "productivity_target", "min_staff_per_open_hour"]
    list_filter = ["store"]


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0


class DaysOffInline(admin.TabularInline):
    model = DaysOff
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "user", "hourly_cost", "is_active"]
    list_filter = ["store", "is_active"]
    filter_horizontal = ["positions"]
    inlines = [AvailabilityInline, DaysOffInline]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    """Read-mostly: shifts are created and moved through the schedule page or the API (conflict rules)."""

    list_display = ["staff", "position", "start", "end", "business_date", "source"]
    list_filter = ["store", "position", "source"]
    date_hierarchy = "business_date"
    readonly_fields = [
        "store",
        "staff",
        "position",
        "start",
        "end",
        "business_date",
        "minutes",
        "hourly_cost",
        "source",
        "created_by",
    ]


@admin.register(WeekSchedule)
class WeekScheduleAdmin(admin.ModelAdmin):
    list_display = ["store", "week_start", "published_at"]
    list_filter = ["store"]


@admin.register(TimeClockEntry)
class TimeClockEntryAdmin(admin.ModelAdmin):
    list_display = ["staff", "position", "clock_in", "clock_out", "minutes"]
    list_filter = ["store"]


admin.site.register(StaffingTarget)


@admin.register(StaffingRequirement)
class StaffingRequirementAdmin(admin.ModelAdmin):
    list_display = ["position", "hour_start", "needed_staff", "forecast_load", "computed_at"]
    list_filter = ["store", "position"]
