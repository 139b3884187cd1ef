"""The settings pages change what the set-up created, without the admin: a table's name, an
ingredient's name and unit, a staff member's hourly cost. Bad input names the field and writes
nothing; a cashier or cook cannot make these changes."""

import pytest

from orders.models import Table
from orders.services import tables_add
from restaurant_ops.models import AuditEntry, Role
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
