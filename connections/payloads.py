"""The JSON each event carries in the outbox (and, later, in webhooks): plain ids, strings and
decimal strings, so it stays readable after the rows it describes have changed."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def order(order) -> dict:
    return {
        "order_id": order.pk,
        "external_id": order.external_id,
        "channel": order.channel,
        "status": order.status,
        "table": order.table.name if order.table_id else None,
        "currency": order.currency,
        "total": str(order.total),
        "placed_at": order.placed_at.isoformat(),
        "lines": [
            {"item_id": line.menu_item_id, "name": line.name, "quantity": line.quantity}
            for line in order.lines.all()
        ],
    }


def menu_item(item, by_hand: bool = False) -> dict:
    """by_hand: the 86 button (or taking it back) flipped it, not a stock movement."""
    return {"item_id": item.pk, "name": item.name, "by_hand": by_hand}


def goods_received(purchase_order, received_at, lines) -> dict:
    return {
        "purchase_order_id": purchase_order.pk,
        "supplier": purchase_order.supplier.name,
        "received_at": received_at.isoformat(),
        "lines": [
            {
                "ingredient_id": line["ingredient_id"],
                "name": line["ingredient_name"],
                "quantity": str(line["quantity"]),
                "unit_cost": str(line["unit_cost"]),
                # what the cost was compared with: the last receipt from any supplier, or a list price
                "previous_unit_cost": None
                if line.get("previous_unit_cost") is None
                else str(line["previous_unit_cost"]),
                "compared_with": line.get("compared_with", "receipt"),
            }
            for line in lines
        ],
    }


def check(guest_check) -> dict:
    return {
        "check_id": guest_check.pk,
        "table": guest_check.table.name if guest_check.table_id else None,
        "total": str(guest_check.total),
        "paid_total": str(guest_check.paid_total),
        "tip_total": str(guest_check.tip_total),
        "closed_at": guest_check.closed_at.isoformat() if guest_check.closed_at else None,
    }


def refund(payment) -> dict:
    return {
        "payment_id": payment.pk,
        "check_id": payment.guest_check_id,
        "amount": str(payment.amount),
        "method": payment.method,
        "created_at": payment.created_at.isoformat(),
    }


def purchase_order(po) -> dict:
    return {
        "purchase_order_id": po.pk,
        "supplier": po.supplier.name,
        "sent_at": po.sent_at.isoformat() if po.sent_at else None,
        "lines": [
            {"ingredient_id": line.ingredient_id, "quantity": str(line.quantity)} for line in po.lines.all()
        ],
    }


def insight_url(insight) -> str:
    """The absolute link that opens the insight (PUBLIC_BASE_URL: where people reach the pages)."""
    path = reverse("dashboard:insight", kwargs={"store_slug": insight.store.slug, "insight_id": insight.pk})
    return settings.PUBLIC_BASE_URL + path


def insight(insight) -> dict:
    with translation.override(None):  # the text as written in the code: English, whoever triggered it
        title, message = str(insight.title), str(insight.message)
    translations = {}
    for code, _name in settings.LANGUAGES:  # so each reader (a person, a POS) can show their own
        with translation.override(code):
            translations[code] = {"title": str(insight.title), "message": str(insight.message)}
    return {
        "insight_id": insight.pk,
        "kind": insight.kind,
        "severity": insight.severity,
        "state": insight.state,
        "subject": insight.subject,
        "message_key": insight.message_key,
        "numbers": insight.numbers,
        "title": title,
        "message": message,
        "translations": translations,
        "action": insight.action_type or None,
        "action_detail": insight.action_detail or None,
        "verdict": insight.verdict or None,
        "metric_before": None if insight.metric_before is None else str(insight.metric_before),
        "metric_after": None if insight.metric_after is None else str(insight.metric_after),
        "url": insight_url(insight),
    }


def stock_low(insight) -> dict:
    """An ingredient at or below its reorder point (the low-stock check's insight, as stock facts)."""
    numbers = insight.numbers or {}
    _kind, _sep, ingredient_id = insight.subject.partition(":")
    return {
        "ingredient_id": int(ingredient_id) if ingredient_id.isdigit() else None,
        "ingredient": numbers.get("ingredient"),
        "unit": numbers.get("unit"),
        "on_hand": numbers.get("on_hand"),
        "on_order": numbers.get("on_order"),
        "reorder_point": numbers.get("reorder_point"),
        "days_left": numbers.get("days_left"),
        "purchase_order_id": numbers.get("purchase_order_id"),
        "severity": insight.severity,
        "insight_id": insight.pk,
        "url": insight_url(insight),
    }


def feedback(feedback) -> dict:
    """A guest's rating or a complaint: no guest's name, phone or e-mail leaves the store here."""
    return {
        "feedback_id": feedback.pk,
        "check_id": feedback.guest_check_id,
        "rating": feedback.rating,
        "tags": feedback.tags,
        "item_id": feedback.menu_item_id,
        "comment": feedback.text,
        "source": feedback.source,
        "is_complaint": feedback.is_complaint,
        "occurred_at": feedback.occurred_at.isoformat(),
    }
