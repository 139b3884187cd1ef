from django.contrib import admin

from .models import MenuCategory, MenuItem, Modifier, ModifierGroup, Order, OrderLine, Table


class ModifierInline(admin.TabularInline):
    model = Modifier
    extra = 0


@admin.register(ModifierGroup)
class ModifierGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "min_choices", "max_choices"]
    list_filter = ["store"]
    inlines = [ModifierInline]


@admin.register(MenuCategory)
class MenuCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "position"]
    list_filter = ["store"]


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "category", "price", "is_active", "sold_out_manual", "sold_out_stock"]
    list_filter = ["store", "category", "is_active"]
    search_fields = ["name", "external_id"]
    filter_horizontal = ["modifier_groups"]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "seats", "is_active"]
    list_filter = ["store"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["menu_item", "name", "quantity", "unit_price", "line_total", "tax_amount", "net_amount"]
    fields = readonly_fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: orders change only through the order service."""

    list_display = ["id", "store", "placed_at", "channel", "status", "total"]
    list_filter = ["store", "status", "channel"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
