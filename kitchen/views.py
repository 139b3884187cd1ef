"""Kitchen pages: the live display (its board polled every second, 304 while unchanged), the prep list."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import quote_etag
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from orders.models import MenuItem
from restaurant_ops.errors import DomainError
from restaurant_ops.forms import add_errors, form_decimal
from restaurant_ops.permissions import Perm
from restaurant_ops.selectors import store_for_user
from restaurant_ops.setup import setup_context

from . import forms, selectors, services
from .models import PrepTask, Station, Ticket

LATE_AFTER_SECONDS = 15 * 60


def _station(request, store) -> Station | None:
    station_id = request.GET.get("station") or request.POST.get("station")
    return (
        Station.objects.filter(store=store, pk=station_id).first()
        if str(station_id or "").isdigit()
        else None
    )


def _board_etag(store, station) -> str:
    return quote_etag(f"{selectors.board_version(store=store, station=station)}-{get_language()}")


def _board_context(request, store, station=None):
    station = station or _station(request, store)
    now = timezone.now()
    tickets = list(selectors.open_tickets(store=store, station=station))
    for ticket in tickets:
        seconds = int((now - ticket.queued_at).total_seconds())
        ticket.waited = seconds  # static/kitchen/kds.js counts on from here every second
        ticket.elapsed = f"{seconds // 60}:{seconds % 60:02d}"
        ticket.late = seconds >= LATE_AFTER_SECONDS
    return {"store": store, "station": station, "tickets": tickets, "late_after": LATE_AFTER_SECONDS}


@login_required
def display(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.WORK_KITCHEN)
    station = _station(request, store)
    context = _board_context(request, store, station)
    context["stations"] = list(Station.objects.filter(store=store))
    context["board_etag"] = _board_etag(store, station)
    return render(request, "kitchen/display.html", context)


@never_cache
@login_required
def board(request, store_slug):
    """The board, polled every second by static/dashboard/live.js: 304 while nothing on it changed (the
    version of its open tickets is the one the display shows; no rendering), else the board and its new
    ETag. A new ticket, a bump or a void is on the display within about a second."""
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.WORK_KITCHEN)
    station = _station(request, store)
    etag = _board_etag(store, station)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = render(request, "kitchen/_board.html", _board_context(request, store, station))
    response["ETag"] = etag
    return response


@login_required
@require_POST
def ticket_action(request, store_slug, ticket_id, action):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.WORK_KITCHEN)
    ticket = get_object_or_404(Ticket, store=store, pk=ticket_id)
    try:
        (services.ticket_start if action == "start" else services.ticket_bump)(ticket=ticket, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    if request.headers.get("HX-Request"):
        return render(request, "kitchen/_board.html", _board_context(request, store))
    url = redirect("kitchen:display", store_slug=store.slug).url
    station = request.POST.get("station")
    return redirect(f"{url}?station={station}" if station else url)


@login_required
def prep_list(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.WORK_KITCHEN)
    if request.method == "POST":
        item = MenuItem.objects.filter(store=store, pk=request.POST.get("menu_item") or 0).first()
        ready_by = parse_datetime(request.POST.get("ready_by", ""))
        if item is None:
            messages.error(request, _("Choose an item."))
        elif ready_by is None:
            messages.error(request, _("Say when it must be ready."))
        else:
            if timezone.is_naive(ready_by):
                ready_by = timezone.make_aware(ready_by, store.tz)
            try:
                services.prep_task_create(
                    store=store,
                    menu_item=item,
                    quantity=form_decimal(request.POST, "quantity", places=1, required=True),
                    ready_by=ready_by,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Added to the prep list."))
            except DomainError as error:
                messages.error(request, error.message)
        return redirect("kitchen:prep", store_slug=store.slug)
    tasks = (
        selectors.prep_tasks(stores=type(store).objects.filter(pk=store.pk))
        .filter(done=False)
        .order_by("ready_by", "id")
    )
    recent = (
        selectors.prep_tasks(stores=type(store).objects.filter(pk=store.pk))
        .filter(done=True, done_at__gte=timezone.now() - dt.timedelta(hours=12))
        .order_by("-done_at")[:10]
    )
    items = selectors.prep_items(store=store)
    if not items.exists():
        items = MenuItem.objects.filter(store=store, is_active=True)
    default_ready = timezone.localtime(timezone.now() + dt.timedelta(hours=2), store.tz).strftime(
        "%Y-%m-%dT%H:%M"
    )
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "kitchen/prep.html",
        {"store": store, "page": page, "recent": recent, "items": items, "default_ready": default_ready},
    )


@login_required
@require_POST
def prep_done(request, store_slug, task_id):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.WORK_KITCHEN)
    task = get_object_or_404(PrepTask, store=store, pk=task_id)
    services.prep_task_done(task=task, by=request.user)
    return redirect("kitchen:prep", store_slug=store.slug)


# --- Set-up and settings: stations and which items each makes ------------------------------------


@login_required
def setup_stations(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.EDIT_MENU)
    stations = list(Station.objects.filter(store=store))
    form = forms.StationForm(
        request.POST if "add" in request.POST else None, initial={"is_default": not stations}
    )
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        try:
            services.station_create(store=store, position=len(stations), **form.cleaned_data)
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Station %(name)s added.") % {"name": form.cleaned_data["name"]})
            if request.POST["add"] == "continue":
                return redirect("inventory:setup-ingredients", store_slug=store.slug)
            return redirect(request.path)
    elif request.method == "POST" and "routes" in request.POST:
        items = MenuItem.objects.filter(store=store, is_active=True).values_list("pk", flat=True)
        try:
            routes = {
                pk: int(request.POST[f"route-{pk}"]) if request.POST.get(f"route-{pk}") else None
                for pk in items
                if f"route-{pk}" in request.POST
            }
            changed = services.kitchen_routes_set(store=store, routes=routes)
        except ValueError:
            messages.error(request, _("Choose a station from the list."))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(n)d items routed.") % {"n": changed})
            return redirect(request.path)
    items = MenuItem.objects.filter(store=store, is_active=True).select_related("kitchen", "category")
    context = {
        **setup_context(store=store, step="stations"),
        "form": form,
        "stations": stations,
        "items": [(item, getattr(getattr(item, "kitchen", None), "station_id", None)) for item in items],
    }
    return render(request, "kitchen/setup_stations.html", context, status=400 if form.errors else 200)
