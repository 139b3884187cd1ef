"""Listeners for other apps' domain events: one line each into analytics."""

from . import complaint_facts


def on_feedback_left(sender, feedback, **kwargs) -> None:
    complaint_facts.complaint_facts_record(feedback=feedback)
