from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors, services
from orders.models import Order, Table
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.errors import DomainError
from restaurant_ops.permissions import Perm

from .filters import MenuItemFilter, OrderFilter
from .serializers import (
    MenuCategorySerializer,
    MenuItemSerializer,
    OrderCancelSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    OrderStatusSerializer,
    TableSerializer,
)


class MenuView(generics.ListAPIView):
    """The menu by category, with items, prices, modifiers, allergens and sold-out flags."""

    serializer_class = MenuCategorySerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("store", str, description="Store slug")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        stores = accessible_stores(self.request)
        if slug := self.request.query_params.get("store"):
            stores = stores.filter(slug=slug)
        return selectors.menu_categories(stores)


class MenuItemListView(generics.ListAPIView):
    serializer_class = MenuItemSerializer
    filterset_class = MenuItemFilter

    def get_queryset(self):
        return selectors.menu_items(accessible_stores(self.request))


class MenuItemDetailView(generics.RetrieveAPIView):
    serializer_class = MenuItemSerializer

    def get_queryset(self):
        return selectors.menu_items(accessible_stores(self.request))


class TableListView(generics.ListAPIView):
    serializer_class = TableSerializer
    filterset_fields = ["is_active"]

    def get_queryset(self):
        return Table.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class TableDetailView(generics.RetrieveAPIView):
    serializer_class = TableSerializer

    def get_queryset(self):
        return Table.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class OrderListCreateView(generics.ListAPIView):
    """List orders (filter by business-day range, status, table, `updated_since`) or place one.

    Prices come from the menu, never from the request. Send `Idempotency-Key` to retry safely."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return selectors.orders_with_lines(accessible_stores(self.request))

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    @idempotent
    def post(self, request):
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.TAKE_ORDERS)
        table = None
        if payload.get("table") is not None:
            table = Table.objects.filter(store=store, pk=payload["table"], is_active=True).first()
            if table is None:
                raise DomainError("table", "unknown_table", "No such table in this store.", status_code=404)
        order = services.order_place(
            store=store,
            table=table,
            channel=Order.Channel.API,
            service_type=payload["service_type"],
            note=payload["note"],
            external_id=payload["external_id"],
            placed_by=request.user,
            lines=[
                services.LineRequest(item_id=line.get("item"), item_external_id=line.get("item_external_id", ""),
                                     quantity=line["quantity"], modifier_ids=line["modifiers"], note=line["note"])
                for line in payload["lines"]
            ],
        )
        order = selectors.orders_with_lines(accessible_stores(request)).get(pk=order.pk)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailView(generics.RetrieveAPIView):
    serializer_class = OrderSerializer

    def get_queryset(self):
        return selectors.orders_with_lines(accessible_stores(self.request))


class OrderStatusView(APIView):
    """Move an order: placed → in_kitchen → ready → served/collected."""

    @extend_schema(request=OrderStatusSerializer, responses={200: OrderSerializer})
    def post(self, request, pk: int):
        order = get_object_or_404(Order.objects.filter(store__in=accessible_stores(request)), pk=pk)
        data = OrderStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require(request, order.store, Perm.TAKE_ORDERS)
        services.order_set_status(order=order, status=data.validated_data["status"], by=request.user)
        return Response(OrderSerializer(selectors.orders_with_lines(accessible_stores(request)).get(pk=pk)).data)


class OrderCancelView(APIView):
    """Cancel an order with a reason (a void: a cashier needs a manager's PIN)."""

    @extend_schema(request=OrderCancelSerializer, responses={200: OrderSerializer})
    def post(self, request, pk: int):
        order = get_object_or_404(Order.objects.filter(store__in=accessible_stores(request)), pk=pk)
        data = OrderCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approver = require(request, order.store, Perm.VOID, data.validated_data.get("approver_pin"))
        services.order_cancel(order=order, reason=data.validated_data["reason"], by=request.user,
                              approved_by=approver)
        return Response(OrderSerializer(selectors.orders_with_lines(accessible_stores(request)).get(pk=pk)).data)
