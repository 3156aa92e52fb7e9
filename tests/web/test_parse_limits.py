"""A hostile upload cannot take the web process down: the plan is parsed in a child process limited by
PARSE_MEMORY_MB and PARSE_TIMEOUT, and the PDF reader refuses a bomb before inflating it. The upload
fails with a Chinese message, stores nothing, and this process's memory hardly moves."""
from __future__ import annotations

import pytest

from duban.plans.models import ImportJob, Plan
from tests.ingest.hostile import pdf_bomb, peak_rss_growth

from .test_import import files_under
from .test_import_jobs import client_c, started, upload_and_run  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_pdf_bomb_upload_fails_with_a_chinese_message_and_bounded_memory(client_c, org, media_root, started,  # noqa: F811
                                                                          django_capture_on_commit_callbacks):
    bomb = pdf_bomb(1024)  # about 1 MB that inflates to 1 GiB
    with peak_rss_growth() as grew:
        job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, bomb, "方案.pdf")
    assert job.status == ImportJob.FAILED and "PDF 文件解压后过大" in job.error and "已停止读取" in job.error
    assert r.status_code == 400 and job.error in r.content.decode()
    assert grew["mb"] < 64, grew
    assert not Plan.objects.exists() and files_under(media_root) == []


def test_the_childs_memory_limit_stops_what_the_readers_caps_let_through(client_c, org, media_root, started, settings,  # noqa: F811
                                                                        django_capture_on_commit_callbacks):
    settings.PARSE_MEMORY_MB = 96  # a 60 MB stream passes the PDF caps; inflating it does not fit in 96 MB
    with peak_rss_growth() as grew:
        job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, pdf_bomb(60), "方案.pdf")
    assert job.status == ImportJob.FAILED
    assert "文件解压后过大或结构异常，已停止读取" in job.error and "内存上限" in job.error
    assert job.error in r.content.decode()
    assert grew["mb"] < 32, grew
    assert not Plan.objects.exists()


def test_the_childs_time_limit_comes_from_the_settings(client_c, org, started, settings, django_capture_on_commit_callbacks):  # noqa: F811
    from .conftest import seed_bytes

    settings.PARSE_TIMEOUT = 0.01
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, seed_bytes(), "方案.txt")
    assert job.status == ImportJob.FAILED and "读取时限" in job.error and "已停止读取" in job.error
    assert not Plan.objects.exists()
