"""Units people type, and the ingredient's base unit they become.

Within a dimension the factors are fixed (1 kg = 1000 g, 1 l = 1000 ml). Across dimensions only an
ingredient's own factor converts ("1 bun = 60 g"); anything else is a unit mismatch.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from restaurant_ops.errors import DomainError
from restaurant_ops.money import money

# unit -> (dimension = its base unit, how many base units one of it is)
UNITS: dict[str, tuple[str, Decimal]] = {
    "g": ("g", Decimal("1")),
    "kg": ("g", Decimal("1000")),
    "ml": ("ml", Decimal("1")),
    "l": ("ml", Decimal("1000")),
    "pcs": ("pcs", Decimal("1")),
}


def to_base(ingredient, quantity: Decimal, unit: str, *, field: str = "unit") -> Decimal:
    """`quantity` of `unit` in `ingredient`'s base unit, or DomainError(field, "unit_mismatch")."""
    if unit not in UNITS:
        raise DomainError(
            field, "unknown_unit", _("Unknown unit %(unit)s; use g, kg, ml, l or pcs.") % {"unit": unit}
        )
    dimension, factor = UNITS[unit]
    quantity = Decimal(quantity) * factor
    if dimension == ingredient.base_unit:
        return quantity
    if ingredient.alt_unit == dimension and ingredient.alt_factor:
        return quantity / ingredient.alt_factor
    raise DomainError(
        field,
        "unit_mismatch",
        _("%(ingredient)s is counted in %(base)s; %(unit)s cannot be converted without a factor.")
        % {"ingredient": ingredient.name, "base": ingredient.base_unit, "unit": unit},
    )


# base unit -> the unit people buy and cook in once a quantity reaches it, and its size in base units
BUYING_UNITS: dict[str, tuple[str, Decimal]] = {"g": ("kg", Decimal("1000")), "ml": ("l", Decimal("1000"))}


def buying_unit(base_unit: str) -> tuple[str, Decimal]:
    """The unit a base unit is bought and priced in (g → kg, ml → l, pcs stays) and its size in base units."""
    return BUYING_UNITS.get(base_unit, (base_unit, Decimal("1")))


def unit_label(unit: str):
    """A unit as the reader's language writes it: kg, g, l and ml read the same in every language;
    pieces do not. Lazy, so it also serves as a form choice's label."""
    return gettext_lazy("pcs") if unit == "pcs" else unit


def number(value: Decimal) -> str:
    # up to 3 decimals without trailing zeros (2.5, not 2.500), in the reader's number format
    value = value.quantize(Decimal("0.001")).normalize()
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value)


def display(quantity, base_unit: str) -> str:
    """A stored quantity as people say it: 2.5 kg rather than 2500 g, 750 g stays 750 g, 1.2 l, 12 pcs."""
    if quantity is None:
        return ""
    quantity = Decimal(quantity)
    bigger, size = buying_unit(base_unit)
    if abs(quantity) >= size:
        return f"{number(quantity / size)} {unit_label(bigger)}"
    return f"{number(quantity)} {unit_label(base_unit)}"


def price_display(price_per_base_unit, base_unit: str, currency: str) -> str:
    """A price stored per g / ml / piece, as suppliers quote it: per kg, per l, per piece."""
    if price_per_base_unit is None:
        return ""
    bigger, size = buying_unit(base_unit)
    return f"{money(Decimal(price_per_base_unit) * size, currency)}/{unit_label(bigger)}"
