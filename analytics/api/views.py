"""Analysis results over the API: thin views that parse a period, call one analysis, shape rows."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import registry, selectors, services
from analytics.analyses import margin, operations, sales, stock
from analytics.models import DemandForecast, ForecastAccuracy, Insight, JobRun
from inventory.selectors import purchase_order_proposals
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.replica import ReplicaReadsMixin
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Role
from restaurant_ops.permissions import Perm, role_has
from restaurant_ops.services import acting_user
from restaurant_ops.timeutils import business_date, minute_end

from . import serializers as s
from .answer_cache import cached_answer
from .filters import InsightFilter

PERIOD_PARAMS = [
    OpenApiParameter("store", str, description="Store slug (optional when you have one store)"),
    OpenApiParameter(
        "start",
        str,
        description="First business day, YYYY-MM-DD (store-local, inclusive); default 30 days before `end`",
    ),
    OpenApiParameter("end", str, description="Last business day, YYYY-MM-DD (inclusive); default today"),
]


class AnalysisView(ReplicaReadsMixin, APIView):
    """Parses the query with `query_class`, resolves the store the caller may see, and the range."""

    query_class = s.PeriodQuery
    default_days = 30

    def parse(self, request):
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        store = resolve_store(request, params.get("store"))
        require(request, store, Perm.VIEW_DASHBOARD)
        first, last = s.default_range(params, business_date(store, timezone.now()), self.default_days)
        return store, first, last, params


class BestSellersView(AnalysisView):
    """Items ranked by quantity, revenue (net of discounts, without tax) or gross profit."""

    read_perm = Perm.VIEW_DASHBOARD

    query_class = s.BestSellersQuery

    @extend_schema(
        parameters=[
            *PERIOD_PARAMS,
            OpenApiParameter("by", str, enum=["quantity", "revenue", "profit"]),
            OpenApiParameter("limit", int),
            OpenApiParameter("category", int),
            OpenApiParameter("by_daypart", bool),
        ],
        responses=s.BestSellerRow(many=True),
    )
    def get(self, request):
        store, first, last, p = self.parse(request)
        options = {
            "by": p["by"],
            "limit": p["limit"],
            "category_id": p.get("category"),
            "by_daypart": p["by_daypart"],
        }
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="best-sellers",
                params={"first": first, "last": last, **options},
                compute=lambda: (
                    s.BestSellerRow(sales.best_sellers(store, first, last, **options), many=True).data
                ),
            )
        )


class SalesView(AnalysisView):
    """Orders, units and revenue per business day, week (from Monday) or month."""

    read_perm = Perm.VIEW_DASHBOARD

    query_class = s.SalesQuery

    @extend_schema(
        parameters=[*PERIOD_PARAMS, OpenApiParameter("period", str, enum=["day", "week", "month"])],
        responses=s.SalesRow(many=True),
    )
    def get(self, request):
        store, first, last, p = self.parse(request)
        period = p["period"]
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="sales",
                params={"first": first, "last": last, "period": period},
                compute=lambda: s.SalesRow(sales.sales(store, first, last, period), many=True).data,
            )
        )


class BusyHoursView(AnalysisView):
    """Each weekday × hour cell: orders, average per trading day of that weekday, and the forecast."""

    read_perm = Perm.VIEW_DASHBOARD

    default_days = 28

    @extend_schema(parameters=PERIOD_PARAMS, responses=s.BusyHourRow(many=True))
    def get(self, request):
        store, first, last, _p = self.parse(request)
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="busy-hours",
                params={"first": first, "last": last},
                compute=lambda: s.BusyHourRow(sales.busy_hours(store, first, last), many=True).data,
            )
        )


class ForecastView(AnalysisView):
    """The stored demand forecast per item (and orders) per weekday × hour, and how good it is where
    decisions are made: every method's back-tested WAPE and MASE per level (orders per hour, items
    per daypart) beside the two baselines, the served winner, and a plain sentence for the owner."""

    read_perm = Perm.VIEW_DASHBOARD

    @extend_schema(
        parameters=[
            OpenApiParameter("store", str, description="Store slug"),
            OpenApiParameter("item", int, description="Only this menu item"),
        ],
        responses=s.ForecastResponse,
    )
    def get(self, request):
        store, _first, _last, _p = self.parse(request)
        item = request.query_params.get("item")
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="forecast",
                params={"item": item},
                compute=lambda: s.ForecastResponse(_forecast(store, item)).data,
            )
        )


def _forecast(store, item: str | None) -> dict:
    """The stored forecast cells (of one item if asked), its back-tested accuracy and the sentences."""
    cells = DemandForecast.objects.filter(store=store).order_by("menu_item_id", "weekday", "hour")
    if item:
        cells = cells.filter(menu_item_id=item if item.isdigit() else -1)
    return {
        "cells": [
            {"menu_item": c.menu_item_id, "weekday": c.weekday, "hour": c.hour, "quantity": c.quantity}
            for c in cells
        ],
        "accuracy": list(
            ForecastAccuracy.objects.filter(store=store).values(
                "level", "method", "wape", "mase", "served", "weeks_of_history"
            )
        ),
        "quality": selectors.forecast_quality(store),
    }


class MenuEngineeringView(AnalysisView):
    """Kasavana–Smith matrix per category: stars, plowhorses, puzzles and dogs."""

    read_perm = Perm.VIEW_DASHBOARD

    @extend_schema(
        parameters=[*PERIOD_PARAMS, OpenApiParameter("category", int)],
        responses=s.MenuEngineeringRow(many=True),
    )
    def get(self, request):
        store, first, last, _p = self.parse(request)
        category = request.query_params.get("category")
        category_id = int(category) if category and category.isdigit() else None
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="menu-engineering",
                params={"first": first, "last": last, "category": category_id},
                compute=lambda: (
                    s.MenuEngineeringRow(
                        sales.menu_engineering(store, first, last, category_id=category_id), many=True
                    ).data
                ),
            )
        )


class InsightListView(generics.ListAPIView):
    """Alerts and recommendations; filter by kind, state, severity, `open`, `updated_since`."""

    read_perm = Perm.VIEW_DASHBOARD

    serializer_class = s.InsightSerializer
    filterset_class = InsightFilter

    def get_queryset(self):
        return Insight.objects.filter(store__in=accessible_stores(self.request)).select_related(
            "store", "acted_by", "dismissed_by"
        )

    def get_serializer(self, *args, **kwargs):
        """The page's proposed purchase orders read at once, not one by one."""
        if kwargs.get("many") and args:
            rows = list(args[0])
            by_store: dict = {}
            for insight in rows:
                if po_id := (insight.numbers or {}).get("purchase_order_id"):
                    by_store.setdefault(insight.store, []).append(int(po_id))
            proposals = {}
            for store, ids in by_store.items():
                proposals.update(purchase_order_proposals(store=store, purchase_order_ids=ids))
            kwargs["context"] = {**self.get_serializer_context(), "proposals": proposals}
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)


class InsightDetailView(generics.RetrieveAPIView):
    read_perm = Perm.VIEW_DASHBOARD

    serializer_class = s.InsightSerializer

    def get_queryset(self):
        return Insight.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class InsightActionView(APIView):
    """Every action on an insight goes through `services.insight_act`, as the dashboard's buttons do.
    Another store's insight is a 404 before the body is even read."""

    def insight(self, request, pk: int) -> Insight:
        return get_object_or_404(
            Insight.objects.filter(store__in=accessible_stores(request)).select_related("store"), pk=pk
        )

    def act(self, request, insight: Insight, action: str, **fields):
        require(request, insight.store, services.INSIGHT_ACTIONS[action])
        insight = services.insight_act(insight=insight, action=action, by=request.user, **fields)
        return Response(s.InsightSerializer(insight).data)


class InsightAcknowledgeView(InsightActionView):
    @extend_schema(request=None, responses=s.InsightSerializer)
    def post(self, request, pk: int):
        return self.act(request, self.insight(request, pk), "acknowledge")


class InsightDismissView(InsightActionView):
    @extend_schema(request=s.DismissInput, responses=s.InsightSerializer)
    def post(self, request, pk: int):
        insight = self.insight(request, pk)
        data = s.DismissInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.act(request, insight, "dismiss", reason=data.validated_data["reason"])


class InsightActView(InsightActionView):
    """Act on an insight: send its purchase order, apply its staffing suggestion, record a supplier
    switch or negotiated price, change a menu price, acknowledge, dismiss, or record something done
    by hand. Does the change through the owning app and records exactly what was done (`action_detail`)
    and by whom; the same service as the dashboard's buttons."""

    @extend_schema(request=s.ActInput, responses=s.InsightSerializer)
    @idempotent
    def post(self, request, pk: int):
        insight = self.insight(request, pk)
        data = s.ActInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return self.act(
            request,
            insight,
            v["action"],
            staff_id=v.get("staff"),
            staff_ids=[c if c == "open" else int(c) for c in v["staff_list"]]
            if v.get("staff_list")
            else None,
            supplier_item_id=v.get("supplier_item"),
            menu_item_id=v.get("menu_item"),
            price=v.get("price"),
            switch=v["switch"],
            reason=v["reason"],
            note=v["note"],
            quantity=v.get("quantity"),
        )


class RunListView(generics.ListAPIView):
    """Runs of the analyses (newest first): the scheduled ones per job, and the ones asked for here.
    POST asks for every analysis (or `jobs`) of a store to run as of `at`, e.g. the morning after an
    imported history's last day: 202 with the queued run; read it back until its outcome is final."""

    read_perm = Perm.VIEW_DASHBOARD

    serializer_class = s.JobRunSerializer

    def get_queryset(self):
        runs = _runs_for(self.request)
        if store := self.request.query_params.get("store"):
            runs = runs.filter(store__slug=store)
        return runs

    @extend_schema(request=s.RunInput, responses={202: s.JobRunSerializer})
    @idempotent
    def post(self, request):
        data = s.RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        store = resolve_store(request, data.validated_data.get("store"))
        require(request, store, Perm.VIEW_DASHBOARD)
        run = registry.analyses_request(
            store=store,
            at=data.validated_data.get("at"),
            jobs=data.validated_data.get("jobs"),
            by=_user(request),
        )
        return Response(s.JobRunSerializer(run).data, status=202)


class RunDetailView(generics.RetrieveAPIView):
    read_perm = Perm.VIEW_DASHBOARD

    serializer_class = s.JobRunSerializer

    def get_queryset(self):
        return _runs_for(self.request)


def _runs_for(request):
    """Job runs of the stores whose dashboard the caller may see (a cook or a cashier sees none)."""
    stores = accessible_stores(request)
    if request.user.is_authenticated:
        stores = stores.filter(
            memberships__user=request.user,
            memberships__role__in=[role for role in Role.values if role_has(role, Perm.VIEW_DASHBOARD)],
        )
    return JobRun.objects.filter(store__in=stores).select_related("store")


def _user(request):
    return acting_user(request.user)


class StockCoverView(AnalysisView):
    """Stock cover per ingredient: on hand, on order, daily usage at the current pace, σ, reorder point,
    par and days left."""

    read_perm = Perm.VIEW_DASHBOARD

    @extend_schema(
        parameters=[OpenApiParameter("store", str, description="Store slug")],
        responses=s.StockCoverRow(many=True),
    )
    def get(self, request):
        store, _first, _last, _p = self.parse(request)
        require(request, store, Perm.SEE_COSTS)
        return Response(s.StockCoverRow(stock.cover(store), many=True).data)


class MarginView(AnalysisView):
    """Gross profit between two periods, decomposed into volume, mix, menu price, per-ingredient cost and
    recipe effects (cents by largest remainder; they sum to the change), each part with the name a person
    reads. Default: month to date vs the same days of last month (PRODUCT.md); with only start/end, the
    period of the same length just before; or give previous_start/previous_end too. Gross profit is over
    the sales whose food cost is known: `known_share` says which share of revenue that is."""

    read_perm = Perm.VIEW_DASHBOARD

    query_class = s.MarginQuery

    @extend_schema(
        parameters=[
            *PERIOD_PARAMS,
            OpenApiParameter("previous_start", str),
            OpenApiParameter("previous_end", str),
        ],
        responses=s.MarginResponse,
    )
    def get(self, request):
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        p = query.validated_data
        store = resolve_store(request, p.get("store"))
        require(request, store, Perm.SEE_COSTS)
        current = (p["start"], p["end"]) if p.get("start") and p.get("end") else None
        previous = (
            (p["previous_start"], p["previous_end"])
            if p.get("previous_start") and p.get("previous_end")
            else None
        )
        if previous and previous[0] > previous[1]:
            raise DomainError("previous_end", "invalid_range", _("The end is before the start."))
        report = margin.margin_report(store, timezone.now(), previous, current)
        return Response(
            s.MarginResponse(
                {
                    "previous": report["periods"]["previous"],
                    "current": report["periods"]["current"],
                    **{k: report[k] for k in ("gp0", "gp1", "change", "change_pct", "known_share", "parts")},
                    "part_names": report["part_names"],
                }
            ).data
        )


class LabourView(APIView):
    """Per business day of a week: sales and forecast sales, scheduled and actual labour, labour % of
    actual and of forecast sales, and sales per labour hour."""

    read_perm = Perm.VIEW_DASHBOARD

    @extend_schema(
        parameters=[OpenApiParameter("store", str), OpenApiParameter("week", str)],
        responses=s.LabourRow(many=True),
    )
    def get(self, request):
        query = s.LabourQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        store = resolve_store(request, query.validated_data.get("store"))
        require(request, store, Perm.SEE_COSTS)
        now = minute_end(timezone.now())  # today's labour "so far" is counted per minute (answer_cache)
        day = query.validated_data.get("week") or business_date(store, now)
        week_start = day - dt.timedelta(days=day.weekday())
        return Response(
            cached_answer(
                request,
                store=store,
                endpoint="labour",
                params={"week": week_start, "as_of": now},
                compute=lambda: s.LabourRow(operations.labour(store, week_start, now=now), many=True).data,
            )
        )
