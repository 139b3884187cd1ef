"""Domain events the inventory app announces (sent inside the service's transaction).

`goods_received`: kwargs `store`, `purchase_order`, `received_at`, and `lines`: a list of dicts
{"ingredient_id", "ingredient_name", "quantity", "unit_cost", "previous_unit_cost"} (quantities in
base units, costs per base unit; previous_unit_cost is the cost in force just before, or None).
Connections records it in the outbox; the price-change alert (analytics) follows it there.
"""

from django.dispatch import Signal

goods_received = Signal()

# kwargs: purchase_order (just sent to its supplier). Connections tells subscribed back offices.
purchase_order_sent = Signal()

# kwargs: store, sold_out (MenuItems the stock can no longer cover one more portion of), back (MenuItems it
# covers again): sent by the stock ledger when a movement flips an item's stock-driven sold-out flag.
# Connections announces them (item.sold_out, item.back); the low-stock check follows them there.
availability_changed = Signal()
