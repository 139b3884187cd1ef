"""People: the first owner's sign-up on an empty install and invitations for everyone after."""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events
from ..errors import DomainError
from ..models import Invitation, Membership, Role, Store
from ..permissions import Perm, role_has
from .access import membership_for, membership_set_pin
from .audit import audit_record

SIGN_UP_LOCK = 180_001  # an arbitrary advisory lock id for the first owner's sign-up


def _check_new_user(*, username: str, password: str) -> None:
    User = get_user_model()
    username = username.strip()
    if not username:
        raise DomainError("username", "required", _("Choose a user name."))
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username", "taken", _("That user name is taken."))
    try:
        password_validation.validate_password(password, User(username=username))
    except ValidationError as error:
        raise DomainError("password", "weak", " ".join(error.messages))


@transaction.atomic
def owner_sign_up(*, username: str, password: str) -> AbstractBaseUser:
    """The first person on an empty install. Everyone after joins by invitation."""
    User = get_user_model()
    # One sign-up at a time, so "no user yet" is true for only one of two racers (SQLite's IMMEDIATE
    # transactions already serialize writers).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SIGN_UP_LOCK])
    if User.objects.exists():
        raise DomainError("", "sign_up_closed", _("This install has an owner; ask them for an invitation."))
    _check_new_user(username=username, password=password)
    return User.objects.create_user(username=username.strip(), password=password)


@transaction.atomic
def invitation_create(*, store: Store, role: str, name: str = "", created_by) -> Invitation:
    if role not in Role.values:
        raise DomainError("role", "invalid", _("Choose a role."))
    inviter = membership_for(user=created_by, store=store)
    if inviter is None or not role_has(inviter.role, Perm.MANAGE_STAFF):
        raise DomainError("", "permission_denied", _("Your role may not do this."))
    if role == Role.OWNER and inviter.role != Role.OWNER:
        raise DomainError("role", "owner_only", _("Only an owner may invite another owner."))
    invitation = Invitation.objects.create(store=store, role=role, name=name.strip(), created_by=created_by)
    audit_record(
        store=store, action="invitation_created", actor=created_by, target=invitation, data={"role": role}
    )
    return invitation


def invitation_open(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("store").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise DomainError("token", "invalid_token", _("This invitation link is no longer valid."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str, pin: str = "") -> Membership:
    """Creates the person's account and membership; managers and owners also set their approval PIN."""
    invitation = invitation_open(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise DomainError("token", "invalid_token", _("This invitation link is no longer valid."))
    _check_new_user(username=username, password=password)
    needs_pin = invitation.role in (Role.OWNER, Role.MANAGER)
    if needs_pin and not pin:
        raise DomainError(
            "pin", "required", _("Managers and owners choose a PIN to approve voids and refunds.")
        )
    user = get_user_model().objects.create_user(username=username.strip(), password=password)
    membership = Membership.objects.create(user=user, store=invitation.store, role=invitation.role)
    if needs_pin:
        membership_set_pin(membership=membership, pin=pin)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(store=invitation.store, action="invitation_accepted", actor=user, target=invitation)
    events.invitation_accepted.send(sender=Invitation, invitation=invitation, membership=membership)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(store=invitation.store, action="invitation_revoked", actor=by, target=invitation)
    return invitation
