"""One money format: the store's currency in the reader's language (babel's CLDR rules)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from restaurant_ops.money import money


@pytest.mark.parametrize(
    ("language", "currency", "amount", "shown"),
    [
        ("zh-hans", "CNY", Decimal("1234.5"), "¥1,234.50"),
        ("en", "CNY", Decimal("1234.5"), "CN¥1,234.50"),
        ("en", "EUR", Decimal("1234.5"), "€1,234.50"),
        ("zh-hans", "CNY", Decimal("-3.85"), "-¥3.85"),
        ("en", "USD", "126.30", "$126.30"),  # a stored report keeps decimal strings
        ("en", "JPY", Decimal("1200"), "¥1,200"),  # no minor unit
    ],
)
def test_money_in_the_readers_language(language, currency, amount, shown):
    assert money(amount, currency, language=language) == shown


def test_the_builtin_filter_takes_the_active_language_and_the_stores_currency():
    class Store:
        currency = "CNY"

    template = Template("{{ amount|money:store }}|{{ none|money:store }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"amount": Decimal("1234.5"), "store": Store()})) == "¥1,234.50|"
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("1234.5"), "store": Store()})) == "CN¥1,234.50|"


@pytest.mark.django_db
def test_the_z_report_shows_money_in_the_stores_currency_and_the_readers_language(client):
    from django.urls import reverse

    from orders.services import drawer_open
    from restaurant_ops.models import Role
    from tests.factories import MembershipFactory, StoreFactory
    from tests.orders.factories import RegisterFactory

    store = StoreFactory(time_zone="Asia/Shanghai", currency="CNY")
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    drawer = drawer_open(register=RegisterFactory(store=store), opening_float=Decimal("1234.50"))
    url = reverse("orders:z-report", args=[store.slug, drawer.pk])
    assert "¥1,234.50" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "CN¥1,234.50" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
