"""Factories for the front of house (the menu factories are shared in tests/factories.py)."""

import factory

from orders.models import Register
from tests.factories import StoreFactory


class RegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Register

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Till {n}")
