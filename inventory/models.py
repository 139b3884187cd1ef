"""Ingredients, recipes, suppliers with price history, the stock ledger, purchase orders, counts.

Quantities are stored in the ingredient's base unit (g, ml or pcs); `units.py` converts what people
type (kg, l, a bun) into it. Money is Decimal; a price per base unit keeps 6 decimals because a gram
of saffron and a gram of flour differ by four orders of magnitude.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import MenuItem, Modifier, Order
from restaurant_ops.models import Store

QTY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 12, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 14, "decimal_places": 6}


class BaseUnit(models.TextChoices):
    GRAM = "g", _("grams")
    MILLILITRE = "ml", _("millilitres")
    PIECE = "pcs", _("pieces")


class Supplier(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(_("name"), max_length=120)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=1)
    min_order_value = models.DecimalField(
        _("minimum order value"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_supplier_name")]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class Ingredient(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="ingredients")
    name = models.CharField(_("name"), max_length=120)
    base_unit = models.CharField(_("base unit"), max_length=3, choices=BaseUnit.choices)
    # Across dimensions only through this factor: "1 pcs = 60 g" is alt_unit="g", alt_factor=60.
    alt_unit = models.CharField(_("other unit"), max_length=3, choices=BaseUnit.choices, blank=True)
    alt_factor = models.DecimalField(
        _("other units per base unit"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    allergens = models.JSONField(_("allergens"), default=list, blank=True)
    dietary_tags = models.JSONField(
        _("dietary tags"),
        default=list,
        blank=True,
        help_text=_(
            "Tags this ingredient is compatible with (vegan, vegetarian, gluten_free…); a dish "
            "carries a tag only when all its ingredients do."
        ),
    )
    min_quantity = models.DecimalField(
        _("manual minimum (base units)"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        **QTY,
    )
    auto_order = models.BooleanField(_("order automatically"), default=False)
    review_period_days = models.PositiveSmallIntegerField(_("review period (days)"), default=7)
    preferred_supplier = models.ForeignKey(
        Supplier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preferred_for",
        verbose_name=_("preferred supplier"),
    )
    needs_count = models.BooleanField(_("needs a count"), default=False)
    # The reorder point the last low-stock check judged by (its formula, never below `min_quantity`),
    # recorded by that check: the stock page flags "low" by it, so the page and the insight agree.
    reorder_point = models.DecimalField(
        _("reorder point (base units)"), null=True, blank=True, editable=False, **QTY
    )
    # Kept equal to the sum of the ledger by every service that posts a movement.
    on_hand = models.DecimalField(_("on hand (base units)"), default=Decimal("0"), editable=False, **QTY)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="uniq_ingredient_name"),
            models.CheckConstraint(
                condition=~models.Q(alt_unit=models.F("base_unit")), name="ingredient_alt_unit_differs"
            ),
        ]
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")

    def __str__(self) -> str:
        return self.name

    @property
    def reorder_at(self) -> Decimal:
        """The reorder point in force: the last low-stock check's, else the manual minimum."""
        return self.min_quantity if self.reorder_point is None else self.reorder_point

    @property
    def is_low(self) -> bool:
        """The low-stock check's own rule (analytics.analyses.stock.run_low_stock): at or below a
        positive reorder point, judged on the stock on hand now."""
        return self.reorder_at > 0 and self.on_hand <= self.reorder_at


class CurrentRecipeLines(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(valid_until__isnull=True)


class RecipeLine(models.Model):
    """How much of an ingredient one portion of a menu item (or one chosen modifier) uses, from the
    business day `valid_from` (None: since the beginning) until the day before `valid_until` (None: still
    in force). A change closes the line and opens a new version, so past gross profit is costed with the
    recipe of its day. `objects` (and every related manager) sees the current lines only; `versions`
    sees the history too."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="recipe_lines")
    menu_item = models.ForeignKey(
        MenuItem, on_delete=models.CASCADE, null=True, blank=True, related_name="recipe_lines"
    )
    modifier = models.ForeignKey(
        Modifier, on_delete=models.CASCADE, null=True, blank=True, related_name="recipe_lines"
    )
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="recipe_lines")
    quantity = models.DecimalField(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QTY)
    unit = models.CharField(_("unit"), max_length=5)
    # Usable share of what is taken from stock: 0.8 means 20% is trimmed or lost in cooking.
    yield_factor = models.DecimalField(
        _("yield"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # quantity in base units / yield, computed by the service: what one portion takes out of stock.
    base_quantity = models.DecimalField(editable=False, **QTY)
    valid_from = models.DateField(_("valid from"), null=True, blank=True, editable=False)
    valid_until = models.DateField(_("valid until (exclusive)"), null=True, blank=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    versions = models.Manager()
    objects = CurrentRecipeLines()

    class Meta:
        ordering = ["id"]
        default_manager_name = "objects"
        base_manager_name = "versions"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(menu_item__isnull=False, modifier__isnull=True)
                    | models.Q(menu_item__isnull=True, modifier__isnull=False)
                ),
                name="recipe_line_item_xor_modifier",
            ),
            models.UniqueConstraint(
                fields=["menu_item", "ingredient"],
                condition=models.Q(valid_until__isnull=True),
                name="uniq_recipe_item_ingredient",
            ),
            models.UniqueConstraint(
                fields=["modifier", "ingredient"],
                condition=models.Q(valid_until__isnull=True),
                name="uniq_recipe_modifier_ingredient",
            ),
        ]
        verbose_name = _("recipe line")
        verbose_name_plural = _("recipe lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.ingredient}"


class SupplierItem(models.Model):
    """An ingredient as one supplier sells it: by its purchase unit (kg, l, a case of 12, ...), which
    holds `pack_size` of the ingredient's base units (1 kg of flour = 1000 g; a case = 12 pcs)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.CASCADE, related_name="supplier_items")
    sku = models.CharField(_("supplier's code"), max_length=60, blank=True)
    purchase_unit = models.CharField(
        _("purchase unit"),
        max_length=20,
        blank=True,
        default="",
        db_default="",
        help_text=_("What the supplier sells by and prices: kg, l, case, ... (empty: a pack)."),
    )
    pack_size = models.DecimalField(
        _("pack size (base units)"),
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
        **QTY,
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supplier", "ingredient"], name="uniq_supplier_item")]
        verbose_name = _("supplier item")
        verbose_name_plural = _("supplier items")

    def __str__(self) -> str:
        return f"{self.supplier}: {self.ingredient}"


class SupplierPrice(models.Model):
    """One entry of a supplier's price list; the list's history is the rows by `effective_from`."""

    class Per(models.TextChoices):
        BASE_UNIT = "base_unit", _("per base unit")
        PACK = "pack", _("per pack")
        PURCHASE_UNIT = "purchase", _("per purchase unit")

    supplier_item = models.ForeignKey(SupplierItem, on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(_("price"), validators=[MinValueValidator(Decimal("0"))], **UNIT_PRICE)
    per = models.CharField(_("per"), max_length=10, choices=Per.choices, default=Per.BASE_UNIT)
    # Price per base unit, computed from price/per and the pack size when the price was entered.
    unit_price = models.DecimalField(editable=False, **UNIT_PRICE)
    effective_from = models.DateField(_("effective from"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier_item", "effective_from"], name="uniq_supplier_price_day"
            )
        ]
        verbose_name = _("supplier price")
        verbose_name_plural = _("supplier prices")

    def __str__(self) -> str:
        return f"{self.unit_price} from {self.effective_from}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PARTIALLY_RECEIVED = "partially_received", _("Partially received")
        RECEIVED = "received", _("Received")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        MANUAL = "manual", _("By hand")
        SUGGESTED = "suggested", _("Suggested from the forecast")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="purchase_orders")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=300, blank=True)
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "status"], name="po_store_status")]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    def __str__(self) -> str:
        return f"PO-{self.pk}"

    @property
    def total(self) -> Decimal:
        return sum((line.quantity * line.unit_price for line in self.lines.all()), Decimal("0"))


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="purchase_order_lines")
    quantity = models.DecimalField(
        _("quantity (base units)"), validators=[MinValueValidator(Decimal("0.001"))], **QTY
    )
    unit_price = models.DecimalField(_("expected price per base unit"), **UNIT_PRICE)
    received_quantity = models.DecimalField(_("received (base units)"), default=Decimal("0"), **QTY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "ingredient"], name="uniq_po_ingredient")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.ingredient.base_unit} {self.ingredient}"

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal("0"))


class StockCount(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stock_counts")
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-counted_at", "-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return f"Count {self.pk}"


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="count_lines")
    expected = models.DecimalField(_("expected (base units)"), **QTY)
    counted = models.DecimalField(_("counted (base units)"), **QTY)
    variance = models.DecimalField(_("variance"), **QTY)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["count", "ingredient"], name="uniq_count_ingredient")]

    def __str__(self) -> str:
        return f"{self.ingredient_id}: {self.counted}"


class StockMovement(models.Model):
    """The append-only ledger: nothing updates or deletes a movement; a mistake is corrected by
    posting another. `quantity` is signed, in base units (+ into stock, − out of it)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Goods received")
        CONSUMPTION = "consumption", _("Used by orders")
        WASTE = "waste", _("Waste")
        COUNT = "count", _("Count adjustment")
        CORRECTION = "correction", _("Correction")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stock_movements")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity (base units)"), **QTY)
    # What was paid per base unit (receipts): the ingredient's cost from this business day on.
    unit_cost = models.DecimalField(_("cost per base unit"), null=True, blank=True, **UNIT_PRICE)
    at = models.DateTimeField(_("at"), default=timezone.now)
    business_date = models.DateField(_("business day"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=200, blank=True)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    purchase_order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="movements"
    )
    stock_count = models.ForeignKey(
        StockCount, on_delete=models.SET_NULL, null=True, blank=True, related_name="movements"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["store", "business_date"], name="move_store_day"),
            models.Index(fields=["ingredient", "kind", "business_date"], name="move_ingredient_kind_day"),
        ]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.ingredient_id}"
