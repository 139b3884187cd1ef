import pytest

from restaurant_ops.models import Role
from tests.factories import MembershipFactory
from tests.orders.conftest import shop  # noqa: F401 (the front-of-house fixture)


@pytest.fixture
def user_owner(store):
    return MembershipFactory(store=store, role=Role.OWNER).user


@pytest.fixture
def members(store):
    """One user per role of `store`."""
    return {role: MembershipFactory(store=store, role=role).user for role in Role.values}
