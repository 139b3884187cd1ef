from django.contrib import admin

from .models import (
    CashDrawerSession,
    Check,
    MenuCategory,
    MenuItem,
    Modifier,
    ModifierGroup,
    Order,
    OrderLine,
    Payment,
    Receipt,
    Register,
    Table,
    TableSession,
)


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
    readonly_fields = [
        "menu_item",
        "name",
        "quantity",
        "unit_price",
        "line_total",
        "tax_amount",
        "net_amount",
    ]
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records change only through the services (with their audit trail)."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    fk_name = "guest_check"
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "kind",
        "method",
        "amount",
        "tip",
        "change_due",
        "reason",
        "taken_by",
        "approved_by",
    ]
    readonly_fields = fields


@admin.register(Check)
class CheckAdmin(ReadOnlyAdmin):
    list_display = ["id", "store", "table", "status", "business_date", "total", "paid_total", "tip_total"]
    list_filter = ["store", "status", "service_type"]
    date_hierarchy = "opened_at"
    inlines = [PaymentInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "store", "guest_check", "kind", "method", "amount", "tip", "created_at"]
    list_filter = ["store", "method", "kind"]


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    list_display = ["name", "store"]
    list_filter = ["store"]


@admin.register(CashDrawerSession)
class CashDrawerSessionAdmin(ReadOnlyAdmin):
    list_display = [
        "register",
        "opened_at",
        "opening_float",
        "closed_at",
        "expected_cash",
        "counted_cash",
        "difference",
    ]
    list_filter = ["store", "register"]


@admin.register(TableSession)
class TableSessionAdmin(ReadOnlyAdmin):
    list_display = ["table", "store", "opened_at", "closed_at"]
    list_filter = ["store"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "store", "guest_check", "issued_at"]
    list_filter = ["store"]
