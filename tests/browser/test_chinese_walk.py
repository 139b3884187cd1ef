"""Chinese all the way: every page of the README's page table (the same walk as the policy test), opened
in zh-Hans by the role it is for, shows no English interface word in its visible text, `aria-label`,
`title`, `placeholder` or chart text. Names the owner entered (the store, menu, ingredients, people,
tables, suppliers) are the owner's words and are left out, as are codes that read the same in Chinese
(API, CSV, PIN, QR, kg, ml, currency codes). Screenshots go to test-artifacts/zh-*.png."""

import re

import pytest
from django.conf import settings as django_settings

from tests.browser.test_csp import ARTIFACTS, _login, _pages, _visit, _watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Words that are the same in a Chinese interface: abbreviations, units, codes, file formats, encodings,
# product and protocol names, keys on the keyboard, and the words a person types to confirm (ERASE) or a
# guest texts to stop messages (STOP, which the SMS provider reads).
SAME_IN_CHINESE = {
    "API",
    "CSV",
    "PIN",
    "QR",
    "ID",
    "URL",
    "JSON",
    "HTTP",
    "HTTPS",
    "SMS",
    "POS",
    "PO",
    "BI",
    "VIP",
    "PNG",
    "SVG",
    "kg",
    "g",
    "l",
    "ml",
    "EUR",
    "CNY",
    "USD",
    "UTC",
    "GB",
    "UTF",
    "Latin",
    "Windows",
    "cp",
    "Webhook",
    "Webhooks",
    "webhook",
    "Standard",
    "Django",
    "WeCom",
    "DingTalk",
    "Slack",
    "Tab",
    "ERASE",
    "STOP",
    "min",
    "SPLH",
    "X",
    "Z",
    "ISO",
}
# URLs, setting names, time-zone identifiers (Europe/Berlin), header names and date formats are codes.
CODES = re.compile(
    r"https?://\S*|\b[A-Za-z]+(?:/[A-Za-z_+-]+)+\b|\S*[_%]\S*|\b[\w-]*\d[\w-]*\b|webhook-[a-z-]+"
)

VISIBLE_TEXT = """() => {
  const shown = el => {
    if (el.closest('script, style, noscript, [hidden], pre, code, #language-select')) return false;
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    const option = el && el.tagName === 'OPTION' && !el.closest('#language-select');
    if (el && node.textContent.trim() && (shown(el) || option)) out.push(node.textContent.trim());
  }
  document.querySelectorAll('[aria-label], [title], [placeholder]').forEach(el => {
    if (!shown(el)) return;
    ['aria-label', 'title', 'placeholder'].forEach(a => el.getAttribute(a) && out.push(el.getAttribute(a)));
  });
  return out;
}"""


def _owner_words(site) -> set[str]:
    """Every word of the names and values the test's owner entered (and the factories made up)."""
    from customers.models import Customer
    from inventory.models import Ingredient, Supplier
    from kitchen.models import Station
    from orders.models import MenuCategory, MenuItem, Register, Table
    from restaurant_ops.models import Store, TaxCategory

    store = site["store"]
    names = [store.name, store.slug, *(u.username for u in site["users"].values())]
    for model in (MenuItem, MenuCategory, Table, Ingredient, Supplier, Station, Register, TaxCategory):
        names += model.objects.filter(store=store).values_list("name", flat=True)
    names += Customer.objects.filter(store=store).values_list("name", flat=True)
    # Membership codes are random letters and digits: all-letter ones ("PXEZRYCB") are data, not English.
    names += Customer.objects.filter(store=store).values_list("membership_code", flat=True)
    names += [s.email for s in Supplier.objects.filter(store=store)]
    names += Store.objects.values_list("name", flat=True)
    # The column names the importers read are what the owner's file must say, in any language.
    from inventory.forms import INGREDIENT_CSV_COLUMNS, RECIPE_CSV_COLUMNS
    from orders.forms import MENU_CSV_COLUMNS
    from orders.importing import FIELDS

    names += [*INGREDIENT_CSV_COLUMNS, *RECIPE_CSV_COLUMNS, *MENU_CSV_COLUMNS, *FIELDS]
    return {word for name in names for word in re.findall(r"[A-Za-z]+", name or "")}


def _english(texts: list[str], allowed: set[str]) -> list[str]:
    found = []
    for text in texts:
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’]*", CODES.sub(" ", text)) if w not in allowed]
        if words:
            found.append(text[:80])
    return sorted(set(found))


def test_every_page_in_chinese_shows_no_english_interface_word(browser, live_server, site):
    from inventory.models import Ingredient
    from inventory.services import ingredient_update

    ARTIFACTS.mkdir(exist_ok=True)
    # The burger's beef declares allergens: the guest reads them in Chinese.
    beef = Ingredient.objects.get(store=site["store"], name="Beef")
    ingredient_update(ingredient=beef, allergens=["gluten", "sesame"])
    allowed = SAME_IN_CHINESE | _owner_words(site)
    found = {}
    for role, paths in _pages(site).items():
        page = _login(browser, live_server, site["users"][role])
        page.context.add_cookies(
            [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}]
        )
        problems = _watch(page)
        for path in paths:
            if path.startswith("/api/docs/"):
                continue  # Swagger UI's own interface is English-only (a developer tool)
            _visit(page, live_server.url + path, problems)
            assert page.get_attribute("html", "lang") == "zh-hans", path
            english = _english(page.evaluate(VISIBLE_TEXT), allowed)
            if english:
                found[f"{role} {path}"] = english
                page.screenshot(path=str(ARTIFACTS / f"zh-{role}-{path.strip('/').replace('/', '-')}.png"))
        page.context.close()

    # Guests and people not signed in, on a phone set to Chinese.
    from customers.services import feedback_token

    guest = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    guest.set_extra_http_headers({"Accept-Language": "zh-Hans,zh;q=0.9"})
    page = guest.new_page()
    problems = _watch(page)
    for path in [
        "/login/",
        f"/s/t/{site['open_table'].qr_token}/",
        f"/c/f/{feedback_token(guest_check=site['paid'])}/",
    ]:
        _visit(page, live_server.url + path, problems)
        assert page.get_attribute("html", "lang") == "zh-hans", path
        if "/s/t/" in path:
            assert "麸质" in page.inner_text("body") and "芝麻" in page.inner_text("body")  # gluten, sesame
        if english := _english(page.evaluate(VISIBLE_TEXT), allowed):
            found[f"guest {path}"] = english
    page.screenshot(path=str(ARTIFACTS / "zh-guest-feedback.png"))
    guest.close()
    assert found == {}, "\n".join(f"{where}: {texts}" for where, texts in found.items())
