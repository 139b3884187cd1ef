"""The stock ledger. Every change to stock goes through `movements_post`, which locks the
ingredient rows it changes (select_for_update, in id order so two orders never deadlock), appends
the movements and keeps `Ingredient.on_hand` equal to the sum of the ledger; then the menu's
stock-driven sold-out flags are refreshed."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import MenuItem, Modifier, Order
from orders.services import menu_item_set_stock_facts, modifier_set_stock_facts
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from .. import events
from ..models import Ingredient, PurchaseOrderLine, RecipeLine, StockCount, StockMovement

ZERO = Decimal("0")
Q3 = Decimal("0.001")
Q6 = Decimal("0.000001")


def effective_at_check(*, store: Store, at: dt.datetime, ingredient_ids: Iterable[int], field: str) -> None:
    """The bounds of a back-dated receipt, count or movement (`received_at`, `counted_at`,
    `effective_at`): not in the future (beyond the clock skew allowed for tills), and not before the
    last count of any of its ingredients (the count fixed what was on the shelf then: an earlier
    movement would silently change a figure someone counted)."""
    now = timezone.now()
    if at > now + dt.timedelta(seconds=settings.ORDER_PLACED_AT_SKEW_SECONDS):
        raise DomainError(field, "in_future", _("Stock cannot move in the future."))
    last = StockCount.objects.filter(store=store, lines__ingredient_id__in=list(ingredient_ids)).aggregate(
        last=Max("counted_at")
    )["last"]
    if last is not None and at < last:
        raise DomainError(
            field,
            "before_last_count",
            _("An ingredient was counted after this time (%(when)s): record it after the count.")
            % {"when": timezone.localtime(last, store.tz).strftime("%Y-%m-%d %H:%M")},
        )


def on_hand_at(*, ingredient_ids: Iterable[int], at: dt.datetime) -> dict[int, Decimal]:
    """What the ledger says was on hand at a moment: the sum of the movements up to it."""
    rows = (
        StockMovement.objects.filter(ingredient_id__in=list(ingredient_ids), at__lte=at)
        .values("ingredient_id")
        .annotate(total=Sum("quantity"))
    )
    found = {row["ingredient_id"]: row["total"] for row in rows}
    return {i: found.get(i, ZERO) for i in ingredient_ids}


@dataclass
class Move:
    ingredient_id: int
    quantity: Decimal  # signed, base units
    kind: str
    unit_cost: Decimal | None = None
    reason: str = ""
    order: Order | None = None
    purchase_order_line: PurchaseOrderLine | None = None
    stock_count: StockCount | None = None
    stock_count_id: int | None = None  # or the count by id


def movements_post(
    *,
    store: Store,
    moves: list[Move],
    by=None,
    at: dt.datetime | None = None,
    on_short=None,
    set_to: dict[int, Decimal] | None = None,
) -> None:
    """Locks the ingredients (id order), appends the movements, updates on-hand, refreshes
    availability where it may have changed. `on_short(ingredient, new_on_hand)` is called for an
    ingredient that would go below zero and may raise to refuse (it gets the ingredient's id, name and
    new on hand). Two statements on PostgreSQL (plus the availability refresh when a flag may flip),
    whatever the number of movements."""
    delta: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for move in moves:
        delta[move.ingredient_id] += move.quantity
    if not delta:
        return
    at = at or timezone.now()
    day = business_date(store, at)
    rows = _add_on_hand(store=store, delta=delta, set_to=set_to)
    may_flip = []
    for ingredient_id, name, before, after, largest_portion in rows:
        # While on hand stays at or above the largest portion any item's or modifier's recipe takes of
        # it, before and after, no sold-out flag can flip, and availability needs no look.
        if largest_portion is not None and min(before, after) < largest_portion:
            may_flip.append(ingredient_id)
        if after < 0 and delta[ingredient_id] < 0 and on_short is not None:
            on_short(Ingredient(pk=ingredient_id, store=store, name=name, on_hand=after), after)
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                store=store,
                ingredient_id=m.ingredient_id,
                kind=m.kind,
                quantity=m.quantity,
                unit_cost=m.unit_cost,
                at=at,
                business_date=day,
                by=actor,
                reason=m.reason[:200],
                order=m.order,
                purchase_order_line=m.purchase_order_line,
                stock_count_id=m.stock_count.pk if m.stock_count is not None else m.stock_count_id,
            )
            for m in moves
            if m.quantity != 0
        ]
    )
    if may_flip:
        availability_refresh(store=store, ingredient_ids=may_flip)


# PostgreSQL: lock the rows in id order (two orders never deadlock), add each delta and flag what went
# below zero, in one statement; returns each row's (id, name, on hand before, after, largest portion).
_ADD_ON_HAND_SQL = """
WITH locked AS MATERIALIZED (
    SELECT id FROM inventory_ingredient WHERE store_id = %(store)s AND id = ANY(%(ids)s)
    ORDER BY id FOR UPDATE
), delta AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(deltas)s::numeric[]) AS d(id, quantity)
)
UPDATE inventory_ingredient AS i
SET on_hand = i.on_hand + delta.quantity,
    updated_at = %(now)s,
    needs_count = CASE
        WHEN i.on_hand + delta.quantity < 0 THEN true
        WHEN i.id = ANY(%(set_to)s) THEN false
        ELSE i.needs_count
    END
FROM locked JOIN delta ON delta.id = locked.id
WHERE i.id = locked.id
RETURNING i.id, i.name, i.on_hand - delta.quantity, i.on_hand, (
    SELECT max(r.base_quantity) FROM inventory_recipeline AS r
    WHERE r.ingredient_id = i.id AND r.valid_until IS NULL
)
"""


def _add_on_hand(
    *, store: Store, delta: dict[int, Decimal], set_to: dict[int, Decimal] | None
) -> list[tuple[int, str, Decimal, Decimal, Decimal | None]]:
    """Adds `delta` to the store's ingredients' on hand, holding their row locks to the end of the
    transaction: an ingredient that goes below zero needs a count, one in `set_to` (a count just
    fixed it) no longer does. Rows in id order."""
    ids = sorted(delta)
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _ADD_ON_HAND_SQL,
                {
                    "store": store.pk,
                    "ids": ids,
                    "deltas": [delta[i] for i in ids],
                    "now": now,
                    "set_to": sorted(set_to or ()),
                },
            )
            return sorted(cursor.fetchall())
    # Elsewhere (the SQLite demo: one writer at a time) the same through the ORM.
    largest = RecipeLine.objects.filter(ingredient=OuterRef("pk")).order_by("-base_quantity")
    locked = list(
        Ingredient.objects.select_for_update()
        .filter(store=store, pk__in=ids)
        .annotate(largest_portion=Subquery(largest.values("base_quantity")[:1]))
        .order_by("pk")
    )
    rows = []
    for ingredient in locked:
        before, ingredient.on_hand = ingredient.on_hand, ingredient.on_hand + delta[ingredient.pk]
        ingredient.updated_at = now
        if ingredient.on_hand < 0:
            ingredient.needs_count = True
        elif set_to is not None and ingredient.pk in set_to:
            ingredient.needs_count = False
        rows.append((ingredient.pk, ingredient.name, before, ingredient.on_hand, ingredient.largest_portion))
    Ingredient.objects.bulk_update(locked, ["on_hand", "updated_at", "needs_count"])
    return rows


def availability_refresh(*, store: Store, ingredient_ids: Iterable[int] | None = None) -> list[MenuItem]:
    """Sets the stock-driven sold-out flag of each affected item and modifier: sold out when some
    ingredient of its own recipe cannot cover one more portion (a modifier that shares an ingredient
    with the item is still checked in full when the order is placed). Two queries, plus one write per
    flag that flips. Returns the items that flipped."""
    items = MenuItem.objects.filter(store=store)
    modifiers = Modifier.objects.filter(group__store=store)
    if ingredient_ids is not None:
        using = RecipeLine.objects.filter(ingredient_id__in=list(ingredient_ids))
        items = items.filter(pk__in=using.filter(menu_item__isnull=False).values("menu_item_id"))
        modifiers = modifiers.filter(pk__in=using.filter(modifier__isnull=False).values("modifier_id"))
    short = RecipeLine.objects.filter(menu_item_id=OuterRef("pk"), ingredient__on_hand__lt=F("base_quantity"))
    flipped = []
    for item in items.annotate(short=Exists(short)).only(
        "pk", "name", "sold_out_stock", "allergens", "dietary_tags"
    ):
        if item.sold_out_stock != item.short:
            menu_item_set_stock_facts(item=item, sold_out=item.short)
            flipped.append(item)
    short = RecipeLine.objects.filter(modifier_id=OuterRef("pk"), ingredient__on_hand__lt=F("base_quantity"))
    for modifier in modifiers.annotate(short=Exists(short)).only("pk", "sold_out_stock"):
        modifier_set_stock_facts(modifier=modifier, sold_out=modifier.short)
    if flipped:
        events.availability_changed.send(
            sender=MenuItem,
            store=store,
            sold_out=[item for item in flipped if item.short],
            back=[item for item in flipped if not item.short],
        )
    return flipped
