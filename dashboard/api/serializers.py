"""Query and output shapes of the dashboard's endpoints (for the schema, and to render Decimals as
strings)."""

from rest_framework import serializers

from analytics.api.serializers import PeriodQuery  # noqa: F401 (re-exported for the views)
from restaurant_ops.api import fields as bounded

MONEY = {"max_digits": 14, "decimal_places": 2, "allow_null": True}
PCT = {"max_digits": 7, "decimal_places": 1, "allow_null": True}


class PriceHistoryQuery(PeriodQuery):
    ingredient = serializers.IntegerField(required=False, help_text="Ingredient id")


class WeekQuery(PeriodQuery):
    week = bounded.DateField(
        required=False, help_text="Any day of the week (Monday-based); default next week"
    )


class Figures(serializers.Serializer):
    sales = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()
    average_check = serializers.DecimalField(**MONEY)
    gross_margin_pct = serializers.DecimalField(**PCT, help_text="over the sales whose food cost is known")
    costs_known_share = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    labour_pct = serializers.DecimalField(**PCT)


class Usual(serializers.Serializer):
    sales = serializers.DecimalField(**MONEY)
    orders = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    average_check = serializers.DecimalField(**MONEY)
    days = serializers.ListField(child=bounded.DateField())


class LastWeek(serializers.Serializer):
    sales = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()


class TrendDay(Figures):
    day = bounded.DateField()
    labour_cost = serializers.DecimalField(**MONEY)
    same_day_last_week_sales = serializers.DecimalField(**MONEY)
    four_week_average_sales = serializers.DecimalField(**MONEY)


class GrossProfitChange(serializers.Serializer):
    previous = serializers.ListField(child=serializers.DateField(), help_text="first and last business day")
    current = serializers.ListField(child=serializers.DateField())
    gp0 = serializers.DecimalField(**MONEY)
    gp1 = serializers.DecimalField(**MONEY)
    change = serializers.DecimalField(**MONEY)
    change_pct = serializers.DecimalField(**PCT)
    known_share = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


class OverviewOut(serializers.Serializer):
    store = serializers.CharField()
    currency = serializers.CharField()
    today = bounded.DateField()
    as_of = bounded.DateTimeField()
    today_so_far = Figures()
    usual = Usual()
    same_day_last_week = LastWeek()
    labour_target_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    start = bounded.DateField()
    end = bounded.DateField()
    trend = TrendDay(many=True)
    gross_profit = GrossProfitChange(
        allow_null=True, help_text="month to date vs the same days of last month, as the margin waterfall"
    )
    has_data = serializers.BooleanField()


class TicketTimeRow(serializers.Serializer):
    station_id = serializers.IntegerField()
    station = serializers.CharField()
    hour = serializers.IntegerField(help_text="Store-local hour the ticket was queued")
    tickets = serializers.IntegerField()
    average_minutes = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    longest_minutes = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class ListPriceRow(serializers.Serializer):
    ingredient_id = serializers.IntegerField()
    ingredient = serializers.CharField()
    unit = serializers.CharField()
    supplier_id = serializers.IntegerField()
    supplier = serializers.CharField()
    effective_from = bounded.DateField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=6, help_text="Per base unit")
    buying_unit = serializers.CharField(help_text="The unit suppliers quote: kg for g, l for ml, pcs")
    price_per_buying_unit = serializers.DecimalField(max_digits=14, decimal_places=2)
    change_pct = serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text="Change from the price it replaced, %"
    )


class ReceiptPriceRow(serializers.Serializer):
    ingredient_id = serializers.IntegerField()
    ingredient = serializers.CharField()
    supplier_id = serializers.IntegerField(allow_null=True)
    supplier = serializers.CharField()
    day = bounded.DateField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, help_text="Per base unit")
    buying_unit = serializers.CharField()
    price_per_buying_unit = serializers.DecimalField(max_digits=14, decimal_places=2)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)


class PriceHistoryOut(serializers.Serializer):
    list_prices = ListPriceRow(many=True)
    receipts = ReceiptPriceRow(many=True)


class PlanHour(serializers.Serializer):
    position_id = serializers.IntegerField()
    position = serializers.CharField()
    hour_start = bounded.DateTimeField()
    needed = serializers.IntegerField()
    scheduled = serializers.IntegerField()
    difference = serializers.IntegerField(help_text="Scheduled − needed")
    forecast_load = serializers.DecimalField(max_digits=9, decimal_places=2)


class PlanSuggestion(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=["gap", "surplus"])
    position_id = serializers.IntegerField()
    position_name = serializers.CharField()
    start = bounded.DateTimeField()
    end = bounded.DateTimeField()
    count = serializers.IntegerField()
    needed = serializers.IntegerField()
    scheduled = serializers.IntegerField()
    peak_load = serializers.DecimalField(max_digits=9, decimal_places=2)
    capacity = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    message = serializers.CharField()


class StaffingPlanOut(serializers.Serializer):
    week_start = bounded.DateField()
    hours = PlanHour(many=True)
    suggestions = PlanSuggestion(many=True)


class MarginMonth(serializers.Serializer):
    month = bounded.DateField(help_text="first day of the period (= start)")
    start = bounded.DateField()
    end = bounded.DateField()
    quantity = serializers.IntegerField()
    revenue = serializers.DecimalField(**MONEY)
    food_cost = serializers.DecimalField(**MONEY)
    gross_profit = serializers.DecimalField(**MONEY)
    margin_pct = serializers.DecimalField(**PCT)
    costs_known_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, required=False
    )


class MarginItem(MarginMonth):
    menu_item_id = serializers.IntegerField()
    name = serializers.CharField()
    costs_known = serializers.BooleanField()


class MarginOut(serializers.Serializer):
    costs_known = serializers.BooleanField()
    by_month = MarginMonth(many=True)
    by_item = MarginItem(many=True)
