from decimal import Decimal

import pytest

from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory, TableFactory, TaxCategoryFactory


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """PINs and passwords are hashed with the production hasher elsewhere; here speed matters."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shop(store):
    """An exclusive-tax store (10% tax, 10% service charge) with a burger (12.00), a soda (3.50),
    two tables, and a cashier and a manager (PIN 246813)."""
    store.prices_include_tax = False
    store.service_charge_rate = Decimal("0.1000")
    store.save()
    food = TaxCategoryFactory(store=store, name="Food", rate=Decimal("0.1000"))
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    manager.set_pin("246813")
    manager.save()

    class Shop:
        pass

    shop = Shop()
    shop.store = store
    shop.burger = MenuItemFactory(store=store, name="Burger", price=Decimal("12.00"), tax_category=food)
    shop.soda = MenuItemFactory(store=store, name="Soda", price=Decimal("3.50"), tax_category=food)
    shop.table = TableFactory(store=store, name="T1")
    shop.table2 = TableFactory(store=store, name="T2")
    shop.cashier = MembershipFactory(store=store, role=Role.CASHIER).user
    shop.manager = manager.user
    return shop
