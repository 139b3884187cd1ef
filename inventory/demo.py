"""Demo data for inventory: ingredients, recipes, suppliers with price history and stock for
whatever menu the demo loader hands over. Called by the lead's loader; nothing else imports it.

Recipes are guessed from words in each item's name and category (chicken, rice, fries, tea…), so
any menu gets plausible recipes; an item no rule matches gets a generic "<item> mix" ingredient.
"""

import datetime as dt
from decimal import Decimal

from orders.models import MenuItem
from restaurant_ops.models import Store

from . import services
from .models import Ingredient

D = Decimal

# ingredient: (base unit, allergens, dietary tags, list price per base unit at the preferred supplier)
INGREDIENTS = {
    "Chicken drumsticks": ("g", [], [], D("0.0065")),
    "Chicken breast": ("g", [], [], D("0.0090")),
    "Beef mince": ("g", [], [], D("0.0110")),
    "Pork belly": ("g", [], [], D("0.0095")),
    "Tofu": ("g", ["soy"], ["vegan", "vegetarian"], D("0.0040")),
    "Shrimp": ("g", ["crustaceans"], [], D("0.0180")),
    "Jasmine rice": ("g", [], ["vegan", "vegetarian", "gluten_free"], D("0.0022")),
    "Wheat noodles": ("g", ["gluten", "egg"], ["vegetarian"], D("0.0030")),
    "Potatoes": ("g", [], ["vegan", "vegetarian", "gluten_free"], D("0.0012")),
    "Burger buns": ("pcs", ["gluten"], ["vegan", "vegetarian"], D("0.35")),
    "Cheddar": ("g", ["milk"], ["vegetarian", "gluten_free"], D("0.0120")),
    "Lettuce": ("g", [], ["vegan", "vegetarian", "gluten_free"], D("0.0045")),
    "Tomatoes": ("g", [], ["vegan", "vegetarian", "gluten_free"], D("0.0035")),
    "Onions": ("g", [], ["vegan", "vegetarian", "gluten_free"], D("0.0015")),
    "Frying oil": ("ml", [], ["vegan", "vegetarian", "gluten_free"], D("0.0024")),
    "Soy sauce": ("ml", ["soy", "gluten"], ["vegan", "vegetarian"], D("0.0050")),
    "Tea leaves": ("g", [], ["vegan", "vegetarian", "gluten_free"], D("0.0400")),
    "Milk": ("ml", ["milk"], ["vegetarian", "gluten_free"], D("0.0011")),
    "Cola syrup": ("ml", [], ["vegan", "vegetarian", "gluten_free"], D("0.0060")),
    "Lemons": ("pcs", [], ["vegan", "vegetarian", "gluten_free"], D("0.30")),
    "Sugar": ("g", [], ["vegan", "vegetarian", "gluten_free"], D("0.0012")),
    "Flour": ("g", ["gluten"], ["vegan", "vegetarian"], D("0.0009")),
    "Eggs": ("pcs", ["egg"], ["vegetarian", "gluten_free"], D("0.25")),
}

# (words, [(ingredient, quantity, unit, yield)]) — the first rule whose word is in the name wins,
# then the category is tried.
RULES = [
    (("drumstick", "wing"), [("Chicken drumsticks", "250", "g", "0.9"), ("Frying oil", "30", "ml", "1")]),
    (("chicken",), [("Chicken breast", "180", "g", "0.9"), ("Onions", "30", "g", "0.9")]),
    (
        ("burger",),
        [
            ("Beef mince", "150", "g", "0.95"),
            ("Burger buns", "1", "pcs", "1"),
            ("Lettuce", "20", "g", "0.8"),
            ("Tomatoes", "30", "g", "0.9"),
        ],
    ),
    (("beef", "steak"), [("Beef mince", "200", "g", "0.9"), ("Onions", "40", "g", "0.9")]),
    (("pork",), [("Pork belly", "200", "g", "0.85"), ("Soy sauce", "15", "ml", "1")]),
    (("tofu", "vegan", "veg"), [("Tofu", "180", "g", "1"), ("Soy sauce", "10", "ml", "1")]),
    (("shrimp", "prawn"), [("Shrimp", "150", "g", "0.85"), ("Frying oil", "20", "ml", "1")]),
    (("rice",), [("Jasmine rice", "120", "g", "1"), ("Eggs", "1", "pcs", "1"), ("Onions", "20", "g", "0.9")]),
    (("noodle", "ramen", "udon"), [("Wheat noodles", "150", "g", "1"), ("Soy sauce", "15", "ml", "1")]),
    (("fries", "chips", "potato"), [("Potatoes", "250", "g", "0.8"), ("Frying oil", "40", "ml", "1")]),
    (("salad",), [("Lettuce", "120", "g", "0.8"), ("Tomatoes", "80", "g", "0.9")]),
    (("tea",), [("Tea leaves", "5", "g", "1"), ("Milk", "80", "ml", "1"), ("Sugar", "10", "g", "1")]),
    (("cola", "soda", "coke"), [("Cola syrup", "60", "ml", "1")]),
    (("lemon",), [("Lemons", "1", "pcs", "1"), ("Sugar", "20", "g", "1")]),
    (
        ("cake", "dessert", "pancake"),
        [
            ("Flour", "80", "g", "1"),
            ("Eggs", "1", "pcs", "1"),
            ("Sugar", "40", "g", "1"),
            ("Milk", "60", "ml", "1"),
        ],
    ),
    (("drink", "beverage"), [("Sugar", "15", "g", "1"), ("Lemons", "0.5", "pcs", "1")]),
]

SUPPLIERS = [
    ("Metro Wholesale", "orders@metro-wholesale.example", 2, D("150")),
    ("Fresh Farm Produce", "sales@freshfarm.example", 1, D("60")),
    ("City Meat Co.", "orders@citymeat.example", 1, D("100")),
]
MEATS = {"Chicken drumsticks", "Chicken breast", "Beef mince", "Pork belly", "Shrimp"}


def _recipe_for(item: MenuItem) -> list[tuple]:
    for text in (item.name.lower(), item.category.name.lower()):
        for words, lines in RULES:
            if any(word in text for word in words):
                return lines
    return []


def build(store: Store, *, menu_items: dict[str, MenuItem], now: dt.datetime) -> dict[str, Ingredient]:
    today = now.date()
    suppliers = [
        services.supplier_create(
            store=store,
            name=name,
            email=email,
            contact_name="Sales desk",
            lead_time_days=lead,
            min_order_value=minimum,
        )
        for name, email, lead, minimum in SUPPLIERS
    ]
    wholesale, farm, meat = suppliers
    catalogue = dict(INGREDIENTS)
    recipes = {item.pk: _recipe_for(item) for item in menu_items.values()}
    needed = {name for lines in recipes.values() for name, *_rest in lines}
    for item in menu_items.values():
        if not recipes[item.pk]:
            name = f"{item.name} mix"[:120]
            needed.add(name)
            recipes[item.pk] = [(name, "100", "g", "1")]
            catalogue.setdefault(name, ("g", [], [], D("0.0050")))
    ingredients: dict[str, Ingredient] = {}
    for name in sorted(needed):
        unit, allergens, tags, price = catalogue[name]
        preferred = meat if name in MEATS else farm if unit != "pcs" and price < D("0.005") else wholesale
        extra = {"alt_unit": "g", "alt_factor": D("60")} if name == "Burger buns" else {}
        ingredient = services.ingredient_create(
            store=store,
            name=name,
            base_unit=unit,
            allergens=allergens,
            dietary_tags=tags,
            preferred_supplier=preferred,
            min_quantity=D("2000") if unit != "pcs" else D("20"),
            auto_order=name in MEATS,
            **extra,
        )
        ingredients[name] = ingredient
        pack = D("5000") if unit != "pcs" else D("24")
        # Two suppliers for everything: the preferred one, and Metro (or the farm) as the alternative.
        alternative = wholesale if preferred != wholesale else farm
        for supplier, factor in (
            (preferred, D("1")),
            (alternative, D("0.93") if name in MEATS else D("1.06")),
        ):
            supplier_item = services.supplier_item_upsert(
                supplier=supplier,
                ingredient=ingredient,
                pack_size=pack,
                sku=f"{supplier.name[:3].upper()}-{ingredient.pk:04d}",
            )
            # Price history: 90 days ago, then a rise 30 days ago (meat rose more: the margin story).
            rise = D("1.12") if name in MEATS else D("1.03")
            services.supplier_price_add(
                supplier_item=supplier_item,
                price=(price * factor / rise).quantize(D("0.000001")),
                effective_from=today - dt.timedelta(days=90),
            )
            services.supplier_price_add(
                supplier_item=supplier_item,
                price=(price * factor).quantize(D("0.000001")),
                effective_from=today - dt.timedelta(days=30),
            )
    for item in menu_items.values():
        for name, quantity, unit, yield_factor in recipes[item.pk]:
            services.recipe_line_set(
                store=store,
                menu_item=item,
                ingredient=ingredients[name],
                quantity=D(quantity),
                unit=unit,
                yield_factor=D(yield_factor),
            )
    # Stock: a receipt 20 days ago at the old price and one 3 days ago at the current price paid;
    # one meat is left low so the reorder analysis has something to say.
    for index, (name, ingredient) in enumerate(sorted(ingredients.items())):
        unit, _allergens, _tags, price = catalogue[name]
        amount = D("40000") if unit != "pcs" else D("200")
        for days, paid in ((20, price / (D("1.12") if name in MEATS else D("1.03"))), (3, price)):
            services.stock_movement_record(
                store=store,
                ingredient=ingredient,
                kind="receipt",
                quantity=amount / 2,
                unit=unit,
                unit_cost=paid.quantize(D("0.000001")),
                reason="Delivery",
                at=now - dt.timedelta(days=days, hours=index % 5),
            )
        if name in MEATS and index % 2 == 0:
            services.stock_movement_record(
                store=store,
                ingredient=ingredient,
                kind="waste",
                quantity=amount * D("0.85"),
                unit=unit,
                reason="Spoiled in a fridge fault",
                at=now - dt.timedelta(days=1),
            )
    return ingredients
