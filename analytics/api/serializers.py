import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.models import Insight
from analytics.registry import JOBS
from inventory.selectors import purchase_order_proposals
from restaurant_ops.api import fields as bounded
from restaurant_ops.api.serializers import InputSerializer

MAX_SPAN_DAYS = 800


class PeriodQuery(serializers.Serializer):
    """Query parameters shared by the analyses: the store and an inclusive range of business days."""

    store = serializers.SlugField(required=False, help_text="Store slug (optional with one store)")
    start = bounded.DateField(required=False, help_text="First business day (store-local, inclusive)")
    end = bounded.DateField(required=False, help_text="Last business day (store-local, inclusive)")

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"end": [_("The end is before the start.")]}, code="invalid_range"
            )
        if start and end and (end - start).days > MAX_SPAN_DAYS:
            raise serializers.ValidationError(
                {"end": [_("At most %(n)d days at once.") % {"n": MAX_SPAN_DAYS}]}, code="too_long"
            )
        return attrs


class BestSellersQuery(PeriodQuery):
    by = serializers.ChoiceField(choices=["quantity", "revenue", "profit"], default="quantity")
    limit = serializers.IntegerField(min_value=1, max_value=500, default=10)
    category = serializers.IntegerField(required=False, help_text="Menu category id")
    by_daypart = serializers.BooleanField(default=False)


class SalesQuery(PeriodQuery):
    period = serializers.ChoiceField(choices=["day", "week", "month"], default="day")


class MarginQuery(PeriodQuery):
    previous_start = bounded.DateField(required=False)
    previous_end = bounded.DateField(required=False)


class BestSellerRow(serializers.Serializer):
    menu_item_id = serializers.IntegerField()
    name = serializers.CharField()
    category_id = serializers.IntegerField()
    category = serializers.CharField()
    daypart = serializers.CharField(required=False)
    quantity = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    gross_profit = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="null when the item's food cost is unknown",
    )
    costs_known = serializers.BooleanField(
        help_text="false when the item has no recipe or an ingredient no cost"
    )


class SalesRow(serializers.Serializer):
    period = bounded.DateField(help_text="First business day of the period")
    orders = serializers.IntegerField()
    quantity = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)


class BusyHourRow(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday, of the business day")
    hour = serializers.IntegerField(help_text="Store-local clock hour")
    orders = serializers.IntegerField()
    trading_days = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Orders per trading day")
    forecast = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)


class ForecastRow(serializers.Serializer):
    menu_item = serializers.IntegerField(allow_null=True, help_text="Empty for the orders forecast")
    weekday = serializers.IntegerField()
    hour = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=3)


class AccuracyRow(serializers.Serializer):
    level = serializers.CharField(help_text="orders_hour (staffing) or item_daypart (prep)")
    method = serializers.CharField()
    wape = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    mase = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    served = serializers.BooleanField(help_text="The back-test's winner, whose forecast is stored")
    weeks_of_history = serializers.IntegerField()


class QualityRow(serializers.Serializer):
    level = serializers.CharField()
    served = serializers.CharField(allow_null=True)
    beats_baselines = serializers.BooleanField(allow_null=True)
    message = serializers.CharField(help_text="One plain sentence for the owner, in the reader's language")


class ForecastResponse(serializers.Serializer):
    cells = ForecastRow(many=True)
    accuracy = AccuracyRow(many=True)
    quality = QualityRow(many=True)


class MenuEngineeringRow(serializers.Serializer):
    menu_item_id = serializers.IntegerField()
    name = serializers.CharField()
    category_id = serializers.IntegerField()
    category = serializers.CharField()
    quantity = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=6, decimal_places=4)
    items_in_category = serializers.IntegerField(
        help_text="N: every item of the category on the menu, sold or not"
    )
    contribution_margin = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    average_margin = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    costs_known = serializers.BooleanField()
    popular = serializers.BooleanField()
    profitable = serializers.BooleanField(allow_null=True)
    quadrant = serializers.ChoiceField(choices=["star", "plowhorse", "puzzle", "dog", "unknown"])


class ProposalLine(serializers.Serializer):
    ingredient_id = serializers.IntegerField()
    ingredient = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    pack_size = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    packs = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=6)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class Proposal(serializers.Serializer):
    id = serializers.IntegerField()
    supplier = serializers.CharField()
    status = serializers.CharField()
    expected_on = serializers.DateField(allow_null=True)
    lines = ProposalLine(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class InsightSerializer(serializers.ModelSerializer):
    """An insight; `proposal` is the purchase order its `send_po` action sends, as it stands now. A list
    passes the proposals of its page in the context ("proposals") to read them in one go."""

    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    proposal = serializers.SerializerMethodField()
    acted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    dismissed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    message = serializers.CharField(read_only=True, help_text="Rendered in the request's language")

    class Meta:
        model = Insight
        fields = [
            "id",
            "store",
            "kind",
            "severity",
            "subject",
            "state",
            "message_key",
            "numbers",
            "message",
            "job_run",
            "created_at",
            "updated_at",
            "acknowledged_at",
            "acted_at",
            "action_type",
            "action_object_type",
            "action_object_id",
            "action_detail",
            "acted_by",
            "dismissed_at",
            "dismiss_reason",
            "dismissed_by",
            "resolved_at",
            "metric",
            "window_days",
            "metric_before",
            "metric_after",
            "metric_spread",
            "verdict",
            "evaluated_at",
            "proposal",
        ]

    @extend_schema_field(Proposal(allow_null=True))
    def get_proposal(self, insight) -> dict | None:
        po_id = (insight.numbers or {}).get("purchase_order_id")
        if not po_id:
            return None
        proposals = self.context.get("proposals")
        if proposals is None:
            proposals = purchase_order_proposals(store=insight.store, purchase_order_ids=[int(po_id)])
        proposal = proposals.get(int(po_id))
        return Proposal(proposal).data if proposal else None


class DismissInput(InputSerializer):
    reason = serializers.CharField(max_length=200)


class ActInput(InputSerializer):
    """What to do about an insight; the fields an action does not use are ignored."""

    action = serializers.ChoiceField(
        choices=[
            "send_po",
            "apply_staffing",
            "supplier",
            "menu_price",
            "add_prep",
            "pause_dish",
            "acknowledge",
            "dismiss",
            "done",
        ],
        help_text="send_po: send the draft purchase order the insight proposes; apply_staffing: add the "
        "suggested shift(s) for `staff` (or `staff_list`); supplier: record a negotiated `price` for "
        "`supplier_item` and/or "
        "`switch` to it; menu_price: set `menu_item`'s `price`; add_prep: the prep task a complaint spike "
        "proposes (`quantity` may change it); pause_dish: take the complained-of dish off the menu; "
        "acknowledge; dismiss (`reason`); done: "
        "something done outside the system (`note`)",
    )
    staff = serializers.IntegerField(required=False, allow_null=True, help_text="Staff member id")
    staff_list = serializers.ListField(
        child=serializers.RegexField(r"^(open|[0-9]{1,12})$", max_length=12),
        required=False,
        allow_null=True,
        max_length=50,
        help_text="apply_staffing on a card of several shifts: one entry per shift the card lists (its "
        '`numbers.suggestions`, each repeated `count` times), a staff member id or "open" to publish '
        "that shift as an open shift",
    )
    supplier_item = serializers.IntegerField(required=False, allow_null=True, help_text="Supplier item id")
    menu_item = serializers.IntegerField(required=False, allow_null=True, help_text="Menu item id")
    # Not quantized here (a supplier's price has up to 6 places, a menu price 2): the service that takes
    # it checks the places, and records the price as it was given.
    price = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        max_value=Decimal("99999999"),
        required=False,
        allow_null=True,
        help_text="A decimal such as 3.40 (a menu price in whole cents)",
    )
    switch = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10000)


def default_range(attrs: dict, today: dt.date, days: int = 30) -> tuple[dt.date, dt.date]:
    end = attrs.get("end") or today
    start = attrs.get("start") or end - dt.timedelta(days=days - 1)
    if start > end:
        start = end
    if (end - start).days > MAX_SPAN_DAYS:  # a start years back with `end` left to default to today
        raise serializers.ValidationError({"end": [_("At most %(n)d days at once.") % {"n": MAX_SPAN_DAYS}]})
    return start, end


class StockCoverRow(serializers.Serializer):
    ingredient_id = serializers.IntegerField()
    ingredient = serializers.CharField()
    unit = serializers.CharField()
    on_hand = serializers.DecimalField(max_digits=14, decimal_places=3)
    on_order = serializers.DecimalField(max_digits=14, decimal_places=3)
    daily_usage = serializers.DecimalField(max_digits=14, decimal_places=3)
    sigma = serializers.DecimalField(max_digits=14, decimal_places=3)
    reorder_point = serializers.DecimalField(max_digits=14, decimal_places=3)
    par = serializers.DecimalField(max_digits=14, decimal_places=3)
    days_left = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    lead_time = serializers.IntegerField()
    supplier = serializers.CharField(allow_null=True)
    reorder_point_days = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        allow_null=True,
        help_text="The reorder point in days of cover at the daily usage of days_left (null without usage)",
    )
    buying_unit = serializers.CharField(help_text="The unit the ingredient is bought in: kg for g, l for ml")
    buying_unit_size = serializers.DecimalField(max_digits=10, decimal_places=0, help_text="In base units")


class MarginShare(serializers.Serializer):
    previous = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    current = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


class MarginResponse(serializers.Serializer):
    previous = serializers.ListField(child=bounded.DateField())
    current = serializers.ListField(child=bounded.DateField())
    gp0 = serializers.DecimalField(max_digits=14, decimal_places=2)
    gp1 = serializers.DecimalField(max_digits=14, decimal_places=2)
    change = serializers.DecimalField(max_digits=14, decimal_places=2)
    change_pct = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, help_text="% of gp0; null when gp0 ≤ 0"
    )
    known_share = MarginShare(help_text="share of each period's revenue whose food cost is known (0–1)")
    parts = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        help_text="volume, mix, price, recipe and ingredient:<id>; they sum to change",
    )
    part_names = serializers.DictField(
        child=serializers.CharField(),
        help_text="each part's name: sales volume, mix, menu price, …, ingredients",
    )


class LabourQuery(serializers.Serializer):
    store = serializers.SlugField(required=False)
    week = bounded.DateField(required=False, help_text="Any business day of the week (default: this week)")


class LabourRow(serializers.Serializer):
    day = bounded.DateField()
    sales = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast_sales = serializers.DecimalField(max_digits=14, decimal_places=2)
    scheduled_hours = serializers.DecimalField(max_digits=10, decimal_places=2)
    scheduled_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual_hours = serializers.DecimalField(max_digits=10, decimal_places=2)
    actual_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    labour_pct_of_sales = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    labour_pct_of_forecast = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    sales_per_labour_hour = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="future days: forecast sales per scheduled hour",
    )
    basis = serializers.ChoiceField(
        choices=["day", "so_far", "forecast"],
        help_text="day: the whole day; so_far: today, labour of the hours elapsed; forecast: a future day",
    )


class RunInput(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug (optional with one store)")
    at = serializers.DateTimeField(
        required=False,
        help_text="Run as of this moment (ISO 8601; default: when the worker runs it). Not in the future.",
    )
    jobs = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, allow_empty=False, max_length=20
    )

    def validate_at(self, value):
        if value > timezone.now():
            raise serializers.ValidationError(
                _("Analyses cannot run as of a moment in the future."), "future"
            )
        if value.year < 2000:
            raise serializers.ValidationError(_("Give a moment after 2000."), "too_early")
        return value

    def validate_jobs(self, value):
        known = list(JOBS)
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown job(s): %(jobs)s. Jobs: %(known)s.")
                % {"jobs": ", ".join(unknown), "known": ", ".join(known)},
                "unknown_job",
            )
        return list(dict.fromkeys(value))


class JobRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    job = serializers.CharField()
    store = serializers.CharField(source="store.slug", help_text="Store slug")
    outcome = serializers.CharField(help_text="queued, running, success, failure or skipped")
    as_of = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField()
    duration = serializers.DurationField(allow_null=True)
    error = serializers.CharField()
    result = serializers.JSONField(help_text="For a requested run: its jobs and each one's outcome")
