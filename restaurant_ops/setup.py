"""The guided set-up of a new restaurant: its steps, in order. Each step is a page of the app that owns
what it writes (its views call that app's services); the same pages are the store's settings later.
Only URL names are listed here, so restaurant_ops imports none of the apps."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

STEPS = [
    ("store", "setup-store", _("Restaurant")),
    ("taxes", "setup-taxes", _("Tax")),
    ("hours", "setup-hours", _("Opening hours")),
    ("tables", "orders:setup-tables", _("Tables")),
    ("menu", "orders:setup-menu", _("Menu")),
    ("stations", "kitchen:setup-stations", _("Kitchen stations")),
    ("ingredients", "inventory:setup-ingredients", _("Ingredients and suppliers")),
    ("recipes", "inventory:setup-recipes", _("Recipes")),
    ("staff", "staffing:setup-staff", _("Staff")),
    ("done", "setup-done", _("Ready")),
]


def setup_context(*, store, step: str) -> dict:
    """What a step's template needs: the store, every step with its URL, and the next step's URL."""
    steps = [
        {"key": key, "url": reverse(name, args=[store.slug]), "label": label, "current": key == step}
        for key, name, label in STEPS
    ]
    index = next(i for i, s in enumerate(steps) if s["current"])
    following = steps[index + 1] if index + 1 < len(steps) else None
    return {
        "store": store,
        "setup_steps": steps,
        "step_number": index + 1,
        "next_step": following,
    }
