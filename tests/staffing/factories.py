"""factory_boy factories for staffing."""

from decimal import Decimal

import factory

from staffing.models import Position, StaffMember
from tests.factories import StoreFactory


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"position {n}")
    load_kind = Position.LoadKind.ORDERS
    productivity_target = Decimal("12")
    min_staff_per_open_hour = 0


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    hourly_cost = Decimal("15.00")

    @factory.post_generation
    def positions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.positions.set(extracted)
