"""`{{ word|food_word }}`: an allergen or dietary tag in the reader's language (a builtin filter)."""

from django import template

from restaurant_ops.allergens import food_word as translate_food_word

register = template.Library()


@register.filter
def food_word(word: str) -> str:
    return translate_food_word(word)
