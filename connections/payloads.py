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
            }
            for line in lines
        ],
    }
