from decimal import Decimal

from rest_framework import serializers

from restaurant_ops.api import fields as bounded
from restaurant_ops.api.serializers import InputSerializer
from staffing.models import Availability, Position, Shift, StaffingRequirement, StaffMember, TimeClockEntry


class PositionSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "store",
            "name",
            "load_kind",
            "productivity_target",
            "min_staff_per_open_hour",
            "updated_at",
        ]


class StaffMemberSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    positions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "store",
            "name",
            "user",
            "positions",
            "hourly_cost",
            "max_weekly_hours",
            "is_active",
            "updated_at",
        ]


class StaffMemberCreateSerializer(InputSerializer):
    store = serializers.SlugField(
        required=False, help_text="Store slug; optional with an API key or one store."
    )
    name = serializers.CharField(max_length=120)
    hourly_cost = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0"))
    positions = serializers.ListField(child=serializers.IntegerField(), max_length=50, default=list)
    max_weekly_hours = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=168,
        help_text="Suggested and open shifts never take them over this; null for no limit.",
    )
    user = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a user who is a member of the store."
    )


class StaffMemberUpdateSerializer(InputSerializer):
    name = serializers.CharField(max_length=120, required=False)
    hourly_cost = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0"), required=False
    )
    positions = serializers.ListField(child=serializers.IntegerField(), max_length=50, required=False)
    is_active = serializers.BooleanField(required=False)
    max_weekly_hours = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=168, help_text="null removes the limit"
    )


class AvailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Availability
        fields = ["id", "staff", "weekday", "start", "end", "updated_at"]
        read_only_fields = fields


class AvailabilityCreateSerializer(InputSerializer):
    staff = serializers.IntegerField()
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday")
    start = serializers.TimeField()
    end = serializers.TimeField(help_text="At or before `start` means it passes midnight.")


class ShiftSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "store",
            "staff",
            "position",
            "start",
            "end",
            "business_date",
            "week_start",
            "minutes",
            "hours",
            "hourly_cost",
            "reason",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ShiftCreateSerializer(InputSerializer):
    staff = serializers.IntegerField()
    position = serializers.IntegerField()
    start = bounded.DateTimeField()
    end = bounded.DateTimeField()
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the shift is outside opening hours.",
    )


class ShiftUpdateSerializer(InputSerializer):
    staff = serializers.IntegerField(required=False)
    position = serializers.IntegerField(required=False)
    start = bounded.DateTimeField(required=False)
    end = bounded.DateTimeField(required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TimeClockEntrySerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = TimeClockEntry
        fields = [
            "id",
            "store",
            "staff",
            "position",
            "shift",
            "clock_in",
            "clock_out",
            "business_date",
            "minutes",
            "hours",
            "hourly_cost",
            "updated_at",
        ]
        read_only_fields = fields


class ShiftClaimSerializer(InputSerializer):
    staff = serializers.IntegerField(help_text="Who takes the open shift (yourself, unless you manage staff)")


class ClockSerializer(InputSerializer):
    staff = serializers.IntegerField()
    at = bounded.DateTimeField(required=False, help_text="Defaults to now.")
    position = serializers.IntegerField(required=False, help_text="Clock-in only; defaults to the shift's.")


class StaffingRequirementSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = StaffingRequirement
        fields = ["id", "store", "position", "hour_start", "needed_staff", "forecast_load", "computed_at"]
        read_only_fields = fields
