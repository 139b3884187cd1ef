"""Domain events announced by restaurant_ops (see ARCHITECTURE.md: upstream announces, downstream listens)."""

from django.dispatch import Signal

# Sent inside the transaction that turns an invitation into a membership: invitation=, membership=.
# staffing links the staff profile the invitation was made for to the new user.
invitation_accepted = Signal()
