"""Forms for the set-up pages of ingredients and recipes: they parse what a person typed; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import MenuItem

from .models import BaseUnit, Ingredient
from .units import UNITS, unit_label

UNIT_CHOICES = [(unit, unit_label(unit)) for unit in UNITS]


class IngredientEditForm(forms.Form):
    """An ingredient's name and the unit it is counted in (the unit only while nothing uses it)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    base_unit = forms.ChoiceField(label=_("Counted in"), choices=BaseUnit.choices)


class IngredientForm(forms.Form):
    """One ingredient, typed in or read from one row of an imported CSV (column names = field names)."""

    name = forms.CharField(label=_("Ingredient"), max_length=120)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=UNIT_CHOICES, help_text=_("The unit you buy and count it in.")
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=120, required=False)
    price = forms.DecimalField(
        label=_("Price per unit"), min_value=0, max_digits=12, decimal_places=4, required=False
    )
    stock = forms.DecimalField(
        label=_("On the shelf now"), min_value=0, max_digits=12, decimal_places=3, required=False
    )

    def clean_unit(self):
        return self.cleaned_data["unit"].strip().lower()


class RecipeLineForm(forms.Form):
    """One line of a recipe: how much of an ingredient one portion of a menu item uses. From a CSV the
    item and the ingredient are given by name."""

    menu_item = forms.ModelChoiceField(
        label=_("Menu item"), queryset=MenuItem.objects.none(), to_field_name="name"
    )
    ingredient = forms.ModelChoiceField(
        label=_("Ingredient"), queryset=Ingredient.objects.none(), to_field_name="name"
    )
    quantity = forms.DecimalField(
        label=_("Quantity per portion"), min_value=0, max_digits=12, decimal_places=3
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["menu_item"].queryset = MenuItem.objects.filter(store=store, is_active=True).order_by(
            "name"
        )
        self.fields["ingredient"].queryset = Ingredient.objects.filter(store=store, is_active=True).order_by(
            "name"
        )


INGREDIENT_CSV_COLUMNS = ["name", "unit", "supplier", "price", "stock"]
INGREDIENT_CSV_REQUIRED = ["name", "unit"]
RECIPE_CSV_COLUMNS = ["menu_item", "ingredient", "quantity", "unit"]
RECIPE_CSV_REQUIRED = RECIPE_CSV_COLUMNS
