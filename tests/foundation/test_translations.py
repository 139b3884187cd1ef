"""Every page in English and Simplified Chinese: the committed zh-Hans catalogues (the templates' and
Python's `django`, the dashboard scripts' `djangojs`) must cover every message in the source, with
nothing missing, empty or fuzzy, and must compile cleanly.

The source's messages are extracted the way `make messages` does it, but into a scratch copy of the
project, so the test never writes into the working tree."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.html import escape

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The directories `make messages` ignores, plus ones that hold no source.
IGNORED = {".venv", "bench", "staticfiles", "test-artifacts", "tests"}
# makemessages' arguments per domain, as in the Makefile's `messages` target (the vendored plotly bundle
# is not ours to translate: Plotly's own words come from its zh-CN locale).
DOMAINS = {"django": [], "djangojs": ["-d", "djangojs", "--ignore=static/vendor"]}
NOT_SOURCE = IGNORED | {"var", "media", "locale", "node_modules"}


def _copy_source(dest: Path) -> None:
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name in NOT_SOURCE:
            continue
        if entry.is_dir():
            skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
            shutil.copytree(entry, dest / entry.name, ignore=skip)
        else:
            shutil.copy2(entry, dest / entry.name)
    (dest / "locale").mkdir()


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


@pytest.fixture(scope="module", params=sorted(DOMAINS))
def domain(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory, domain) -> list[polib.POEntry]:
    """The messages makemessages extracts from the current source (a fresh catalogue, no translations)."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is not installed (apt-get install gettext); translations cannot be checked")
    work = tmp_path_factory.mktemp(f"i18n-source-{domain}")
    _copy_source(work)
    env = {**os.environ, "RESTAURANT_OPS_VAR_DIR": str(work / "var"), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", *DOMAINS[domain]],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh = polib.pofile(str(work / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))
    return [e for e in fresh if not e.obsolete]


@pytest.fixture(scope="module")
def committed(domain) -> polib.POFile:
    path = PO_FILE.with_name(f"{domain}.po")
    assert path.exists(), f"{path} is missing"
    return polib.pofile(str(path))


def test_source_has_messages(source_messages, domain):
    # Guards the extraction itself: an empty result would make the checks below pass vacuously.
    msgids = {e.msgid for e in source_messages}
    if domain == "django":
        assert len(source_messages) > 100
        assert {"Sign in", "Orders", "Kitchen display"} <= msgids
    else:
        assert len(source_messages) > 20
        assert {"Revenue", "Gross profit", "Quantity sold"} <= msgids


def test_every_source_message_is_in_the_catalogue(source_messages, committed):
    po_file = Path(committed.fpath)
    present = {_key(e): e for e in committed if not e.obsolete}
    missing = [_label(e) for e in source_messages if _key(e) not in present]
    assert not missing, (
        f"{len(missing)} message(s) in the source are not in {po_file.relative_to(ROOT)}; "
        "run `make messages` and translate them:\n" + "\n".join(missing[:50])
    )
    plural_changed = [
        e.msgid
        for e in source_messages
        if _key(e) in present and present[_key(e)].msgid_plural != e.msgid_plural
    ]
    assert not plural_changed, f"plural form changed, run `make messages`: {plural_changed}"


def test_every_message_is_translated_and_not_fuzzy(source_messages, committed):
    wanted = {_key(e) for e in source_messages}
    untranslated, fuzzy = [], []
    for entry in committed:
        if entry.obsolete or _key(entry) not in wanted:
            continue
        if "fuzzy" in entry.flags:
            fuzzy.append(_label(entry))
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(s.strip() for s in entry.msgstr_plural.values()):
                untranslated.append(_label(entry))
        elif not entry.msgstr.strip():
            untranslated.append(_label(entry))
    assert not fuzzy, f"{len(fuzzy)} fuzzy zh-Hans message(s):\n" + "\n".join(fuzzy[:50])
    assert not untranslated, f"{len(untranslated)} untranslated zh-Hans message(s):\n" + "\n".join(
        untranslated[:50]
    )


def test_catalogue_header_is_not_fuzzy(committed):
    assert not committed.metadata_is_fuzzy
    assert committed.metadata.get("Plural-Forms", "").startswith("nplurals=1;")


@pytest.mark.parametrize("domain_name", sorted(DOMAINS))
def test_catalogue_compiles_with_format_checks(tmp_path, domain_name):
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext is not installed (apt-get install gettext); msgfmt --check cannot run")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(PO_FILE.with_name(f"{domain_name}.po"))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def compiled_locale(tmp_path):
    """The committed catalogue compiled into a scratch LOCALE_PATHS, so a stale .mo cannot hide a gap."""
    out = tmp_path / "zh_Hans" / "LC_MESSAGES"
    out.mkdir(parents=True)
    subprocess.run(["msgfmt", "-o", str(out / "django.mo"), str(PO_FILE)], check=True)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield tmp_path
    translation.activate("en")
    translation.deactivate()


@pytest.mark.django_db
def test_login_page_in_chinese_by_accept_language(client, compiled_locale):
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in body
    # Strings only this project's catalogue translates ("Username" would also come from DRF's).
    assert "<h1>登录</h1>" in body  # "Sign in"
    assert "餐厅运营" in body  # "Restaurant Ops"
    assert "Sign in" not in body


@pytest.mark.django_db
def test_login_page_in_chinese_by_language_cookie_and_english_by_default(client, compiled_locale):
    english = client.get("/login/").content.decode()
    assert "<h1>Sign in</h1>" in english and "餐厅运营" not in english
    client.cookies["django_language"] = "zh-hans"
    body = client.get("/login/").content.decode()
    assert "<h1>登录</h1>" in body and "Sign in" not in body


@pytest.mark.django_db
def test_home_page_in_chinese_for_a_member(client, compiled_locale):
    from tests.factories import MembershipFactory

    membership = MembershipFactory(role="owner")
    client.force_login(membership.user)
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的门店" in body  # "Your stores"
    assert escape(membership.store.name) in body
