"""The store and its settings: opening a store, its details, tax rates, opening hours, dayparts."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..errors import DomainError, DomainErrors
from ..models import Daypart, Membership, OpeningHours, Role, Store, TaxCategory, validate_time_zone
from .audit import audit_record


def may_open_store(*, user: AbstractBaseUser) -> bool:
    """Owners open more stores; on a new install the first person (who owns nothing yet) opens the first."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, role=Role.OWNER).exists() or not Store.objects.exists()


# --- the store and its settings ----------------------------------------------------------------

STORE_FIELDS = {
    "name",
    "time_zone",
    "currency",
    "prices_include_tax",
    "service_charge_rate",
    "business_day_cutoff",
    "shortage_policy",
    "table_session_mode",
    "payment_timing",
}


def _check_store(store: Store) -> None:
    if not store.name.strip():
        raise DomainError("name", "required", _("Give the restaurant a name."))
    try:
        validate_time_zone(store.time_zone)
    except ValidationError as error:
        raise DomainError("time_zone", "invalid", error.messages[0])
    if not (len(store.currency) == 3 and store.currency.isalpha()):
        raise DomainError("currency", "invalid", _("A currency is a three-letter code such as USD or CNY."))
    store.currency = store.currency.upper()
    try:
        store.full_clean(exclude=["slug"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(field, "invalid", messages[0])


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "store"
    slug, n = base, 1
    while Store.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def store_create(*, owner, name: str, time_zone: str, currency: str, **fields) -> Store:
    """A new restaurant with `owner` as its owner."""
    if not may_open_store(user=owner):
        raise DomainError("", "permission_denied", _("Only an owner may open another store."))
    if set(fields) - STORE_FIELDS:
        raise DomainError(sorted(set(fields) - STORE_FIELDS)[0], "unknown_field", _("Unknown field."))
    store = Store(name=name.strip(), time_zone=time_zone, currency=currency.strip(), **fields)
    _check_store(store)
    store.slug = _unique_slug(store.name)
    store.save()
    Membership.objects.create(user=owner, store=store, role=Role.OWNER)
    audit_record(store=store, action="store_created", actor=owner, target=store)
    return store


@transaction.atomic
def store_update(*, store: Store, by, **fields) -> Store:
    if set(fields) - STORE_FIELDS:
        raise DomainError(sorted(set(fields) - STORE_FIELDS)[0], "unknown_field", _("Unknown field."))
    for name, value in fields.items():
        setattr(store, name, value.strip() if isinstance(value, str) else value)
    _check_store(store)
    store.save()
    audit_record(store=store, action="store_updated", actor=by, target=store, data={"fields": sorted(fields)})
    return store


@transaction.atomic
def tax_category_save(
    *, store: Store, name: str, rate: Decimal, tax_category: TaxCategory | None = None
) -> TaxCategory:
    """Creates a tax rate (or renames/re-rates `tax_category`). `rate` is a fraction: 0.08 for 8%."""
    name = name.strip()
    if not name:
        raise DomainError("name", "required", _("Give the tax a name, such as Food."))
    if not (Decimal("0") <= rate <= Decimal("1")):
        raise DomainError("rate", "out_of_range", _("A tax rate is between 0 and 100 percent."))
    dupes = TaxCategory.objects.filter(store=store, name__iexact=name)
    if tax_category is not None:
        dupes = dupes.exclude(pk=tax_category.pk)
    if dupes.exists():
        raise DomainError("name", "duplicate", _("A tax with this name exists."))
    tax_category = tax_category or TaxCategory(store=store)
    tax_category.name, tax_category.rate = name, rate.quantize(Decimal("0.0001"))
    tax_category.save()
    return tax_category


@transaction.atomic
def tax_category_delete(*, tax_category: TaxCategory) -> None:
    try:
        with transaction.atomic():
            tax_category.delete()
    except IntegrityError:
        raise DomainError("tax_category", "in_use", _("Menu items use this tax; move them first."))


@transaction.atomic
def opening_hours_replace(*, store: Store, spans: list[tuple[int, dt.time, dt.time]]) -> list[OpeningHours]:
    """The week's opening hours: one (weekday 0=Monday, opens, closes) per span; a day without a span
    is closed. `closes` at or before `opens` passes midnight."""
    errors = []
    for index, (weekday, opens, closes) in enumerate(spans):
        if weekday not in range(7):
            errors.append(
                DomainError(f"spans[{index}].weekday", "invalid", _("A weekday is 0 (Monday) to 6."))
            )
        elif opens == closes:
            errors.append(
                DomainError(f"spans[{index}].closes", "invalid", _("Closing time equals opening time."))
            )
    if errors:
        raise DomainErrors(errors)
    OpeningHours.objects.filter(store=store).delete()
    return OpeningHours.objects.bulk_create(
        OpeningHours(store=store, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in spans
    )


@transaction.atomic
def opening_hours_span_save(
    *, store: Store, weekday: int, opens: dt.time, closes: dt.time, span: OpeningHours | None = None
) -> OpeningHours:
    """One opening span added (or `span` changed): the API's way to edit a week span by span, under
    the same rules as `opening_hours_replace`; two spans of one day may not overlap."""
    if weekday not in range(7):
        raise DomainError("weekday", "invalid", _("A weekday is 0 (Monday) to 6."))
    if opens == closes:
        raise DomainError("closes", "invalid", _("Closing time equals opening time."))

    def minutes(start: dt.time, end: dt.time) -> tuple[int, int]:
        first = start.hour * 60 + start.minute
        last = end.hour * 60 + end.minute
        return first, last if last > first else last + 24 * 60

    new = minutes(opens, closes)
    others = OpeningHours.objects.filter(store=store, weekday=weekday)
    if span is not None:
        others = others.exclude(pk=span.pk)
    for other in others:
        old = minutes(other.opens, other.closes)
        if new[0] < old[1] and old[0] < new[1]:
            raise DomainError(
                "opens", "overlap", _("This overlaps %(span)s on the same day.") % {"span": str(other)}
            )
    span = span or OpeningHours(store=store)
    span.weekday, span.opens, span.closes = weekday, opens, closes
    span.save()
    return span


def opening_hours_span_delete(*, span: OpeningHours) -> None:
    span.delete()


@transaction.atomic
def daypart_save(
    *, store: Store, name: str, starts: dt.time, ends: dt.time, daypart: Daypart | None = None
) -> Daypart:
    """A daypart (lunch, dinner, ...) the analyses group sales by; one of each name per store."""
    if name not in Daypart.Name.values:
        raise DomainError("name", "invalid_choice", _("Choose breakfast, lunch, afternoon, dinner or late."))
    if starts == ends:
        raise DomainError("ends", "invalid", _("A daypart ends at another time than it starts."))
    dupes = Daypart.objects.filter(store=store, name=name)
    if daypart is not None:
        dupes = dupes.exclude(pk=daypart.pk)
    if dupes.exists():
        raise DomainError("name", "duplicate", _("This store already has this daypart."))
    daypart = daypart or Daypart(store=store)
    daypart.name, daypart.starts, daypart.ends = name, starts, ends
    daypart.save()
    return daypart


def daypart_delete(*, daypart: Daypart) -> None:
    daypart.delete()
