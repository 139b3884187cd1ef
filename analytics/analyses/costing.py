"""Food cost from inventory, the one place every analysis, chart and table gets it from (PRODUCT.md:
gross profit = revenue − food cost, from recipes at each ingredient's cost on the day).

A portion's plate cost = the recipe of its item *plus the recipes of the modifiers chosen on it* ("extra
cheese" takes cheese out of stock and costs money), each recipe the one in force on the line's business
day (inventory keeps recipe history: editing a recipe never rewrites past gross profit), at each
ingredient's cost that day (the price of its last goods receipt on or before it; before any receipt, the
preferred supplier's list price then in force).

Unknown stays unknown: an item without a recipe on the day, or an ingredient in it without any cost,
makes the food cost `None` — never 0, which would show a 100% margin. A modifier without a recipe costs
nothing (spice level, "no onion")."""

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal

from inventory import selectors as inventory_selectors
from restaurant_ops.models import Store

from .. import selectors

ZERO = Decimal("0")


class Recipes:
    """Recipes in force per day for a store's items and modifiers (`inventory.selectors.recipe_versions`)."""

    def __init__(self, versions: dict[tuple[str, int], list[tuple[dt.date | None, dict[int, Decimal]]]]):
        self._versions = versions
        self._starts = {
            owner: [start or dt.date.min for start, _r in found] for owner, found in versions.items()
        }

    def _at(self, owner: tuple[str, int], day: dt.date) -> dict[int, Decimal] | None:
        starts = self._starts.get(owner)
        index = bisect_right(starts, day) - 1 if starts else -1
        return self._versions[owner][index][1] if index >= 0 else None

    def item(self, item_id: int, day: dt.date) -> dict[int, Decimal] | None:
        """{ingredient: base quantity per portion} of the item on `day`; None when it had no recipe."""
        recipe = self._at(("item", item_id), day)
        return recipe or None  # a recipe emptied line by line is no recipe

    def modifier(self, modifier_id: int, day: dt.date) -> dict[int, Decimal]:
        return self._at(("modifier", modifier_id), day) or {}

    def ingredient_ids(self) -> set[int]:
        return {j for found in self._versions.values() for _start, recipe in found for j in recipe}

    def item_ids(self) -> set[int]:
        return {owner_id for kind, owner_id in self._versions if kind == "item"}


def recipes(store: Store) -> Recipes:
    return Recipes(inventory_selectors.recipe_versions(store=store))


def ingredient_costs(ingredient_ids, days) -> dict[tuple[int, dt.date], Decimal | None]:
    return inventory_selectors.ingredient_costs(ingredient_ids=ingredient_ids, dates=days)


def cost_of(uses: dict[int, Decimal] | None, costs: dict, day: dt.date) -> Decimal | None:
    """Σ base quantity × the ingredient's cost on `day`; None when the recipe or a cost is unknown."""
    if uses is None:
        return None
    total = ZERO
    for ingredient_id, quantity in uses.items():
        unit_cost = costs.get((ingredient_id, day))
        if unit_cost is None:
            return None
        total += quantity * unit_cost
    return total


def costed_sales(
    store: Store,
    first: dt.date,
    last: dt.date,
    *,
    until: dt.datetime | None = None,
    by_daypart: bool = False,
    book: Recipes | None = None,
    costs: dict | None = None,
) -> list[dict]:
    """Counted sales over business days first..last (orders placed before `until`, when given), per
    (menu_item_id, day[, daypart]): quantity, revenue, `uses` and `food_cost` (see `with_uses`). The sales
    from the rollups (`selectors.item_day_sales`: two aggregate queries, four more for the hour `until`
    falls in), plus the recipes and ingredient costs unless given (`recipes`, `ingredient_costs`)."""
    book = book or recipes(store)
    rows = with_uses(book, *selectors.item_day_sales(store, first, last, until=until, by_daypart=by_daypart))
    if costs is None:
        costs = ingredient_costs({j for row in rows for j in row["uses"] or ()}, {row["day"] for row in rows})
    for row in rows:
        row["food_cost"] = cost_of(row["uses"], costs, row["day"])
    return rows


def with_uses(book: Recipes, items: list[dict], modifiers: list[dict]) -> list[dict]:
    """The item rows of `selectors.item_day_sales`, each given (in place) `uses` = {ingredient: base
    quantity these portions and their chosen modifiers took, by the recipes in force that day} (None
    without a recipe)."""

    def key(row: dict) -> tuple:
        return row["menu_item_id"], row["day"], row.get("daypart")

    rows = {}
    for row in items:
        recipe = book.item(row["menu_item_id"], row["day"])
        quantity = row["quantity"]
        if not quantity:
            row["uses"] = {}  # a refund on a day the item did not sell: money back, no food
        else:
            row["uses"] = None if recipe is None else {j: q * quantity for j, q in recipe.items()}
        if modifiers:
            rows[key(row)] = row
    for chosen in modifiers:
        row = rows.get(key(chosen))
        if row is None or row["uses"] is None:
            continue
        for j, q in book.modifier(chosen["modifier_id"], chosen["day"]).items():
            row["uses"][j] = row["uses"].get(j, ZERO) + q * chosen["quantity"]
    return items


def totals(rows: list[dict], keys: tuple[str, ...] = ("menu_item_id",)) -> dict[tuple, dict]:
    """Costed rows summed per `keys`: quantity, revenue, food_cost (None when any part is unknown) and
    `uses`. An item whose cost is unknown on one day of the window has an unknown cost for the window:
    a partial cost would overstate its profit."""
    out: dict[tuple, dict] = {}
    one = keys[0] if len(keys) == 1 else None
    for row in rows:
        found = (row.get(one),) if one else tuple([row.get(k) for k in keys])
        cell = out.get(found)
        if cell is None:
            cell = out[found] = {
                "quantity": 0,
                "revenue": ZERO,
                "food_cost": ZERO,
                "uses": defaultdict(lambda: ZERO),
            }
        cell["quantity"] += row["quantity"]
        cell["revenue"] += row["revenue"]
        if cell["food_cost"] is not None and row["food_cost"] is not None:
            cell["food_cost"] += row["food_cost"]
        else:
            cell["food_cost"] = None
        if row["uses"]:
            uses = cell["uses"]
            for j, q in row["uses"].items():
                uses[j] += q
    return out


def known_share(rows: list[dict]) -> Decimal | None:
    """Share of revenue whose food cost is known (0..1, four decimals); None without revenue."""
    revenue = sum((r["revenue"] for r in rows), ZERO)
    if not revenue:
        return None
    known = sum((r["revenue"] for r in rows if r["food_cost"] is not None), ZERO)
    return (known / revenue).quantize(Decimal("0.0001"))


def portion_uses(
    book: Recipes, items: list[dict], modifiers: list[dict], on: dt.date
) -> dict[int, dict[int, Decimal]]:
    """Per menu item, what one portion sold on `on` takes out of stock: the item's recipe in force on
    `on` plus each modifier's recipe × the share of the item's portions in `items`/`modifiers` (rows of
    `selectors.item_day_sales`) that chose it. What the stock forecast multiplies the item forecast by,
    so an ingredient used only by modifiers is forecast, and reordered, too."""
    sold: dict[int, int] = defaultdict(int)
    for row in items:
        sold[row["menu_item_id"]] += row["quantity"]
    chosen: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in modifiers:
        chosen[row["menu_item_id"]][row["modifier_id"]] += row["quantity"]
    out: dict[int, dict[int, Decimal]] = {}
    for item_id in book.item_ids() | set(sold):
        uses = dict(book.item(item_id, on) or {})
        for modifier_id, portions in chosen.get(item_id, {}).items():
            for j, q in book.modifier(modifier_id, on).items():
                uses[j] = uses.get(j, ZERO) + q * portions / sold[item_id]
        if uses:
            out[item_id] = uses
    return out
