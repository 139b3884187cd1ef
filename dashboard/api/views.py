"""The API endpoints the dashboard adds to /api/v1/analytics/ (the same ones integrators use): overview
figures, kitchen ticket times, supplier price history, the staffing plan (needed vs scheduled) and gross
margin by item and month. Read-only, scoped to the caller's stores; a session user needs the
dashboard permission of the store."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.analyses import margin
from analytics.api.answer_cache import cached_answer
from dashboard import selectors
from restaurant_ops.api.permissions import HasStoreAccess
from restaurant_ops.api.replica import ReplicaReadsMixin
from restaurant_ops.api.scoping import require, resolve_store
from restaurant_ops.permissions import Perm
from restaurant_ops.timeutils import business_date, minute_end

from . import serializers as s


class _DashboardView(ReplicaReadsMixin, APIView):
    permission_classes = [HasStoreAccess]
    query_class = s.PeriodQuery
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
    read_perm = Perm.VIEW_DASHBOARD

    default_days = 42

    @extend_schema(
        parameters=[s.PeriodQuery],
        responses=s.OverviewOut,
        summary="Today so far vs the usual for this weekday, and the daily trend over start..end",
    )
    def get(self, request):
        store, start, end, _query = self.parse(request)
        now = minute_end(timezone.now())  # "so far" per minute, as on every page: cacheable for it
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="overview",
                params={"start": start, "end": end, "as_of": now},
                compute=lambda: s.OverviewOut(selectors.overview(store, now, start, end)).data,
            )
        )


class TicketTimesView(_DashboardView):
    read_perm = Perm.VIEW_DASHBOARD

    @extend_schema(
        parameters=[s.PeriodQuery],
        responses=s.TicketTimeRow(many=True),
        summary="Kitchen ticket times (queued → ready) by station and hour",
    )
    def get(self, request):
        store, start, end, _query = self.parse(request)
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="ticket-times",
                params={"start": start, "end": end},
                compute=lambda: s.TicketTimeRow(selectors.ticket_times(store, start, end), many=True).data,
            )
        )


class SupplierPriceHistoryView(_DashboardView):
    read_perm = Perm.VIEW_DASHBOARD

    query_class = s.PriceHistoryQuery
    default_days = 180

    @extend_schema(
        parameters=[s.PriceHistoryQuery],
        responses=s.PriceHistoryOut,
        summary="Supplier list prices and prices paid at receipts, per ingredient",
    )
    def get(self, request):
        store, start, end, query = self.parse(request)
        ingredient = query.get("ingredient")
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="supplier-prices",
                params={"start": start, "end": end, "ingredient": ingredient},
                compute=lambda: (
                    s.PriceHistoryOut(selectors.supplier_price_history(store, start, end, ingredient)).data
                ),
            )
        )


class StaffingPlanView(_DashboardView):
    read_perm = Perm.VIEW_DASHBOARD

    query_class = s.WeekQuery

    @extend_schema(
        parameters=[s.WeekQuery],
        responses=s.StaffingPlanOut,
        summary="Needed vs scheduled staff per position and hour of a week, with suggestions",
    )
    def get(self, request):
        store, _start, _end, query = self.parse(request)
        week = query.get("week") or business_date(store, timezone.now()) + dt.timedelta(days=7)
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="staffing-plan",
                params={"week": week},
                compute=lambda: s.StaffingPlanOut(selectors.staffing_plan(store, week)).data,
            )
        )


class MarginByItemMonthView(_DashboardView):
    read_perm = Perm.VIEW_DASHBOARD

    default_days = 90

    @extend_schema(
        parameters=[s.PeriodQuery],
        responses=s.MarginOut,
        summary="Gross margin per period and per item: the calendar months of start..end, or without them "
        "PRODUCT.md's pair (month to date vs the same days of last month), as the waterfall compares",
    )
    def get(self, request):
        store, start, end, query = self.parse(request)
        periods = None
        if not query.get("start") and not query.get("end"):
            periods = list(margin.periods(store, timezone.now()))
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="margin-by-item-month",
                params={"start": start, "end": end, "periods": periods},
                compute=lambda: (
                    s.MarginOut(selectors.margin_by_item_month(store, start, end, periods=periods)).data
                ),
            )
        )
