"""{{ receipts|receipt:key }}: 已读/未读 of the latest 催办 (from duban.notify.inbox.receipts or batch_receipts)."""
from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def receipt(receipts, key):
    r = receipts.get(key) if receipts else None
    if r is None:
        return ""
    if r.read:
        when = timezone.localtime(r.read_at).strftime("%m-%d %H:%M")
        return format_html('<span class="receipt receipt-read" title="催办 {} 发出，{} 首次阅读">已读</span>',
                           timezone.localtime(r.sent_at).strftime("%m-%d %H:%M"), when)
    return format_html('<span class="receipt receipt-unread" title="催办 {} 发出，尚无人阅读">未读</span>',
                       timezone.localtime(r.sent_at).strftime("%m-%d %H:%M"))
