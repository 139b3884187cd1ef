"""The live parts of the owner's pages (the insight feed, today's decisions): polled with the version
the page shows, they answer 304 (nothing rendered) until an insight is written, then the new part and
its new ETag."""

import pytest

from analytics.insights import Finding, insight_upsert
from analytics.models import Insight

pytestmark = pytest.mark.django_db


def _low_stock(store, on_hand: str):
    return insight_upsert(
        store=store,
        finding=Finding(
            kind=Insight.Kind.LOW_STOCK,
            subject="ingredient:1",
            message_key="low_stock_no_supplier",
            severity=Insight.Severity.WARNING,
            numbers={
                "ingredient": "Wings",
                "unit": "pcs",
                "on_hand": on_hand,
                "reorder_point": "120",
                "days_left": "2.0",
            },
        ),
    )


@pytest.mark.parametrize("part", ["feed", "decisions"])
def test_a_live_part_answers_304_until_an_insight_is_written(owner_client, shop, part):
    store = shop["store"]
    url = f"/dashboard/{store.slug}/insights/{part}/"
    first = owner_client.get(url)
    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert b"Wings" not in first.content

    again = owner_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])

    insight = _low_stock(store, "50")
    changed = owner_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert b"Wings runs out in 2.0 days" in changed.content
    assert f'data-kind="{insight.kind}"'.encode() in changed.content

    # The same insight updated (a later run judged 40 on hand): a new version again.
    _low_stock(store, "40")
    updated = owner_client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert updated.status_code == 200 and updated["ETag"] != changed["ETag"]
    assert owner_client.get(url, HTTP_IF_NONE_MATCH=updated["ETag"]).status_code == 304


def test_the_pages_carry_the_version_they_show_and_no_inline_script(owner_client, shop):
    store = shop["store"]
    for page, part, element in [("", "decisions", "decisions-live"), ("insights/", "feed", "insight-feed")]:
        html = owner_client.get(f"/dashboard/{store.slug}/{page}").content.decode()
        etag = owner_client.get(f"/dashboard/{store.slug}/insights/{part}/")["ETag"]
        assert f'id="{element}" data-live-url="/dashboard/{store.slug}/insights/{part}/"' in html
        assert f'data-live-etag="{etag.replace(chr(34), "&quot;")}"' in html
        assert "/static/dashboard/live.js" in html
        assert "hx-on" not in html


def test_a_cashier_cannot_poll_the_owner_parts(client, shop):
    from tests.factories import MembershipFactory

    cashier = MembershipFactory(store=shop["store"], role="cashier").user
    client.force_login(cashier)
    assert client.get(f"/dashboard/{shop['store'].slug}/insights/decisions/").status_code == 404
