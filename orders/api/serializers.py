from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import (
    MenuCategory,
    MenuItem,
    Modifier,
    ModifierGroup,
    Order,
    OrderLine,
    OrderLineModifier,
    Table,
)
from orders.services import MAX_LINE_QUANTITY, MAX_LINES


class ModifierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Modifier
        fields = ["id", "name", "price_delta", "external_id"]


class ModifierGroupSerializer(serializers.ModelSerializer):
    modifiers = ModifierSerializer(many=True, read_only=True)

    class Meta:
        model = ModifierGroup
        fields = ["id", "name", "min_choices", "max_choices", "modifiers"]


class MenuItemSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True)
    category_id = serializers.IntegerField(read_only=True)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4, read_only=True)
    sold_out = serializers.BooleanField(source="is_sold_out", read_only=True)
    modifier_groups = ModifierGroupSerializer(many=True, read_only=True)

    class Meta:
        model = MenuItem
        fields = ["id", "store", "external_id", "category_id", "category", "name", "description", "price",
                  "tax_rate", "photo", "sold_out", "sold_out_manual", "sold_out_stock", "allergens",
                  "dietary_tags", "modifier_groups", "updated_at"]


class MenuCategorySerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = MenuCategory
        fields = ["id", "name", "external_id", "items"]

    @extend_schema_field(MenuItemSerializer(many=True))
    def get_items(self, category):
        return MenuItemSerializer([i for i in category.items.all() if i.is_active], many=True,
                                  context=self.context).data


class TableSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Table
        fields = ["id", "store", "name", "seats", "external_id", "is_active"]


class OrderLineModifierSerializer(serializers.ModelSerializer):
    modifier_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = OrderLineModifier
        fields = ["modifier_id", "name", "price_delta"]


class OrderLineSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="menu_item_id", read_only=True)
    item_external_id = serializers.CharField(source="menu_item.external_id", read_only=True)
    modifiers = OrderLineModifierSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "position", "item", "item_external_id", "name", "quantity", "unit_price", "line_total",
                  "tax_rate", "tax_amount", "net_amount", "note", "modifiers", "voided_at"]


class OrderSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    table = serializers.IntegerField(source="table_id", read_only=True, allow_null=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "store", "table", "channel", "service_type", "status", "external_id", "note", "currency",
                  "prices_include_tax", "subtotal", "tax", "total", "placed_at", "business_date", "in_kitchen_at",
                  "ready_at", "served_at", "cancelled_at", "cancel_reason", "updated_at", "lines"]


class LineInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(required=False, help_text="Menu item id.")
    item_external_id = serializers.CharField(required=False, max_length=80,
                                             help_text="Or the item's external id in your system.")
    # Range is checked by the order service so the till and QR page get the same rule; the bounds
    # here only keep absurd numbers from reaching it.
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    modifiers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                      max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs):
        if "item" not in attrs and not attrs.get("item_external_id"):
            raise serializers.ValidationError({"item": "Give item or item_external_id."}, code="required")
        return attrs


class OrderCreateSerializer(serializers.Serializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    table = serializers.IntegerField(required=False, allow_null=True)
    service_type = serializers.ChoiceField(choices=Order.ServiceType.choices, default=Order.ServiceType.DINE_IN)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    external_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)
    lines = LineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)


class OrderStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s for s in Order.Status.choices if s[0] != Order.Status.CANCELLED])


class OrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    approver_pin = serializers.CharField(required=False, max_length=8, write_only=True)
