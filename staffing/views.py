"""Staffing pages: the manager's week schedule (htmx forms), a person's own shifts and time clock on a
phone, and the labour figures. Thin: parse, call one service or selector, render."""

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from restaurant_ops.errors import DomainError
from restaurant_ops.forms import add_errors
from restaurant_ops.permissions import Perm
from restaurant_ops.selectors import store_for_user
from restaurant_ops.services import invitation_revoke
from restaurant_ops.setup import setup_context
from restaurant_ops.timeutils import business_date, local

from . import forms, selectors, services
from .models import Position, Shift, StaffMember


def _week(request, store) -> dt.date:
    raw = request.GET.get("week") or request.POST.get("week") or ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = business_date(store, timezone.now())
    return selectors.week_start_for(day)


def _moment(store, day: str, clock: str, field: str) -> dt.datetime:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(clock), tzinfo=store.tz)
    except (TypeError, ValueError):
        raise DomainError(field, "invalid", _("Give a day and a time such as 17:30."))


def _times(store, data) -> tuple[dt.datetime, dt.datetime]:
    """A day with a start and end time; an end at or before the start is on the next day."""
    start = _moment(store, data.get("day", ""), data.get("start", ""), "start")
    end = _moment(store, data.get("day", ""), data.get("end", ""), "end")
    if end <= start:
        end = dt.datetime.combine(end.date() + dt.timedelta(days=1), end.time(), tzinfo=store.tz)
    return start, end


def _schedule_context(store, week_start, *, error=None, values=None, edit_id=None) -> dict:
    shifts = list(selectors.week_shifts(store=store, week_start=week_start))
    per_day = defaultdict(list)
    for shift in shifts:
        per_day[shift.business_date].append(shift)
    days = [{"date": day, "shifts": per_day[day]} for day in selectors.week_days(week_start)]
    found = selectors.staffing_suggestions(store=store, week_start=week_start)
    candidates = selectors.suggestion_candidates(store=store, suggestions=found)
    suggestions = [
        {
            "key": s.key,
            "text": s.message(store),
            "kind": s.kind,
            "position_id": s.position_id,
            "position": s.position_name,
            "candidates": candidates.get(s.key, []),
        }
        for s in found
    ]
    return {
        "store": store,
        "week_start": week_start,
        "days": days,
        "shift_count": len(shifts),
        "previous_week": week_start - dt.timedelta(days=7),
        "next_week": week_start + dt.timedelta(days=7),
        "schedule": selectors.week_schedule(store=store, week_start=week_start),
        "staff": selectors.staff_members(store=store).filter(is_active=True),
        "positions": selectors.positions(store=store),
        "suggestions": suggestions,
        "error": error,
        "values": values or {},
        "edit_id": edit_id,
    }


def _respond(request, store, week_start, *, error=None, values=None, edit_id=None, success=""):
    """htmx gets the week fragment back (with the error in it); a plain form post is redirected."""
    if request.headers.get("HX-Request"):
        context = _schedule_context(store, week_start, error=error, values=values, edit_id=edit_id)
        context["success"] = success
        return render(request, "staffing/_week.html", context)
    if error:
        messages.error(request, error.message)
    elif success:
        messages.success(request, success)
    return redirect(f"{reverse('staffing:schedule', args=[store.slug])}?week={week_start.isoformat()}")


@login_required
def schedule(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    return render(request, "staffing/schedule.html", _schedule_context(store, _week(request, store)))


@login_required
@require_POST
def shift_add(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    week_start = _week(request, store)
    try:
        staff = StaffMember.objects.filter(store=store, pk=request.POST.get("staff") or 0).first()
        position = Position.objects.filter(store=store, pk=request.POST.get("position") or 0).first()
        if staff is None:
            raise DomainError("staff", "required", _("Choose who works."))
        if position is None:
            raise DomainError("position", "required", _("Choose a position."))
        start, end = _times(store, request.POST)
        shift = services.shift_create(
            store=store,
            staff=staff,
            position=position,
            start=start,
            end=end,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except DomainError as error:
        return _respond(request, store, week_start, error=error, values=request.POST)
    return _respond(
        request, store, week_start, success=_("Shift added for %(name)s.") % {"name": shift.staff.name}
    )


@login_required
@require_POST
def shift_move(request, store_slug, shift_id):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    shift = get_object_or_404(
        Shift.objects.select_related("store", "staff", "position"), store=store, pk=shift_id
    )
    week_start = _week(request, store)
    try:
        start, end = _times(store, request.POST)
        services.shift_move(
            shift=shift, start=start, end=end, reason=request.POST.get("reason"), by=request.user
        )
    except DomainError as error:
        return _respond(request, store, week_start, error=error, values=request.POST, edit_id=shift.pk)
    return _respond(request, store, week_start, success=_("Shift moved."))


@login_required
@require_POST
def shift_delete(request, store_slug, shift_id):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    shift = get_object_or_404(Shift.objects.select_related("store", "staff"), store=store, pk=shift_id)
    week_start = _week(request, store)
    services.shift_delete(shift=shift, by=request.user)
    return _respond(request, store, week_start, success=_("Shift deleted."))


@login_required
@require_POST
def week_copy(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    week_start = _week(request, store)
    created, skipped = services.week_copy_previous(store=store, week_start=week_start, by=request.user)
    text = _("Copied %(created)d shifts from last week.") % {"created": len(created)}
    if skipped:
        text += " " + _("Skipped %(count)d: %(reasons)s") % {
            "count": len(skipped),
            "reasons": "; ".join(f"{old.staff}: {error.message}" for old, error in skipped),
        }
    return _respond(request, store, week_start, success=text)


@login_required
@require_POST
def week_publish(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    week_start = _week(request, store)
    try:
        services.week_publish(store=store, week_start=week_start, by=request.user)
    except DomainError as error:
        return _respond(request, store, week_start, error=error)
    return _respond(request, store, week_start, success=_("Week published: staff can see their shifts."))


@login_required
@require_POST
def suggestion_apply(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    week_start = _week(request, store)
    try:
        suggestion = selectors.suggestion_by_key(
            store=store, week_start=week_start, key=request.POST.get("key", "")
        )
        if suggestion is None:
            raise DomainError(
                "key", "stale", _("This suggestion no longer applies; the schedule has changed.")
            )
        if request.POST.get("staff") == "open":
            services.suggestion_publish_open(
                suggestion=suggestion,
                store=store,
                by=request.user,
                reason=_("Staffing suggestion from the forecast"),
            )
            return _respond(
                request,
                store,
                week_start,
                success=_(
                    "Published as an open shift: staff who work as %(position)s can claim it in My shifts."
                )
                % {"position": suggestion.position_name},
            )
        staff = StaffMember.objects.filter(store=store, pk=request.POST.get("staff") or 0).first()
        if staff is None:
            raise DomainError("staff", "required", _("Choose who takes the shift."))
        services.suggestion_apply(suggestion=suggestion, staff=staff, by=request.user)
    except DomainError as error:
        return _respond(request, store, week_start, error=error)
    return _respond(request, store, week_start, success=_("Suggestion applied: shift added."))


@login_required
def my_shifts(request, store_slug):
    """A person's published shifts, and the open shifts in positions they hold, each with a claim button."""
    store, _membership = store_for_user(user=request.user, slug=store_slug)
    staff = selectors.staff_for_user(user=request.user, store=store)
    shifts, open_shifts = [], []
    if staff is not None:
        today = business_date(store, timezone.now())
        shifts = selectors.published_shifts(staff=staff, since=today)[:60]
        open_shifts = selectors.open_shifts_for(staff=staff, after=timezone.now())[:60]
    return render(
        request,
        "staffing/my_shifts.html",
        {"store": store, "staff": staff, "shifts": shifts, "open_shifts": open_shifts},
    )


@login_required
@require_POST
def open_shift_claim(request, store_slug, shift_id):
    store, _membership = store_for_user(user=request.user, slug=store_slug)
    staff = selectors.staff_for_user(user=request.user, store=store)
    shift = get_object_or_404(Shift, store=store, pk=shift_id)
    try:
        if staff is None:
            raise DomainError("staff", "not_found", _("You have no staff profile at this store."))
        shift = services.open_shift_claim(shift=shift, staff=staff, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("staffing:my-shifts", store_slug=store.slug)
    messages.success(
        request,
        _("The shift on %(day)s is yours.") % {"day": date_format(local(store, shift.start), "D j M H:i")},
    )
    return redirect("staffing:my-shifts", store_slug=store.slug)


@login_required
def clock(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug)
    staff = selectors.staff_for_user(user=request.user, store=store)
    if request.method == "POST" and staff is not None:
        try:
            if request.POST.get("action") == "in":
                position = None
                if request.POST.get("position"):
                    position = Position.objects.filter(store=store, pk=request.POST["position"]).first()
                services.clock_in(staff=staff, position=position)
                messages.success(request, _("Clocked in."))
            else:
                entry = services.clock_out(staff=staff)
                messages.success(request, _("Clocked out after %(hours)s h.") % {"hours": entry.hours})
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("staffing:clock", store_slug=store.slug)
    context = {"store": store, "staff": staff}
    if staff is not None:
        context.update(
            open_entry=selectors.open_clock_entry(staff=staff),
            positions=staff.positions.all(),
            recent=staff.time_clock_entries.select_related("position")[:10],
        )
    return render(request, "staffing/clock.html", context)


@login_required
def labour(request, store_slug):
    store, _membership = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    week_start = _week(request, store)
    figures = selectors.labour_figures(store=store, week_start=week_start)
    return render(
        request,
        "staffing/labour.html",
        {
            "store": store,
            "figures": figures,
            "week_start": week_start,
            "previous_week": week_start - dt.timedelta(days=7),
            "next_week": week_start + dt.timedelta(days=7),
        },
    )


# --- Set-up and settings: staff invited by a link --------------------------------------------------


@login_required
def setup_staff(request, store_slug):
    store, _m = store_for_user(user=request.user, slug=store_slug, perm=Perm.MANAGE_STAFF)
    form = forms.InviteForm(request.POST if "invite" in request.POST else None)
    if request.method == "POST" and "revoke" in request.POST:
        staff = get_object_or_404(StaffMember, store=store, pk=request.POST.get("revoke") or 0)
        if staff.invitation is not None:
            invitation_revoke(invitation=staff.invitation, by=request.user)
        return redirect(request.path)
    costing, cost_form = None, None
    if request.method == "POST" and "set_cost" in request.POST:
        costing = get_object_or_404(StaffMember, store=store, pk=request.POST.get("set_cost") or 0)
        cost_form = forms.HourlyCostForm(request.POST, prefix=f"s{costing.pk}")
        if cost_form.is_valid():
            try:
                services.staff_member_update(staff=costing, by=request.user, **cost_form.cleaned_data)
            except DomainError as error:
                add_errors(cost_form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s now costs %(cost)s an hour.")
                    % {"name": costing.name, "cost": costing.hourly_cost}
                    + (
                        " " + _("At most %(hours)s hours a week.") % {"hours": costing.max_weekly_hours}
                        if costing.max_weekly_hours
                        else ""
                    ),
                )
                return redirect(request.path)
    if request.method == "POST" and "invite" in request.POST and form.is_valid():
        try:
            staff = services.staff_invite(store=store, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Send %(name)s the link below: it works once, for two weeks.") % {"name": staff.name},
            )
            return redirect(request.path)
    staff = StaffMember.objects.filter(store=store).select_related("invitation", "user")
    rows = [
        {
            "staff": member,
            "link": request.build_absolute_uri(reverse("join", args=[member.invitation.token]))
            if member.invitation is not None and member.invitation.is_open
            else "",
            "cost_form": cost_form
            if costing and member.pk == costing.pk
            else forms.HourlyCostForm(
                prefix=f"s{member.pk}",
                initial={"hourly_cost": member.hourly_cost, "max_weekly_hours": member.max_weekly_hours},
            ),
        }
        for member in staff
    ]
    context = {**setup_context(store=store, step="staff"), "form": form, "rows": rows}
    bad = form.errors or (cost_form and cost_form.errors)
    return render(request, "staffing/setup_staff.html", context, status=400 if bad else 200)
