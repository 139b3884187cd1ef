"""Setting up the menu and the tables through the API: categories, items (a price changes only through
the audited `menu_item_set_price`), modifier groups and modifiers, tables. Thin views over
`orders.services`, the same services as the set-up pages. Reads are for every member (tables: the
front of house); writes need the edit-menu permission (owner, manager) or a write key."""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from orders import selectors, services
from orders.models import MenuCategory, Modifier, ModifierGroup, Table
from restaurant_ops.api import filters as bounded
from restaurant_ops.api.fields import IdField
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.api.serializers import InputSerializer
from restaurant_ops.errors import DomainError
from restaurant_ops.models import TaxCategory
from restaurant_ops.permissions import Perm

from .filters import MenuItemFilter
from .serializers import MenuItemSerializer as MenuItemReadSerializer
from .serializers import ModifierGroupSerializer, ModifierSerializer, TableSerializer
from .views import MenuItemDetailView as MenuItemReadView
from .views import MenuItemListView as MenuItemListReadView
from .views import TableDetailView as TableReadView
from .views import TableListView as TableListReadView


def _valid(serializer_class, request, *, partial: bool = False) -> dict:
    data = serializer_class(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _in_store(model, store, pk, field: str, *, lookup: str = "store"):
    if pk is None:
        return None
    obj = model.objects.filter(**{lookup: store}, pk=pk).first()
    if obj is None:
        raise DomainError(
            field, "not_found", _("No such %(what)s in this store.") % {"what": model._meta.verbose_name}
        )
    return obj


def _filters(model_class, *fields, **extra):
    meta = type("Meta", (), {"model": model_class, "fields": list(fields)})
    attrs = {
        "store": django_filters.CharFilter(field_name=extra.pop("store_path", "store__slug")),
        "updated_since": bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte"),
        "Meta": meta,
        **extra,
    }
    return type(f"{model_class.__name__}SetupFilter", (django_filters.FilterSet,), attrs)


STORE_HELP = "Store slug (needed when the caller has several stores, e.g. an account key)."


# --- categories ----------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = MenuCategory
        fields = ["id", "store", "name", "name_zh", "position", "external_id", "updated_at"]


class CategoryInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text=STORE_HELP)
    name = serializers.CharField(max_length=80)
    name_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    external_id = serializers.CharField(max_length=80, required=False, allow_blank=True)


def _categories(request):
    return MenuCategory.objects.filter(store__in=accessible_stores(request)).select_related("store")


class CategoryListView(generics.ListAPIView):
    """Menu categories (filter by `store`, `external_id`, `updated_since`)."""

    serializer_class = CategorySerializer
    filterset_class = _filters(MenuCategory, "external_id")

    def get_queryset(self):
        return _categories(self.request)

    @extend_schema(request=CategoryInputSerializer, responses={201: CategorySerializer})
    @idempotent
    def post(self, request):
        payload = _valid(CategoryInputSerializer, request)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.EDIT_MENU)
        category = services.menu_category_save(store=store, **payload)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailView(generics.RetrieveAPIView):
    """DELETE only an empty category (409 `in_use` while it has items, on the menu or not)."""

    serializer_class = CategorySerializer

    def get_queryset(self):
        return _categories(self.request)

    @extend_schema(request=CategoryInputSerializer, responses={200: CategorySerializer})
    def patch(self, request, pk: int):
        category = self.get_object()
        payload = _valid(CategoryInputSerializer, request, partial=True)
        payload.pop("store", None)
        require(request, category.store, Perm.EDIT_MENU)
        fields = {
            "name": category.name,
            "name_zh": category.name_zh,
            "external_id": category.external_id,
            **payload,
        }
        category = services.menu_category_save(store=category.store, category=category, **fields)
        return Response(CategorySerializer(category).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        category = self.get_object()
        require(request, category.store, Perm.EDIT_MENU)
        services.menu_category_delete(category=category)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- items ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="MenuItem")  # the editable item (the menu's is MenuEntry)
class MenuItemSetupSerializer(MenuItemReadSerializer):
    tax_category = serializers.IntegerField(source="tax_category_id", read_only=True, allow_null=True)

    class Meta(MenuItemReadSerializer.Meta):
        fields = [*MenuItemReadSerializer.Meta.fields, "name_zh", "tax_category", "is_active", "position"]


class MenuItemInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text=STORE_HELP)
    category = IdField()
    name = serializers.CharField(max_length=120)
    name_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    price = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=0,
        help_text="A change is recorded in the audit trail (`menu_price_changed`).",
    )
    tax_category = IdField(required=False, allow_null=True)
    external_id = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text="Your system's id; unique per store."
    )
    modifier_groups = serializers.ListField(child=IdField(), required=False, max_length=50)
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    is_active = serializers.BooleanField(required=False, help_text="Off the menu (history kept) or back.")
    sold_out_manual = serializers.BooleanField(required=False, help_text="The manual 86.")


def _item_fields(payload: dict, store) -> dict:
    fields = {
        k: v for k, v in payload.items() if k in ("name", "name_zh", "description", "external_id", "position")
    }
    if "category" in payload:
        fields["category"] = _in_store(MenuCategory, store, payload["category"], "category")
    if "tax_category" in payload:
        fields["tax_category"] = _in_store(TaxCategory, store, payload["tax_category"], "tax_category")
    if "modifier_groups" in payload:
        fields["modifier_groups"] = [
            _in_store(ModifierGroup, store, pk, f"modifier_groups[{index}]")
            for index, pk in enumerate(payload["modifier_groups"])
        ]
    return fields


class MenuItemListView(MenuItemListReadView):
    """Menu items, on the menu or not (filter `is_active`, `category`, `external_id`, `updated_since`).

    POST adds one: `price` and its `tax_category` as on the set-up page, `modifier_groups` it offers."""

    serializer_class = MenuItemSetupSerializer
    filterset_class = MenuItemFilter

    @extend_schema(request=MenuItemInputSerializer, responses={201: MenuItemSetupSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(MenuItemInputSerializer, request)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.EDIT_MENU)
        fields = _item_fields(payload, store)
        item = services.menu_item_create(
            store=store,
            category=fields.pop("category").name,
            name=fields.pop("name"),
            price=payload["price"],
            tax_category=fields.pop("tax_category", None),
            description=fields.pop("description", ""),
            external_id=fields.pop("external_id", ""),
        )
        if fields:
            item = services.menu_item_update(item=item, by=request.user, **fields)
        if payload.get("sold_out_manual"):
            services.menu_item_set_sold_out(item=item, sold_out=True)
        item = selectors.menu_items(accessible_stores(request)).get(pk=item.pk)
        return Response(MenuItemSetupSerializer(item).data, status=status.HTTP_201_CREATED)


class MenuItemDetailView(MenuItemReadView):
    """PATCH changes any field; a new `price` goes through the audited price change. DELETE removes an
    item nobody ever ordered (204); an item with sales history is taken off the menu instead (200,
    `is_active: false`), so its history, margins and analyses stay."""

    serializer_class = MenuItemSetupSerializer

    @extend_schema(request=MenuItemInputSerializer, responses={200: MenuItemSetupSerializer})
    def patch(self, request, pk: int):
        item = self.get_object()
        payload = _valid(MenuItemInputSerializer, request, partial=True)
        payload.pop("store", None)
        require(request, item.store, Perm.EDIT_MENU)
        fields = _item_fields(payload, item.store)
        if fields:
            item = services.menu_item_update(item=item, by=request.user, **fields)
        if "price" in payload:
            item = services.menu_item_set_price(
                item=item, price=payload["price"], by=request.user, reason="api"
            )
        if "is_active" in payload:
            services.menu_item_set_active(item=item, active=payload["is_active"])
        if "sold_out_manual" in payload:
            services.menu_item_set_sold_out(item=item, sold_out=payload["sold_out_manual"])
        return Response(MenuItemSetupSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(responses={204: None, 200: MenuItemSetupSerializer})
    def delete(self, request, pk: int):
        item = self.get_object()
        require(request, item.store, Perm.EDIT_MENU)
        if services.menu_item_remove(item=item, by=request.user):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(MenuItemSetupSerializer(self.get_queryset().get(pk=pk)).data)


# --- modifier groups and modifiers ----------------------------------------------------------------


class ModifierGroupSetupSerializer(ModifierGroupSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(ModifierGroupSerializer.Meta):
        fields = [
            "id",
            "store",
            "name",
            "name_zh",
            "min_choices",
            "max_choices",
            "position",
            "modifiers",
            "updated_at",
        ]


class ModifierGroupInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text=STORE_HELP)
    name = serializers.CharField(max_length=80)
    name_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)
    min_choices = serializers.IntegerField(min_value=0, max_value=50, required=False)
    max_choices = serializers.IntegerField(min_value=1, max_value=50, required=False)
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)


def _groups(request):
    return (
        ModifierGroup.objects.filter(store__in=accessible_stores(request))
        .select_related("store")
        .prefetch_related("modifiers")
    )


class ModifierGroupListView(generics.ListAPIView):
    """Modifier groups with their modifiers; an item offers the groups named in its `modifier_groups`."""

    serializer_class = ModifierGroupSetupSerializer
    filterset_class = _filters(ModifierGroup)

    def get_queryset(self):
        return _groups(self.request)

    @extend_schema(request=ModifierGroupInputSerializer, responses={201: ModifierGroupSetupSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(ModifierGroupInputSerializer, request)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.EDIT_MENU)
        group = services.modifier_group_save(store=store, **payload)
        return Response(ModifierGroupSetupSerializer(group).data, status=status.HTTP_201_CREATED)


class ModifierGroupDetailView(generics.RetrieveAPIView):
    """DELETE a group whose modifiers were never ordered; otherwise 409 `in_use` (deactivate them)."""

    serializer_class = ModifierGroupSetupSerializer

    def get_queryset(self):
        return _groups(self.request)

    @extend_schema(request=ModifierGroupInputSerializer, responses={200: ModifierGroupSetupSerializer})
    def patch(self, request, pk: int):
        group = self.get_object()
        payload = _valid(ModifierGroupInputSerializer, request, partial=True)
        payload.pop("store", None)
        require(request, group.store, Perm.EDIT_MENU)
        fields = {
            "name": group.name,
            "name_zh": group.name_zh,
            "min_choices": group.min_choices,
            "max_choices": group.max_choices,
            **payload,
        }
        services.modifier_group_save(store=group.store, group=group, **fields)
        return Response(ModifierGroupSetupSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        group = self.get_object()
        require(request, group.store, Perm.EDIT_MENU)
        services.modifier_group_delete(group=group)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModifierSetupSerializer(ModifierSerializer):
    group = serializers.IntegerField(source="group_id", read_only=True)

    class Meta(ModifierSerializer.Meta):
        fields = [
            "id",
            "group",
            "name",
            "name_zh",
            "price_delta",
            "external_id",
            "is_active",
            "position",
            "sold_out_stock",
            "updated_at",
        ]
        read_only_fields = fields


class ModifierInputSerializer(InputSerializer):
    group = IdField()
    name = serializers.CharField(max_length=80)
    name_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)
    price_delta = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        help_text="Added to the item's price (may be negative).",
    )
    external_id = serializers.CharField(max_length=80, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    is_active = serializers.BooleanField(required=False)


def _modifiers(request):
    return Modifier.objects.filter(group__store__in=accessible_stores(request)).select_related("group__store")


class ModifierListView(generics.ListAPIView):
    """Modifiers (filter `group`, `external_id`, `updated_since`)."""

    serializer_class = ModifierSetupSerializer
    filterset_class = _filters(Modifier, "group", "external_id", "is_active", store_path="group__store__slug")

    def get_queryset(self):
        return _modifiers(self.request)

    @extend_schema(request=ModifierInputSerializer, responses={201: ModifierSetupSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(ModifierInputSerializer, request)
        group = get_object_or_404(_groups(request), pk=payload.pop("group"))
        require(request, group.store, Perm.EDIT_MENU)
        modifier = services.modifier_save(group=group, by=request.user, **payload)
        return Response(ModifierSetupSerializer(modifier).data, status=status.HTTP_201_CREATED)


class ModifierDetailView(generics.RetrieveAPIView):
    """A change of `price_delta` is audited (`modifier_price_changed`). DELETE removes a modifier never
    ordered (204); one with history is deactivated instead (200, `is_active: false`)."""

    serializer_class = ModifierSetupSerializer

    def get_queryset(self):
        return _modifiers(self.request)

    @extend_schema(request=ModifierInputSerializer, responses={200: ModifierSetupSerializer})
    def patch(self, request, pk: int):
        modifier = self.get_object()
        payload = _valid(ModifierInputSerializer, request, partial=True)
        group = modifier.group
        if "group" in payload:
            group = _in_store(ModifierGroup, modifier.group.store, payload.pop("group"), "group")
        require(request, group.store, Perm.EDIT_MENU)
        fields = {
            "name": modifier.name,
            "name_zh": modifier.name_zh,
            "price_delta": modifier.price_delta,
            "external_id": modifier.external_id,
            "is_active": modifier.is_active,
            **payload,
        }
        modifier = services.modifier_save(group=group, modifier=modifier, by=request.user, **fields)
        return Response(ModifierSetupSerializer(modifier).data)

    @extend_schema(responses={204: None, 200: ModifierSetupSerializer})
    def delete(self, request, pk: int):
        modifier = self.get_object()
        require(request, modifier.group.store, Perm.EDIT_MENU)
        if services.modifier_remove(modifier=modifier):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ModifierSetupSerializer(self.get_queryset().get(pk=pk)).data)


# --- tables ---------------------------------------------------------------------------------------


class TableSetupSerializer(TableSerializer):
    class Meta(TableSerializer.Meta):
        fields = [*TableSerializer.Meta.fields, "position", "qr_token", "updated_at"]
        read_only_fields = ["qr_token"]


class TableInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text=STORE_HELP)
    name = serializers.CharField(max_length=40)
    seats = serializers.IntegerField(min_value=1, max_value=100, required=False)
    external_id = serializers.CharField(max_length=80, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    is_active = serializers.BooleanField(required=False)


class TableListView(TableListReadView):
    """Tables (filter `is_active`, `external_id`, `updated_since`). The QR token is read-only: it is
    made with the table and rotates by itself (per the store's table sessions)."""

    serializer_class = TableSetupSerializer
    filterset_class = _filters(Table, "is_active", "external_id")
    filterset_fields = None

    @extend_schema(request=TableInputSerializer, responses={201: TableSetupSerializer})
    @idempotent
    def post(self, request):
        payload = _valid(TableInputSerializer, request)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.EDIT_MENU)
        active = payload.pop("is_active", True)
        position = payload.pop("position", None)
        table = services.table_create(store=store, **payload)
        if position is not None:
            table = services.table_update(table=table, position=position)
        if not active:
            table = services.table_set_active(table=table, active=False)
        return Response(TableSetupSerializer(table).data, status=status.HTTP_201_CREATED)


class TableDetailView(TableReadView):
    """PATCH renames (audited; the QR code stays), changes seats, external id, position, `is_active`.
    DELETE takes the table out of use (200, `is_active: false`): its orders keep it, its QR code stops
    taking orders."""

    serializer_class = TableSetupSerializer

    @extend_schema(request=TableInputSerializer, responses={200: TableSetupSerializer})
    def patch(self, request, pk: int):
        table = self.get_object()
        payload = _valid(TableInputSerializer, request, partial=True)
        payload.pop("store", None)
        require(request, table.store, Perm.EDIT_MENU)
        active = payload.pop("is_active", None)
        table = services.table_update(table=table, by=request.user, **payload)
        if active is not None:
            table = services.table_set_active(table=table, active=active)
        return Response(TableSetupSerializer(table).data)

    @extend_schema(responses={200: TableSetupSerializer})
    def delete(self, request, pk: int):
        table = self.get_object()
        require(request, table.store, Perm.EDIT_MENU)
        return Response(TableSetupSerializer(services.table_set_active(table=table, active=False)).data)
