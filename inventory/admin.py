from django.contrib import admin

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
class SupplierPriceAdmin(admin.ModelAdmin):
    list_display = ["supplier_item", "price", "per", "unit_price", "effective_from"]
    readonly_fields = ["unit_price"]


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    readonly_fields = ["received_quantity"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "supplier", "status", "created_at"]
    list_filter = ["store", "status"]
    readonly_fields = ["status", "sent_at", "received_at", "closed_at", "cancelled_at"]
    inlines = [PurchaseOrderLineInline]


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only, corrections are new movements posted by services."""

    list_display = ["at", "store", "ingredient", "kind", "quantity", "unit_cost", "by", "reason"]
    list_filter = ["store", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockCount)
class StockCountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "counted_at", "counted_by"]

    def has_change_permission(self, request, obj=None):
        return False
