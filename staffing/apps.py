from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_invitation_accepted(sender, invitation, membership, **kwargs):
    from .services import staff_member_link_user

    staff_member_link_user(invitation=invitation, membership=membership)


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self):
        from restaurant_ops import events

        events.invitation_accepted.connect(_on_invitation_accepted, dispatch_uid="staffing.link_user")
