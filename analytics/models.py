"""Job runs, insights and their lifecycle, per-store analysis settings, and stored forecasts."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from restaurant_ops.models import Store

from .messages import render

RATE = {"max_digits": 6, "decimal_places": 4}


class JobRun(models.Model):
    """One run of one analysis job for one store: when, how long, and how it ended."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Succeeded")
        FAILURE = "failure", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    job = models.CharField(_("job"), max_length=60, db_index=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, null=True, blank=True, related_name="job_runs")
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The moment the analyses ran as of (imported history, what-if); empty: the moment they ran.
    as_of = models.DateTimeField(_("as of"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Insight(models.Model):
    """An alert or a recommendation. Its text is a message key plus numbers, rendered in the reader's
    language. While open (new or acknowledged) it is unique per store, kind and subject."""

    class Kind(models.TextChoices):
        LOW_STOCK = "low_stock", _("Low stock")
        PRICE_CHANGE = "price_change", _("Price change")
        MARGIN_DROP = "margin_drop", _("Margin drop")
        STAFFING = "staffing", _("Staffing")
        PREP = "prep", _("Prep")
        TRENDING = "trending", _("Trending item")
        LABOUR = "labour", _("Labour")
        CHURN = "churn", _("Customer churn")
        COMPLAINTS = "complaints", _("Complaints")

    class Severity(models.TextChoices):
        INFO = "info", _("Info")
        WARNING = "warning", _("Warning")
        HIGH = "high", _("High")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ACTED = "acted", _("Acted on")
        EVALUATED = "evaluated", _("Evaluated")
        DISMISSED = "dismissed", _("Dismissed")
        RESOLVED = "resolved", _("Resolved")

    class Action(models.TextChoices):
        PO_SENT = "po_sent", _("Purchase order sent")
        SHIFT_ADDED = "shift_added", _("Shift added")
        SUPPLIER_CHANGED = "supplier_changed", _("Supplier changed")
        PRICE_CHANGED = "price_changed", _("Menu price changed")
        PREP_DONE = "prep_done", _("Prep done")
        PREP_ADDED = "prep_added", _("Prep added")
        DISH_PAUSED = "dish_paused", _("Dish paused for review")
        OTHER = "other", _("Other")

    class Verdict(models.TextChoices):
        WORKED = "worked", _("Worked")
        NO_CHANGE = "no_change", _("No change")
        WORSE = "worse", _("Worse")
        UNKNOWN = "unknown", _("Not measurable")

    OPEN_STATES = (State.NEW, State.ACKNOWLEDGED)

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="insights")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    subject = models.CharField(
        _("subject"), max_length=120, help_text=_("e.g. ingredient:12, item:4, week:2026-W05")
    )
    message_key = models.CharField(max_length=60)
    numbers = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.NEW)
    job_run = models.ForeignKey(
        JobRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="insights"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    action_type = models.CharField(_("action"), max_length=20, choices=Action.choices, blank=True)
    action_object_type = models.CharField(
        max_length=60, blank=True, help_text=_("e.g. inventory.purchaseorder")
    )
    action_object_id = models.CharField(max_length=40, blank=True)
    # Exactly what acting did (the PO and its lines, the shift, the price change), written by
    # services.insight_act; empty for an action recorded before this was kept.
    action_detail = models.JSONField(default=dict, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(_("dismiss reason"), max_length=200, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Evaluation: the metric each kind aims at, measured over `window_days` before and after acting.
    metric = models.CharField(max_length=40, blank=True)
    window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    metric_before = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    metric_after = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    # Judged against the spread (max − min) of the metric over the 4 windows before acting.
    metric_spread = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["store", "state", "kind"], name="insight_store_state_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "kind", "subject"],
                condition=models.Q(state__in=["new", "acknowledged"]),
                name="uniq_open_insight",
            ),
        ]
        verbose_name = _("insight")
        verbose_name_plural = _("insights")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def message(self) -> str:
        """The text in the active language (gettext at read time, not at write time)."""
        return render(self.message_key, self.numbers)

    @property
    def title(self) -> str:
        return gettext(self.get_kind_display())


class AnalysisSettings(models.Model):
    """Thresholds an owner edits (admin): when an analysis speaks up."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="analysis_settings")
    margin_drop_threshold = models.DecimalField(
        _("margin drop threshold"),
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Gross profit fall (0.05 = 5%) that raises a margin insight."),
        **RATE,
    )
    switch_threshold = models.DecimalField(
        _("switch supplier threshold"),
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Advise switching when another supplier is cheaper per base unit by more than this."),
        **RATE,
    )
    negotiate_threshold = models.DecimalField(
        _("negotiate threshold"),
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Advise negotiating when a price rose by more than this over its 90-day median."),
        **RATE,
    )
    price_change_threshold = models.DecimalField(
        _("price change alert"), default=Decimal("0.05"), validators=[MinValueValidator(Decimal("0"))], **RATE
    )
    price_change_high = models.DecimalField(
        _("price change alert (high)"),
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0"))],
        **RATE,
    )
    service_level_z = models.DecimalField(_("safety stock z"), default=Decimal("1.65"), **RATE)
    review_period_days = models.PositiveSmallIntegerField(_("review period (days)"), default=7)
    trending_rise = models.DecimalField(_("trending: rising lift"), default=Decimal("1.3"), **RATE)
    trending_fall = models.DecimalField(_("trending: falling lift"), default=Decimal("0.7"), **RATE)
    trending_min_units = models.PositiveSmallIntegerField(_("trending: minimum units"), default=5)
    staffing_band = models.DecimalField(_("schedule vs required band"), default=Decimal("0.05"), **RATE)
    low_stock_debounce_seconds = models.PositiveIntegerField(_("low-stock check de-bounce (s)"), default=30)

    class Meta:
        verbose_name = _("analysis settings")
        verbose_name_plural = _("analysis settings")

    def __str__(self) -> str:
        return f"{self.store}"


class DemandForecast(models.Model):
    """Expected quantity per item (or orders, when item is empty) per weekday × hour of the next week."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="demand_forecasts")
    menu_item = models.ForeignKey(
        "orders.MenuItem", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField()
    hour = models.PositiveSmallIntegerField()
    quantity = models.DecimalField(max_digits=10, decimal_places=3)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["weekday", "hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "menu_item", "weekday", "hour"],
                name="uniq_forecast_item_cell",
                condition=models.Q(menu_item__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["store", "weekday", "hour"],
                name="uniq_forecast_order_cell",
                condition=models.Q(menu_item__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.menu_item_id or 'orders'} {self.weekday}/{self.hour}: {self.quantity}"


class ForecastAccuracy(models.Model):
    """One forecast method's back-tested error at one decision level; the served method is the one
    with the lowest WAPE (analyses/forecast_models.py). Baselines are scored beside the others."""

    class Level(models.TextChoices):
        ORDERS_HOUR = "orders_hour", _("Orders per hour")
        ITEM_DAYPART = "item_daypart", _("Items per daypart")

    class Method(models.TextChoices):
        SEASONAL_NAIVE = "seasonal_naive", _("Same day last week")
        FLAT_MEAN = "flat_mean", _("Average of the last 4 weeks")
        WEIGHTED = "weighted", _("Weighted same weekday (4-3-2-1)")
        LEVEL_WEEKDAY = "level_weekday", _("4-week average × weekday pattern")
        TSB = "tsb", _("Intermittent demand (TSB)")

    BASELINES = (Method.SEASONAL_NAIVE, Method.FLAT_MEAN)

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="forecast_accuracy")
    level = models.CharField(max_length=20, choices=Level.choices)
    method = models.CharField(max_length=20, choices=Method.choices)
    wape = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    mase = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    served = models.BooleanField(default=False)
    weeks_of_history = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["level", "method"]
        constraints = [
            models.UniqueConstraint(fields=["store", "level", "method"], name="uniq_forecast_accuracy_method")
        ]

    def __str__(self) -> str:
        return f"{self.level}/{self.method}: {self.wape}{' (served)' if self.served else ''}"
