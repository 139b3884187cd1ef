"""The dashboard's charting code: our own small plotly.js bundle, served under a hashed name that
browsers keep for a year, so a restaurant's Wi-Fi carries it once."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = "vendor/plotly-dashboard.min.js"


def test_the_bundle_is_a_fraction_of_full_plotly():
    size = (ROOT / "static" / BUNDLE).stat().st_size
    # The full plotly.min.js 4.1.1 is 4,815,814 bytes; ours holds four trace types of its ~50.
    assert 1_000_000 < size < 1_600_000


@pytest.mark.browser
def test_the_bundle_draws_exactly_the_dashboards_trace_types(transactional_db, live_server, page):
    page.set_content(f'<script src="{live_server.url}/static/{BUNDLE}"></script>')
    traces = page.evaluate("Object.keys(Plotly.PlotSchema.get().traces).sort()")
    assert traces == ["bar", "heatmap", "scatter", "waterfall"]
    # Axis and date labels in Chinese for a zh-Hans page (dashboard.js picks the locale).
    months = page.evaluate(
        "(() => { const d = document.createElement('div'); document.body.appendChild(d);"
        " return Plotly.newPlot(d, [{x: ['2026-01-05', '2026-02-05'], y: [1, 2], type: 'scatter'}],"
        " {}, {locale: 'zh-CN'}).then(() => d.querySelector('.xtick text').textContent); })()"
    )
    # zh-CN names the months in Chinese numerals ("一" for January); English would read "Jan".
    assert any("\u4e00" <= ch <= "\u9fff" for ch in months), months


def test_collected_static_files_have_hashed_names_cached_for_a_year(tmp_path):
    env = {
        **os.environ,
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "static-test-" + "x" * 50,
        "DJANGO_STATIC_ROOT": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest[BUNDLE]
    assert hashed != BUNDLE and hashed.startswith("vendor/plotly-dashboard.")
    assert (tmp_path / (hashed + ".gz")).exists()
    probe = (
        "import django; django.setup();"
        "from django.templatetags.static import static; from django.test import Client;"
        f"url = static({BUNDLE!r}); r = Client().get(url, secure=True, HTTP_ACCEPT_ENCODING='gzip');"
        "print(url, r.status_code, r['Cache-Control'], r.get('Content-Encoding'), sep='|')"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .split("|")
    )
    assert out[0] == "/static/" + hashed  # pages link the hashed name
    assert out[1] == "200"
    assert "max-age=315360000" in out[2] and "immutable" in out[2]
    assert out[3] == "gzip"
