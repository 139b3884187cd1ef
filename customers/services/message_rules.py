"""Message rules: what triggers a message to customers, on which channel, with which texts, holdout,
quiet hours, cap and coupon. Checked together, so a form shows every mistake at once."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import DiscountCode, MenuItem
from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.services import audit_record

from ..models import Consent, MessageRule

RULE_FIELDS = (
    "name",
    "trigger",
    "channel",
    "templates",
    "subjects",
    "holdout_share",
    "quiet_from",
    "quiet_until",
    "cap_per_30_days",
    "coupon_kind",
    "coupon_value",
    "coupon_item",
    "coupon_valid_days",
    "is_active",
)
MAX_TEMPLATE = 1000
MAX_HOLDOUT = Decimal("0.5")


def _texts(value, field: str, limit: int, errors: list[DomainError]) -> dict:
    languages = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, dict):
        errors.append(DomainError(field, "invalid", _("Give a text per language.")))
        return {}
    out = {}
    for language, text in value.items():
        if language not in languages:
            errors.append(DomainError(f"{field}.{language}", "invalid_choice", _("Not a language of ours.")))
        elif not isinstance(text, str) or len(text) > limit:
            errors.append(
                DomainError(
                    f"{field}.{language}",
                    "too_long",
                    _("At most %(n)d characters.") % {"n": limit},
                )
            )
        elif text.strip():
            out[language] = text.strip()
    return out


@transaction.atomic
def message_rule_save(*, store: Store, data: dict, rule: MessageRule | None = None, by=None) -> MessageRule:
    """Creates or changes a rule (`data` holds every field of RULE_FIELDS; the API's PATCH merges it
    with the rule's values first). Checked together, so a form shows every mistake at once."""
    errors: list[DomainError] = []
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append(DomainError("name", "required", _("Give the rule a name.")))
    elif len(name) > 80:
        errors.append(DomainError("name", "too_long", _("At most %(n)d characters.") % {"n": 80}))
    if data.get("trigger") not in MessageRule.Trigger.values:
        errors.append(DomainError("trigger", "invalid_choice", _("Choose what triggers the message.")))
    if data.get("channel") not in Consent.Channel.values:
        errors.append(DomainError("channel", "invalid_choice", _("Choose SMS or e-mail.")))
    templates = _texts(data.get("templates"), "templates", MAX_TEMPLATE, errors)
    if not templates and not any(e.field.startswith("templates") for e in errors):
        errors.append(DomainError("templates", "required", _("Write the message in at least one language.")))
    subjects = _texts(data.get("subjects") or {}, "subjects", 150, errors)
    # Numbers come parsed (the form, the serializer): a Decimal, checked by the one checker.
    holdout = ("out_of_range", _("Hold out between 0 and 0.5 (e.g. 0.1 for 10%)."))
    share = data.get("holdout_share")
    try:
        share = check_decimal(share, "holdout_share", places=3, error=holdout)
        if share > MAX_HOLDOUT:
            raise DomainError("holdout_share", *holdout)
    except DomainError as error:
        errors.append(error)
    for field in ("quiet_from", "quiet_until"):
        if not isinstance(data.get(field), dt.time):
            errors.append(DomainError(field, "invalid", _("Give a time like 21:00.")))
    cap = data.get("cap_per_30_days")
    if not isinstance(cap, int) or not 1 <= cap <= 30:
        errors.append(DomainError("cap_per_30_days", "out_of_range", _("From 1 to 30 messages.")))
    kind = data.get("coupon_kind") or ""
    value, item = data.get("coupon_value"), data.get("coupon_item")
    if kind not in ("", *DiscountCode.Kind.values):
        errors.append(DomainError("coupon_kind", "invalid_choice", _("Choose a kind of coupon or none.")))
    elif kind == DiscountCode.Kind.COMP_ITEM:
        value = None
        if not isinstance(item, MenuItem) or item.store_id != store.pk:
            errors.append(
                DomainError("coupon_item", "required", _("Choose the item the voucher gives free."))
            )
    elif kind:
        item = None
        coupon = ("out_of_range", _("A percentage up to 100 or an amount above 0."))
        try:
            if value is None:
                raise DomainError("coupon_value", *coupon)
            value = check_decimal(
                value, "coupon_value", allow_zero=False, below=Decimal("1e10"), places=2, error=coupon
            )
            if kind == DiscountCode.Kind.PERCENT and value > 100:
                raise DomainError("coupon_value", *coupon)
        except DomainError as error:
            errors.append(error)
    else:
        value, item = None, None
    days = data.get("coupon_valid_days")
    if not isinstance(days, int) or not 1 <= days <= 365:
        errors.append(DomainError("coupon_valid_days", "out_of_range", _("From 1 to 365 days.")))
    if errors:
        raise DomainErrors(errors)
    rule = rule or MessageRule(store=store)
    before = {f: str(getattr(rule, f)) for f in RULE_FIELDS} if rule.pk else {}
    rule.name, rule.trigger, rule.channel = name, data["trigger"], data["channel"]
    rule.templates, rule.subjects, rule.holdout_share = templates, subjects, share
    rule.quiet_from, rule.quiet_until, rule.cap_per_30_days = data["quiet_from"], data["quiet_until"], cap
    rule.coupon_kind, rule.coupon_value, rule.coupon_item, rule.coupon_valid_days = kind, value, item, days
    rule.is_active = bool(data.get("is_active", True))
    rule.save()
    after = {f: str(getattr(rule, f)) for f in RULE_FIELDS}
    audit_record(
        store=store,
        action="message_rule_saved",
        actor=by,
        target=rule,
        data={f: after[f] for f in RULE_FIELDS if before.get(f) != after[f]},
    )
    return rule


def message_rule_data(rule: MessageRule) -> dict:
    """A rule's fields as `message_rule_save` takes them (the base a partial change is merged onto)."""
    return {f: getattr(rule, f) for f in RULE_FIELDS}
