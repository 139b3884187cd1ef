"""Rounding the dashboard's figures: money to the cent, percentages and minutes to a tenth."""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def q(value: Decimal | None, step: Decimal = CENT) -> Decimal | None:
    return None if value is None else value.quantize(step, ROUND_HALF_UP)


def pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return q(Decimal(part) * 100 / Decimal(whole), TENTH)
