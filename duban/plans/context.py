"""What the page frame needs to know about the user: decided by duban.plans.access, shown by base.html."""
from duban.plans import access


def nav(request):
    user = getattr(request, "user", None)
    p = access.profile(user) if user is not None else None
    if p is None:
        return {"nav": None}
    return {
        "nav": {
            "org": p.org,
            "role": p.get_role_display(),
            "unit": p.unit if p.role == p.LIAISON else None,
            "can_edit": access.can_edit(user),
            "can_read_all": access.can_read_all(user),
        }
    }
