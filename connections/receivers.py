"""Listeners for every app's domain events: each records the event in the outbox, in the announcing
service's transaction (the tasks that follow its topic and the webhook endpoints subscribed to it
are what it owes). Wired in ConnectionsConfig.ready(); connections imports only `events` modules."""

from analytics import events as analytics_events
from customers import events as customers_events
from inventory import events as inventory_events
from orders import events as orders_events
from staffing import events as staffing_events

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


def on_availability_changed(sender, store, sold_out, back, **kwargs) -> None:
    for topic, items in (("item.sold_out", sold_out), ("item.back", back)):
        for item in items:
            services.outbox_record(
                topic=topic, store=store, subject=f"item:{item.pk}", payload=payloads.menu_item(item)
            )


def on_check_closed(sender, guest_check, **kwargs) -> None:
    services.outbox_record(
        topic="check.closed",
        store=guest_check.store,
        subject=f"check:{guest_check.pk}",
        payload=payloads.check(guest_check),
    )


def on_payment_refunded(sender, refund, **kwargs) -> None:
    services.outbox_record(
        topic="payment.refunded",
        store=refund.guest_check.store,
        subject=f"check:{refund.guest_check_id}",
        payload=payloads.refund(refund),
    )


def on_purchase_order_sent(sender, purchase_order, **kwargs) -> None:
    services.outbox_record(
        topic="purchase_order.sent",
        store=purchase_order.store,
        subject=f"purchase_order:{purchase_order.pk}",
        payload=payloads.purchase_order(purchase_order),
    )


def on_week_published(sender, week, **kwargs) -> None:
    services.outbox_record(
        topic="shift.published",
        store=week.store,
        subject=f"week:{week.week_start.isoformat()}",
        payload={"week_start": week.week_start.isoformat(), "published_at": week.published_at.isoformat()},
    )


def on_menu_item_sold_out_by_hand(sender, item, sold_out, **kwargs) -> None:
    services.outbox_record(
        topic="item.sold_out" if sold_out else "item.back",
        store=item.store,
        subject=f"item:{item.pk}",
        payload=payloads.menu_item(item, by_hand=True),
    )


def _announce_insight(insight, topic: str) -> None:
    services.outbox_record(
        topic=topic, store=insight.store, subject=f"insight:{insight.pk}", payload=payloads.insight(insight)
    )


def on_insight_opened(sender, insight, **kwargs) -> None:
    _announce_insight(insight, "insight.opened")
    if insight.kind == "low_stock":  # the low-stock check's finding is also a stock fact outside
        services.outbox_record(
            topic="stock.low",
            store=insight.store,
            subject=insight.subject,
            payload=payloads.stock_low(insight),
        )


def on_insight_acted(sender, insight, **kwargs) -> None:
    _announce_insight(insight, "insight.acted")


def on_insight_evaluated(sender, insight, **kwargs) -> None:
    _announce_insight(insight, "insight.evaluated")


def on_feedback_left(sender, feedback, **kwargs) -> None:
    services.outbox_record(
        topic="feedback.received",
        store=feedback.store,
        subject=f"feedback:{feedback.pk}",
        payload=payloads.feedback(feedback),
    )


def connect() -> None:
    orders_events.order_placed.connect(on_order_placed, dispatch_uid="connections.order_placed")
    orders_events.order_cancelled.connect(on_order_cancelled, dispatch_uid="connections.order_cancelled")
    orders_events.order_status_changed.connect(
        on_order_status_changed, dispatch_uid="connections.order_status"
    )
    inventory_events.goods_received.connect(on_goods_received, dispatch_uid="connections.goods_received")
    inventory_events.availability_changed.connect(
        on_availability_changed, dispatch_uid="connections.availability_changed"
    )
    orders_events.check_closed.connect(on_check_closed, dispatch_uid="connections.check_closed")
    orders_events.payment_refunded.connect(on_payment_refunded, dispatch_uid="connections.payment_refunded")
    inventory_events.purchase_order_sent.connect(on_purchase_order_sent, dispatch_uid="connections.po_sent")
    staffing_events.week_published.connect(on_week_published, dispatch_uid="connections.week_published")
    orders_events.menu_item_sold_out_by_hand.connect(
        on_menu_item_sold_out_by_hand, dispatch_uid="connections.item_sold_out_by_hand"
    )
    analytics_events.insight_opened.connect(on_insight_opened, dispatch_uid="connections.insight_opened")
    analytics_events.insight_acted.connect(on_insight_acted, dispatch_uid="connections.insight_acted")
    analytics_events.insight_evaluated.connect(
        on_insight_evaluated, dispatch_uid="connections.insight_evaluated"
    )
    customers_events.feedback_left.connect(on_feedback_left, dispatch_uid="connections.feedback_left")
