"""A huge upload is not kept past the limit, and the form still says why it was refused."""
import io

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

from duban.plans.models import Plan

from .conftest import make_user


def test_bytes_past_the_limit_are_never_stored(client, org, settings, monkeypatch):
    settings.UPLOAD_MAX_BYTES = 256 * 1024
    kept = {"bytes": 0}
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data, start, original=original):
            kept["bytes"] += len(raw_data)
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    client.force_login(make_user(org, "c", "coordinator"))
    big = io.BytesIO(b"x" * (3 * 1024 * 1024))
    big.name = "huge.txt"
    r = client.post("/plans/upload/", {"file": big})
    page = r.content.decode()
    assert "文件过大" in page and "3.0 MB" in page  # the size the browser sent, not the part kept
    assert kept["bytes"] <= settings.UPLOAD_MAX_BYTES + 64 * 1024 * 2  # at most the chunk that crossed the line
    assert Plan.objects.count() == 0
