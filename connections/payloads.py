"""The JSON each event carries in the outbox (and, later, in webhooks): plain ids, strings and
decimal strings, so it stays readable after the rows it describes have changed."""


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
