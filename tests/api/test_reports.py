"""A liaison reports through the API with a file and a link; the coordinator accepts or returns it through
the API. The rules are duban.progress.lifecycle's, the same as on the pages."""
from __future__ import annotations

import hashlib

from duban.plans.models import Assignment
from duban.progress.models import Attachment, Report, StatusChange
from tests.progress.samples import PDF, stored_files, upload


def submit(client, a, **data):
    return client.post(f"/api/v1/assignments/{a.pk}/reports/", data, format="multipart")


def test_a_liaison_reports_with_a_file_and_the_coordinator_accepts_it(api, people, lead, media_root):
    liaison, coordinator = api(people["liaison"]), api(people["coordinator"])

    r = submit(liaison, lead, text="已在门户网站公开预决算。", published_on="2021-06-30",
               links=["https://www.xishan.gov.cn/yjs"], link_titles=["预决算专栏"], files=[upload("预算.pdf", PDF)])
    assert r.status_code == 201, r.content
    report = Report.objects.get()
    assert r.json()["id"] == report.pk and r.json()["outcome"] == "pending"
    assert report.submitted_by == people["liaison"] and str(report.published_on) == "2021-06-30"
    assert [(l.url, l.title) for l in report.links.all()] == [("https://www.xishan.gov.cn/yjs", "预决算专栏")]
    att = Attachment.objects.get(report=report)
    assert att.original_name == "预算.pdf" and att.content_type == "application/pdf"
    assert att.sha256 == hashlib.sha256(PDF).hexdigest() and len(stored_files(media_root)) == 1
    lead.refresh_from_db()
    assert lead.status == Assignment.SUBMITTED

    # the liaison downloads the file back; the coordinator sees the report waiting
    download = r.json()["attachments"][0]["download"]
    got = liaison.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    pending = coordinator.get("/api/v1/reports/", {"outcome": "pending"}).json()
    assert [x["id"] for x in pending["results"]] == [report.pk]

    r = coordinator.post(f"/api/v1/assignments/{lead.pk}/accept/", {"grade": "good", "note": "内容完整。"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["outcome"] == "accepted" and r.json()["grade"] == "good"
    lead.refresh_from_db()
    report.refresh_from_db()
    assert lead.status == Assignment.ACCEPTED and report.reviewed_by == people["coordinator"]
    assert list(StatusChange.objects.filter(assignment=lead).values_list("to_status", flat=True)) == ["submitted", "accepted"]

    # accepting twice is a conflict, in Chinese, and changes nothing
    again = coordinator.post(f"/api/v1/assignments/{lead.pk}/accept/", {"grade": "excellent"}, format="json")
    assert again.status_code == 409 and "不能办结" in again.json()["detail"]
    report.refresh_from_db()
    assert report.grade == "good"


def test_the_coordinator_returns_a_report_with_a_reason(api, people, lead):
    assert submit(api(people["liaison"]), lead, text="已公开。", links=["https://x.gov.cn/a"]).status_code == 201
    coordinator = api(people["coordinator"])
    assert coordinator.post(f"/api/v1/assignments/{lead.pk}/return/", {}, format="json").status_code == 400
    r = coordinator.post(f"/api/v1/assignments/{lead.pk}/return/", {"reason": "请补充公开链接。"}, format="json")
    assert r.status_code == 200 and r.json()["outcome"] == "returned" and r.json()["review_note"] == "请补充公开链接。"
    lead.refresh_from_db()
    assert lead.status == Assignment.RETURNED


def test_a_lead_unit_s_report_without_evidence_is_not_accepted(api, people, lead):
    assert submit(api(people["liaison"]), lead, text="已公开。").status_code == 201
    r = api(people["coordinator"]).post(f"/api/v1/assignments/{lead.pk}/accept/", {"grade": "good"}, format="json")
    assert r.status_code == 409 and "牵头单位" in r.json()["detail"]
    lead.refresh_from_db()
    assert lead.status == Assignment.SUBMITTED


def test_the_evidence_rules_of_the_pages_apply(api, people, lead, media_root):
    liaison = api(people["liaison"])
    r = submit(liaison, lead, text="已公开。", files=[upload("预算.pdf", b"MZ not a pdf at all")])
    assert r.status_code == 400 and "内容不是PDF" in r.content.decode()
    r = submit(liaison, lead, text="已公开。", files=[upload("run.exe", PDF)])
    assert r.status_code == 400 and "不支持" in r.json()["detail"]
    r = submit(liaison, lead, text="已公开。", links=["javascript:alert(1)"])
    assert r.status_code == 400 and "不是有效的网址" in r.content.decode()
    r = submit(liaison, lead, text="x" * 6000)
    assert r.status_code == 400 and "5000" in r.content.decode()
    r = submit(liaison, lead, text="已公开\x00")
    assert r.status_code == 400
    r = submit(liaison, lead, text="   ")
    assert r.status_code == 400
    r = submit(liaison, lead, text="已公开。", published_on="2021-02-30")
    assert r.status_code == 400 and "日期" in r.content.decode()
    assert Report.objects.count() == 0 and stored_files(media_root) == []
    lead.refresh_from_db()
    assert lead.status == Assignment.NOT_STARTED


def test_only_the_unit_s_liaison_reports_and_only_the_coordinator_reviews(api, people, lead):
    # leaders write nothing, whatever the id (so a 403 says nothing about another organisation's objects)
    for who in ("coordinator", "leader", "other leader"):
        r = submit(api(people[who]), lead, text="代报。")
        assert r.status_code == 403, who
    for who in ("liaison of another unit", "other coordinator", "other liaison"):
        assert submit(api(people[who]), lead, text="代报。").status_code == 404, who
    assert submit(api(people["liaison"]), lead, text="已公开。", links=["https://x.gov.cn/a"]).status_code == 201
    for who, code in (("liaison", 403), ("leader", 403), ("liaison of another unit", 404), ("other coordinator", 404)):
        for action, data in (("accept", {"grade": "good"}), ("return", {"reason": "不行"})):
            r = api(people[who]).post(f"/api/v1/assignments/{lead.pk}/{action}/", data, format="json")
            assert r.status_code == code, (who, action, r.status_code)
    assert Report.objects.get().outcome == "pending"
