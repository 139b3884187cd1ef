from decimal import Decimal

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from orders.models import (
    Check,
    CheckAdjustment,
    MenuCategory,
    MenuItem,
    Modifier,
    ModifierGroup,
    Order,
    OrderLine,
    OrderLineModifier,
    Payment,
    RefundLine,
    Table,
)
from orders.services import MAX_LINE_QUANTITY, MAX_LINES
from restaurant_ops.api import fields as bounded
from restaurant_ops.api.serializers import FieldsBuiltOnce, InputSerializer


class ModifierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Modifier
        fields = ["id", "name", "price_delta", "external_id", "sold_out_stock"]
        read_only_fields = ["sold_out_stock"]


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
        fields = [
            "id",
            "store",
            "external_id",
            "category_id",
            "category",
            "name",
            "description",
            "price",
            "tax_rate",
            "photo",
            "sold_out",
            "sold_out_manual",
            "sold_out_stock",
            "allergens",
            "dietary_tags",
            "modifier_groups",
            "updated_at",
        ]


# An item as the till reads it on `/api/v1/menu/`: a component of its own name, apart from the
# editable `MenuItem` of /api/v1/menu/items/ (two components of one name make generators misread).
@extend_schema_serializer(component_name="MenuEntry")
class MenuEntrySerializer(MenuItemSerializer):
    pass


class MenuCategorySerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = MenuCategory
        fields = ["id", "name", "external_id", "items"]

    @extend_schema_field(MenuEntrySerializer(many=True))
    def get_items(self, category):
        return MenuEntrySerializer(
            [i for i in category.items.all() if i.is_active], many=True, context=self.context
        ).data


class TableSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Table
        fields = ["id", "store", "name", "seats", "external_id", "is_active"]


class OrderLineModifierSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    modifier_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = OrderLineModifier
        fields = ["modifier_id", "name", "price_delta"]


class OrderLineSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    item = serializers.IntegerField(source="menu_item_id", read_only=True)
    item_external_id = serializers.CharField(source="menu_item.external_id", read_only=True)
    modifiers = OrderLineModifierSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "position",
            "item",
            "item_external_id",
            "name",
            "quantity",
            "unit_price",
            "line_total",
            "tax_rate",
            "tax_amount",
            "net_amount",
            "note",
            "modifiers",
            "voided_at",
        ]


class OrderSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    table = serializers.IntegerField(source="table_id", read_only=True, allow_null=True)
    check = serializers.IntegerField(
        source="guest_check_id",
        read_only=True,
        allow_null=True,
        help_text="The check the order is on: pay it with `POST /api/v1/checks/<check>/payments/`.",
    )
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "store",
            "table",
            "check",
            "channel",
            "service_type",
            "status",
            "external_id",
            "note",
            "currency",
            "prices_include_tax",
            "subtotal",
            "tax",
            "total",
            "placed_at",
            "late",
            "business_date",
            "in_kitchen_at",
            "ready_at",
            "served_at",
            "cancelled_at",
            "cancel_reason",
            "updated_at",
            "lines",
        ]


class LineInputSerializer(InputSerializer):
    item = serializers.IntegerField(required=False, help_text="Menu item id.")
    item_external_id = serializers.CharField(
        required=False, max_length=80, help_text="Or the item's external id in your system."
    )
    # Range is checked by the order service so the till and QR page get the same rule; the bounds
    # here only keep absurd numbers from reaching it.
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    modifiers = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=20
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs):
        if "item" not in attrs and not attrs.get("item_external_id"):
            raise serializers.ValidationError({"item": "Give item or item_external_id."}, code="required")
        return attrs


class OrderCreateSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    table = serializers.IntegerField(required=False, allow_null=True)
    service_type = serializers.ChoiceField(
        choices=Order.ServiceType.choices, default=Order.ServiceType.DINE_IN
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    external_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)
    lines = LineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)
    placed_at = bounded.DateTimeField(
        required=False,
        help_text="For an order the till queued offline: when it was placed (with its UTC offset). At "
        "most 2 minutes ahead of the server, at most 7 days old, not before the store's last Z report. "
        "Its business day, sales and stock movements are those of this time; the order is flagged `late`.",
    )
    served = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The food already went out (with `placed_at`): the order is served (collected for "
        "takeaway) at `placed_at` and the kitchen gets no ticket.",
    )


class OrderStatusSerializer(InputSerializer):
    status = serializers.ChoiceField(
        choices=[s for s in Order.Status.choices if s[0] != Order.Status.CANCELLED]
    )


class OrderCancelSerializer(InputSerializer):
    reason = serializers.CharField(max_length=200)
    approver_pin = serializers.CharField(required=False, max_length=8, write_only=True)
    approver = serializers.CharField(
        required=False, max_length=150, help_text="The username of the manager whose PIN this is."
    )


# --- Front of house ------------------------------------------------------------------------------


class CheckLineSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="menu_item_id", read_only=True)
    order = serializers.IntegerField(source="order_id", read_only=True)
    order_status = serializers.CharField(source="order.status", read_only=True)
    modifiers = OrderLineModifierSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "order",
            "order_status",
            "item",
            "name",
            "quantity",
            "unit_price",
            "line_total",
            "tax_rate",
            "discount_amount",
            "note",
            "modifiers",
            "voided_at",
            "void_reason",
        ]


class RefundLineSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_id", read_only=True)

    class Meta:
        model = RefundLine
        fields = ["line", "quantity", "amount"]


class PaymentSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    refund_lines = RefundLineSerializer(
        many=True, read_only=True, help_text="A refund by line: what it gave back."
    )
    check = serializers.IntegerField(source="guest_check_id", read_only=True)
    refund_of = serializers.IntegerField(source="refund_of_id", read_only=True, allow_null=True)
    register = serializers.IntegerField(source="register_id", read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "store",
            "check",
            "kind",
            "method",
            "amount",
            "tip",
            "tendered",
            "change_due",
            "refund_of",
            "refund_lines",
            "reason",
            "reference",
            "register",
            "created_at",
            "business_date",
            "updated_at",
        ]


class CheckAdjustmentSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_id", read_only=True, allow_null=True)

    class Meta:
        model = CheckAdjustment
        fields = ["id", "kind", "line", "amount", "percent", "reason", "created_at"]


class CheckSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    table = serializers.IntegerField(source="table_id", read_only=True, allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", read_only=True, allow_null=True)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    receipt_number = serializers.SerializerMethodField()
    lines = CheckLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    adjustments = CheckAdjustmentSerializer(many=True, read_only=True)

    class Meta:
        model = Check
        fields = [
            "id",
            "store",
            "table",
            "service_type",
            "status",
            "business_date",
            "opened_at",
            "paid_at",
            "closed_at",
            "merged_into",
            "subtotal",
            "discount_total",
            "net_sales",
            "tax",
            "service_charge",
            "total",
            "paid_total",
            "tip_total",
            "balance",
            "receipt_number",
            "updated_at",
            "lines",
            "payments",
            "adjustments",
        ]

    def get_receipt_number(self, check) -> int | None:
        receipt = getattr(check, "receipt", None)
        return receipt.number if receipt else None


class CheckCreateSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    table = serializers.IntegerField(
        required=False, allow_null=True, help_text="Open (or return) the table's check; omit for takeaway."
    )
    service_type = serializers.ChoiceField(
        choices=Order.ServiceType.choices, default=Order.ServiceType.TAKEAWAY
    )


MONEY_FIELD = {"max_digits": 10, "decimal_places": 2}


class PayInputSerializer(InputSerializer):
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    amount = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY_FIELD)
    tip = serializers.DecimalField(
        min_value=Decimal("0"), required=False, default=Decimal("0"), **MONEY_FIELD
    )
    tendered = serializers.DecimalField(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Cash handed over; the change due is returned.",
        **MONEY_FIELD,
    )
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)
    register = serializers.IntegerField(required=False, allow_null=True)


class ApprovalMixin(InputSerializer):
    reason = serializers.CharField(max_length=200)
    approver_pin = serializers.CharField(
        required=False,
        max_length=8,
        write_only=True,
        help_text="A manager's PIN (6 to 8 digits) when the caller's role needs approval.",
    )
    approver = serializers.CharField(
        required=False,
        max_length=150,
        help_text="The username of the manager whose PIN this is (wrong tries then count against that "
        "PIN too); without it any manager's PIN is accepted.",
    )


class RefundLineInputSerializer(InputSerializer):
    line = serializers.IntegerField(help_text="An order line on the payment's check.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, default=1)


class RefundInputSerializer(ApprovalMixin):
    """Either `amount`, or `lines`: so many of each line, refunded at what the guest paid for them
    (unmade food goes back into stock and off the kitchen display)."""

    amount = serializers.DecimalField(min_value=Decimal("0.01"), required=False, **MONEY_FIELD)
    lines = RefundLineInputSerializer(many=True, required=False, allow_empty=False, max_length=MAX_LINES)

    def validate(self, attrs):
        if ("amount" in attrs) == ("lines" in attrs):
            raise serializers.ValidationError({"amount": "Give either amount or lines."}, code="one_of")
        return attrs


class DiscountInputSerializer(ApprovalMixin):
    amount = serializers.DecimalField(min_value=Decimal("0.01"), required=False, **MONEY_FIELD)
    percent = serializers.DecimalField(
        min_value=Decimal("0.01"), max_value=Decimal("100"), required=False, max_digits=5, decimal_places=2
    )

    def validate(self, attrs):
        if ("amount" in attrs) == ("percent" in attrs):
            raise serializers.ValidationError({"amount": "Give either amount or percent."}, code="one_of")
        return attrs


class CodeInputSerializer(InputSerializer):
    code = serializers.CharField(max_length=24, help_text="The coupon's or voucher's code")


class CompInputSerializer(ApprovalMixin):
    line = serializers.IntegerField()


class SplitInputSerializer(InputSerializer):
    mode = serializers.ChoiceField(choices=[("even", "even"), ("items", "items")])
    parts = serializers.IntegerField(min_value=2, max_value=50, required=False)
    lines = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=200)

    def validate(self, attrs):
        if attrs["mode"] == "even" and "parts" not in attrs:
            raise serializers.ValidationError({"parts": "Say how many ways to split."}, code="required")
        if attrs["mode"] == "items" and not attrs.get("lines"):
            raise serializers.ValidationError(
                {"lines": "Choose the lines for the new check."}, code="required"
            )
        return attrs


class EvenSplitSerializer(serializers.Serializer):
    check = serializers.IntegerField()
    balance = serializers.DecimalField(**MONEY_FIELD)
    shares = serializers.ListField(child=serializers.DecimalField(**MONEY_FIELD))


class MergeInputSerializer(InputSerializer):
    other = serializers.IntegerField(help_text="The check to fold into this one; it closes.")


class MoveInputSerializer(InputSerializer):
    table = serializers.IntegerField()
