"""Each person's notifications (the bell's list, mark read) and their preferences page. Thin: every
write is one call into connections.notifications."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from restaurant_ops.errors import DomainError

from . import notifications
from .models import SEVERITIES, Notification, NotificationPreference


@login_required
def notification_list(request):
    rows = Notification.objects.filter(user=request.user, in_app=True).select_related("store")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "connections/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notification_read(request, notification_id=None):
    notifications.notification_mark_read(user=request.user, notification_id=notification_id)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "notifications")


def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value) if value else None
    except ValueError:
        raise DomainError("quiet_start", "invalid", _("Enter a time such as 22:00."))


@login_required
def preferences(request):
    pref = notifications.preference_for(request.user)
    status = 200
    if request.method == "POST":
        try:
            notifications.preference_update(
                user=request.user,
                channels={s: request.POST.getlist(f"channels_{s}") for s in SEVERITIES},
                robot_kind=request.POST.get("robot_kind", ""),
                robot_url=request.POST.get("robot_url", ""),
                quiet_start=_time(request.POST.get("quiet_start", "")),
                quiet_end=_time(request.POST.get("quiet_end", "")),
                digest=bool(request.POST.get("digest")),
                digest_channels=request.POST.getlist("digest_channels"),
                language=request.POST.get("language", ""),
            )
            messages.success(request, _("Notification settings saved."))
            return redirect("notification-preferences")
        except DomainError as error:
            messages.error(request, error.message)
            status = 400
    severities = [(s, label, pref.channels.get(s, [])) for s, label in severity_labels()]
    return render(
        request,
        "connections/notification_preferences.html",
        {
            "pref": pref,
            "severities": severities,
            "channels": [(c, label) for c, label in channel_labels()],
            "robots": NotificationPreference.Robot.choices,
            "languages": settings.LANGUAGES,
        },
        status=status,
    )


def severity_labels():
    return [("info", _("Info")), ("warning", _("Warning")), ("high", _("High"))]


def channel_labels():
    return [("in_app", _("In the app")), ("email", _("E-mail")), ("robot", _("Chat robot"))]
