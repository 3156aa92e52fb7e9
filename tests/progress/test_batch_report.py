"""报一次: a liaison reports on several of its own assignments in one form — one Report per assignment, each
with its own copy of every file, all or nothing; and a returned report's resubmission starts from it."""
from __future__ import annotations

from pathlib import Path

import pytest

from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.lifecycle import NotAllowed, ReportDraft, TransitionError
from duban.progress.models import Attachment, Report

from .samples import PDF, stored_files, upload

A = Assignment
URL = "http://www.xishan.gov.cn/c/2021-09-30/5000001.shtml"


@pytest.fixture
def three(seed_plan, unit):
    """Three tasks 区财政局 is responsible for by the phrase 区政府各办、局 (tasks 5, 12, 13)."""
    finance = unit("区财政局")
    return list(Assignment.objects.filter(unit=finance, task__no__in=[5, 12, 13]).order_by("task__no"))


def test_one_form_three_reports_each_with_its_own_file(three, liaison, client, media_root):
    client.force_login(liaison)
    unit_id = three[0].unit_id
    page = client.get(f"/units/{unit_id}/report/", {"a": [three[0].pk, three[1].pk]}).content.decode()
    assert page.count(" checked>") == 2 and f'value="{three[2].pk}"' in page
    r = client.post(f"/units/{unit_id}/report/", {
        "a": [a.pk for a in three], "text": "已在门户网站专栏统一公开。", "published_on": "2021-09-30",
        "url_1": URL, "title_1": "专栏", "files": [upload("说明.pdf", PDF)],
    })
    assert r.status_code == 302 and r["Location"] == f"/units/{unit_id}/"
    reports = list(Report.objects.order_by("assignment__task__no"))
    assert [r.assignment_id for r in reports] == [a.pk for a in three]
    assert {(r.text, str(r.published_on), r.submitted_by_id) for r in reports} == {("已在门户网站专栏统一公开。", "2021-09-30", liaison.pk)}
    assert all([l.url for l in r.links.all()] == [URL] for r in reports)
    assert set(Assignment.objects.filter(pk__in=[a.pk for a in three]).values_list("status", flat=True)) == {A.SUBMITTED}
    files = list(Attachment.objects.order_by("report__assignment__task__no"))
    assert len(files) == 3 and len({f.file.name for f in files}) == 3 and len({f.sha256 for f in files}) == 1
    assert len(stored_files(media_root)) == 3
    # Deleting one report's file loses nothing of the others'.
    files[0].file.delete(save=False)
    for f in files[1:]:
        assert Path(f.file.path).read_bytes() == PDF


def test_all_or_nothing_when_one_is_not_open(three, liaison, client, media_root):
    lifecycle.submit(three[1], liaison, ReportDraft(text="已报送。"))
    before = Report.objects.count()
    with pytest.raises(TransitionError, match="第12项"):
        lifecycle.submit_many(three, liaison, ReportDraft(text="统一公开。", files=[upload("说明.pdf", PDF)]))
    assert Report.objects.count() == before and len(stored_files(media_root)) == 0
    assert Assignment.objects.get(pk=three[0].pk).status == A.NOT_STARTED
    # The page lists only open work, so the closed one cannot be ticked; a forged id of it is ignored.
    client.force_login(liaison)
    page = client.get(f"/units/{three[0].unit_id}/report/").content.decode()
    assert f'value="{three[1].pk}"' not in page
    r = client.post(f"/units/{three[0].unit_id}/report/", {"a": [three[1].pk], "text": "统一公开。"})
    assert r.status_code == 400 and "请至少选择一项任务" in r.content.decode()
    assert Report.objects.count() == before


def test_only_ones_own_assignments(three, seed_plan, unit, liaison, other_liaison, coordinator, client):
    civil = Assignment.objects.filter(unit=unit("区民政局")).first()
    with pytest.raises(NotAllowed):
        lifecycle.submit_many([three[0], civil], liaison, ReportDraft(text="混入他单位。"))
    client.force_login(liaison)  # another unit's id on one's own page is not among the choices
    r = client.post(f"/units/{three[0].unit_id}/report/", {"a": [civil.pk], "text": "混入他单位。"})
    assert r.status_code == 400
    client.force_login(other_liaison)
    assert client.get(f"/units/{three[0].unit_id}/report/").status_code == 404
    assert client.post(f"/units/{three[0].unit_id}/report/", {"a": [three[0].pk], "text": "x"}).status_code == 404
    client.force_login(coordinator)  # the office does not report on a unit's behalf
    assert client.post(f"/units/{three[0].unit_id}/report/", {"a": [three[0].pk], "text": "x"}).status_code == 403
    assert not Report.objects.exists()


def test_hostile_ids_are_ignored(three, liaison, client):
    client.force_login(liaison)
    for bad in ("99999999999999999999", "-1", "abc", "\x00"):
        assert client.get(f"/units/{three[0].unit_id}/report/", {"a": bad}).status_code == 200
        assert client.post(f"/units/{three[0].unit_id}/report/", {"a": bad, "text": "x"}).status_code == 400


def test_a_resubmission_starts_from_the_returned_report(lead_assignment, liaison, coordinator, client, media_root):
    a = lead_assignment
    lifecycle.submit(a, liaison, ReportDraft(text="已公开部门预算。", links=[(URL, "预算公开")], files=[upload("预算.pdf", PDF)]))
    lifecycle.return_(a, coordinator, "请补充决算。")
    client.force_login(liaison)
    html = client.get(f"/assignments/{a.pk}/").content.decode()
    old = Attachment.objects.get()
    assert "已公开部门预算。</textarea>" in html and f'value="{URL}"' in html and 'value="预算公开"' in html
    assert f'name="keep" value="{old.pk}" checked' in html and "预算.pdf" in html
    r = client.post(f"/assignments/{a.pk}/report/", {"text": "已公开部门预算和决算。", "url_1": URL, "keep": [str(old.pk), "abc"]})
    assert r.status_code == 302
    new = Report.objects.filter(outcome="pending").get()
    kept = new.attachments.get()
    assert kept.original_name == "预算.pdf" and kept.file.name != old.file.name and Path(kept.file.path).read_bytes() == PDF
    old.refresh_from_db()
    assert old.report.outcome == "returned" and Path(old.file.path).exists()  # the returned report keeps its own


def test_only_the_assignments_own_files_can_be_kept(lead_assignment, responsible_assignment, liaison, client):
    lifecycle.submit(responsible_assignment, liaison, ReportDraft(text="另一项。", files=[upload("别的.pdf", PDF)]))
    other = Attachment.objects.get()
    client.force_login(liaison)
    r = client.post(f"/assignments/{lead_assignment.pk}/report/", {"text": "已公开。", "keep": [str(other.pk)]})
    assert r.status_code == 302
    assert not Report.objects.get(assignment=lead_assignment).attachments.exists()


def test_a_kept_file_gone_from_disk_is_a_message_not_an_error(lead_assignment, liaison, coordinator, client):
    a = lead_assignment
    lifecycle.submit(a, liaison, ReportDraft(text="已公开。", files=[upload("预算.pdf", PDF)]))
    lifecycle.return_(a, coordinator, "请补充。")
    old = Attachment.objects.get()
    old.file.delete(save=False)
    client.force_login(liaison)
    r = client.post(f"/assignments/{a.pk}/report/", {"text": "已补充。", "keep": [str(old.pk)]})
    assert r.status_code == 400 and "已找不到" in r.content.decode()
    assert Report.objects.count() == 1 and Assignment.objects.get(pk=a.pk).status == A.RETURNED
