"""Factories for customers and the settled checks their visits are made of."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from customers.models import CheckCustomer, Customer, Source
from orders.models import Check
from tests.factories import StoreFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    phone = factory.Sequence(lambda n: f"+4915112{n:06d}")
    source = Source.TILL


def visit(customer: Customer, day: dt.date, net: str, *, status: str = Check.Status.CLOSED) -> Check:
    """A settled check of `net` net sales on business day `day`, linked to the customer (history:
    the analyses read only the check's status, day and net sales)."""
    paid = timezone.make_aware(dt.datetime.combine(day, dt.time(13, 0)), customer.store.tz)
    check = Check.objects.create(
        store=customer.store,
        business_date=day,
        status=status,
        net_sales=Decimal(net),
        total=Decimal(net),
        paid_at=paid if status != Check.Status.OPEN else None,
    )
    CheckCustomer.objects.create(guest_check=check, customer=customer, source=Source.TILL)
    return check
