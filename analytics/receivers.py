"""Listeners for other apps' domain events: one line each into analytics.services."""

from . import complaint_facts, services


def on_goods_received(sender, **kwargs) -> None:
    services.price_change_check(**kwargs)


def on_feedback_left(sender, feedback, **kwargs) -> None:
    complaint_facts.complaint_facts_record(feedback=feedback)


def connect_optional() -> None:
    """Wires listeners for apps whose events may not exist yet (inventory's goods received)."""
    try:
        from inventory import events as inventory_events
    except ImportError:
        return
    signal = getattr(inventory_events, "goods_received", None)
    if signal is not None:
        signal.connect(on_goods_received, dispatch_uid="analytics.price_change_on_receipt")
