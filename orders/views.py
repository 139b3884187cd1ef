"""Front-of-house pages: the guest's QR page, the till, a check with its payments, the receipt, the
tables' QR codes and the close of day. Each view parses input, calls one service or selector, and
renders; money and rules live in services (prices in services/pricing.py)."""

import io
import ipaddress
from decimal import Decimal
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from restaurant_ops import bounds
from restaurant_ops.api.errors import status_for
from restaurant_ops.csv_import import CsvForm, csv_step
from restaurant_ops.errors import DomainError, DomainErrors, error_list
from restaurant_ops.forms import add_errors, flash_errors, form_decimal, form_id
from restaurant_ops.money import money
from restaurant_ops.permissions import Perm, role_has
from restaurant_ops.selectors import pin_approvers, store_for_user
from restaurant_ops.services import PinRefused, authorize
from restaurant_ops.setup import setup_context

from . import forms, selectors, services
from .models import (
    CashDrawerSession,
    Check,
    MenuItem,
    Order,
    OrderLine,
    Payment,
    Register,
    Table,
    TableSession,
)


def _menu(store):
    categories = selectors.menu_categories(type(store).objects.filter(pk=store.pk))
    return [c for c in categories if any(i.is_active for i in c.items.all())]


def _lines_from_form(data, store) -> list[services.LineRequest]:
    """The menu form: `qty-<item>` per item, `mod-<item>` modifier ids, `note-<item>`."""
    lines = []
    for key, value in data.items():
        if not key.startswith("qty-") or not value.strip():
            continue
        try:
            item_id, quantity = int(key[4:]), int(value)
            modifier_ids = [int(m) for m in data.getlist(f"mod-{item_id}")]
        except ValueError:
            raise DomainError(key, "invalid", _("Enter whole numbers."))
        if quantity <= 0:
            continue
        lines.append(
            services.LineRequest(
                item_id=item_id,
                quantity=quantity,
                modifier_ids=modifier_ids,
                note=data.get(f"note-{item_id}", "")[:200],
            )
        )
    return lines


# --- Guest QR page -------------------------------------------------------------------------------


def _guest_table(qr_token):
    return Table.objects.select_related("store").filter(qr_token=qr_token, is_active=True).first()


def guest_table(request, qr_token):
    table = _guest_table(qr_token)
    if table is None:
        return render(request, "orders/guest_expired.html", status=404)
    store = table.store
    if store.table_session_mode == store.TableSessionMode.ROTATE_TOKEN:
        session = services.table_session_open(table=table)
    else:
        session = services.table_session_current(table=table)
    return render(
        request,
        "orders/guest.html",
        {
            "table": table,
            "store": store,
            "session": session,
            "categories": _menu(store),
            "panels": settings.ORDERS_GUEST_PANELS,
        },
    )


@require_POST
def guest_preview(request, qr_token):
    table = _guest_table(qr_token)
    if table is None:
        return render(request, "orders/guest_expired.html", status=404)
    try:
        preview = services.cart_quote(store=table.store, lines=_lines_from_form(request.POST, table.store))
    except DomainError:
        preview = None
    return render(request, "orders/_cart_total.html", {"preview": preview, "store": table.store})


@require_POST
def guest_order(request, qr_token):
    table = _guest_table(qr_token)
    token = request.POST.get("session", "")
    context = {"qr_token": qr_token}
    try:
        order = services.guest_order_place(
            qr_token=qr_token,
            session_token=token,
            note=request.POST.get("note", ""),
            lines=_lines_from_form(request.POST, table.store) if table else [],
        )
        context["placed"] = order
        status = 201
    except (DomainError, DomainErrors) as error:
        context["errors"] = [str(e.message) for e in error_list(error)]
        status = status_for(error)
    # htmx swaps only 2xx by default; the message must show either way, so answer 200 to htmx.
    response = render(
        request,
        "orders/_guest_result.html",
        context,
        status=200 if request.headers.get("HX-Request") else status,
    )
    if "placed" in context:
        response["HX-Trigger"] = "order-placed"
    return response


def guest_check(request, qr_token):
    """The table's shared check, polled by every phone at the table."""
    token = request.GET.get("session", "")
    # The page's own session, open or closed by payment (which may have rotated the table's QR secret):
    # the session token is the guest's proof, so a paid party still sees its check.
    session = (
        TableSession.objects.select_related("table", "store").filter(token=token).first() if token else None
    )
    if session is not None and session.is_open and session.table.qr_token != qr_token:
        session = None
    table = session.table if session is not None else _guest_table(qr_token)
    guest_checks = []
    if session is not None:
        for check in Check.objects.filter(session=session, merged_into__isnull=True):
            guest_checks.append({"check": check, "lines": selectors.check_lines(guest_check=check)})
    response = render(
        request,
        "orders/_guest_check.html",
        {"session": session, "checks": guest_checks, "store": table.store if table else None},
    )
    if session is not None and not session.is_open:
        # Paid: htmx stops polling on 286 and the page's panels hear "check-paid" (e.g. feedback).
        response.status_code = 286
        response["HX-Trigger"] = "check-paid"
    return response


@require_POST
def guest_code(request, qr_token):
    """A coupon or voucher code typed on the guest's phone, applied to the table's open check."""
    table = _guest_table(qr_token)
    token = request.POST.get("session", "")
    session = (
        TableSession.objects.filter(token=token, table=table, closed_at__isnull=True).first()
        if table is not None and token
        else None
    )
    context, status = {}, 200
    try:
        check = (
            Check.objects.filter(session=session, status__in=Check.OPEN_STATUSES).order_by("id").first()
            if session is not None
            else None
        )
        if check is None:
            raise DomainError("code", "no_check", _("Code: order something first, then add the code."))
        services.discount_code_throttle(key=str(table.pk))
        redemption = services.discount_code_redeem(
            guest_check=check, code=request.POST.get("code", ""), channel="qr"
        )
        context["applied"] = redemption.code.code
    except (DomainError, DomainErrors) as error:
        context["errors"] = [str(e.message) for e in error_list(error)]
        status = status_for(error)
    response = render(
        request,
        "orders/_guest_code.html",
        context,
        status=200 if request.headers.get("HX-Request") else status,
    )
    if "applied" in context:
        response["HX-Trigger"] = "order-placed"  # the check above reloads with the discount
    return response


# --- Staff pages -----------------------------------------------------------------------------------


def _refund_lines_from_form(data) -> list[services.LineRefund]:
    """The refund-by-item form: `refund-line-<line id>` = how many to refund (0 or blank: none)."""
    lines = []
    for key, value in data.items():
        if not key.startswith("refund-line-") or not value.strip():
            continue
        try:
            line_id, quantity = int(key.removeprefix("refund-line-")), int(value)
        except ValueError:
            raise DomainError(key, "invalid", _("Enter whole numbers."))
        if quantity:
            lines.append(services.LineRefund(line_id=line_id, quantity=quantity))
    return lines


def _approver(request, store, perm):
    try:
        return authorize(
            user=request.user,
            store=store,
            perm=perm,
            approver_pin=request.POST.get("approver_pin") or None,
            approver=request.POST.get("approver") or None,
        )
    except PinRefused as refused:
        refused.record_failure()
        raise


@login_required
def till(request, store_slug):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_ORDERS)
    if request.method == "POST" and request.POST.get("action") == "open_table":
        table = get_object_or_404(Table, store=store, pk=form_id(request.POST, "table"), is_active=True)
        services.table_session_open(table=table, by=request.user)
        messages.success(request, _("%(table)s is open for QR orders.") % {"table": table.name})
        return redirect("orders:till", store_slug=store.slug)
    status = 200
    if request.method == "POST":
        try:
            table = None
            if (table_id := form_id(request.POST, "table")) is not None:
                table = Table.objects.filter(store=store, pk=table_id, is_active=True).first()
                if table is None:
                    raise DomainError("table", "unknown_table", _("No such table in this store."))
            order = services.order_place(
                store=store,
                table=table,
                channel=Order.Channel.TILL,
                placed_by=request.user,
                service_type=Order.ServiceType.DINE_IN if table else Order.ServiceType.TAKEAWAY,
                note=request.POST.get("note", ""),
                lines=_lines_from_form(request.POST, store),
            )
            messages.success(request, _("Order #%(id)s placed.") % {"id": order.pk})
            return redirect("orders:check", store_slug=store.slug, check_id=order.guest_check_id)
        except (DomainError, DomainErrors) as error:
            status = flash_errors(request, error)
    return render(
        request,
        "orders/till.html",
        {
            "store": store,
            "categories": _menu(store),
            "tables": Table.objects.filter(store=store, is_active=True),
            "open_checks": selectors.table_open_checks(store=store),
            "registers": Register.objects.filter(store=store),
            "staff_opens": store.table_session_mode == store.TableSessionMode.STAFF_OPENS,
            "open_sessions": set(
                TableSession.objects.filter(store=store, closed_at__isnull=True).values_list(
                    "table_id", flat=True
                )
            ),
        },
        status=status,
    )


@login_required
def check_detail(request, store_slug, check_id):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_ORDERS)
    check = get_object_or_404(Check.objects.select_related("table", "merged_into"), store=store, pk=check_id)
    parts = request.GET.get("parts", "")
    registers = list(Register.objects.filter(store=store))
    current_register = request.session.get("register") or (registers[0].pk if len(registers) == 1 else None)
    shares = (
        services.split_evenly(check.balance, int(parts)) if parts.isdigit() and 0 < int(parts) <= 20 else []
    )
    return render(
        request,
        "orders/check.html",
        {
            "store": store,
            "check": check,
            "lines": selectors.check_lines(guest_check=check),
            "payments": check.payments.select_related("taken_by").order_by("created_at"),
            "adjustments": check.adjustments.select_related("line", "by", "approved_by"),
            "registers": registers,
            "shares": shares,
            "parts": parts,
            "methods": Payment.Method.choices,
            "current_register": current_register,
            "other_checks": selectors.table_open_checks(store=store).exclude(pk=check.pk),
            "tables": Table.objects.filter(store=store, is_active=True).exclude(pk=check.table_id),
            "panels": settings.ORDERS_CHECK_PANELS,
            # A cashier names the manager who approves (that manager's PIN, and only theirs, is tried).
            "needs_approval": not role_has(membership.role, Perm.REFUND),
            "approvers": pin_approvers(store=store),
        },
    )


@login_required
@require_POST
def check_action(request, store_slug, check_id, action):
    """One POST per till action: pay, refund, void, comp, discount, code, split, merge, move, close."""
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_ORDERS)
    check = get_object_or_404(Check, store=store, pk=check_id)
    post, user = request.POST, request.user
    target = check
    try:
        if action == "pay":
            authorize(user=user, store=store, perm=Perm.TAKE_PAYMENTS)
            register = Register.objects.filter(store=store, pk=form_id(post, "register")).first()
            if register:
                request.session["register"] = register.pk
            payment = services.payment_take(
                guest_check=check,
                method=post.get("method", ""),
                amount=form_decimal(post, "amount", required=True),
                tip=form_decimal(post, "tip") or Decimal("0"),
                tendered=form_decimal(post, "tendered"),
                register=register,
                by=user,
            )
            if payment.change_due:
                messages.success(
                    request,
                    _("Change due: %(change)s") % {"change": money(payment.change_due, store.currency)},
                )
        elif action == "refund":
            original = get_object_or_404(Payment, guest_check=check, pk=form_id(post, "payment"))
            approver = _approver(request, store, Perm.REFUND)
            by_line = post.get("mode") == "lines"
            services.payment_refund(
                payment=original,
                amount=None if by_line else form_decimal(post, "amount"),
                lines=_refund_lines_from_form(post) if by_line else None,
                reason=post.get("reason", ""),
                by=user,
                approved_by=approver,
            )
        elif action in ("void", "comp"):
            line = get_object_or_404(OrderLine, guest_check=check, pk=form_id(post, "line"))
            approver = _approver(request, store, Perm.VOID if action == "void" else Perm.COMP)
            service = services.order_line_void if action == "void" else services.check_comp_line
            service(line=line, reason=post.get("reason", ""), by=user, approved_by=approver)
        elif action == "discount":
            approver = _approver(request, store, Perm.DISCOUNT)
            services.check_discount(
                guest_check=check,
                amount=form_decimal(post, "amount"),
                percent=form_decimal(post, "percent"),
                reason=post.get("reason", ""),
                by=user,
                approved_by=approver,
            )
        elif action == "code":
            # The code is the authority (no manager PIN): it was issued on purpose, and is used once.
            services.discount_code_redeem(
                guest_check=check, code=post.get("code", ""), channel="till", by=user
            )
            messages.success(request, _("Code applied."))
        elif action == "split":
            target = services.check_split_items(
                guest_check=check,
                by=user,
                line_ids=[int(i) for i in post.getlist("lines") if i.isdigit() and int(i) <= bounds.MAX_ID],
            )
        elif action == "merge":
            other = get_object_or_404(Check, store=store, pk=form_id(post, "other"))
            services.check_merge(into=check, other=other, by=user)
        elif action == "move":
            table = get_object_or_404(Table, store=store, pk=form_id(post, "table"))
            services.check_move(guest_check=check, table=table, by=user)
        elif action == "close":
            services.check_close(guest_check=check, by=user)
        else:
            return HttpResponse(status=404)
    except (DomainError, DomainErrors) as error:
        status = flash_errors(request, error)
        response = check_detail(request, store_slug=store.slug, check_id=check.pk)
        response.status_code = status
        return response
    return redirect("orders:check", store_slug=store.slug, check_id=target.pk)


@login_required
def receipt(request, store_slug, check_id):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_ORDERS)
    check = get_object_or_404(Check.objects.select_related("table", "receipt"), store=store, pk=check_id)
    return render(
        request,
        "orders/receipt.html",
        {
            "store": store,
            "check": check,
            "receipt": getattr(check, "receipt", None),
            "lines": selectors.check_lines(guest_check=check)
            .filter(voided_at__isnull=True)
            .exclude(order__status=Order.Status.CANCELLED),
            "payments": check.payments.order_by("created_at"),
            "panels": settings.ORDERS_RECEIPT_PANELS,
        },
    )


# --- QR codes ----------------------------------------------------------------------------------------


def table_url(table: Table) -> str:
    return settings.PUBLIC_BASE_URL + reverse("orders:guest", kwargs={"qr_token": table.qr_token})


@login_required
def table_qr(request, store_slug, table_id, fmt):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_ORDERS)
    table = get_object_or_404(Table, store=store, pk=table_id)
    qr = segno.make(table_url(table), error="m")
    out = io.BytesIO()
    if fmt == "svg":
        qr.save(out, kind="svg", scale=6, border=2, xmldecl=False, title=table.name)
        return HttpResponse(out.getvalue(), content_type="image/svg+xml")
    qr.save(out, kind="png", scale=8, border=2)
    return HttpResponse(out.getvalue(), content_type="image/png")


@login_required
def qr_sheet(request, store_slug):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_ORDERS)
    tables = []
    for table in Table.objects.filter(store=store, is_active=True):
        svg = segno.make(table_url(table), error="m").svg_inline(scale=5, border=2, title=table.name)
        tables.append({"table": table, "svg": svg, "url": table_url(table)})
    return render(
        request,
        "orders/qr_sheet.html",
        {"store": store, "tables": tables, "loopback_base_url": _is_loopback(settings.PUBLIC_BASE_URL)},
    )


def _is_loopback(url: str) -> bool:
    """True when a guest's phone cannot reach the address: localhost or 127.x / ::1 is this machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- Close of day ------------------------------------------------------------------------------------


@login_required
def close_of_day(request, store_slug):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_PAYMENTS)
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "register":
                authorize(user=request.user, store=store, perm=Perm.CLOSE_DAY)
                services.register_create(store=store, name=request.POST.get("name", ""))
            elif action == "open":
                register = get_object_or_404(Register, store=store, pk=form_id(request.POST, "register"))
                services.drawer_open(
                    register=register,
                    opening_float=form_decimal(request.POST, "opening_float", required=True),
                    by=request.user,
                )
            elif action == "close":
                authorize(user=request.user, store=store, perm=Perm.CLOSE_DAY)
                drawer = get_object_or_404(CashDrawerSession, store=store, pk=form_id(request.POST, "drawer"))
                drawer = services.drawer_close(
                    drawer=drawer,
                    counted_cash=form_decimal(request.POST, "counted_cash", required=True),
                    by=request.user,
                )
                messages.success(
                    request, _("Z report printed for %(register)s.") % {"register": drawer.register}
                )
            return redirect("orders:close", store_slug=store.slug)
        except (DomainError, DomainErrors) as error:
            flash_errors(request, error)
    registers = []
    for register in Register.objects.filter(store=store):
        drawer = services.drawer_current(register=register)
        registers.append(
            {
                "register": register,
                "drawer": drawer,
                "x": selectors.drawer_report(drawer=drawer) if drawer else None,
            }
        )
    closed = CashDrawerSession.objects.filter(store=store, closed_at__isnull=False).select_related(
        "register", "closed_by"
    )[:20]
    return render(request, "orders/close.html", {"store": store, "registers": registers, "closed": closed})


@login_required
def z_report(request, store_slug, drawer_id):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.TAKE_PAYMENTS)
    drawer = get_object_or_404(
        CashDrawerSession.objects.select_related("register"), store=store, pk=drawer_id
    )
    report = drawer.z_report or selectors.drawer_report(drawer=drawer)
    return render(
        request,
        "orders/z_report.html",
        {"store": store, "drawer": drawer, "report": report, "is_z": drawer.z_report is not None},
    )


# --- Set-up and settings: tables and the menu ---------------------------------------------------


@login_required
def setup_tables(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.EDIT_MENU)
    form = forms.TablesForm(request.POST or None)
    if request.method == "POST" and "toggle" in request.POST:
        table = get_object_or_404(Table, store=store, pk=request.POST.get("toggle") or 0)
        services.table_set_active(table=table, active=not table.is_active)
        return redirect("orders:setup-tables", store_slug=store.slug)
    renaming, rename_form = None, None
    if request.method == "POST" and "rename" in request.POST:
        renaming = get_object_or_404(Table, store=store, pk=request.POST.get("rename") or 0)
        rename_form = forms.TableRenameForm(request.POST, prefix=f"t{renaming.pk}")
        form = forms.TablesForm()
        if rename_form.is_valid():
            try:
                renamed = services.table_rename(
                    table=renaming, name=rename_form.cleaned_data["name"], by=request.user
                )
            except DomainError as error:
                add_errors(rename_form, error)
            else:
                messages.success(request, _("Table renamed to %(name)s.") % {"name": renamed.name})
                return redirect("orders:setup-tables", store_slug=store.slug)
    elif request.method == "POST" and form.is_valid():
        try:
            added = services.tables_add(store=store, **form.cleaned_data)
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(n)d tables added.") % {"n": len(added)})
            target = "orders:setup-menu" if "continue" in request.POST else "orders:setup-tables"
            return redirect(target, store_slug=store.slug)
    context = {
        **setup_context(store=store, step="tables"),
        "form": form,
        "tables": [
            (t, rename_form if renaming and t.pk == renaming.pk else forms.TableRenameForm(prefix=f"t{t.pk}"))
            for t in Table.objects.filter(store=store)
        ],
    }
    bad = form.errors or (rename_form and rename_form.errors)
    return render(request, "orders/setup_tables.html", context, status=400 if bad else 200)


@login_required
def setup_menu(request, store_slug):
    """Items typed in one at a time, or a spreadsheet (CSV) previewed with its errors row by row."""
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.EDIT_MENU)
    form = forms.MenuItemForm(request.POST if "add" in request.POST else None, store=store)
    context = {"csv_form": CsvForm(), "csv_columns": forms.MENU_CSV_COLUMNS}
    if request.method == "POST" and "toggle" in request.POST:
        item = get_object_or_404(MenuItem, store=store, pk=request.POST.get("toggle") or 0)
        services.menu_item_set_active(item=item, active=not item.is_active)
        return redirect("orders:setup-menu", store_slug=store.slug)
    if request.method == "POST" and "reprice" in request.POST:
        item = get_object_or_404(MenuItem, store=store, pk=request.POST.get("reprice") or 0)
        try:
            services.menu_item_set_price(
                item=item,
                # Parsed here; the service's rule (whole cents) names what is wrong with e.g. 12.345.
                price=form_decimal(request.POST, f"price-{item.pk}", places=6, required=True),
                by=request.user,
                reason="settings",
            )
        except DomainError as error:
            messages.error(request, f"{item.name}: {error.message}")
        else:
            messages.success(
                request, _("%(name)s now costs %(price)s.") % {"name": item.name, "price": item.price}
            )
        return redirect("orders:setup-menu", store_slug=store.slug)
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        try:
            services.menu_item_create(store=store, **form.service_args(form.cleaned_data))
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": form.cleaned_data["name"]})
            return redirect("orders:setup-menu", store_slug=store.slug)
    elif request.method == "POST" and "csv" in request.POST:

        def import_rows(rows):
            items = [forms.MenuItemForm.service_args(row) for row in rows]
            return len(services.menu_items_import(store=store, items=items, by=request.user))

        outcome = csv_step(
            request,
            columns=forms.MENU_CSV_COLUMNS,
            required=forms.MENU_CSV_REQUIRED,
            row_form=lambda data: forms.MenuItemForm(data, store=store),
            import_rows=import_rows,
            done_message=_("%(n)d menu items imported."),
            back_to=request.path,
        )
        if not isinstance(outcome, dict):
            return outcome
        context.update(outcome)
    context.update(
        setup_context(store=store, step="menu"),
        form=form,
        items=MenuItem.objects.filter(store=store).select_related("category", "tax_category"),
    )
    bad = form.errors or context["csv_form"].errors
    return render(request, "orders/setup_menu.html", context, status=400 if bad else 200)
