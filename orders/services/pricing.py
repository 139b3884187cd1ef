"""Prices and money arithmetic: the one place a line, a cart or a check is priced (the order
service, the checks and the guest page's cart all call it)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store

from ..models import Check, MenuItem, Modifier, Order, OrderLine

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split_tax(amount: Decimal, rate: Decimal, *, inclusive: bool) -> tuple[Decimal, Decimal]:
    """Returns (tax, net) for an amount as priced: inclusive prices contain their tax."""
    if inclusive:
        tax = money(amount * rate / (1 + rate))
        return tax, amount - tax
    return money(amount * rate), amount


@dataclass(frozen=True)
class PricedLine:
    unit_price: Decimal
    line_total: Decimal
    tax_amount: Decimal
    net_amount: Decimal


def price_line(*, item: MenuItem, modifiers: list[Modifier], quantity: int, inclusive: bool) -> PricedLine:
    """A line as the menu prices it now: the item's price plus its modifiers' deltas, times the
    quantity, with its tax split at the item's rate."""
    unit_price = item.price + sum((m.price_delta for m in modifiers), Decimal("0"))
    line_total = unit_price * quantity
    tax, net = split_tax(line_total, item.tax_rate, inclusive=inclusive)
    return PricedLine(unit_price=unit_price, line_total=line_total, tax_amount=tax, net_amount=net)


def price_totals(
    lines: list[PricedLine], *, inclusive: bool, service_charge_rate: Decimal = Decimal("0")
) -> dict[str, Decimal]:
    """Subtotal, tax, net sales, service charge (on net sales, untaxed) and total of priced lines."""
    subtotal = sum((line.line_total for line in lines), Decimal("0"))
    tax = sum((line.tax_amount for line in lines), Decimal("0"))
    net_sales = sum((line.net_amount for line in lines), Decimal("0"))
    service_charge = money(net_sales * service_charge_rate)
    total = (subtotal if inclusive else subtotal + tax) + service_charge
    return {
        "subtotal": subtotal,
        "tax": tax,
        "net_sales": net_sales,
        "service_charge": service_charge,
        "total": total,
    }


def service_charge_rate(check: Check) -> Decimal:
    """The store's service charge applies to dine-in checks; takeaway pays none."""
    return (
        check.store.service_charge_rate if check.service_type == Order.ServiceType.DINE_IN else Decimal("0")
    )


def line_charged(*, line: OrderLine, service_charge_rate: Decimal) -> Decimal:
    """What the guest paid for a whole line as its check stands: after its share of discounts and
    comps, with its tax when prices exclude it, and the service charge on its net."""
    amount = line.line_total - line.discount_amount
    due = amount if line.order.prices_include_tax else amount + line.tax_amount
    return due + money(line.net_amount * service_charge_rate)


def cart_quote(*, store: Store, lines) -> dict:
    """What a cart of `LineRequest`s would cost at today's menu prices (the guest page's running
    total). Lines naming no item on the menu are left out; the order service prices again on placing."""
    items = {
        i.pk: i
        for i in MenuItem.objects.filter(store=store, pk__in=[ln.item_id for ln in lines])
        .select_related("tax_category")
        .prefetch_related("modifier_groups__modifiers")
    }
    inclusive, priced, count = store.prices_include_tax, [], 0
    for line in lines:
        item = items.get(line.item_id)
        if item is None:
            continue
        offered = {m.pk: m for group in item.modifier_groups.all() for m in group.modifiers.all()}
        chosen = [offered[m] for m in line.modifier_ids if m in offered]
        priced.append(price_line(item=item, modifiers=chosen, quantity=line.quantity, inclusive=inclusive))
        count += line.quantity
    totals = price_totals(priced, inclusive=inclusive, service_charge_rate=store.service_charge_rate)
    return {"count": count, **{k: totals[k] for k in ("subtotal", "tax", "service_charge", "total")}}


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """Shares of `amount` that sum to it exactly: each the amount ÷ parts rounded down to the cent,
    the cents left over going one each to the first shares (100.00 / 3 = 33.34, 33.33, 33.33)."""
    if parts < 1:
        raise DomainError("parts", "out_of_range", _("Split into at least one part."))
    cents = int((amount / CENT).to_integral_value())
    base, remainder = divmod(cents, parts)
    return [(base + (1 if index < remainder else 0)) * CENT for index in range(parts)]


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` spread over `weights` in proportion, to the cent, by largest remainder (ties: first)."""
    weight_sum = sum(weights, Decimal("0"))
    if not weights or weight_sum <= 0 or total == 0:
        return [Decimal("0.00") for _w in weights]
    cents = int((total / CENT).to_integral_value())
    exact = [Decimal(cents) * w / weight_sum for w in weights]
    floors = [int(e) for e in exact]  # weights and total are non-negative here
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [f * CENT for f in floors]


def amount_checked(value: Decimal, field: str, *, allow_zero: bool = False) -> Decimal:
    """The rules for an amount of money a service is given (a Decimal: the serializer or the form parsed
    it): more than zero (or zero, where `allow_zero`), below 10,000,000, in whole cents."""
    return check_decimal(
        value,
        field,
        allow_zero=allow_zero,
        below=MAX_AMOUNT,
        places=2,
        sign_error=("out_of_range", _("The amount must be more than zero.")),
        size_error=("out_of_range", _("That amount is too large.")),
        places_error=("invalid", _("Enter an amount in whole cents.")),
    )
