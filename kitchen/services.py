"""Writes for the kitchen: tickets from orders (in the order's transaction), start and bump, the
prep list. The order's status follows its tickets through the orders app's service."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import MenuItem, Order, OrderLine
from orders.services import order_lines_mark_started, order_set_status
from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store

from .models import KitchenItem, PrepTask, Station, Ticket, TicketLine

OPEN = (Ticket.Status.QUEUED, Ticket.Status.STARTED)


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# --- stations and routing ---------------------------------------------------------------------


@transaction.atomic
def station_create(*, store: Store, name: str, is_default: bool = False, position: int = 0) -> Station:
    if not name.strip():
        raise DomainError("name", "required", _("Give the station a name."))
    if Station.objects.filter(store=store, name=name.strip()).exists():
        raise DomainError("name", "duplicate", _("A station with this name exists."))
    station = Station.objects.create(store=store, name=name.strip(), position=position)
    return station_make_default(station=station) if is_default else station


@transaction.atomic
def station_make_default(*, station: Station) -> Station:
    """Items without a route go to this station from now on; the store keeps one default."""
    Station.objects.filter(store_id=station.store_id, is_default=True).exclude(pk=station.pk).update(
        is_default=False
    )
    if not station.is_default:
        station.is_default = True
        station.save(update_fields=["is_default", "updated_at"])
    return station


KEEP = object()  # kitchen_item_set: leave the item's station as it is


@transaction.atomic
def kitchen_item_set(
    *, menu_item: MenuItem, station: Station | None | object = KEEP, prep_ahead: bool | None = None
) -> KitchenItem:
    """Routes an item to a station (None: the default station) and/or marks it prepared ahead; what is
    not given stays as it was."""
    if isinstance(station, Station) and station.store_id != menu_item.store_id:
        raise DomainError("station", "unknown_station", _("No such station in this store."))
    kitchen_item, _created = KitchenItem.objects.get_or_create(menu_item=menu_item)
    if station is not KEEP:
        kitchen_item.station = station
    if prep_ahead is not None:
        kitchen_item.prep_ahead = prep_ahead
    kitchen_item.save()
    return kitchen_item


@transaction.atomic
def station_update(
    *,
    station: Station,
    name: str | None = None,
    position: int | None = None,
    ticket_target_minutes: int | None = None,
    is_default: bool | None = None,
) -> Station:
    """Renames a station, moves it, sets its ticket-time target, or makes it the store's default (the
    store keeps one default: to change it, make another station the default)."""
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError("name", "required", _("Give the station a name."))
        if Station.objects.filter(store_id=station.store_id, name=name).exclude(pk=station.pk).exists():
            raise DomainError("name", "duplicate", _("A station with this name exists."))
        station.name = name
    if position is not None:
        station.position = position
    if ticket_target_minutes is not None:
        if not 1 <= ticket_target_minutes <= 240:
            raise DomainError("ticket_target_minutes", "out_of_range", _("A target is 1 to 240 minutes."))
        station.ticket_target_minutes = ticket_target_minutes
    if is_default is False and station.is_default:
        raise DomainError("is_default", "invalid", _("Make another station the default instead."))
    station.save()
    return station_make_default(station=station) if is_default else station


@transaction.atomic
def station_delete(*, station: Station) -> None:
    """A station that never had a ticket goes; its items fall back to the default station."""
    if station.tickets.exists():
        raise DomainError("station", "in_use", _("This station has tickets in its history; keep it."))
    station.delete()


@transaction.atomic
def kitchen_routes_set(*, store: Store, routes: dict[int, int | None]) -> int:
    """Routes many items at once ({menu item id: station id, or None for the default station}), as the
    stations page saves them. Returns how many routes changed."""
    items = {i.pk: i for i in MenuItem.objects.filter(store=store, pk__in=list(routes))}
    stations = {s.pk: s for s in Station.objects.filter(store=store)}
    current = dict(
        KitchenItem.objects.filter(menu_item__in=list(items)).values_list("menu_item_id", "station_id")
    )
    changed = 0
    for item_id, station_id in routes.items():
        if item_id not in items:
            raise DomainError(f"routes[{item_id}]", "unknown_item", _("No such item on this store's menu."))
        if station_id is not None and station_id not in stations:
            raise DomainError(f"routes[{item_id}]", "unknown_station", _("No such station in this store."))
        if current.get(item_id) != station_id:
            kitchen_item_set(menu_item=items[item_id], station=stations.get(station_id))
            changed += 1
    return changed


# --- tickets ----------------------------------------------------------------------------------


# The stations of the order's items (menu item id, station id), and the store's default station (None,
# its id): one statement on the order path.
_ROUTES_SQL = (
    f"SELECT menu_item_id, station_id FROM {KitchenItem._meta.db_table} "
    "WHERE station_id IS NOT NULL AND menu_item_id IN (%s) "
    "UNION ALL SELECT NULL, id FROM ("
    f"SELECT id FROM {Station._meta.db_table} WHERE store_id = %%s "
    "ORDER BY is_default DESC, position, id LIMIT 1) AS default_station"
)


def tickets_create_for_order(*, order: Order, lines: list[OrderLine] | None = None) -> list[Ticket]:
    """One ticket per station the order's lines are routed to; `lines` are the order's lines as
    written (with their modifiers), carried by the event (read here when not given). A fixed number
    of queries: the routes, the tickets and their lines."""
    if order.served_at is not None:  # sent after it was served (a till that was offline): nothing to cook
        return []
    if lines is None:
        lines = list(order.lines.filter(voided_at__isnull=True).prefetch_related("modifiers"))
    if not lines:
        return []
    item_ids = sorted({line.menu_item_id for line in lines})
    with connection.cursor() as cursor:
        cursor.execute(_ROUTES_SQL % ", ".join(["%s"] * len(item_ids)), [*item_ids, order.store_id])
        routes = dict(cursor.fetchall())
    default = routes.pop(None, None)
    per_station = defaultdict(list)
    for line in lines:
        station_id = routes.get(line.menu_item_id, default)
        if station_id is not None:
            per_station[station_id].append(
                TicketLine(
                    order_line_id=line.pk,
                    name=line.name,
                    quantity=line.quantity,
                    modifiers=[m.name for m in line.modifiers.all()],
                    note=line.note,
                )
            )
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(store_id=order.store_id, order=order, station_id=station_id, queued_at=now)
            for station_id in sorted(per_station)
        ]
    )
    for ticket in tickets:
        for line in per_station[ticket.station_id]:
            line.ticket = ticket
    TicketLine.objects.bulk_create([line for ticket in tickets for line in per_station[ticket.station_id]])
    return tickets


def ticket_lines_withdraw(*, quantities: dict[int, int]) -> int:
    """Takes voided, cancelled or refunded portions (order line id -> portions) off the open tickets:
    the display shows them as VOID until the cook bumps the ticket, and a ticket left with nothing to
    make is withdrawn. Returns how many tickets were withdrawn. A fixed number of queries."""
    lines = list(
        TicketLine.objects.select_for_update()
        .filter(order_line_id__in=list(quantities), ticket__status__in=OPEN)
        .only("id", "ticket_id", "order_line_id", "quantity", "voided_quantity")
    )
    for line in lines:
        line.voided_quantity = min(line.quantity, line.voided_quantity + quantities[line.order_line_id])
    TicketLine.objects.bulk_update(lines, ["voided_quantity"])
    now = timezone.now()
    # The display's version moves with the ticket (kitchen.selectors.board_version): VOID shows at once.
    Ticket.objects.filter(pk__in={line.ticket_id for line in lines}, status__in=OPEN).update(updated_at=now)
    still_to_make = TicketLine.objects.filter(ticket=OuterRef("pk"), voided_quantity__lt=F("quantity"))
    return (
        Ticket.objects.filter(pk__in={line.ticket_id for line in lines}, status__in=OPEN)
        .exclude(Exists(still_to_make))
        .update(status=Ticket.Status.WITHDRAWN, withdrawn_at=now, updated_at=now)
    )


def tickets_withdraw_for_order(*, order: Order) -> int:
    """A cancelled order's open tickets leave the displays (every line withdrawn)."""
    quantities = dict(OrderLine.objects.filter(order=order).values_list("id", "quantity"))
    return ticket_lines_withdraw(quantities=quantities)


def tickets_close_for_order(*, order: Order) -> int:
    """An order that is ready, served or collected (at the till or by the API) has nothing left to
    cook: its open tickets leave the displays as ready."""
    if order.status not in (Order.Status.READY, Order.Status.SERVED, Order.Status.COLLECTED):
        return 0
    now = timezone.now()
    return Ticket.objects.filter(order=order, status__in=OPEN).update(
        status=Ticket.Status.READY, ready_at=now, updated_at=now
    )


def _mark_started(ticket: Ticket, at) -> None:
    order_lines_mark_started(line_ids=list(ticket.lines.values_list("order_line_id", flat=True)), at=at)


def _lock(ticket: Ticket) -> tuple[Order, Ticket]:
    # The order first, then the ticket: two stations bumping the last two tickets of one order
    # queue on the order row, so exactly one of them sees "all ready".
    order = Order.objects.select_for_update().get(pk=ticket.order_id)
    return order, Ticket.objects.select_for_update().get(pk=ticket.pk)


@transaction.atomic
def ticket_start(*, ticket: Ticket, by=None) -> Ticket:
    order, ticket = _lock(ticket)
    if ticket.status != Ticket.Status.QUEUED:
        if ticket.status == Ticket.Status.STARTED:
            return ticket  # a double tap changes nothing
        raise DomainError("status", "invalid_transition", _("This ticket is no longer waiting."))
    ticket.status, ticket.started_at, ticket.started_by = Ticket.Status.STARTED, timezone.now(), _user(by)
    ticket.save(update_fields=["status", "started_at", "started_by", "updated_at"])
    _mark_started(ticket, ticket.started_at)
    if order.status == Order.Status.PLACED:
        order_set_status(order=order, status=Order.Status.IN_KITCHEN, by=_user(by))
    return ticket


@transaction.atomic
def ticket_bump(*, ticket: Ticket, by=None) -> Ticket:
    """Marks a ticket ready; when it was the order's last open ticket the order becomes ready."""
    order, ticket = _lock(ticket)
    if ticket.status not in OPEN:
        if ticket.status == Ticket.Status.READY:
            return ticket
        raise DomainError("status", "invalid_transition", _("This ticket was withdrawn."))
    now = timezone.now()
    if ticket.status == Ticket.Status.QUEUED:  # bumped without a start: it was made all the same
        _mark_started(ticket, now)
    ticket.status, ticket.ready_at = Ticket.Status.READY, now
    ticket.save(update_fields=["status", "ready_at", "updated_at"])
    still_open = Ticket.objects.filter(order=order, status__in=OPEN).exists()
    if not still_open and order.can_move_to(Order.Status.READY):
        order_set_status(order=order, status=Order.Status.READY, by=_user(by))
    return ticket


# --- prep list --------------------------------------------------------------------------------


def _portions(quantity: Decimal | int) -> Decimal:
    """A prep task's portions (a Decimal or an int: the serializer or the form parsed it), to a tenth."""
    return check_decimal(quantity, "quantity", allow_zero=False).quantize(Decimal("0.1"))


def _check_item(store: Store, menu_item: MenuItem) -> None:
    if menu_item.store_id != store.pk:
        raise DomainError("menu_item", "unknown_item", _("No such item on this store's menu."))


@transaction.atomic
def prep_task_create(
    *,
    store: Store,
    menu_item: MenuItem,
    quantity,
    ready_by: dt.datetime,
    source: str = PrepTask.Source.MANUAL,
    note: str = "",
) -> PrepTask:
    _check_item(store, menu_item)
    if source not in PrepTask.Source.values:
        raise DomainError("source", "invalid", _("Source is manual or forecast."))
    return PrepTask.objects.create(
        store=store,
        menu_item=menu_item,
        quantity=_portions(quantity),
        ready_by=ready_by,
        source=source,
        note=note[:200],
    )


@transaction.atomic
def prep_task_upsert(
    *,
    store: Store,
    menu_item: MenuItem,
    quantity,
    ready_by: dt.datetime,
    source: str = PrepTask.Source.FORECAST,
    note: str = "",
) -> PrepTask:
    """Idempotent for the forecast: one open task per (item, ready_by, source), its quantity replaced."""
    _check_item(store, menu_item)
    task = (
        PrepTask.objects.select_for_update()
        .filter(store=store, menu_item=menu_item, ready_by=ready_by, source=source, done=False)
        .first()
    )
    if task is None:
        return prep_task_create(
            store=store, menu_item=menu_item, quantity=quantity, ready_by=ready_by, source=source, note=note
        )
    task.quantity, task.note = _portions(quantity), note[:200] or task.note
    task.save(update_fields=["quantity", "note", "updated_at"])
    return task


@transaction.atomic
def prep_task_done(*, task: PrepTask, by=None, done: bool = True) -> PrepTask:
    task.done, task.done_at = done, timezone.now() if done else None
    task.save(update_fields=["done", "done_at", "updated_at"])
    return task
