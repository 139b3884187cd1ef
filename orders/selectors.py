from decimal import Decimal

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from restaurant_ops.models import Store

from .models import (
    CashDrawerSession,
    Check,
    CheckAdjustment,
    MenuCategory,
    MenuItem,
    Order,
    OrderLine,
    Payment,
    RefundLine,
)


def menu_items(stores: QuerySet[Store]) -> QuerySet[MenuItem]:
    return (
        MenuItem.objects.filter(store__in=stores)
        .select_related("store", "category", "tax_category")
        .prefetch_related("modifier_groups__modifiers")
    )


def menu_categories(stores: QuerySet[Store]) -> QuerySet[MenuCategory]:
    return MenuCategory.objects.filter(store__in=stores).prefetch_related(
        Prefetch(
            "items",
            queryset=MenuItem.objects.filter(is_active=True)
            .select_related("store", "category", "tax_category")
            .prefetch_related("modifier_groups__modifiers"),
        )
    )


def orders_with_lines(stores: QuerySet[Store]) -> QuerySet[Order]:
    return (
        Order.objects.filter(store__in=stores)
        .select_related("store")
        .prefetch_related(
            Prefetch(
                "lines", queryset=OrderLine.objects.select_related("menu_item").prefetch_related("modifiers")
            )
        )
    )


# --- Front of house -----------------------------------------------------------------------------


def checks(stores: QuerySet[Store]) -> QuerySet[Check]:
    return (
        Check.objects.filter(store__in=stores)
        .select_related("store", "table", "receipt")
        .prefetch_related(
            Prefetch(
                "lines", queryset=OrderLine.objects.select_related("order").prefetch_related("modifiers")
            ),
            Prefetch(
                "payments", queryset=Payment.objects.select_related("store").prefetch_related("refund_lines")
            ),
            "adjustments",
        )
    )


def check_lines(*, guest_check: Check) -> QuerySet[OrderLine]:
    """The check's lines, each with `refunded` (portions refunded by line) and `refundable` (left)."""
    refunded = (
        RefundLine.objects.filter(line=OuterRef("pk")).values("line").annotate(n=Sum("quantity")).values("n")
    )
    return (
        OrderLine.objects.filter(guest_check=guest_check)
        .annotate(refunded=Coalesce(Subquery(refunded), 0))
        .annotate(refundable=F("quantity") - F("refunded"))
        .select_related("order")
        .prefetch_related("modifiers")
        .order_by("order__placed_at", "position", "id")
    )


def payments(stores: QuerySet[Store]) -> QuerySet[Payment]:
    return Payment.objects.filter(store__in=stores).select_related("store").prefetch_related("refund_lines")


def table_open_checks(*, store: Store) -> QuerySet[Check]:
    return (
        Check.objects.filter(store=store, status__in=Check.OPEN_STATUSES)
        .select_related("table")
        .order_by("table__position", "table__name", "opened_at")
    )


def _s(value) -> str:
    return str(value if value is not None else Decimal("0.00"))


def drawer_report(*, drawer: CashDrawerSession, counted_cash: Decimal | None = None) -> dict:
    """The X report (any time, changes nothing) and, frozen at close, the Z report of one drawer
    session: payments by method, the sales of the checks settled in it (net, discounts and comps,
    tax, service charge, tips), voids and refunds, and the cash the drawer should hold. Everything is
    aggregated in the database: a day of thousands of orders is a handful of queries."""
    zero = Decimal("0")
    pay = Payment.objects.filter(drawer_session=drawer)
    is_pay, is_refund = Q(kind=Payment.Kind.PAYMENT), Q(kind=Payment.Kind.REFUND)
    methods = []
    for row in (
        pay.values("method")
        .order_by("method")
        .annotate(
            payments=Count("id", filter=is_pay),
            paid=Sum("amount", filter=is_pay, default=zero),
            tips=Sum("tip", default=zero),
            refunds=Count("id", filter=is_refund),
            refunded=Sum("amount", filter=is_refund, default=zero),
            net=Sum("amount", default=zero),
        )
    ):
        methods.append(
            {
                "method": row["method"],
                "label": str(Payment.Method(row["method"]).label),
                "payments": row["payments"],
                "amount": _s(row["paid"]),
                "tips": _s(row["tips"]),
                "refunds": row["refunds"],
                "refunded": _s(-row["refunded"]),
                "net": _s(row["net"]),
                "net_with_tips": _s(row["net"] + row["tips"]),
            }
        )
    totals = pay.aggregate(
        net=Sum("amount", default=zero),
        tips=Sum("tip", default=zero),
        refunds=Count("id", filter=is_refund),
        refunded=Sum("amount", filter=is_refund, default=zero),
    )
    cash = pay.filter(method=Payment.Method.CASH).aggregate(amount=Sum(F("amount") + F("tip"), default=zero))[
        "amount"
    ]
    expected = drawer.opening_float + cash

    settled = Check.objects.filter(drawer_session=drawer)
    sales = settled.aggregate(
        checks=Count("id"),
        subtotal=Sum("subtotal", default=zero),
        discounts=Sum("discount_total", default=zero),
        net_sales=Sum("net_sales", default=zero),
        tax=Sum("tax", default=zero),
        service_charge=Sum("service_charge", default=zero),
        total=Sum("total", default=zero),
        tips=Sum("tip_total", default=zero),
    )
    comps = CheckAdjustment.objects.filter(guest_check__drawer_session=drawer, kind=CheckAdjustment.Kind.COMP)
    comp = comps.aggregate(count=Count("id"), amount=Sum("line__line_total", default=zero))
    discount_count = CheckAdjustment.objects.filter(
        guest_check__drawer_session=drawer, kind=CheckAdjustment.Kind.DISCOUNT
    ).count()
    voided = (
        OrderLine.objects.filter(guest_check__drawer_session=drawer)
        .filter(Q(voided_at__isnull=False) | Q(order__status=Order.Status.CANCELLED))
        .aggregate(
            lines=Count("id"), quantity=Sum("quantity", default=0), amount=Sum("line_total", default=zero)
        )
    )
    by_rate = (
        OrderLine.objects.filter(guest_check__drawer_session=drawer, voided_at__isnull=True)
        .exclude(order__status=Order.Status.CANCELLED)
        .values("tax_rate")
        .order_by("tax_rate")
        .annotate(lines=Count("id"), amount=Sum(F("line_total") - F("discount_amount"), default=zero))
    )
    report = {
        "drawer": drawer.pk,
        # sales after discounts as priced, per tax rate (the tax itself is summed per line in "sales")
        "tax_rates": [
            {"rate": str(row["tax_rate"]), "lines": row["lines"], "amount": _s(row["amount"])}
            for row in by_rate
        ],
        "register": drawer.register.name,
        "opened_at": drawer.opened_at.isoformat(),
        "methods": methods,
        "payments_net": _s(totals["net"]),
        "tips": _s(totals["tips"]),
        "refunds": {"count": totals["refunds"], "amount": _s(-totals["refunded"])},
        "sales": {key: (value if key == "checks" else _s(value)) for key, value in sales.items()},
        "discounts": {"count": discount_count, "amount": _s(sales["discounts"] - comp["amount"])},
        "comps": {"count": comp["count"], "amount": _s(comp["amount"])},
        "voids": {"lines": voided["lines"], "quantity": voided["quantity"], "amount": _s(voided["amount"])},
        "cash": {
            "opening_float": _s(drawer.opening_float),
            "taken": _s(cash),
            "expected": _s(expected),
            "counted": _s(counted_cash) if counted_cash is not None else None,
            "difference": _s(counted_cash - expected) if counted_cash is not None else None,
        },
    }
    return report
