"""Inventory pages: stock on hand, the phone-friendly count, purchase orders (send, receive)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from restaurant_ops.api.errors import status_for
from restaurant_ops.csv_import import CsvForm, csv_step
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.forms import add_errors, form_decimal
from restaurant_ops.models import Store
from restaurant_ops.permissions import Perm
from restaurant_ops.selectors import store_for_user
from restaurant_ops.setup import setup_context
from restaurant_ops.timeutils import business_date

from . import forms, selectors, services
from .models import Ingredient, PurchaseOrder, RecipeLine


def _errors(request, error) -> None:
    for e in error.errors if isinstance(error, DomainErrors) else [error]:
        messages.error(request, f"{e.field}: {e.message}" if e.field else e.message)


QUANTITY = {"places": 3, "maximum": Decimal("1e11")}  # the ledger's quantities: 14 digits, 3 places
UNIT_PRICE = {"places": 6, "maximum": Decimal("1e8")}  # prices per base unit: 14 digits, 6 places


def _parsed_lines(data, fields: dict[str, tuple[str, dict]], rows: dict[int, dict]) -> list[dict]:
    """Each row with the numbers its inputs hold (input `{prefix}-{key}`, e.g. `qty-12`) parsed into
    Decimals, every bad input reported at once on the field it was typed into."""
    errors = []
    for key, row in rows.items():
        for name, (prefix, bounds) in fields.items():
            try:
                row[name] = form_decimal(data, f"{prefix}-{key}", **bounds)
            except DomainError as error:
                errors.append(error)
    if errors:
        raise DomainErrors(errors)
    return list(rows.values())


@login_required
def ingredients(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STOCK)
    qs = selectors.ingredients(stores=Store.objects.filter(pk=store.pk)).filter(is_active=True)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(name__icontains=query)
    page = Paginator(qs.order_by("name"), 50).get_page(request.GET.get("page"))
    return render(request, "inventory/ingredients.html", {"store": store, "page": page, "q": query})


@login_required
def count(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STOCK)
    items = list(selectors.ingredients_for_count(store=store))
    status = 200
    if request.method == "POST":
        for i in items:  # a refused count keeps what was typed, so nobody counts the shelf again
            i.typed = request.POST.get(f"count-{i.pk}", "")
        try:
            lines = _parsed_lines(
                request.POST,
                {"counted": ("count", QUANTITY)},
                {i.pk: {"ingredient": i.pk} for i in items if request.POST.get(f"count-{i.pk}", "").strip()},
            )
            result = services.stock_count_post(
                store=store, lines=lines, by=request.user, note=request.POST.get("note", "")
            )
        except (DomainError, DomainErrors) as error:
            _errors(request, error)
            status = status_for(error)
        else:
            messages.success(request, _("Count saved: %(n)d ingredients.") % {"n": result.lines.count()})
            return redirect("inventory:count", store_slug=store.slug)
    return render(request, "inventory/count.html", {"store": store, "ingredients": items}, status=status)


@login_required
def purchase_orders(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STOCK)
    qs = selectors.purchase_orders(stores=Store.objects.filter(pk=store.pk))
    status = request.GET.get("status", "")
    if status in PurchaseOrder.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "inventory/purchase_orders.html",
        {"store": store, "page": page, "status": status, "statuses": PurchaseOrder.Status.choices},
    )


@login_required
def purchase_order_detail(request, store_slug, po_id):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STOCK)
    po = get_object_or_404(selectors.purchase_orders(stores=Store.objects.filter(pk=store.pk)), pk=po_id)
    return _purchase_order_page(request, store, po)


def _purchase_order_page(request, store, po, typed=None, status=200):
    """The order with its lines; after a refused receipt, the lines keep what was typed."""
    lines = list(po.lines.select_related("ingredient"))
    for line in lines:
        line.typed_qty = (typed or {}).get(f"qty-{line.pk}")
        line.typed_price = (typed or {}).get(f"price-{line.pk}")
    return render(
        request, "inventory/purchase_order.html", {"store": store, "po": po, "lines": lines}, status=status
    )


@login_required
@require_POST
def purchase_order_action(request, store_slug, po_id, action):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STOCK)
    po = get_object_or_404(PurchaseOrder, store=store, pk=po_id)
    try:
        if action == "send":
            services.purchase_order_send(purchase_order=po, by=request.user)
            messages.success(request, _("Sent to %(supplier)s.") % {"supplier": po.supplier.name})
        elif action == "receive":
            lines = _parsed_lines(
                request.POST,
                {"quantity": ("qty", QUANTITY), "unit_price": ("price", UNIT_PRICE)},
                {
                    line.pk: {"line": line.pk}
                    for line in po.lines.all()
                    if request.POST.get(f"qty-{line.pk}", "").strip()
                },
            )
            services.purchase_order_receive(
                purchase_order=po,
                lines=lines,
                by=request.user,
                allow_over_receipt=request.POST.get("over_receipt") == "on",
            )
            messages.success(request, _("Goods received."))
        elif action == "cancel":
            services.purchase_order_cancel(purchase_order=po, by=request.user)
        elif action == "close":
            services.purchase_order_close(purchase_order=po, by=request.user)
    except (DomainError, DomainErrors) as error:
        _errors(request, error)
        po.refresh_from_db()
        return _purchase_order_page(request, store, po, typed=request.POST, status=status_for(error))
    return redirect("inventory:purchase-order", store_slug=store.slug, po_id=po.pk)


# --- Set-up and settings: ingredients with suppliers, recipes ------------------------------------


@login_required
def setup_ingredients(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STOCK)
    form = forms.IngredientForm(request.POST if "add" in request.POST else None)
    context = {"csv_form": CsvForm(), "csv_columns": forms.INGREDIENT_CSV_COLUMNS}
    if request.method == "POST" and "reprice" in request.POST:
        ingredient = get_object_or_404(Ingredient, store=store, pk=request.POST.get("reprice") or 0)
        try:
            services.ingredient_price_set(
                ingredient=ingredient,
                price=form_decimal(request.POST, f"price-{ingredient.pk}", places=4, required=True),
            )
        except DomainError as error:
            messages.error(request, f"{ingredient.name}: {error.message}")
        else:
            messages.success(request, _("New price for %(name)s from today.") % {"name": ingredient.name})
        return redirect(request.path)
    editing, edit_form = None, None
    if request.method == "POST" and "edit" in request.POST:
        editing = get_object_or_404(Ingredient, store=store, pk=request.POST.get("edit") or 0)
        edit_form = forms.IngredientEditForm(request.POST, prefix=f"i{editing.pk}")
        if edit_form.is_valid():
            try:
                services.ingredient_update(ingredient=editing, by=request.user, **edit_form.cleaned_data)
            except DomainError as error:
                add_errors(edit_form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": editing.name})
                return redirect(request.path)
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        try:
            services.ingredient_set_up(store=store, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": form.cleaned_data["name"]})
            return redirect(request.path)
    elif request.method == "POST" and "csv" in request.POST:
        outcome = csv_step(
            request,
            columns=forms.INGREDIENT_CSV_COLUMNS,
            required=forms.INGREDIENT_CSV_REQUIRED,
            row_form=forms.IngredientForm,
            import_rows=lambda rows: len(
                services.ingredients_import(store=store, rows=rows, by=request.user)
            ),
            done_message=_("%(n)d ingredients imported."),
            back_to=request.path,
        )
        if not isinstance(outcome, dict):
            return outcome
        context.update(outcome)
    prices = selectors.pack_prices(store=store, on=business_date(store, timezone.now()))
    context.update(
        setup_context(store=store, step="ingredients"),
        form=form,
        ingredients=[
            (
                ingredient,
                prices.get(ingredient.pk),
                edit_form
                if editing and ingredient.pk == editing.pk
                else forms.IngredientEditForm(
                    prefix=f"i{ingredient.pk}",
                    initial={"name": ingredient.name, "base_unit": ingredient.base_unit},
                ),
            )
            for ingredient in selectors.ingredients(stores=Store.objects.filter(pk=store.pk))
            .select_related("preferred_supplier")
            .order_by("name")
        ],
    )
    bad = form.errors or context["csv_form"].errors or (edit_form and edit_form.errors)
    return render(request, "inventory/setup_ingredients.html", context, status=400 if bad else 200)


@login_required
def setup_recipes(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STOCK)
    form = forms.RecipeLineForm(request.POST if "add" in request.POST else None, store=store)
    context = {"csv_form": CsvForm(), "csv_columns": forms.RECIPE_CSV_COLUMNS}
    if request.method == "POST" and "remove" in request.POST:
        line = get_object_or_404(RecipeLine, store=store, pk=request.POST.get("remove") or 0)
        services.recipe_line_delete(line=line)
        messages.success(request, _("Recipe line removed."))
        return redirect(request.path)
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        try:
            services.recipe_line_set(store=store, **form.cleaned_data)
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Recipe line saved."))
            return redirect(request.path)
    elif request.method == "POST" and "csv" in request.POST:
        outcome = csv_step(
            request,
            columns=forms.RECIPE_CSV_COLUMNS,
            required=forms.RECIPE_CSV_REQUIRED,
            row_form=lambda data: forms.RecipeLineForm(data, store=store),
            import_rows=lambda rows: len(services.recipes_import(store=store, rows=rows)),
            done_message=_("%(n)d recipe lines imported."),
            back_to=request.path,
        )
        if not isinstance(outcome, dict):
            return outcome
        context.update(outcome)
    today = business_date(store, timezone.now())
    context.update(
        setup_context(store=store, step="recipes"),
        form=form,
        costs=selectors.menu_item_costs(store=store, on=today),
    )
    bad = form.errors or context["csv_form"].errors
    return render(request, "inventory/setup_recipes.html", context, status=400 if bad else 200)
