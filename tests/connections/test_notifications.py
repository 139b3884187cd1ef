"""Notifications to people: an opened insight reaches each person who must act on the channels they chose
for its severity (in-app, e-mail, a chat robot in its own payload format), through the outbox; quiet
hours defer what is not urgent; the owner's morning digest is the overview's "today's decisions"; every
notification's link opens the insight."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.test import Client

from analytics.insights import Finding, insight_upsert
from connections import notifications
from connections.models import Notification, NotificationSend
from connections.tasks import notifications_deliver
from dashboard import selectors as dashboard_selectors
from restaurant_ops.models import OpeningHours, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


class Robot(BaseHTTPRequestHandler):
    """A chat robot's webhook: records each JSON body by path."""

    received: list[tuple[str, dict]] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        Robot.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    Robot.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)  # a free port: no clash with anyone's tests
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _person(store, role, email, **pref):
    membership = MembershipFactory(store=store, role=role)
    membership.user.email = email
    membership.user.save()
    if pref:
        notifications.preference_update(
            user=membership.user,
            channels=pref.pop("channels", notifications.preference_for(membership.user).channels),
            **pref,
        )
    return membership.user


def _finding(subject, severity, key="low_stock_no_supplier"):
    return Finding(
        kind="low_stock",
        subject=subject,
        message_key=key,
        numbers={
            "ingredient": subject,
            "unit": "g",
            "on_hand": "0",
            "reorder_point": "500",
            "days_left": "0",
        },
        severity=severity,
    )


def test_a_high_insight_reaches_the_app_the_mailbox_and_each_robot_in_its_format(
    store, robot, settings, mailoutbox_backend, run_outbox
):
    settings.PUBLIC_BASE_URL = "https://ops.example"
    owner = _person(store, Role.OWNER, "owner@example.com", robot_kind="wecom", robot_url=f"{robot}/wecom")
    manager = _person(
        store, Role.MANAGER, "manager@example.com", robot_kind="dingtalk", robot_url=f"{robot}/dingtalk"
    )
    second = _person(store, Role.OWNER, "", robot_kind="slack", robot_url=f"{robot}/slack")
    _person(store, Role.COOK, "cook@example.com")  # a cook does not act on insights: hears nothing

    insight = insight_upsert(store=store, finding=_finding("Flour", "high"))
    assert run_outbox() >= 1  # the outbox hands insight.opened to connections.tasks.notify (eager here)
    rows = Notification.objects.filter(insight_id=insight.pk).order_by("user_id")
    assert [(n.user_id, n.in_app, n.severity) for n in rows] == [
        (owner.pk, True, "high"),
        (manager.pk, True, "high"),
        (second.pk, True, "high"),
    ]
    link = f"https://ops.example/dashboard/{store.slug}/insights/{insight.pk}/"
    assert {n.url for n in rows} == {link}

    assert notifications_deliver.apply().get() == 5  # 2 e-mails (the second owner has none) + 3 robots
    assert sorted(m.to[0] for m in mail.outbox) == ["manager@example.com", "owner@example.com"]
    assert all(link in m.body and m.subject.startswith("High: Low stock") for m in mail.outbox)
    by_path = dict(Robot.received)
    wecom, dingtalk, slack = by_path["/wecom"], by_path["/dingtalk"], by_path["/slack"]
    assert (set(wecom), wecom["msgtype"], set(wecom["markdown"])) == (
        {"msgtype", "markdown"},
        "markdown",
        {"content"},
    )
    assert link in wecom["markdown"]["content"]
    assert (dingtalk["msgtype"], set(dingtalk["markdown"])) == ("markdown", {"title", "text"})
    assert dingtalk["markdown"]["title"] == "High: Low stock" and link in dingtalk["markdown"]["text"]
    assert set(slack) == {"text"} and f"<{link}|Open>" in slack["text"]
    assert set(NotificationSend.objects.values_list("state", flat=True)) == {"sent"}

    run_outbox()  # the event again (at least once): nobody is told twice
    assert notifications.notify_events(event_ids=[rows[0].event_id]) == 0
    assert Notification.objects.filter(insight_id=insight.pk).count() == 3


def test_quiet_hours_defer_what_is_not_urgent_and_let_high_through(store, settings, mailoutbox_backend):
    store.time_zone = "Asia/Shanghai"
    store.save()
    owner = _person(
        store,
        Role.OWNER,
        "owner@example.com",
        channels={"info": ["in_app"], "warning": ["in_app", "email"], "high": ["in_app", "email"]},
        quiet_start=dt.time(22, 0),
        quiet_end=dt.time(7, 0),
    )
    # 23:30 in Shanghai (UTC+8) is 15:30 UTC: inside 22:00–07:00; the quiet hours end 07:00 = 23:00 UTC
    night = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)
    morning = dt.datetime(2026, 3, 2, 23, 0, tzinfo=dt.UTC)
    warning = insight_upsert(store=store, finding=_finding("Rice", "warning"))
    high = insight_upsert(store=store, finding=_finding("Oil", "high"))
    from connections.models import OutboxEvent

    events = list(
        OutboxEvent.objects.filter(topic="insight.opened").order_by("id").values_list("id", flat=True)
    )
    assert notifications.notify_events(event_ids=events, now=night) == 2
    assert Notification.objects.filter(user=owner, in_app=True).count() == 2  # the list shows both at once

    for send_id in notifications.sends_due(now=night):
        notifications.send_one(send_id=send_id, now=night)
    assert [m.subject for m in mail.outbox] == ["High: Low stock"]  # urgent: at once, quiet hours or not
    deferred = NotificationSend.objects.get(notification__insight_id=warning.pk)
    assert (deferred.state, deferred.next_attempt_at) == ("pending", morning)
    assert notifications.sends_due(now=morning - dt.timedelta(seconds=1)) == []
    for send_id in notifications.sends_due(now=morning):
        notifications.send_one(send_id=send_id, now=morning)
    assert [m.subject for m in mail.outbox] == ["High: Low stock", "Warning: Low stock"]
    assert high.pk != warning.pk


def test_the_morning_digest_is_todays_decisions_once_before_opening(store, settings, mailoutbox_backend):
    settings.PUBLIC_BASE_URL = "https://ops.example"
    store.time_zone = "Europe/Berlin"
    store.save()
    monday = dt.date(2026, 3, 2)  # Berlin is UTC+1 in March: opening 11:00 local = 10:00 UTC
    OpeningHours.objects.create(
        store=store, weekday=monday.weekday(), opens=dt.time(11, 0), closes=dt.time(22, 0)
    )
    owner = _person(store, Role.OWNER, "owner@example.com")
    _person(store, Role.MANAGER, "manager@example.com")  # the digest is the owner's
    for subject, severity in [("Salt", "info"), ("Flour", "high"), ("Rice", "warning"), ("Oil", "high")]:
        insight_upsert(store=store, finding=_finding(subject, severity))
    decisions = dashboard_selectors.todays_decisions(store)

    assert notifications.digests_due(now=dt.datetime(2026, 3, 2, 8, 59, tzinfo=dt.UTC)) == 0  # 09:59 local
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 local: 60 minutes before opening
    assert notifications.digests_due(now=at) == 1
    assert notifications.digests_due(now=at + dt.timedelta(minutes=5)) == 0  # once a day
    digest = Notification.objects.get(kind="digest")
    assert (digest.user, digest.url) == (owner, f"https://ops.example/dashboard/{store.slug}/")
    lines = digest.body.splitlines()
    expected = [
        f"https://ops.example/dashboard/{store.slug}/insights/{card['insight'].pk}/" for card in decisions
    ]
    assert [line.rsplit(" ", 1)[1] for line in lines] == expected  # the overview's cards, in its order
    assert [line.split("]")[0] for line in lines] == ["- [High", "- [High", "- [Warning", "- [Info"]
    assert notifications.sends_due(now=at) and mail.outbox == []  # sent by the worker, not in the beat task
    for send_id in notifications.sends_due(now=at):
        notifications.send_one(send_id=send_id, now=at)
    assert (
        mail.outbox[0].subject == f"Today's decisions at {store.name}" and expected[0] in mail.outbox[0].body
    )


def test_beat_runs_the_digest_every_five_minutes():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="connections.tasks.morning_digests")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 5, "minutes")


def test_the_link_opens_the_insight_and_the_bell_counts_unread(store, settings):
    owner = _person(store, Role.OWNER, "owner@example.com")
    insight = insight_upsert(store=store, finding=_finding("Flour", "high"))
    from connections.models import OutboxEvent

    notifications.notify_events(event_ids=[OutboxEvent.objects.get(topic="insight.opened").pk])
    notification = Notification.objects.get(user=owner)
    client = Client()
    client.force_login(owner)
    page = client.get(notification.url.removeprefix(settings.PUBLIC_BASE_URL))
    assert page.status_code == 200 and f'id="insight-{insight.pk}"' in page.content.decode()

    listing = client.get("/notifications/").content.decode()
    assert "data-unread>1<" in listing and notification.url in listing
    client.post(f"/notifications/{notification.pk}/read/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "data-unread" not in client.get("/notifications/").content.decode()


def test_preferences_page_saves_and_refuses_a_robot_on_a_private_address(store, settings):
    owner = _person(store, Role.OWNER, "owner@example.com")
    client = Client()
    client.force_login(owner)
    assert client.get("/notifications/preferences/").status_code == 200
    client.post(
        "/notifications/preferences/",
        {
            "channels_high": ["in_app", "robot"],
            "channels_warning": ["in_app"],
            "robot_kind": "slack",
            "robot_url": "https://93.184.216.34/hook",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "digest": "1",
            "digest_channels": ["email"],
        },
    )
    pref = notifications.preference_for(owner)
    assert (pref.channels, pref.robot_kind, pref.quiet_start, pref.digest_channels) == (
        {"info": [], "warning": ["in_app"], "high": ["in_app", "robot"]},
        "slack",
        dt.time(22, 0),
        ["email"],
    )
    settings.WEBHOOK_ALLOW_PRIVATE = False
    page = client.post(
        "/notifications/preferences/",
        {"channels_high": ["robot"], "robot_kind": "wecom", "robot_url": "http://169.254.169.254/"},
        follow=True,
    )
    assert "169.254.169.254" in page.content.decode()
    assert notifications.preference_for(owner).robot_url == "https://93.184.216.34/hook"  # unchanged


def test_each_person_is_told_in_their_own_language(store, mailoutbox_backend, run_outbox):
    owner = _person(store, Role.OWNER, "owner@example.com", language="zh-hans")
    manager = _person(store, Role.MANAGER, "manager@example.com")  # never chose: the site's default
    insight_upsert(store=store, finding=_finding("Flour", "high"))
    run_outbox()
    by_user = {n.user_id: n for n in Notification.objects.all()}
    # "High" → 高, "Low stock" → 低库存, joined by the full-width colon of "%(severity)s：%(title)s"
    assert by_user[owner.pk].title == "高：低库存"
    assert (
        by_user[owner.pk].body
        == "按目前的消耗速度，Flour 将在 0 天后用完；目前没有可供货的供应商，请添加一个。"
    )
    assert by_user[manager.pk].title == "High: Low stock"
    assert by_user[manager.pk].body.startswith("Flour runs out in 0 days at the current pace; no supplier")
    notifications_deliver.apply()
    assert {m.to[0]: m.subject for m in mail.outbox} == {
        "owner@example.com": "高：低库存",
        "manager@example.com": "High: Low stock",
    }


def test_the_preferences_page_saves_a_language_and_refuses_an_unknown_one_with_400(store):
    owner = _person(store, Role.OWNER, "owner@example.com")
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/notifications/preferences/", {"channels_high": ["in_app"], "language": "zh-hans"}
    )
    assert response.status_code == 302 and notifications.preference_for(owner).language == "zh-hans"
    response = client.post(
        "/notifications/preferences/", {"channels_high": ["in_app"], "language": "klingon"}
    )
    assert response.status_code == 400 and "Choose a language the app speaks." in response.content.decode()
    assert notifications.preference_for(owner).language == "zh-hans"  # unchanged
