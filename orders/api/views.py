from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors, services
from orders.models import Check, Order, OrderLine, Register, Table
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.errors import DomainError
from restaurant_ops.permissions import Perm

from .filters import CheckFilter, MenuItemFilter, OrderFilter, PaymentFilter
from .serializers import (
    CheckCreateSerializer,
    CheckSerializer,
    CodeInputSerializer,
    CompInputSerializer,
    DiscountInputSerializer,
    EvenSplitSerializer,
    MenuCategorySerializer,
    MenuItemSerializer,
    MergeInputSerializer,
    MoveInputSerializer,
    OrderCancelSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    OrderStatusSerializer,
    PayInputSerializer,
    PaymentSerializer,
    RefundInputSerializer,
    SplitInputSerializer,
    TableSerializer,
)


def _active_table(store, table_id: int) -> Table:
    """An active table of this store, else the same 404 the order service gives."""
    table = Table.objects.filter(store=store, pk=table_id, is_active=True).first()
    if table is None:
        raise DomainError("table", "unknown_table", _("No such table in this store."))
    return table


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
    read_perm = Perm.TAKE_ORDERS

    serializer_class = TableSerializer
    filterset_fields = ["is_active"]

    def get_queryset(self):
        return Table.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class TableDetailView(generics.RetrieveAPIView):
    read_perm = Perm.TAKE_ORDERS

    serializer_class = TableSerializer

    def get_queryset(self):
        return Table.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class OrderListCreateView(generics.ListAPIView):
    """List orders (filter by business-day range, status, table, `updated_since`) or place one.

    Prices come from the menu, never from the request. Send `Idempotency-Key` to retry safely."""

    read_perm = Perm.TAKE_ORDERS

    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return selectors.orders_with_lines(accessible_stores(self.request))

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    @idempotent
    def post(self, request):
        payload = OrderCreateSerializer.validated(request.data)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.TAKE_ORDERS)
        table = None
        if payload.get("table") is not None:
            table = _active_table(store, payload["table"])
        order = services.order_place(
            store=store,
            table=table,
            channel=Order.Channel.API,
            service_type=payload["service_type"],
            note=payload["note"],
            external_id=payload["external_id"],
            placed_by=request.user,
            placed_at=payload.get("placed_at"),
            sent_late="placed_at" in payload,
            served=payload["served"],
            lines=[
                services.LineRequest(
                    item_id=line.get("item"),
                    item_external_id=line.get("item_external_id", ""),
                    quantity=line["quantity"],
                    modifier_ids=line["modifiers"],
                    note=line["note"],
                )
                for line in payload["lines"]
            ],
        )
        # The order as written, with its lines and modifiers: no need to read it back.
        return Response(OrderSerializer.represent(order), status=status.HTTP_201_CREATED)


class OrderDetailView(generics.RetrieveAPIView):
    read_perm = Perm.TAKE_ORDERS

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
        return Response(
            OrderSerializer(selectors.orders_with_lines(accessible_stores(request)).get(pk=pk)).data
        )


class OrderCancelView(APIView):
    """Cancel an order with a reason (a void: a cashier needs a manager's PIN)."""

    @extend_schema(request=OrderCancelSerializer, responses={200: OrderSerializer})
    def post(self, request, pk: int):
        order = get_object_or_404(Order.objects.filter(store__in=accessible_stores(request)), pk=pk)
        data = OrderCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approver = require(request, order.store, Perm.VOID, data.validated_data)
        services.order_cancel(
            order=order, reason=data.validated_data["reason"], by=request.user, approved_by=approver
        )
        return Response(
            OrderSerializer(selectors.orders_with_lines(accessible_stores(request)).get(pk=pk)).data
        )


# --- Front of house: checks and payments ----------------------------------------------------------


def _check_for(request, pk) -> Check:
    return get_object_or_404(Check.objects.filter(store__in=accessible_stores(request)), pk=pk)


def _check_out(request, pk, status_code=status.HTTP_200_OK) -> Response:
    check = selectors.checks(accessible_stores(request)).get(pk=pk)
    return Response(CheckSerializer(check).data, status=status_code)


class CheckListCreateView(generics.ListAPIView):
    """List checks (filter by status, table, business-day range, `updated_since`) or open one.

    Opening a check for a table returns the table's open check when it has one (200), else 201."""

    read_perm = Perm.TAKE_PAYMENTS

    serializer_class = CheckSerializer
    filterset_class = CheckFilter

    def get_queryset(self):
        return selectors.checks(accessible_stores(self.request))

    @extend_schema(request=CheckCreateSerializer, responses={201: CheckSerializer, 200: CheckSerializer})
    @idempotent
    def post(self, request):
        data = CheckCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.TAKE_ORDERS)
        if payload.get("table") is not None:
            table = _active_table(store, payload["table"])
            existing = services.table_session_current(table=table)
            check = services.check_for_table(table=table, by=request.user)
            created = existing is None or check.session_id != existing.pk or check.orders.count() == 0
        else:
            check = services.check_open(store=store, service_type=payload["service_type"], by=request.user)
            created = True
        return _check_out(request, check.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CheckDetailView(generics.RetrieveAPIView):
    read_perm = Perm.TAKE_PAYMENTS

    serializer_class = CheckSerializer

    def get_queryset(self):
        return selectors.checks(accessible_stores(self.request))


class CheckPayView(APIView):
    """Take a payment towards the check. Several methods may share one check; cash may be tendered
    above amount + tip and the change due is returned. The payment that settles the check issues the
    receipt number (gapless per store) and frees the table."""

    @extend_schema(request=PayInputSerializer, responses={201: PaymentSerializer})
    @idempotent
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = PayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        require(request, check.store, Perm.TAKE_PAYMENTS)
        register = None
        if payload.get("register") is not None:
            register = Register.objects.filter(store=check.store, pk=payload["register"]).first()
            if register is None:
                raise DomainError("register", "not_found", _("No such register in this store."))
        payment = services.payment_take(
            guest_check=check,
            method=payload["method"],
            amount=payload["amount"],
            tip=payload["tip"],
            tendered=payload.get("tendered"),
            reference=payload["reference"],
            register=register,
            by=request.user,
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class CheckDiscountView(APIView):
    """A discount off the whole check (amount or percent) with a reason; a cashier needs a manager's PIN."""

    @extend_schema(request=DiscountInputSerializer, responses={201: CheckSerializer})
    @idempotent
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = DiscountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        approver = require(request, check.store, Perm.DISCOUNT, payload)
        services.check_discount(
            guest_check=check,
            amount=payload.get("amount"),
            percent=payload.get("percent"),
            reason=payload["reason"],
            by=request.user,
            approved_by=approver,
        )
        return _check_out(request, pk, status.HTTP_201_CREATED)


class CheckCodeView(APIView):
    """Redeem a coupon or comp voucher code on an open check (no manager PIN: the code is the authority;
    a code is redeemed once even when two tills try it together). Errors name the field `code`:
    `unknown_code` 404, `used`/`already` 409, `expired` 410, `not_yet_valid`/`item_not_on_check` 422."""

    @extend_schema(request=CodeInputSerializer, responses={201: CheckSerializer})
    @idempotent
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require(request, check.store, Perm.TAKE_ORDERS)
        services.discount_code_redeem(
            guest_check=check, code=data.validated_data["code"], channel="api", by=request.user
        )
        return _check_out(request, pk, status.HTTP_201_CREATED)


class CheckCompView(APIView):
    """Comp one line (given free on purpose) with a reason; a cashier needs a manager's PIN."""

    @extend_schema(request=CompInputSerializer, responses={201: CheckSerializer})
    @idempotent
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = CompInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        line = OrderLine.objects.filter(guest_check=check, pk=payload["line"]).first()
        if line is None:
            raise DomainError("line", "not_on_check", "This line is not on the check.")
        approver = require(request, check.store, Perm.COMP, payload)
        services.check_comp_line(line=line, reason=payload["reason"], by=request.user, approved_by=approver)
        return _check_out(request, pk, status.HTTP_201_CREATED)


class CheckSplitView(APIView):
    """`mode=even`: the shares of the balance (to the cent; the first shares carry the remainder cents),
    nothing written. `mode=items`: the chosen lines move to a new check at the same table (201)."""

    @extend_schema(request=SplitInputSerializer, responses={200: EvenSplitSerializer, 201: CheckSerializer})
    @idempotent
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = SplitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        require(request, check.store, Perm.TAKE_ORDERS)
        if payload["mode"] == "even":
            shares = services.split_evenly(check.balance, payload["parts"])
            return Response(
                EvenSplitSerializer({"check": check.pk, "balance": check.balance, "shares": shares}).data
            )
        new = services.check_split_items(guest_check=check, line_ids=payload["lines"], by=request.user)
        return _check_out(request, new.pk, status.HTTP_201_CREATED)


class CheckMergeView(APIView):
    """Fold another open check of the store into this one (lines, payments, discounts); the other closes."""

    @extend_schema(request=MergeInputSerializer, responses={200: CheckSerializer})
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require(request, check.store, Perm.TAKE_ORDERS)
        other = Check.objects.filter(store=check.store, pk=data.validated_data["other"]).first()
        if other is None:
            raise DomainError("other", "not_found", _("No such check in this store."))
        services.check_merge(into=check, other=other, by=request.user)
        return _check_out(request, pk)


class CheckMoveView(APIView):
    """Move the check (and its party's session) to another free table."""

    @extend_schema(request=MoveInputSerializer, responses={200: CheckSerializer})
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = MoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require(request, check.store, Perm.TAKE_ORDERS)
        table = _active_table(check.store, data.validated_data["table"])
        services.check_move(guest_check=check, table=table, by=request.user)
        return _check_out(request, pk)


class PaymentListView(generics.ListAPIView):
    read_perm = Perm.TAKE_PAYMENTS

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter

    def get_queryset(self):
        return selectors.payments(accessible_stores(self.request))


class PaymentDetailView(generics.RetrieveAPIView):
    read_perm = Perm.TAKE_PAYMENTS

    serializer_class = PaymentSerializer

    def get_queryset(self):
        return selectors.payments(accessible_stores(self.request))


class PaymentRefundView(APIView):
    """Refund (part of) a payment by its method, with a reason: an amount, or items by line (unmade
    food goes back into stock and off the kitchen display). A cashier needs a manager's PIN."""

    @extend_schema(request=RefundInputSerializer, responses={201: PaymentSerializer})
    @idempotent
    def post(self, request, pk: int):
        payment = get_object_or_404(selectors.payments(accessible_stores(request)), pk=pk)
        data = RefundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        approver = require(request, payment.store, Perm.REFUND, payload)
        lines = payload.get("lines")
        refund = services.payment_refund(
            payment=payment,
            amount=payload.get("amount"),
            lines=[services.LineRefund(line_id=r["line"], quantity=r["quantity"]) for r in lines]
            if lines is not None
            else None,
            reason=payload["reason"],
            by=request.user,
            approved_by=approver,
        )
        return Response(PaymentSerializer(refund).data, status=status.HTTP_201_CREATED)


class CheckVoidView(APIView):
    """Void one line (not made or not paid) with a reason; a cashier needs a manager's PIN."""

    @extend_schema(request=CompInputSerializer, responses={200: CheckSerializer})
    def post(self, request, pk: int):
        check = _check_for(request, pk)
        data = CompInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        line = OrderLine.objects.filter(guest_check=check, pk=payload["line"]).first()
        if line is None:
            raise DomainError("line", "not_on_check", "This line is not on the check.")
        approver = require(request, check.store, Perm.VOID, payload)
        services.order_line_void(line=line, reason=payload["reason"], by=request.user, approved_by=approver)
        return _check_out(request, pk)
