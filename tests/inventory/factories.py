from decimal import Decimal

import factory

from inventory.models import Ingredient, Supplier
from tests.factories import StoreFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.Sequence(lambda n: f"orders{n}@supplier.example")
    lead_time_days = 2
    min_order_value = Decimal("0")


class IngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ingredient

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Ingredient {n}")
    base_unit = "g"
