"""Pages: the guest's panel on the QR page and the receipt's feedback page (no login), the till's
attach form, and the owner's customers, follow-up, churn and complaints pages. Thin: parse, call one
service or selector, render."""

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.models import Check, OrderLine, TableSession
from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.forms import add_errors
from restaurant_ops.models import Weekday
from restaurant_ops.permissions import Perm, role_has
from restaurant_ops.selectors import store_for_user
from restaurant_ops.timeutils import business_date

from . import messaging, selectors, services
from .forms import FeedbackForm, JoinForm, MessageRuleForm
from .models import CheckCustomer, Customer, CustomerScore, Feedback, MessageRule, MessageSend, Source

RANKING_DAYS = 28


def _errors(error) -> list[str]:
    if isinstance(error, DomainErrors):
        return [str(e.message) for e in error.errors]
    return [str(error.message)]


def _form_errors(form) -> list[str]:
    return [str(message) for messages_ in form.errors.values() for message in messages_]


# --- guests ------------------------------------------------------------------------------------------


def _rateable(checks: list[Check]) -> Check | None:
    rated = set(
        Feedback.objects.filter(guest_check__in=checks, source__in=[Source.QR, Source.RECEIPT]).values_list(
            "guest_check_id", flat=True
        )
    )
    for check in checks:
        if check.status in selectors.SETTLED and check.pk not in rated:
            return check
    return None


def _guest_context(store, checks: list[Check], **extra) -> dict:
    paid = [c for c in checks if c.status in selectors.SETTLED]
    items = (
        OrderLine.objects.filter(guest_check__in=paid, voided_at__isnull=True)
        .values_list("menu_item_id", "name")
        .distinct()
        .order_by("name")
    )
    return {
        "store": store,
        "rate_check": _rateable(checks),
        "paid": bool(paid),
        "joined": CheckCustomer.objects.filter(guest_check__in=checks).exists(),
        "items": list(items),
        "tags": Feedback.Tag.choices,
        "wording": services.consent_wording("sms"),
        **extra,
    }


def _session(session_token: str) -> tuple[TableSession, list[Check]]:
    session = get_object_or_404(TableSession.objects.select_related("store"), token=session_token)
    return session, list(Check.objects.filter(session=session, merged_into__isnull=True).order_by("pk"))


def guest_panel(request, session_token):
    """The join / feedback card under the table's check, reloaded when the check is paid."""
    session, checks = _session(session_token)
    return render(
        request, "customers/_guest_panel_body.html", _guest_context(session.store, checks, session=session)
    )


def _join(request, store, checks: list[Check], source: str) -> dict:
    form = JoinForm(request.POST)
    if not form.is_valid():
        return {"join_errors": _form_errors(form)}
    data = form.cleaned_data
    try:
        customer = services.customer_join(
            store=store,
            phone=data["phone"] or None,
            code=data["code"],
            name=data["name"],
            source=source,
            marketing_sms=data["marketing_sms"],
            wording=services.consent_wording("sms"),
            language=request.LANGUAGE_CODE or "en",
            guest_checks=[c for c in checks if not CheckCustomer.objects.filter(guest_check=c).exists()],
        )
    except (DomainError, DomainErrors) as error:
        return {"join_errors": _errors(error)}
    return {"new_member": customer}


def _feedback(request, checks: list[Check], source: str) -> dict:
    form = FeedbackForm(request.POST)
    check = _rateable(checks)
    if check is None:
        return {"feedback_errors": [_("Feedback opens once the check is paid.")]}
    if not form.is_valid():
        return {"feedback_errors": _form_errors(form)}
    data = form.cleaned_data
    try:
        services.feedback_leave(
            guest_check=check,
            rating=data["rating"],
            tags=data["tags"],
            menu_item_id=data["menu_item"],
            text=data["text"],
            source=source,
        )
    except (DomainError, DomainErrors) as error:
        return {"feedback_errors": _errors(error)}
    return {"thanked": True}


@require_POST
def guest_join(request, session_token):
    session, checks = _session(session_token)
    result = _join(request, session.store, checks, Source.QR)
    return render(
        request,
        "customers/_guest_panel_body.html",
        _guest_context(session.store, checks, session=session, **result),
    )


@require_POST
def guest_feedback(request, session_token):
    session, checks = _session(session_token)
    result = _feedback(request, checks, Source.QR)
    return render(
        request,
        "customers/_guest_panel_body.html",
        _guest_context(session.store, checks, session=session, **result),
    )


def receipt_feedback(request, token):
    """The page the receipt's link or QR code opens: rate the visit, and join if you like."""
    try:
        check = services.check_from_token(token)
    except DomainError as error:
        return render(
            request, "customers/receipt_feedback.html", {"invalid": error.message}, status=status_for(error)
        )
    result = {}
    if request.method == "POST":
        kind = request.POST.get("form")
        result = (
            _join(request, check.store, [check], Source.RECEIPT)
            if kind == "join"
            else _feedback(request, [check], Source.RECEIPT)
        )
    context = _guest_context(check.store, [check], token=token, **result)
    return render(request, "customers/receipt_feedback.html", context)


@csrf_exempt
def unsubscribe(request, token):
    """A marketing e-mail's unsubscribe link: the page asks for the one click (so a mail scanner's GET
    changes nothing); a POST withdraws that channel's consent. The mail client's one-click POST
    (RFC 8058 List-Unsubscribe-Post) carries no CSRF token: the signed link is the authority."""
    try:
        customer, channel = services.unsubscribe_customer(token)
    except DomainError as error:
        return render(request, "customers/unsubscribe.html", {"invalid": error.message}, status=404)
    done = None
    if request.method == "POST":
        services.unsubscribe(token)
        done = True
    return render(
        request, "customers/unsubscribe.html", {"store": customer.store, "done": done, "token": token}
    )


@csrf_exempt
@require_POST
def sms_inbound(request):
    """The SMS provider's webhook for replies: {"from": "+86…", "body": "STOP"} with the shared secret
    in X-Sms-Secret. Answers 200 whatever the text (providers retry anything else)."""
    secret = settings.SMS_INBOUND_SECRET
    if not secret or not constant_time_compare(request.headers.get("X-Sms-Secret", ""), secret):
        return JsonResponse(
            {"errors": [{"field": "X-Sms-Secret", "code": "invalid", "message": "Unknown sender."}]},
            status=403,
        )
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse(
            {"errors": [{"field": "", "code": "invalid", "message": "Send JSON."}]}, status=400
        )
    withdrawn = services.sms_inbound(sender=str(data.get("from", "")), body=str(data.get("body", "")))
    return JsonResponse({"withdrawn": withdrawn})


# --- the till ------------------------------------------------------------------------------------


@login_required
@require_POST
def till_attach(request, store_slug, check_id):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.SERVE_CUSTOMERS)
    check = get_object_or_404(Check, store=store, pk=check_id)
    result = _join(request, store, [check], Source.TILL)
    for message in result.get("join_errors", []):
        messages.error(request, message)
    if "new_member" in result:
        messages.success(request, _("Customer attached to this check."))
    return redirect("orders:check", store_slug=store.slug, check_id=check.pk)


# --- owner and manager pages ---------------------------------------------------------------------


def _page(request, store_slug, perm=Perm.SEE_CUSTOMERS):
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=perm)
    return store, membership


def _with_pct(ranking: dict) -> dict:
    """The complaint rate as the pages say it: a percentage with one decimal."""
    rate = ranking["rate"]
    return {**ranking, "rate_pct": None if rate is None else f"{rate * 100:.1f}"}


@login_required
def overview(request, store_slug):
    """Customers by segment, who to follow up, the churn trend, and complaints at a glance."""
    store, _m = _page(request, store_slug)
    today = business_date(store, timezone.now())
    trend = selectors.churn_trend(store=store)
    first = today - dt.timedelta(days=RANKING_DAYS - 1)
    return render(
        request,
        "customers/overview.html",
        {
            "store": store,
            "page": "overview",
            "segments": [
                (value, label, selectors.segment_counts(store=store)[value])
                for value, label in CustomerScore.Segment.choices
            ],
            "follow_up": selectors.follow_up(store=store)[:20],
            "follow_up_count": selectors.follow_up(store=store).count(),
            "trend": trend,
            "trend_json": {
                "months": [r.month.strftime("%Y-%m") for r in trend],
                "rates": [float(r.rate) * 100 if r.rate is not None else None for r in trend],
            },
            "warning": selectors.churn_warning(store=store),
            "ranking": _with_pct(selectors.complaint_ranking(store=store, first=first, last=today)),
            "first": first,
            "last": today,
            "customers_total": Customer.objects.filter(store=store).count(),
        },
    )


@login_required
def customer_list(request, store_slug):
    store, _m = _page(request, store_slug)
    segment = request.GET.get("segment", "")
    qs = selectors.customers(stores=type(store).objects.filter(pk=store.pk))
    if segment in CustomerScore.Segment.values:
        qs = qs.filter(score__segment=segment)
    if q := request.GET.get("q", "").strip():
        try:
            qs = qs.filter(phone=services.phone_parse(q))
        except DomainError:
            qs = qs.filter(membership_code=q.upper()) | qs.filter(name__icontains=q)
    page = Paginator(qs.order_by("-score__value_at_risk", "-created_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "customers/list.html",
        {
            "store": store,
            "page": "list",
            "customers": page,
            "segment": segment,
            "q": q,
            "segments": CustomerScore.Segment.choices,
        },
    )


def _customer(store, customer_id) -> Customer:
    return get_object_or_404(Customer.objects.select_related("score"), store=store, pk=customer_id)


@login_required
def customer_detail(request, store_slug, customer_id):
    store, _m = _page(request, store_slug)
    customer = _customer(store, customer_id)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        services.consent_withdraw(customer=customer, via=Source.STAFF)
        messages.success(request, _("Marketing consent withdrawn."))
        return redirect("customers:detail", store_slug=store.slug, customer_id=customer.pk)
    data = selectors.customer_export(customer=customer)
    return render(request, "customers/detail.html", {"store": store, "customer": customer, "data": data})


@login_required
def customer_export(request, store_slug, customer_id):
    store, _m = _page(request, store_slug)
    customer = _customer(store, customer_id)
    response = JsonResponse(
        selectors.customer_export(customer=customer), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response


@login_required
@require_POST
def customer_erase(request, store_slug, customer_id):
    store, _m = _page(request, store_slug)
    customer = _customer(store, customer_id)
    if request.POST.get("confirm") != "ERASE":
        messages.error(request, _("Type ERASE to confirm: erasure cannot be undone."))
        return redirect("customers:detail", store_slug=store.slug, customer_id=customer.pk)
    services.customer_erase(customer=customer, by=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The customer's data was erased; their orders remain, anonymous."))
    return redirect("customers:list", store_slug=store.slug)


@login_required
def complaints(request, store_slug):
    """Complaints by category and dish with their trend, the spikes with their likely cause, and
    each recent complaint beside its evidence."""
    store, _m = _page(request, store_slug)
    today = business_date(store, timezone.now())
    first = today - dt.timedelta(days=RANKING_DAYS - 1)
    recent = (
        selectors.feedback(stores=type(store).objects.filter(pk=store.pk))
        .filter(is_complaint=True)
        .order_by("-occurred_at", "-id")
    )
    if tag := request.GET.get("tag", ""):
        recent = selectors.with_tag(recent, tag)
    page = Paginator(recent, 30).get_page(request.GET.get("page"))
    labels = dict(Feedback.Tag.choices)
    return render(
        request,
        "customers/complaints.html",
        {
            "store": store,
            "page": "complaints",
            "ranking": _with_pct(selectors.complaint_ranking(store=store, first=first, last=today)),
            "spikes": [
                {
                    **spike,
                    "label": labels[spike["tag"]],
                    "weekday_label": Weekday(spike["weekday"]).label,
                    "hour_end": spike["hour"] + 2,
                }
                for spike in selectors.complaint_spikes(store=store, as_of=today)
            ],
            "complaints": page,
            "tag": tag,
            "tag_label": labels.get(tag, ""),
            "first": first,
            "last": today,
            "tag_labels": labels,
        },
    )


@login_required
def complaint_new(request, store_slug):
    """Staff log a complaint taken by phone or in person (cashiers too)."""
    store, membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.SERVE_CUSTOMERS)
    check = None
    check_id = request.POST.get("check") or request.GET.get("check")
    if check_id:
        check = Check.objects.filter(store=store, pk=check_id if str(check_id).isdigit() else 0).first()
        if check is None:
            raise Http404
    errors = []
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.complaint_log(
                    store=store,
                    guest_check=check,
                    tags=data["tags"],
                    rating=data["rating"],
                    menu_item_id=data["menu_item"],
                    text=data["text"],
                    occurred_at=data["occurred_at"],
                    by=request.user,
                )
                messages.success(request, _("Complaint logged."))
                if role_has(membership.role, Perm.SEE_CUSTOMERS):
                    return redirect("customers:complaints", store_slug=store.slug)
                if check is not None:
                    return redirect("orders:check", store_slug=store.slug, check_id=check.pk)
                return redirect("customers:complaint-new", store_slug=store.slug)
            except (DomainError, DomainErrors) as error:
                errors = _errors(error)
        else:
            errors = _form_errors(form)
    items = store.menu_items.filter(is_active=True).order_by("name").values_list("pk", "name")
    return render(
        request,
        "customers/complaint_new.html",
        {
            "store": store,
            "check": check,
            "errors": errors,
            "tags": Feedback.Tag.choices,
            "items": items,
            "post": request.POST,
        },
    )


def _rule_entry(rule) -> dict:
    result = messaging.rule_results(rule=rule)
    counts = dict(rule.sends.values_list("status").annotate(n=Count("pk")).order_by())
    return {"rule": rule, "result": result, "counts": counts, "pct": _pcts(result)}


@login_required
def message_rules(request, store_slug):
    """Each rule's measured effect: who came back within 30 days, messaged against held out, with the
    difference and its 95% interval (or "too few to tell"), coupon redemption, and the latest
    deliveries."""
    store, membership = _page(request, store_slug)
    rules = [_rule_entry(rule) for rule in MessageRule.objects.filter(store=store).select_related("store")]
    sends = MessageSend.objects.filter(rule__store=store).select_related("rule", "customer")[:50]
    return render(
        request,
        "customers/messages.html",
        {
            "store": store,
            "page": "messages",
            "rules": rules,
            "sends": sends,
            "statuses": dict(MessageSend.Status.choices),
            "can_edit": role_has(membership.role, Perm.MANAGE_STORE),
        },
    )


@login_required
def message_rule_results(request, store_slug, rule_id):
    """One rule's results page: the two arms, the difference with its interval, redemption, and its
    own delivery log."""
    store, membership = _page(request, store_slug)
    rule = get_object_or_404(MessageRule, store=store, pk=rule_id)
    return render(
        request,
        "customers/message_rule_results.html",
        {
            "store": store,
            "page": "messages",
            "r": _rule_entry(rule),
            "statuses": dict(MessageSend.Status.choices),
            "sends": rule.sends.select_related("customer", "coupon")[:100],
            "can_edit": role_has(membership.role, Perm.MANAGE_STORE),
        },
    )


@login_required
def message_rule_edit(request, store_slug, rule_id=None):
    """Create or change a rule (owner or manager), in two steps: the form, then a summary to confirm
    (what triggers it, to whom, the text in each language, the coupon, the holdout) before it is saved."""
    store, _m = _page(request, store_slug, Perm.MANAGE_STORE)
    rule = get_object_or_404(MessageRule, store=store, pk=rule_id) if rule_id is not None else None
    context = {"store": store, "page": "messages", "rule": rule}
    if request.method != "POST":
        initial = MessageRuleForm.initial_for(rule) if rule else None
        form = MessageRuleForm(initial=initial, store=store)
        return render(request, "customers/message_rule_form.html", {**context, "form": form})
    form = MessageRuleForm(request.POST, store=store)
    status = 200
    if form.is_valid() and "edit" not in request.POST:
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "customers/message_rule_confirm.html",
                {**context, "form": form, "data": form.rule_data()},
            )
        try:
            saved = services.message_rule_save(store=store, rule=rule, data=form.rule_data(), by=request.user)
        except (DomainError, DomainErrors) as error:
            add_errors(form, error)
            status = status_for(error)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
            return redirect("customers:message-results", store_slug=store.slug, rule_id=saved.pk)
    elif "edit" not in request.POST:
        status = 400
    return render(request, "customers/message_rule_form.html", {**context, "form": form}, status=status)


def _pcts(result: dict) -> dict:
    def pct(x, n):
        return f"{100 * x / n:.1f}" if n else "—"

    out = {"messaged": pct(*result["messaged"]), "held_out": pct(*result["held_out"])}
    redemption = result.get("redemption") or {"count": 0, "of": 0}
    out["redeemed"] = pct(redemption["count"], redemption["of"])
    if redemption.get("enough"):
        out["redeemed_low"] = f"{100 * redemption['low']:.1f}"
        out["redeemed_high"] = f"{100 * redemption['high']:.1f}"
    if result["enough"]:
        out.update(
            difference=f"{100 * result['difference']:+.1f}",
            low=f"{100 * result['low']:+.1f}",
            high=f"{100 * result['high']:+.1f}",
        )
    return out
