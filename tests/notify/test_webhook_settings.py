"""设置 › 事件推送 (/settings/webhooks/): the coordinator adds, edits and pauses the organisation's subscriptions."""
from __future__ import annotations

import pytest

from duban.notify.models import Subscription
from tests.web.conftest import coordinator, liaison, media_root, org, unit  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_coordinator_adds_a_subscription_with_a_generated_secret(client, coordinator, org):
    client.force_login(coordinator)
    r = client.post("/settings/webhooks/", {"name": "市政务公开平台", "url": "https://gk.km.gov.cn/duban",
                                            "events": ["assignment.submitted", "bulletin.issued"], "active": "on"})
    sub = Subscription.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/settings/webhooks/{sub.pk}/"
    assert sub.org == org and sub.events == ["assignment.submitted", "bulletin.issued"] and len(sub.secret) >= 32
    page = client.get(r["Location"]).content.decode()
    assert sub.secret in page
    assert "市政务公开平台" in client.get("/settings/webhooks/").content.decode()


def test_editing_keeps_the_secret_unless_a_new_one_is_given_and_pauses(client, coordinator, org):
    sub = Subscription.objects.create(org=org, name="平台", url="https://a.example/", secret="old-secret", events=["plan.imported"])
    client.force_login(coordinator)
    r = client.post(f"/settings/webhooks/{sub.pk}/", {"name": "平台", "url": "https://a.example/", "events": ["plan.imported"], "secret": ""})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.secret == "old-secret" and sub.active is False


@pytest.mark.parametrize("data, error", [
    ({"url": "ftp://a.example/"}, "推送地址须以 http:// 或 https:// 开头"),
    ({"url": "javascript:alert(1)"}, "有效的 URL"),
    ({"url": "http://a.example:99999/"}, "格式不正确"),
    ({"events": ["plan.deleted"]}, "plan.deleted 不在可用的选项中"),
    ({"events": []}, "必填"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_stored(client, coordinator, data, error):
    client.force_login(coordinator)
    r = client.post("/settings/webhooks/", {"name": "平台", "url": "https://a.example/", "events": ["plan.imported"], **data})
    assert r.status_code == 400 and error in r.content.decode()
    assert not Subscription.objects.exists()


def test_a_private_address_is_refused_when_not_allowed(client, coordinator, settings):
    settings.DUBAN_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(coordinator)
    r = client.post("/settings/webhooks/", {"name": "平台", "url": "http://127.0.0.1:8000/", "events": ["plan.imported"]})
    assert r.status_code == 400 and "内网" in r.content.decode()
    assert not Subscription.objects.exists()


def test_a_liaison_is_refused(client, liaison):
    client.force_login(liaison)
    assert client.get("/settings/webhooks/").status_code == 403
