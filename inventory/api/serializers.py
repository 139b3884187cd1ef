from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
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

Q6 = Decimal("0.000001")
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
    base_unit = serializers.SerializerMethodField()
    purchase_unit = serializers.SerializerMethodField()
    price_per_purchase_unit = serializers.SerializerMethodField()

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
            "base_unit",
            "purchase_unit",
            "price_per_purchase_unit",
            "effective_from",
            "updated_at",
        ]
        extra_kwargs = {"unit_price": {"help_text": "Per base unit (`base_unit`), 6 decimal places."}}

    @extend_schema_field(serializers.CharField())
    def get_base_unit(self, price) -> str:
        return price.supplier_item.ingredient.base_unit

    @extend_schema_field(serializers.CharField())
    def get_purchase_unit(self, price) -> str:
        return price.supplier_item.purchase_unit

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=6))
    def get_price_per_purchase_unit(self, price) -> str:
        """The price of one purchase unit: as given, or the base unit price × the units it holds."""
        if price.per != SupplierPrice.Per.BASE_UNIT:
            return f"{price.price:.6f}"
        return f"{(price.unit_price * price.supplier_item.pack_size).quantize(Q6):.6f}"


class SupplierItemSerializer(serializers.ModelSerializer):
    prices = SupplierPriceSerializer(many=True, read_only=True)
    base_unit = serializers.CharField(source="ingredient.base_unit", read_only=True)

    class Meta:
        model = SupplierItem
        fields = [
            "id",
            "supplier",
            "ingredient",
            "sku",
            "purchase_unit",
            "pack_size",
            "base_unit",
            "prices",
            "updated_at",
        ]
        extra_kwargs = {"pack_size": {"help_text": "Base units in one purchase unit (1 kg = 1000 g)."}}


class SupplierItemInputSerializer(InputSerializer):
    supplier = serializers.IntegerField()
    ingredient = serializers.IntegerField()
    purchase_unit = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the supplier sells by: kg, l, g, ml, pcs convert by themselves; anything else "
        "(case, tray) needs `pack_size` and `pack_unit` (a case of 12 pcs).",
    )
    pack_size = serializers.DecimalField(
        **QTY, required=False, help_text="What one purchase unit (or pack) holds, in `pack_unit`."
    )
    pack_unit = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    sku = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class SupplierPriceInputSerializer(InputSerializer):
    supplier_item = serializers.IntegerField()
    price = serializers.DecimalField(**PRICE)
    per = serializers.ChoiceField(
        choices=SupplierPrice.Per.choices,
        default=SupplierPrice.Per.BASE_UNIT,
        help_text="`purchase` (or `pack`): the price of one purchase unit, converted to the base unit "
        "(divided by `pack_size`, rounded to 6 decimal places, half to even).",
    )
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
