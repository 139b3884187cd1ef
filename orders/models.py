"""Menu, tables and orders. Money on the order is a snapshot of what was priced; payment lives on the
check (front of house)."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from restaurant_ops.models import Store, TaxCategory

MONEY = {"max_digits": 12, "decimal_places": 2}


class ShownName(models.Model):
    """A menu name per language: the owner's `name`, and its Chinese form for guests and staff who
    read Chinese (shown when given, else the owner's name)."""

    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)

    class Meta:
        abstract = True

    @property
    def shown_name(self) -> str:
        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name


class MenuCategory(ShownName):
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


class ModifierGroup(ShownName):
    """A choice on an item: size (choose 1), spice level (choose 1), extras (choose 0–3)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="modifier_groups")
    name = models.CharField(_("name"), max_length=80)
    min_choices = models.PositiveSmallIntegerField(_("minimum choices"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_choices__gte=models.F("min_choices")), name="modifier_group_min_le_max"
            ),
        ]
        verbose_name = _("modifier group")
        verbose_name_plural = _("modifier groups")

    def __str__(self) -> str:
        return self.name


class Modifier(ShownName):
    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="modifiers")
    name = models.CharField(_("name"), max_length=80)
    price_delta = models.DecimalField(_("price change"), default=Decimal("0"), **MONEY)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Written by inventory through `modifier_set_stock_facts`: its recipe cannot cover one more portion.
    sold_out_stock = models.BooleanField(_("sold out (stock)"), default=False, editable=False)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("modifier")
        verbose_name_plural = _("modifiers")

    def __str__(self) -> str:
        return self.name


class MenuItem(ShownName):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="menu_items")
    category = models.ForeignKey(MenuCategory, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    tax_category = models.ForeignKey(
        TaxCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="menu_items",
        verbose_name=_("tax category"),
    )
    photo = models.ImageField(_("photo"), upload_to="menu/", blank=True)
    external_id = models.CharField(_("external id"), max_length=80, blank=True, db_index=True)
    modifier_groups = models.ManyToManyField(
        ModifierGroup, blank=True, related_name="items", verbose_name=_("modifier groups")
    )
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
    service_type = models.CharField(
        _("service"), max_length=10, choices=ServiceType.choices, default=ServiceType.DINE_IN
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLACED)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    currency = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField()
    subtotal = models.DecimalField(_("subtotal"), **MONEY, help_text=_("Sum of lines as priced on the menu."))
    tax = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    # Denormalised from placed_at in the store's zone with its cutoff: every analysis groups by it.
    business_date = models.DateField(_("business day"))
    late = models.BooleanField(
        _("sent late"),
        default=False,
        db_default=False,
        help_text=_("Queued offline by the till and sent afterwards with the time it was placed."),
    )
    in_kitchen_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    # The check the order was placed onto ("check" would shadow Model.check, hence guest_check).
    guest_check = models.ForeignKey(
        "Check", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["store", "business_date"], name="order_store_day"),
            models.Index(fields=["store", "placed_at"], name="order_store_placed"),
            models.Index(fields=["store", "status"], name="order_store_status"),
            # the store's latest order write (the answer cache's data version, docs/answer-cache.md): a
            # warm dashboard request read every order of the store for MAX(updated_at) without it
            models.Index(fields=["store", "updated_at"], name="order_store_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="uniq_order_external_id",
            ),
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
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Ordinal of the line within its order.")
    )
    name = models.CharField(max_length=120)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(
        **MONEY, help_text=_("Item price plus modifiers, as priced on the menu.")
    )
    line_total = models.DecimalField(**MONEY)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    tax_amount = models.DecimalField(**MONEY, help_text=_("Tax on the line after discounts."))
    # After the line's share of check discounts (kept by check_recalculate): revenue for every report.
    net_amount = models.DecimalField(**MONEY, help_text=_("Line total after discounts, without tax."))
    note = models.CharField(max_length=200, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    # The check that pays for this line: the order's, until a split by item moves it to another.
    guest_check = models.ForeignKey(
        "Check", on_delete=models.SET_NULL, null=True, blank=True, related_name="lines"
    )
    # The line's share of the check's discounts and comps (as priced), kept by check_recalculate so
    # revenue net of discounts can be summed per line in the database.
    discount_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    # Written by the kitchen (through `order_lines_mark_started`) when its ticket is started or bumped:
    # from then on the food is being made, so stock a void, cancel or refund gives back is waste.
    kitchen_started_at = models.DateTimeField(null=True, blank=True)

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
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


# --- Front of house: table sessions, checks, payments, receipts, registers ----------------------


def _new_token() -> str:
    return secrets.token_urlsafe(16)


class TableSession(models.Model):
    """One party's time at a table: opened by the first QR scan (rotate_token stores) or by staff
    (staff_opens stores), closed when its check is paid. Guest pages carry the session's token, so a
    page left open after payment can no longer order into the next party's check."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="table_sessions")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="sessions")
    token = models.CharField(max_length=32, unique=True, default=_new_token, editable=False)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["table"],
                condition=models.Q(closed_at__isnull=True),
                name="uniq_open_session_per_table",
            )
        ]
        verbose_name = _("table session")
        verbose_name_plural = _("table sessions")

    def __str__(self) -> str:
        return f"{self.table} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Register(models.Model):
    """A till with its cash drawer."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="registers")
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_register_name")]
        verbose_name = _("register")
        verbose_name_plural = _("registers")

    def __str__(self) -> str:
        return self.name


class CashDrawerSession(models.Model):
    """From opening float to the Z report: what the drawer should hold against what was counted."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="drawer_sessions")
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="drawer_sessions")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opening_float = models.DecimalField(_("opening float"), **MONEY)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expected_cash = models.DecimalField(_("expected cash"), null=True, blank=True, **MONEY)
    counted_cash = models.DecimalField(_("counted cash"), null=True, blank=True, **MONEY)
    difference = models.DecimalField(_("over (+) / short (−)"), null=True, blank=True, **MONEY)
    z_report = models.JSONField(null=True, blank=True, help_text=_("The Z report as printed at close."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["register"],
                condition=models.Q(closed_at__isnull=True),
                name="uniq_open_drawer_per_register",
            )
        ]
        verbose_name = _("cash drawer session")
        verbose_name_plural = _("cash drawer sessions")

    def __str__(self) -> str:
        return f"{self.register} {self.opened_at:%Y-%m-%d %H:%M}"


class Check(models.Model):
    """What a table (or a takeaway guest) owes. Orders add lines to it; payments settle it. Totals are
    recomputed by `check_recalculate` whenever lines, adjustments or payments change."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        CLOSED = "closed", _("Closed")

    # A check still open for more lines and payments: the one definition every query uses.
    OPEN_STATUSES = (Status.OPEN, Status.PARTIALLY_PAID)

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="checks")
    table = models.ForeignKey(Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="checks")
    session = models.ForeignKey(
        TableSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="checks"
    )
    service_type = models.CharField(
        _("service"), max_length=10, choices=Order.ServiceType.choices, default=Order.ServiceType.DINE_IN
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    business_date = models.DateField(_("business day"))
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The drawer session in which the check was settled: its sales belong to that Z report.
    drawer_session = models.ForeignKey(
        CashDrawerSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="checks"
    )
    subtotal = models.DecimalField(
        _("subtotal"), default=Decimal("0"), **MONEY, help_text=_("Active lines as priced on the menu.")
    )
    discount_total = models.DecimalField(_("discounts and comps"), default=Decimal("0"), **MONEY)
    net_sales = models.DecimalField(
        _("net sales"),
        default=Decimal("0"),
        **MONEY,
        help_text=_("After discounts, without tax, service charge and tips."),
    )
    tax = models.DecimalField(_("tax"), default=Decimal("0"), **MONEY)
    service_charge = models.DecimalField(_("service charge"), default=Decimal("0"), **MONEY)
    total = models.DecimalField(_("amount due"), default=Decimal("0"), **MONEY)
    paid_total = models.DecimalField(
        _("paid"), default=Decimal("0"), **MONEY, help_text=_("Payments less refunds, without tips.")
    )
    tip_total = models.DecimalField(_("tips"), default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["store", "business_date"], name="check_store_day"),
            models.Index(fields=["store", "status"], name="check_store_status"),
        ]
        verbose_name = _("check")
        verbose_name_plural = _("checks")

    def __str__(self) -> str:
        return f"{_('Check')} {self.pk}"

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid_total

    @property
    def is_settleable(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CheckAdjustment(models.Model):
    """A discount (an amount or a percentage off the check) or a comp (one line given free)."""

    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")
        COMP = "comp", _("Comp")

    guest_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    line = models.ForeignKey("OrderLine", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    amount = models.DecimalField(
        null=True, blank=True, **MONEY, help_text=_("A fixed amount off, as priced.")
    )
    percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text=_("Or a percentage off the check.")
    )
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"


class Payment(models.Model):
    """Money in (a payment) or out (a refund: negative amount and tip). `amount` settles the check;
    `tip` is on top; cash `tendered` less amount and tip is the change handed back."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        MOBILE = "mobile", _("Mobile")

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="payments")
    guest_check = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    tip = models.DecimalField(_("tip"), default=Decimal("0"), **MONEY)
    tendered = models.DecimalField(_("tendered"), null=True, blank=True, **MONEY)
    change_due = models.DecimalField(_("change"), default=Decimal("0"), **MONEY)
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    reason = models.CharField(max_length=200, blank=True)
    reference = models.CharField(
        _("reference"), max_length=80, blank=True, help_text=_("Card terminal or wallet reference.")
    )
    register = models.ForeignKey(Register, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    drawer_session = models.ForeignKey(
        CashDrawerSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    business_date = models.DateField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["store", "business_date"], name="payment_store_day")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class RefundLine(models.Model):
    """What a refund by line gave back: so many of a line, for this amount (its share of the check,
    tax and service charge included). A line is never refunded beyond its quantity."""

    refund = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refund_lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refunds")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.line.name}"


class ReceiptCounter(models.Model):
    """The last receipt number of a store; locked (select_for_update) to hand out the next."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="receipt_counter")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.store_id}: {self.last_number}"


class Receipt(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="receipts")
    number = models.PositiveIntegerField()
    guest_check = models.OneToOneField(Check, on_delete=models.PROTECT, related_name="receipt")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["store", "number"], name="uniq_receipt_number")]

    def __str__(self) -> str:
        return f"{self.number:06d}"


# Discount codes avoid look-alike characters (0/O, 1/I/L) so a guest can read one out at the till.
DISCOUNT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class DiscountCode(models.Model):
    """A coupon or comp voucher redeemable once (or up to `max_uses` times) at the till or on the guest
    QR page: a percentage or an amount off the check, or one item free. Other apps issue them through
    `discount_code_issue` (customers' message rules do); `source` says who (e.g. "rule:12"), so they can
    count their own redemptions without orders knowing them."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage off")
        AMOUNT = "amount", _("Amount off")
        COMP_ITEM = "comp_item", _("One item free")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="discount_codes")
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(
        _("value"), null=True, blank=True, max_digits=12, decimal_places=2, help_text=_("Percent or amount.")
    )
    menu_item = models.ForeignKey(
        MenuItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    redeemed_count = models.PositiveIntegerField(_("times redeemed"), default=0)
    source = models.CharField(max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="uniq_discount_code"),
            models.CheckConstraint(
                condition=models.Q(redeemed_count__lte=models.F("max_uses")), name="discount_code_max_uses"
            ),
        ]
        verbose_name = _("discount code")
        verbose_name_plural = _("discount codes")

    def __str__(self) -> str:
        return self.code


class DiscountRedemption(models.Model):
    """One use of a code on one check, with the adjustment it made."""

    code = models.ForeignKey(DiscountCode, on_delete=models.CASCADE, related_name="redemptions")
    guest_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="redemptions")
    adjustment = models.OneToOneField(
        CheckAdjustment, on_delete=models.SET_NULL, null=True, blank=True, related_name="redemption"
    )
    channel = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "guest_check"], name="uniq_redemption_per_check")
        ]

    def __str__(self) -> str:
        return f"{self.code} @ {self.guest_check_id}"


class SalesImport(models.Model):
    """A sales-history upload imported by the worker (the API's asynchronous import): the file as
    uploaded, how to read it, and what came of it. The row is the record that the work is owed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="sales_imports")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    content = models.BinaryField(editable=False)
    options = models.JSONField(default=dict, blank=True)  # mapping, date_format, delimiter, encoding, strict
    rows = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    items_created = models.PositiveIntegerField(default=0)
    days = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(_("why it failed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sales import")
        verbose_name_plural = _("sales imports")

    def __str__(self) -> str:
        return f"{self.filename} {self.status}"


class SalesImportError(models.Model):
    """A line of an imported file that could not be read, with its line number."""

    sales_import = models.ForeignKey(SalesImport, on_delete=models.CASCADE, related_name="line_errors")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class SalesRollup(models.Model):
    """Sales per store × item × business day × local hour, as insert-only deltas (docs/sales-rollup.md).

    The order service, voids, cancellations, refunds, check recalculations (discounts, comps) and the
    history writer each insert what they changed; `sales_rollup_compact` (beat) folds a cell's deltas
    into one row. A cell's figures are the sum of its rows. Item rows carry quantity and net sales (a
    refund's row: its business day and hour, quantity 0, the net sales given back); the row without an
    item carries the orders (an order of two items is one order). Cost is not kept: recipes have
    history and receipts are back-dated, so readers cost the quantities at read time.

    On PostgreSQL the table is partitioned by month of `business_date` (migration 0012); Django knows
    nothing of that: `id` is unique per partition with `business_date` in the primary key."""

    # No foreign-key constraints (a partitioned table's rows are deltas, written where speed matters) and
    # no index of their own: `rollup_store_day` leads with the store. An item with rows has order lines,
    # which protect it from deletion, so nothing cascades to the rollup but its store.
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    menu_item = models.ForeignKey(
        MenuItem,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    business_date = models.DateField()
    hour = models.PositiveSmallIntegerField()  # the local clock hour, 0–23
    quantity = models.IntegerField(default=0)
    # Refunds by amount are spread pro rata over a check's lines: keep their fractions of a cent, so a
    # cell's sum rounds once, like the reads on the order lines did.
    net_sales = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal("0"))
    orders = models.IntegerField(default=0)
    compacted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["store", "business_date"], name="rollup_store_day"),
            # what compaction looks for: the cells with deltas not yet folded
            models.Index(
                fields=["store", "business_date"], condition=models.Q(compacted=False), name="rollup_fresh"
            ),
            # the store's newest row (the answer cache's data version, docs/answer-cache.md): without it
            # MAX(id) walks every partition's primary key backwards past other stores' newer rows
            models.Index(fields=["store", "id"], name="rollup_store_id"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.menu_item_id} {self.business_date} {self.hour}h"


class ModifierRollup(models.Model):
    """Portions sold with a modifier chosen, per store × item × modifier × business day × local hour: the
    modifier side of `SalesRollup`, kept by the same writers as insert-only deltas and compacted the same
    way (docs/sales-rollup.md). A cell's `quantity` is the sum over the counted lines of the item with
    that modifier of their quantity (what costing multiplies the modifier's recipe by). Apart from the
    sales rollup, so that nothing summing that table's quantities meets these rows.

    Partitioned by month of `business_date` on PostgreSQL like the sales rollup (migration 0014)."""

    # No foreign-key constraints or indexes of their own, as on the sales rollup: an item or modifier
    # with rows has order lines that protect it from deletion.
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    menu_item = models.ForeignKey(
        MenuItem, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    modifier = models.ForeignKey(
        Modifier, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    business_date = models.DateField()
    hour = models.PositiveSmallIntegerField()  # the local clock hour, 0–23
    quantity = models.IntegerField(default=0)
    compacted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["store", "business_date"], name="modrollup_store_day"),
            models.Index(
                fields=["store", "business_date"], condition=models.Q(compacted=False), name="modrollup_fresh"
            ),
            models.Index(fields=["store", "id"], name="modrollup_store_id"),  # as rollup_store_id
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.menu_item_id} {self.modifier_id} {self.business_date} {self.hour}h"
