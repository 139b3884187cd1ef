"""The settings pages change what the set-up created, without the admin: a table's name, an
ingredient's name and unit, a staff member's hourly cost. Bad input names the field and writes
nothing; a cashier or cook cannot make these changes."""

from decimal import Decimal

import pytest

from inventory.services import ingredient_set_up
from orders.models import Table
from orders.services import tables_add
from restaurant_ops.models import AuditEntry, Role
from staffing.services import staff_member_create
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, store):
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    return client


def test_the_owner_renames_a_table_and_it_is_audited(owner_client, store):
    first, second = tables_add(store=store, count=2)
    url = f"/s/{store.slug}/settings/tables/"

    response = owner_client.post(url, {"rename": first.pk, f"t{first.pk}-name": "Terrace 1"})

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.name == "Terrace 1"
    entry = AuditEntry.objects.get(action="table_renamed")
    assert entry.data == {"old": "Table 1", "new": "Terrace 1"}
    assert "Terrace 1" in owner_client.get(url).content.decode()


def test_renaming_a_table_to_a_taken_name_shows_the_error_and_writes_nothing(owner_client, store):
    first, second = tables_add(store=store, count=2)
    url = f"/s/{store.slug}/settings/tables/"

    response = owner_client.post(url, {"rename": first.pk, f"t{first.pk}-name": "Table 2"})

    assert response.status_code == 400
    assert "Another table is already called Table 2." in response.content.decode()
    assert sorted(Table.objects.filter(store=store).values_list("name", flat=True)) == ["Table 1", "Table 2"]
    assert not AuditEntry.objects.filter(action="table_renamed").exists()

    empty = owner_client.post(url, {"rename": first.pk, f"t{first.pk}-name": "  "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()


@pytest.mark.parametrize("role", [Role.CASHIER, Role.COOK])
def test_a_cashier_or_cook_cannot_rename_a_table(client, store, role):
    (table,) = tables_add(store=store, count=1)
    client.force_login(MembershipFactory(store=store, role=role).user)

    response = client.post(
        f"/s/{store.slug}/settings/tables/", {"rename": table.pk, f"t{table.pk}-name": "Mine"}
    )

    assert response.status_code == 403
    table.refresh_from_db()
    assert table.name == "Table 1"


def staff_url(store):
    return f"/staffing/{store.slug}/settings/staff/"


def test_the_owner_changes_an_hourly_cost_and_it_is_audited(owner_client, store):
    member = staff_member_create(store=store, name="Ana", hourly_cost=Decimal("14.50"))

    response = owner_client.post(
        staff_url(store), {"set_cost": member.pk, f"s{member.pk}-hourly_cost": "16.25"}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.hourly_cost == Decimal("16.25")
    entry = AuditEntry.objects.get(action="staff_hourly_cost_changed")
    assert entry.data == {"old": "14.50", "new": "16.25"}


def test_a_negative_hourly_cost_shows_the_error_and_writes_nothing(owner_client, store):
    member = staff_member_create(store=store, name="Ana", hourly_cost=Decimal("14.50"))

    response = owner_client.post(staff_url(store), {"set_cost": member.pk, f"s{member.pk}-hourly_cost": "-3"})

    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    member.refresh_from_db()
    assert member.hourly_cost == Decimal("14.50")
    assert not AuditEntry.objects.filter(action="staff_hourly_cost_changed").exists()


@pytest.mark.parametrize("role", [Role.CASHIER, Role.COOK])
def test_a_cashier_or_cook_cannot_change_an_hourly_cost(client, store, role):
    member = staff_member_create(store=store, name="Ana", hourly_cost=Decimal("14.50"))
    client.force_login(MembershipFactory(store=store, role=role).user)

    response = client.post(staff_url(store), {"set_cost": member.pk, f"s{member.pk}-hourly_cost": "99"})

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.hourly_cost == Decimal("14.50")


def ingredients_url(store):
    return f"/inventory/{store.slug}/settings/ingredients/"


def test_the_owner_renames_an_ingredient_and_changes_its_unit_while_nothing_uses_it(owner_client, store):
    rice = ingredient_set_up(store=store, name="Rice", unit="kg")

    response = owner_client.post(
        ingredients_url(store),
        {"edit": rice.pk, f"i{rice.pk}-name": "Jasmine rice", f"i{rice.pk}-base_unit": "pcs"},
    )

    assert response.status_code == 302
    rice.refresh_from_db()
    assert (rice.name, rice.base_unit) == ("Jasmine rice", "pcs")
    entry = AuditEntry.objects.get(action="ingredient_changed")
    assert entry.data == {
        "name": {"old": "Rice", "new": "Jasmine rice"},
        "base_unit": {"old": "g", "new": "pcs"},
    }


def test_an_ingredient_with_stock_keeps_its_unit_and_the_page_says_why(owner_client, store):
    rice = ingredient_set_up(
        store=store, name="Rice", unit="kg", supplier="Farm", price=Decimal("2"), stock=Decimal("5")
    )

    response = owner_client.post(
        ingredients_url(store),
        {"edit": rice.pk, f"i{rice.pk}-name": "Jasmine rice", f"i{rice.pk}-base_unit": "ml"},
    )

    assert response.status_code == 400
    assert "The base unit cannot change once stock or recipes use it." in response.content.decode()
    rice.refresh_from_db()
    assert (rice.name, rice.base_unit) == ("Rice", "g")
    assert not AuditEntry.objects.filter(action="ingredient_changed").exists()


def test_an_ingredient_cannot_take_another_ones_name(owner_client, store):
    rice = ingredient_set_up(store=store, name="Rice", unit="kg")
    ingredient_set_up(store=store, name="Flour", unit="kg")

    response = owner_client.post(
        ingredients_url(store), {"edit": rice.pk, f"i{rice.pk}-name": "Flour", f"i{rice.pk}-base_unit": "g"}
    )

    assert response.status_code == 400
    assert "An ingredient with this name exists." in response.content.decode()
    rice.refresh_from_db()
    assert rice.name == "Rice"


@pytest.mark.parametrize("role", [Role.CASHIER, Role.COOK])
def test_a_cashier_or_cook_cannot_change_an_ingredient(client, store, role):
    rice = ingredient_set_up(store=store, name="Rice", unit="kg")
    client.force_login(MembershipFactory(store=store, role=role).user)

    response = client.post(
        ingredients_url(store), {"edit": rice.pk, f"i{rice.pk}-name": "Mine", f"i{rice.pk}-base_unit": "g"}
    )

    assert response.status_code == 403
    rice.refresh_from_db()
    assert rice.name == "Rice"
