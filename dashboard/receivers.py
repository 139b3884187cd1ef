"""Answers to other apps' events: the morning digest asks for today's decisions, and gets exactly the
cards the overview shows (selectors.todays_decisions), as plain dicts in the active language."""

from django.conf import settings
from django.urls import reverse

from . import selectors


def on_morning_digest_due(sender, store, **kwargs) -> list[dict]:
    return [
        {
            "insight_id": card["insight"].pk,
            "severity": card["insight"].severity,
            "title": str(card["insight"].title),
            "message": str(card["insight"].message),
            "url": settings.PUBLIC_BASE_URL
            + reverse(
                "dashboard:insight", kwargs={"store_slug": store.slug, "insight_id": card["insight"].pk}
            ),
        }
        for card in selectors.todays_decisions(store)
    ]
