from django.db.models import Prefetch, QuerySet

from restaurant_ops.models import Store

from .models import MenuCategory, MenuItem, Order, OrderLine


def menu_items(stores: QuerySet[Store]) -> QuerySet[MenuItem]:
    return (MenuItem.objects.filter(store__in=stores).select_related("store", "category", "tax_category")
            .prefetch_related("modifier_groups__modifiers"))


def menu_categories(stores: QuerySet[Store]) -> QuerySet[MenuCategory]:
    return MenuCategory.objects.filter(store__in=stores).prefetch_related(
        Prefetch("items", queryset=MenuItem.objects.filter(is_active=True).select_related(
            "store", "category", "tax_category").prefetch_related("modifier_groups__modifiers"))
    )


def orders_with_lines(stores: QuerySet[Store]) -> QuerySet[Order]:
    return Order.objects.filter(store__in=stores).select_related("store").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("menu_item").prefetch_related("modifiers"))
    )
