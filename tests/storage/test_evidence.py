"""Evidence in the bucket: a file reported on the assignment page is stored there (not on the local disk),
private, and read back only through the download view, which checks access; a resubmission keeps its copy."""
from __future__ import annotations

import re

import pytest

from duban import files
from duban.progress import lifecycle
from duban.progress.models import Attachment
from tests.progress.samples import PDF, upload
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture
def assignment(seed_plan, unit):
    """Task 8 (预决算公开): 区财政局牵头."""
    return seed_plan.tasks.get(no=8).assignments.get(unit=unit("区财政局"), role="lead")


@pytest.fixture
def reported(assignment, liaison, client):
    client.force_login(liaison)
    r = client.post(f"/assignments/{assignment.pk}/report/", {"text": "已公开部门预算。", "files": [upload("预算公开.pdf", PDF)]})
    assert r.status_code == 302, r.content.decode()
    return Attachment.objects.get()


def download(client, att):
    r = client.get(f"/attachments/{att.pk}/")
    return r, (b"".join(r.streaming_content) if r.status_code == 200 else None)


def test_a_reported_file_lands_in_the_bucket_and_nowhere_else(reported, bucket, local_files):
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}", reported.file.name)
    assert bucket.keys("evidence/") == [reported.file.name]
    assert bucket.read(reported.file.name) == PDF
    assert local_files() == []


def test_the_object_is_not_public(reported, bucket):
    acl = bucket.client.get_object_acl(Bucket=bucket.name, Key=f"duban/{reported.file.name}")
    assert acl["Grants"] and not any(g["Grantee"].get("URI") == ALL_USERS for g in acl["Grants"])
    assert reported.file.storage.querystring_auth is False  # never a signed URL that bypasses the views


@pytest.mark.parametrize("who", ["liaison", "coordinator", "leader"])
def test_those_who_see_the_assignment_download_it_from_the_bucket(reported, client, who, request):
    client.force_login(request.getfixturevalue(who))
    r, body = download(client, reported)
    assert r.status_code == 200 and body == PDF
    assert r["Content-Length"] == str(len(PDF)) and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;") and r["X-Content-Type-Options"] == "nosniff"


def test_others_are_refused_before_the_bucket_is_read(reported, client, org, unit, monkeypatch):
    read = []
    monkeypatch.setattr(files, "download", lambda *a, **kw: read.append(a))
    client.force_login(make_user(org, "liaison-civil", "liaison", unit("区民政局")))  # another unit
    assert download(client, reported)[0].status_code == 404
    client.logout()
    r = client.get(f"/attachments/{reported.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert read == []


def test_a_file_gone_from_the_bucket_is_a_404(reported, bucket, client, coordinator):
    bucket.delete(reported.file.name)
    client.force_login(coordinator)
    assert download(client, reported)[0].status_code == 404


def test_a_resubmission_keeps_its_own_copy_in_the_bucket(reported, assignment, liaison, coordinator, bucket, client):
    lifecycle.return_(assignment, coordinator, "请补充决算公开页面。")
    client.force_login(liaison)
    r = client.post(f"/assignments/{assignment.pk}/report/", {"text": "已补充。", "keep": [str(reported.pk)]})
    assert r.status_code == 302, r.content.decode()
    kept = Attachment.objects.exclude(pk=reported.pk).get()
    assert kept.file.name != reported.file.name and kept.original_name == "预算公开.pdf"
    assert bucket.keys("evidence/") == sorted([reported.file.name, kept.file.name])
    assert bucket.read(kept.file.name) == PDF and download(client, kept)[1] == PDF
