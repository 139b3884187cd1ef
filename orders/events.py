"""Domain events the orders app announces. Listeners live in the apps downstream (inventory,
kitchen, analytics) and are wired in their AppConfig.ready(); each is one line into its own service.

Events are sent with `send()` inside the order's transaction: a listener that raises rolls the
whole order back, so an order exists with its stock movements and tickets, or not at all.
"""

from django.dispatch import Signal

from restaurant_ops.errors import DomainError

# kwargs: order (with lines and modifiers prefetched)
order_placed = Signal()
# kwargs: order, previous_status
order_cancelled = Signal()
# kwargs: order, previous_status (every other status move: in kitchen, ready, served...)
order_status_changed = Signal()


class OrderRejected(DomainError):
    """Raised by a listener that refuses an order (e.g. stock cannot cover it): 409."""

    status_code = 409


# kwargs: line (an OrderLine just voided; its order is line.order). Listeners return its stock and
# withdraw its ticket item, as they do for a cancelled order.
order_line_voided = Signal()
