"""Inventory API: thin views that validate input, resolve the store, check the role and call one
service. Objects of stores the caller cannot use are 404."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import selectors, services
from inventory.models import Ingredient, PurchaseOrder, Supplier, SupplierItem, SupplierPrice
from orders.models import MenuItem, Modifier
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.errors import DomainError
from restaurant_ops.permissions import Perm

from . import filters
from . import serializers as s


def _in_store(model, store, pk, field: str, *, lookup: str = "store"):
    """An object referenced by id in a request body, which must belong to `store` (400 otherwise)."""
    if pk is None:
        return None
    obj = model.objects.filter(**{lookup: store}, pk=pk).first()
    if obj is None:
        raise DomainError(
            field, "not_found", _("No such %(what)s in this store.") % {"what": model._meta.verbose_name}
        )
    return obj


def _valid(serializer_class, request, partial=False):
    data = serializer_class(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    return data.validated_data


# --- ingredients ------------------------------------------------------------------------------


def _ingredient_fields(payload, store):
    fields = {
        k: v for k, v in payload.items() if k not in ("store", "name", "base_unit", "preferred_supplier")
    }
    if "preferred_supplier" in payload:
        fields["preferred_supplier"] = _in_store(
            Supplier, store, payload["preferred_supplier"], "preferred_supplier"
        )
    return fields


class IngredientListView(generics.ListAPIView):
    """Ingredients with their stored on-hand (base units).

    Filter by `needs_count`, `search`, `updated_since`."""

    read_perm = Perm.MANAGE_STOCK

    serializer_class = s.IngredientSerializer
    filterset_class = filters.IngredientFilter

    def get_queryset(self):
        return selectors.ingredients(stores=accessible_stores(self.request))

    @extend_schema(request=s.IngredientInputSerializer, responses={201: s.IngredientSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.IngredientInputSerializer, request)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.MANAGE_STOCK)
        ingredient = services.ingredient_create(
            store=store,
            name=payload["name"],
            base_unit=payload["base_unit"],
            **_ingredient_fields(payload, store),
        )
        return Response(s.IngredientSerializer(ingredient).data, status=status.HTTP_201_CREATED)


class IngredientDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STOCK

    serializer_class = s.IngredientSerializer

    def get_queryset(self):
        return selectors.ingredients(stores=accessible_stores(self.request))

    @extend_schema(request=s.IngredientInputSerializer, responses={200: s.IngredientSerializer})
    def patch(self, request, pk: int):
        ingredient = self.get_object()
        payload = _valid(s.IngredientInputSerializer, request, partial=True)
        require(request, ingredient.store, Perm.MANAGE_STOCK)
        fields = _ingredient_fields(payload, ingredient.store)
        for name in ("name", "base_unit"):
            if name in payload:
                fields[name] = payload[name]
        ingredient = services.ingredient_update(ingredient=ingredient, by=request.user, **fields)
        return Response(s.IngredientSerializer(ingredient).data)


# --- recipes ----------------------------------------------------------------------------------


class RecipeLineListView(generics.ListAPIView):
    """Recipe lines: per menu item or per modifier, quantity in any convertible unit, with yield."""

    read_perm = Perm.SEE_COSTS

    serializer_class = s.RecipeLineSerializer
    filterset_class = filters.RecipeLineFilter

    def get_queryset(self):
        return selectors.recipe_lines(stores=accessible_stores(self.request))

    @extend_schema(request=s.RecipeLineInputSerializer, responses={201: s.RecipeLineSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.RecipeLineInputSerializer, request)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.EDIT_MENU)
        line = services.recipe_line_set(
            store=store,
            menu_item=_in_store(MenuItem, store, payload.get("menu_item"), "menu_item"),
            modifier=_in_store(Modifier, store, payload.get("modifier"), "modifier", lookup="group__store"),
            ingredient=_in_store(Ingredient, store, payload["ingredient"], "ingredient"),
            quantity=payload["quantity"],
            unit=payload["unit"],
            yield_factor=payload["yield_factor"],
            valid_from=payload.get("valid_from"),
            by=request.user,
        )
        return Response(s.RecipeLineSerializer(line).data, status=status.HTTP_201_CREATED)


class RecipeLineDetailView(generics.RetrieveAPIView):
    read_perm = Perm.SEE_COSTS

    serializer_class = s.RecipeLineSerializer

    def get_queryset(self):
        return selectors.recipe_lines(stores=accessible_stores(self.request))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        line = self.get_object()
        require(request, line.store, Perm.EDIT_MENU)
        services.recipe_line_delete(line=line, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- suppliers and prices ---------------------------------------------------------------------


class SupplierListView(generics.ListAPIView):
    read_perm = Perm.MANAGE_STOCK

    serializer_class = s.SupplierSerializer
    filterset_class = filters.SupplierFilter

    def get_queryset(self):
        return Supplier.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=s.SupplierInputSerializer, responses={201: s.SupplierSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.SupplierInputSerializer, request)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.MANAGE_STOCK)
        supplier = services.supplier_create(store=store, **payload)
        return Response(s.SupplierSerializer(supplier).data, status=status.HTTP_201_CREATED)


class SupplierDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STOCK

    serializer_class = s.SupplierSerializer

    def get_queryset(self):
        return Supplier.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=s.SupplierInputSerializer, responses={200: s.SupplierSerializer})
    def patch(self, request, pk: int):
        supplier = self.get_object()
        payload = _valid(s.SupplierInputSerializer, request, partial=True)
        payload.pop("store", None)
        require(request, supplier.store, Perm.MANAGE_STOCK)
        return Response(s.SupplierSerializer(services.supplier_update(supplier=supplier, **payload)).data)


class SupplierItemListView(generics.ListAPIView):
    """What each supplier sells: pack sizes (base units) and the price list with its history."""

    read_perm = Perm.SEE_COSTS

    serializer_class = s.SupplierItemSerializer
    filterset_class = filters.SupplierItemFilter

    def get_queryset(self):
        return selectors.supplier_items(stores=accessible_stores(self.request))

    @extend_schema(request=s.SupplierItemInputSerializer, responses={201: s.SupplierItemSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.SupplierItemInputSerializer, request)
        supplier = get_object_or_404(
            Supplier.objects.filter(store__in=accessible_stores(request)), pk=payload["supplier"]
        )
        require(request, supplier.store, Perm.MANAGE_STOCK)
        item = services.supplier_item_upsert(
            supplier=supplier,
            ingredient=_in_store(Ingredient, supplier.store, payload["ingredient"], "ingredient"),
            pack_size=payload.get("pack_size"),
            pack_unit=payload["pack_unit"],
            sku=payload["sku"],
            purchase_unit=payload["purchase_unit"],
        )
        return Response(s.SupplierItemSerializer(item).data, status=status.HTTP_201_CREATED)


class SupplierPriceListView(generics.ListAPIView):
    """Price-list entries (history by `effective_from`). Filter by supplier, ingredient."""

    read_perm = Perm.SEE_COSTS

    serializer_class = s.SupplierPriceSerializer
    filterset_class = filters.SupplierPriceFilter

    def get_queryset(self):
        return SupplierPrice.objects.filter(
            supplier_item__supplier__store__in=accessible_stores(self.request)
        ).select_related("supplier_item__ingredient")

    @extend_schema(request=s.SupplierPriceInputSerializer, responses={201: s.SupplierPriceSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.SupplierPriceInputSerializer, request)
        item = (
            SupplierItem.objects.filter(
                supplier__store__in=accessible_stores(request), pk=payload["supplier_item"]
            )
            .select_related("supplier__store")
            .first()
        )
        if item is None:
            raise DomainError("supplier_item", "not_found", _("No such supplier item."))
        require(request, item.supplier.store, Perm.MANAGE_STOCK)
        price = services.supplier_price_add(
            supplier_item=item,
            price=payload["price"],
            per=payload["per"],
            effective_from=payload["effective_from"],
        )
        return Response(s.SupplierPriceSerializer(price).data, status=status.HTTP_201_CREATED)


# --- the ledger and counts --------------------------------------------------------------------


class StockMovementListView(generics.ListAPIView):
    """The append-only ledger. POST records waste, a correction or a receipt outside a PO."""

    read_perm = Perm.SEE_COSTS

    serializer_class = s.StockMovementSerializer
    filterset_class = filters.StockMovementFilter

    def get_queryset(self):
        return selectors.stock_movements(stores=accessible_stores(self.request))

    @extend_schema(request=s.StockMovementInputSerializer, responses={201: s.StockMovementSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.StockMovementInputSerializer, request)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.MANAGE_STOCK)
        movement = services.stock_movement_record(
            store=store,
            ingredient=_in_store(Ingredient, store, payload["ingredient"], "ingredient"),
            kind=payload["kind"],
            quantity=payload["quantity"],
            unit=payload["unit"],
            reason=payload["reason"],
            unit_cost=payload.get("unit_cost"),
            by=request.user,
            at=payload.get("effective_at"),
            back_dated="effective_at" in payload,
        )
        return Response(s.StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockCountListView(generics.ListAPIView):
    read_perm = Perm.MANAGE_STOCK

    serializer_class = s.StockCountSerializer
    filterset_class = filters.StockCountFilter

    def get_queryset(self):
        return selectors.stock_counts(stores=accessible_stores(self.request))

    @extend_schema(request=s.StockCountInputSerializer, responses={201: s.StockCountSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.StockCountInputSerializer, request)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.MANAGE_STOCK)
        count = services.stock_count_post(
            store=store,
            lines=payload["lines"],
            note=payload["note"],
            by=request.user,
            counted_at=payload.get("counted_at"),
            back_dated="counted_at" in payload,
        )
        count = selectors.stock_counts(stores=accessible_stores(request)).get(pk=count.pk)
        return Response(s.StockCountSerializer(count).data, status=status.HTTP_201_CREATED)


class StockCountDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STOCK

    serializer_class = s.StockCountSerializer

    def get_queryset(self):
        return selectors.stock_counts(stores=accessible_stores(self.request))


# --- purchase orders --------------------------------------------------------------------------


class PurchaseOrderListView(generics.ListAPIView):
    read_perm = Perm.SEE_COSTS

    serializer_class = s.PurchaseOrderSerializer
    filterset_class = filters.PurchaseOrderFilter

    def get_queryset(self):
        return selectors.purchase_orders(stores=accessible_stores(self.request))

    @extend_schema(request=s.PurchaseOrderInputSerializer, responses={201: s.PurchaseOrderSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(s.PurchaseOrderInputSerializer, request)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.MANAGE_STOCK)
        po = services.purchase_order_create_draft(
            store=store,
            supplier=_in_store(Supplier, store, payload["supplier"], "supplier"),
            lines=payload["lines"],
            note=payload["note"],
            expected_on=payload.get("expected_on"),
            created_by=request.user,
        )
        po = selectors.purchase_orders(stores=accessible_stores(request)).get(pk=po.pk)
        return Response(s.PurchaseOrderSerializer(po).data, status=status.HTTP_201_CREATED)


class PurchaseOrderDetailView(generics.RetrieveAPIView):
    read_perm = Perm.SEE_COSTS

    serializer_class = s.PurchaseOrderSerializer

    def get_queryset(self):
        return selectors.purchase_orders(stores=accessible_stores(self.request))


class _PurchaseOrderAction(APIView):
    def _po(self, request, pk) -> PurchaseOrder:
        po = get_object_or_404(PurchaseOrder.objects.filter(store__in=accessible_stores(request)), pk=pk)
        require(request, po.store, Perm.MANAGE_STOCK)
        return po

    def _done(self, request, po):
        po = selectors.purchase_orders(stores=accessible_stores(request)).get(pk=po.pk)
        return Response(s.PurchaseOrderSerializer(po).data)


class PurchaseOrderSendView(_PurchaseOrderAction):
    """Send a draft: it is e-mailed to the supplier with the order attached as CSV."""

    @extend_schema(request=None, responses={200: s.PurchaseOrderSerializer})
    def post(self, request, pk: int):
        return self._done(
            request, services.purchase_order_send(purchase_order=self._po(request, pk), by=request.user)
        )


class PurchaseOrderReceiveView(_PurchaseOrderAction):
    """Receive goods at the price paid (the cost from that day). More than ordered needs
    `allow_over_receipt`. Send `Idempotency-Key` to retry safely."""

    @extend_schema(request=s.ReceiveInputSerializer, responses={200: s.PurchaseOrderSerializer})
    @idempotent
    def post(self, request, pk: int):
        po = self._po(request, pk)
        payload = _valid(s.ReceiveInputSerializer, request)
        po = services.purchase_order_receive(
            purchase_order=po,
            lines=payload["lines"],
            by=request.user,
            allow_over_receipt=payload["allow_over_receipt"],
            note=payload["note"],
            received_at=payload.get("received_at"),
            back_dated="received_at" in payload,
        )
        return self._done(request, po)


class PurchaseOrderCancelView(_PurchaseOrderAction):
    @extend_schema(request=None, responses={200: s.PurchaseOrderSerializer})
    def post(self, request, pk: int):
        return self._done(
            request, services.purchase_order_cancel(purchase_order=self._po(request, pk), by=request.user)
        )


class PurchaseOrderCloseView(_PurchaseOrderAction):
    @extend_schema(request=None, responses={200: s.PurchaseOrderSerializer})
    def post(self, request, pk: int):
        return self._done(
            request, services.purchase_order_close(purchase_order=self._po(request, pk), by=request.user)
        )
