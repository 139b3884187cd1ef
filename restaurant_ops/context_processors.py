from .models import Membership, Store
from .permissions import Perm, role_has


def stores(request):
    """The stores the signed-in user belongs to, and the one the page is about, for the header's store
    switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_stores": []}
    match = getattr(request, "resolver_match", None)
    roles = Membership.objects.filter(user=user).values_list("role", flat=True)
    return {
        "my_stores": Store.objects.filter(memberships__user=user).order_by("name"),
        "compares_stores": sum(role_has(role, Perm.VIEW_DASHBOARD) for role in roles) > 1,
        "current_store_slug": match.kwargs.get("store_slug", "") if match else "",
    }
