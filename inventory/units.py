"""Units people type, and the ingredient's base unit they become.

Within a dimension the factors are fixed (1 kg = 1000 g, 1 l = 1000 ml). Across dimensions only an
ingredient's own factor converts ("1 bun = 60 g"); anything else is a unit mismatch.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError

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
