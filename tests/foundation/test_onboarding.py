"""Opening a restaurant without the admin: the first owner's sign-up, invitations with their role
(their own password, a PIN for managers), more stores for owners only, and the set-up's services
(tax, hours, tables, menu and ingredient imports) refusing bad input with the field named."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from inventory.models import Ingredient, StockMovement, SupplierPrice
from inventory.services import ingredient_set_up, ingredients_import
from orders.models import MenuItem, Table
from orders.services import menu_items_import, tables_add
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Invitation, Membership, Role, Store
from restaurant_ops.services import opening_hours_replace, store_create
from staffing.models import StaffMember
from staffing.services import staff_invite
from tests.factories import MembershipFactory, TaxCategoryFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def sign_up(client, username="mei", password="noodle-house-42", again=None):
    return client.post(
        "/signup/", {"username": username, "password": password, "password_again": again or password}
    )


def test_the_first_visitor_signs_up_as_owner_and_then_sign_up_is_gone(client):
    assert client.get("/").url == "/signup/"

    response = sign_up(client)

    assert response.status_code == 302 and response.url == "/stores/new/"
    created = client.post(
        "/stores/new/",
        {
            "name": "Mei's Noodle House",
            "time_zone": "Asia/Shanghai",
            "currency": "cny",
            "service_charge_rate": "0",
        },
    )
    store = Store.objects.get()
    assert created.url == f"/stores/{store.slug}/settings/taxes/"
    assert (store.slug, store.currency) == ("meis-noodle-house", "CNY")
    assert Membership.objects.get(store=store).role == Role.OWNER
    client.logout()
    assert client.get("/signup/").status_code == 404
    assert sign_up(client, username="intruder").status_code == 404
    assert User.objects.count() == 1


def test_sign_up_refuses_a_weak_password_and_writes_nothing(client):
    response = sign_up(client, password="password", again="password")

    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_only_owners_open_more_stores(client, store):
    cashier = MembershipFactory(store=store, role=Role.CASHIER)
    client.force_login(cashier.user)
    assert client.get("/stores/new/").status_code == 403

    owner = MembershipFactory(store=store, role=Role.OWNER)
    second = store_create(owner=owner.user, name=store.name, time_zone="Europe/Berlin", currency="EUR")
    assert second.slug == f"{store.slug}-2"  # same name, a slug of its own
    assert Membership.objects.get(store=second).user == owner.user


def test_store_create_names_the_bad_field(store):
    owner = MembershipFactory(store=store, role=Role.OWNER).user
    with pytest.raises(DomainError) as error:
        store_create(owner=owner, name="X", time_zone="Mars/Olympus", currency="EUR")
    assert error.value.field == "time_zone"
    with pytest.raises(DomainError) as error:
        store_create(owner=owner, name="X", time_zone="UTC", currency="E1")
    assert error.value.field == "currency"
    assert Store.objects.count() == 1


def test_a_manager_joins_by_link_with_password_and_pin_and_the_staff_profile_is_linked(client, store):
    owner = MembershipFactory(store=store, role=Role.OWNER).user
    staff = staff_invite(store=store, name="Zhao Min", role=Role.MANAGER, hourly_cost=Decimal("30"), by=owner)
    url = f"/join/{staff.invitation.token}/"

    no_pin = client.post(
        url, {"username": "zhao", "password": "dumpling-77-x", "password_again": "dumpling-77-x"}
    )
    assert no_pin.status_code == 400
    assert not User.objects.filter(username="zhao").exists()

    joined = client.post(
        url,
        {"username": "zhao", "password": "dumpling-77-x", "password_again": "dumpling-77-x", "pin": "482913"},
    )

    assert joined.status_code == 302
    membership = Membership.objects.get(user__username="zhao")
    assert membership.role == Role.MANAGER and membership.check_pin("482913")
    staff.refresh_from_db()
    assert staff.user == membership.user
    client.logout()
    assert client.get(url).status_code == 404  # used once


def test_a_cook_needs_no_pin_and_only_owners_invite_owners(client, store):
    manager = MembershipFactory(store=store, role=Role.MANAGER).user
    with pytest.raises(DomainError) as error:
        staff_invite(store=store, name="Boss", role=Role.OWNER, hourly_cost=Decimal("0"), by=manager)
    assert error.value.code == "owner_only"
    assert not StaffMember.objects.exists()  # the profile is not left behind

    staff = staff_invite(store=store, name="Wang Li", role=Role.COOK, hourly_cost=Decimal("25"), by=manager)
    page = client.get(f"/join/{staff.invitation.token}/")
    assert "Approval PIN" not in page.content.decode()
    client.post(
        f"/join/{staff.invitation.token}/",
        {"username": "wangli", "password": "wok-station-77", "password_again": "wok-station-77"},
    )
    assert Membership.objects.get(user__username="wangli").role == Role.COOK


def test_a_cashier_cannot_invite(store):
    cashier = MembershipFactory(store=store, role=Role.CASHIER).user
    with pytest.raises(DomainError):
        staff_invite(store=store, name="Friend", role=Role.CASHIER, hourly_cost=Decimal("10"), by=cashier)
    assert not Invitation.objects.exists()


def test_opening_hours_replace_names_the_bad_span(store):
    with pytest.raises(DomainErrors) as error:
        opening_hours_replace(store=store, spans=[(0, dt.time(10), dt.time(22)), (1, dt.time(9), dt.time(9))])
    assert error.value.errors[0].field == "spans[1].closes"
    assert not store.opening_hours.exists()


def test_tables_are_numbered_on(store):
    tables_add(store=store, count=2)
    tables_add(store=store, count=2, seats=6)
    assert list(Table.objects.filter(store=store).values_list("name", "seats")) == [
        ("Table 1", 4),
        ("Table 2", 4),
        ("Table 3", 6),
        ("Table 4", 6),
    ]


def test_menu_import_is_all_or_nothing_and_names_every_bad_row(store):
    food = TaxCategoryFactory(store=store, name="Food")
    rows = [
        {"category": "Mains", "name": "Noodles", "price": Decimal("12.50"), "tax_category": food},
        {"category": "", "name": "Soup", "price": Decimal("5"), "tax_category": None},
        {"category": "Mains", "name": "noodles", "price": Decimal("1"), "tax_category": None},
    ]
    with pytest.raises(DomainErrors) as error:
        menu_items_import(store=store, items=rows)
    assert [(e.field, e.code) for e in error.value.errors] == [
        ("items[1].category", "required"),
        ("items[2].name", "duplicate"),
    ]
    assert not MenuItem.objects.exists()


def test_an_ingredient_set_up_has_a_list_price_and_costed_opening_stock(store):
    ingredient = ingredient_set_up(
        store=store, name="Flour", unit="kg", supplier="Mill", price=Decimal("2.40"), stock=Decimal("25")
    )
    assert (ingredient.base_unit, ingredient.on_hand, ingredient.preferred_supplier.name) == (
        "g",
        Decimal("25000.000"),
        "Mill",
    )
    # 2.40 per kg is 0.0024 per gram, both on the price list and on the opening receipt.
    assert SupplierPrice.objects.get().unit_price == Decimal("0.0024")
    assert StockMovement.objects.get(kind=StockMovement.Kind.RECEIPT).unit_cost == Decimal("0.0024")


def test_ingredients_import_refuses_stock_without_a_price(store):
    rows = [
        {"name": "Rice", "unit": "kg", "supplier": "", "price": None, "stock": Decimal("5")},
        {"name": "Salt", "unit": "cups", "supplier": "", "price": None, "stock": None},
    ]
    with pytest.raises(DomainErrors) as error:
        ingredients_import(store=store, rows=rows)
    assert [e.field for e in error.value.errors] == ["rows[0].price", "rows[1].unit"]
    assert not Ingredient.objects.exists()


def test_settings_pages_need_the_role(client, store):
    cook = MembershipFactory(store=store, role=Role.COOK)
    client.force_login(cook.user)
    for url in (
        f"/stores/{store.slug}/settings/",
        f"/s/{store.slug}/settings/menu/",
        f"/inventory/{store.slug}/settings/ingredients/",
        f"/staffing/{store.slug}/settings/staff/",
    ):
        assert client.get(url).status_code == 403, url
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(f"/stores/{store.slug}/settings/").status_code == 404


def test_the_menu_settings_page_changes_a_price_audited(client, store):
    owner = MembershipFactory(store=store, role=Role.OWNER)
    client.force_login(owner.user)
    from orders.services import menu_item_create

    item = menu_item_create(store=store, category="Mains", name="Noodles", price=Decimal("12.50"))
    url = f"/s/{store.slug}/settings/menu/"

    bad = client.post(url, {"reprice": item.pk, f"price-{item.pk}": "12.345"}, follow=True)
    assert "Enter a price in whole cents" in bad.content.decode()
    client.post(url, {"reprice": item.pk, f"price-{item.pk}": "13.00"})

    item.refresh_from_db()
    assert item.price == Decimal("13.00")
    assert store.audit_entries.get(action="menu_price_changed").data == {"old": "12.50", "new": "13.00"}


def test_ingredient_and_recipe_settings_change_a_price_and_remove_a_line(client, store):
    from inventory.models import RecipeLine
    from inventory.services import recipe_line_set
    from orders.services import menu_item_create

    owner = MembershipFactory(store=store, role=Role.OWNER)
    client.force_login(owner.user)
    flour = ingredient_set_up(store=store, name="Flour", unit="kg", supplier="Mill", price=Decimal("2.40"))
    bread = menu_item_create(store=store, category="Bakery", name="Bread", price=Decimal("3.00"))
    line = recipe_line_set(store=store, menu_item=bread, ingredient=flour, quantity=Decimal("250"), unit="g")
    ingredients_url = f"/inventory/{store.slug}/settings/ingredients/"

    page = client.get(ingredients_url).content.decode()
    assert 'value="2.40"' in page and "/ 1 kg" in page  # per the 1 kg pack it was entered in
    client.post(ingredients_url, {"reprice": flour.pk, f"price-{flour.pk}": "3.00"})
    # 3.00 per kg from today is 0.003 per gram (the same day's earlier price is replaced).
    assert SupplierPrice.objects.get().unit_price == Decimal("0.0030")

    client.post(f"/inventory/{store.slug}/settings/recipes/", {"remove": line.pk})
    assert not RecipeLine.objects.exists()
