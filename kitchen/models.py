"""Stations, how items are routed to them, tickets per order and station, and the prep list."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import MenuItem, Order, OrderLine
from restaurant_ops.models import Store


class Station(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stations")
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveIntegerField(default=0)
    # Items without a route go to the store's default station.
    is_default = models.BooleanField(_("default station"), default=False)
    # From queued to ready: what a guest should wait at most. Complaints are shown against it.
    ticket_target_minutes = models.PositiveSmallIntegerField(_("ticket time target (minutes)"), default=10)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="uniq_station_name"),
            models.UniqueConstraint(
                fields=["store"], condition=models.Q(is_default=True), name="one_default_station"
            ),
        ]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return self.name


class KitchenItem(models.Model):
    """The kitchen's facts about a menu item: which station makes it, whether it is prepared ahead."""

    menu_item = models.OneToOneField(MenuItem, on_delete=models.CASCADE, related_name="kitchen")
    station = models.ForeignKey(
        Station, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    prep_ahead = models.BooleanField(_("prepared ahead"), default=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("kitchen routing")
        verbose_name_plural = _("kitchen routings")

    def __str__(self) -> str:
        return f"{self.menu_item_id} → {self.station_id}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        STARTED = "started", _("Started")
        READY = "ready", _("Ready")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="tickets")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tickets")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="tickets")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "station"], name="uniq_ticket_order_station")]
        indexes = [models.Index(fields=["store", "status", "queued_at"], name="ticket_store_open")]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"{self.station} #{self.order_id}"


class TicketLine(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    quantity = models.PositiveIntegerField()
    modifiers = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=200, blank=True)
    # How many of the line were voided, cancelled or refunded after the ticket was printed: the
    # display shows them as VOID until the cook bumps the ticket.
    voided_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def is_void(self) -> bool:
        return self.voided_quantity >= self.quantity


class PrepTask(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("By hand")
        FORECAST = "forecast", _("From the forecast")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="prep_tasks")
    menu_item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="prep_tasks")
    quantity = models.DecimalField(
        _("quantity (portions)"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    ready_by = models.DateTimeField(_("ready by"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["done", "ready_by", "id"]
        indexes = [models.Index(fields=["store", "done", "ready_by"], name="prep_store_open")]
        verbose_name = _("prep task")
        verbose_name_plural = _("prep tasks")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.menu_item}"
