"""Domain events the analytics app announces (sent inside the writing transaction).

Each carries `insight` (the Insight just written). Connections hears them: webhooks to subscribed back
offices and notifications to the people who must act; analytics never imports connections.
"""

from django.dispatch import Signal

# A new open insight (not an update of one already open). A low-stock one is also "stock.low" outside.
insight_opened = Signal()
# Someone acted on it (insight.action_type, action_detail say how).
insight_acted = Signal()
# Its effect was measured after the window (insight.verdict).
insight_evaluated = Signal()
