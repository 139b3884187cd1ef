import django_filters

from restaurant_ops.api import filters as bounded
from staffing.models import Availability, Shift, StaffingRequirement, StaffMember, TimeClockEntry


class StaffMemberFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    position = bounded.IdFilter(field_name="positions")

    class Meta:
        model = StaffMember
        fields = ["store", "is_active", "user", "position"]


class AvailabilityFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="staff__store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Availability
        fields = ["store", "staff", "weekday"]


class ShiftFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    date_from = bounded.DateFilter(
        field_name="business_date", lookup_expr="gte", label="First business day (inclusive)"
    )
    date_to = bounded.DateFilter(
        field_name="business_date", lookup_expr="lte", label="Last business day (inclusive)"
    )
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Shift
        fields = ["store", "staff", "position", "week_start", "source"]


class TimeClockEntryFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    date_from = bounded.DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = bounded.DateFilter(field_name="business_date", lookup_expr="lte")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    open = django_filters.BooleanFilter(
        field_name="clock_out", lookup_expr="isnull", label="Still clocked in"
    )

    class Meta:
        model = TimeClockEntry
        fields = ["store", "staff", "position"]


class StaffingRequirementFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    hour_from = bounded.IsoDateTimeFilter(field_name="hour_start", lookup_expr="gte")
    hour_to = bounded.IsoDateTimeFilter(field_name="hour_start", lookup_expr="lt")
    computed_since = bounded.IsoDateTimeFilter(field_name="computed_at", lookup_expr="gte")

    class Meta:
        model = StaffingRequirement
        fields = ["store", "position"]
