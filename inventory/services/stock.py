"""Stock movements: what orders consume and give back (called by the listeners in apps.py), and
stock recorded by hand (deliveries outside a PO, waste, corrections, counts)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.events import OrderRejected
from orders.models import Order, OrderLine, OrderLineModifier
from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user

from ..models import Ingredient, StockCount, StockCountLine, StockMovement
from ..units import to_base
from .catalogue import recipe_portions
from .ledger import Q3, ZERO, Move, effective_at_check, movements_post, on_hand_at


def _recipe_uses(lines: list[tuple[int, int, list[int]]]) -> dict[int, list[tuple[int, Decimal]]]:
    """For each (line id, menu item id, chosen modifier ids): the (ingredient id, base quantity) one
    portion takes, from the item's recipe and its modifiers' (cached: `recipe_portions`)."""
    by_item, by_modifier = recipe_portions(
        item_ids={item_id for _l, item_id, _m in lines},
        modifier_ids={m for _l, _i, modifier_ids in lines for m in modifier_ids},
    )
    return {
        line_id: by_item[item_id] + [use for m in modifier_ids for use in by_modifier[m]]
        for line_id, item_id, modifier_ids in lines
    }


def stock_consume_for_order(*, order: Order, lines: list[OrderLine] | None = None) -> None:
    """Takes every line's and modifier's recipe out of stock, in the order's transaction. `lines` are
    the order's lines as written (with their modifiers), carried by the event (read here when not
    given). With the store's
    shortage policy `refuse`, an ingredient that cannot cover the order rejects it (409, naming the
    line's item and the ingredient); with `allow_negative` stock goes negative and the ingredient is
    flagged for a count."""
    if lines is None:
        lines = list(order.lines.filter(voided_at__isnull=True).prefetch_related("modifiers"))
    uses_of = _recipe_uses(
        [(line.pk, line.menu_item_id, [m.modifier_id for m in line.modifiers.all()]) for line in lines]
    )
    need: dict[int, Decimal] = defaultdict(lambda: ZERO)
    first_line: dict[int, tuple[int, str]] = {}  # ingredient -> (line position, item name)
    for line in sorted(lines, key=lambda line: line.position):
        for ingredient_id, per_portion in uses_of[line.pk]:
            need[ingredient_id] += per_portion * line.quantity
            first_line.setdefault(ingredient_id, (line.position, line.name))
    if not need:
        return

    def refuse(ingredient: Ingredient, _new: Decimal) -> None:
        position, name = first_line[ingredient.pk]
        raise OrderRejected(
            f"lines[{position}].item",
            "insufficient_stock",
            _("Not enough %(ingredient)s in stock for %(item)s.")
            % {"ingredient": ingredient.name, "item": name},
        )

    # An order a till sent late takes its stock when it was placed. A count since then already saw the
    # shelf without that food: the count's adjustment takes it back (so usage is on the order's day and
    # on hand is what was counted), and such an ingredient cannot be short for this order.
    counted_since = _counted_since(order, need) if order.late else {}
    refusing = order.store.shortage_policy == Store.ShortagePolicy.REFUSE

    def refuse_uncounted(ingredient: Ingredient, new: Decimal) -> None:
        if ingredient.pk not in counted_since:
            refuse(ingredient, new)

    movements_post(
        store=order.store,
        at=order.placed_at,
        by=order.placed_by,
        on_short=refuse_uncounted if refusing else None,
        moves=[
            Move(
                ingredient_id=i,
                quantity=-q,
                kind=StockMovement.Kind.CONSUMPTION,
                order=order,
                reason=_("Order #%(id)s") % {"id": order.pk},
            )
            for i, q in need.items()
            if q
        ],
    )
    by_count: dict[tuple[int, dt.datetime], list[int]] = defaultdict(list)
    for ingredient_id, count in counted_since.items():
        by_count[count].append(ingredient_id)
    for (count_id, counted_at), ingredient_ids in sorted(by_count.items(), key=lambda kv: kv[0][1]):
        movements_post(
            store=order.store,
            at=counted_at,
            by=order.placed_by,
            moves=[
                Move(
                    ingredient_id=i,
                    quantity=need[i],
                    kind=StockMovement.Kind.COUNT,
                    stock_count_id=count_id,
                    order=order,
                    reason=_("Order #%(id)s was placed before this count") % {"id": order.pk},
                )
                for i in ingredient_ids
                if need[i]
            ],
        )


def _counted_since(order: Order, need: dict[int, Decimal]) -> dict[int, tuple[int, dt.datetime]]:
    """Each ingredient of the order counted after it was placed: its latest count (id, when)."""
    rows = (
        StockCountLine.objects.filter(ingredient_id__in=list(need), count__counted_at__gt=order.placed_at)
        .order_by("ingredient_id", "-count__counted_at", "-count_id")
        .values_list("ingredient_id", "count_id", "count__counted_at")
    )
    latest: dict[int, tuple[int, dt.datetime]] = {}
    for ingredient_id, count_id, counted_at in rows:
        latest.setdefault(ingredient_id, (count_id, counted_at))
    return latest


# An order in one of these states was made, whatever its tickets say (e.g. a store without stations).
_MADE = (Order.Status.READY, Order.Status.SERVED, Order.Status.COLLECTED)


def _give_back(
    *, order: Order, quantities: dict[int, int], status: str, reason: str, everything: bool
) -> None:
    """Undoes what `quantities` (line id -> portions) of the order consumed. Portions the kitchen had
    not started go back into stock (a positive consumption movement); portions already started are
    recorded as waste (the consumption is reversed and a waste movement takes the stock out again, so
    on hand is unchanged but the ledger says the food was thrown away, not sold). Never more than the
    order still holds; with `everything` (a cancelled order) all it holds is given back."""
    held = {
        row["ingredient_id"]: -row["total"]
        for row in StockMovement.objects.filter(order=order, kind=StockMovement.Kind.CONSUMPTION)
        .values("ingredient_id")
        .annotate(total=Sum("quantity"))
        if row["total"] < 0
    }
    if not held:
        return
    rows = list(
        OrderLine.objects.filter(order=order, pk__in=list(quantities)).values_list(
            "id", "menu_item_id", "kitchen_started_at"
        )
    )
    chosen = defaultdict(list)
    for line_id, modifier_id in OrderLineModifier.objects.filter(
        line_id__in=[r[0] for r in rows]
    ).values_list("line_id", "modifier_id"):
        chosen[line_id].append(modifier_id)
    uses_of = _recipe_uses([(line_id, item_id, chosen[line_id]) for line_id, item_id, _s in rows])
    back: dict[int, Decimal] = defaultdict(lambda: ZERO)
    wasted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    any_made = False
    for line_id, _item_id, started_at in rows:
        made = started_at is not None or status in _MADE
        any_made = any_made or made
        for ingredient_id, per_portion in uses_of[line_id]:
            (wasted if made else back)[ingredient_id] += per_portion * quantities[line_id]
    moves = []
    for ingredient_id, holding in held.items():
        if everything and not any_made:
            returned, waste = holding, ZERO  # exactly what the order took, even if a recipe changed since
        else:
            returned = min(back[ingredient_id], holding)
            waste = holding - returned if everything else min(wasted[ingredient_id], holding - returned)
        if returned + waste:
            moves.append(
                Move(
                    ingredient_id=ingredient_id,
                    quantity=returned + waste,
                    kind=StockMovement.Kind.CONSUMPTION,
                    order=order,
                    reason=reason,
                )
            )
        if waste:
            moves.append(
                Move(
                    ingredient_id=ingredient_id,
                    quantity=-waste,
                    kind=StockMovement.Kind.WASTE,
                    order=order,
                    reason=reason,
                )
            )
    movements_post(store=order.store, moves=moves)


def stock_return_for_order(*, order: Order, previous_status: str) -> None:
    """A cancelled order gives back what it still holds: lines the kitchen had not started return to
    stock, the rest is recorded as waste."""
    quantities = dict(OrderLine.objects.filter(order=order).values_list("id", "quantity"))
    _give_back(
        order=order,
        quantities=quantities,
        status=previous_status,
        reason=_("Order #%(id)s cancelled") % {"id": order.pk},
        everything=True,
    )


def stock_return_for_void(*, line: OrderLine, quantity: int) -> None:
    """A voided line gives its portions back (as waste once the kitchen started it)."""
    _give_back(
        order=line.order,
        quantities={line.pk: quantity},
        status=line.order.status,
        reason=_("Order #%(id)s: %(item)s voided") % {"id": line.order_id, "item": line.name},
        everything=False,
    )


def stock_return_for_refund(*, lines: list[tuple[OrderLine, int]]) -> None:
    """Refunded portions go back into stock while their ticket has not started, else to waste."""
    per_order: dict[int, dict[int, int]] = defaultdict(dict)
    orders = {}
    for line, quantity in lines:
        per_order[line.order_id][line.pk] = quantity
        orders[line.order_id] = line.order
    for order_id, quantities in per_order.items():
        order = orders[order_id]
        _give_back(
            order=order,
            quantities=quantities,
            status=order.status,
            reason=_("Order #%(id)s refunded") % {"id": order_id},
            everything=False,
        )


# --- stock by hand ----------------------------------------------------------------------------


@transaction.atomic
def stock_movement_record(
    *,
    store: Store,
    ingredient: Ingredient,
    kind: str,
    quantity,
    unit: str = "",
    reason: str,
    by=None,
    unit_cost=None,
    at: dt.datetime | None = None,
    back_dated: bool = False,
) -> StockMovement:
    """Waste (a positive quantity thrown away), a correction (signed) or an opening receipt.
    `back_dated`: `at` is the effective time a client gave (`effective_at`): checked by
    `effective_at_check`; the ledger row records it, on-hand stays the running sum."""
    allowed = {StockMovement.Kind.WASTE, StockMovement.Kind.CORRECTION, StockMovement.Kind.RECEIPT}
    if kind not in allowed:
        raise DomainError(
            "kind",
            "invalid",
            _("Record waste, a correction or a receipt here; counts and orders post their own movements."),
        )
    if ingredient.store_id != store.pk:
        raise DomainError("ingredient", "unknown_ingredient", _("No such ingredient in this store."))
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why."))
    number = check_decimal(quantity, "quantity", allow_negative=True)
    base = to_base(ingredient, number, unit or ingredient.base_unit)
    if kind in (StockMovement.Kind.WASTE, StockMovement.Kind.RECEIPT) and base <= 0:
        raise DomainError("quantity", "must_be_positive", _("Must be more than zero."))
    cost = None
    if kind == StockMovement.Kind.RECEIPT:
        if unit_cost is None:
            raise DomainError("unit_cost", "required", _("Give the price paid per base unit."))
        cost = check_decimal(unit_cost, "unit_cost")
    signed = -base if kind == StockMovement.Kind.WASTE else base
    if back_dated and at is not None:
        effective_at_check(store=store, at=at, ingredient_ids=[ingredient.pk], field="effective_at")
    movements_post(
        store=store,
        by=by,
        at=at,
        moves=[
            Move(
                ingredient_id=ingredient.pk,
                quantity=signed.quantize(Q3),
                kind=kind,
                unit_cost=cost,
                reason=reason,
            )
        ],
    )
    return StockMovement.objects.filter(ingredient=ingredient).order_by("-id").first()


@transaction.atomic
def stock_count_post(
    *,
    store: Store,
    lines: list[dict],
    by=None,
    note: str = "",
    counted_at: dt.datetime | None = None,
    back_dated: bool = False,
) -> StockCount:
    """Posts a count: for each line {"ingredient": Ingredient|id, "counted": number, "unit"?} the
    difference to the stored on-hand becomes a `count` movement and on-hand becomes the count.
    `back_dated`: `counted_at` is a past moment a client gave: checked by `effective_at_check`, and
    the difference is to what the ledger held at that moment, so what moved since (orders, receipts)
    stays moved: on-hand = the count + the movements after it."""
    if not lines:
        raise DomainError("lines", "empty", _("Count at least one ingredient."))
    ids = [
        line["ingredient"].pk if isinstance(line["ingredient"], Ingredient) else line["ingredient"]
        for line in lines
    ]
    known = {
        i.pk: i for i in Ingredient.objects.filter(store=store, pk__in=[i for i in ids if isinstance(i, int)])
    }
    errors, counted = [], {}
    for index, (line, ingredient_id) in enumerate(zip(lines, ids, strict=True)):
        path = f"lines[{index}]"
        ingredient = known.get(ingredient_id)
        if ingredient is None:
            errors.append(
                DomainError(
                    f"{path}.ingredient", "unknown_ingredient", _("No such ingredient in this store.")
                )
            )
            continue
        if ingredient_id in counted:
            errors.append(DomainError(f"{path}.ingredient", "repeated", _("Counted twice in one count.")))
            continue
        try:
            number = check_decimal(line.get("counted"), f"{path}.counted")
            counted[ingredient_id] = to_base(
                ingredient, number, line.get("unit") or ingredient.base_unit, field=f"{path}.unit"
            ).quantize(Q3)
        except DomainError as error:
            errors.append(error)
    if errors:
        raise DomainErrors(errors)
    if back_dated and counted_at is not None:
        effective_at_check(store=store, at=counted_at, ingredient_ids=list(counted), field="counted_at")
    else:
        back_dated = False
    counted_at = counted_at or timezone.now()
    count = StockCount.objects.create(
        store=store,
        counted_at=counted_at,
        note=note[:300],
        counted_by=acting_user(by),
    )
    # Lock first, then read the expected figures: nothing can move between the two.
    locked = {i.pk: i for i in Ingredient.objects.select_for_update().filter(pk__in=counted).order_by("pk")}
    if back_dated:
        expected = on_hand_at(ingredient_ids=list(counted), at=counted_at)
    else:
        expected = {i: locked[i].on_hand for i in counted}
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(
                count=count,
                ingredient_id=i,
                expected=expected[i],
                counted=c,
                variance=c - expected[i],
            )
            for i, c in counted.items()
        ]
    )
    movements_post(
        store=store,
        by=by,
        at=counted_at,
        set_to=counted,
        moves=[
            Move(
                ingredient_id=i,
                quantity=c - expected[i],
                kind=StockMovement.Kind.COUNT,
                stock_count=count,
                reason=note or _("Stock count"),
            )
            for i, c in counted.items()
        ],
    )
    return count


def ingredient_reorder_points_record(*, points: dict[Ingredient, Decimal]) -> None:
    """The reorder points the low-stock check just judged by, kept on the ingredients for the stock
    page's flags (one UPDATE of that column only: on hand, written by orders meanwhile, is untouched)."""
    for ingredient, point in points.items():
        ingredient.reorder_point = point
    Ingredient.objects.bulk_update(list(points), ["reorder_point"])
