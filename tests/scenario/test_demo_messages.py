"""The demo's win-back rule (issue #23): the owner sees its measured effect against its holdout, with
an interval (at least 30 customers in each arm), and coupons of which some were redeemed at the till,
each redemption a real discount on a check recorded with its code."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from customers import messaging
from customers.models import MessageRule, MessageSend
from demo import loader, story
from orders.models import DiscountRedemption
from restaurant_ops.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_win_back_rule_shows_its_effect_and_redemptions():
    store = loader.load(now=dt.datetime.fromisoformat("2026-11-13T19:30:00+08:00"), log=lambda _msg: None)
    rule = MessageRule.objects.get(store=store, name=story.WIN_BACK["name"])
    result = messaging.rule_results(rule=rule)
    assert result["enough"] is True
    assert min(result["messaged"][1], result["held_out"][1]) >= story.WIN_BACK_MIN_PER_ARM
    assert result["low"] < result["difference"] < result["high"]
    sent = rule.sends.filter(status=MessageSend.Status.SENT)
    assert sent.filter(coupon__isnull=True).count() == 0  # every message carried its own code
    redeemed = result["redemption"]["count"]
    assert 0 < redeemed < result["redemption"]["of"] == sent.count()
    redemptions = DiscountRedemption.objects.filter(code__source=f"rule:{rule.pk}")
    assert redemptions.count() == redeemed
    assert all(r.adjustment.reason == f"Code {r.code.code}" for r in redemptions.select_related("adjustment"))
    client = Client()
    client.force_login(Membership.objects.get(store=store, role="owner").user)
    page = client.get(reverse("customers:message-results", args=[store.slug, rule.pk])).content.decode()
    assert "95% interval" in page and "Too few to tell" not in page
    assert f'data-redeemed="{redeemed}"' in page
