"""Coupons and comp vouchers: issuing a discount code (other apps call this; customers' message rules
do) and redeeming one on a check at the till or on the guest QR page.

A redemption locks the check, then the code's row, so a code with one use left is redeemed once even
when two tills (or a till and a phone) try it at the same moment; the second sees it used. The code
becomes an ordinary adjustment made by `check_discount` or `check_comp_line`, recorded with the reason
"Code XXXX", and a `DiscountRedemption` row says which code made it."""

import datetime as dt
import secrets

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store

from ..models import (
    DISCOUNT_CODE_ALPHABET,
    Check,
    CheckAdjustment,
    DiscountCode,
    DiscountRedemption,
    MenuItem,
    OrderLine,
)
from .checks import check_comp_line, check_discount, check_locked, check_require_settleable
from .pricing import amount_checked, money

CODE_LENGTH = 8


def _new_code(prefix: str) -> str:
    return prefix + "".join(secrets.choice(DISCOUNT_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def discount_code_normalise(code: str) -> str:
    return "".join(str(code or "").split()).upper().replace("-", "")[:20]


def discount_code_issue(
    *,
    store: Store,
    kind: str,
    value=None,
    menu_item: MenuItem | None = None,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    max_uses: int = 1,
    source: str = "",
    prefix: str = "",
) -> DiscountCode:
    """A new code with a random, readable name (`prefix` + 8 characters)."""
    if kind not in DiscountCode.Kind.values:
        raise DomainError("kind", "invalid", _("Choose a percentage, an amount or an item."))
    if kind == DiscountCode.Kind.COMP_ITEM:
        if menu_item is None or menu_item.store_id != store.pk:
            raise DomainError("menu_item", "required", _("Choose the item the voucher gives free."))
        value = None
    else:
        menu_item = None
        if value is None:
            raise DomainError("value", "required", _("Enter an amount."))
        value = amount_checked(value, "value")
        if kind == DiscountCode.Kind.PERCENT and value > 100:
            raise DomainError("value", "out_of_range", _("A percentage is at most 100."))
    if max_uses < 1:
        raise DomainError("max_uses", "out_of_range", _("A code can be used at least once."))
    valid_from = valid_from or timezone.now()
    if valid_until is not None and valid_until <= valid_from:
        raise DomainError("valid_until", "invalid", _("The end must be after the start."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return DiscountCode.objects.create(
                    store=store,
                    code=_new_code(discount_code_normalise(prefix)[:8]),
                    kind=kind,
                    value=value,
                    menu_item=menu_item,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    max_uses=max_uses,
                    source=source[:40],
                )
        except IntegrityError:  # a clash with an existing code: draw again
            continue
    raise DomainError("code", "conflict", _("No free code could be drawn; try again."))


def _usable(code: DiscountCode, check: Check, now: dt.datetime) -> None:
    if now < code.valid_from:
        raise DomainError(
            "code",
            "not_yet_valid",
            _("Code: %(code)s is valid from %(date)s.")
            % {
                "code": code.code,
                "date": formats.date_format(timezone.localtime(code.valid_from, check.store.tz)),
            },
        )
    if code.valid_until is not None and now >= code.valid_until:
        raise DomainError(
            "code",
            "expired",
            _("Code: %(code)s expired on %(date)s.")
            % {
                "code": code.code,
                "date": formats.date_format(timezone.localtime(code.valid_until, check.store.tz)),
            },
        )
    if code.redemptions.filter(guest_check=check).exists():
        raise DomainError(
            "code", "already", _("Code: %(code)s is already on this check.") % {"code": code.code}
        )
    if code.redeemed_count >= code.max_uses:
        raise DomainError("code", "used", _("Code: %(code)s has already been used.") % {"code": code.code})


GUEST_ATTEMPTS = 10
GUEST_WINDOW_SECONDS = 600


def discount_code_throttle(*, key: str) -> None:
    """At most 10 codes tried per table in 10 minutes from guest phones (codes are not to be guessed),
    counted in the shared cache so the limit holds across worker processes."""
    window = int(timezone.now().timestamp() // GUEST_WINDOW_SECONDS)
    cache_key = f"orders:code-throttle:{key}:{window}"
    cache.add(cache_key, 0, timeout=GUEST_WINDOW_SECONDS * 2)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=GUEST_WINDOW_SECONDS * 2)
        used = 1
    if used > GUEST_ATTEMPTS:
        raise DomainError("code", "throttled", _("Code: too many tries just now; please ask the staff."))


@transaction.atomic
def discount_code_redeem(
    *, guest_check: Check, code: str, channel: str = "till", by=None
) -> DiscountRedemption:
    """Applies a code to an open check: its discount or comp, the code's count, and the record of it."""
    check = check_locked(guest_check)
    check_require_settleable(check, "code")
    name = discount_code_normalise(code)
    if not name:
        raise DomainError("code", "required", _("Code: enter the code from the coupon."))
    found = DiscountCode.objects.select_for_update().filter(store_id=check.store_id, code=name).first()
    if found is None:
        raise DomainError(
            "code", "unknown_code", _("Code: %(code)s is not a code of this restaurant.") % {"code": name}
        )
    _usable(found, check, timezone.now())
    reason = _("Code %(code)s") % {"code": found.code}
    if found.kind == DiscountCode.Kind.COMP_ITEM:
        comped = CheckAdjustment.objects.filter(guest_check=check, line__isnull=False).values("line_id")
        line = (
            OrderLine.objects.filter(
                guest_check=check, menu_item_id=found.menu_item_id, voided_at__isnull=True
            )
            .exclude(pk__in=comped)
            .order_by("id")
            .first()
        )
        if line is None:
            raise DomainError(
                "code",
                "item_not_on_check",
                _("Code: %(code)s gives one %(item)s free; add it to the check first.")
                % {"code": found.code, "item": found.menu_item.name},
            )
        if line.quantity == 1:
            adjustment = check_comp_line(line=line, reason=reason, by=by)
        else:  # one portion of several on the line: that portion's price off the check
            portion = money(line.line_total / line.quantity)
            adjustment = check_discount(guest_check=check, reason=reason, amount=portion, by=by)
    elif found.kind == DiscountCode.Kind.PERCENT:
        adjustment = check_discount(guest_check=check, reason=reason, percent=found.value, by=by)
    else:
        left = check.subtotal - check.discount_total
        if left <= 0:
            raise DomainError(
                "code", "nothing_to_discount", _("Code: there is nothing on the check to take it off.")
            )
        amount = min(found.value, left)
        adjustment = check_discount(guest_check=check, reason=reason, amount=amount, by=by)
    found.redeemed_count += 1
    found.save(update_fields=["redeemed_count"])
    return DiscountRedemption.objects.create(
        code=found, guest_check=check, adjustment=adjustment, channel=channel[:10]
    )


__all__ = ["discount_code_issue", "discount_code_throttle", "discount_code_normalise", "discount_code_redeem"]
