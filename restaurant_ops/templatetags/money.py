"""`{{ amount|money:store }}` (or `|money:"CNY"`): a builtin filter, so no template loads it."""

from django import template

from restaurant_ops.money import money as format_money

register = template.Library()


@register.filter
def money(amount, store_or_currency) -> str:
    currency = getattr(store_or_currency, "currency", store_or_currency)
    if not currency:  # a page without its store: the bare amount rather than an error
        return "" if amount is None else str(amount)
    return format_money(amount, currency)
