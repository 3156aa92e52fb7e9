"""Stored files back to a browser: a plan's source file, evidence, a generated document.

Every file Duban keeps is in Django's default storage — MEDIA_ROOT on the local disk, or an S3-compatible
bucket (settings.s3_storage) — and reaches a browser only through a view that has checked access first:

    return files.download(att.file, as_attachment=True, filename=att.original_name)   # FileNotFoundError if gone
"""
from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def download(stored: FieldFile, **kwargs) -> FileResponse:
    """A FileResponse streaming the stored file (FileResponse's own keyword arguments pass through).

    From a bucket it streams the object's body as it arrives: django-storages' S3File would first copy the
    whole object to memory or a temporary file before the first byte goes out."""
    if not stored:
        raise FileNotFoundError("no file")
    fh = stored.storage.open(stored.name, "rb")
    s3_object = getattr(fh, "obj", None)  # S3File: its boto3 Object, the HEAD request already made
    if s3_object is None:
        return FileResponse(fh, **kwargs)
    from botocore.exceptions import ClientError

    fh.close()
    try:
        got = s3_object.get()
    except ClientError as exc:  # deleted since the HEAD request
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            raise FileNotFoundError(stored.name) from None
        raise
    response = FileResponse(got["Body"], **kwargs)
    response["Content-Length"] = str(got["ContentLength"])
    return response
