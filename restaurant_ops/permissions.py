"""The permission matrix: which role may do what. One place, read by pages, the API and services."""

from enum import StrEnum

from .models import Role


class Perm(StrEnum):
    TAKE_ORDERS = "take_orders"
    TAKE_PAYMENTS = "take_payments"
    WORK_KITCHEN = "work_kitchen"
    VOID = "void"
    REFUND = "refund"
    DISCOUNT = "discount"
    COMP = "comp"
    OVERRIDE_PRICE = "override_price"
    CLOSE_DAY = "close_day"
    SEE_COSTS = "see_costs"
    EDIT_MENU = "edit_menu"
    MANAGE_STOCK = "manage_stock"
    MANAGE_STAFF = "manage_staff"
    VIEW_DASHBOARD = "view_dashboard"
    READ_AUDIT = "read_audit"
    MANAGE_API_KEYS = "manage_api_keys"
    UNLOCK_PINS = "unlock_pins"
    # Customers: attach a guest to a check, look one up by exact phone or code, log a complaint.
    SERVE_CUSTOMERS = "serve_customers"
    # See customers' personal data (phone, e-mail, name, birthday, comments), export and erase them.
    SEE_CUSTOMERS = "see_customers"
    MANAGE_STORE = "manage_store"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.MANAGER: frozenset(Perm) - {Perm.MANAGE_API_KEYS, Perm.READ_AUDIT},
    Role.CASHIER: frozenset({Perm.TAKE_ORDERS, Perm.TAKE_PAYMENTS, Perm.SERVE_CUSTOMERS}),
    Role.COOK: frozenset({Perm.WORK_KITCHEN}),
}

# What a cashier may do with a manager's PIN on the spot (the approval is recorded).
APPROVABLE: frozenset[Perm] = frozenset(
    {Perm.VOID, Perm.DISCOUNT, Perm.COMP, Perm.REFUND, Perm.OVERRIDE_PRICE}
)


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(perm: Perm) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
