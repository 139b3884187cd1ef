"""The owner's dashboard pages. Thin: check the member's permission, render a page whose charts fetch the
same /api/v1/analytics/ endpoints integrators use, or call one service for an action."""

import datetime as dt
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import quote_etag
from django.utils.http import parse_etags
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analytics import selectors as analytics_selectors
from analytics import services
from analytics.models import Insight
from orders import services as order_services
from orders.importing import FIELDS, sales_import
from orders.models import MenuItem
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.forms import form_decimal
from restaurant_ops.models import Membership
from restaurant_ops.permissions import Perm, role_has
from restaurant_ops.selectors import store_for_user
from restaurant_ops.timeutils import business_date, minute_end
from staffing import selectors as staffing_selectors
from staffing import services as staffing_services

from . import selectors

API = "/api/v1/analytics/"

# Each chart page: its title and the API endpoints its charts read (documented paths).
CHARTS = {
    "sales": {"title": gettext_lazy("Best sellers and menu engineering"), "days": 30},
    "busy-hours": {"title": gettext_lazy("Busy hours"), "days": 28},
    "margin": {"title": gettext_lazy("Gross margin"), "days": 90},
    "stock": {"title": gettext_lazy("Stock cover and supplier prices"), "days": 90},
    "kitchen": {"title": gettext_lazy("Kitchen ticket times"), "days": 28},
    "staffing": {"title": gettext_lazy("Staffing plan and labour"), "days": 28},
}


def _store(request, store_slug):
    store, membership = store_for_user(user=request.user, slug=store_slug)
    if not role_has(membership.role, Perm.VIEW_DASHBOARD):
        raise Http404  # a cashier or cook does not learn the dashboard exists
    return store, membership


def _dashboard_stores(user):
    """The stores whose dashboard this user may see (for the store selector)."""
    memberships = Membership.objects.filter(user=user).select_related("store").order_by("store__name")
    return [m.store for m in memberships if role_has(m.role, Perm.VIEW_DASHBOARD)]


def _range(request, store, days: int) -> tuple[dt.date, dt.date]:
    today = business_date(store, timezone.now())
    try:
        end = dt.date.fromisoformat(request.GET.get("end", "")) if request.GET.get("end") else today
    except ValueError:
        end = today
    try:
        start = (
            dt.date.fromisoformat(request.GET.get("start", ""))
            if request.GET.get("start")
            else end - dt.timedelta(days=days - 1)
        )
    except ValueError:
        start = end - dt.timedelta(days=days - 1)
    return min(start, end), end


def _switch(request, store, view_name, **kwargs):
    """The store selector posts ?store=<slug>: go to the same page of that store."""
    target = request.GET.get("store")
    if target and target != store.slug:
        query = request.GET.copy()
        query.pop("store")
        url = reverse(view_name, kwargs={"store_slug": target, **kwargs})
        return redirect(f"{url}?{query.urlencode()}" if query else url)
    return None


def _links(store) -> dict:
    """Other apps' pages the dashboard links to (every app is always installed)."""
    names = {
        "schedule": "staffing:schedule",
        "labour": "staffing:labour",
        "menu": "orders:setup-menu",
        "tables": "orders:setup-tables",
        "qr_sheet": "orders:qr-sheet",
        "stock_counts": "inventory:count",
        "ingredients": "inventory:ingredients",
        "recipes": "inventory:setup-recipes",
        "suppliers": "inventory:setup-ingredients",
        "purchase_orders": "inventory:purchase-orders",
        "prep": "kitchen:prep",
        "kitchen": "kitchen:display",
    }
    out = {key: reverse(name, kwargs={"store_slug": store.slug}) for key, name in names.items()}
    out["api_keys"] = reverse("api-keys", kwargs={"store_slug": store.slug})
    out["api_docs"] = reverse("api-docs")
    out["admin"] = reverse("admin:index")
    return out


ENDPOINTS = [
    "overview/",
    "best-sellers/",
    "menu-engineering/",
    "busy-hours/",
    "margin-by-item-month/",
    "margin/",
    "stock-cover/",
    "supplier-prices/",
    "ticket-times/",
    "staffing-plan/",
    "labour/",
]


def _available_endpoints() -> list[str]:
    """The analytics endpoints that exist now: a chart whose endpoint is missing says so instead of
    fetching a 404 (and never shows made-up data)."""
    out = []
    for endpoint in ENDPOINTS:
        try:
            resolve(API + endpoint)
        except Resolver404:
            continue
        out.append(API + endpoint)
    return out


def _context(request, store, membership, **extra) -> dict:
    return {
        "store": store,
        "membership": membership,
        "stores": _dashboard_stores(request.user),
        "charts": CHARTS,
        "api": API,
        "links": _links(store),
        "available": _available_endpoints(),
        "open_insights": Insight.objects.filter(store=store, state__in=Insight.OPEN_STATES).count(),
        **extra,
    }


CHAIN_PERIODS = {
    "1": gettext_lazy("Today"),
    "7": gettext_lazy("Last 7 days"),
    "30": gettext_lazy("Last 30 days"),
}


@login_required
def stores_overview(request):
    """The owner's stores side by side: the first step of a chain view."""
    stores = _dashboard_stores(request.user)
    if not stores:
        raise Http404
    period = request.GET.get("days") if request.GET.get("days") in CHAIN_PERIODS else "7"
    rows = selectors.stores_side_by_side(stores, minute_end(timezone.now()), int(period))  # as the overview
    return render(
        request,
        "dashboard/stores.html",
        {"rows": rows, "periods": CHAIN_PERIODS, "period": period},
    )


@login_required
def overview(request, store_slug):
    store, membership = _store(request, store_slug)
    if response := _switch(request, store, "dashboard:overview"):
        return response
    start, end = _range(request, store, 42)
    live_etag = _live_etag(store)
    has_data = analytics_selectors.first_sale_date(store) is not None
    has_menu = MenuItem.objects.filter(store=store).exists()
    return render(
        request,
        "dashboard/overview.html",
        _context(
            request,
            store,
            membership,
            start=start,
            end=end,
            has_data=has_data,
            has_menu=has_menu,
            page="overview",
            live_etag=live_etag,
            next_url=request.get_full_path(),
            decisions=selectors.todays_decisions(store),
            recent=selectors.recent_decisions(store, timezone.now()),
        ),
    )


@login_required
def chart(request, store_slug, name):
    if name not in CHARTS:
        raise Http404
    store, membership = _store(request, store_slug)
    if response := _switch(request, store, "dashboard:chart", name=name):
        return response
    start, end = _range(request, store, CHARTS[name]["days"])
    extra = {}
    if name == "staffing":
        week = business_date(store, timezone.now()) + dt.timedelta(days=7)
        try:
            week = dt.date.fromisoformat(request.GET.get("week", "")) if request.GET.get("week") else week
        except ValueError:
            pass
        extra["week"] = week
        extra["labour_target"] = selectors.labour_target_pct(store)
        # who can take each suggested shift: only they are offered (one click is one click)
        found = staffing_selectors.staffing_suggestions(
            store=store, week_start=staffing_selectors.week_start_for(week)
        )
        extra["candidates_json"] = json.dumps(
            {
                key: [{"id": person.pk, "name": person.name} for person in people]
                for key, people in staffing_selectors.suggestion_candidates(
                    store=store, suggestions=found
                ).items()
            }
        )
    if name == "busy-hours":
        extra["forecast_quality"] = analytics_selectors.forecast_quality(store)
    if name == "margin":
        # Without a range chosen, the margin charts compare PRODUCT.md's periods (as the overview and
        # the insight do); a chosen range shows its calendar months and is compared with the same
        # number of days just before it.
        extra["chosen_range"] = bool(request.GET.get("start") or request.GET.get("end"))
    return render(
        request,
        f"dashboard/chart_{name.replace('-', '_')}.html",
        _context(
            request, store, membership, start=start, end=end, page=name, title=CHARTS[name]["title"], **extra
        ),
    )


# --- insights -----------------------------------------------------------------------------------------


@login_required
def insights(request, store_slug):
    store, membership = _store(request, store_slug)
    live_etag = _live_etag(store)
    return render(
        request,
        "dashboard/insights.html",
        _context(
            request,
            store,
            membership,
            page="insights",
            live_etag=live_etag,
            items=selectors.open_insight_cards(store),
        ),
    )


def _live_etag(store) -> str:
    return quote_etag(f"{selectors.insights_version(store)}-{get_language()}")


def _live(request, store, template: str, context: dict):
    """A live part of a page, polled every second by static/dashboard/live.js (as the kitchen display
    polls its board): 304 while the store's insight version is the one the page shows (If-None-Match;
    no rendering, two aggregates), else the part and its new ETag. A new or updated insight is on the
    open page within about a second of being written, without a reload."""
    etag = _live_etag(store)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = render(request, template, {"store": store, "links": _links(store), **context()})
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
def insight_detail(request, store_slug, insight_id):
    """One insight, open or closed: where the link in a notification or webhook lands."""
    store, membership = _store(request, store_slug)
    insight = get_object_or_404(Insight, store=store, pk=insight_id)
    return render(
        request,
        "dashboard/insight.html",
        _context(
            request,
            store,
            membership,
            page="insights",
            insight=insight,
            items=selectors.insight_cards(store, [insight]),
        ),
    )


@login_required
def insights_feed(request, store_slug):
    """The open feed's body, live on the insights page."""
    store, membership = _store(request, store_slug)
    return _live(
        request,
        store,
        "dashboard/_insight_list.html",
        lambda: {
            "items": selectors.insight_cards(
                store, selectors.insights_ranked(store, Insight.OPEN_STATES)[:100]
            )
        },
    )


@login_required
def insights_decisions(request, store_slug):
    """The overview's "today's decisions", live on the overview."""
    store, membership = _store(request, store_slug)
    return _live(
        request,
        store,
        "dashboard/_decisions.html",
        lambda: {
            "decisions": selectors.todays_decisions(store),
            "next_url": reverse("dashboard:overview", kwargs={"store_slug": store.slug}),
        },
    )


@login_required
def insights_history(request, store_slug):
    store, membership = _store(request, store_slug)
    rows = selectors.insights_ranked(
        store, [Insight.State.ACTED, Insight.State.EVALUATED, Insight.State.DISMISSED, Insight.State.RESOLVED]
    )
    if kind := request.GET.get("kind"):
        rows = rows.filter(kind=kind)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/history.html",
        _context(
            request,
            store,
            membership,
            page="history",
            page_obj=page,
            kind=kind or "",
            kinds=Insight.Kind.choices,
        ),
    )


def _acted_redirect(request, store):
    return redirect(
        request.POST.get("next") or reverse("dashboard:insights", kwargs={"store_slug": store.slug})
    )


def _error(request, error) -> None:
    errors = error.errors if isinstance(error, DomainErrors) else [error]
    for item in errors:
        messages.error(request, item.message)


def _need(membership, perm):
    if not role_has(membership.role, perm):
        raise DomainError("", "permission_denied", _("Your role may not do this."))


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


# The page's URL slugs for services.insight_act's actions.
ACTIONS = {
    "acknowledge": "acknowledge",
    "dismiss": "dismiss",
    "send-po": "send_po",
    "apply-staffing": "apply_staffing",
    "supplier": "supplier",
    "menu-price": "menu_price",
    "add-prep": "add_prep",
    "pause-dish": "pause_dish",
    "done": "done",
}


@login_required
@require_POST
def insight_action(request, store_slug, insight_id, action):
    """Acknowledge, dismiss with a reason, approve & send the draft PO, apply the staffing suggestion,
    record a supplier switch or a negotiated price, change the menu price, or record what was done by
    hand: one call to services.insight_act, the same the API makes."""
    store, membership = _store(request, store_slug)
    if action not in ACTIONS:
        raise Http404
    action = ACTIONS[action]
    insight = get_object_or_404(Insight, store=store, pk=insight_id)
    try:
        _need(membership, services.INSIGHT_ACTIONS[action])
        insight = services.insight_act(
            insight=insight,
            action=action,
            by=request.user,
            reason=request.POST.get("reason", ""),
            staff_id=_int(request.POST.get("staff")),
            staff_ids=_staff_choices(request.POST.getlist("staff")) if action == "apply_staffing" else None,
            supplier_item_id=_int(request.POST.get("supplier_item")),
            menu_item_id=_int(request.POST.get("menu_item")),
            price=form_decimal(request.POST, "price", places=6),
            switch=request.POST.get("switch") == "1",
            note=request.POST.get("note", ""),
            quantity=_int(request.POST.get("quantity")),
        )
        messages.success(request, _done_message(action, insight.action_detail))
    except (DomainError, DomainErrors) as error:
        _error(request, error)
    return _acted_redirect(request, store)


def _staff_choices(values: list[str]) -> list | None:
    """One choice per shift a staffing card lists: a staff member's id, or "open" (an open shift)."""
    if not values:
        return None
    return [value if value == "open" else _int(value) for value in values]


def _done_message(action: str, detail: dict) -> str:
    if action == "acknowledge":
        return _("Insight acknowledged.")
    if action == "dismiss":
        return _("Insight dismissed.")
    if action == "send_po":
        return _("Purchase order %(po)s sent to %(supplier)s.") % {
            "po": f"PO-{detail['purchase_order']}",
            "supplier": detail["supplier"],
        }
    if action == "apply_staffing":
        if detail.get("open_shifts"):
            return _("Shifts added: %(staff)s. Open shifts are in My shifts for staff to claim.") % {
                "staff": detail["staff"]
            }
        return _("Shift added for %(staff)s.") % {"staff": detail["staff"]}
    if action == "supplier":
        return _("Recorded for %(ingredient)s: %(supplier)s.") % {
            "ingredient": detail["ingredient"],
            "supplier": detail["supplier"],
        }
    if action == "menu_price":
        return _("%(item)s now costs %(price)s.") % {"item": detail["item"], "price": detail["new_price"]}
    if action == "add_prep":
        return _("Prep task added: %(item)s.") % {"item": detail["item"]}
    if action == "pause_dish":
        return _("%(item)s is off the menu until it is reviewed.") % {"item": detail["item"]}
    return _("Recorded what was done.")


@login_required
@require_POST
def staffing_apply(request, store_slug):
    """One-click apply of a suggestion from the staffing plan chart. When an open staffing insight
    proposes the same shift, it is acted on (services.insight_act, so the shift is recorded on it and
    its effect measured); otherwise staffing's service adds the shift."""
    store, membership = _store(request, store_slug)
    try:
        _need(membership, Perm.MANAGE_STAFF)
        week = dt.date.fromisoformat(request.POST.get("week", ""))
        key = request.POST.get("key", "")
        suggestion = staffing_selectors.suggestion_by_key(
            store=store, week_start=staffing_selectors.week_start_for(week), key=key
        )
        if suggestion is None:
            raise DomainError(
                "key", "stale", _("This suggestion no longer applies; the schedule has changed.")
            )
        choice = request.POST.get("staff", "")
        staff_id = _int(choice)
        if insight := selectors.open_insight_for_suggestion(store, key):
            insight = services.insight_act(
                insight=insight,
                action="apply_staffing",
                by=request.user,
                staff_ids=["open" if choice == "open" else staff_id],
            )
            name = insight.action_detail["staff"]
        elif choice == "open":
            staffing_services.suggestion_publish_open(
                suggestion=suggestion,
                store=store,
                by=request.user,
                reason=_("Staffing suggestion from the forecast"),
            )
            name = None
        else:
            staff = selectors.active_staff(store).filter(pk=staff_id or 0).first()
            if staff is None:
                raise DomainError("staff", "required", _("Choose who takes the shift."))
            staffing_services.suggestion_apply(
                suggestion=suggestion,
                staff=staff,
                by=request.user,
                reason=_("Staffing suggestion from the forecast"),
            )
            name = staff.name
        if choice == "open":
            messages.success(
                request,
                _("Published as an open shift: staff who work as %(position)s can claim it in My shifts.")
                % {"position": suggestion.position_name},
            )
        else:
            messages.success(request, _("Suggestion applied: shift added for %(staff)s.") % {"staff": name})
    except ValueError:
        messages.error(request, _("Give the week."))
    except (DomainError, DomainErrors) as error:
        _error(request, error)
    url = reverse("dashboard:chart", kwargs={"store_slug": store.slug, "name": "staffing"})
    return redirect(f"{url}?week={request.POST.get('week', '')}")


# --- back office --------------------------------------------------------------------------------------


@login_required
def backoffice(request, store_slug):
    """What an owner edits weekly: links to the pages of the apps that own each thing, plus the menu's
    sold-out switches here."""
    store, membership = _store(request, store_slug)
    items = MenuItem.objects.filter(store=store).select_related("category").order_by("category__name", "name")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/backoffice.html",
        _context(
            request,
            store,
            membership,
            page="backoffice",
            page_obj=page,
            can_edit_menu=role_has(membership.role, Perm.EDIT_MENU),
        ),
    )


@login_required
def sales_import_page(request, store_slug):
    """Upload a sales export from another POS (the same service as `manage.py import_sales`)."""
    store, membership = _store(request, store_slug)
    if not role_has(membership.role, Perm.EDIT_MENU):
        raise Http404
    report, form = None, {"encoding": "utf-8-sig", "delimiter": ",", "date_format": "", "strict": False}
    if request.method == "POST":
        form = {
            "encoding": request.POST.get("encoding") or "utf-8-sig",
            "delimiter": request.POST.get("delimiter") or ",",
            "date_format": request.POST.get("date_format", "").strip(),
            "strict": request.POST.get("strict") == "1",
        }
        mapping = {
            f: request.POST[f"col_{f}"].strip() for f in FIELDS if request.POST.get(f"col_{f}", "").strip()
        }
        upload = request.FILES.get("file")
        delimiter = "\t" if form["delimiter"] in ("\\t", "tab") else form["delimiter"][:1]
        if upload is None:
            messages.error(request, _("Choose a CSV file to import."))
        else:
            try:
                stream = io.TextIOWrapper(upload.file, encoding=form["encoding"], newline="")
                report = sales_import(
                    store=store,
                    stream=stream,
                    mapping=mapping,
                    date_format=form["date_format"] or None,
                    delimiter=delimiter,
                    strict=form["strict"],
                )
            except LookupError:
                messages.error(request, _("Unknown encoding %(e)s.") % {"e": form["encoding"]})
            except UnicodeDecodeError:
                messages.error(
                    request,
                    _("The file is not in %(e)s: choose its encoding (often cp1252).")
                    % {"e": form["encoding"]},
                )
            except (DomainError, DomainErrors) as error:
                _error(request, error)
    return render(
        request,
        "dashboard/import.html",
        _context(
            request,
            store,
            membership,
            page="backoffice",
            report=report,
            form=form,
            fields=FIELDS,
            errors=report.errors[:100] if report else [],
        ),
    )


@login_required
@require_POST
def menu_item_sold_out(request, store_slug, item_id):
    store, membership = _store(request, store_slug)
    if not role_has(membership.role, Perm.EDIT_MENU):
        raise Http404
    item = get_object_or_404(MenuItem, store=store, pk=item_id)
    sold_out = request.POST.get("sold_out") == "1"
    order_services.menu_item_set_sold_out(item=item, sold_out=sold_out)
    messages.success(
        request,
        (_("%(item)s is sold out.") if sold_out else _("%(item)s is available again.")) % {"item": item.name},
    )
    return redirect(
        request.POST.get("next") or reverse("dashboard:backoffice", kwargs={"store_slug": store.slug})
    )
