"""The blank plan offered on the upload page: an .xlsx that `duban.ingest.parse` reads as it is filled in.

The sheet 分工方案 is the plan: a title row, the header row (each header cell carries a note on how to
fill its column) and empty bordered rows to type into; the workbook opens on it. Nothing else is on it,
so what a coordinator types is all that is imported. The sheet 填写说明 comes first in the workbook: the
parser reads every visible sheet in order, and what stands before the plan's header row is read as the
text above a table (like a notice's preamble), never as tasks. It shows the example task column by
column, not as a row under a header, for the same reason.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from duban.documents.xlsx_docs import BORDER, CELL_FONT, HEADER_FILL, HEADER_FONT, TITLE_FONT, put

FILE_NAME = "分工方案模板.xlsx"
PLAN_SHEET = "分工方案"
HELP_SHEET = "填写说明"
BLANK_ROWS = 50
HELP_TABLE_ROW = 6  # the row of 栏目 · 示例 · 填写要求 on the 填写说明 sheet

# (header, width in characters, how to fill it, an example)
COLUMNS = [
    ("序号", 7, "按顺序填写阿拉伯数字 1、2、3……，每项任务一行，不要合并。", "1"),
    ("工作任务", 18, "任务所属的工作类别（可不填）。同一类别下的连续几行可以合并单元格，也可以每行重复填写。",
     "推进财政信息公开"),
    ("具体要求", 48, "任务的具体内容，照原文填写。",
     "做好财政预决算公开工作，及时公开财政资金直达基层有关信息。"),
    ("牵头单位", 18, "用单位全称，多个单位用顿号“、”隔开；没有牵头单位的留空。", "区财政局"),
    ("责任单位", 26, "负责落实的单位，写法同牵头单位；也可以写“区政府各办、局”“各街道办事处”等统称。",
     "区政府各办、局，各街道办事处"),
    ("完成时限", 18, "写日期（如“2022年10月31日前”“10月底前”），或“长期坚持”“每季度”“文件成文后20个工作日内”等。",
     "2022年10月31日前"),
    ("备注", 16, "其他说明，不参与导入，可不填。", ""),
]
HEADER = [c[0] for c in COLUMNS]


def build(title: str) -> bytes:
    wb = Workbook()
    _help_sheet(wb.active)
    _plan_sheet(wb.create_sheet(PLAN_SHEET), title)
    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_setup(ws, repeat_rows: str | None, pages_high: int = 0) -> None:
    """Landscape A4, as wide as the page (and pages_high pages high; 0: as many as it takes)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, pages_high
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    if repeat_rows:
        ws.print_title_rows = repeat_rows


def _plan_sheet(ws, title: str) -> None:
    ws.title = PLAN_SHEET
    last = get_column_letter(len(COLUMNS))
    put(ws["A1"], title)
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 40
    for c, (header, width, how, _) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
        cell = ws.cell(row=2, column=c, value=header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(how, "填写说明", width=260, height=90)
    ws.row_dimensions[2].height = 24
    for r in range(3, 3 + BLANK_ROWS):
        for c, (header, *_) in enumerate(COLUMNS, 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.border = CELL_FONT, BORDER
            cell.alignment = Alignment(horizontal="center" if header == "序号" else "left", vertical="center", wrap_text=True)
            if header not in ("序号", "完成时限"):
                # Text as typed: “1-2月” stays text and “=…” is not a formula. 序号 takes numbers, and
                # 完成时限 a typed date (read as 2022年10月31日) as well as words.
                cell.number_format = "@"
    ws.freeze_panes = "A3"
    _print_setup(ws, "1:2")


def _help_sheet(ws) -> None:
    ws.title = HELP_SHEET
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 60
    rows: list[tuple[str, ...]] = [
        ("填写说明",),
        (f"1. 在“{PLAN_SHEET}”工作表中填写。第一行是方案标题，请改为正式标题；第二行是表头，不要修改、不要删除。",),
        ("2. 每项任务填一行，从第三行开始。“工作任务”相同的连续几行，可以合并单元格或只在第一行填写；方案不分类别的，整栏留空。",),
        ("3. 本工作表只是说明和示例（下表是一项任务各栏的填法），导入时不会读取为任务，不必删除。",),
        ("4. 填好后保存为 .xlsx，在“导入方案”页面上传；导入后可在核对页面处理没有识别的单位和时限。",),
        ("栏目", "示例", "填写要求"),
        *[(header, example or "（不填）", how) for header, _, how, example in COLUMNS],
    ]
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values, 1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            cell.font = CELL_FONT
        if len(values) == 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
            ws.row_dimensions[r].height = 36 if r > 1 else 30
        else:
            for c in range(1, 4):
                ws.cell(row=r, column=c).border = BORDER
            ws.row_dimensions[r].height = 36
    ws["A1"].font = Font(name=TITLE_FONT.name, size=16, bold=True)
    for c in range(1, 4):
        cell = ws.cell(row=HELP_TABLE_ROW, column=c)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    _print_setup(ws, None, pages_high=1)
