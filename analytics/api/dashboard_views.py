"""The API endpoints the dashboard adds to /api/v1/analytics/ (the same ones integrators use): overview
figures, kitchen ticket times, supplier price history, the staffing plan (needed vs scheduled), labour %
by day, and gross margin by item and month. Read-only, scoped to the caller's stores; a session user
needs the dashboard permission of the store."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import dashboard_selectors
from analytics.api.serializers import PeriodQuery
from restaurant_ops.api.permissions import HasStoreAccess
from restaurant_ops.api.scoping import require, resolve_store
from restaurant_ops.permissions import Perm
from restaurant_ops.timeutils import business_date

MONEY = {"max_digits": 14, "decimal_places": 2, "allow_null": True}
PCT = {"max_digits": 7, "decimal_places": 1, "allow_null": True}


class PriceHistoryQuery(PeriodQuery):
    ingredient = serializers.IntegerField(required=False, help_text="Ingredient id")


class WeekQuery(PeriodQuery):
    week = serializers.DateField(
        required=False, help_text="Any day of the week (Monday-based); default next week"
    )


# --- output shapes (for the schema, and to render Decimals as strings) ----------------------------------


class Figures(serializers.Serializer):
    sales = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()
    average_check = serializers.DecimalField(**MONEY)
    gross_margin_pct = serializers.DecimalField(**PCT)
    labour_pct = serializers.DecimalField(**PCT)


class Usual(serializers.Serializer):
    sales = serializers.DecimalField(**MONEY)
    orders = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    average_check = serializers.DecimalField(**MONEY)
    days = serializers.ListField(child=serializers.DateField())


class LastWeek(serializers.Serializer):
    sales = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()


class TrendDay(Figures):
    day = serializers.DateField()
    labour_cost = serializers.DecimalField(**MONEY)
    same_day_last_week_sales = serializers.DecimalField(**MONEY)
    four_week_average_sales = serializers.DecimalField(**MONEY)


class OverviewOut(serializers.Serializer):
    store = serializers.CharField()
    currency = serializers.CharField()
    today = serializers.DateField()
    as_of = serializers.DateTimeField()
    today_so_far = Figures()
    usual = Usual()
    same_day_last_week = LastWeek()
    labour_target_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    trend = TrendDay(many=True)
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
    effective_from = serializers.DateField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=6)


class ReceiptPriceRow(serializers.Serializer):
    ingredient_id = serializers.IntegerField()
    ingredient = serializers.CharField()
    supplier_id = serializers.IntegerField(allow_null=True)
    supplier = serializers.CharField()
    day = serializers.DateField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)


class PriceHistoryOut(serializers.Serializer):
    list_prices = ListPriceRow(many=True)
    receipts = ReceiptPriceRow(many=True)


class PlanHour(serializers.Serializer):
    position_id = serializers.IntegerField()
    position = serializers.CharField()
    hour_start = serializers.DateTimeField()
    needed = serializers.IntegerField()
    scheduled = serializers.IntegerField()
    difference = serializers.IntegerField(help_text="Scheduled − needed")
    forecast_load = serializers.DecimalField(max_digits=9, decimal_places=2)


class PlanSuggestion(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=["gap", "surplus"])
    position_id = serializers.IntegerField()
    position_name = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    count = serializers.IntegerField()
    needed = serializers.IntegerField()
    scheduled = serializers.IntegerField()
    peak_load = serializers.DecimalField(max_digits=9, decimal_places=2)
    capacity = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    message = serializers.CharField()


class StaffingPlanOut(serializers.Serializer):
    week_start = serializers.DateField()
    hours = PlanHour(many=True)
    suggestions = PlanSuggestion(many=True)


class LabourDay(serializers.Serializer):
    day = serializers.DateField()
    sales = serializers.DecimalField(**MONEY)
    labour_cost = serializers.DecimalField(**MONEY)
    labour_pct = serializers.DecimalField(**PCT)


class LabourOut(serializers.Serializer):
    target_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    days = LabourDay(many=True)


class MarginMonth(serializers.Serializer):
    month = serializers.DateField()
    quantity = serializers.IntegerField()
    revenue = serializers.DecimalField(**MONEY)
    food_cost = serializers.DecimalField(**MONEY)
    gross_profit = serializers.DecimalField(**MONEY)
    margin_pct = serializers.DecimalField(**PCT)


class MarginItem(MarginMonth):
    menu_item_id = serializers.IntegerField()
    name = serializers.CharField()


class MarginOut(serializers.Serializer):
    costs_known = serializers.BooleanField()
    by_month = MarginMonth(many=True)
    by_item = MarginItem(many=True)


# --- views --------------------------------------------------------------------------------------------


class _DashboardView(APIView):
    permission_classes = [HasStoreAccess]
    query_class = PeriodQuery
    default_days = 30

    def parse(self, request):
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        store = resolve_store(request, query.validated_data.get("store"))
        require(request, store, Perm.VIEW_DASHBOARD)
        today = business_date(store, timezone.now())
        end = query.validated_data.get("end") or today
        start = query.validated_data.get("start") or end - dt.timedelta(days=self.default_days - 1)
        return store, start, end, query.validated_data


class OverviewView(_DashboardView):
    default_days = 42

    @extend_schema(
        parameters=[PeriodQuery],
        responses=OverviewOut,
        summary="Today so far vs the usual for this weekday, and the daily trend over start..end",
    )
    def get(self, request):
        store, start, end, _query = self.parse(request)
        return Response(OverviewOut(dashboard_selectors.overview(store, timezone.now(), start, end)).data)


class TicketTimesView(_DashboardView):
    @extend_schema(
        parameters=[PeriodQuery],
        responses=TicketTimeRow(many=True),
        summary="Kitchen ticket times (queued → ready) by station and hour",
    )
    def get(self, request):
        store, start, end, _query = self.parse(request)
        return Response(TicketTimeRow(dashboard_selectors.ticket_times(store, start, end), many=True).data)


class SupplierPriceHistoryView(_DashboardView):
    query_class = PriceHistoryQuery
    default_days = 180

    @extend_schema(
        parameters=[PriceHistoryQuery],
        responses=PriceHistoryOut,
        summary="Supplier list prices and prices paid at receipts, per ingredient",
    )
    def get(self, request):
        store, start, end, query = self.parse(request)
        data = dashboard_selectors.supplier_price_history(store, start, end, query.get("ingredient"))
        return Response(PriceHistoryOut(data).data)


class StaffingPlanView(_DashboardView):
    query_class = WeekQuery

    @extend_schema(
        parameters=[WeekQuery],
        responses=StaffingPlanOut,
        summary="Needed vs scheduled staff per position and hour of a week, with suggestions",
    )
    def get(self, request):
        store, _start, _end, query = self.parse(request)
        week = query.get("week") or business_date(store, timezone.now()) + dt.timedelta(days=7)
        return Response(StaffingPlanOut(dashboard_selectors.staffing_plan(store, week)).data)


class LabourByDayView(_DashboardView):
    @extend_schema(
        parameters=[PeriodQuery],
        responses=LabourOut,
        summary="Scheduled labour cost as % of net sales per business day, beside the target",
    )
    def get(self, request):
        store, start, end, _query = self.parse(request)
        return Response(LabourOut(dashboard_selectors.labour_by_day(store, start, end)).data)


class MarginByItemMonthView(_DashboardView):
    default_days = 90

    @extend_schema(
        parameters=[PeriodQuery],
        responses=MarginOut,
        summary="Gross margin by calendar month and by item within each month",
    )
    def get(self, request):
        store, start, end, _query = self.parse(request)
        return Response(MarginOut(dashboard_selectors.margin_by_item_month(store, start, end)).data)
