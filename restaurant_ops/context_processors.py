from .models import Store


def stores(request):
    """The stores the signed-in user belongs to, for the navigation's store switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_stores": []}
    return {"my_stores": Store.objects.filter(memberships__user=user).order_by("name")}
