"""Events connections announces for other apps to answer (any app may import an `events` module).

`morning_digest_due`: kwargs `store`. Sent by the morning digest (connections.notifications) in the
reader's language; a receiver returns the store's "today's decisions" as plain dicts
{"insight_id", "severity", "title", "message", "url"}, most pressing first. The dashboard answers with
the very selector its overview shows (one truth); connections never imports the dashboard.
"""

from django.dispatch import Signal

morning_digest_due = Signal()
