"""A generic, realistic menu for a demo store: tax categories, menu categories, items with modifier
groups, tables and a register. Called by the lead's demo loader; safe to call twice (get-or-create by
name). Nothing in the app treats these records specially."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from restaurant_ops.models import Store, TaxCategory

from .models import MenuCategory, MenuItem, Modifier, ModifierGroup, Register, Table

TAX_RATES = {"food": ("Food", Decimal("0.0700")), "drinks": ("Drinks", Decimal("0.1900")),
             "alcohol": ("Alcohol", Decimal("0.1900"))}

# (group key, name, min, max, [(modifier, price delta)])
MODIFIER_GROUPS = [
    ("size", "Size", 1, 1, [("Regular", "0.00"), ("Large", "1.50")]),
    ("spice", "Spice level", 0, 1, [("Mild", "0.00"), ("Medium", "0.00"), ("Hot", "0.00")]),
    ("extras", "Extras", 0, 3, [("Extra cheese", "1.00"), ("Bacon", "2.00"), ("Fried egg", "1.20")]),
    ("sides", "Side", 1, 1, [("Fries", "0.00"), ("Salad", "0.00"), ("Rice", "0.00")]),
    ("milk", "Milk", 0, 1, [("Oat milk", "0.40"), ("Soy milk", "0.40")]),
]

CATEGORIES = ["Starters", "Mains", "Sides", "Desserts", "Drinks"]

# name, category, price, tax key, modifier groups, description
DEFAULT_ITEMS = [
    {"name": "Chicken drumsticks", "category": "Mains", "price": "9.50", "modifiers": ["spice", "sides"],
     "description": "Four crispy drumsticks, marinated overnight."},
    {"name": "Cheeseburger", "category": "Mains", "price": "11.90", "modifiers": ["extras", "sides"],
     "description": "Beef patty, cheddar, pickles, brioche bun."},
    {"name": "Veggie bowl", "category": "Mains", "price": "10.50", "modifiers": ["spice"],
     "description": "Rice, roasted vegetables, tofu, sesame dressing."},
    {"name": "Beef noodles", "category": "Mains", "price": "12.80", "modifiers": ["spice", "size"],
     "description": "Hand-pulled noodles in a slow-cooked broth."},
    {"name": "Fried rice", "category": "Mains", "price": "8.90", "modifiers": ["extras"]},
    {"name": "Chicken wings", "category": "Starters", "price": "6.90", "modifiers": ["spice"]},
    {"name": "Spring rolls", "category": "Starters", "price": "5.50"},
    {"name": "Tomato soup", "category": "Starters", "price": "4.90", "modifiers": ["size"]},
    {"name": "Fries", "category": "Sides", "price": "3.50", "modifiers": ["size"]},
    {"name": "Side salad", "category": "Sides", "price": "3.90"},
    {"name": "Cheesecake", "category": "Desserts", "price": "5.20"},
    {"name": "Ice cream", "category": "Desserts", "price": "3.80"},
    {"name": "Cola", "category": "Drinks", "price": "2.80", "tax": "drinks", "modifiers": ["size"]},
    {"name": "Lemonade", "category": "Drinks", "price": "3.20", "tax": "drinks"},
    {"name": "Coffee", "category": "Drinks", "price": "2.90", "tax": "drinks", "modifiers": ["milk"]},
    {"name": "Draft beer", "category": "Drinks", "price": "4.50", "tax": "alcohol", "modifiers": ["size"]},
]

TABLES = [("T1", 2), ("T2", 2), ("T3", 4), ("T4", 4), ("T5", 4), ("T6", 6), ("Bar 1", 1), ("Bar 2", 1)]


@transaction.atomic
def build(store: Store, *, now: dt.datetime, items: list[dict] | None = None) -> dict[str, MenuItem]:
    """Creates the menu, tables and a register for `store`; returns {item name: MenuItem}.

    `items` (optional) replaces the default dish list; each spec is a dict with name, category,
    price (str or Decimal) and optionally tax ("food", "drinks", "alcohol"), modifiers (group keys
    from MODIFIER_GROUPS), description and external_id. Unknown categories are created."""
    taxes = {}
    for key, (name, rate) in TAX_RATES.items():
        taxes[key], _created = TaxCategory.objects.get_or_create(store=store, name=name, defaults={"rate": rate})
    groups = {}
    for position, (key, name, low, high, modifiers) in enumerate(MODIFIER_GROUPS):
        group, created = ModifierGroup.objects.get_or_create(
            store=store, name=name, defaults={"min_choices": low, "max_choices": high, "position": position})
        if created:
            Modifier.objects.bulk_create([Modifier(group=group, name=m, price_delta=Decimal(delta), position=i)
                                          for i, (m, delta) in enumerate(modifiers)])
        groups[key] = group
    specs = items if items is not None else DEFAULT_ITEMS
    category_names = list(dict.fromkeys([*CATEGORIES, *(spec["category"] for spec in specs)]))
    categories = {}
    for position, name in enumerate(category_names):
        categories[name], _created = MenuCategory.objects.get_or_create(store=store, name=name,
                                                                        defaults={"position": position})
    result: dict[str, MenuItem] = {}
    for position, spec in enumerate(specs):
        item = MenuItem.objects.filter(store=store, name=spec["name"]).first()
        if item is None:
            item = MenuItem.objects.create(
                store=store, category=categories[spec["category"]], name=spec["name"],
                description=spec.get("description", ""), price=Decimal(str(spec["price"])),
                tax_category=taxes[spec.get("tax", "food")], external_id=spec.get("external_id", ""),
                position=position, created_at=now)
            item.modifier_groups.set([groups[key] for key in spec.get("modifiers", [])])
        result[item.name] = item
    for position, (name, seats) in enumerate(TABLES):
        Table.objects.get_or_create(store=store, name=name, defaults={"seats": seats, "position": position})
    Register.objects.get_or_create(store=store, name="Front")
    return result
