"""Word tables are built in time linear in their cells: no walk of the whole table per row or per merge.

python-docx's ``table.rows[i]``, ``table.cell(r, c)`` and ``_Cell.merge`` each walk every row of the table
(``CT_Tbl.tr_lst``, ``Table._cells``); called once per row they made the 分工表 of a 1,000-task plan take a
minute (issue 14). These tests count those walks while the tables are built: the count must not grow
with the number of rows. bench/documents.py gives the seconds."""
import io
import zipfile

import pytest
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.table import Table

from duban.documents import division_table_docx, unit_task_list_docx
from duban.documents.gongwen import GongwenDocument
from duban.documents.model import DivisionRow, UnitTaskList, UnitTaskRow

from . import samples
from .helpers import open_docx

pytestmark = pytest.mark.pure


@pytest.fixture
def walks(monkeypatch):
    """How many times the whole table is walked: CT_Tbl.tr_lst (rows[i], merges) and Table._cells (cell())."""
    counts = {"tr_lst": 0, "_cells": 0}
    for cls, name in ((CT_Tbl, "tr_lst"), (Table, "_cells")):
        original = getattr(cls, name)

        def counted(self, original=original, name=name):
            counts[name] += 1
            return original.fget(self)

        monkeypatch.setattr(cls, name, property(counted))
    return counts


def division_rows(n):
    """n tasks, a new 工作任务 heading (one level, then a second) every 5 tasks: one merge per 5 rows."""
    return [DivisionRow(no=i + 1, section=[f"第{i // 10 + 1}部分", f"第{i // 5 + 1}项重点工作"],
                        requirement=samples.REQUIREMENTS[i % 5], units_text="区财政局牵头", deadline_text="长期坚持")
            for i in range(n)]


def unit_list(n):
    return UnitTaskList(unit_name="区财政局", rows=[
        UnitTaskRow(no=i + 1, section=["第一部分"], requirement="公开预算。", role="牵头", status="未开始") for i in range(n)
    ])


def test_the_division_table_walks_the_table_as_often_at_any_size(walks):
    division_table_docx(samples.PLAN, division_rows(20))
    small = dict(walks)
    walks.update(tr_lst=0, _cells=0)
    division_table_docx(samples.PLAN, division_rows(200))
    assert walks == small
    assert walks["_cells"] == 0 and walks["tr_lst"] <= 2


def test_the_unit_task_list_walks_the_table_as_often_at_any_size(walks):
    unit_task_list_docx(unit_list(20))
    small = dict(walks)
    walks.update(tr_lst=0, _cells=0)
    unit_task_list_docx(unit_list(200))
    assert walks == small and walks["_cells"] == 0


def test_the_merges_of_a_large_table_are_where_python_docx_put_them():
    """200 rows, merged headings of two levels: each run's first row restarts the vertical merge, the
    others continue it, and the text is written once, in the top cell."""
    doc = open_docx(division_table_docx(samples.PLAN, division_rows(200)))
    table = doc.tables[0]
    trs = table._tbl.tr_lst
    assert len(trs) == 201
    head = trs[0].tc_lst
    assert head[1].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"  # 工作任务 over both levels
    for i in range(200):
        tcs = trs[i + 1].tc_lst
        assert len(tcs) == 6  # 序号, two heading levels, 具体要求, units, deadline: nothing swallowed
        for level, every in ((1, 10), (2, 5)):
            merge = tcs[level].tcPr.find(qn("w:vMerge"))
            text = "".join(t.text for t in tcs[level].iter(qn("w:t")))
            if i % every == 0:
                assert merge.get(qn("w:val")) == "restart"
                assert text == (f"第{i // 10 + 1}部分" if level == 1 else f"第{i // 5 + 1}项重点工作")
            else:
                assert merge is not None and merge.get(qn("w:val")) in (None, "continue") and text == ""
    # python-docx reads each merged cell back as one cell
    assert table.cell(1, 2)._tc is table.cell(5, 2)._tc and table.cell(5, 2)._tc is not table.cell(6, 2)._tc


def test_overlapping_or_outside_merges_are_refused():
    doc = GongwenDocument()
    rows = [["a", "b"], ["c", "d"]]
    with pytest.raises(ValueError):
        doc.table(["x", "y"], rows, [20, 20], merges=[(0, 0, 1, 0), (1, 0, 1, 1)])
    with pytest.raises(ValueError):
        doc.table(["x", "y"], rows, [20, 20], merges=[(0, 0, 2, 0)])


# --- the shortcuts that made long tables fast must write what the slow way writes ---------------


def test_hyperlink_rel_gives_the_rids_python_docx_would():
    """hyperlink_rel keeps the links by url; python-docx's relate_to finds the same rIds by walking them all."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    from duban.documents.gongwen import hyperlink_rel

    urls = ["https://a.example/1", "https://a.example/2", "https://a.example/1", "https://a.example/3"]
    ours, theirs = GongwenDocument().doc.part, GongwenDocument().doc.part
    got = [hyperlink_rel(ours, u) for u in urls]
    assert got == [theirs.relate_to(u, RT.HYPERLINK, is_external=True) for u in urls]
    assert got[0] == got[2] and len(set(got)) == 3


class DocxRowWriter:
    """The data rows as python-docx writes them, element by element: each cell a copy of its column's
    blank cell, its text by _write_cell (format_paragraph, style_run, add_hyperlink), then _merge."""

    def __init__(self, part, blank, align, size):
        self.part, self.blank, self.align, self.size = part, blank, align, size

    def rows(self, rows, spans, covered):
        from docx.oxml import OxmlElement
        from docx.table import _Cell

        from duban.documents import gongwen

        trs = []
        for r, values in enumerate(rows):
            tr = OxmlElement("w:tr")
            for c, value in enumerate(values):
                tc = gongwen._clone(self.blank[c])
                tr.append(tc)
                if (r, c) not in covered:
                    gongwen._write_cell(_Cell(tc, self), value, gongwen.FONT_BODY, self.size, self.align[c])
            trs.append(tr)
        for r0, c0, r1, c1 in spans:
            gongwen._merge(trs, r0, c0, r1, c1)
        return "".join(gongwen._xml(tr) for tr in trs)


def test_rows_written_as_text_are_what_python_docx_writes(monkeypatch):
    """The data rows' XML text (_RowWriter) is, byte for byte, what python-docx makes of the same cells:
    text with line breaks, tabs, carriage returns, spaces at the ends, &<>, numbers, None, lists of
    paragraphs with links, merges down, across and both, next to a header cell merged across."""
    from duban.documents import gongwen
    from duban.documents.gongwen import Hyperlink

    link = Hyperlink("网站 ", "https://a.example/?a=1&b=2")
    rows = [
        [1, "第一行\n第二行 with\ttab", " 前后有空格 ", [link, "说明(一)", None, Hyperlink("", "https://b.example/")]],
        [2.5, "a & b < c > d\n回车\r下一行", None, []],
        [3, "合并", "", "甲\n\n乙"],
        [4, "", "across", Hyperlink("跨\t行\n", "https://a.example/?a=1&b=2")],
        [5, "", "", "末行"],
    ]
    merges = [(2, 1, 4, 1), (3, 2, 3, 3)]  # down the second column; across the last two of row 3
    headers = ["序号", "内容", "说明", None]

    def build():
        g = GongwenDocument()
        g.table(headers, rows, [14, 50, 46, 46], align=["center", "left", "left", "right"], merges=merges, size=10.5)
        g.table(headers, rows[:2], [14, 50, 46, 46])  # and a second table, in the default size
        return g.to_bytes()

    ours = build()
    monkeypatch.setattr(gongwen, "_RowWriter", DocxRowWriter)
    theirs = build()
    for part in ("word/document.xml", "word/_rels/document.xml.rels"):  # the links' relationships too
        assert part_bytes(ours, part) == part_bytes(theirs, part)
    table = open_docx(ours).tables[0]
    assert len(table.rows) == 6 and table.cell(3, 1).text == "合并" and table.cell(5, 1)._tc is table.cell(3, 1)._tc
    assert table.cell(1, 3).paragraphs[0].hyperlinks[0].url == "https://a.example/?a=1&b=2"


def part_bytes(docx: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return zf.read(name)


def test_a_control_character_is_left_out_not_refused():
    """lxml refuses \x0b (Word's line break) and the other C0 controls: they are left out, tab and line feed kept."""
    import io

    from docx import Document

    doc = GongwenDocument()
    doc.table(["甲"], [["控制\x0b字符\x01"], ["制\t表\n换行"]], [156])
    [table] = Document(io.BytesIO(doc.to_bytes())).tables
    assert [row.cells[0].text for row in table.rows[1:]] == ["控制字符", "制\t表\n换行"]


def test_long_text_cut_into_pieces_as_wrapped_lines_counts_them():
    """_chunks counts lines as it goes; each piece ends just before wrapped_lines would pass the limit."""
    import random

    from duban.documents.xlsx_docs import _chunks, wrapped_lines

    def reference(text, width, max_lines):
        out, current = [], ""
        for ch in text:
            if wrapped_lines(current + ch, width) > max_lines - 1 and current:
                out.append(current)
                current = ""
            current += ch
        return out + [current] if current or not out else out

    rng = random.Random(14)
    for _ in range(300):
        text = "".join(rng.choice("政务公开ab c1,。\n（）") for _ in range(rng.randrange(0, 300)))
        width, max_lines = rng.choice([6, 14, 40, 60]), rng.choice([1, 2, 3, 5])
        assert _chunks(text, width, max_lines) == reference(text, width, max_lines)


def test_documents_copied_from_the_prepared_one_share_nothing():
    """Every GongwenDocument starts as a copy of one prepared document: what one gets (text, links,
    properties) never shows up in the next, and the page layouts stay apart."""
    from duban.documents.gongwen import Hyperlink

    first = GongwenDocument(title="甲", author="区财政局")
    first.paragraph("只在第一份里。")
    first.table(["链接"], [[Hyperlink("网站", "https://a.example/")]], [156])
    first.to_bytes()
    wide = open_docx(GongwenDocument(landscape=True).to_bytes())
    second = open_docx(GongwenDocument(title="乙").to_bytes())
    assert [p.text for p in second.paragraphs] == [] and not second.tables
    assert not [r for r in second.part.rels.values() if r.is_external]
    assert second.core_properties.title == "乙" and second.core_properties.author == ""
    assert wide.sections[0].page_width > wide.sections[0].page_height
    assert second.sections[0].page_width < second.sections[0].page_height
    assert first.doc.core_properties.title == "甲"
