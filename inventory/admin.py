from django.contrib import admin

from restaurant_ops.admin import ReadOnlyAdmin

from .models import (
    Ingredient,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockCount,
    StockMovement,
    Supplier,
    SupplierItem,
    SupplierPrice,
)


@admin.register(Ingredient)
class IngredientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "store",
        "base_unit",
        "on_hand",
        "min_quantity",
        "needs_count",
        "preferred_supplier",
    ]
    list_filter = ["store", "needs_count", "auto_order"]
    search_fields = ["name"]
    readonly_fields = ["on_hand"]


@admin.register(RecipeLine)
class RecipeLineAdmin(admin.ModelAdmin):
    list_display = [
        "menu_item",
        "modifier",
        "ingredient",
        "quantity",
        "unit",
        "yield_factor",
        "base_quantity",
    ]
    list_filter = ["store"]
    readonly_fields = ["base_quantity"]


class SupplierItemInline(admin.TabularInline):
    model = SupplierItem
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "email", "lead_time_days", "min_order_value"]
    inlines = [SupplierItemInline]


@admin.register(SupplierPrice)
class SupplierPriceAdmin(ReadOnlyAdmin):
    """Price history: a new price is a new row (`supplier_price_add`), old ones are what was quoted."""

    list_display = ["supplier_item", "price", "per", "unit_price", "effective_from"]


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    """Drafted, sent, received and closed through the purchase-order services and pages."""

    list_display = ["__str__", "store", "supplier", "status", "created_at"]
    list_filter = ["store", "status"]
    inlines = [PurchaseOrderLineInline]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    """The ledger is append-only: corrections are new movements posted by services."""

    list_display = ["at", "store", "ingredient", "kind", "quantity", "unit_cost", "by", "reason"]
    list_filter = ["store", "kind"]


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    """A count posts ledger movements when it is recorded; it is evidence, not a form to edit."""

    list_display = ["__str__", "store", "counted_at", "counted_by"]
