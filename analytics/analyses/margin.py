"""Margin drop decomposition and supplier advice (PRODUCT.md). Per period (0 before, 1 now): per item i
quantity qᵢ, average net price pᵢ; per ingredient j average unit cost uⱼ (weighted by usage in that
period); recipe quantity rᵢⱼ; cᵢ = Σⱼ rᵢⱼuⱼ; gᵢ = pᵢ − cᵢ; Q = Σq; GP = Σ q·g.

    volume = (Q₁ − Q₀)·GP₀/Q₀          mix = Σ q₁g₀ − Q₁·GP₀/Q₀        price = Σ q₁(p₁ − p₀)
    ingredient j = −U₁ⱼ(u₁ⱼ − u₀ⱼ), U₁ⱼ = Σᵢ q₁ᵢr₁ᵢⱼ     recipe = −Σᵢ q₁ᵢ Σⱼ (r₁ᵢⱼ − r₀ᵢⱼ)u₀ⱼ

An item new in period 1 takes p₀ = p₁ and c₀ = c₁: its whole effect is volume and mix, so the
ingredient and recipe terms sum over the items sold in both periods (that is what keeps the parts
summing exactly to GP₁ − GP₀). With Q₀ = 0 the whole change is volume. Every part is computed from its
own formula on exact rationals (Fraction, built from the Decimal inputs without loss: pᵢ = revenue/qᵢ
and GP₀/Q₀ are divisions that Decimal could only approximate, and then the parts would miss
GP₁ − GP₀ in the 28th digit); the displayed parts are Decimal cents, rounded by largest remainder so that
they sum to the displayed total."""

import calendar
import datetime as dt
import math
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from inventory.models import Ingredient, StockMovement, Supplier
from inventory.selectors import supplier_list_prices
from orders.models import MenuItem
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from ..insights import Finding, insights_sync
from ..models import Insight
from ..selectors import analysis_settings_get
from . import costing, ranking

ZERO = Decimal("0")
CENT = Decimal("0.01")


def decompose(items0: dict, items1: dict, recipes0: dict, recipes1: dict, u0: dict, u1: dict) -> dict:
    """items: {i: {"q": quantity, "revenue": Decimal}}; recipes: {i: {j: rᵢⱼ}}; u: {j: uⱼ}.
    Returns exact parts (Fractions): volume, mix, price, recipe, ingredients {j: effect}, gp0, gp1."""
    F = Fraction
    u0 = {j: F(v) for j, v in u0.items()}
    u1 = {j: F(v) for j, v in u1.items()}

    def unit_cost(recipes, u, i):
        return sum((F(r) * u.get(j, F(0)) for j, r in recipes.get(i, {}).items()), F(0))

    q0 = {i: d["q"] for i, d in items0.items() if d["q"]}
    q1 = {i: d["q"] for i, d in items1.items() if d["q"]}
    p0 = {i: F(items0[i]["revenue"]) / q0[i] for i in q0}
    p1 = {i: F(items1[i]["revenue"]) / q1[i] for i in q1}
    g0 = {i: p0[i] - unit_cost(recipes0, u0, i) for i in q0}
    g1 = {i: p1[i] - unit_cost(recipes1, u1, i) for i in q1}
    gp0 = sum((q0[i] * g0[i] for i in q0), F(0))
    gp1 = sum((q1[i] * g1[i] for i in q1), F(0))
    Q0, Q1 = sum(q0.values()), sum(q1.values())
    ingredients = {j: F(0) for j in set(u0) | set(u1)}
    if Q0 == 0:
        return {
            "gp0": gp0,
            "gp1": gp1,
            "volume": gp1 - gp0,
            "mix": F(0),
            "price": F(0),
            "recipe": F(0),
            "ingredients": ingredients,
        }
    average = gp0 / Q0
    volume = (Q1 - Q0) * average
    # a new item takes p₀ = p₁ and c₀ = c₁, so g₀ = g₁
    mix = sum((q1[i] * g0.get(i, g1[i]) for i in q1), F(0)) - Q1 * average
    both = [i for i in q1 if i in q0]
    price = sum((q1[i] * (p1[i] - p0[i]) for i in both), F(0))
    usage1: dict = defaultdict(lambda: F(0))
    for i in both:
        for j, r in recipes1.get(i, {}).items():
            usage1[j] += q1[i] * F(r)
    for j, used in usage1.items():
        ingredients[j] = -used * (u1.get(j, F(0)) - u0.get(j, F(0)))
    recipe = -sum(
        (
            q1[i]
            * sum(
                (
                    (F(recipes1.get(i, {}).get(j, 0)) - F(recipes0.get(i, {}).get(j, 0))) * u0.get(j, F(0))
                    for j in set(recipes1.get(i, {})) | set(recipes0.get(i, {}))
                ),
                F(0),
            )
            for i in both
        ),
        F(0),
    )
    return {
        "gp0": gp0,
        "gp1": gp1,
        "volume": volume,
        "mix": mix,
        "price": price,
        "recipe": recipe,
        "ingredients": ingredients,
    }


def to_cents(value) -> Decimal:
    """Half-up to the cent, from a Fraction or Decimal."""
    return (Decimal(math.floor(Fraction(value) * 100 + Fraction(1, 2))) / 100).quantize(CENT)


def round_parts(parts: dict, total) -> dict[str, Decimal]:
    """Each part to the cent by largest remainder, so the rounded parts sum to the rounded total."""
    target = to_cents(total)
    floors = {k: math.floor(Fraction(v) * 100) for k, v in parts.items()}
    left = int(target * 100) - sum(floors.values())
    order = sorted(parts, key=lambda k: (-(Fraction(parts[k]) * 100 - floors[k]), k))
    for k in order[: max(left, 0)]:
        floors[k] += 1
    # A target below the floors' sum (the shown totals were rounded apart): take the cents back.
    for k in order[::-1][: max(-left, 0)]:
        floors[k] -= 1
    return {k: (Decimal(v) / 100).quantize(CENT) for k, v in floors.items()}


def periods(store: Store, now: dt.datetime) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """Month to date (up to yesterday) vs the same days of the previous month; on the 1st, the month
    that just closed vs the one before."""
    today = business_date(store, now)
    if today.day == 1:
        last1 = today - dt.timedelta(days=1)
        first1 = last1.replace(day=1)
        last0 = first1 - dt.timedelta(days=1)
        return (last0.replace(day=1), last0), (first1, last1)
    first1, last1 = today.replace(day=1), today - dt.timedelta(days=1)
    prev_last = first1 - dt.timedelta(days=1)
    first0 = prev_last.replace(day=1)
    last0 = first0.replace(day=min(last1.day, calendar.monthrange(first0.year, first0.month)[1]))
    return (first0, last0), (first1, last1)


def period_data(store: Store, first: dt.date, last: dt.date, book: costing.Recipes) -> dict:
    """One period's inputs, from `costing` (modifiers and each day's recipe included), over the sales
    whose food cost is known: items {i: {q, revenue}}, recipes {i: {j: rᵢⱼ}} = base quantity used per
    portion sold (exact, a Fraction), usage-weighted unit costs {j: uⱼ} (exact), usage {j: Uⱼ}, and the
    share of revenue with a known cost. An ingredient in some recipe but unused in the period takes the
    plain average of its daily costs (the recipe effect prices a change at period 0's cost)."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    costs = costing.ingredient_costs(book.ingredient_ids(), days)
    rows = costing.costed_sales(store, first, last, book=book, costs=costs)
    known = [r for r in rows if r["food_cost"] is not None]
    used: dict = defaultdict(lambda: ZERO)
    # Usage summed per ingredient and unit cost first (exact in Decimal, as `used` is), then priced: one
    # exact product per cost an ingredient had in the period, not one per item, day and ingredient.
    at_cost: dict = defaultdict(lambda: ZERO)
    for row in known:
        day = row["day"]
        for j, quantity in row["uses"].items():
            used[j] += quantity
            at_cost[(j, costs[(j, day)])] += quantity
    spent: dict = defaultdict(Fraction)
    for (j, cost), quantity in at_cost.items():
        spent[j] += Fraction(quantity) * Fraction(cost)
    totals = costing.totals(known)
    items = {
        item_id: {"q": cell["quantity"], "revenue": cell["revenue"]}
        for (item_id,), cell in totals.items()
        if cell["quantity"]
    }
    recipes = {
        item_id: {j: Fraction(q) / items[item_id]["q"] for j, q in cell["uses"].items()}
        for (item_id,), cell in totals.items()
        if item_id in items
    }
    u = {j: spent[j] / Fraction(used[j]) for j in used if used[j]}
    daily: dict = defaultdict(list)  # an unused ingredient's known daily costs
    for (j, _day), cost in costs.items():
        if cost is not None and j not in u:
            daily[j].append(Fraction(cost))
    for j in book.ingredient_ids() - set(u):
        if daily[j]:
            u[j] = sum(daily[j], Fraction(0)) / len(daily[j])
    return {
        "items": items,
        "recipes": recipes,
        "u": u,
        "used": dict(used),
        "known_share": costing.known_share(rows),
    }


def previous_period(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before first..last (what a bare start/end compares with)."""
    length = (last - first).days + 1
    return first - dt.timedelta(days=length), first - dt.timedelta(days=1)


PART_NAMES = {
    "volume": _("sales volume"),
    "mix": _("mix"),
    "price": _("menu price"),
    "recipe": _("recipe changes"),
}


def margin_report(store: Store, now: dt.datetime, p0=None, p1=None) -> dict | None:
    """Gross profit of two periods and its parts (PRODUCT.md). Default periods: `periods()`; given only
    the current one, the previous is the same length just before it. Each part has a name a person
    reads: volume, mix, menu price, recipe changes, and each ingredient by its name."""

    book = costing.recipes(store)
    if book is None:
        return None
    default0, default1 = periods(store, now)
    first1, last1 = p1 or default1
    first0, last0 = p0 or (previous_period(first1, last1) if p1 else default0)
    data0 = period_data(store, first0, last0, book)
    data1 = period_data(store, first1, last1, book)
    parts = decompose(
        data0["items"], data1["items"], data0["recipes"], data1["recipes"], data0["u"], data1["u"]
    )
    flat = {
        "volume": parts["volume"],
        "mix": parts["mix"],
        "price": parts["price"],
        "recipe": parts["recipe"],
        **{f"ingredient:{j}": v for j, v in parts["ingredients"].items()},
    }
    ingredient_names = dict(Ingredient.objects.filter(pk__in=parts["ingredients"]).values_list("pk", "name"))
    # The shown change is the difference of the shown totals, and the shown parts sum to it.
    change = to_cents(parts["gp1"]) - to_cents(parts["gp0"])
    return {
        "periods": {"previous": [first0, last0], "current": [first1, last1]},
        "gp0": to_cents(parts["gp0"]),
        "gp1": to_cents(parts["gp1"]),
        "change": to_cents(change),
        "change_pct": _pct(change, to_cents(parts["gp0"])),
        "known_share": {"previous": data0["known_share"], "current": data1["known_share"]},
        "exact": parts,
        "parts": round_parts(flat, change),
        "part_names": {
            **{k: str(v) for k, v in PART_NAMES.items()},
            **{f"ingredient:{j}": ingredient_names.get(j, "") for j in parts["ingredients"]},
        },
        "u0": data0["u"],
        "u1": data1["u"],
        "used1": data1["used"],
        "items0": data0["items"],
        "items1": data1["items"],
        "recipes0": data0["recipes"],
        "recipes1": data1["recipes"],
        "days1": (last1 - first1).days + 1,
    }


def restoring_price(report: dict, item_id: int) -> Decimal | None:
    """The net price (without tax) at which the item's period-1 plate cost leaves its period-0 margin %.
    An item new in period 1 takes period 1's own margin (it has no other)."""
    q1 = report["items1"][item_id]
    price1 = Fraction(q1["revenue"]) / q1["q"]
    cost1 = sum((r * report["u1"].get(j, 0) for j, r in report["recipes1"][item_id].items()), Fraction(0))
    items0 = report["items0"].get(item_id)
    if items0 is None:
        price0, cost0 = price1, cost1
    else:
        price0 = Fraction(items0["revenue"]) / items0["q"]
        cost0 = sum((r * report["u0"].get(j, 0) for j, r in report["recipes0"][item_id].items()), Fraction(0))
    if not price0:
        return None
    margin0 = (price0 - cost0) / price0
    return _decimal(cost1 / (1 - margin0)) if margin0 < 1 else None


def _pct(change: Decimal, base: Decimal) -> Decimal | None:
    """The change as % of the previous gross profit, one decimal (None when there was none)."""
    return (change / base * 100).quantize(Decimal("0.1"), ROUND_HALF_UP) if base > 0 else None


def _decimal(value) -> Decimal:
    value = Fraction(value)
    return Decimal(value.numerator) / Decimal(value.denominator)


def run_margin(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    report = margin_report(store, now)
    if report is None or report["gp0"] <= 0:
        insights_sync(store=store, kind=Insight.Kind.MARGIN_DROP, findings=[], job_run=job_run)
        return {"skipped": True}
    conf = analysis_settings_get(store=store)
    drop = report["gp0"] - report["gp1"]
    ingredient_parts = {
        int(k.split(":")[1]): v for k, v in report["parts"].items() if k.startswith("ingredient:")
    }
    ingredient_loss = -sum((v for v in ingredient_parts.values() if v < 0), ZERO)
    findings = []
    if drop > 0 and drop / report["gp0"] > conf.margin_drop_threshold and ingredient_loss * 2 >= drop:
        # the most negative part; ties by name, then id (analyses.ranking)
        names = report["part_names"]
        worst = min(ingredient_parts, key=lambda j: (ingredient_parts[j], names[f"ingredient:{j}"], j))
        ingredient = Ingredient.objects.select_related("preferred_supplier").get(pk=worst)
        today = business_date(store, now)
        prices = supplier_list_prices(ingredient_ids=[worst], on=today)
        suppliers = {s.pk: s for s in Supplier.objects.filter(store=store, is_active=True)}
        u1 = _decimal(report["u1"].get(worst, 0))
        current = ingredient.preferred_supplier_id
        offers = [
            (price, suppliers[sid])
            for (sid, j), price in prices.items()
            if sid in suppliers
            and sid != current
            and suppliers[sid].lead_time_days <= ingredient.review_period_days
        ]
        monthly_usage = report["used1"].get(worst, ZERO) / report["days1"] * 30
        numbers = {
            "ingredient": ingredient.name,
            "ingredient_id": worst,
            "drop_pct": str(-report["change_pct"]),
            "lost": str(drop),
            "gp0": str(report["gp0"]),
            "gp1": str(report["gp1"]),
            "ingredient_effect": str(ingredient_parts[worst]),
            "parts": {k: str(v) for k, v in report["parts"].items()},
            "periods": {k: [d.isoformat() for d in v] for k, v in report["periods"].items()},
            # which periods (PRODUCT.md): month to date vs the same days of last month, or closed months
            **{k: "{} – {}".format(*(d.isoformat() for d in v)) for k, v in report["periods"].items()},
        }
        key = "margin_drop"
        if offers:
            price, supplier = min(offers, key=lambda o: (o[0], o[1].lead_time_days, o[1].name, o[1].pk))
            if u1 and (u1 - price) / u1 > conf.switch_threshold:
                key = "margin_drop_switch"
                numbers.update(
                    supplier=supplier.name,
                    supplier_id=supplier.pk,
                    supplier_price=str(price),
                    current_cost=str(u1.quantize(Decimal("0.0001"), ROUND_HALF_UP)),
                    monthly_saving=str((monthly_usage * (u1 - price)).quantize(CENT, ROUND_HALF_UP)),
                )
        if key == "margin_drop":
            history = list(
                StockMovement.objects.filter(
                    ingredient_id=worst,
                    kind=StockMovement.Kind.RECEIPT,
                    unit_cost__isnull=False,
                    business_date__gte=today - dt.timedelta(days=90),
                ).values_list("unit_cost", flat=True)
            )
            median = statistics.median(history) if history else None
            if median and u1 and (u1 - median) / median > conf.negotiate_threshold:
                key = "margin_drop_negotiate"
                numbers.update(
                    supplier=ingredient.preferred_supplier.name if ingredient.preferred_supplier else "",
                    median_cost=str(median),
                )
        # the menu price that restores the margin % of the item that uses the ingredient most: its
        # period-1 cost over period 0's margin, with tax added back where menu prices include it
        menu = MenuItem.objects.select_related("tax_category").in_bulk(
            [i for i, uses in report["recipes1"].items() if worst in uses]
        )
        users = ranking.ranked(
            [
                {"menu_item_id": i, "name": menu[i].name, "usage": report["items1"][i]["q"] * uses[worst]}
                for i, uses in report["recipes1"].items()
                if i in menu
            ],
            lambda r: r["usage"],
        )
        if users:
            menu_item = menu[users[0]["menu_item_id"]]
            restoring = restoring_price(report, menu_item.pk)
            if restoring is not None:
                if store.prices_include_tax:
                    restoring *= 1 + menu_item.tax_rate
                numbers.update(
                    item=menu_item.name, restoring_price=str(restoring.quantize(CENT, ROUND_HALF_UP))
                )
        numbers.setdefault("restoring_price", "")
        numbers.setdefault("supplier", "")
        numbers.setdefault("monthly_saving", "")
        findings.append(
            Finding(
                kind=Insight.Kind.MARGIN_DROP,
                subject="store",
                message_key=key,
                numbers=numbers,
                severity=Insight.Severity.HIGH,
                metric="margin_pct",
                window_days=30,
            )
        )
    insights_sync(store=store, kind=Insight.Kind.MARGIN_DROP, findings=findings, job_run=job_run)
    return {"gp0": report["gp0"], "gp1": report["gp1"], "parts": report["parts"], "insight": bool(findings)}
