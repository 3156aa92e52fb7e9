"""The 消息 page: every user's own inbox, newest first; opening a message marks it read."""
from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from duban.notify import inbox
from duban.notify.models import InboxMessage

PAGE_SIZE = 30


def _own(request):
    return InboxMessage.objects.filter(user=request.user)


@login_required
def message_list(request):
    page = Paginator(_own(request).order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/messages.html", {
        "page": page, "page_range": page.paginator.get_elided_page_range(page.number), "unread": inbox.unread(request.user).count(),
    })


@login_required
def message_detail(request, message_id: int):
    """Opening one's own message reads it (another user's message is a 404)."""
    message = get_object_or_404(_own(request), pk=message_id)
    inbox.mark_read(_own(request).filter(pk=message.pk))
    return render(request, "notify/message.html", {"message": message, "internal_link": message.link.startswith("/") and not message.link.startswith("//")})


@require_POST
@login_required
def mark_all_read(request):
    n = inbox.mark_read(_own(request))
    flash.success(request, f"已将 {n} 条消息标为已读。" if n else "没有未读消息。")
    return redirect("messages")
