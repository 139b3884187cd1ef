"""Listeners for every app's domain events: each records the event in the outbox, in the announcing
service's transaction (the tasks that follow its topic and the webhook endpoints subscribed to it
are what it owes). Wired in ConnectionsConfig.ready(); connections imports only `events` modules."""

from . import payloads, services


def on_order_placed(sender, order, **kwargs) -> None:
    services.outbox_record(
        topic="order.placed", store=order.store, subject=f"order:{order.pk}", payload=payloads.order(order)
    )


def on_order_cancelled(sender, order, **kwargs) -> None:
    services.outbox_record(
        topic="order.cancelled", store=order.store, subject=f"order:{order.pk}", payload=payloads.order(order)
    )


def on_order_status_changed(sender, order, **kwargs) -> None:
    if order.status == "ready":
        services.outbox_record(
            topic="order.ready", store=order.store, subject=f"order:{order.pk}", payload=payloads.order(order)
        )


def on_goods_received(sender, store, purchase_order, received_at, lines, **kwargs) -> None:
    services.outbox_record(
        topic="purchase_order.received",
        store=store,
        subject=f"purchase_order:{purchase_order.pk}",
        payload=payloads.goods_received(purchase_order, received_at, lines),
    )


def connect() -> None:
    from inventory import events as inventory_events
    from orders import events as orders_events

    orders_events.order_placed.connect(on_order_placed, dispatch_uid="connections.order_placed")
    orders_events.order_cancelled.connect(on_order_cancelled, dispatch_uid="connections.order_cancelled")
    orders_events.order_status_changed.connect(
        on_order_status_changed, dispatch_uid="connections.order_status"
    )
    inventory_events.goods_received.connect(on_goods_received, dispatch_uid="connections.goods_received")
