"""Tables and their sessions: the party at a table, its QR secret, and the guest-order throttle."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user

from ..models import Table, TableSession


def table_rotate_token(*, table: Table) -> Table:
    """A new QR secret: codes printed or photographed before stop working."""
    table.qr_token = Table._meta.get_field("qr_token").default()
    table.save(update_fields=["qr_token", "updated_at"])
    return table


def table_session_current(*, table: Table) -> TableSession | None:
    return TableSession.objects.filter(table=table, closed_at__isnull=True).first()


@transaction.atomic
def table_session_open(*, table: Table, by=None) -> TableSession:
    """The table's open session, or a new one (the table row is locked so two phones scanning at
    once share one session)."""
    Table.objects.select_for_update().filter(pk=table.pk).first()
    session = table_session_current(table=table)
    if session is None:
        session = TableSession.objects.create(
            store_id=table.store_id,
            table=table,
            opened_by=acting_user(by),
        )
    return session


@transaction.atomic
def table_session_close(*, session: TableSession) -> TableSession:
    """Ends the party's session. In rotate_token stores the table's QR secret changes too, so a photo
    of the old code cannot order into the next party's check."""
    if session.closed_at is None:
        session.closed_at = timezone.now()
        session.save(update_fields=["closed_at"])
        if session.store.table_session_mode == Store.TableSessionMode.ROTATE_TOKEN:
            table_rotate_token(table=session.table)
    return session


def table_order_throttle(*, table: Table) -> None:
    """At most N guest orders per table per period (settings TABLE_ORDER_RATE, e.g. "10/min"), counted
    in the shared cache so the limit holds across worker processes."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["table"]
    count, period = rate.split("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    window = int(timezone.now().timestamp() // seconds)
    key = f"orders:table-throttle:{table.pk}:{window}"
    cache.add(key, 0, timeout=seconds * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds * 2)
        used = 1
    if used > int(count):
        raise DomainError(
            "table",
            "throttled",
            _("Too many orders from this table just now; please wait a minute or ask the staff."),
        )
