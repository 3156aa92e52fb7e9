"""Convert generated files to PDF with LibreOffice (headless), for previews and tests.

LibreOffice on a Linux server has none of the GB fonts the documents name
(仿宋_GB2312, 方正小标宋简体 …). Left alone it lets fontconfig choose, which gives a
sans-serif CJK face for everything. :func:`write_profile` therefore writes a
throw-away user profile whose font replacement table maps each GB name to the last
(Noto) entry of :data:`gongwen.FONT_FALLBACKS`: serif for 仿宋/楷体/宋体/小标宋,
sans for 黑体. Nothing here changes the .docx or .xlsx files themselves.

One compatibility step: LibreOffice (7.4) lays a document grid with a negative
``w:charSpace`` (what Word writes for 28 三号 characters in the 156 mm 版心) out with
each character in two grid cells, 14 to a line. :func:`convert_to_pdf` therefore hands
LibreOffice a copy of each .docx whose grid has ``w:charSpace="0"``; the 三号 runs are
condensed by 0.25 pt (:data:`gongwen.GRID_CONDENSE`), which gives 28 a line there too.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Iterable
from xml.sax.saxutils import escape

from .gongwen import FONT_FALLBACKS

_PAIR = (
    '<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
    '<node oor:name="_{i}" oor:op="replace">'
    '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
    '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
    '<prop oor:name="ReplaceFont" oor:op="fuse"><value>{name}</value></prop>'
    '<prop oor:name="SubstituteFont" oor:op="fuse"><value>{sub}</value></prop>'
    "</node></item>"
)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_profile(profile_dir: Path) -> Path:
    """Create a LibreOffice user profile with the GB → Noto CJK font replacement table."""
    user = Path(profile_dir) / "user"
    user.mkdir(parents=True, exist_ok=True)
    pairs = "\n".join(_PAIR.format(i=i, name=escape(name), sub=escape(alternatives[-1]))
                      for i, (name, alternatives) in enumerate(FONT_FALLBACKS.items()))
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>\n'
        f"{pairs}\n</oor:items>\n",
        encoding="utf-8",
    )
    return Path(profile_dir)


_NEGATIVE_CHAR_SPACE = re.compile(rb'(<w:docGrid\b[^>]*\bw:charSpace=")-\d+(")')


def libreoffice_copy(src: Path, dest: Path) -> Path:
    """A copy of a .docx at ``dest`` whose document grid LibreOffice lays out as Word does (see above)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = _NEGATIVE_CHAR_SPACE.sub(rb"\g<1>0\g<2>", data)
            zout.writestr(item, data)
    return dest


def convert_to_pdf(files: Iterable[Path], outdir: Path, profile_dir: Path, *,
                   timeout: float = 300) -> list[Path]:
    """Convert .docx/.xlsx files to PDF in one LibreOffice run; returns the PDF paths.

    ``profile_dir`` must not be in use by another LibreOffice process; a new one
    gets the font replacement table. Raises ``RuntimeError`` when soffice is
    missing or a PDF was not produced.
    """
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    files = [Path(f) for f in files]
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise ValueError(f"two files would give the same PDF name: {stems}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if not (Path(profile_dir) / "user" / "registrymodifications.xcu").exists():
        write_profile(Path(profile_dir))
    with tempfile.TemporaryDirectory() as tmp:
        given = [libreoffice_copy(f, Path(tmp) / f.name) if f.suffix == ".docx" else f for f in files]
        cmd = [soffice, f"-env:UserInstallation={Path(profile_dir).resolve().as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, given)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    pdfs = [outdir / (f.stem + ".pdf") for f in files]
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"soffice did not produce {missing}: rc={proc.returncode} "
                           f"stdout={proc.stdout!r} stderr={proc.stderr!r}")
    return pdfs


def page_count(pdf: Path) -> int:
    """Pages of a PDF LibreOffice wrote (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", Path(pdf).read_bytes()))


def banji_on_even_page(build: Callable[[bool], bytes], *, timeout: float = 120) -> bytes:
    """The .docx ``build(new_page)`` makes, with the 版记 on an even last page (GB/T 9704 7.4.1).

    ``build(False)`` is laid out by LibreOffice; when it ends on an odd page, the document is built
    again with ``build(True)``, which starts a page for the 版记. LibreOffice's pages are Word's as
    far as the document grid fixes the lines (28 characters × 22 lines); tables and other fonts may
    differ slightly. Without LibreOffice, or when it fails, ``build(False)`` is returned as it is.
    """
    blob = build(False)
    if soffice_path() is None:
        return blob
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(blob)
        try:
            [pdf] = convert_to_pdf([src], Path(tmp) / "pdf", Path(tmp) / "profile", timeout=timeout)
        except (RuntimeError, subprocess.TimeoutExpired, OSError):
            return blob
        pages = page_count(pdf)
    return blob if pages % 2 == 0 else build(True)
