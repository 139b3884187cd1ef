"""The Django admin for superusers created on purpose (`manage.py createsuperuser`).

A staff flag alone does not open it, and it is not store-scoped, so no store role (the owner
included) reaches it: store people work through the pages and the API, which check their role."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class OpsAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class OpsAdminConfig(AdminConfig):
    default_site = "restaurant_ops.admin_site.OpsAdminSite"
