"""Evidence files: checked by extension and content, kept outside the web root under a random name,
served only to those who may see the assignment. A rejected upload leaves no report and no file."""
from __future__ import annotations

import hashlib
import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft
from duban.progress.models import Attachment, Report, StatusChange

from .samples import DOCX, JPG, PDF, PNG, TXT_GB18030, TXT_UTF8, XLSX, ooxml, stored_files, upload

GOOD = [
    ("2021年预算公开.pdf", PDF, "application/pdf"),
    ("情况说明.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("公开清单.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("网页截图.PNG", PNG, "image/png"),
    ("现场照片.jpeg", JPG, "image/jpeg"),
    ("说明（GB18030）.txt", TXT_GB18030, "text/plain"),
]


def submit_files(assignment, user, *files):
    return lifecycle.submit(assignment, user, ReportDraft(text="已公开。", files=list(files)))


@pytest.mark.parametrize("name,data,content_type", GOOD)
def test_accepted_kinds_are_stored_under_a_random_name(responsible_assignment, liaison, media_root, name, data, content_type):
    report = submit_files(responsible_assignment, liaison, upload(name, data, "application/x-whatever"))
    att = report.attachments.get()
    assert att.original_name == name and att.size == len(data) and att.content_type == content_type
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}", att.file.name)
    on_disk = media_root / att.file.name
    assert on_disk.read_bytes() == data
    assert name not in str(on_disk)


REJECTED = [
    ("setup.exe", b"MZ\x90\x00", "不支持“.exe”类型的附件"),
    ("无扩展名", PDF, "没有扩展名"),
    ("页面.html", b"<html></html>", "不支持“.html”类型"),
    ("假的.pdf", b"MZ\x90\x00 not a pdf", "的内容不是PDF"),
    ("假的.docx", ooxml("xl/workbook.xml"), "的内容不是Word（.docx）"),
    ("假的.xlsx", b"PK\x03\x04 broken zip", "的内容不是Excel（.xlsx）"),
    ("截图.png", JPG, "的内容不是PNG 图片"),
    ("照片.jpg", PNG, "的内容不是JPG 图片"),
    ("说明.txt", b"\x00\x01\x02binary", "的内容不是文本（.txt）"),
    ("空的.pdf", b"", "是空文件"),
]


@pytest.mark.parametrize("name,data,message", REJECTED)
def test_wrong_kinds_are_refused_and_nothing_is_kept(responsible_assignment, liaison, media_root, name, data, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        submit_files(responsible_assignment, liaison, upload("好的.pdf", PDF), upload(name, data))
    assert not Report.objects.exists() and not Attachment.objects.exists() and not StatusChange.objects.exists()
    assert stored_files(media_root) == []
    responsible_assignment.refresh_from_db()
    assert responsible_assignment.status == "not_started"


def test_size_and_count_limits(responsible_assignment, liaison, media_root, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    big = upload("大文件.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match=r"“大文件.pdf”过大（1.0 MB），每个附件不超过 1 MB"):
        submit_files(responsible_assignment, liaison, big)
    with pytest.raises(ValidationError, match="每次报送最多 5 个附件，这次选了 6 个"):
        submit_files(responsible_assignment, liaison, *[upload(f"{i}.pdf", PDF) for i in range(6)])
    assert not Report.objects.exists() and stored_files(media_root) == []
    report = submit_files(responsible_assignment, liaison, *[upload(f"{i}.pdf", PDF) for i in range(5)])
    assert report.attachments.count() == 5 and len(stored_files(media_root)) == 5


def test_the_default_limit_is_20_mb(responsible_assignment, liaison):
    too_big = upload("扫描件.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="每个附件不超过 20 MB"):
        submit_files(responsible_assignment, liaison, too_big)


def test_a_failure_after_files_were_written_removes_them(responsible_assignment, liaison, media_root):
    with mock.patch("duban.progress.lifecycle._notify_coordinators", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            submit_files(responsible_assignment, liaison, upload("a.pdf", PDF), upload("b.png", PNG))
    assert not Report.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_the_upload_form_shows_the_message_and_keeps_nothing(responsible_assignment, liaison, client, media_root):
    client.force_login(liaison)
    r = client.post(f"/assignments/{responsible_assignment.pk}/report/", {"text": "已公开。", "files": [upload("假的.pdf", b"hello")]})
    assert r.status_code == 400
    assert "“假的.pdf”的内容不是PDF" in r.content.decode()
    assert not Report.objects.exists() and stored_files(media_root) == []


def test_utf8_text_is_accepted(responsible_assignment, liaison):
    assert submit_files(responsible_assignment, liaison, upload("说明.txt", TXT_UTF8)).attachments.count() == 1


# --- download -----------------------------------------------------------------------------------


@pytest.fixture
def attachment(responsible_assignment, liaison):
    return submit_files(responsible_assignment, liaison, upload("2021年预算公开.pdf", PDF)).attachments.get()


@pytest.mark.parametrize("who", ["liaison", "coordinator", "leader"])
def test_those_who_see_the_assignment_download_it(attachment, client, who, request):
    client.force_login(request.getfixturevalue(who))
    r = client.get(f"/attachments/{attachment.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''2021%E5%B9%B4" in r["Content-Disposition"]


def test_another_units_liaison_and_strangers_get_nothing(attachment, client, other_liaison, django_user_model):
    client.force_login(other_liaison)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    client.force_login(django_user_model.objects.create_user("nobody", password="a-long-password"))
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    client.logout()
    r = client.get(f"/attachments/{attachment.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_files_live_outside_the_web_root(attachment, settings):
    from pathlib import Path

    import duban

    assert not Path(attachment.file.path).is_relative_to(Path(duban.__file__).parent / "static")
    assert not Path(attachment.file.path).is_relative_to(Path(settings.STATIC_ROOT))
