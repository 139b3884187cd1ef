from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import DomainError
from .models import ApiKey, Membership
from .permissions import Perm, role_has


@never_cache
def healthz(request):
    """For load balancers and docker-compose: database and broker reachable. 503 when either is not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        from restaurant_ops.celery import app

        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )


def favicon(request):
    """Browsers ask for /favicon.ico on pages that do not name one (the admin, API responses)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@login_required
def home(request):
    memberships = Membership.objects.filter(user=request.user).select_related("store").order_by("store__name")
    cards = [
        {"membership": m, "can": {perm.value: role_has(m.role, perm) for perm in Perm}} for m in memberships
    ]
    return render(request, "home.html", {"cards": cards})


@login_required
def api_keys(request, store_slug):
    store, _membership = selectors.store_for_user(
        user=request.user, slug=store_slug, perm=Perm.MANAGE_API_KEYS
    )
    new_key = None
    if request.method == "POST":
        try:
            key, raw = services.api_key_create(
                store=store,
                name=request.POST.get("name", ""),
                scope=request.POST.get("scope", ""),
                created_by=request.user,
            )
            new_key = {"key": key, "raw": raw}
        except DomainError as error:
            messages.error(request, error.message)
    keys = ApiKey.objects.filter(store=store).select_related("created_by")
    return render(
        request,
        "restaurant_ops/api_keys.html",
        {"store": store, "keys": keys, "new_key": new_key, "scopes": ApiKey.Scope.choices},
    )


@login_required
@require_POST
def api_key_revoke(request, store_slug, key_id):
    store, _membership = selectors.store_for_user(
        user=request.user, slug=store_slug, perm=Perm.MANAGE_API_KEYS
    )
    key = get_object_or_404(ApiKey, store=store, pk=key_id)
    services.api_key_revoke(key=key, revoked_by=request.user)
    messages.success(request, _("Key %(name)s revoked.") % {"name": key.name})
    return redirect("api-keys", store_slug=store.slug)


@login_required
def audit_trail(request, store_slug):
    store, _membership = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.READ_AUDIT)
    entries = selectors.audit_entries(store=store)
    if action := request.GET.get("action"):
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "restaurant_ops/audit.html", {"store": store, "page": page, "action": action or ""}
    )
