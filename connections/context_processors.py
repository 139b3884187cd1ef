from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The bell's unread count, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from .models import Notification

        return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
