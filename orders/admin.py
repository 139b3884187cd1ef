from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from restaurant_ops.admin import ReadOnlyAdmin

from . import services
from .models import (
    CashDrawerSession,
    Check,
    DiscountCode,
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

    def save_formset(self, request, form, formset, change):
        """Modifiers are written by `modifier_save` (a price change is audited, as through the API) and
        removed by `modifier_remove` (one with order history is deactivated, not deleted)."""
        if formset.model is not Modifier:
            return super().save_formset(request, form, formset, change)
        modifiers = formset.save(commit=False)
        for modifier in formset.deleted_objects:
            services.modifier_remove(modifier=modifier)
        for modifier in modifiers:
            services.modifier_save(
                group=form.instance,
                modifier=modifier if modifier.pk else None,
                name=modifier.name,
                price_delta=modifier.price_delta,
                external_id=modifier.external_id,
                name_zh=modifier.name_zh,
                position=modifier.position,
                is_active=modifier.is_active,
                by=request.user,
            )
        return None


@admin.register(MenuCategory)
class MenuCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "position"]
    list_filter = ["store"]


class MenuItemForm(forms.ModelForm):
    new_price = forms.DecimalField(
        label=_("new price"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=_("Changes the price from now on, recorded in the audit trail."),
    )
    price_reason = forms.CharField(label=_("reason for the price change"), required=False, max_length=200)

    class Meta:
        model = MenuItem
        fields = "__all__"  # noqa: DJ007 - the admin lists the fields it shows


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    """The price of an existing item changes only through `menu_item_set_price` (audited: it moves every
    margin); `sold_out_stock` belongs to inventory."""

    form = MenuItemForm
    list_display = ["name", "store", "category", "price", "is_active", "sold_out_manual", "sold_out_stock"]
    list_filter = ["store", "category", "is_active"]
    search_fields = ["name", "name_zh", "external_id"]
    filter_horizontal = ["modifier_groups"]

    def get_readonly_fields(self, request, obj=None):
        frozen = ["sold_out_stock", "created_at"]
        return ["price", *frozen] if obj is not None else frozen

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:  # a new item's first price is set on the form; later changes go through the service
            return [name for name in fields if name not in ("new_price", "price_reason")]
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        new_price = form.cleaned_data.get("new_price")
        if change and new_price is not None:
            services.menu_item_set_price(
                item=obj, price=new_price, by=request.user, reason=form.cleaned_data.get("price_reason", "")
            )


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
class OrderAdmin(ReadOnlyAdmin):
    """Orders change only through the order service."""

    list_display = ["id", "store", "placed_at", "late", "channel", "status", "total"]
    list_filter = ["store", "status", "channel", "late"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline]


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


@admin.register(DiscountCode)
class DiscountCodeAdmin(ReadOnlyAdmin):
    """Codes are issued and redeemed only through their services (a redemption locks the code)."""

    list_display = ["code", "store", "kind", "value", "valid_until", "max_uses", "redeemed_count", "source"]
    list_filter = ["store", "kind"]
    search_fields = ["code", "source"]


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
