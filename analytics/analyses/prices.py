"""Price-change alert: every goods receipt whose price per base unit differs from the last receipt of the
same ingredient (from any supplier) by ≥ the store's threshold (default 5%) raises an alert at once
(≥ the high threshold, default 10%: high severity). A first receipt has only the supplier's list price to
go by: it can raise a warning, never a high alert (a list price is not what was paid)."""

from decimal import ROUND_HALF_UP, Decimal

from inventory.models import Ingredient, PurchaseOrder

from ..insights import Finding, insight_upsert
from ..jobs import job_run_record
from ..models import Insight
from ..selectors import analysis_settings_get


def price_changes(lines: list[dict], threshold: Decimal) -> list[dict]:
    out = []
    for line in lines:
        old, new = line.get("previous_unit_cost"), line.get("unit_cost")
        if old is None or new is None or old == 0:
            continue
        change = (Decimal(new) - Decimal(old)) / Decimal(old)
        if abs(change) >= threshold:
            out.append({**line, "change": change})
    return out


def check_receipt(*, store, purchase_order=None, lines=(), received_at=None, **kwargs) -> list[Insight]:
    conf = analysis_settings_get(store=store)
    changed = price_changes(list(lines), conf.price_change_threshold)
    if not changed:
        return []

    units = dict(
        Ingredient.objects.filter(pk__in=[line["ingredient_id"] for line in changed]).values_list(
            "pk", "base_unit"
        )
    )
    out = []
    with job_run_record(job="price_change", store=store) as run:
        for line in changed:
            pct = (line["change"] * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
            from_receipt = line.get("compared_with", "receipt") == "receipt"
            supplier = purchase_order.supplier.name if purchase_order is not None else ""
            out.append(
                insight_upsert(
                    store=store,
                    job_run=run,
                    finding=Finding(
                        kind=Insight.Kind.PRICE_CHANGE,
                        subject=f"ingredient:{line['ingredient_id']}",
                        message_key="price_change" if from_receipt else "price_change_list",
                        severity=Insight.Severity.HIGH
                        if from_receipt and abs(line["change"]) >= conf.price_change_high
                        else Insight.Severity.WARNING,
                        numbers={
                            "ingredient": line.get("ingredient_name", ""),
                            "supplier": supplier,
                            "unit": line.get("unit") or units.get(line["ingredient_id"], ""),
                            "old_price": str(line["previous_unit_cost"]),
                            "new_price": str(line["unit_cost"]),
                            "change_pct": f"{pct:+}",
                            "purchase_order_id": purchase_order.pk if purchase_order is not None else None,
                        },
                        metric="ingredient_cost",
                        window_days=30,
                    ),
                )
            )
        run.result = {"alerts": len(out)}
    return out


def check_receipts(*, store, receipts: list[dict]) -> list[Insight]:
    """The goods receipts announced since the last check, as the outbox hands them over (the event
    payloads: a store's first receipt at once, later ones within its window together, none missed),
    each line judged as `check_receipt` judges it; a later receipt of an ingredient updates its alert."""
    out = []
    for receipt in receipts:
        purchase_order = (
            PurchaseOrder.objects.filter(store=store, pk=receipt.get("purchase_order_id"))
            .select_related("supplier")
            .first()
        )
        lines = [
            {
                "ingredient_id": line["ingredient_id"],
                "ingredient_name": line.get("name", ""),
                "quantity": Decimal(line["quantity"]),
                "unit_cost": Decimal(line["unit_cost"]),
                "previous_unit_cost": None
                if line.get("previous_unit_cost") is None
                else Decimal(line["previous_unit_cost"]),
                "compared_with": line.get("compared_with", "receipt"),
            }
            for line in receipt.get("lines", [])
        ]
        out += check_receipt(store=store, purchase_order=purchase_order, lines=lines)
    return out
