from decimal import Decimal

from rest_framework import serializers

from inventory.models import (
    BaseUnit,
    Ingredient,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockCount,
    StockCountLine,
    StockMovement,
    Supplier,
    SupplierItem,
    SupplierPrice,
)
from restaurant_ops.api import fields as bounded
from restaurant_ops.api.serializers import InputSerializer

QTY = {"max_digits": 14, "decimal_places": 3}
PRICE = {"max_digits": 14, "decimal_places": 6}


class IngredientSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    alt_unit = serializers.CharField(
        read_only=True, help_text="Another of g, ml, pcs (1 base unit = alt_factor of it)."
    )

    class Meta:
        model = Ingredient
        fields = [
            "id",
            "store",
            "name",
            "base_unit",
            "alt_unit",
            "alt_factor",
            "allergens",
            "dietary_tags",
            "min_quantity",
            "auto_order",
            "review_period_days",
            "preferred_supplier",
            "needs_count",
            "on_hand",
            "external_id",
            "is_active",
            "updated_at",
        ]


class IngredientInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    name = serializers.CharField(max_length=120)
    base_unit = serializers.ChoiceField(choices=BaseUnit.choices)
    alt_unit = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text="Another of g, ml, pcs, converted through alt_factor.",
    )
    alt_factor = serializers.DecimalField(
        max_digits=14, decimal_places=6, required=False, allow_null=True, min_value=0
    )
    allergens = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=30
    )
    dietary_tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=30
    )
    min_quantity = serializers.DecimalField(**QTY, required=False, min_value=0)
    auto_order = serializers.BooleanField(required=False)
    review_period_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    preferred_supplier = serializers.IntegerField(required=False, allow_null=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=80)
    is_active = serializers.BooleanField(required=False)


class RecipeLineSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = RecipeLine
        fields = [
            "id",
            "store",
            "menu_item",
            "modifier",
            "ingredient",
            "quantity",
            "unit",
            "yield_factor",
            "base_quantity",
            "valid_from",
            "valid_until",
            "updated_at",
        ]


class RecipeLineInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False)
    menu_item = serializers.IntegerField(required=False, allow_null=True)
    modifier = serializers.IntegerField(required=False, allow_null=True)
    ingredient = serializers.IntegerField()
    quantity = serializers.DecimalField(**QTY)
    unit = serializers.CharField(max_length=5)
    yield_factor = serializers.DecimalField(
        max_digits=4, decimal_places=3, required=False, default=Decimal("1")
    )
    valid_from = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Business day the change takes effect (default today; a recipe entered today applies to "
        "all past sales). Past sales keep the recipe of their day.",
    )


class SupplierSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "store",
            "name",
            "contact_name",
            "email",
            "phone",
            "lead_time_days",
            "min_order_value",
            "is_active",
            "updated_at",
        ]


class SupplierInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False)
    name = serializers.CharField(max_length=120)
    contact_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    min_order_value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    is_active = serializers.BooleanField(required=False)


class SupplierPriceSerializer(serializers.ModelSerializer):
    supplier = serializers.IntegerField(source="supplier_item.supplier_id", read_only=True)
    ingredient = serializers.IntegerField(source="supplier_item.ingredient_id", read_only=True)

    class Meta:
        model = SupplierPrice
        fields = [
            "id",
            "supplier_item",
            "supplier",
            "ingredient",
            "price",
            "per",
            "unit_price",
            "effective_from",
            "updated_at",
        ]


class SupplierItemSerializer(serializers.ModelSerializer):
    prices = SupplierPriceSerializer(many=True, read_only=True)

    class Meta:
        model = SupplierItem
        fields = ["id", "supplier", "ingredient", "sku", "pack_size", "prices", "updated_at"]


class SupplierItemInputSerializer(InputSerializer):
    supplier = serializers.IntegerField()
    ingredient = serializers.IntegerField()
    pack_size = serializers.DecimalField(**QTY)
    pack_unit = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    sku = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class SupplierPriceInputSerializer(InputSerializer):
    supplier_item = serializers.IntegerField()
    price = serializers.DecimalField(**PRICE)
    per = serializers.ChoiceField(choices=SupplierPrice.Per.choices, default=SupplierPrice.Per.BASE_UNIT)
    effective_from = bounded.DateField()


class StockMovementSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "store",
            "ingredient",
            "kind",
            "quantity",
            "unit_cost",
            "at",
            "business_date",
            "by",
            "reason",
            "order",
            "purchase_order_line",
            "stock_count",
        ]


class StockMovementInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False)
    ingredient = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=[StockMovement.Kind.WASTE, StockMovement.Kind.CORRECTION, StockMovement.Kind.RECEIPT]
    )
    quantity = serializers.DecimalField(**QTY, help_text="Waste and receipts: positive; corrections: signed.")
    unit = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    unit_cost = serializers.DecimalField(
        **PRICE, required=False, allow_null=True, help_text="Receipts only: paid per base unit."
    )
    reason = serializers.CharField(max_length=200)
    effective_at = bounded.DateTimeField(
        required=False,
        help_text="When it happened, if earlier (with its UTC offset): not in the future (400 `in_future`), "
        "not before the last count of the ingredient (409 `before_last_count`). Default: now.",
    )


class StockCountLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockCountLine
        fields = ["ingredient", "expected", "counted", "variance"]


class StockCountSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lines = StockCountLineSerializer(many=True, read_only=True)

    class Meta:
        model = StockCount
        fields = ["id", "store", "counted_at", "note", "lines", "updated_at"]


class CountLineInputSerializer(InputSerializer):
    ingredient = serializers.IntegerField()
    counted = serializers.DecimalField(**QTY)
    unit = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")


class StockCountInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lines = CountLineInputSerializer(many=True, allow_empty=False, max_length=1000)
    counted_at = bounded.DateTimeField(
        required=False,
        help_text="When the shelf was counted, if earlier: not in the future, not before an earlier count "
        "of a counted ingredient. The difference is to what the ledger held then; what moved since stays.",
    )


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    ingredient_name = serializers.CharField(source="ingredient.name", read_only=True)
    unit = serializers.CharField(source="ingredient.base_unit", read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "ingredient",
            "ingredient_name",
            "unit",
            "quantity",
            "unit_price",
            "received_quantity",
        ]


class PurchaseOrderSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "store",
            "supplier",
            "status",
            "source",
            "note",
            "expected_on",
            "created_at",
            "sent_at",
            "received_at",
            "closed_at",
            "cancelled_at",
            "updated_at",
            "lines",
        ]


class POLineInputSerializer(InputSerializer):
    ingredient = serializers.IntegerField()
    quantity = serializers.DecimalField(**QTY)
    unit = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    unit_price = serializers.DecimalField(
        **PRICE,
        required=False,
        allow_null=True,
        help_text="Per base unit; default: the supplier's list price.",
    )


class PurchaseOrderInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False)
    supplier = serializers.IntegerField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    expected_on = bounded.DateField(required=False, allow_null=True)
    lines = POLineInputSerializer(many=True, allow_empty=False, max_length=500)


class ReceiptLineInputSerializer(InputSerializer):
    line = serializers.IntegerField(required=False, help_text="PO line id (or give ingredient).")
    ingredient = serializers.IntegerField(required=False)
    quantity = serializers.DecimalField(**QTY)
    unit = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    unit_price = serializers.DecimalField(
        **PRICE, required=False, allow_null=True, help_text="Paid per base unit; default: the PO's price."
    )

    def validate(self, attrs):
        if "line" not in attrs and "ingredient" not in attrs:
            raise serializers.ValidationError({"line": "Give line or ingredient."}, code="required")
        return attrs


class ReceiveInputSerializer(InputSerializer):
    allow_over_receipt = serializers.BooleanField(default=False)
    received_at = bounded.DateTimeField(
        required=False,
        help_text="When the goods arrived, if earlier: not in the future (400 `in_future`), "
        "not before the last count of the ingredient (409 `before_last_count`). Default: now.",
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lines = ReceiptLineInputSerializer(many=True, allow_empty=False, max_length=500)
