"""The document readers, one format at a time, on real files built by tests/ingest/builders.py.

Pure tests: no database, no Django settings.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import zipfile

import pytest

try:
    from tests.ingest import builders, hostile
except ImportError:  # pragma: no cover - pytest put tests/ingest itself on sys.path
    import builders
    import hostile

from duban.ingest.errors import IngestError
from duban.ingest.readers import MAX_BYTES, RawDocument, read
from duban.ingest.readers import docx as docx_reader
from duban.ingest.readers import html as html_reader
from duban.ingest.readers import ooxml
from duban.ingest.readers import pdf as pdf_reader
from duban.ingest.readers import xlsx as xlsx_reader

HEADER, TABLE, TAIL, TASK_COUNT, TITLE = builders.HEADER, builders.TABLE, builders.TAIL, builders.TASK_COUNT, builders.TITLE

pytestmark = pytest.mark.pure

CJK = re.compile(r"[\u4e00-\u9fff]")
BODY = TABLE[1:]  # the task rows, section repeated in every row it spans


def chinese_error(excinfo) -> str:
    message = str(excinfo.value)
    assert CJK.search(message), f"error message is not Chinese: {message!r}"
    assert "Traceback" not in message
    return message


def table_rows(doc: RawDocument, table: int | None = None) -> list[list[str]]:
    return [r.cells for r in doc.rows if r.table is not None and (table is None or r.table == table)]


def task_rows(doc: RawDocument) -> list[list[str]]:
    """The rows of the plan table that are tasks (not the header, not a title row)."""
    return [cells for cells in table_rows(doc) if cells and cells[0].isdigit()]


def check_cells_are_clean(doc: RawDocument) -> None:
    for row in doc.rows:
        assert row.cells, row
        for cell in row.cells:
            assert isinstance(cell, str)
            assert cell == cell.strip()
        if row.table is None:
            assert len(row.cells) == 1 and row.cells[0]


@pytest.fixture(scope="module")
def docs() -> dict[str, bytes]:
    """The seed-like plan in every format, built once."""
    return {
        "text": builders.build_text(TITLE, TABLE, tail_paragraphs=TAIL),
        "docx": builders.build_docx(TITLE, TABLE, tail_paragraphs=TAIL),
        "xlsx": builders.build_xlsx(TITLE, TABLE, tail_paragraphs=TAIL),
        "html": builders.build_html(TITLE, TABLE, tail_paragraphs=TAIL),
        "pdf": builders.build_pdf(TITLE, TABLE, tail_paragraphs=TAIL),
    }


EXT = {"text": "txt", "docx": "docx", "xlsx": "xlsx", "html": "html", "pdf": "pdf"}


# -- the shared cell rule ----------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("区政府办公室\n区发展改革局", "区政府办公室区发展改革局"),
        ("  主动公开“十四五”\n  规划纲要。 ", "主动公开“十四五”规划纲要。"),
        ("区财政局牵头；\n区政府各办、局", "区财政局牵头；区政府各办、局"),
        ("Line one\nline two", "Line one line two"),
        ("文件成文后\n20个工作日内", "文件成文后 20个工作日内"),
        ("a\n\n\nb", "a b"),
        ("\n \n", ""),
        (None, ""),
        ("第一行\r\n第二行\r第三行", "第一行第二行第三行"),
    ],
)
def test_join_lines(raw, expected):
    assert ooxml.join_lines(raw) == expected


def test_join_lines_wrapped_digits():
    assert ooxml.join_lines("100\n0", wrapped_digits=True) == "1000"
    assert ooxml.join_lines("100\n0") == "100 0"
    assert ooxml.join_lines("成文后\n20个工作日内", wrapped_digits=True) == "成文后 20个工作日内"


# -- sniffing and zip guard ------------------------------------------------------------
def test_zip_kind_looks_inside(docs):
    assert ooxml.zip_kind(docs["docx"], "plan.xlsx") == "docx"  # content wins over the name
    assert ooxml.zip_kind(docs["xlsx"], "plan.docx") == "xlsx"


def test_unknown_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ppt/presentation.xml", "<p/>")
    with pytest.raises(IngestError) as excinfo:
        read(buf.getvalue(), "slides.pptx")
    assert "不是 .docx 或 .xlsx" in chinese_error(excinfo)


def _zeros_zip(member: str, megabytes: int) -> bytes:
    """A zip whose member inflates to `megabytes` MB of zeros, written by streaming."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open(member, "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                f.write(chunk)
    return buf.getvalue()


def test_zip_bomb_total_size():
    data = _zeros_zip("word/document.xml", 300)
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(IngestError) as excinfo:
        read(data, "plan.docx")
    assert "压缩炸弹" in chinese_error(excinfo)


def test_zip_bomb_ratio():
    data = _zeros_zip("xl/workbook.xml", 20)  # 20 MB at ~1000:1
    with pytest.raises(IngestError) as excinfo:
        read(data, "plan.xlsx")
    assert "压缩" in chinese_error(excinfo)


def _central_record(data: bytearray, member: str) -> int:
    """Offset of `member`'s central-directory record."""
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0, member
        name_len = int.from_bytes(data[pos + 28 : pos + 30], "little")
        if bytes(data[pos + 46 : pos + 46 + name_len]) == member.encode():
            return pos
        pos += 4


def test_zip_bomb_with_faked_header_sizes(docs):
    """Sizes declared in the central directory are checked before anything is inflated."""
    data = bytearray(docs["docx"])
    pos = _central_record(data, "word/document.xml")
    data[pos + 24 : pos + 28] = (250 * 1024 * 1024).to_bytes(4, "little")  # uncompressed size
    with pytest.raises(IngestError) as excinfo:
        read(bytes(data), "plan.docx")
    assert "压缩炸弹" in chinese_error(excinfo)


def test_member_lying_about_its_size_fails_cleanly(docs):
    """A member that inflates past its declared size stops there and fails its CRC check."""
    data = bytearray(docs["docx"])
    pos = _central_record(data, "word/document.xml")
    data[pos + 24 : pos + 28] = (100).to_bytes(4, "little")  # declares 100 bytes
    with pytest.raises(IngestError) as excinfo:
        read(bytes(data), "plan.docx")
    chinese_error(excinfo)


def test_too_many_members():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(5001):
            zf.writestr(f"word/media/{i}.bin", b"")
    with pytest.raises(IngestError) as excinfo:
        read(buf.getvalue(), "plan.docx")
    assert "过多" in chinese_error(excinfo)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_truncated_ooxml(docs, kind):
    data = docs[kind]
    for cut in (len(data) // 2, len(data) - 30, 200):
        with pytest.raises(IngestError) as excinfo:
            read(data[:cut], f"plan.{kind}")
        chinese_error(excinfo)


@pytest.mark.parametrize("name", ["plan.docx", "plan.xlsx", "plan.pdf", "plan.html", "plan.txt"])
def test_random_bytes(name):
    rnd = random.Random(7)
    for prefix in (b"", b"PK\x03\x04", b"%PDF-1.7\n"):
        data = prefix + bytes(rnd.randrange(256) for _ in range(4000))
        with pytest.raises(IngestError) as excinfo:
            read(data, name)
        chinese_error(excinfo)


def test_corrupt_xml_inside_valid_zips():
    for kind, member in (("docx", "word/document.xml"), ("xlsx", "xl/workbook.xml")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", "<Types")
            zf.writestr(member, "<not xml")
        with pytest.raises(IngestError) as excinfo:
            read(buf.getvalue(), f"plan.{kind}")
        chinese_error(excinfo)


@pytest.mark.parametrize("data", [b"", b"   \n\t \r\n"])
def test_empty_file(data):
    for name in ("plan.docx", "plan.pdf", "plan.txt", None):
        with pytest.raises(IngestError) as excinfo:
            read(data, name)
        assert "空" in chinese_error(excinfo)


def test_file_too_large():
    data = b"%PDF-1.4\n" + bytes(31 * 1024 * 1024)
    assert len(data) > MAX_BYTES
    with pytest.raises(IngestError) as excinfo:
        read(data, "plan.pdf")
    assert "过大" in chinese_error(excinfo)


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pdf", "html"])
def test_mutated_files_never_raise_anything_but_ingest_error(docs, kind):
    """Flip bytes at random: the reader either reads something or raises IngestError."""
    rnd = random.Random(kind)
    original = docs[kind]
    for _ in range(25):
        data = bytearray(original)
        for _ in range(rnd.choice((1, 5, 50))):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        try:
            doc = read(bytes(data), f"plan.{EXT[kind]}")
        except IngestError as exc:
            assert CJK.search(str(exc))
        else:
            check_cells_are_clean(doc)


# -- text -----------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_text_encodings(encoding):
    data = builders.build_text(TITLE, TABLE, tail_paragraphs=TAIL, encoding=encoding)
    doc = read(data, "plan.txt")
    assert doc.format == "text"
    assert doc.paragraphs() == TITLE + TAIL
    rows = table_rows(doc)
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, TASK_COUNT + 1)]
    assert rows[2][1] == ""  # text shows a merged cell in its first row only
    assert [r[2] for r in rows[1:]] == [r[2] for r in BODY]


# -- docx -----------------------------------------------------------------------------
def test_docx_rows_paragraphs_and_vertical_merges(docs):
    doc = read(docs["docx"], "plan.docx")
    assert doc.format == "docx"
    check_cells_are_clean(doc)
    assert doc.paragraphs() == TITLE + TAIL
    # paragraphs, then the table, then the tail: in document order
    kinds = ["p" if r.table is None else "t" for r in doc.rows]
    assert "".join(kinds) == "p" * len(TITLE) + "t" * len(TABLE) + "p" * len(TAIL)
    assert table_rows(doc, 0) == TABLE  # the merged 工作任务 cell repeats in every row


def test_docx_horizontal_merge_and_line_breaks():
    rows = [
        ["序号", "工作任务", "", "具体要求", "牵头落实单位", "完成时限"],
        ["1", "深化重点领域信息公开", "推进各类规划主动公开", "主动公开“十四五”规划纲要。", "区政府办公室\n区发展改革局负责落实", "10月31日前完成"],
        ["2", "深化重点领域信息公开", "推进各类规划主动公开", "Publish the plan\nonline.", "区自然资源局", "长期坚持"],
        ["3", "深化重点领域信息公开", "", "报送本单位负责编制的规划。", "区自然资源局", "每季度"],
    ]
    # 工作任务 spans two columns in the header, as in the seed plan
    data = builders.build_docx(["标题"], rows, vmerge_col=1, hspans=[(0, 1, 2)])
    got = table_rows(read(data, "a.docx"))
    assert got[0] == ["序号", "工作任务", "", "具体要求", "牵头落实单位", "完成时限"]  # text once, then ""
    assert all(len(r) == 6 for r in got)
    # Paragraphs inside a cell stay apart: in a units cell they separate names.
    # The table parser decides per column what a break means (see test_table).
    assert got[1][4] == "区政府办公室\n区发展改革局负责落实"
    assert got[2][3] == "Publish the plan\nonline."
    assert [r[1] for r in got[1:]] == ["深化重点领域信息公开"] * 3


def test_docx_merge_spanning_rows_and_columns():
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    for r in range(3):
        for c in range(4):
            table.cell(r, c).text = f"{r}{c}"
    table.cell(0, 0).text = "左上合并"
    for r, c in ((0, 1), (1, 0), (1, 1)):
        table.cell(r, c).text = ""
    table.cell(0, 0).merge(table.cell(1, 1))  # 2 rows x 2 columns
    out = io.BytesIO()
    document.save(out)
    got = table_rows(read(out.getvalue(), "m.docx"))
    assert got == [
        ["左上合并", "", "02", "03"],
        ["左上合并", "", "12", "13"],
        ["20", "21", "22", "23"],
    ]


def test_docx_interleaved_tables_nested_table_and_cell_paragraphs():
    import docx

    document = docx.Document()
    document.add_paragraph("第一段")
    t1 = document.add_table(rows=2, cols=2)
    t1.cell(0, 0).text = "甲"
    t1.cell(0, 1).text = "乙"
    cell = t1.cell(1, 0)
    cell.text = "第一行"
    cell.add_paragraph("第二行")
    cell.add_paragraph("")  # an empty paragraph adds nothing
    nested = t1.cell(1, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "内表一"
    nested.cell(0, 1).text = "内表二"
    document.add_paragraph("第二段")
    document.add_paragraph("   ")  # blank paragraphs are dropped
    t2 = document.add_table(rows=1, cols=3)
    for i, text in enumerate(("一", "二", "三")):
        t2.cell(0, i).text = text
    document.add_paragraph("结尾")
    out = io.BytesIO()
    document.save(out)
    doc = read(out.getvalue(), "x.docx")
    assert [(r.table, r.cells) for r in doc.rows] == [
        (None, ["第一段"]),
        (0, ["甲", "乙"]),
        (0, ["第一行\n第二行", "内表一\n内表二"]),
        (None, ["第二段"]),
        (1, ["一", "二", "三"]),
        (None, ["结尾"]),
    ]


def test_docx_automatic_numbering():
    """Word stores a list's definition, not its numbers: the reader renders them, so an
    auto-numbered 序号 column reads 1., 2., ... and numbered headings keep 一、二、."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    numbering = document.part.numbering_part.element
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.insert(1, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="91">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))

    def number(paragraph, num_id: int, ilvl: int = 0) -> None:
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {w}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        ))

    number(document.add_paragraph("深化重点领域信息公开"), 90)
    number(document.add_paragraph("推进各类规划主动公开"), 90, 1)
    number(document.add_paragraph("推进财政领域信息公开"), 90, 1)
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "序号", "具体要求"
    for r in (1, 2):
        number(table.cell(r, 0).paragraphs[0], 91)  # an empty cell showing only its number
        table.cell(r, 1).text = f"要求{r}"
    number(document.add_paragraph("强化政策解读"), 90)
    number(document.add_paragraph("加强政策解读"), 90, 1)  # the sub-level restarts under a new heading
    out = io.BytesIO()
    document.save(out)
    doc = read(out.getvalue(), "n.docx")
    assert [(r.table, r.cells) for r in doc.rows] == [
        (None, ["一、深化重点领域信息公开"]),
        (None, ["（一）推进各类规划主动公开"]),
        (None, ["（二）推进财政领域信息公开"]),
        (0, ["序号", "具体要求"]),
        (0, ["1", "要求1"]),
        (0, ["2", "要求2"]),
        (None, ["二、强化政策解读"]),
        (None, ["（一）加强政策解读"]),
    ]


@pytest.mark.parametrize(
    "n, fmt, expected",
    [
        (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
        (20, "chineseCountingThousand", "二十"), (101, "chineseCounting", "一百零一"), (110, "chineseCounting", "一百一十"),
        (3, "chineseLegalSimplified", "叁"), (2, "ideographTraditional", "乙"), (3, "decimalEnclosedCircle", "③"),
        (12, "decimal", "12"), (4, "upperRoman", "IV"), (28, "lowerLetter", "bb"), (7, "decimalZero", "07"),
    ],
)
def test_docx_number_formats(n, fmt, expected):
    assert docx_reader.format_number(n, fmt) == expected


def test_docx_reader_directly_refuses_non_zip():
    with pytest.raises(IngestError) as excinfo:
        docx_reader.read(b"this is not a zip at all")
    chinese_error(excinfo)


# -- xlsx -----------------------------------------------------------------------------
def test_xlsx_rows_and_merges(docs):
    doc = read(docs["xlsx"], "plan.xlsx")
    assert doc.format == "xlsx"
    check_cells_are_clean(doc)
    rows = table_rows(doc, 0)
    # the title rows (merged across A:E) come out as rows: value once, then ""
    assert rows[: len(TITLE)] == [[t, "", "", "", ""] for t in TITLE]
    assert rows[len(TITLE) : len(TITLE) + len(TABLE)] == TABLE  # 序号 written as numbers reads "1"
    assert rows[-len(TAIL) :] == [[t, "", "", "", ""] for t in TAIL]


def test_xlsx_values_colspan_sheets_and_empty_rows():
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", None, "具体要求", "完成时限"])
    ws.merge_cells("B1:C1")
    ws.append([1.0, "规划公开", "子项", "主动公开“十四五”\n规划纲要。", dt.datetime(2021, 10, 31)])
    ws.append([None, None, None, None, None])  # an empty row is dropped
    ws.append([2, "规划公开", "子项", 12.5, dt.date(2021, 12, 1)])
    ws.append([3, None, None, 0.04, "长期坚持"])
    ws["D5"].number_format = "0%"
    ws.merge_cells("B4:C5")  # 2 rows x 2 columns
    wb.create_sheet("空表")
    second = wb.create_sheet("第二张")
    second["B2"] = "只有一格"
    out = io.BytesIO()
    wb.save(out)
    doc = read(out.getvalue(), "v.xlsx")
    assert [(r.table, r.cells) for r in doc.rows] == [
        (0, ["序号", "工作任务", "", "具体要求", "完成时限"]),
        (0, ["1", "规划公开", "子项", "主动公开“十四五”\n规划纲要。", "2021年10月31日"]),
        (0, ["2", "规划公开", "", "12.5", "2021年12月1日"]),
        (0, ["3", "规划公开", "", "4%", "长期坚持"]),
        (2, ["只有一格"]),  # table index = sheet index; empty column A trimmed
    ]


def test_xlsx_format_value():
    f = xlsx_reader.format_value
    assert f(12.0) == "12"
    assert f(12) == "12"
    assert f(0.1 + 0.2) == "0.3"
    assert f(dt.datetime(2021, 8, 12, 0, 0)) == "2021年8月12日"
    assert f(True) == "是"
    assert f("  文本  ") == "文本"


# -- html -----------------------------------------------------------------------------
def test_html_rows_paragraphs_and_rowspan(docs):
    doc = read(docs["html"], "plan.html")
    assert doc.format == "html"
    check_cells_are_clean(doc)
    assert doc.paragraphs() == TITLE + TAIL
    assert table_rows(doc, 0) == TABLE
    assert not any("不是表格" in c for r in doc.rows for c in r.cells)  # script ignored


@pytest.mark.parametrize(
    "kwargs",
    [
        {"encoding": "gbk"},  # GBK bytes declared as charset=gb2312
        {"encoding": "gbk", "declare": False},  # undeclared: UTF-8 fails, GB18030 works
        {"encoding": "gb18030"},
        {"encoding": "utf-8", "declare": False},
        {"encoding": "utf-8-sig", "declare": False},
        {"encoding": "utf-16"},  # BOM
    ],
)
def test_html_encodings(kwargs):
    data = builders.build_html(TITLE, TABLE, tail_paragraphs=TAIL, **kwargs)
    doc = read(data, "plan.htm")
    assert doc.paragraphs() == TITLE + TAIL
    assert table_rows(doc) == TABLE


def test_html_mislabelled_charset():
    data = builders.build_html(TITLE, TABLE, encoding="gbk").replace(b"charset=gb2312", b"charset=utf-8")
    assert table_rows(read(data, "plan.html")) == TABLE


def test_html_layout_tables(docs):
    data = builders.build_html(TITLE, TABLE, tail_paragraphs=TAIL, layout=True)
    doc = read(data, "plan.html")
    assert table_rows(doc) == TABLE  # only the innermost table is a data table
    assert {r.table for r in doc.rows if r.table is not None} == {0}
    paragraphs = doc.paragraphs()
    assert paragraphs[0].startswith("当前位置")
    assert paragraphs[-1] == "主办单位：昆明市西山区人民政府办公室"
    assert paragraphs[1:-1] == TITLE + TAIL


def test_html_colspan_rowspan_grid_and_breaks():
    page = """<html><body>
    <div>第一行<br>第二行<br/>  第三
    行</div>
    <p>段落 <b>加粗</b> 文字</p>
    <table>
      <tr><th>序号</th><th colspan="2">工作任务</th><th>具体要求</th></tr>
      <tr><td>1</td><td rowspan="2" colspan="2">合并<br>单元格</td><td>要求<p>第二段</p></td></tr>
      <tr><td>2</td><td>Plain<br>text</td></tr>
      <tr><td>3</td><td>甲</td><td>乙</td><td rowspan="0">到底</td></tr>
      <tr><td>4<td>丙<td>丁
    </table>
    <div style="display:none">隐藏</div>
    <p>表后</p>
    </body></html>""".encode()
    doc = read(page, "t.html")
    assert doc.paragraphs() == ["第一行", "第二行", "第三行", "段落 加粗 文字", "表后"]
    assert table_rows(doc) == [
        ["序号", "工作任务", "", "具体要求"],
        ["1", "合并\n单元格", "", "要求\n第二段"],
        ["2", "合并\n单元格", "", "Plain\ntext"],
        ["3", "甲", "乙", "到底"],
        ["4", "丙", "丁", "到底"],  # unclosed <td>s are cells of their own
    ]


def test_html_gb2312_meta_charset_attribute():
    page = '<html><head><meta charset="GB2312"></head><body><table><tr><td>序号</td><td>任务</td></tr></table></body></html>'
    doc = read(page.encode("gbk"), "x.html")
    assert table_rows(doc) == [["序号", "任务"]]


def test_html_reader_directly_decodes():
    assert html_reader.decode("<p>政务公开</p>".encode("gb18030")) == "<p>政务公开</p>"


# -- pdf ------------------------------------------------------------------------------
def test_pdf_table_across_pages(docs):
    doc = read(docs["pdf"], "plan.pdf")
    assert doc.format == "pdf"
    check_cells_are_clean(doc)
    pages = {r.page for r in doc.rows}
    assert pages == {1, 2}, "the fixture should cross a page break"
    rows = table_rows(doc)
    assert {r.table for r in doc.rows if r.table is not None} == {0}  # continued on page 2
    assert rows.count(HEADER) == 2  # the header row repeats on the new page
    assert task_rows(doc) == BODY  # merged section cells repeated, wrapped lines joined
    by_no = {r.cells[0]: r.page for r in doc.rows if r.table is not None}
    assert by_no["1"] == 1 and by_no[str(TASK_COUNT)] == 2


def test_pdf_paragraphs_in_order(docs):
    doc = read(docs["pdf"], "plan.pdf")
    assert doc.paragraphs() == TITLE + TAIL  # wrapped lines of a paragraph are joined
    assert [r.page for r in doc.rows if r.table is None] == [1] * len(TITLE) + [2] * len(TAIL)
    first_table = next(i for i, r in enumerate(doc.rows) if r.table is not None)
    assert all(r.table is None for r in doc.rows[:first_table])


def test_pdf_characters_and_rules_read_with_pdfium_are_pdfplumbers(docs):
    """The reader reads a page with pdfium (pdf.page_content) into the dicts pdfplumber's helpers take: the
    same characters at the same places, and the same table cells, as pdfplumber's own reading (pdfminer)."""
    import pdfplumber
    from pdfplumber.table import TableFinder

    doc = pdf_reader._pdfium().PdfDocument(docs["pdf"])
    with pdfplumber.open(io.BytesIO(docs["pdf"])) as theirs:
        assert len(doc) == len(theirs.pages) == 2
        for number, page in enumerate(theirs.pages):
            chars, edges, bbox = pdf_reader.page_content(doc[number])
            assert bbox == pytest.approx(page.bbox)
            ours = sorted((c["text"], c["x0"], c["top"], c["x1"]) for c in chars if c["text"].strip())
            expected = sorted((c["text"], c["x0"], c["top"], c["x1"]) for c in page.chars if c["text"].strip())
            assert len(ours) > 100 and [c[0] for c in ours] == [c[0] for c in expected]
            flat = [v for c in ours for v in c[1:]]
            assert flat == pytest.approx([v for c in expected for v in c[1:]], abs=0.5)  # tops: descents differ a little
            assert all(c["upright"] for c in chars)
            cells = TableFinder(pdf_reader._Plane(chars, edges, bbox), pdf_reader.TABLE_SETTINGS).cells
            theirs_cells = TableFinder(page, pdf_reader.TABLE_SETTINGS).cells
            assert len(cells) == len(theirs_cells) > 20
            assert [v for c in cells for v in c] == pytest.approx([v for c in theirs_cells for v in c], abs=0.01)
    doc.close()


def test_pdf_number_wrapped_in_a_narrow_column():
    import pdfplumber

    rows = [HEADER] + [[str(1000 + i), *r[1:]] for i, r in enumerate(BODY[:3])]
    data = builders.build_pdf(["标题"], rows, col_widths=[0.045, 0.15, 0.395, 0.23, 0.18])
    with pdfplumber.open(io.BytesIO(data)) as pdf:  # the fixture really wraps the numbers
        assert "\n" in pdf.pages[0].extract_tables()[0][1][0]
    assert task_rows(read(data, "narrow.pdf")) == rows[1:]


def test_pdf_encrypted():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret")
    c.drawString(100, 700, "encrypted")
    c.save()
    with pytest.raises(IngestError) as excinfo:
        read(buf.getvalue(), "secret.pdf")
    assert "加密" in chinese_error(excinfo)
    with pytest.raises(IngestError) as excinfo:  # pdfium's last error is still the password's
        read(hostile.pdf_pages(0), "empty.pdf")
    assert "损坏" in chinese_error(excinfo) and "加密" not in str(excinfo.value)


def test_pdf_with_only_an_owner_password_is_read():
    """Permissions without an open password (common in published PDFs): readable, so read, CJK text too."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0))
    c.setFont("STSong-Light", 12)
    c.drawCentredString(300, 700, "西山区2021年政务公开工作要点分工方案")
    c.save()
    assert read(buf.getvalue(), "protected.pdf").paragraphs() == ["西山区2021年政务公开工作要点分工方案"]


def test_pdf_hyphen_at_a_line_end_is_kept():
    """pdfium marks a "-" that ends a line before a word as a soft hyphen of its own; the PDF has "-"."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for k, line in enumerate(["Open the 2021-", "2025 plan data and the well-", "known lists."]):
        c.drawString(72, 700 - 14 * k, line)
    c.save()
    text = "\n".join(read(buf.getvalue(), "hyphen.pdf").paragraphs())
    assert "Open the 2021-" in text and "the well-" in text and "\x02" not in text


def test_pdf_title_drawn_twice_for_bold_is_read_once():
    """A "fake bold" title (the same text drawn again a fraction of a point to the right) is one title."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 16)
    for dx in (0, 0.3):
        c.drawString(100 + dx, 700, "政务公开工作要点分工方案")
    c.save()
    assert read(buf.getvalue(), "bold.pdf").paragraphs() == ["政务公开工作要点分工方案"]


def test_pdf_corrupt_and_truncated(docs):
    with pytest.raises(IngestError) as excinfo:
        read(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "bad.pdf")
    chinese_error(excinfo)
    data = docs["pdf"]
    for cut in (len(data) // 3, len(data) // 2):
        try:
            doc = read(data[:cut], "cut.pdf")
        except IngestError as exc:
            assert CJK.search(str(exc))
        else:  # pdfminer may recover the pages it can reach
            check_cells_are_clean(doc)


def test_pdf_scanned():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(2):
        c.rect(50, 50, 400, 600, fill=1)  # stands in for a page image: no text at all
        c.showPage()
    c.save()
    with pytest.raises(IngestError) as excinfo:
        read(buf.getvalue(), "scan.pdf")
    message = chinese_error(excinfo)
    assert "扫描件" in message and "无法提取文字" in message


def test_pdf_reader_directly_refuses_garbage():
    with pytest.raises(IngestError) as excinfo:
        pdf_reader.read(os.urandom(64))
    chinese_error(excinfo)


# -- all formats ----------------------------------------------------------------------
def test_readers_agree_on_the_table(docs):
    """Every format yields the same task rows (text shows merged cells in their first row only)."""
    expected = {k: task_rows(read(v, f"plan.{EXT[k]}")) for k, v in docs.items()}
    for kind in ("docx", "xlsx", "html", "pdf"):
        assert expected[kind] == BODY, kind
    assert [r[2:] for r in expected["text"]] == [r[2:] for r in BODY]


def test_same_plan_whatever_the_format(docs):
    from duban.ingest import parse

    tasks = {}
    for kind, data in docs.items():
        plan = parse(data, f"plan.{EXT[kind]}")
        tasks[kind] = plan.to_json()["tasks"]
    assert len(tasks["text"]) == TASK_COUNT
    for kind in ("docx", "xlsx", "html", "pdf"):
        assert tasks[kind] == tasks["text"], kind


def test_pdf_pages_are_reported_as_they_are_read(docs):
    from duban.ingest import parse

    seen = []
    plan = parse(docs["pdf"], "plan.pdf", on_page=lambda done, total: seen.append((done, total)))
    total = seen[-1][1]
    assert total >= 2 and seen == [(i, total) for i in range(1, total + 1)]
    assert plan.tasks


def test_a_sheet_of_instructions_beside_the_plan_is_not_read_as_tasks():
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工方案"
    ws.append(["某某县2022年政务公开工作要点分工方案"])
    ws.append(["序号", "工作任务", "具体要求", "牵头单位", "责任单位", "完成时限", "备注"])
    ws.append([1, "推进财政公开", "公开预算。", "县财政局", "县直各部门", "6月底前", ""])
    help_sheet = wb.create_sheet("填写说明")  # after the plan: its example row must not become task 2
    help_sheet.append(["序号", "工作任务", "具体要求", "牵头单位", "责任单位", "完成时限", "备注"])
    help_sheet.append([1, "（示例）推进决策公开", "（示例）公开决策事项目录。", "县司法局", "", "年底前", "示例行"])
    out = io.BytesIO()
    wb.save(out)
    from duban.ingest import parse

    plan = parse(out.getvalue(), "plan.xlsx")
    assert [t.requirement for t in plan.tasks] == ["公开预算。"]
