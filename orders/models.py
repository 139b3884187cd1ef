"""Menu, tables and orders. Money on the order is a snapshot of what was priced; payment lives on the
check (front of house)."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from restaurant_ops.models import Store, TaxCategory

MONEY = {"max_digits": 12, "decimal_places": 2}


class MenuCategory(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="menu_categories")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_menu_category_name")]
        verbose_name = _("menu category")
        verbose_name_plural = _("menu categories")

    def __str__(self) -> str:
        return self.name


class ModifierGroup(models.Model):
    """A choice on an item: size (choose 1), spice level (choose 1), extras (choose 0–3)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="modifier_groups")
    name = models.CharField(_("name"), max_length=80)
    min_choices = models.PositiveSmallIntegerField(_("minimum choices"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_choices__gte=models.F("min_choices")),
                                   name="modifier_group_min_le_max"),
        ]
        verbose_name = _("modifier group")
        verbose_name_plural = _("modifier groups")

    def __str__(self) -> str:
        return self.name


class Modifier(models.Model):
    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="modifiers")
    name = models.CharField(_("name"), max_length=80)
    price_delta = models.DecimalField(_("price change"), default=Decimal("0"), **MONEY)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("modifier")
        verbose_name_plural = _("modifiers")

    def __str__(self) -> str:
        return self.name


class MenuItem(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="menu_items")
    category = models.ForeignKey(MenuCategory, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    tax_category = models.ForeignKey(TaxCategory, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="menu_items", verbose_name=_("tax category"))
    photo = models.ImageField(_("photo"), upload_to="menu/", blank=True)
    external_id = models.CharField(_("external id"), max_length=80, blank=True, db_index=True)
    modifier_groups = models.ManyToManyField(ModifierGroup, blank=True, related_name="items",
                                             verbose_name=_("modifier groups"))
    is_active = models.BooleanField(_("on the menu"), default=True)
    sold_out_manual = models.BooleanField(_("sold out (by hand)"), default=False)
    # Written by inventory through `menu_item_set_stock_facts`: the orders app never reads stock.
    sold_out_stock = models.BooleanField(_("sold out (stock)"), default=False, editable=False)
    allergens = models.JSONField(_("allergens"), default=list, blank=True, editable=False)
    dietary_tags = models.JSONField(_("dietary tags"), default=list, blank=True, editable=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["category__position", "position", "name"]
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")

    def __str__(self) -> str:
        return self.name

    @property
    def is_sold_out(self) -> bool:
        return self.sold_out_manual or self.sold_out_stock

    @property
    def tax_rate(self) -> Decimal:
        return self.tax_category.rate if self.tax_category_id else Decimal("0")


class Table(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("name"), max_length=40)
    seats = models.PositiveSmallIntegerField(_("seats"), default=4)
    # The secret in the table's QR code. Rotating it makes old photos of the code useless.
    qr_token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe, editable=False)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_table_name")]
        verbose_name = _("table")
        verbose_name_plural = _("tables")

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        IN_KITCHEN = "in_kitchen", _("In the kitchen")
        READY = "ready", _("Ready")
        SERVED = "served", _("Served")
        COLLECTED = "collected", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        QR = "qr", _("Guest QR")
        TILL = "till", _("Till")
        API = "api", _("API")
        IMPORT = "import", _("Imported history")

    class ServiceType(models.TextChoices):
        DINE_IN = "dine_in", _("Dine in")
        TAKEAWAY = "takeaway", _("Takeaway")

    # Allowed moves; every move is timestamped in OrderStatusChange and on the order.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PLACED: frozenset({Status.IN_KITCHEN, Status.READY, Status.CANCELLED}),
        Status.IN_KITCHEN: frozenset({Status.READY, Status.CANCELLED}),
        Status.READY: frozenset({Status.SERVED, Status.COLLECTED}),
        Status.SERVED: frozenset(),
        Status.COLLECTED: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders")
    table = models.ForeignKey(Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    service_type = models.CharField(_("service"), max_length=10, choices=ServiceType.choices,
                                    default=ServiceType.DINE_IN)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLACED)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    currency = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField()
    subtotal = models.DecimalField(_("subtotal"), **MONEY, help_text=_("Sum of lines as priced on the menu."))
    tax = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    # Denormalised from placed_at in the store's zone with its cutoff: every analysis groups by it.
    business_date = models.DateField(_("business day"))
    in_kitchen_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["store", "business_date"], name="order_store_day"),
            models.Index(fields=["store", "placed_at"], name="order_store_placed"),
            models.Index(fields=["store", "status"], name="order_store_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "channel", "external_id"],
                                    condition=~models.Q(external_id=""), name="uniq_order_external_id"),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return f"#{self.pk}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    menu_item = models.ForeignKey(MenuItem, on_delete=models.PROTECT, related_name="order_lines")
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Ordinal of the line within its order."))
    name = models.CharField(max_length=120)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY, help_text=_("Item price plus modifiers, as priced on the menu."))
    line_total = models.DecimalField(**MONEY)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    tax_amount = models.DecimalField(**MONEY)
    net_amount = models.DecimalField(**MONEY, help_text=_("Line total without tax."))
    note = models.CharField(max_length=200, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="uniq_line_position")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class OrderLineModifier(models.Model):
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="modifiers")
    modifier = models.ForeignKey(Modifier, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    price_delta = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return self.name


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")

    class Meta:
        ordering = ["at", "id"]
