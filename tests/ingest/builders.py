"""Build real plan documents, in every format the parser reads, from one list of rows.

    rows = TABLE                      # header row first, then one row per task
    data = build_docx(TITLE, rows)    # bytes of a real .docx
    data = build_pdf(TITLE, rows)     # bytes of a real PDF (STSong-Light, ruled table)

Every builder takes the same arguments: paragraphs before the table, the table
rows (each a list of str), and `vmerge_col`, the column whose equal consecutive
values (below the header) are written as ONE merged cell spanning those rows,
the way a plan's 工作任务 (section) column is typeset. `hspans` is a list of
(row, col, ncols): that cell spans ncols columns (the row holds "" in the
columns it covers). The plain-text builder writes a merged cell the way text
extracted from a PDF shows it: in its first row only.
"""
from __future__ import annotations

import html as _html
import io

HEADER = ["序号", "工作任务", "具体要求", "牵头落实单位", "完成时限"]

TITLE = [
    "昆明市西山区人民政府办公室文件",
    "西政办通〔2021〕51号",
    "昆明市西山区人民政府办公室关于印发西山区2021年政务公开工作要点分工方案的通知",
    "各街道办事处，区政府各办局、各直属机构，各有关单位：",
    "为贯彻落实好2021年省、市政务公开工作要点，认真做好我区2021年政务公开工作，经区政务公开工作领导小组同意，"
    "现将《西山区2021年政务公开工作要点分工方案》印发给你们，请结合实际认真贯彻执行。",
    "西山区2021年政务公开工作要点分工方案",
]
TAIL = ["抄送：区委办公室，区人大常委会办公室，区政协办公室，区纪委办公室。", "昆明市西山区人民政府办公室2021年8月12日印发"]

# Long cells are CJK only (with Chinese punctuation), so that wherever a PDF wraps
# them, the reader joins the lines back without a space.
TABLE = [
    HEADER,
    ["1", "深化重点领域信息公开", "主动公开“十四五”规划纲要。", "区政府办公室、区发展改革局负责落实", "10月31日前完成"],
    [
        "2",
        "深化重点领域信息公开",
        "各级各部门要按照“谁牵头编制，谁主动公开”的原则，做好国土空间规划、专项规划、区域规划及配套政策措施等信息公开工作，"
        "做好历史规划（计划）的归集整理和主动公开工作，确保规划信息完整、准确、及时向社会公开。",
        "区自然资源局、区发展改革局、区科技工信局、区教育体育局、区民政局牵头落实；区政府相关办、局，各街道办事处按照职责分工负责",
        "10月31日前完成",
    ],
    ["3", "深化重点领域信息公开", "报送本单位负责编制的规划到区政府办公室。", "区自然资源局、区发展改革局负责落实", "长期坚持"],
    [
        "4",
        "深化重点领域信息公开",
        "严格按照重大建设项目批准和实施领域政府信息公开实施方案的要求，做好重大建设项目批准服务、批准结果、招标投标、征收土地、"
        "重大设计变更、施工有关、质量安全监督、竣工有关等信息的公开工作，并将公开情况作为年度考核的重要内容。",
        "区发展改革局、区住房城乡建设局牵头；区政府各办、局，各街道办事处负责落实",
        "每季度",
    ],
    [
        "5",
        "推进财政领域信息公开",
        "依法依规稳步推动地方政府债务信息公开，通过集中统一平台定期公开地方政府债务限额、余额，地方政府债券发行、项目、"
        "还本付息、重大事项、存续期管理等信息，进一步扩大预决算公开范围，推进部门所属单位预算、决算及有关报表公开。",
        "区财政局牵头；区政府各办、局，各街道办事处负责落实",
        "10月31日前完成",
    ],
    [
        "6",
        "推进财政领域信息公开",
        "做好惠民惠农政策和资金发放信息公开工作，及时公开财政资金直达基层有关信息，推动补贴信息公开向村和社区延伸。",
        "区农业农村局、区民政局、区财政局牵头；区政府各办、局，各街道办事处负责落实",
        "每月",
    ],
    [
        "7",
        "强化政策解读与回应关切",
        "深入贯彻国家、省、市、区经济工作会议精神以及我区《政府工作报告》要求，坚持“公开为常态、不公开为例外”原则，"
        "围绕推动经济高质量发展、扩大内需、深化改革扩大开放、全面推进乡村振兴、改善生态环境等方面，加强重要政策发布解读。",
        "区政府办公室牵头；区政府各办、局，各街道办事处负责落实",
        "长期坚持",
    ],
    [
        "8",
        "强化政策解读与回应关切",
        "积极运用新闻发布会、专家访谈、图示图解、卡通动漫、短视频等多元化方式开展政策解读，让政策生动活泼、通俗易懂，"
        "对涉及面广、社会关注度高的重要政策文件，主动靠前引导，释放权威信息，提高政策到达率和知晓度。",
        "区政府各办、局，各街道办事处负责落实",
        "10月31日前完成",
    ],
    [
        "9",
        "筑牢政务公开工作基础",
        "健全完善政务信息制作、获取、保存、处理等方面的制度，推动政务信息全链条、全生命周期规范管理，"
        "对照行政法规库公布的行政法规国家正式版本，及时更新政府网站上引用或登载的行政法规文本。",
        "区政府办公室牵头；区政府各办、局，各街道办事处负责落实",
        "12月31日前完成",
    ],
    [
        "10",
        "筑牢政务公开工作基础",
        "推动政务公开标准化规范化向乡村、社区延伸，指导村（居）民委员会建立完善公开事项清单，以贴近村（居）民生活的适当方式，"
        "重点公开乡村振兴、社会救助等群众关切的信息，方便群众知晓和监督。",
        "区民政局、区农业农村局牵头；各街道办事处负责落实",
        "10月31日前完成",
    ],
]
TASK_COUNT = len(TABLE) - 1


def synthetic_table(n_tasks: int, per_section: int = 5) -> list[list[str]]:
    """A plan table with n_tasks rows (for benchmarks): the TABLE's tasks over and over,
    renumbered, with a new section every `per_section` tasks."""
    rows = [list(HEADER)]
    body = TABLE[1:]
    for i in range(n_tasks):
        src = body[i % len(body)]
        section = f"第{i // per_section + 1}部分重点工作{src[1]}"
        rows.append([str(i + 1), section, src[2], src[3], src[4]])
    return rows


def vmerge_runs(rows: list[list[str]], col: int | None) -> list[tuple[int, int]]:
    """(first_row, last_row) of each run of >= 2 equal, non-empty values in `col`, below the header."""
    if col is None:
        return []
    runs = []
    i = 1
    while i < len(rows):
        j = i
        value = rows[i][col] if col < len(rows[i]) else ""
        while value and j + 1 < len(rows) and col < len(rows[j + 1]) and rows[j + 1][col] == value:
            j += 1
        if j > i:
            runs.append((i, j))
        i = j + 1
    return runs


def _continuation(rows, col) -> set[tuple[int, int]]:
    """Cells (row, col) that are covered by a vertical merge (not its first row)."""
    return {(r, col) for start, end in vmerge_runs(rows, col) for r in range(start + 1, end + 1)}


def _hcovered(hspans) -> set[tuple[int, int]]:
    return {(r, c + k) for r, c, n in hspans for k in range(1, n)}


# -- text -----------------------------------------------------------------------
def build_text(title_paragraphs, rows, vmerge_col: int | None = 1, tail_paragraphs=(), encoding: str = "utf-8") -> bytes:
    covered = _continuation(rows, vmerge_col)
    lines = [*title_paragraphs, ""]
    for r, row in enumerate(rows):
        lines.append("\t".join("" if (r, c) in covered else v.replace("\n", "") for c, v in enumerate(row)))
    lines += ["", *tail_paragraphs]
    return ("\n".join(lines) + "\n").encode(encoding)


# -- docx -----------------------------------------------------------------------
def build_docx(title_paragraphs, rows, vmerge_col: int | None = 1, tail_paragraphs=(), hspans=(), between=()) -> bytes:
    """A real .docx: paragraphs, a "Table Grid" table with real merged cells, paragraphs.
    `between` paragraphs and a second copy of the header row go in a second table after them."""
    import docx

    document = docx.Document()
    for text in title_paragraphs:
        document.add_paragraph(text)
    _docx_table(document, rows, vmerge_col, hspans)
    if between:
        for text in between:
            document.add_paragraph(text)
        _docx_table(document, [rows[0]], None, ())
    for text in tail_paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_table(document, rows, vmerge_col, hspans):
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    covered = _continuation(rows, vmerge_col) | _hcovered(hspans)
    # Row by row: table.cell(r, c) rebuilds the whole grid on every call (quadratic on big tables).
    row_objs = list(table.rows)
    for r, row in enumerate(rows):
        cells = row_objs[r].cells
        for c, value in enumerate(row):
            if (r, c) not in covered and value:
                cells[c].text = value
    for r, c, n in hspans:
        cells = row_objs[r].cells
        cells[c].merge(cells[c + n - 1])
    for start, end in vmerge_runs(rows, vmerge_col):
        row_objs[start].cells[vmerge_col].merge(row_objs[end].cells[vmerge_col])
    return table


# -- xlsx -----------------------------------------------------------------------
def build_xlsx(title_paragraphs, rows, vmerge_col: int | None = 1, tail_paragraphs=(), hspans=(), numbers: bool = True) -> bytes:
    """A real .xlsx: each title paragraph in a row merged across the table's width, then the
    table with merged ranges; digit-only cells are written as numbers when `numbers`."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工方案"
    width = max(len(r) for r in rows)
    last = get_column_letter(width)
    r0 = 1
    for text in title_paragraphs:
        ws.cell(row=r0, column=1, value=text)
        ws.merge_cells(f"A{r0}:{last}{r0}")
        r0 += 1
    covered = _continuation(rows, vmerge_col) | _hcovered(hspans)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in covered or value == "":
                continue
            ws.cell(row=r0 + r, column=c + 1, value=int(value) if numbers and value.isdigit() else value)
    for r, c, n in hspans:
        ws.merge_cells(start_row=r0 + r, start_column=c + 1, end_row=r0 + r, end_column=c + n)
    for start, end in vmerge_runs(rows, vmerge_col):
        ws.merge_cells(start_row=r0 + start, start_column=vmerge_col + 1, end_row=r0 + end, end_column=vmerge_col + 1)
    r = r0 + len(rows) + 1
    for text in tail_paragraphs:
        ws.cell(row=r, column=1, value=text)
        r += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- html -----------------------------------------------------------------------
def build_html(
    title_paragraphs,
    rows,
    vmerge_col: int | None = 1,
    tail_paragraphs=(),
    hspans=(),
    encoding: str = "utf-8",
    layout: bool = False,
    declare: bool = True,
) -> bytes:
    """A government-style page: rowspan/colspan table; `encoding="gbk"` writes GBK bytes
    declared as charset=gb2312 (as many such pages are); `layout` wraps the content in
    layout tables; `declare=False` leaves the charset undeclared."""
    covered = _continuation(rows, vmerge_col) | _hcovered(hspans)
    rowspans = {(start, vmerge_col): end - start + 1 for start, end in vmerge_runs(rows, vmerge_col)}
    colspans = {(r, c): n for r, c, n in hspans}

    def esc(text: str) -> str:
        return _html.escape(text).replace("\n", "<br>")

    trs = []
    for r, row in enumerate(rows):
        tag = "th" if r == 0 else "td"
        tds = []
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            attrs = ""
            if (r, c) in rowspans:
                attrs += f' rowspan="{rowspans[(r, c)]}"'
            if (r, c) in colspans:
                attrs += f' colspan="{colspans[(r, c)]}"'
            tds.append(f"<{tag}{attrs}>{esc(value)}</{tag}>")
        trs.append("    <tr>" + "".join(tds) + "</tr>")
    table = '<table border="1" cellspacing="0" class="MsoTableGrid">\n  <tbody>\n' + "\n".join(trs) + "\n  </tbody>\n</table>"
    title = "".join(f"<p>{esc(t)}</p>\n" for t in title_paragraphs[:-1])
    if title_paragraphs:
        title += f'<h2 style="text-align:center">{esc(title_paragraphs[-1])}</h2>\n'
    tail = "".join(f"<p>{esc(t)}</p>\n" for t in tail_paragraphs)
    content = f"{title}{table}\n{tail}"
    if layout:
        content = (
            '<table width="100%" class="layout"><tr><td>'
            '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 通知公告</div>'
            '</td></tr><tr><td><table width="960"><tr><td>'
            f"{content}"
            "</td></tr></table></td></tr><tr><td>主办单位：昆明市西山区人民政府办公室</td></tr></table>"
        )
    charset = "gb2312" if encoding.lower() in ("gbk", "gb2312", "gb18030") else encoding
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if declare else ""
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n" + meta + "\n<title>分工方案</title>\n"
        "<style>td { border: 1px solid #000 }</style>\n<script>var x = '<table><tr><td>不是表格</td></tr></table>';</script>\n"
        "</head>\n<body>\n" + content + "\n</body>\n</html>\n"
    )
    return page.encode("gbk" if charset == "gb2312" else encoding)


# -- pdf ------------------------------------------------------------------------
def build_pdf(
    title_paragraphs, rows, vmerge_col: int | None = 1, tail_paragraphs=(), font_size: float = 10.5, col_widths=None
) -> bytes:
    """A real PDF in the built-in CID font STSong-Light: a ruled table whose header row
    repeats on each page, Paragraph cells so long text wraps, merged section cells.
    `col_widths`: fractions of the text width, one per column."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=font_size + 1.5, leading=(font_size + 1.5) * 1.6,
                          wordWrap="CJK", firstLineIndent=2 * (font_size + 1.5))
    title = ParagraphStyle("title", parent=body, fontSize=font_size + 6, leading=(font_size + 6) * 1.5,
                           alignment=TA_CENTER, firstLineIndent=0, spaceAfter=6)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=font_size, leading=font_size * 1.4, wordWrap="CJK")

    def esc(text: str) -> str:
        return _html.escape(text).replace("\n", "<br/>")

    story = []
    for i, text in enumerate(title_paragraphs):
        story.append(Paragraph(esc(text), title if i == len(title_paragraphs) - 1 or i == 0 else body))
    story.append(Spacer(1, 6))
    covered = _continuation(rows, vmerge_col)
    data = [[Paragraph("" if (r, c) in covered else esc(v), cell) for c, v in enumerate(row)] for r, row in enumerate(rows)]
    width = A4[0] - 80
    widths = col_widths or ([0.07, 0.15, 0.38, 0.22, 0.18] if len(rows[0]) == 5 else [1 / len(rows[0])] * len(rows[0]))
    style = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    style += [("SPAN", (vmerge_col, start), (vmerge_col, end)) for start, end in vmerge_runs(rows, vmerge_col)]
    story.append(Table(data, colWidths=[w * width for w in widths], repeatRows=1, style=TableStyle(style)))
    story.append(Spacer(1, 12))
    for text in tail_paragraphs:
        story.append(Paragraph(esc(text), body))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40,
                      title="分工方案").build(story)
    return out.getvalue()
