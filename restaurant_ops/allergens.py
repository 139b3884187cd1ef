"""The words for allergens and dietary tags that the product knows, in every language it speaks.

Ingredients keep what the owner typed (lower case); a known word (the fourteen allergens food law
asks menus to declare, and the usual tags) is shown in the reader's language, any other word as typed."""

from django.utils.translation import gettext_lazy as _

ALLERGENS = {
    "gluten": _("gluten"),
    "crustaceans": _("crustaceans"),
    "egg": _("egg"),
    "eggs": _("egg"),
    "fish": _("fish"),
    "peanut": _("peanuts"),
    "peanuts": _("peanuts"),
    "soy": _("soy"),
    "soya": _("soy"),
    "milk": _("milk"),
    "nuts": _("tree nuts"),
    "tree nuts": _("tree nuts"),
    "celery": _("celery"),
    "mustard": _("mustard"),
    "sesame": _("sesame"),
    "sulphites": _("sulphites"),
    "sulfites": _("sulphites"),
    "lupin": _("lupin"),
    "molluscs": _("molluscs"),
}
DIETARY_TAGS = {
    "vegan": _("vegan"),
    "vegetarian": _("vegetarian"),
    "gluten_free": _("gluten-free"),
    "halal": _("halal"),
    "kosher": _("kosher"),
    "spicy": _("spicy"),
}


def food_word(word: str) -> str:
    """An allergen or dietary tag as the reader's language says it (as typed when the word is not known)."""
    label = ALLERGENS.get(word) or DIETARY_TAGS.get(word)
    return str(label) if label is not None else word
