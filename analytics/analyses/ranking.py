"""How every ranking orders its rows, so ties fall the same way everywhere (best sellers, the menu
matrix's listing, the margin's worst ingredient, supplier offers): the measure first (highest first
unless said otherwise), rows whose measure is unknown last, then the name A–Z, then the id."""

from collections.abc import Callable, Iterable
from decimal import Decimal


def ranked(
    rows: Iterable[dict],
    measure: Callable[[dict], Decimal | int | None],
    *,
    name: str = "name",
    id_key: str = "menu_item_id",
    highest_first: bool = True,
) -> list[dict]:
    def key(row):
        value = measure(row)
        unknown = value is None
        order = 0 if unknown else (-value if highest_first else value)
        return (unknown, order, str(row.get(name) or ""), row.get(id_key) or 0)

    return sorted(rows, key=key)
