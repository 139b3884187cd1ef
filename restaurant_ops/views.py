from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import forms, selectors, services
from .celery import app
from .errors import DomainError, DomainErrors
from .forms import add_errors
from .models import AUDIT_ACTIONS, ApiKey, Membership, Role, TaxCategory, Weekday
from .permissions import Perm, role_has
from .setup import setup_context
from .signup_links import signup_allowed


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
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )


@login_required
def store_switch(request):
    """The header's store switcher: the same page of another store when the page is about a store and
    nothing else (a check or a ticket belongs to one store only), else that store's cards on home."""
    membership = get_object_or_404(Membership, user=request.user, store__slug=request.GET.get("to", ""))
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        try:
            match = resolve(urlsplit(target).path)
        except Resolver404:
            match = None
        if match and set(match.kwargs) == {"store_slug"}:
            return redirect(reverse(match.view_name, kwargs={"store_slug": membership.store.slug}))
    return redirect(f"{reverse('home')}#store-{membership.store.pk}")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that do not name one (the admin, API responses)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def home(request):
    if not request.user.is_authenticated:
        # A new install has nobody to log in as: the first visitor signs up as the owner.
        return redirect("sign-up" if not get_user_model().objects.exists() else settings.LOGIN_URL)
    memberships = Membership.objects.filter(user=request.user).select_related("store").order_by("store__name")
    cards = [
        {
            "membership": m,
            "can": {perm.value: role_has(m.role, perm) for perm in Perm},
            # Repeated wrong PINs and locks, raised where the owner and managers start their day.
            "pin_alerts": selectors.pin_alerts(store=m.store) if role_has(m.role, Perm.UNLOCK_PINS) else [],
        }
        for m in memberships
    ]
    return render(
        request,
        "home.html",
        {
            "cards": cards,
            "may_open_store": services.may_open_store(user=request.user),
            "owns_several": sum(m.role == Role.OWNER for m in memberships) > 1,
        },
    )


# --- sign-up and invitations ---------------------------------------------------------------------


def sign_up(request):
    """Only on an empty install: the first person becomes the owner and opens the first store."""
    if get_user_model().objects.exists():
        raise Http404
    if not signup_allowed(request.GET.get("token")):
        return render(request, "restaurant_ops/sign_up_locked.html", status=403)
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.owner_sign_up(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except DomainError as error:
            add_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("store-new")
    return render(request, "restaurant_ops/sign_up.html", {"form": form}, status=400 if form.errors else 200)


def join(request, token):
    try:
        invitation = services.invitation_open(token=token)
    except DomainError:
        return render(request, "restaurant_ops/join_invalid.html", status=404)
    needs_pin = invitation.role in (Role.OWNER, Role.MANAGER)
    form = forms.JoinForm(request.POST or None)
    if needs_pin:
        form.fields["pin"].required = True
    else:
        del form.fields["pin"]
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                pin=form.cleaned_data.get("pin", ""),
            )
        except DomainError as error:
            add_errors(form, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(store)s.") % {"store": membership.store.name})
            return redirect("home")
    return render(
        request,
        "restaurant_ops/join.html",
        {"form": form, "invitation": invitation, "needs_pin": needs_pin},
        status=400 if form.errors else 200,
    )


# --- the guided set-up; the same pages are the store's settings ----------------------------------


@login_required
def store_new(request):
    if not services.may_open_store(user=request.user):
        raise PermissionDenied
    form = forms.StoreForm(request.POST or None, initial={"time_zone": "UTC", "currency": "USD"})
    if request.method == "POST" and form.is_valid():
        try:
            store = services.store_create(owner=request.user, **form.cleaned_data)
        except DomainError as error:
            add_errors(form, error)
        else:
            return redirect("setup-taxes", store_slug=store.slug)
    return render(
        request, "restaurant_ops/store_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def setup_store(request, store_slug):
    store, _m = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STORE)
    form = forms.StoreForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        try:
            services.store_update(store=store, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                "setup-taxes" if "continue" in request.POST else "setup-store", store_slug=store.slug
            )
    context = {**setup_context(store=store, step="store"), "form": form}
    return render(request, "restaurant_ops/setup_store.html", context, status=400 if form.errors else 200)


@login_required
def setup_taxes(request, store_slug):
    store, _m = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STORE)
    form = forms.TaxForm(request.POST or None)
    if request.method == "POST" and "delete" in request.POST:
        tax = get_object_or_404(TaxCategory, store=store, pk=request.POST.get("delete") or 0)
        try:
            services.tax_category_delete(tax_category=tax)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("setup-taxes", store_slug=store.slug)
    if request.method == "POST" and form.is_valid():
        try:
            services.tax_category_save(
                store=store, name=form.cleaned_data["name"], rate=form.cleaned_data["percent"] / Decimal(100)
            )
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Tax %(name)s added.") % {"name": form.cleaned_data["name"]})
            return redirect(
                "setup-hours" if "continue" in request.POST else "setup-taxes", store_slug=store.slug
            )
    context = {
        **setup_context(store=store, step="taxes"),
        "form": form,
        "taxes": TaxCategory.objects.filter(store=store),
    }
    return render(request, "restaurant_ops/setup_taxes.html", context, status=400 if form.errors else 200)


@login_required
def setup_hours(request, store_slug):
    store, _m = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STORE)
    spans = {h.weekday: h for h in store.opening_hours.all()}
    initial = [
        {
            "weekday": day,
            "closed": bool(spans) and day not in spans,
            "opens": spans[day].opens if day in spans else forms.DEFAULT_HOURS[0],
            "closes": spans[day].closes if day in spans else forms.DEFAULT_HOURS[1],
        }
        for day in Weekday.values
    ]
    formset = forms.HoursFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if not f.cleaned_data.get("closed")]
        try:
            services.opening_hours_replace(
                store=store, spans=[(r["weekday"], r["opens"], r["closes"]) for r in rows]
            )
        except (DomainError, DomainErrors) as error:
            for e in error.errors if isinstance(error, DomainErrors) else [error]:
                messages.error(request, e.message)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect(
                "orders:setup-tables" if "continue" in request.POST else "setup-hours", store_slug=store.slug
            )
    rows = [(Weekday(f.initial["weekday"]).label, f) for f in formset.forms]
    context = {**setup_context(store=store, step="hours"), "formset": formset, "rows": rows}
    return render(request, "restaurant_ops/setup_hours.html", context, status=400 if formset.errors else 200)


@login_required
def setup_done(request, store_slug):
    store, membership = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STORE)
    context = {**setup_context(store=store, step="done"), "checklist": selectors.setup_checklist(store=store)}
    return render(request, "restaurant_ops/setup_done.html", context)


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
    keys = services.api_keys_visible(store=store, user=request.user)
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
    key = get_object_or_404(services.api_keys_visible(store=store, user=request.user), pk=key_id)
    services.api_key_revoke(key=key, revoked_by=request.user, store=store)
    messages.success(request, _("Key %(name)s revoked.") % {"name": key.name})
    return redirect("api-keys", store_slug=store.slug)


@login_required
def audit_trail(request, store_slug):
    store, _membership = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.READ_AUDIT)
    entries = selectors.audit_entries(store=store)
    if action := request.GET.get("action"):
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    actions = sorted(((code, str(label)) for code, label in AUDIT_ACTIONS.items()), key=lambda a: a[1])
    return render(
        request,
        "restaurant_ops/audit.html",
        {"store": store, "page": page, "action": action or "", "actions": actions},
    )


@login_required
def pins(request, store_slug):
    """Approval PINs: set your own, and (managers, owners) see wrong tries and unlock people and PINs."""
    store, membership = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.UNLOCK_PINS)
    form = forms.PinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.check_password(request.POST.get("password", "")):
            form.add_error("password", _("That is not your password."))
        elif form.is_valid():
            services.membership_set_pin(membership=membership, pin=form.cleaned_data["pin"])
            messages.success(request, _("Your approval PIN is set."))
            return redirect("pins", store_slug=store.slug)
    failures = selectors.audit_entries(store=store).filter(action__in=["pin_failed", "pin_locked"])[:20]
    return render(
        request,
        "restaurant_ops/pins.html",
        {
            "store": store,
            "form": form,
            "has_pin": bool(membership.pin_hash),
            "guards": selectors.pin_guards(store=store),
            "failures": failures,
        },
    )


@login_required
@require_POST
def pin_unlock(request, store_slug, guard_id):
    store, _membership = selectors.store_for_user(user=request.user, slug=store_slug, perm=Perm.UNLOCK_PINS)
    guard = get_object_or_404(selectors.pin_guards(store=store), pk=guard_id)
    services.pin_guard_unlock(guard=guard, by=request.user)
    messages.success(
        request, _("%(name)s can use PINs again.") % {"name": guard.membership.user.get_username()}
    )
    return redirect("pins", store_slug=store.slug)


def _error(request, status: int, code: str, message: str, page, *args):
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": "", "code": code, "message": message}]}, status=status)
    return page(request, *args)


def bad_request(request, exception):
    return _error(request, 400, "bad_request", _("Bad request."), defaults.bad_request, exception)


def forbidden(request, exception):
    message = _("Your role may not do this.")
    return _error(request, 403, "permission_denied", message, defaults.permission_denied, exception)


def not_found(request, exception):
    return _error(request, 404, "not_found", _("Not found."), defaults.page_not_found, exception)


def server_error(request):
    message = _("Something went wrong on our side; nothing was saved. Try again.")
    return _error(request, 500, "server_error", message, defaults.server_error)
