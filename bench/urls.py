"""The product's URLs plus the benchmark baselines (bench-only; selected by bench.settings)."""

from django.urls import path

from restaurant_ops.urls import urlpatterns as product_urlpatterns

from . import views

urlpatterns = [
    path("bench/bare/", views.bare_insert, name="bench-bare"),
    path("bench/base/", views.base_template, name="bench-base"),
    *product_urlpatterns,
]
