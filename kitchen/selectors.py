import datetime as dt

from django.db.models import Count, Max, Prefetch, QuerySet, Sum

from orders.models import Check, MenuItem
from restaurant_ops.models import Store

from .models import PrepTask, Station, Ticket, TicketLine


def tickets(*, stores: QuerySet[Store]) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(store__in=stores)
        .select_related("store", "station", "order__table")
        .prefetch_related(Prefetch("lines", queryset=TicketLine.objects.order_by("id")))
    )


def open_tickets(*, store: Store, station: Station | None = None) -> QuerySet[Ticket]:
    """What a display shows: queued and started tickets, oldest first."""
    qs = (
        tickets(stores=Store.objects.filter(pk=store.pk))
        .filter(status__in=[Ticket.Status.QUEUED, Ticket.Status.STARTED])
        .order_by("queued_at", "id")
    )
    return qs.filter(station=station) if station is not None else qs


def board_version(*, store: Store, station: Station | None = None) -> str:
    """A cheap token that moves whenever the display would show something else: a ticket queued,
    started, bumped or withdrawn, or a line voided (each bumps its ticket's `updated_at`). One aggregate
    over the open tickets and no rendering; the waiting times tick in the browser (static/kitchen/kds.js)."""
    open_now = open_tickets(store=store, station=station).order_by()
    agg = open_now.aggregate(n=Count("id"), ids=Sum("id"), latest=Max("updated_at"))
    latest = agg["latest"].timestamp() if isinstance(agg["latest"], dt.datetime) else None
    return f"{agg['n']}-{agg['ids']}-{latest}"


def prep_tasks(*, stores: QuerySet[Store]) -> QuerySet[PrepTask]:
    return PrepTask.objects.filter(store__in=stores).select_related("store", "menu_item")


def prep_items(*, store: Store) -> QuerySet[MenuItem]:
    return MenuItem.objects.filter(store=store, is_active=True, kitchen__prep_ahead=True)


def check_ticket_times(*, guest_check: Check) -> list[dict]:
    """The tickets of a check's orders with their minutes from queued to ready (None while open) and
    their station's target, oldest first."""
    rows = (
        Ticket.objects.filter(order__guest_check=guest_check)
        .exclude(status=Ticket.Status.WITHDRAWN)
        .select_related("station")
        .order_by("queued_at", "id")
    )
    return [
        {
            "station": t.station.name,
            "queued_at": t.queued_at,
            "minutes": (t.ready_at - t.queued_at).total_seconds() / 60 if t.ready_at else None,
            "target": t.station.ticket_target_minutes,
        }
        for t in rows
    ]
