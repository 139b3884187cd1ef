"""The people side of a store: positions and their productivity targets, staff with availability and
days off, shifts grouped into weeks that are published, the time clock, and the staffing requirements
that the analysis jobs write in (needed staff per position per hour, with the forecast load behind it).

Shift and time-clock rows snapshot the staff member's hourly cost and keep their length in minutes and
their business day, so labour figures are plain database aggregates and a later pay rise does not
rewrite past weeks."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from restaurant_ops.models import Store, Weekday


class Position(models.Model):
    """A job position (cashier, server, cook, manager, ...), separate from permission roles.

    Needed staff for an hour = max(min_staff_per_open_hour, ceil(load / productivity_target)) where the
    load is forecast orders or kitchen items per hour (`load_kind`). Without a productivity target only
    the minimum applies (a manager on duty)."""

    class LoadKind(models.TextChoices):
        ORDERS = "orders", _("Orders")
        KITCHEN_ITEMS = "kitchen_items", _("Kitchen items")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="positions")
    name = models.CharField(_("name"), max_length=60)
    load_kind = models.CharField(
        _("load measured in"), max_length=20, choices=LoadKind.choices, default=LoadKind.ORDERS
    )
    productivity_target = models.DecimalField(
        _("productivity target"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Load units one person handles per hour (orders per cashier-hour, items per cook-hour)."),
    )
    min_staff_per_open_hour = models.PositiveSmallIntegerField(_("minimum staff per open hour"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_position_name")]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="staff_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profiles",
    )
    # The link this person was invited by: accepting it gives the profile its user.
    invitation = models.OneToOneField(
        "restaurant_ops.Invitation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
    )
    name = models.CharField(_("name"), max_length=120)
    positions = models.ManyToManyField(Position, related_name="staff_members", verbose_name=_("positions"))
    hourly_cost = models.DecimalField(
        _("hourly cost"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Wage plus on-costs per hour, in the store's currency."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A suggested shift is offered to (and an open shift claimed by) a person only while their
    # scheduled hours that week plus the shift stay within this; empty: no limit.
    max_weekly_hours = models.PositiveSmallIntegerField(
        _("maximum weekly hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("Suggested and open shifts never take them over this; empty for no limit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "user"], condition=Q(user__isnull=False), name="uniq_staff_user_per_store"
            )
        ]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.name


class Availability(models.Model):
    """When a person can work each week. `end` at or before `start` passes midnight. A person with no
    availability rows is taken as available at any time."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("availability")
        verbose_name_plural = _("availability")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class DaysOff(models.Model):
    """Days a person does not work (holiday, sick leave), first to last inclusive, as business days."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="days_off")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="days_off_range")
        ]
        verbose_name = _("days off")
        verbose_name_plural = _("days off")

    def __str__(self) -> str:
        return f"{self.staff}: {self.first_day}–{self.last_day}"


class WeekSchedule(models.Model):
    """A store's week (Monday of the week, business days); staff see it once published."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="week_schedules")
    week_start = models.DateField(_("week starting"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-week_start"]
        constraints = [models.UniqueConstraint(fields=["store", "week_start"], name="uniq_week_schedule")]
        verbose_name = _("week schedule")
        verbose_name_plural = _("week schedules")

    def __str__(self) -> str:
        return f"{self.store} {self.week_start}"


class Shift(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        SUGGESTION = "suggestion", _("Applied suggestion")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="shifts")
    # No one yet: an open shift, published for qualified staff to claim in My shifts.
    staff = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.CASCADE, related_name="shifts"
    )
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="shifts")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    business_date = models.DateField(_("business day"), help_text=_("The business day the shift starts in."))
    week_start = models.DateField(_("week starting"), help_text=_("Monday of the business day's week."))
    minutes = models.PositiveIntegerField(_("minutes"))
    hourly_cost = models.DecimalField(_("hourly cost"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("reason for working outside opening hours"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["start", "staff__name"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_ends_after_start")]
        indexes = [
            models.Index(fields=["store", "business_date"], name="shift_store_day"),
            models.Index(fields=["store", "week_start"], name="shift_store_week"),
            models.Index(fields=["staff", "start"], name="shift_staff_start"),
        ]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.staff or _('open shift')} {self.position} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.staff_id is None

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))


class TimeClockEntry(models.Model):
    """A clock-in and (once done) clock-out: the actual hours beside the scheduled ones."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="time_clock_entries")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="time_clock_entries")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="time_clock_entries")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_clock_entries"
    )
    clock_in = models.DateTimeField(_("clocked in"))
    clock_out = models.DateTimeField(_("clocked out"), null=True, blank=True)
    business_date = models.DateField(_("business day"))
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    hourly_cost = models.DecimalField(_("hourly cost"), max_digits=8, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-clock_in"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=Q(clock_out__isnull=True), name="one_open_clock_entry_per_staff"
            ),
            models.CheckConstraint(
                condition=Q(clock_out__isnull=True) | Q(clock_out__gte=F("clock_in")),
                name="clock_out_after_in",
            ),
        ]
        indexes = [models.Index(fields=["store", "business_date"], name="clock_store_day")]
        verbose_name = _("time clock entry")
        verbose_name_plural = _("time clock entries")

    def __str__(self) -> str:
        return f"{self.staff} {self.clock_in:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> Decimal | None:
        if self.minutes is None:
            return None
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))


class StaffingTarget(models.Model):
    """Per-store labour settings: labour cost target as a % of sales (analytics compares it with sales),
    the longest shift a staffing suggestion may propose and the tolerance under which a suggested shift
    is not worth a card."""

    DEFAULT_MAX_SHIFT_HOURS = 8
    DEFAULT_GAP_TOLERANCE_HOURS = 1
    DEFAULT_GAP_TOLERANCE_PCT = Decimal("5.00")

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="staffing_target")
    labour_cost_target_pct = models.DecimalField(
        _("labour cost target (% of sales)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    # A merged staffing suggestion is one person's shift: never longer than this, never over two days.
    max_shift_hours = models.PositiveSmallIntegerField(
        _("longest shift (hours)"), default=8, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    # A suggested shift of at most this many hours is within tolerance: no one is called in (or sent
    # home) for it, so it is not shown as a staffing card.
    gap_tolerance_hours = models.PositiveSmallIntegerField(
        _("staffing tolerance (hours)"),
        default=DEFAULT_GAP_TOLERANCE_HOURS,
        db_default=DEFAULT_GAP_TOLERANCE_HOURS,
        validators=[MaxValueValidator(8)],
        help_text=_(
            "A suggested shift of at most this many hours is within tolerance and not shown as a card "
            "(0 shows every gap)."
        ),
    )
    # A gap of one person where the forecast load is at most this much above what those scheduled
    # handle is marginal too (70.5 orders an hour against a capacity of 70 calls no one in).
    gap_tolerance_pct = models.DecimalField(
        _("staffing tolerance (% over capacity)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_GAP_TOLERANCE_PCT,
        db_default=DEFAULT_GAP_TOLERANCE_PCT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "A gap of one person where the forecast load is at most this % above the scheduled capacity "
            "is within tolerance and not shown as a card."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staffing target")
        verbose_name_plural = _("staffing targets")

    def __str__(self) -> str:
        return f"{self.store}: {self.labour_cost_target_pct}%"


class StaffingRequirement(models.Model):
    """Needed staff of one position for one clock hour, with the forecast load behind the number.
    Written by the analysis jobs through `services.staffing_requirements_replace`."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="staffing_requirements")
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="requirements")
    hour_start = models.DateTimeField(_("hour starting"))
    needed_staff = models.PositiveSmallIntegerField(_("needed staff"))
    forecast_load = models.DecimalField(
        _("forecast load per hour"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["hour_start", "position__name"]
        constraints = [
            models.UniqueConstraint(fields=["position", "hour_start"], name="uniq_requirement_hour")
        ]
        indexes = [models.Index(fields=["store", "hour_start"], name="requirement_store_hour")]
        verbose_name = _("staffing requirement")
        verbose_name_plural = _("staffing requirements")

    def __str__(self) -> str:
        return f"{self.position} {self.hour_start:%Y-%m-%d %H:%M}: {self.needed_staff}"

    @property
    def hour_end(self) -> dt.datetime:
        return self.hour_start + dt.timedelta(hours=1)
