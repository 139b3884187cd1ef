"""Demo data for the kitchen: stations, routing and prep-ahead flags for whatever menu the demo
loader hands over (guessed from words in item and category names), and a few manual prep tasks.
Called by the lead's loader; nothing else imports it."""

import datetime as dt

from orders.models import MenuItem
from restaurant_ops.models import Store

from . import services
from .models import Station

ROUTES = [
    (
        "Drinks",
        ("tea", "cola", "soda", "coke", "lemon", "juice", "coffee", "drink", "beverage", "water", "beer"),
    ),
    ("Fryer", ("fries", "chips", "fried", "wing", "drumstick", "tempura", "nugget")),
    ("Cold", ("salad", "dessert", "cake", "ice", "cold")),
]
PREP_AHEAD = ("drumstick", "wing", "marinated", "soup", "curry", "stew", "braised", "cake")


def _station_for(item: MenuItem, stations: dict[str, Station]) -> Station:
    for text in (item.name.lower(), item.category.name.lower()):
        for station, words in ROUTES:
            if any(word in text for word in words):
                return stations[station]
    return stations["Grill"]


def build(store: Store, *, menu_items: dict[str, MenuItem], now: dt.datetime) -> dict[str, Station]:
    stations = {"Grill": services.station_create(store=store, name="Grill", is_default=True, position=0)}
    for position, (name, _words) in enumerate(ROUTES, start=1):
        stations[name] = services.station_create(store=store, name=name, position=position)
    for item in menu_items.values():
        prep_ahead = any(word in item.name.lower() for word in PREP_AHEAD)
        services.kitchen_item_set(menu_item=item, station=_station_for(item, stations), prep_ahead=prep_ahead)
        if prep_ahead:
            services.prep_task_create(
                store=store,
                menu_item=item,
                quantity=12,
                note="Before the lunch rush",
                ready_by=now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=2),
            )
    return stations
