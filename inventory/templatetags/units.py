"""`{{ quantity|qty:base_unit }}` and `{% unit_price price base_unit store %}`: stock and prices in the
units people buy and cook in (see inventory.units)."""

from django import template

from inventory import units

register = template.Library()


@register.filter
def qty(quantity, base_unit) -> str:
    return units.display(quantity, base_unit)


@register.simple_tag
def unit_price(price, base_unit, store) -> str:
    return units.price_display(price, base_unit, store.currency)
