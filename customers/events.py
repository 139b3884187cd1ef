"""Domain events the customers app announces (sent inside the writing transaction).

Analytics listens to `feedback_left` and writes the operational facts of a complaint (ticket times,
staffing, recipe and supplier changes) back through `services.feedback_record_facts`: customers
cannot read kitchen, staffing or inventory itself, and never imports analytics.
"""

from django.dispatch import Signal

# kwargs: feedback (a Feedback just left by a guest or logged by staff)
feedback_left = Signal()
