"""From an empty database to a guest's first order on the kitchen display, through the pages alone:
the first person signs up as the owner, the guided set-up opens the restaurant (menu, ingredients
and recipes imported from spreadsheets with a preview), the QR sheet leads a guest's phone to the
table's page, and the order shows on the kitchen display. Every interaction is counted."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from inventory.models import Ingredient, StockMovement
from orders.models import MenuItem, Order
from restaurant_ops.models import Membership, Role, Store
from staffing.models import StaffMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}
MENU_CSV = (
    "category,name,price,tax\n"
    "Mains,Fried drumsticks,18.00,Food\n"
    "Mains,Broken row,abc,Food\n"
    "Drinks,Iced tea,6.00,\n"
)
INGREDIENTS_CSV = (
    "name,unit,supplier,price,stock\n"
    "Chicken drumstick,pcs,Poultry Co,3.50,100\n"
    "Tea leaves,g,Tea House,0.20,500\n"
)
RECIPES_CSV = (
    "menu_item,ingredient,quantity,unit\nFried drumsticks,Chicken drumstick,2,pcs\nIced tea,Tea leaves,5,g\n"
)


class Counted:
    """The page, with every interaction (navigation, typing, choosing, clicking, uploading) counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def goto(self, url):
        self.count += 1
        self.page.goto(url)

    def fill(self, label, value):
        self.count += 1
        self.page.get_by_label(label, exact=True).fill(value)

    def select(self, label, value):
        self.count += 1
        self.page.get_by_label(label, exact=True).select_option(value)

    def check(self, label):
        self.count += 1
        self.page.get_by_label(label).check()

    def click(self, name):
        self.count += 1
        self.page.get_by_role("button", name=name, exact=True).click()

    def follow(self, name):
        self.count += 1
        self.page.get_by_role("link", name=name).click()

    def upload(self, label, name, text):
        self.count += 1
        self.page.get_by_label(label).set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
        )


def test_empty_install_to_first_order_on_the_kitchen_display(browser, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # the QR codes point at this server
    assert not get_user_model().objects.exists()
    # The owner's phone is in Shanghai: the set-up starts from the device's time zone.
    owner = Counted(browser.new_context(**PHONE, timezone_id="Asia/Shanghai").new_page())

    # The first visitor is offered the owner's sign-up.
    owner.goto(f"{live_server.url}/")
    expect(owner.page.get_by_role("heading", name="Welcome to Restaurant Ops")).to_be_visible()
    owner.fill("User name", "mei")
    owner.fill("Password", "noodle-house-42")
    owner.fill("Password again", "noodle-house-42")
    owner.click("Create account")

    # Step 1: the restaurant.
    owner.fill("Name", "Mei's Noodle House")
    expect(owner.page.get_by_label("Time zone")).to_have_value("Asia/Shanghai")
    owner.fill("Currency", "cny")
    owner.check("Menu prices include tax")
    owner.click("Create and continue")

    # Tax, opening hours (the suggested 10:00-22:00 kept), tables.
    owner.fill("Tax name", "Food")
    owner.fill("Rate (%)", "6")
    owner.click("Add and continue")
    expect(owner.page.get_by_role("heading", name="Opening hours")).to_be_visible()
    owner.click("Save and continue")
    owner.fill("How many tables to add", "6")
    owner.click("Add and continue")

    # The menu from a spreadsheet: the preview names the broken row, the good rows are imported.
    owner.upload("CSV file", "menu.csv", MENU_CSV)
    owner.click("Preview")
    preview = owner.page.locator("table.csv-preview")
    expect(preview.locator("tr.row-error")).to_contain_text("price: Enter a number.")
    expect(preview.locator("tr.row-error td").first).to_have_text("3")  # the file's line 3
    owner.click("Import 2 rows")
    expect(owner.page.locator(".messages")).to_contain_text("2 menu items imported.")
    owner.follow("Next: Kitchen stations")

    owner.fill("Station name", "Kitchen")
    owner.click("Add and continue")

    owner.upload("CSV file", "ingredients.csv", INGREDIENTS_CSV)
    owner.click("Preview")
    owner.click("Import 2 rows")
    owner.follow("Next: Recipes")
    owner.upload("CSV file", "recipes.csv", RECIPES_CSV)
    owner.click("Preview")
    owner.click("Import 2 rows")
    # A portion's cost is known before the first sale: 2 drumsticks × 3.50 = 7.00.
    expect(owner.page.get_by_role("row", name=re.compile("Fried drumsticks"))).to_contain_text("7.00")
    owner.follow("Next: Staff")

    owner.fill("Name", "Wang Li")
    owner.select("Role", "cook")
    owner.fill("Hourly cost", "25")
    owner.click("Create invitation link")
    invite_link = owner.page.locator("input.invite-link").input_value()
    owner.follow("Next: Ready")
    owner.follow("Print the tables' QR codes")
    expect(owner.page.locator("figure.qr-card")).to_have_count(6)
    table_url = owner.page.locator("a.guest-link").first.get_attribute("href")

    # The kitchen display, on the kitchen's screen (the cook joins by the link: tests/foundation).
    kitchen = Counted(owner.page.context.new_page())
    kitchen.goto(f"{live_server.url}/kitchen/{Store.objects.get().slug}/display/")
    expect(kitchen.page.get_by_text("No open tickets")).to_be_visible()

    # A guest scans the code and orders.
    guest = Counted(browser.new_context(**PHONE).new_page())
    guest.goto(table_url)
    guest.click("One more Fried drumsticks")
    guest.click("Place order")
    expect(guest.page.locator("#result")).to_contain_text("is in")

    expect(kitchen.page.locator("article[data-order]")).to_contain_text("Fried drumsticks", timeout=15_000)

    interactions = owner.count + kitchen.count + guest.count
    assert interactions < 40, interactions
    for context in browser.contexts:
        context.close()  # the display polls: stop it before the test database goes

    store = Store.objects.get()
    assert (store.name, store.time_zone, store.currency, store.prices_include_tax) == (
        "Mei's Noodle House",
        "Asia/Shanghai",
        "CNY",
        True,
    )
    assert Membership.objects.get(user__username="mei").role == Role.OWNER
    invited = StaffMember.objects.get(name="Wang Li")
    assert (invited.invitation.role, invited.invitation.token) == (
        Role.COOK,
        invite_link.rstrip("/").split("/")[-1],
    )
    assert store.opening_hours.count() == 7
    assert sorted(MenuItem.objects.values_list("name", flat=True)) == ["Fried drumsticks", "Iced tea"]
    order = Order.objects.get()
    assert order.total == 18  # prices include the 6% tax
    # Opening stock 100 drumsticks, 2 used by the order.
    assert Ingredient.objects.get(name="Chicken drumstick").on_hand == 98
    assert StockMovement.objects.filter(kind=StockMovement.Kind.RECEIPT).count() == 2
