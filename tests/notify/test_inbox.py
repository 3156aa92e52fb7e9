"""The 消息 page: one's own messages newest first, paged, unread marked; opening reads; 全部标为已读; the header
badge; and the inbox as a delivered channel (a unit with no e-mail and no robot still hears of a return)."""
import pytest
from django.test import Client

from duban.notify import inbox
from duban.notify.models import InboxMessage, Notification
from duban.progress import lifecycle
from tests.web.conftest import coordinator, leader, liaison, make_user, media_root, org, seed_plan, unit  # noqa: F401

pytestmark = pytest.mark.django_db


def signed_in(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_list_is_ones_own_newest_first_with_unread_marked(liaison, leader):
    inbox.deliver([liaison.pk], "旧消息", "正文一")
    inbox.deliver([liaison.pk], "【催办】新消息", "正文二", kind=InboxMessage.URGE)
    inbox.deliver([leader.pk], "别人的消息", "不给联络员看")
    old = InboxMessage.objects.get(title="旧消息")
    inbox.mark_read(InboxMessage.objects.filter(pk=old.pk))
    page = signed_in(liaison).get("/messages/")
    html = page.content.decode()
    assert [m.title for m in page.context["page"].object_list] == ["【催办】新消息", "旧消息"]
    assert "别人的消息" not in html
    assert html.count('class="inbox-item unread"') == 1 and page.context["unread"] == 1
    assert 'id="nav-messages"' in html and 'aria-label="1 条未读"' in html  # the badge


def test_opening_a_message_reads_it_and_another_users_is_a_404(liaison, leader):
    inbox.deliver([liaison.pk], "【催办】请抓紧办理", "第8项已逾期。", link="/units/1/", kind=InboxMessage.URGE)
    message = InboxMessage.objects.get()
    assert signed_in(leader).get(f"/messages/{message.pk}/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None  # another user's look did not read it
    c = signed_in(liaison)
    page = c.get(f"/messages/{message.pk}/")
    assert page.status_code == 200 and "第8项已逾期。" in page.content.decode() and 'href="/units/1/"' in page.content.decode()
    message.refresh_from_db()
    first = message.read_at
    assert first is not None
    c.get(f"/messages/{message.pk}/")
    message.refresh_from_db()
    assert message.read_at == first  # the first reading is the one the coordinator sees
    assert 'aria-label="1 条未读"' not in c.get("/messages/").content.decode()


def test_an_outside_link_is_not_offered(liaison):
    inbox.deliver([liaison.pk], "消息", "正文", link="javascript:alert(1)")
    html = signed_in(liaison).get(f"/messages/{InboxMessage.objects.get().pk}/").content.decode()
    assert "javascript:" not in html


def test_mark_all_read_only_touches_ones_own(liaison, leader):
    inbox.deliver([liaison.pk, leader.pk], "消息", "正文")
    inbox.deliver([liaison.pk], "消息二", "正文")
    c = signed_in(liaison)
    assert c.get("/messages/read-all/").status_code == 405
    r = c.post("/messages/read-all/", follow=True)
    assert "已将 2 条消息标为已读。" in r.content.decode()
    assert not inbox.unread(liaison).exists() and inbox.unread(leader).count() == 1


def test_paged_thirty_to_a_page_and_a_bad_page_is_not_an_error(liaison):
    for i in range(65):
        inbox.deliver([liaison.pk], f"消息{i}", "正文")
    c = signed_in(liaison)
    first = c.get("/messages/")
    assert len(first.context["page"].object_list) == 30 and first.context["page"].object_list[0].title == "消息64"
    last = c.get("/messages/", {"page": "3"})
    assert [m.title for m in last.context["page"].object_list] == ["消息4", "消息3", "消息2", "消息1", "消息0"]
    assert c.get("/messages/", {"page": "x" * 100}).status_code == 200


def test_every_page_shows_the_badge_for_one_count_query(liaison, unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inbox.deliver([liaison.pk], "消息", "正文")
    c = signed_in(liaison)
    with CaptureQueriesContext(connection) as queries:
        html = c.get(f"/units/{unit('区财政局').pk}/").content.decode()
    inbox_queries = [q["sql"] for q in queries.captured_queries if "notify_inboxmessage" in q["sql"]]
    assert len(inbox_queries) == 1 and "COUNT" in inbox_queries[0].upper()
    assert 'aria-label="1 条未读"' in html
    with CaptureQueriesContext(connection) as queries:
        assert c.get("/messages/read-all/").status_code == 405  # no page drawn: no count
    assert not [q for q in queries.captured_queries if "notify_inboxmessage" in q["sql"]]


def test_signed_out_visitors_are_sent_to_the_login(client):
    assert client.get("/messages/")["Location"].startswith("/login/")


def test_a_return_reaches_a_unit_with_no_email_and_no_robot(seed_plan, unit, liaison, coordinator):
    """No e-mail address anywhere and no robot: the liaison still has the return in the inbox, at once."""
    assert liaison.email == "" and not unit("区财政局").contact_email
    a = seed_plan.tasks.get(no=8).assignments.get(unit=unit("区财政局"), role="lead")
    lifecycle.submit(a, liaison, lifecycle.ReportDraft(text="已公开。", links=[("http://www.xishan.gov.cn/a.html", "")]))
    lifecycle.return_(a, coordinator, "请补充链接。")
    message = InboxMessage.objects.get(user=liaison)
    assert message.kind == "return" and "请补充链接。" in message.body and list(message.assignments.all()) == [a]
    assert not Notification.objects.exists()
    page = signed_in(liaison).get("/messages/").content.decode()
    assert "第8项的报送被退回" in page and "退回" in page


def test_the_receipt_is_the_latest_sendings_in_three_queries(seed_plan, unit, org, django_assert_num_queries):
    from duban.plans.models import Assignment

    fin = unit("区财政局")
    one, two = make_user(org, "fin-1", "liaison", fin), make_user(org, "fin-2", "liaison", fin)
    rows = Assignment.objects.filter(unit=fin).order_by("pk")
    a, b = rows[0], rows[1]
    for n in range(5):  # five old 催办 about a, all read
        inbox.deliver([one.pk, two.pk], f"催办{n}", "", kind="urge", assignment_ids=[a.pk], batch=f"urge:old{n}")
    inbox.mark_read(InboxMessage.objects.all())
    inbox.deliver([one.pk, two.pk], "新催办", "", kind="urge", assignment_ids=[a.pk, b.pk], batch="urge:new")
    inbox.deliver([one.pk], "退回", "", kind="return", assignment_ids=[b.pk], batch="ret")  # not a 催办
    with django_assert_num_queries(3):
        got = inbox.receipts(Assignment.objects.filter(unit=fin))
    assert set(got) == {a.pk, b.pk} and not got[a.pk].read and not got[b.pk].read
    inbox.mark_read(InboxMessage.objects.filter(user=two, batch="urge:new"))
    got = inbox.receipts(Assignment.objects.filter(unit=fin))
    assert got[a.pk].read and got[b.pk].read  # one of the two liaisons read it: read
