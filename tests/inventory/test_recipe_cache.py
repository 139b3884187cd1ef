"""The order path reads recipes from the shared cache; changing or deleting a recipe line drops the
item's entry, so the next order takes the new recipe. Quantities worked by hand: the `stocked` item
takes 150 g of chicken a portion, 1050 g on hand."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services
from inventory.models import RecipeLine
from orders.services import LineRequest, order_place

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_recipe_change_reaches_the_next_order(stocked, store):
    item, chicken = stocked
    order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk)])
    with CaptureQueriesContext(connection) as second:
        order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk)])
    assert not [q for q in second.captured_queries if q["sql"].startswith('SELECT "inventory_recipeline"')]
    chicken.refresh_from_db()
    assert chicken.on_hand == D("750")  # 1050 − 2 × 150

    services.recipe_line_set(store=store, menu_item=item, ingredient=chicken, quantity=D("200"), unit="g")
    order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk)])
    chicken.refresh_from_db()
    assert chicken.on_hand == D("550")  # the new recipe: 750 − 200

    services.recipe_line_delete(line=RecipeLine.objects.get(menu_item=item))
    order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk)])
    chicken.refresh_from_db()
    assert chicken.on_hand == D("550")  # no recipe, nothing taken
