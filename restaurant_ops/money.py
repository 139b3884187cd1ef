"""One money format for every page: the store's currency in the reader's language (CLDR rules via
babel), so ¥1,234.50 reads the same on the till, the receipt, the reports and the dashboard."""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django.utils import translation

# Our languages -> the CLDR locale whose number and currency conventions the reader expects.
LOCALES = {"zh-hans": "zh_Hans_CN", "en": "en"}


def money(amount, currency: str, *, language: str | None = None) -> str:
    """`amount` (Decimal, int or a decimal string from a stored report) in `currency`; "" for none."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    language = (language or translation.get_language() or "en").lower()
    return format_currency(value, currency, locale=LOCALES.get(language, translation.to_locale(language)))
