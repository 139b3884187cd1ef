"""The owner's webhooks page: endpoints (add, rotate the secret, enable/disable) and the delivery log
with a replay button. Every write is one call into connections.webhooks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from restaurant_ops.errors import DomainError
from restaurant_ops.permissions import Perm
from restaurant_ops.selectors import store_for_user

from . import webhooks
from .models import WebhookDelivery, WebhookEndpoint


def _store(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_API_KEYS)
    return store


@login_required
def webhooks_page(request, store_slug):
    store = _store(request, store_slug)
    if request.method == "POST":
        url = request.POST.get("url", "").strip()
        try:
            URLValidator(schemes=["http", "https"])(url)
            endpoint = webhooks.webhook_endpoint_create(
                store=store,
                url=url,
                topics=request.POST.getlist("topics"),
                description=request.POST.get("description", "")[:200],
            )
            messages.success(request, _("Endpoint added. Give its signing secret to the receiving system."))
            return redirect(f"{request.path}?shown={endpoint.pk}")
        except ValidationError:
            messages.error(request, _("Enter a full http:// or https:// address."))
        except DomainError as error:
            messages.error(request, error.message)
    endpoints = WebhookEndpoint.objects.filter(store=store)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint__store=store)
        .select_related("event", "endpoint")
        .prefetch_related("log")
    )[:50]
    return render(
        request,
        "connections/webhooks.html",
        {
            "store": store,
            "endpoints": endpoints,
            "deliveries": deliveries,
            "topics": webhooks.TOPICS,
            "shown": request.GET.get("shown", ""),
        },
    )


@login_required
@require_POST
def endpoint_rotate(request, store_slug, endpoint_id):
    store = _store(request, store_slug)
    endpoint = get_object_or_404(WebhookEndpoint, store=store, pk=endpoint_id)
    webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
    messages.success(request, _("New secret issued; the previous one keeps signing for 24 hours."))
    return redirect(f"/stores/{store.slug}/webhooks/?shown={endpoint.pk}")


@login_required
@require_POST
def endpoint_toggle(request, store_slug, endpoint_id):
    store = _store(request, store_slug)
    endpoint = get_object_or_404(WebhookEndpoint, store=store, pk=endpoint_id)
    webhooks.webhook_endpoint_update(endpoint=endpoint, is_active=not endpoint.is_active)
    return redirect("webhooks", store_slug=store.slug)


@login_required
@require_POST
def delivery_replay(request, store_slug, delivery_id):
    store = _store(request, store_slug)
    delivery = get_object_or_404(WebhookDelivery, endpoint__store=store, pk=delivery_id)
    webhooks.webhook_delivery_replay(delivery=delivery)
    messages.success(request, _("Delivery queued again."))
    return redirect("webhooks", store_slug=store.slug)
