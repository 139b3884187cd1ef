import factory

from kitchen.models import Station
from tests.factories import StoreFactory


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Station {n}")
