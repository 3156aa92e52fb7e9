"""Office Open XML (.docx / .xlsx) helpers: tell the two apart and refuse dangerous zips.

Both formats are zip archives. Before a library unpacks one, check_zip() reads
only the zip's central directory and refuses an archive that is corrupt, holds
too many members, or would inflate to far more than any plan needs (a zip
bomb). The declared sizes are what we check; a member that lies about its size
cannot inflate beyond it anyway, because zipfile stops at the declared size and
then fails the CRC check, which the readers turn into an IngestError.

join_lines() is the one rule every reader uses to turn a cell's lines into a
single string (it lives here because this module imports nothing heavy).
"""
from __future__ import annotations

import io
import re
import zipfile

from duban.ingest.errors import IngestError

MAX_MEMBERS = 5000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
RATIO_CHECK_MIN_SIZE = 10 * 1024 * 1024

# Ideographs and the punctuation that sits between them in Chinese text: a line
# break between two of these is a soft wrap and disappears; elsewhere it is a space.
_CJK = (
    "\u2e80-\u2fdf"  # radicals
    "\u3000-\u303f"  # CJK symbols and punctuation: 、。〔〕《》「」
    "\u3040-\u30ff"  # kana
    "\u3100-\u312f\u31a0-\u31bf"  # bopomofo
    "\u3200-\u33ff"  # enclosed CJK, compatibility
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # compatibility forms
    "\uff00-\uffef"  # full-width forms: ，；：（）
    "\u2018-\u201f\u2014\u2026\u00b7"  # “”‘’—…· as used in Chinese text
    "\U00020000-\U0003134f"  # extensions B-G
)
CJK_CHAR = re.compile(f"[{_CJK}]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\u2028\u2029\x85]")


def is_cjk(ch: str) -> bool:
    return bool(ch) and CJK_CHAR.match(ch) is not None


def join_lines(text: str | None, wrapped_digits: bool = False, hard_breaks: bool = False) -> str:
    """A cell's text as one string: strip each line, drop empty lines, and join
    two lines with "" when the break falls between two CJK characters, else " ".

    wrapped_digits: the breaks are soft wraps (a PDF cell), so a break between two
    digits splits a number ("100" / "0" in a narrow 序号 column) and is joined with "".
    hard_breaks: the breaks are real paragraphs (a Word/Excel/HTML cell): keep them as "\n",
    since in a units cell they separate names ("区财政局\n区发展改革局")."""
    if not text:
        return ""
    lines = [ln.strip() for ln in _LINE_BREAKS.split(text)]
    if hard_breaks:  # paragraphs inside a table cell: the table parser decides what a break means per column
        return "\n".join(ln for ln in lines if ln)
    out = ""
    for ln in lines:
        if not ln:
            continue
        if out:
            a, b = out[-1], ln[0]
            if (is_cjk(a) and is_cjk(b)) or (wrapped_digits and a.isdigit() and b.isdigit()):
                pass
            else:
                out += " "
        out += ln
    return out


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open the archive and refuse it if it is corrupt, too many members, or a zip bomb."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError, IndexError):
        raise IngestError("文件已损坏或不完整（压缩包结构无法读取），请重新保存或重新下载后再导入。") from None
    except Exception:  # noqa: BLE001 - zipfile can raise nearly anything on a crafted archive
        raise IngestError("文件已损坏或不完整（压缩包结构无法读取），请重新保存或重新下载后再导入。") from None
    if len(infos) > MAX_MEMBERS:
        raise IngestError(f"文件内部包含的部件过多（{len(infos)} 个），不像是正常的 Word/Excel 文件，已拒绝读取。")
    total = 0
    for info in infos:
        size = max(info.file_size, 0)
        total += size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise IngestError(
                f"文件解压后超过 {MAX_TOTAL_UNCOMPRESSED // 1024 // 1024} MB，疑似“压缩炸弹”或异常文件，已拒绝读取。"
            )
        if size > RATIO_CHECK_MIN_SIZE and size > MAX_RATIO * max(info.compress_size, 1):
            raise IngestError("文件中某个部件的压缩比异常（超过 200:1），疑似“压缩炸弹”，已拒绝读取。")
    return zf


def zip_kind(data: bytes, name: str = "") -> str:
    """"docx" or "xlsx", decided by the archive's content (the name only words the error)."""
    zf = check_zip(data)
    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    # Some producers write a different part name; the content types say what the main part is.
    try:
        types = zf.read("[Content_Types].xml").decode("utf-8", "replace") if "[Content_Types].xml" in names else ""
    except Exception:  # noqa: BLE001
        types = ""
    if "wordprocessingml.document.main" in types:
        return "docx"
    if "spreadsheetml.sheet.main" in types:
        return "xlsx"
    shown = name.rsplit("/", 1)[-1] if name else "这个文件"
    if "OFD.xml" in names or name.lower().endswith(".ofd"):
        raise IngestError(f"{shown} 是 OFD 版式文件，暂不能直接读取。请用数科或福昕阅读器另存为 PDF，或使用发文时的 Word 文件。")
    if "content.xml" in names and "mimetype" in names:
        raise IngestError(f"{shown} 是 WPS/LibreOffice 的 ODF 文件（.odt/.ods），请另存为 .docx 或 .xlsx 后再导入。")
    raise IngestError(f"{shown} 是一个压缩包，但不是 .docx 或 .xlsx 文件（如果是 .pptx、.zip 等，请另存为 Word 或 Excel 后再导入）。")
