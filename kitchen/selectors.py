from django.db.models import Prefetch, QuerySet

from orders.models import MenuItem
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


def prep_tasks(*, stores: QuerySet[Store]) -> QuerySet[PrepTask]:
    return PrepTask.objects.filter(store__in=stores).select_related("store", "menu_item")


def prep_items(*, store: Store) -> QuerySet[MenuItem]:
    return MenuItem.objects.filter(store=store, is_active=True, kitchen__prep_ahead=True)
