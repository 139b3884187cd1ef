"""Purchase orders: drafts, sending (e-mail with CSV), receiving into stock, cancel and close."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user
from restaurant_ops.timeutils import business_date

from .. import events, selectors
from ..models import Ingredient, PurchaseOrder, PurchaseOrderLine, StockMovement, Supplier, SupplierItem
from ..units import to_base
from .ledger import Q3, Q6, ZERO, Move, effective_at_check, movements_post


@transaction.atomic
def purchase_order_create_draft(
    *,
    store: Store,
    supplier: Supplier,
    lines: list[dict],
    created_by=None,
    note: str = "",
    source: str = PurchaseOrder.Source.MANUAL,
    expected_on: dt.date | None = None,
) -> PurchaseOrder:
    """A draft PO. Each line: {"ingredient": Ingredient|id, "quantity": number, "unit"?: str,
    "unit_price"?: price per base unit (default: this supplier's list price today, else the cost)}."""
    prepared = _draft_lines(store=store, supplier=supplier, lines=lines)
    today = business_date(store, timezone.now())
    po = PurchaseOrder.objects.create(
        store=store,
        supplier=supplier,
        note=note[:300],
        source=source,
        expected_on=expected_on or today + dt.timedelta(days=supplier.lead_time_days),
        created_by=acting_user(created_by),
    )
    for line in prepared:
        line.purchase_order = po
    PurchaseOrderLine.objects.bulk_create(prepared)
    return po


@transaction.atomic
def purchase_order_suggest(
    *, store: Store, supplier: Supplier, lines: list[dict], note: str = ""
) -> PurchaseOrder:
    """The low-stock check's proposal to one supplier: one open suggested draft per supplier, its lines
    replaced in place by each later check (so the card, the draft and what "Approve and send" sends are
    one PO), or a new draft when there is none. Lines as for purchase_order_create_draft."""
    po = (
        PurchaseOrder.objects.select_for_update()
        .filter(
            store=store,
            supplier=supplier,
            status=PurchaseOrder.Status.DRAFT,
            source=PurchaseOrder.Source.SUGGESTED,
        )
        .order_by("pk")
        .first()
    )
    if po is None:
        return purchase_order_create_draft(
            store=store, supplier=supplier, lines=lines, note=note, source=PurchaseOrder.Source.SUGGESTED
        )
    prepared = _draft_lines(store=store, supplier=supplier, lines=lines)
    po.lines.all().delete()
    for line in prepared:
        line.purchase_order = po
    PurchaseOrderLine.objects.bulk_create(prepared)
    po.note = note[:300]
    po.expected_on = business_date(store, timezone.now()) + dt.timedelta(days=supplier.lead_time_days)
    po.save(update_fields=["note", "expected_on", "updated_at"])
    return po


@transaction.atomic
def purchase_order_suggestions_withdraw(*, store: Store, keep: list[int]) -> int:
    """Cancels the suggested drafts the latest low-stock check no longer proposes (all but `keep`)."""
    stale = list(
        PurchaseOrder.objects.select_for_update()
        .filter(store=store, status=PurchaseOrder.Status.DRAFT, source=PurchaseOrder.Source.SUGGESTED)
        .exclude(pk__in=keep)
    )
    for po in stale:
        purchase_order_cancel(purchase_order=po, reason=_("No longer needed at the latest stock check"))
    return len(stale)


def _draft_lines(*, store: Store, supplier: Supplier, lines: list[dict]) -> list[PurchaseOrderLine]:
    """Validated, priced lines of a draft (not saved); every bad line reported at once."""
    if supplier.store_id != store.pk:
        raise DomainError("supplier", "unknown_supplier", _("No such supplier in this store."))
    if not lines:
        raise DomainError("lines", "empty", _("A purchase order needs at least one line."))
    raw_ids = [line.get("ingredient") for line in lines]
    ids = [i.pk if isinstance(i, Ingredient) else i for i in raw_ids]
    known = {
        i.pk: i for i in Ingredient.objects.filter(store=store, pk__in=[i for i in ids if isinstance(i, int)])
    }
    today = business_date(store, timezone.now())
    list_prices = selectors.supplier_list_prices(ingredient_ids=known, on=today)
    costs = selectors.ingredient_costs(ingredient_ids=known, dates=[today])
    errors, prepared, seen = [], [], set()
    for index, (line, ingredient_id) in enumerate(zip(lines, ids, strict=True)):
        path = f"lines[{index}]"
        ingredient = known.get(ingredient_id)
        if ingredient is None:
            errors.append(
                DomainError(
                    f"{path}.ingredient", "unknown_ingredient", _("No such ingredient in this store.")
                )
            )
            continue
        if ingredient.pk in seen:
            errors.append(
                DomainError(f"{path}.ingredient", "repeated", _("This ingredient is already on the order."))
            )
            continue
        seen.add(ingredient.pk)
        try:
            number = check_decimal(line.get("quantity"), f"{path}.quantity", allow_zero=False)
            base = to_base(
                ingredient, number, line.get("unit") or ingredient.base_unit, field=f"{path}.unit"
            ).quantize(Q3)
            if base <= 0:
                raise DomainError(f"{path}.quantity", "must_be_positive", _("Must be more than zero."))
            if line.get("unit_price") is not None:
                price = check_decimal(line["unit_price"], f"{path}.unit_price")
            else:
                price = (
                    list_prices.get((supplier.pk, ingredient.pk)) or costs.get((ingredient.pk, today)) or ZERO
                )
        except DomainError as error:
            errors.append(error)
            continue
        prepared.append(
            PurchaseOrderLine(ingredient=ingredient, quantity=base, unit_price=price.quantize(Q6))
        )
    if errors:
        raise DomainErrors(errors)
    return prepared


def _locked_po(purchase_order: PurchaseOrder) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_for_update()
        .select_related("store", "supplier")
        .get(pk=purchase_order.pk)
    )


def purchase_order_csv(*, purchase_order: PurchaseOrder) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "ingredient", "quantity", "unit", "packs", "unit_price", "line_total"])
    packs = {
        si.ingredient_id: si for si in SupplierItem.objects.filter(supplier_id=purchase_order.supplier_id)
    }
    for line in purchase_order.lines.select_related("ingredient"):
        item = packs.get(line.ingredient_id)
        writer.writerow(
            [
                item.sku if item else "",
                line.ingredient.name,
                line.quantity,
                line.ingredient.base_unit,
                (line.quantity / item.pack_size).quantize(Decimal("0.01")) if item else "",
                line.unit_price,
                (line.quantity * line.unit_price).quantize(Decimal("0.01")),
            ]
        )
    return out.getvalue()


def _email_purchase_order(purchase_order_id: int) -> None:
    po = PurchaseOrder.objects.select_related("store", "supplier").get(pk=purchase_order_id)
    message = EmailMessage(
        subject=_("Purchase order %(number)s from %(store)s") % {"number": str(po), "store": po.store.name},
        body=_("Hello %(contact)s,\n\nplease deliver the attached order by %(day)s.\n\n%(note)s\n\n%(store)s")
        % {
            "contact": po.supplier.contact_name or po.supplier.name,
            "day": po.expected_on or "",
            "note": po.note,
            "store": po.store.name,
        },
        to=[po.supplier.email],
    )
    message.attach(f"{po}.csv", purchase_order_csv(purchase_order=po), "text/csv")
    message.send()


@transaction.atomic
def purchase_order_send(*, purchase_order: PurchaseOrder, by=None) -> PurchaseOrder:
    """Marks the draft sent and e-mails it (CSV attached) once the transaction commits."""
    po = _locked_po(purchase_order)
    if po.status != PurchaseOrder.Status.DRAFT:
        raise DomainError("status", "invalid_transition", _("Only a draft can be sent."))
    if not po.supplier.email:
        raise DomainError("supplier.email", "required", _("The supplier has no e-mail address."))
    po.status, po.sent_at = PurchaseOrder.Status.SENT, timezone.now()
    po.save(update_fields=["status", "sent_at", "updated_at"])
    transaction.on_commit(lambda: _email_purchase_order(po.pk))
    events.purchase_order_sent.send(sender=PurchaseOrder, purchase_order=po)
    return po


@transaction.atomic
def purchase_order_receive(
    *,
    purchase_order: PurchaseOrder,
    lines: list[dict],
    allow_over_receipt: bool = False,
    by=None,
    received_at: dt.datetime | None = None,
    note: str = "",
    back_dated: bool = False,
) -> PurchaseOrder:
    """Posts receipts at the price paid: each line {"line": PO line id (or "ingredient": id),
    "quantity": number, "unit"?: str, "unit_price"?: paid per base unit (default: the PO's)}.
    More than outstanding needs `allow_over_receipt`. Announces `goods_received`.
    `back_dated`: `received_at` is the time a client gave: checked by `effective_at_check` (not in the
    future, not before the last count of a received ingredient); the receipt counts from then."""
    po = _locked_po(purchase_order)
    if po.status not in (PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTIALLY_RECEIVED):
        raise DomainError("status", "invalid_transition", _("Only a sent order can be received."))
    if not lines:
        raise DomainError("lines", "empty", _("Receive at least one line."))
    po_lines = {line.pk: line for line in po.lines.select_related("ingredient")}
    by_ingredient = {line.ingredient_id: line for line in po_lines.values()}
    errors, accepted, seen = [], [], set()
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        target = (
            po_lines.get(line.get("line"))
            if line.get("line") is not None
            else by_ingredient.get(line.get("ingredient"))
        )
        if target is None:
            name = "line" if line.get("line") is not None else "ingredient"
            errors.append(DomainError(f"{path}.{name}", "unknown_line", _("Not on this purchase order.")))
            continue
        if target.pk in seen:
            errors.append(DomainError(path, "repeated", _("This line is received twice.")))
            continue
        seen.add(target.pk)
        try:
            number = check_decimal(line.get("quantity"), f"{path}.quantity", allow_zero=False)
            base = to_base(
                target.ingredient,
                number,
                line.get("unit") or target.ingredient.base_unit,
                field=f"{path}.unit",
            ).quantize(Q3)
            price = (
                check_decimal(line["unit_price"], f"{path}.unit_price")
                if line.get("unit_price") is not None
                else target.unit_price
            )
        except DomainError as error:
            errors.append(error)
            continue
        if target.received_quantity + base > target.quantity and not allow_over_receipt:
            errors.append(
                DomainError(
                    f"{path}.quantity",
                    "over_receipt",
                    _("Only %(left)s %(unit)s are outstanding; confirm an over-receipt to take more.")
                    % {"left": target.outstanding, "unit": target.ingredient.base_unit},
                )
            )
            continue
        accepted.append((target, base, price.quantize(Q6)))
    if errors:
        raise DomainErrors(errors)
    if back_dated and received_at is not None:
        effective_at_check(
            store=po.store,
            at=received_at,
            ingredient_ids=[t.ingredient_id for t, _b, _p in accepted],
            field="received_at",
        )
    received_at = received_at or timezone.now()
    day = business_date(po.store, received_at)
    # what this receipt's price is compared with: the last receipt of the ingredient from any supplier
    # (per base unit), else this supplier's list price (a first receipt has nothing else)
    ids = [t.ingredient_id for t, _b, _p in accepted]
    previous = selectors.last_receipt_costs(ingredient_ids=ids, before=received_at)
    listed = selectors.supplier_list_prices(ingredient_ids=ids, on=day)
    movements_post(
        store=po.store,
        by=by,
        at=received_at,
        moves=[
            Move(
                ingredient_id=t.ingredient_id,
                quantity=b,
                kind=StockMovement.Kind.RECEIPT,
                unit_cost=p,
                purchase_order_line=t,
                reason=note or str(po),
            )
            for t, b, p in accepted
        ],
    )
    for target, base, _price in accepted:
        target.received_quantity += base
    PurchaseOrderLine.objects.bulk_update([t for t, _b, _p in accepted], ["received_quantity"])
    complete = all(line.received_quantity >= line.quantity for line in po_lines.values())
    po.status = PurchaseOrder.Status.RECEIVED if complete else PurchaseOrder.Status.PARTIALLY_RECEIVED
    po.received_at = received_at
    po.save(update_fields=["status", "received_at", "updated_at"])
    events.goods_received.send(
        sender=PurchaseOrder,
        store=po.store,
        purchase_order=po,
        received_at=received_at,
        lines=[
            {
                "ingredient_id": t.ingredient_id,
                "ingredient_name": t.ingredient.name,
                "quantity": b,
                "unit_cost": p,
                "previous_unit_cost": previous.get(
                    t.ingredient_id, listed.get((po.supplier_id, t.ingredient_id))
                ),
                "compared_with": "receipt" if t.ingredient_id in previous else "list_price",
            }
            for t, b, p in accepted
        ],
    )
    return po


@transaction.atomic
def purchase_order_cancel(*, purchase_order: PurchaseOrder, by=None, reason: str = "") -> PurchaseOrder:
    po = _locked_po(purchase_order)
    if po.status not in (PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.SENT):
        raise DomainError(
            "status",
            "invalid_transition",
            _("Only a draft or sent order with nothing received can be cancelled."),
        )
    po.status, po.cancelled_at = PurchaseOrder.Status.CANCELLED, timezone.now()
    if reason:
        po.note = (po.note + " / " + reason)[:300] if po.note else reason[:300]
    po.save(update_fields=["status", "cancelled_at", "note", "updated_at"])
    return po


@transaction.atomic
def purchase_order_close(*, purchase_order: PurchaseOrder, by=None) -> PurchaseOrder:
    """Closes a (partially) received order: nothing more is expected."""
    po = _locked_po(purchase_order)
    if po.status not in (PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.PARTIALLY_RECEIVED):
        raise DomainError("status", "invalid_transition", _("Only a received order can be closed."))
    po.status, po.closed_at = PurchaseOrder.Status.CLOSED, timezone.now()
    po.save(update_fields=["status", "closed_at", "updated_at"])
    return po
