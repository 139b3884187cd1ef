"""Notifications to people: who hears of an insight, on which channels (in-app, e-mail, a chat robot:
WeCom, DingTalk or Slack-compatible), when (quiet hours defer what is not urgent), and the owner's
morning digest of today's decisions.

Everything goes through the outbox: an opened insight is an outbox event (written in the insight's
transaction); its follower task `connections.tasks.notify` writes the in-app rows and the e-mail and
robot sends they owe; `connections.tasks.notifications_deliver` sends those with retries and backoff
(the drain wakes it, beat's drain every 30 s covers a broker that was down). Nothing is lost, at worst
late. Quiet hours: e-mail and robot messages of severity info and warning wait for the end of the
person's quiet hours (in the store's zone); "high" goes at once, because it is what someone must act on
now (the in-app row is silent and always written)."""

import datetime as dt
import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Membership, OpeningHours, Role, Store
from restaurant_ops.permissions import Perm, roles_with
from restaurant_ops.timeutils import local

from . import events
from .models import (
    CHANNELS,
    SEVERITIES,
    DigestSchedule,
    Notification,
    NotificationPreference,
    NotificationSend,
    OutboxEvent,
)
from .services import outbox_nudge
from .urlguard import guarded_post, url_check
from .webhooks import BACKOFF, TIMEOUT_SECONDS

logger = logging.getLogger(__name__)
NOTIFIED_TOPICS = ("insight.opened",)


# --- Preferences -------------------------------------------------------------------------------------


def preference_for(user) -> NotificationPreference:
    """The person's preferences (the defaults until they save their own)."""
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


def reader_language(pref: NotificationPreference) -> str:
    """The language a person's notifications are written in: theirs, else the site's default."""
    return pref.language or settings.LANGUAGE_CODE


def preference_update(
    *,
    user,
    channels: dict[str, list[str]],
    robot_kind: str = "",
    robot_url: str = "",
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    digest: bool = True,
    digest_channels: list[str] | None = None,
    language: str = "",
) -> NotificationPreference:
    for severity, chosen in channels.items():
        if severity not in SEVERITIES or set(chosen) - set(CHANNELS):
            raise DomainError(
                "channels", "invalid", _("Choose channels among in-app, e-mail and chat robot.")
            )
    if robot_kind not in NotificationPreference.Robot.values:
        raise DomainError("robot_kind", "invalid", _("Choose WeCom, DingTalk or Slack-compatible."))
    robot_url = (robot_url or "").strip()
    if robot_url:
        url_check(robot_url, field="robot_url")
        if not robot_kind:
            raise DomainError("robot_kind", "required", _("Say which kind of chat robot the URL is."))
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError("language", "invalid", _("Choose a language the app speaks."))
    if (quiet_start is None) != (quiet_end is None):
        raise DomainError("quiet_end", "required", _("Give both ends of the quiet hours, or neither."))
    pref = preference_for(user)
    pref.channels = {s: sorted(set(channels.get(s, [])), key=CHANNELS.index) for s in SEVERITIES}
    pref.robot_kind, pref.robot_url = robot_kind, robot_url
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.digest = digest
    pref.language = language
    pref.digest_channels = sorted(set(digest_channels or []) & set(CHANNELS), key=CHANNELS.index)
    pref.save()
    return pref


def quiet_until(pref: NotificationPreference, store: Store, now: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours `now` falls in (store-local start/end; a span may pass midnight), or
    None outside them."""
    if pref.quiet_start is None or pref.quiet_end is None or pref.quiet_start == pref.quiet_end:
        return None
    here = local(store, now)
    start, end, t = pref.quiet_start, pref.quiet_end, here.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = here.date() if t < end else here.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=store.tz).astimezone(dt.UTC)


# --- Writing notifications ---------------------------------------------------------------------------


def _link(name: str, **kwargs) -> str:
    return settings.PUBLIC_BASE_URL + reverse(name, kwargs=kwargs)


def _recipients(store: Store):
    """The people who must act on insights: members whose role sees the dashboard."""
    user_ids = Membership.objects.filter(store=store, role__in=roles_with(Perm.VIEW_DASHBOARD)).values(
        "user_id"
    )
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk")


def _notify(
    *, user, store, kind, severity, title, body, url, channels, event=None, insight_id=None, now
) -> Notification | None:
    pref = preference_for(user)
    notification = Notification.objects.create(
        user=user,
        store=store,
        kind=kind,
        severity=severity,
        title=title[:200],
        body=body,
        url=url,
        insight_id=insight_id,
        event=event,
        in_app="in_app" in channels,
        created_at=now,
    )
    due = (
        now
        if severity == "high" or kind == Notification.Kind.DIGEST
        else quiet_until(pref, store, now) or now
    )
    sends = []
    if "email" in channels and user.email:
        sends.append(NotificationSend(notification=notification, channel="email", next_attempt_at=due))
    if "robot" in channels and pref.robot_url and pref.robot_kind:
        sends.append(NotificationSend(notification=notification, channel="robot", next_attempt_at=due))
    NotificationSend.objects.bulk_create(sends)
    if sends:
        transaction.on_commit(outbox_nudge, robust=True)
    return notification


@transaction.atomic
def notify_events(*, event_ids: list[int], now: dt.datetime | None = None) -> int:
    """The follower of insight.opened: one notification per person who must act, on the channels they
    chose for its severity. Idempotent (one per person and event): a re-run writes nothing twice."""
    now = now or timezone.now()
    written = 0
    for event in OutboxEvent.objects.filter(pk__in=event_ids, topic__in=NOTIFIED_TOPICS).select_related(
        "store"
    ):
        data, store = event.payload, event.store
        severity = data.get("severity", "info")
        done = set(Notification.objects.filter(event=event).values_list("user_id", flat=True))
        for user in _recipients(store):
            if user.pk in done:
                continue
            pref = preference_for(user)
            channels = pref.channels.get(severity, [])
            if not channels:
                continue
            language = reader_language(pref)
            # The payload carries the insight's words in every language the app speaks (English only in
            # events written before it did: then the English, translated where the catalogue can).
            words = data.get("translations", {}).get(language) or {
                "title": data.get("title", ""),
                "message": data.get("message", ""),
            }
            with translation.override(language):
                title = _("%(severity)s: %(title)s") % {
                    "severity": _(severity.capitalize()),
                    "title": _(words["title"]),
                }
            _notify(
                user=user,
                store=store,
                kind=Notification.Kind.INSIGHT,
                severity=severity,
                title=title,
                body=words["message"],
                url=data.get("url", ""),
                channels=channels,
                event=event,
                insight_id=data.get("insight_id"),
                now=now,
            )
            written += 1
    return written


def notification_mark_read(
    *, user, notification_id: int | None = None, now: dt.datetime | None = None
) -> int:
    """Marks one of the person's notifications read, or all of them (None)."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=now or timezone.now())


# --- The morning digest ------------------------------------------------------------------------------


def digest_time(store: Store, day: dt.date) -> dt.datetime | None:
    """When the store's digest goes out on a (store-local) day: minutes before its first opening that
    day; None on a day it does not open."""
    first = OpeningHours.objects.filter(store=store, weekday=day.weekday()).order_by("opens").first()
    if first is None:
        return None
    schedule = DigestSchedule.objects.filter(store=store).first()
    lead = schedule.minutes_before_opening if schedule else 60
    opens = dt.datetime.combine(day, first.opens, tzinfo=store.tz)
    return (opens - dt.timedelta(minutes=lead)).astimezone(dt.UTC)


def todays_decisions(store: Store) -> list[dict]:
    """Today's decisions as the overview shows them, asked of whoever answers (the dashboard)."""
    decisions = []
    for _receiver, answer in events.morning_digest_due.send(sender=Store, store=store):
        decisions.extend(answer or [])
    return decisions


def digest_send(*, store: Store, now: dt.datetime | None = None) -> int:
    """The morning digest to each owner who wants it, in their language: today's decisions, each with
    the link that opens it. Returns how many were written."""
    now = now or timezone.now()
    owners = (
        get_user_model()
        .objects.filter(memberships__store=store, memberships__role=Role.OWNER, is_active=True)
        .order_by("pk")
    )
    written = 0
    for user in owners:
        pref = preference_for(user)
        if not pref.digest or not pref.digest_channels:
            continue
        with translation.override(reader_language(pref)):
            decisions = todays_decisions(store)
            title = _("Today's decisions at %(store)s") % {"store": store.name}
            if decisions:
                body = "\n".join(
                    f"- [{_(d['severity'].capitalize())}] {d['title']}: {d['message']} {d['url']}"
                    for d in decisions
                )
            else:
                body = _("Nothing needs a decision this morning.")
        _notify(
            user=user,
            store=store,
            kind=Notification.Kind.DIGEST,
            severity="info",
            title=title,
            body=body,
            url=_link("dashboard:overview", store_slug=store.slug),
            channels=pref.digest_channels,
            now=now,
        )
        written += 1
    return written


def digests_due(*, now: dt.datetime | None = None) -> int:
    """Sends each store's digest once its time has come today (run by beat every 5 minutes); once a day,
    and not after the store has opened (a digest missed while everything was down is not sent late)."""
    now = now or timezone.now()
    sent = 0
    for store in Store.objects.filter(opening_hours__isnull=False).distinct():
        today = local(store, now).date()
        at = digest_time(store, today)
        if at is None or not (at <= now < at + dt.timedelta(hours=2)):
            continue
        with transaction.atomic():
            schedule, _created = DigestSchedule.objects.select_for_update().get_or_create(store=store)
            if schedule.last_sent_on == today:
                continue
            schedule.last_sent_on = today
            schedule.save(update_fields=["last_sent_on"])
            digest_send(store=store, now=now)
            sent += 1
    return sent


# --- Sending e-mail and robot messages -----------------------------------------------------------------


def robot_payload(kind: str, title: str, text: str, url: str) -> dict:
    """The chat robot's own message format (each takes markdown but WeCom and DingTalk wrap it)."""
    link = f"[{_('Open')}]({url})" if url else ""
    if kind == NotificationPreference.Robot.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}\n{link}".strip()}}
    if kind == NotificationPreference.Robot.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": f"### {title}\n{text}\n{link}".strip()},
        }
    slack_link = f"<{url}|{_('Open')}>" if url else ""
    return {"text": f"*{title}*\n{text}\n{slack_link}".strip()}


def sends_due(*, now: dt.datetime | None = None, limit: int = 100) -> list[int]:
    now = now or timezone.now()
    return list(
        NotificationSend.objects.filter(state=NotificationSend.State.PENDING, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def send_one(*, send_id: int, now: dt.datetime | None = None) -> str | None:
    """One attempt of one e-mail or robot message (row-locked: never sent twice at once)."""
    with transaction.atomic():
        send = (
            NotificationSend.objects.select_for_update(skip_locked=True)
            .select_related("notification__user")
            .filter(pk=send_id, state=NotificationSend.State.PENDING)
            .first()
        )
        if send is None:
            return None
        now = now or timezone.now()
        note = send.notification
        error = ""
        try:
            if send.channel == "email":
                text = f"{note.body}\n\n{note.url}".strip()
                send_mail(note.title, text, None, [note.user.email], fail_silently=False)
            else:
                pref = preference_for(note.user)
                response = guarded_post(
                    pref.robot_url,
                    field="robot_url",
                    json=robot_payload(pref.robot_kind, note.title, note.body, note.url),
                    timeout=TIMEOUT_SECONDS,
                )
                if not 200 <= response.status_code < 300:
                    error = f"HTTP {response.status_code}"
        except (requests.RequestException, OSError, DomainError) as exc:
            error = f"{exc.__class__.__name__}: {getattr(exc, 'message', exc)}"[:300]
        send.attempts += 1
        send.last_error = error
        if not error:
            send.state, send.sent_at = NotificationSend.State.SENT, now
        elif send.attempts > len(BACKOFF):
            send.state = NotificationSend.State.FAILED
        else:
            send.next_attempt_at = now + dt.timedelta(seconds=BACKOFF[send.attempts - 1])
        send.save()
        return send.state
