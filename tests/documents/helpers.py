"""Reading generated .docx files back for the assertions."""
import io

import docx
from docx.oxml.ns import qn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def paragraph_texts(doc):
    return [p.text for p in doc.paragraphs]


def find_paragraph(doc, text):
    for p in doc.paragraphs:
        if p.text == text:
            return p
    raise AssertionError(f"no paragraph {text!r} in {paragraph_texts(doc)}")


def run_fonts(paragraph):
    """(eastAsia, ascii, size in pt) of each run with text."""
    out = []
    for r in paragraph.runs:
        if not r.text:
            continue
        rFonts = r._r.rPr.find(qn("w:rFonts"))
        out.append((rFonts.get(qn("w:eastAsia")), rFonts.get(qn("w:ascii")), r.font.size.pt))
    return out


def ind(paragraph):
    return paragraph._p.pPr.find(qn("w:ind"))


def spacing(paragraph):
    return paragraph._p.pPr.find(qn("w:spacing"))


def table_rows_text(table):
    return [[c.text for c in row.cells] for row in table.rows]
