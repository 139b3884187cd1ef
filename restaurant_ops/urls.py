from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .api.permissions import ApiDocsAccess

# Errors under /api/ answer JSON like the API itself, pages keep their HTML error pages.
handler400, handler403, handler404, handler500 = (
    views.bad_request,
    views.forbidden,
    views.not_found,
    views.server_error,
)

api_v1 = [
    path("", include("restaurant_ops.api.urls")),
    path("", include("orders.api.urls")),
    path("inventory/", include("inventory.api.urls")),
    path("kitchen/", include("kitchen.api.urls")),
    path("staffing/", include("staffing.api.urls")),
    path("analytics/", include("analytics.api.urls")),
    path("analytics/", include("dashboard.api.urls")),
    path("customers/", include("customers.api.urls")),
    path("webhooks/", include("connections.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),  # gettext() for our JS
    path("signup/", views.sign_up, name="sign-up"),
    path("join/<str:token>/", views.join, name="join"),
    path("stores/new/", views.store_new, name="store-new"),
    path("stores/switch/", views.store_switch, name="store-switch"),
    path("stores/<slug:store_slug>/settings/", views.setup_store, name="setup-store"),
    path("stores/<slug:store_slug>/settings/taxes/", views.setup_taxes, name="setup-taxes"),
    path("stores/<slug:store_slug>/settings/hours/", views.setup_hours, name="setup-hours"),
    path("stores/<slug:store_slug>/settings/ready/", views.setup_done, name="setup-done"),
    path("stores/<slug:store_slug>/api-keys/", views.api_keys, name="api-keys"),
    path(
        "stores/<slug:store_slug>/api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api-key-revoke"
    ),
    path("stores/<slug:store_slug>/audit/", views.audit_trail, name="audit-trail"),
    path("stores/<slug:store_slug>/pins/", views.pins, name="pins"),
    path("stores/<slug:store_slug>/pins/<int:guard_id>/unlock/", views.pin_unlock, name="pin-unlock"),
    path("stores/", include("connections.urls")),
    path("notifications/", include("connections.notification_urls")),
    path("s/", include("orders.urls")),
    path("inventory/", include("inventory.urls")),
    path("kitchen/", include("kitchen.urls")),
    path("staffing/", include("staffing.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include("customers.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[ApiDocsAccess]), name="schema"),
    path(
        "api/docs/",
        # The split view serves its start-up script as a file (?script), which the CSP allows.
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[ApiDocsAccess]),
        name="api-docs",
    ),
    # No Redoc page: drf-spectacular's loads its fonts from Google, and the app must work on a LAN
    # without the internet (and under the CSP). /api/docs/ and /api/schema/ cover the same ground.
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
