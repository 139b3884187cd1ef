"""Supplier items by purchase unit (kg, l, a case of N): prices given per purchase unit are converted to
the ingredient's base unit (Decimal, 6 places, half to even) and reads show both."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import SupplierPrice

pytestmark = pytest.mark.django_db


def _errors(response):
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


@pytest.fixture
def supplier(store):
    return services.supplier_create(store=store, name="Wholesale")


def _item(client, supplier, ingredient, **body):
    return client.post(
        "/api/v1/inventory/supplier-items/",
        {"supplier": supplier.pk, "ingredient": ingredient.pk, **body},
        format="json",
    )


def _price(client, item_id, price, per, day="2026-11-01"):
    return client.post(
        "/api/v1/inventory/prices/",
        {"supplier_item": item_id, "price": price, "per": per, "effective_from": day},
        format="json",
    )


def test_prices_per_kg_litre_and_case_become_prices_per_base_unit(key_client, store, supplier):
    flour = services.ingredient_create(store=store, name="Flour", base_unit="g")
    milk = services.ingredient_create(store=store, name="Milk", base_unit="ml")
    eggs = services.ingredient_create(store=store, name="Eggs", base_unit="pcs")

    by_kg = _item(key_client, supplier, flour, purchase_unit="kg")
    assert by_kg.status_code == 201, by_kg.json()
    assert (by_kg.json()["purchase_unit"], by_kg.json()["pack_size"], by_kg.json()["base_unit"]) == (
        "kg",
        "1000.000",  # 1 kg = 1000 g
        "g",
    )
    by_litre = _item(key_client, supplier, milk, purchase_unit="l").json()
    assert by_litre["pack_size"] == "1000.000"
    by_case = _item(key_client, supplier, eggs, purchase_unit="case", pack_size="30", pack_unit="pcs").json()
    assert (by_case["purchase_unit"], by_case["pack_size"], by_case["base_unit"]) == ("case", "30.000", "pcs")

    flour_price = _price(key_client, by_kg.json()["id"], "25.00", "purchase")
    assert flour_price.status_code == 201, flour_price.json()
    body = flour_price.json()
    # 25.00 a kg / 1000 g = 0.025 a gram
    assert (body["price"], body["per"], body["unit_price"], body["base_unit"]) == (
        "25.000000",
        "purchase",
        "0.025000",
        "g",
    )
    assert (body["purchase_unit"], body["price_per_purchase_unit"]) == ("kg", "25.000000")
    # 1.35 a litre / 1000 ml = 0.00135 a ml
    assert _price(key_client, by_litre["id"], "1.35", "purchase").json()["unit_price"] == "0.001350"
    # 7.00 a case / 30 eggs = 0.2333333… → 0.233333 (6 places)
    eggs_price = _price(key_client, by_case["id"], "7.00", "purchase").json()
    assert (eggs_price["unit_price"], eggs_price["price_per_purchase_unit"]) == ("0.233333", "7.000000")

    # A price per base unit shows per purchase unit too: 0.024 a gram × 1000 = 24.00 a kg.
    per_gram = _price(key_client, by_kg.json()["id"], "0.024", "base_unit", day="2026-11-15").json()
    assert (per_gram["unit_price"], per_gram["price_per_purchase_unit"]) == ("0.024000", "24.000000")

    listed = key_client.get(f"/api/v1/inventory/supplier-items/?supplier={supplier.pk}").json()["results"]
    flour_row = next(row for row in listed if row["ingredient"] == flour.pk)
    assert sorted((p["per"], p["unit_price"], p["price_per_purchase_unit"]) for p in flour_row["prices"]) == [
        ("base_unit", "0.024000", "24.000000"),
        ("purchase", "0.025000", "25.000000"),
    ]
    assert SupplierPrice.objects.get(supplier_item__ingredient=eggs).unit_price == Decimal("0.233333")


def test_a_case_says_what_it_holds_and_units_must_convert(key_client, store, supplier):
    eggs = services.ingredient_create(store=store, name="Eggs", base_unit="pcs")
    no_size = _item(key_client, supplier, eggs, purchase_unit="case")
    assert (no_size.status_code, _errors(no_size)) == (400, [("pack_size", "required")])
    by_kg = _item(key_client, supplier, eggs, purchase_unit="kg")  # eggs are counted, not weighed
    assert (by_kg.status_code, _errors(by_kg)) == (422, [("purchase_unit", "unit_mismatch")])
