"""Writes for stores, people, API keys and the audit trail, one module per area; every public name
is importable from here.

`audit`: who did it and the audit trail. `access`: permission checks, approval PINs and their guard,
failed logins, API keys. `people`: the first owner and invitations. `stores`: a store and its settings."""

from .access import (
    PinRefused,
    api_key_create,
    api_key_revoke,
    api_keys_visible,
    authorize,
    login_failure_record,
    membership_for,
    membership_set_pin,
    pin_failure_record,
    pin_guard_unlock,
)
from .audit import acting_user, audit_record
from .people import (
    SIGN_UP_LOCK,
    invitation_accept,
    invitation_create,
    invitation_open,
    invitation_revoke,
    owner_sign_up,
)
from .stores import (
    STORE_FIELDS,
    daypart_delete,
    daypart_save,
    may_open_store,
    opening_hours_replace,
    opening_hours_span_delete,
    opening_hours_span_save,
    store_create,
    store_update,
    tax_category_delete,
    tax_category_save,
)

__all__ = [
    "STORE_FIELDS",
    "SIGN_UP_LOCK",
    "PinRefused",
    "acting_user",
    "api_key_create",
    "api_key_revoke",
    "api_keys_visible",
    "audit_record",
    "authorize",
    "daypart_delete",
    "daypart_save",
    "invitation_accept",
    "invitation_create",
    "invitation_open",
    "invitation_revoke",
    "login_failure_record",
    "may_open_store",
    "membership_for",
    "membership_set_pin",
    "opening_hours_replace",
    "opening_hours_span_delete",
    "opening_hours_span_save",
    "owner_sign_up",
    "pin_failure_record",
    "pin_guard_unlock",
    "store_create",
    "store_update",
    "tax_category_delete",
    "tax_category_save",
]
