"""An upload handler that stops keeping a file once it passes the largest size Duban accepts.

Django would otherwise write a 2 GB upload to a temporary file before any form could say no.
Past the limit the rest of the stream is counted but not kept, and the view receives a
TooLargeUpload whose .size is what the browser sent — so the forms' own size checks give
their usual Chinese message ("文件过大……").
"""
from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


def limit() -> int:
    return max(settings.UPLOAD_MAX_BYTES, getattr(settings, "EVIDENCE_MAX_BYTES", 0))


class TooLargeUpload(UploadedFile):
    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > limit():
            return None  # the handlers after this one never see the rest
        return raw_data

    def file_complete(self, file_size):
        if self.received > limit():
            return TooLargeUpload(self.file_name, self.received, self.content_type)
        return None
