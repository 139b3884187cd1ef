"""The owner's dashboard pages. Thin: check the member's permission, render a page whose charts fetch the
same /api/v1/analytics/ endpoints integrators use, or call one service for an action."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from analytics import selectors as analytics_selectors
from analytics import services
from analytics.models import Insight
from orders.models import MenuItem
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Membership
from restaurant_ops.permissions import Perm, role_has
from restaurant_ops.selectors import store_for_user
from restaurant_ops.timeutils import business_date

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
    """Other apps' pages the dashboard links to, when they exist."""
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
    out = {}
    for key, name in names.items():
        try:
            out[key] = reverse(name, kwargs={"store_slug": store.slug})
        except NoReverseMatch:
            out[key] = None
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
    rows = selectors.stores_side_by_side(stores, timezone.now(), int(period))
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
        from staffing.models import StaffMember

        extra["staff"] = StaffMember.objects.filter(store=store, is_active=True).order_by("name")
        week = business_date(store, timezone.now()) + dt.timedelta(days=7)
        try:
            week = dt.date.fromisoformat(request.GET.get("week", "")) if request.GET.get("week") else week
        except ValueError:
            pass
        extra["week"] = week
        extra["labour_target"] = selectors.labour_target_pct(store)
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


def _insight_rows(store, states):
    """Most severe first (a price rise or a stock-out before a rota gap), then the newest."""
    severity = Case(
        *(When(severity=level, then=Value(rank)) for rank, level in enumerate(["high", "warning", "info"])),
        default=Value(3),
    )
    return (
        Insight.objects.filter(store=store, state__in=states)
        .select_related("job_run")
        .order_by(severity, "-updated_at", "-id")
    )


# Numbers that are plumbing (ids, keys, raw timestamps), not something an owner reads.
HIDDEN_NUMBERS = {
    "kind",
    "key",
    "start",
    "end",
    "store_id",
    "position_id",
    "load_kind",
    "position_name",
    "ingredient_id",
    "supplier_id",
    "purchase_order_id",
    "purchase_order_status",
    "week_start",
    "periods",
    "runs_out_at",  # days_left says it readably
    "count",
}


@login_required
def insights(request, store_slug):
    store, membership = _store(request, store_slug)
    return render(
        request,
        "dashboard/insights.html",
        _context(
            request,
            store,
            membership,
            page="insights",
            staff_members=_staff(store),
            items=_insight_cards(store, _insight_rows(store, Insight.OPEN_STATES)[:100]),
        ),
    )


@login_required
def insights_feed(request, store_slug):
    """The open feed's body, polled by htmx every few seconds: a new insight appears without reload."""
    store, membership = _store(request, store_slug)
    return render(
        request,
        "dashboard/_insight_list.html",
        {
            "store": store,
            "items": _insight_cards(store, _insight_rows(store, Insight.OPEN_STATES)[:100]),
            "links": _links(store),
            "staff_members": _staff(store),
        },
    )


def _staff(store):
    from staffing.models import StaffMember

    return StaffMember.objects.filter(store=store, is_active=True).order_by("name")


@login_required
def insights_history(request, store_slug):
    store, membership = _store(request, store_slug)
    rows = _insight_rows(
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


def _insight_cards(store, rows) -> list[dict]:
    """Each insight with what its buttons need: the draft PO it proposes, the staffing suggestion, the
    cheaper supplier."""
    cards = []
    po_ids, ingredient_ids = set(), set()
    rows = list(rows)
    for insight in rows:
        numbers = insight.numbers or {}
        if numbers.get("purchase_order_id"):
            po_ids.add(int(numbers["purchase_order_id"]))
        subject_kind, _sep, subject_id = insight.subject.partition(":")
        if subject_kind == "ingredient" and subject_id.isdigit():
            ingredient_ids.add(int(subject_id))
    pos, suppliers = {}, {}
    if po_ids:
        from inventory.models import PurchaseOrder

        pos = {
            po.pk: po
            for po in PurchaseOrder.objects.filter(store=store, pk__in=po_ids).select_related("supplier")
        }
    if ingredient_ids:
        from inventory.models import SupplierItem

        for item in (
            SupplierItem.objects.filter(ingredient_id__in=ingredient_ids, supplier__store=store)
            .select_related("supplier")
            .order_by("supplier__name")
        ):
            suppliers.setdefault(item.ingredient_id, []).append(item)
    # The margin insight names the item whose menu price would restore its margin.
    item_names = {(i.numbers or {}).get("item") for i in rows if i.kind == Insight.Kind.MARGIN_DROP} - {
        None,
        "",
    }
    menu_items = {}
    if item_names:
        from orders.models import MenuItem

        menu_items = {m.name: m for m in MenuItem.objects.filter(store=store, name__in=item_names)}
    for insight in rows:
        numbers = insight.numbers or {}
        subject_kind, _sep, subject_id = insight.subject.partition(":")
        ingredient_id = int(subject_id) if subject_kind == "ingredient" and subject_id.isdigit() else None
        po = pos.get(int(numbers["purchase_order_id"])) if numbers.get("purchase_order_id") else None
        cards.append(
            {
                "insight": insight,
                "purchase_order": po,
                "po_is_draft": po is not None and po.status == "draft",
                "prep": numbers.get("prep") if insight.kind == Insight.Kind.COMPLAINTS else None,
                "dish": numbers.get("dish") if insight.kind == Insight.Kind.COMPLAINTS else None,
                "suggestion": numbers.get("suggestion")
                if insight.kind in (Insight.Kind.STAFFING, Insight.Kind.COMPLAINTS)
                else None,
                "supplier_items": suppliers.get(ingredient_id, []) if ingredient_id else [],
                "menu_item": menu_items.get(numbers.get("item")),
                "restoring_price": numbers.get("restoring_price") or "",
                "numbers": [
                    (k.replace("_", " "), v)
                    for k, v in numbers.items()
                    if k not in HIDDEN_NUMBERS and v not in ("", None) and not isinstance(v, dict | list)
                ],
            }
        )
    return cards


def _acted_redirect(request, store):
    return redirect(
        request.POST.get("next") or reverse("dashboard:insights", kwargs={"store_slug": store.slug})
    )


def _error(request, error) -> None:
    errors = error.errors if isinstance(error, DomainErrors) else [error]
    for item in errors:
        messages.error(request, item.message)


@login_required
@require_POST
def insight_action(request, store_slug, insight_id, action):
    """Acknowledge, dismiss with a reason, approve & send the draft PO, apply the staffing suggestion,
    record a supplier switch or a negotiated price. Each calls the owning app's service, then records
    the action on the insight (so its effect is measured later)."""
    store, membership = _store(request, store_slug)
    insight = get_object_or_404(Insight, store=store, pk=insight_id)
    try:
        if action == "acknowledge":
            services.insight_acknowledge(insight=insight, by=request.user)
            messages.success(request, _("Insight acknowledged."))
        elif action == "dismiss":
            services.insight_dismiss(insight=insight, reason=request.POST.get("reason", ""), by=request.user)
            messages.success(request, _("Insight dismissed."))
        elif action == "send-po":
            _send_po(request, store, membership, insight)
        elif action == "apply-staffing":
            _apply_staffing(request, store, membership, insight)
        elif action == "supplier":
            _supplier(request, store, membership, insight)
        elif action == "menu-price":
            _menu_price(request, store, membership, insight)
        elif action == "add-prep":
            _add_prep(request, store, membership, insight)
        elif action == "pause-dish":
            _pause_dish(request, store, membership, insight)
        else:
            raise Http404
    except (DomainError, DomainErrors) as error:
        _error(request, error)
    return _acted_redirect(request, store)


def _need(membership, perm):
    if not role_has(membership.role, perm):
        raise DomainError("", "permission_denied", _("Your role may not do this."))


def _send_po(request, store, membership, insight):
    from django.db import transaction

    from inventory import services as inventory_services
    from inventory.models import PurchaseOrder

    _need(membership, Perm.MANAGE_STOCK)
    po_id = (insight.numbers or {}).get("purchase_order_id")
    po = get_object_or_404(PurchaseOrder, store=store, pk=po_id or 0)
    with transaction.atomic():
        inventory_services.purchase_order_send(purchase_order=po, by=request.user)
        services.insight_act(
            insight=insight,
            action_type=Insight.Action.PO_SENT,
            object_type="inventory.purchaseorder",
            object_id=po.pk,
            by=request.user,
        )
    messages.success(
        request, _("Purchase order %(po)s sent to %(supplier)s.") % {"po": po, "supplier": po.supplier}
    )


def _apply_staffing(request, store, membership, insight):
    from django.db import transaction

    from staffing import selectors as staffing_selectors
    from staffing import services as staffing_services
    from staffing.models import StaffMember

    _need(membership, Perm.MANAGE_STAFF)
    staff = StaffMember.objects.filter(store=store, pk=request.POST.get("staff") or 0).first()
    if staff is None:
        raise DomainError("staff", "required", _("Choose who takes the shift."))
    data = (insight.numbers or {}).get("suggestion") or {}
    suggestion = _suggestion(store, data, staffing_selectors)
    with transaction.atomic():
        shift = staffing_services.suggestion_apply(
            suggestion=suggestion,
            staff=staff,
            by=request.user,
            reason=_("Staffing suggestion from the forecast"),
        )
        services.insight_act(
            insight=insight,
            action_type=Insight.Action.SHIFT_ADDED,
            object_type="staffing.shift",
            object_id=shift.pk,
            by=request.user,
        )
    messages.success(request, _("Shift added for %(staff)s.") % {"staff": staff.name})


def _suggestion(store, data, staffing_selectors):
    if not data:
        raise DomainError("suggestion", "missing", _("This insight carries no suggestion to apply."))
    try:
        suggestion = staffing_selectors.StaffingSuggestion.from_dict(data)
    except (KeyError, TypeError, ValueError):
        raise DomainError("suggestion", "invalid", _("This suggestion can no longer be read."))
    if suggestion.store_id != store.pk:
        raise DomainError("suggestion", "not_found", _("This suggestion is not for this store."))
    return suggestion


def _supplier(request, store, membership, insight):
    """Record a supplier switch (make it the preferred supplier) and/or a negotiated price."""
    from decimal import Decimal, InvalidOperation

    from django.db import transaction

    from inventory import services as inventory_services
    from inventory.models import SupplierItem

    _need(membership, Perm.MANAGE_STOCK)
    item = get_object_or_404(SupplierItem, supplier__store=store, pk=request.POST.get("supplier_item") or 0)
    raw_price = request.POST.get("price", "").strip()
    switch = request.POST.get("switch") == "1"
    if not raw_price and not switch:
        raise DomainError("price", "required", _("Give the negotiated price or choose to switch."))
    with transaction.atomic():
        if raw_price:
            try:
                price = Decimal(raw_price)
            except InvalidOperation:
                raise DomainError("price", "invalid", _("Give a price such as 3.40."))
            inventory_services.supplier_price_add(
                supplier_item=item, price=price, effective_from=business_date(store, timezone.now())
            )
        if switch:
            inventory_services.ingredient_update(ingredient=item.ingredient, preferred_supplier=item.supplier)
        services.insight_act(
            insight=insight,
            action_type=Insight.Action.SUPPLIER_CHANGED,
            object_type="inventory.supplieritem",
            object_id=item.pk,
            by=request.user,
        )
    messages.success(
        request,
        _("Recorded for %(ingredient)s: %(supplier)s.")
        % {"ingredient": item.ingredient.name, "supplier": item.supplier.name},
    )


def _add_prep(request, store, membership, insight):
    """A complaint spike's fix in the kitchen: the dish prepared ahead of the same hours next week
    (a prep task through kitchen's service), then measured by the category's complaint rate."""
    from django.db import transaction

    from kitchen import services as kitchen_services
    from orders.models import MenuItem

    _need(membership, Perm.WORK_KITCHEN)
    prep = (insight.numbers or {}).get("prep") or {}
    item = get_object_or_404(MenuItem, store=store, pk=prep.get("item_id") or 0)
    with transaction.atomic():
        task = kitchen_services.prep_task_create(
            store=store,
            menu_item=item,
            quantity=request.POST.get("quantity") or prep.get("quantity"),
            ready_by=dt.datetime.fromisoformat(prep["ready_by"]),
            note=_("Against slow service at the rush"),
        )
        services.insight_act(
            insight=insight,
            action_type=Insight.Action.PREP_ADDED,
            object_type="kitchen.preptask",
            object_id=task.pk,
            by=request.user,
        )
    messages.success(request, _("Prep task added: %(item)s.") % {"item": item.name})


def _pause_dish(request, store, membership, insight):
    """A dish-quality spike's fix: take the dish off the menu (sold out by hand) until it is reviewed."""
    from django.db import transaction

    from orders import services as order_services
    from orders.models import MenuItem

    _need(membership, Perm.EDIT_MENU)
    dish = (insight.numbers or {}).get("dish") or {}
    item = get_object_or_404(MenuItem, store=store, pk=dish.get("item_id") or 0)
    with transaction.atomic():
        order_services.menu_item_set_sold_out(item=item, sold_out=True)
        services.insight_act(
            insight=insight,
            action_type=Insight.Action.DISH_PAUSED,
            object_type="orders.menuitem",
            object_id=item.pk,
            by=request.user,
        )
    messages.success(request, _("%(item)s is off the menu until it is reviewed.") % {"item": item.name})


def _menu_price(request, store, membership, insight):
    """Apply the menu price that restores the item's margin (or the price the owner typed)."""
    from django.db import transaction

    from orders import services as order_services
    from orders.models import MenuItem

    _need(membership, Perm.EDIT_MENU)
    item = get_object_or_404(MenuItem, store=store, pk=request.POST.get("menu_item") or 0)
    with transaction.atomic():
        item = order_services.menu_item_set_price(
            item=item,
            price=request.POST.get("price", "").strip(),
            by=request.user,
            reason=_("Margin insight #%(id)s") % {"id": insight.pk},
        )
        services.insight_act(
            insight=insight,
            action_type=Insight.Action.PRICE_CHANGED,
            object_type="orders.menuitem",
            object_id=item.pk,
            by=request.user,
        )
    messages.success(request, _("%(item)s now costs %(price)s.") % {"item": item.name, "price": item.price})


@login_required
@require_POST
def staffing_apply(request, store_slug):
    """One-click apply of a suggestion from the staffing plan chart (through staffing's service)."""
    from staffing import selectors as staffing_selectors
    from staffing import services as staffing_services
    from staffing.models import StaffMember

    store, membership = _store(request, store_slug)
    try:
        _need(membership, Perm.MANAGE_STAFF)
        week = dt.date.fromisoformat(request.POST.get("week", ""))
        suggestion = staffing_selectors.suggestion_by_key(
            store=store, week_start=staffing_selectors.week_start_for(week), key=request.POST.get("key", "")
        )
        if suggestion is None:
            raise DomainError(
                "key", "stale", _("This suggestion no longer applies; the schedule has changed.")
            )
        staff = StaffMember.objects.filter(store=store, pk=request.POST.get("staff") or 0).first()
        if staff is None:
            raise DomainError("staff", "required", _("Choose who takes the shift."))
        staffing_services.suggestion_apply(
            suggestion=suggestion,
            staff=staff,
            by=request.user,
            reason=_("Staffing suggestion from the forecast"),
        )
        messages.success(request, _("Suggestion applied: shift added for %(staff)s.") % {"staff": staff.name})
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
    from orders.models import MenuItem

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
    import io

    from orders.importing import FIELDS, sales_import

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
    from orders import services as order_services
    from orders.models import MenuItem

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
