"""Checking evidence files before they are kept: size, count, and type by extension AND by content.

A file is accepted only when its extension is one we know and its first bytes (or, for the zip-based
formats, its inner parts) say the same thing. The type we record is ours, never the browser's.
"""
from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_FILES = 5
MB = 1024 * 1024


def max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", 20 * MB)


# extension -> (what we call it, the content type we serve it with)
KINDS = {
    "pdf": ("PDF", "application/pdf"),
    "docx": ("Word（.docx）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("Excel（.xlsx）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": ("JPG 图片", "image/jpeg"),
    "jpeg": ("JPG 图片", "image/jpeg"),
    "png": ("PNG 图片", "image/png"),
    "ofd": ("OFD 版式文件", "application/ofd"),
    "txt": ("文本（.txt）", "text/plain"),  # UTF-8 or GB18030: no charset claimed
}
ALLOWED_TEXT = "PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG、OFD、文本（.txt）"

# A zip-based format is recognised by a part only it has.
ZIP_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "ofd": "OFD.xml"}


@dataclass
class Checked:
    file: object  # the UploadedFile, rewound
    original_name: str
    size: int
    content_type: str
    sha256: str


def _name(uploaded) -> str:
    # Browsers send a bare name; some old ones a full Windows path. Keep only the last part.
    name = PurePath(str(uploaded.name or "").replace("\\", "/")).name
    name = "".join(c for c in name if ord(c) >= 32 and c != "\x7f").strip()
    return name[:255] or "附件"


def check(uploaded) -> Checked:
    """Return what we keep about the file, or raise ValidationError with a message for the user."""
    name = _name(uploaded)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in KINDS:
        shown = f"“.{ext}”类型" if ext else "没有扩展名"
        raise ValidationError(f"“{name}”：不支持{shown}的附件。可上传 {ALLOWED_TEXT}。")
    size = uploaded.size
    if not size:
        raise ValidationError(f"“{name}”是空文件。")
    if size > max_bytes():
        raise ValidationError(f"“{name}”过大（{size / MB:.1f} MB），每个附件不超过 {max_bytes() // MB} MB。")
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    head = uploaded.read(2048)
    uploaded.seek(0)
    if not _content_is(ext, head, uploaded):
        raise ValidationError(f"“{name}”的内容不是{KINDS[ext][0]}，文件可能已损坏或扩展名不对，请检查后重新上传。")
    uploaded.seek(0)
    return Checked(file=uploaded, original_name=name, size=size, content_type=KINDS[ext][1], sha256=digest.hexdigest())


def check_all(files) -> list[Checked]:
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationError(f"每次报送最多 {MAX_FILES} 个附件，这次选了 {len(files)} 个。")
    return [check(f) for f in files]


def _content_is(ext: str, head: bytes, uploaded) -> bool:
    if ext == "pdf":
        return b"%PDF-" in head[:1024]
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ZIP_PART:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(uploaded) as z:  # reads the central directory only, nothing is extracted
                return ZIP_PART[ext] in set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    if ext == "txt":
        return _is_text(uploaded)
    return False


def _is_text(uploaded) -> bool:
    """UTF-8 (with or without BOM) or GB18030, and no control bytes a text file would not have."""
    uploaded.seek(0)
    data = uploaded.read()
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text)
    return False
