"""Every page about a store shows its times in the store's zone, not UTC: an event at 06:09 UTC
in a Shanghai store (UTC+8, no DST) reads 14:09 on each area's page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from restaurant_ops.models import AuditEntry, Role
from tests.factories import MembershipFactory, MenuCategoryFactory, MenuItemFactory, StoreFactory

pytestmark = pytest.mark.django_db

EVENT = dt.datetime(2026, 11, 30, 6, 9, tzinfo=dt.UTC)  # 14:09 in Shanghai (06:09 + 8 h)


@pytest.fixture
def shanghai():
    return StoreFactory(time_zone="Asia/Shanghai", currency="CNY")


@pytest.fixture
def owner(client, shanghai):
    client.force_login(MembershipFactory(store=shanghai, role=Role.OWNER).user)
    return client


def test_the_audit_trail_shows_store_time(owner, shanghai):
    entry = AuditEntry.objects.create(store=shanghai, action="refund", reason="flat soda")
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=EVENT)
    page = owner.get(reverse("audit-trail", args=[shanghai.slug])).content.decode()
    assert "11/30/2026 2:09 p.m." in page  # English short format of 14:09
    assert "6:09 a.m." not in page


def test_the_insights_history_shows_store_time(owner, shanghai):
    from analytics.models import Insight

    Insight.objects.create(
        store=shanghai,
        kind="trending",
        subject="item:1",
        message_key="trending_up",
        state="acted",
        acted_at=EVENT,
    )
    Insight.objects.filter(store=shanghai).update(updated_at=EVENT)
    page = owner.get(reverse("dashboard:insights-history", args=[shanghai.slug])).content.decode()
    assert "11/30/2026 2:09 p.m." in page
    assert "6:09 a.m." not in page


def test_the_prep_list_shows_store_time(owner, shanghai):
    from kitchen.models import PrepTask

    item = MenuItemFactory(store=shanghai, category=MenuCategoryFactory(store=shanghai))
    PrepTask.objects.create(store=shanghai, menu_item=item, quantity=Decimal("4"), ready_by=EVENT)
    page = owner.get(reverse("kitchen:prep", args=[shanghai.slug])).content.decode()
    assert "Mon 14:09" in page
    assert "06:09" not in page


def test_the_z_report_shows_store_time(owner, shanghai):
    from orders.models import CashDrawerSession
    from orders.services import drawer_open
    from tests.orders.factories import RegisterFactory

    drawer = drawer_open(register=RegisterFactory(store=shanghai), opening_float=Decimal("50.00"))
    CashDrawerSession.objects.filter(pk=drawer.pk).update(opened_at=EVENT)
    page = owner.get(reverse("orders:z-report", args=[shanghai.slug, drawer.pk])).content.decode()
    assert "2026-11-30 14:09" in page
    assert "06:09" not in page


def test_a_customers_feedback_shows_store_time(owner, shanghai):
    from customers.models import Feedback
    from tests.customers.factories import CustomerFactory

    customer = CustomerFactory(store=shanghai)
    Feedback.objects.create(
        store=shanghai, customer=customer, rating=2, occurred_at=EVENT, business_date=EVENT.date()
    )
    page = owner.get(reverse("customers:detail", args=[shanghai.slug, customer.pk])).content.decode()
    assert "2026-11-30 14:09" in page
    assert "06:09" not in page


def test_a_stranger_still_gets_404_and_the_zone_is_not_left_active(client, shanghai):
    from django.utils import timezone

    client.force_login(MembershipFactory(role=Role.OWNER).user)  # another store's owner
    assert client.get(reverse("audit-trail", args=[shanghai.slug])).status_code == 404
    assert timezone.get_current_timezone_name() == "UTC"  # reset after each request
