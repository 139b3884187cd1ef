"""Analyses that act through other apps (inventory, kitchen, staffing): offered as jobs only once those
apps are installed, so the core analyses run without them."""

from django.apps import apps


def available_jobs() -> dict:
    jobs: dict = {}
    if apps.is_installed("inventory"):
        from . import margin, stock

        jobs["low_stock"] = stock.run_low_stock
        jobs["margin"] = margin.run_margin
    if apps.is_installed("kitchen"):
        from . import operations

        jobs["prep"] = operations.run_prep
    if apps.is_installed("staffing"):
        from . import operations

        jobs["staffing"] = operations.run_staffing
    if apps.is_installed("customers"):
        from . import customers

        jobs["customers"] = customers.run_customer_insights
    return jobs


def price_change_check(**kwargs) -> None:
    """Price-change alert on a goods receipt (inventory's goods_received event)."""
    from . import prices

    prices.check_receipt(**kwargs)
