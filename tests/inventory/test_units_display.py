"""Stock and prices in the units people buy and cook in, whatever base unit is stored."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from inventory import units


@pytest.mark.parametrize(
    ("quantity", "base_unit", "shown"),
    [
        (Decimal("2500"), "g", "2.5 kg"),  # 2500 g / 1000
        (Decimal("1000"), "g", "1 kg"),
        (Decimal("750"), "g", "750 g"),  # under a kilo stays in grams
        (Decimal("1200"), "ml", "1.2 l"),
        (Decimal("330"), "ml", "330 ml"),
        (Decimal("12"), "pcs", "12 pcs"),
        (Decimal("12345.678"), "g", "12.346 kg"),  # 3 decimals at most
    ],
)
def test_quantities_in_buying_units(quantity, base_unit, shown):
    with translation.override("en"):
        assert units.display(quantity, base_unit) == shown


def test_prices_per_kg_litre_and_piece():
    with translation.override("en"):
        assert units.price_display(Decimal("0.0125"), "g", "EUR") == "€12.50/kg"  # 0.0125 × 1000
        assert units.price_display(Decimal("0.004"), "ml", "EUR") == "€4.00/l"
        assert units.price_display(Decimal("0.35"), "pcs", "EUR") == "€0.35/pcs"
    with translation.override("zh-hans"):
        assert units.price_display(Decimal("0.0125"), "g", "CNY") == "¥12.50/kg"
        assert units.display(Decimal("12"), "pcs") == "12 个"


@pytest.mark.django_db
def test_the_stock_page_shows_kilos_and_litres(client):
    from inventory.models import Ingredient
    from restaurant_ops.models import Role
    from tests.factories import MembershipFactory, StoreFactory

    store = StoreFactory()
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    Ingredient.objects.create(store=store, name="Flour", base_unit="g", on_hand=Decimal("2500"))
    Ingredient.objects.create(store=store, name="Milk", base_unit="ml", on_hand=Decimal("1200"))
    html = client.get(reverse("inventory:ingredients", args=[store.slug]), HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    assert "2.5 kg" in html and "1.2 l" in html
    assert "2500 g" not in html


def test_insight_messages_speak_kilos_and_prices_per_kilo():
    from analytics.messages import render

    numbers = {
        "ingredient": "Flour",
        "days_left": "1.5",
        "on_hand": "2500.000",
        "reorder_point": "800.000",
        "unit": "g",
    }
    with translation.override("en"):
        # 2500 g / 1000 = 2.5 kg; the reorder point follows into kg: 800 g = 0.8 kg
        assert render("low_stock", numbers) == (
            "Flour runs out in 1.5 days at the current pace: 2.5 kg on hand, reorder point 0.8 kg."
        )
        small = {**numbers, "on_hand": "300", "reorder_point": "500"}  # under a kilo: grams stay
        assert "300 g on hand, reorder point 500 g" in render("low_stock", small)
        price = {
            "ingredient": "Flour",
            "supplier": "Mill",
            "unit": "g",
            "new_price": "0.012500",
            "old_price": "0.010000",
            "change_pct": "25",
        }
        # 0.0125 per g × 1000 = 12.50 per kg
        assert "now costs 12.50 per kg, 25%" in render("price_change", price)
