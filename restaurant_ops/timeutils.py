"""Store-local time: business days (with the cutoff after midnight), dayparts and opening hours."""

import datetime as dt
import zoneinfo

from django.utils import timezone

from .models import Store


def local(store: Store, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(store.tz)


def business_date(store: Store, moment: dt.datetime) -> dt.date:
    """The trading day a moment belongs to: before the cutoff it is still the previous day."""
    here = local(store, moment)
    if here.time() < store.business_day_cutoff:
        return here.date() - dt.timedelta(days=1)
    return here.date()


def business_day_bounds(store: Store, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a business day as aware datetimes (DST-safe: each end is built locally)."""
    cutoff = store.business_day_cutoff
    start = dt.datetime.combine(day, cutoff, tzinfo=store.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), cutoff, tzinfo=store.tz)
    return start, end


def business_range_bounds(store: Store, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of `first`, end of `last`) for an inclusive range of business days."""
    return business_day_bounds(store, first)[0], business_day_bounds(store, last)[1]


def is_open_at(store: Store, moment: dt.datetime) -> bool:
    here = local(store, moment)
    t, weekday = here.time(), here.weekday()
    yesterday = (weekday - 1) % 7
    for span in store.opening_hours.all():
        if span.weekday == weekday and (t >= span.opens and (span.passes_midnight or t < span.closes)):
            return True
        if span.weekday == yesterday and span.passes_midnight and t < span.closes:
            return True
    return False


def use_store_time(zone: str) -> None:
    """Times written for the rest of this request are in `zone` (StoreTimeZoneMiddleware undoes it)."""
    timezone.activate(zoneinfo.ZoneInfo(zone))


def minute_end(now: dt.datetime) -> dt.datetime:
    """The last instant of the current minute: the moment the "so far" figures (today so far, today's
    labour) count up to, so that they are one per minute wherever they are shown, and an answer holding
    them can be cached for that minute (analytics/api/answer_cache.py). The end, not the start, so
    nothing already placed or clocked is left out; the last microsecond, not the next minute, so the
    minute before a business day's start still belongs to the day that is ending."""
    return now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1, microseconds=-1)
