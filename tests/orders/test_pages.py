"""The guest page, the till, the check, the receipt, QR codes and the close of day through Django's
test client (the browser tests drive the same pages in Chromium)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import CashDrawerSession, Check, Order, Payment, Receipt, Register
from orders.services import table_session_open
from restaurant_ops.models import AuditEntry

pytestmark = pytest.mark.django_db
D = Decimal


def test_guest_page_shows_the_menu_and_places_an_order(client, shop):
    shop.soda.sold_out_manual = True
    shop.soda.save()
    page = client.get(reverse("orders:guest", args=[shop.table.qr_token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Burger" in html and "Sold out" in html and 'name="viewport"' in html
    session = page.context["session"]
    preview = client.post(
        reverse("orders:guest-preview", args=[shop.table.qr_token]), {f"qty-{shop.burger.pk}": "2"}
    )
    assert "28.80" in preview.content.decode()  # 24.00 + 2.40 tax + 2.40 service
    placed = client.post(
        reverse("orders:guest-order", args=[shop.table.qr_token]),
        {"session": session.token, f"qty-{shop.burger.pk}": "2", "note": "No onions"},
        HTTP_HX_REQUEST="true",
    )
    assert placed.status_code == 200 and placed["HX-Trigger"] == "order-placed"
    order = Order.objects.get()
    assert (order.channel, order.note, order.lines.get().quantity) == ("qr", "No onions", 2)
    check = client.get(reverse("orders:guest-check", args=[shop.table.qr_token]), {"session": session.token})
    assert "Burger" in check.content.decode() and "28.80" in check.content.decode()


def test_guest_page_errors_are_shown_and_nothing_is_written(client, shop):
    session = table_session_open(table=shop.table)
    shop.soda.sold_out_manual = True
    shop.soda.save()
    response = client.post(
        reverse("orders:guest-order", args=[shop.table.qr_token]),
        {"session": session.token, f"qty-{shop.soda.pk}": "1"},
    )
    assert response.status_code == 409 and "sold out" in response.content.decode()
    response = client.post(
        reverse("orders:guest-order", args=["not-a-token"]),
        {"session": session.token, f"qty-{shop.burger.pk}": "1"},
    )
    assert response.status_code == 404
    assert Order.objects.count() == 0 and Check.objects.count() == 0


def test_expired_code_gets_a_clear_page(client, shop):
    response = client.get(reverse("orders:guest", args=["old-photo"]))
    assert response.status_code == 404 and "no longer valid" in response.content.decode()


def test_till_to_payment_to_receipt(client, shop):
    client.force_login(shop.cashier)
    register = Register.objects.create(store=shop.store, name="Front")
    CashDrawerSession.objects.create(store=shop.store, register=register, opening_float=D("50.00"))
    response = client.post(
        reverse("orders:till", args=[shop.store.slug]),
        {"table": shop.table.pk, f"qty-{shop.burger.pk}": "2", f"qty-{shop.soda.pk}": "1"},
    )
    check = Check.objects.get()
    assert response.url == reverse("orders:check", args=[shop.store.slug, check.pk])
    assert client.get(response.url).status_code == 200

    def act(action, **data):
        return client.post(reverse("orders:check-action", args=[shop.store.slug, check.pk, action]), data)

    act("pay", method="cash", amount="20.00", tendered="50.00", register=register.pk)
    act("pay", method="card", amount="13.00", tip="1.00", register=register.pk)
    check.refresh_from_db()
    assert check.status == Check.Status.PAID and Payment.objects.count() == 2
    receipt = client.get(reverse("orders:receipt", args=[shop.store.slug, check.pk]))
    assert receipt.status_code == 200
    html = receipt.content.decode()
    assert "33.00" in html and "@page" not in html and Receipt.objects.get().number == 1


def test_cashier_void_needs_the_managers_pin(client, shop):
    client.force_login(shop.cashier)
    client.post(
        reverse("orders:till", args=[shop.store.slug]), {"table": shop.table.pk, f"qty-{shop.soda.pk}": "1"}
    )
    check = Check.objects.get()
    line = check.lines.get()
    url = reverse("orders:check-action", args=[shop.store.slug, check.pk, "void"])
    client.post(url, {"line": line.pk, "reason": "Wrong dish"})
    line.refresh_from_db()
    assert line.voided_at is None and not AuditEntry.objects.filter(action="void").exists()
    client.post(url, {"line": line.pk, "reason": "Wrong dish", "approver_pin": "246813"})
    line.refresh_from_db()
    assert line.voided_at is not None
    assert AuditEntry.objects.get(action="void").approved_by == shop.manager


def test_qr_codes_and_sheet(client, shop, settings):
    settings.PUBLIC_BASE_URL = "https://demo.example"
    client.force_login(shop.cashier)
    svg = client.get(reverse("orders:table-qr", args=[shop.store.slug, shop.table.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(reverse("orders:table-qr", args=[shop.store.slug, shop.table.pk, "png"]))
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    sheet = client.get(reverse("orders:qr-sheet", args=[shop.store.slug])).content.decode()
    assert sheet.count("<svg") == 2 and "T1" in sheet and "T2" in sheet
    assert f"https://demo.example/s/t/{shop.table.qr_token}/" in sheet


@pytest.mark.parametrize(
    ("base_url", "warns"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://192.168.1.20:8000", False),
        ("https://demo.example", False),
    ],
)
def test_the_qr_sheet_warns_when_phones_cannot_reach_its_address(client, shop, settings, base_url, warns):
    settings.PUBLIC_BASE_URL = base_url
    client.force_login(shop.cashier)
    sheet = client.get(reverse("orders:qr-sheet", args=[shop.store.slug])).content.decode()
    assert ('id="qr-loopback"' in sheet) is warns


def test_close_of_day_page_opens_and_closes_a_drawer(client, shop):
    client.force_login(shop.manager)
    url = reverse("orders:close", args=[shop.store.slug])
    client.post(url, {"action": "register", "name": "Bar"})
    register = Register.objects.get()
    client.post(url, {"action": "open", "register": register.pk, "opening_float": "80.00"})
    drawer = CashDrawerSession.objects.get()
    page = client.get(url).content.decode()
    assert "80.00" in page and "X report" in page
    client.post(url, {"action": "close", "drawer": drawer.pk, "counted_cash": "80.00"})
    drawer.refresh_from_db()
    assert drawer.closed_at is not None and drawer.difference == D("0.00")
    z = client.get(reverse("orders:z-report", args=[shop.store.slug, drawer.pk]))
    assert "Z report" in z.content.decode()


def test_cashier_cannot_close_the_day(client, shop):
    client.force_login(shop.cashier)
    register = Register.objects.create(store=shop.store, name="Front")
    drawer = CashDrawerSession.objects.create(store=shop.store, register=register, opening_float=D("0"))
    client.post(
        reverse("orders:close", args=[shop.store.slug]),
        {"action": "close", "drawer": drawer.pk, "counted_cash": "0"},
    )
    drawer.refresh_from_db()
    assert drawer.closed_at is None


def test_till_page_lists_the_menu_and_open_checks(client, shop):
    client.force_login(shop.cashier)
    client.post(
        reverse("orders:till", args=[shop.store.slug]), {"table": shop.table.pk, f"qty-{shop.soda.pk}": "1"}
    )
    html = client.get(reverse("orders:till", args=[shop.store.slug])).content.decode()
    assert "Burger" in html and "T1 · €4.20" in html


def test_staff_pages_are_for_members_only(client, shop, other_store):
    from restaurant_ops.models import Role
    from tests.factories import MembershipFactory

    client.force_login(MembershipFactory(store=other_store, role=Role.OWNER).user)
    assert client.get(reverse("orders:till", args=[shop.store.slug])).status_code == 404
    client.force_login(MembershipFactory(store=shop.store, role=Role.COOK).user)
    assert client.get(reverse("orders:till", args=[shop.store.slug])).status_code == 403


def test_store_links_on_home(client, shop):
    client.force_login(shop.manager)
    html = client.get("/").content.decode()
    assert reverse("orders:till", args=[shop.store.slug]) in html
    assert reverse("orders:close", args=[shop.store.slug]) in html


def test_staff_open_a_table_for_qr_orders(client, shop):
    from restaurant_ops.models import Store

    shop.store.table_session_mode = Store.TableSessionMode.STAFF_OPENS
    shop.store.save()
    guest = client.get(reverse("orders:guest", args=[shop.table.qr_token])).content.decode()
    assert "ask the staff to open it" in guest
    client.force_login(shop.cashier)
    client.post(
        reverse("orders:till", args=[shop.store.slug]), {"action": "open_table", "table": shop.table.pk}
    )
    client.logout()
    page = client.get(reverse("orders:guest", args=[shop.table.qr_token]))
    assert page.context["session"] is not None and "Place order" in page.content.decode()


def test_the_menu_shows_its_chinese_names_to_a_chinese_reader(client, shop):
    """Guest page and till: the owner's Chinese name in Chinese, the owner's name otherwise (and
    where no Chinese name is given)."""
    from orders.models import MenuItem

    MenuItem.objects.filter(pk=shop.burger.pk).update(name_zh="汉堡")
    shop.burger.category.__class__.objects.filter(pk=shop.burger.category_id).update(name_zh="主食")
    guest_url = reverse("orders:guest", args=[shop.table.qr_token])
    zh = client.get(guest_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">汉堡</strong>" in zh and "主食" in zh
    assert ">Soda</strong>" in zh  # no Chinese name given: the owner's name
    en = client.get(guest_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Burger</strong>" in en and ">汉堡</strong>" not in en

    client.force_login(shop.cashier)
    till = client.get(reverse("orders:till", args=[shop.store.slug]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert ">汉堡</strong>" in till.content.decode()


def test_the_demo_menu_has_its_chinese_names(store):
    from demo.loader import _menu

    items = _menu(store)
    assert items["Fried drumsticks"].name_zh == "炸鸡腿"
    assert items["Fried drumsticks"].category.name_zh == "小吃"
    spice = items["Fried drumsticks"].modifier_groups.get(name="Spice level")
    assert (spice.name_zh, sorted(spice.modifiers.values_list("name_zh", flat=True))) == (
        "辣度",
        ["微辣", "特辣"],
    )
