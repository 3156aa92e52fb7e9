"""领导批示: a leader writes an instruction on a task (to all its units or one); it reaches the units concerned at
once (inbox) and through their channels (outbox), stays on the task page — also once the task is archived —
and is the one thing a leader may write."""
import pytest
from django.test import Client

from duban.audit.models import AuditEvent
from duban.instructions.models import Instruction
from duban.notify.models import InboxMessage, Notification
from duban.plans import structure
from tests.web.conftest import coordinator, leader, liaison, make_user, media_root, org, seed_plan, unit  # noqa: F401

pytestmark = pytest.mark.django_db


def signed_in(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def task9(seed_plan):
    """Task 9: 区农业农村局, 区民政局, 区财政局 and every 街道."""
    return seed_plan.tasks.get(no=9)


def test_a_leaders_instruction_reaches_every_unit_of_the_task(org, leader, task9, unit):
    leader.first_name = "王副区长"
    leader.save()
    fin, civil = unit("区财政局"), unit("区民政局")
    fin.contact_email = "czj@example.gov.cn"
    fin.save()
    fin_liaison = make_user(org, "fin", "liaison", fin)
    fin_liaison.email = "fin@example.gov.cn"
    fin_liaison.save()
    civil_liaison = make_user(org, "civil", "liaison", civil)  # no e-mail: the inbox only
    r = signed_in(leader).post(f"/tasks/{task9.pk}/instructions/", {"text": "请各单位务必在月底前完成。", "unit": ""}, follow=True)
    html = r.content.decode()
    units = task9.assignments.count()
    assert f"批示已保存，发给 {units} 个单位" in html and "2 条站内消息已送达联络员" in html
    instruction = Instruction.objects.get()
    assert (instruction.task, instruction.unit, instruction.author_name) == (task9, None, "王副区长")
    assert "请各单位务必在月底前完成。" in html[html.index('id="instructions"'):]
    for user, u in ((fin_liaison, fin), (civil_liaison, civil)):
        m = InboxMessage.objects.get(user=user)
        assert m.kind == "instruction" and m.title == "【领导批示】第9项：王副区长的批示"
        assert "王副区长批示：请各单位务必在月底前完成。" in m.body and list(m.assignments.all()) == [task9.assignments.get(unit=u)]
    assert set(Notification.objects.values_list("channel", "recipient")) == {("email", "fin@example.gov.cn"), ("email", "czj@example.gov.cn")}
    assert AuditEvent.objects.get(action=AuditEvent.INSTRUCTION).after["text"] == "请各单位务必在月底前完成。"


def test_an_instruction_to_one_unit_is_seen_by_that_unit_only(org, leader, coordinator, task9, unit):
    fin, civil = unit("区财政局"), unit("区民政局")
    fin_liaison, civil_liaison = make_user(org, "fin", "liaison", fin), make_user(org, "civil", "liaison", civil)
    signed_in(leader).post(f"/tasks/{task9.pk}/instructions/", {"text": "财政局要把预算链接报上来。", "unit": fin.pk})
    assert list(InboxMessage.objects.values_list("user", flat=True)) == [fin_liaison.pk]
    assert "财政局要把预算链接报上来。" in signed_in(fin_liaison).get(f"/tasks/{task9.pk}/").content.decode()
    assert "财政局要把预算链接报上来。" not in signed_in(civil_liaison).get(f"/tasks/{task9.pk}/").content.decode()
    assert "财政局要把预算链接报上来。" in signed_in(coordinator).get(f"/tasks/{task9.pk}/").content.decode()


def test_only_a_leader_writes_and_nothing_else_is_offered(coordinator, liaison, leader, task9):
    for user in (coordinator, liaison):
        assert signed_in(user).post(f"/tasks/{task9.pk}/instructions/", {"text": "批示"}).status_code == 403
        assert 'id="instruction-form"' not in signed_in(user).get(f"/tasks/{task9.pk}/").content.decode()
    assert not Instruction.objects.exists()
    page = signed_in(leader).get(f"/tasks/{task9.pk}/").content.decode()
    assert 'id="instruction-form"' in page and "发送催办" not in page and f'href="/tasks/{task9.pk}/edit/"' not in page


def test_bad_input_is_refused_with_a_message(leader, task9, seed_plan, unit):
    c = signed_in(leader)
    other_task_unit = unit("区气象局")
    assert not task9.assignments.filter(unit=other_task_unit).exists()
    for data, said in (({"text": ""}, "请填写批示内容。"), ({"text": "长" * 1001}, "批示内容最多 1000 字。"),
                       ({"text": "批示", "unit": other_task_unit.pk}, "所选单位不在本任务中。"),
                       ({"text": "批示", "unit": "abc"}, "所选单位不在本任务中。")):
        r = c.post(f"/tasks/{task9.pk}/instructions/", data, follow=True)
        assert r.status_code == 200 and said in r.content.decode(), data
    assert not Instruction.objects.exists() and not InboxMessage.objects.exists()


def test_another_organisations_leader_cannot_reach_the_task(task9):
    from duban.directory.models import Organisation

    other = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    assert signed_in(make_user(other, "dc-leader", "leader")).post(f"/tasks/{task9.pk}/instructions/", {"text": "批示"}).status_code == 404
    assert not Instruction.objects.exists()


def test_an_archived_task_keeps_its_instructions(leader, coordinator, task9):
    signed_in(leader).post(f"/tasks/{task9.pk}/instructions/", {"text": "抓紧办理。"})
    structure.delete_task(task9, coordinator, "重复任务")
    page = signed_in(coordinator).get(f"/tasks/{task9.pk}/").content.decode()
    assert "已删除（归档）" in page and "抓紧办理。" in page
    leader_page = signed_in(leader).get(f"/tasks/{task9.pk}/").content.decode()
    assert "抓紧办理。" in leader_page and 'id="instruction-form"' not in leader_page
    assert signed_in(leader).post(f"/tasks/{task9.pk}/instructions/", {"text": "再批"}).status_code == 404
    assert Instruction.objects.count() == 1


def test_only_purging_the_archived_task_removes_its_instructions(leader, coordinator, task9):
    import datetime
    import io

    from django.core.management import call_command
    from django.utils import timezone

    signed_in(leader).post(f"/tasks/{task9.pk}/instructions/", {"text": "抓紧办理。"})
    structure.delete_task(task9, coordinator, "重复任务")
    out = io.StringIO()
    call_command("purge_archived", "--before", (timezone.localdate() + datetime.timedelta(days=1)).isoformat(), stdout=out)
    assert "1 条领导批示" in out.getvalue() and not Instruction.objects.exists()


def test_an_instruction_to_a_unit_is_on_its_page_and_in_its_inbox(org, leader, coordinator, seed_plan, unit):
    fin, civil = unit("区财政局"), unit("区民政局")
    fin_liaison, civil_liaison = make_user(org, "fin", "liaison", fin), make_user(org, "civil", "liaison", civil)
    r = signed_in(leader).post(f"/units/{fin.pk}/instructions/", {"text": "财政局整体进度偏慢，请加快。"}, follow=True)
    assert "批示已保存，发给区财政局：1 条站内消息已送达联络员" in r.content.decode()
    instruction = Instruction.objects.get()
    assert (instruction.task, instruction.unit) == (None, fin)
    m = InboxMessage.objects.get()
    assert (m.user, m.kind, m.title) == (fin_liaison, "instruction", "【领导批示】leader对区财政局的批示")
    assert m.link == f"/units/{fin.pk}/"
    for user in (fin_liaison, coordinator, leader):
        assert "财政局整体进度偏慢，请加快。" in signed_in(user).get(f"/units/{fin.pk}/").content.decode()
    assert signed_in(civil_liaison).get(f"/units/{fin.pk}/").status_code == 404
    assert "财政局整体进度偏慢" not in signed_in(civil_liaison).get(f"/units/{civil.pk}/").content.decode()
    assert "财政局整体进度偏慢" not in signed_in(coordinator).get(f"/tasks/{seed_plan.tasks.get(no=8).pk}/").content.decode()
    for user in (coordinator, fin_liaison):
        assert signed_in(user).post(f"/units/{fin.pk}/instructions/", {"text": "x"}).status_code == 403
    assert signed_in(leader).post(f"/units/{fin.pk}/instructions/", {"text": ""}, follow=True).status_code == 200
    assert Instruction.objects.count() == 1
