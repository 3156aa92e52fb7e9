"""The zip of per-unit task lists."""
import io
import zipfile

import openpyxl
import pytest

from duban.documents import unit_file_name, unit_task_lists_zip

from . import samples
from .helpers import open_docx, paragraph_texts

pytestmark = pytest.mark.pure


def lists():
    return [samples.unit_task_list(unit, n) for unit, n in zip(samples.UNIT_NAMES, [9, 4, 6, 2, 12])]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_one_file_per_unit_with_utf8_names(fmt):
    data = lists()
    blob = unit_task_lists_zip(data, fmt=fmt)
    zf = zipfile.ZipFile(io.BytesIO(blob))
    assert zf.testzip() is None
    infos = zf.infolist()
    assert [i.filename for i in infos] == [f"{u.unit_name}-任务清单.{fmt}" for u in data]
    assert infos[0].filename == f"区财政局-任务清单.{fmt}"
    for info in infos:
        assert info.flag_bits & 0x800  # the UTF-8 flag
        assert info.compress_type == zipfile.ZIP_DEFLATED
    # the names are stored as UTF-8 bytes (not GBK or CP437)
    assert f"区财政局-任务清单.{fmt}".encode("utf-8") in blob
    for unit, info in zip(data, infos):
        blob = zf.read(info)
        if fmt == "docx":
            doc = open_docx(blob)
            assert f"{unit.unit_name}政务公开工作任务清单" in paragraph_texts(doc)
            assert len(doc.tables[0].rows) == 1 + len(unit.rows)
        else:
            ws = openpyxl.load_workbook(io.BytesIO(blob)).active
            assert ws["A1"].value == f"{unit.unit_name}政务公开工作任务清单"
            assert ws.max_row == 3 + len(unit.rows)


def test_duplicate_and_unsafe_names():
    a = samples.unit_task_list("区财政局", 2)
    b = samples.unit_task_list("区财政局", 3)
    c = samples.unit_task_list("区政府/区委办公室", 1)
    zf = zipfile.ZipFile(io.BytesIO(unit_task_lists_zip([a, b, c])))
    assert zf.namelist() == ["区财政局-任务清单.docx", "区财政局-任务清单(2).docx", "区政府_区委办公室-任务清单.docx"]
    assert unit_file_name('a:b*c?"d<e>f|g\\h', "xlsx") == "a_b_c__d_e_f_g_h-任务清单.xlsx"


def test_unknown_format():
    with pytest.raises(ValueError, match="fmt"):
        unit_task_lists_zip(lists(), fmt="pdf")
