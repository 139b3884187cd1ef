"""Analyses that act through other apps (inventory, kitchen, staffing): offered as jobs only once the
services they need exist, so the core analyses run on a store without them."""


def available_jobs() -> dict:
    jobs: dict = {}
    return jobs


def price_change_check(**kwargs) -> None:
    """Price-change alert on a goods receipt (needs inventory's goods_received event)."""
    return None
