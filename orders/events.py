"""Domain events the orders app announces. Listeners live in the apps downstream (inventory,
kitchen, analytics) and are wired in their AppConfig.ready(); each is one line into its own service.

Events are sent with `send()` inside the order's transaction: a listener that raises rolls the
whole order back, so an order exists with its stock movements and tickets, or not at all.
"""

from django.dispatch import Signal

from restaurant_ops.errors import DomainError

# kwargs: order, lines (the OrderLines just written, each with its modifiers prefetched; order.lines.all()
# is prefetched too): listeners use them instead of reading the order back.
order_placed = Signal()
# kwargs: order, previous_status
order_cancelled = Signal()
# kwargs: order, previous_status (every other status move: in kitchen, ready, served...). The kitchen
# takes an order's open tickets off the display once it is ready, served or collected.
order_status_changed = Signal()


class OrderRejected(DomainError):
    """Raised by a listener that refuses an order (e.g. `insufficient_stock`: stock cannot cover it)."""


# kwargs: line (an OrderLine just voided; its order is line.order), quantity (its portions not already
# refunded by line). Listeners give its stock back (or
# record it as waste once the kitchen started it) and withdraw it from its ticket, as for a cancelled
# order.
order_line_voided = Signal()
# kwargs: refund (the refund Payment), lines (list of (OrderLine, quantity) refunded; line.order
# loaded). Unmade food goes back into stock and off its ticket, as for a void; food the kitchen had
# started is recorded as waste.
order_lines_refunded = Signal()
# kwargs: guest_check (just closed: paid, or nothing due). Connections tells subscribed back offices.
check_closed = Signal()
# kwargs: refund (the refund Payment: negative amount, guest_check loaded). Sent for every refund.
payment_refunded = Signal()
# kwargs: item (a MenuItem the manual 86 just took off the menu, or put back: sent only when the menu
# really flips, not for an item already sold out by stock), sold_out (its new state). Connections tells
# subscribed back offices (item.sold_out / item.back, as for inventory.availability_changed's stock flips).
menu_item_sold_out_by_hand = Signal()
