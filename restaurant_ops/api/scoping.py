"""Every API call and page sees only the caller's stores."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import ApiKey, Role, Store
from restaurant_ops.permissions import Perm, roles_with
from restaurant_ops.services import authorize


def accessible_stores(request, perm: Perm | None = None) -> QuerySet[Store]:
    """The caller's stores: an API key's own, or those where the user is a member whose role has
    `perm`, by default the view's `read_perm` on a GET (set by HasStoreAccess): a cook's list of
    purchase orders is refused, and a manager of one store and cook of another sees the first's."""
    if isinstance(getattr(request, "auth", None), ApiKey):
        if request.auth.is_account:  # every store the owner owns, those opened later too
            return Store.objects.filter(memberships__user=request.auth.owner_id, memberships__role=Role.OWNER)
        return Store.objects.filter(pk=request.auth.store_id)
    user = request.user
    if not user.is_authenticated:
        return Store.objects.none()
    perm = perm or getattr(request, "read_perm", None)
    if perm is None:
        return Store.objects.filter(memberships__user=user)
    return Store.objects.filter(memberships__user=user, memberships__role__in=roles_with(perm))


def resolve_store(request, slug: str | None, field: str = "store") -> Store:
    """The store a write is for: the API key's own, the slug given, or the user's only store."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey) and auth.store_id is not None and not auth.is_account:  # its store
        if slug and slug != auth.store.slug:
            raise DomainError(field, "not_found", _("No store %(slug)s that you can use.") % {"slug": slug})
        return auth.store
    stores = accessible_stores(request)
    if slug:
        store = stores.filter(slug=slug).first()
        if store is None:
            raise DomainError(field, "not_found", _("No store %(slug)s that you can use.") % {"slug": slug})
        return store
    candidates = list(stores[:2])
    if len(candidates) == 1:
        return candidates[0]
    raise DomainError(field, "required", _("Say which store: you have access to several."))


def account_key(request) -> ApiKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) and auth.is_account else None


def require_owner_scope(request, store: Store, perm: Perm = Perm.MANAGE_STORE) -> None:
    """What only the owner's side may change through a key (a store's settings: its time zone,
    currency, taxes in prices): an account key, not a store's own write key. A person needs `perm`."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        if not auth.is_account:
            raise DomainError(
                "", "permission_denied", _("Store settings need the owner's account key, not a store key.")
            )
        return
    require(request, store, perm)


def require(request, store: Store, perm, approval: dict | None = None):
    """Role check for session users (an API key's scope was already checked by the permission class).
    `approval` is the validated input carrying `approver_pin` (and optionally `approver`, a username).
    Returns the approving manager when a PIN stood in for the permission."""
    if isinstance(getattr(request, "auth", None), ApiKey):
        return None
    approval = approval or {}
    return authorize(
        user=request.user,
        store=store,
        perm=perm,
        approver_pin=approval.get("approver_pin"),
        approver=approval.get("approver"),
    )
