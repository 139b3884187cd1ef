import django_filters

from inventory.models import (
    Ingredient,
    PurchaseOrder,
    RecipeLine,
    StockCount,
    StockMovement,
    Supplier,
    SupplierItem,
    SupplierPrice,
)
from restaurant_ops.api import filters as bounded


class IngredientFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Ingredient
        fields = ["store", "needs_count", "auto_order", "is_active", "preferred_supplier", "external_id"]


class RecipeLineFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = RecipeLine
        fields = ["store", "menu_item", "modifier", "ingredient"]


class SupplierFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Supplier
        fields = ["store", "is_active"]


class SupplierItemFilter(django_filters.FilterSet):
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = SupplierItem
        fields = ["supplier", "ingredient"]


class SupplierPriceFilter(django_filters.FilterSet):
    supplier = bounded.IdFilter(field_name="supplier_item__supplier_id")
    ingredient = bounded.IdFilter(field_name="supplier_item__ingredient_id")
    effective_on_or_before = bounded.DateFilter(field_name="effective_from", lookup_expr="lte")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = SupplierPrice
        fields = ["supplier_item"]


class StockMovementFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    kind = django_filters.MultipleChoiceFilter(choices=StockMovement.Kind.choices)
    date_from = bounded.DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = bounded.DateFilter(field_name="business_date", lookup_expr="lte")
    # The ledger is append-only: `since` (posted at or after) is its `updated_since`.
    since = bounded.IsoDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = StockMovement
        fields = ["store", "ingredient", "kind", "order"]


class StockCountFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = StockCount
        fields = ["store"]


class PurchaseOrderFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    status = django_filters.MultipleChoiceFilter(choices=PurchaseOrder.Status.choices)
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = PurchaseOrder
        fields = ["store", "supplier", "status", "source"]
