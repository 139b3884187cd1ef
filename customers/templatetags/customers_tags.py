"""Tags for the panels customers adds to orders' pages (the till's check page, the receipt)."""

import segno
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from customers import selectors, services
from restaurant_ops.permissions import Perm, role_has
from restaurant_ops.services import membership_for

register = template.Library()


@register.simple_tag
def customer_of(guest_check):
    return selectors.check_customer(guest_check=guest_check)


@register.simple_tag
def sees_pii(user, store) -> bool:
    membership = membership_for(user=user, store=store)
    return bool(membership and role_has(membership.role, Perm.SEE_CUSTOMERS))


@register.simple_tag
def feedback_url(guest_check) -> str:
    token = services.feedback_token(guest_check=guest_check)
    return settings.PUBLIC_BASE_URL + reverse("customers:receipt-feedback", kwargs={"token": token})


@register.simple_tag
def qr_svg(url: str, title: str = ""):
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3, border=2, title=title))  # noqa: S308 (our own SVG)


@register.filter
def masked(phone) -> str:
    return selectors.mask_phone(phone)
