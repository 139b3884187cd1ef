"""factory_boy factories for the shared models and the orders app."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from orders.models import MenuCategory, MenuItem, Modifier, ModifierGroup, Table
from restaurant_ops.models import Daypart, Membership, OpeningHours, Role, Store, TaxCategory


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    time_zone = "Europe/Berlin"
    currency = "EUR"


class TaxCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxCategory

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Tax {n}")
    rate = Decimal("0.1000")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)
    role = Role.OWNER


class MenuCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuCategory

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class MenuItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuItem

    store = factory.SubFactory(StoreFactory)
    category = factory.SubFactory(MenuCategoryFactory, store=factory.SelfAttribute("..store"))
    name = factory.Sequence(lambda n: f"Dish {n}")
    price = Decimal("10.00")


class ModifierGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModifierGroup

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    min_choices = 0
    max_choices = 2


class ModifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Modifier

    group = factory.SubFactory(ModifierGroupFactory)
    name = factory.Sequence(lambda n: f"Extra {n}")
    price_delta = Decimal("1.50")


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"T{n}")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    store = factory.SubFactory(StoreFactory)
    weekday = 0
    opens = dt.time(11, 0)
    closes = dt.time(23, 0)


class DaypartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Daypart

    store = factory.SubFactory(StoreFactory)
    name = Daypart.Name.LUNCH
    starts = dt.time(11, 0)
    ends = dt.time(15, 0)
