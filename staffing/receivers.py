"""Staffing's answer to an accepted invitation: the staff member it was for gets the new login.
Connected in StaffingConfig.ready()."""

from restaurant_ops import events

from .services import staff_member_link_user


def on_invitation_accepted(sender, invitation, membership, **kwargs):
    staff_member_link_user(invitation=invitation, membership=membership)


def connect() -> None:
    events.invitation_accepted.connect(on_invitation_accepted, dispatch_uid="staffing.link_user")
