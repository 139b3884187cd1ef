"""Listeners for every app's domain events: each records the event in the outbox (the work it owes
is declared by the tasks that follow its topic). Wired in ConnectionsConfig.ready()."""

from . import payloads, services


def on_order_placed(sender, order, **kwargs) -> None:
    services.outbox_record(
        topic="order.placed", store=order.store, subject=f"order:{order.pk}", payload=payloads.order(order)
    )


def connect() -> None:
    from orders import events as orders_events

    orders_events.order_placed.connect(on_order_placed, dispatch_uid="connections.order_placed")
