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

from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from .. import selectors
from ..models import Insight
from . import costing

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


def period_data(store: Store, first: dt.date, last: dt.date, recipes: dict) -> tuple[dict, dict, dict]:
    """(items {i: {q, revenue}}, usage-weighted unit costs {j: u}, usage {j: U}) from aggregates."""
    from inventory.selectors import ingredient_costs

    items = {
        r["menu_item_id"]: {"q": r["quantity"], "revenue": r["revenue"], "name": r["name"]}
        for r in selectors.item_sales(store, first, last)
    }
    days = selectors.item_day_quantities(store, first, last)
    ingredient_ids = {j for uses in recipes.values() for j in uses}
    costs = ingredient_costs(
        ingredient_ids=ingredient_ids,
        dates=[first + dt.timedelta(days=n) for n in range((last - first).days + 1)],
    )
    spent: dict = defaultdict(lambda: ZERO)
    used: dict = defaultdict(lambda: ZERO)
    for row in days:
        for j, r in recipes.get(row["menu_item_id"], {}).items():
            cost = costs.get((j, row["day"]))
            if cost is None:
                continue
            used[j] += row["quantity"] * r
            spent[j] += row["quantity"] * r * cost
    u = {j: spent[j] / used[j] for j in used if used[j]}
    for j in ingredient_ids - set(u):  # not used in the period: the plain average of its daily costs
        known = [c for (jj, _d), c in costs.items() if jj == j and c is not None]
        if known:
            u[j] = sum(known, ZERO) / len(known)
    return items, u, dict(used)


def margin_report(store: Store, now: dt.datetime, p0=None, p1=None) -> dict | None:
    by_item = costing.recipes(store)
    if by_item is None:
        return None
    recipes = {i: dict(uses) for i, uses in by_item.items()}
    default0, default1 = periods(store, now)
    (first0, last0), (first1, last1) = p0 or default0, p1 or default1
    items0, u0, _used0 = period_data(store, first0, last0, recipes)
    items1, u1, used1 = period_data(store, first1, last1, recipes)
    parts = decompose(items0, items1, recipes, recipes, u0, u1)
    flat = {
        "volume": parts["volume"],
        "mix": parts["mix"],
        "price": parts["price"],
        "recipe": parts["recipe"],
        **{f"ingredient:{j}": v for j, v in parts["ingredients"].items()},
    }
    # The shown change is the difference of the shown totals, and the shown parts sum to it.
    change = to_cents(parts["gp1"]) - to_cents(parts["gp0"])
    return {
        "periods": {"previous": [first0, last0], "current": [first1, last1]},
        "gp0": to_cents(parts["gp0"]),
        "gp1": to_cents(parts["gp1"]),
        "change": to_cents(change),
        "exact": parts,
        "parts": round_parts(flat, change),
        "u0": u0,
        "u1": u1,
        "used1": used1,
        "items1": items1,
        "recipes": recipes,
        "days1": (last1 - first1).days + 1,
    }


def run_margin(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    from inventory.models import Ingredient, StockMovement, Supplier
    from inventory.selectors import supplier_list_prices

    from ..services import Finding, analysis_settings_get, insights_sync

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
        worst = min(ingredient_parts, key=lambda j: ingredient_parts[j])
        ingredient = Ingredient.objects.select_related("preferred_supplier").get(pk=worst)
        today = business_date(store, now)
        prices = supplier_list_prices(ingredient_ids=[worst], on=today)
        suppliers = {s.pk: s for s in Supplier.objects.filter(store=store, is_active=True)}
        u1 = report["u1"].get(worst, ZERO)
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
            "drop_pct": str((drop / report["gp0"] * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)),
            "lost": str(drop),
            "gp0": str(report["gp0"]),
            "gp1": str(report["gp1"]),
            "ingredient_effect": str(ingredient_parts[worst]),
            "parts": {k: str(v) for k, v in report["parts"].items()},
            "periods": {k: [d.isoformat() for d in v] for k, v in report["periods"].items()},
        }
        key = "margin_drop"
        if offers:
            price, supplier = min(offers, key=lambda o: (o[0], o[1].lead_time_days))
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
        # the menu price that restores the margin % of the item that uses the ingredient most
        users = [
            (report["items1"][i]["q"] * r, i)
            for i, uses in report["recipes"].items()
            for j, r in uses.items()
            if j == worst and i in report["items1"]
        ]
        if users:
            _usage, item = max(users)
            data = report["items1"][item]
            cost1 = sum((r * report["u1"].get(j, ZERO) for j, r in report["recipes"][item].items()), ZERO)
            cost0 = sum((r * report["u0"].get(j, ZERO) for j, r in report["recipes"][item].items()), ZERO)
            price1 = data["revenue"] / data["q"]
            margin0 = (price1 - cost0) / price1 if price1 else ZERO
            if margin0 < 1:
                numbers.update(
                    item=data["name"],
                    restoring_price=str((cost1 / (1 - margin0)).quantize(CENT, ROUND_HALF_UP)),
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
