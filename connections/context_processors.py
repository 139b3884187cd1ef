from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    """The bell's unread count, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
