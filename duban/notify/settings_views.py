"""设置 › 事件推送 (/settings/webhooks/): the coordinator manages the organisation's webhook subscriptions
(duban.notify.events). Only the coordinator, only their organisation's subscriptions; nothing is deleted —
a subscription no longer wanted is paused, and its delivery log stays."""
from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from duban.notify import events
from duban.notify.channels import DeliveryError
from duban.notify.models import Notification, Subscription
from duban.plans import access

RECENT = 20  # deliveries shown on a subscription's page


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label="推送地址", max_length=500, assume_scheme="https",
                         help_text="以 http:// 或 https:// 开头，接收 JSON POST")
    events = forms.MultipleChoiceField(label="订阅的事件", choices=Subscription.EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)
    secret = forms.CharField(label="签名密钥", max_length=200, required=False,
                             help_text="留空则自动生成。接收方用它校验 X-Duban-Signature。")

    class Meta:
        model = Subscription
        fields = ["name", "url", "events", "secret", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            events.check_url(url)
        except DeliveryError as exc:
            raise forms.ValidationError(str(exc)) from None
        return url

    def clean_secret(self):
        return self.cleaned_data["secret"].strip() or self.instance.secret or secrets.token_urlsafe(32)


def _coordinator(request):
    if not access.can_manage_users(request.user):  # the coordinator's work, like accounts and tokens
        raise PermissionDenied("只有协调人可以管理事件推送。")
    return access.profile(request.user).org_id


@never_cache
@login_required
def subscriptions(request):
    org_id = _coordinator(request)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.org_id = org_id
        subscription = form.save()
        messages.success(request, f"已添加事件推送“{subscription.name}”。")
        return redirect("webhook", subscription.pk)
    return render(request, "notify/subscriptions.html", {
        "subscriptions": Subscription.objects.filter(org_id=org_id), "form": form,
    }, status=400 if form.errors else 200)


@never_cache
@login_required
def subscription(request, subscription_id: int):
    org_id = _coordinator(request)
    subscription = get_object_or_404(Subscription, pk=subscription_id, org_id=org_id)
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存事件推送“{subscription.name}”。")
        return redirect("webhook", subscription.pk)
    recent = Notification.objects.filter(channel=Notification.WEBHOOK, recipient=str(subscription.pk)).order_by("-id")[:RECENT]
    return render(request, "notify/subscription.html", {
        "subscription": subscription, "form": form, "recent": recent,
    }, status=400 if form.errors else 200)
