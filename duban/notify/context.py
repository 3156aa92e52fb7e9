"""The unread count in the page header: one COUNT on the (user, read_at) index, only when a page shows it."""
from django.utils.functional import SimpleLazyObject

from duban.notify import inbox


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: inbox.unread(user).count())}
