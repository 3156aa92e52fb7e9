"""Parsing in a limited child process (duban.ingest.worker), and the PDF reader's own caps: a PDF bomb,
too many pages, a child that runs out of memory or time."""
from __future__ import annotations

from pathlib import Path

import pytest

import duban
from duban.ingest import IngestError, parse, worker
from duban.ingest.readers import pdf as pdf_reader

from .builders import TABLE, TITLE, build_docx, build_pdf
from .hostile import pdf_bomb, pdf_pages, peak_rss_growth

SEED = Path(duban.__file__).resolve().parent / "data" / "xishan_2021_plan.txt"
CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", ["seed", "docx", "pdf", "10_baoshan_2021_fenjie.txt", "01_chizhou_xfj_tasklist.html"])
def test_the_child_returns_exactly_the_plan_the_parser_builds(name):
    if name == "seed":
        data, filename = SEED.read_bytes(), SEED.name
    elif name == "docx":
        data, filename = build_docx(TITLE, TABLE), "plan.docx"
    elif name == "pdf":
        data, filename = build_pdf(TITLE, TABLE), "plan.pdf"
    else:
        data, filename = (CORPUS / name).read_bytes(), name
    pages = []
    plan = worker.parse(data, filename, on_page=lambda done, total: pages.append((done, total)))
    assert plan == parse(data, filename)
    assert plan.tasks and plan.to_json() == parse(data, filename).to_json()
    if name == "pdf":
        assert pages and pages[-1][0] == pages[-1][1]


def test_the_childs_refusal_is_the_parsers_message():
    with pytest.raises(IngestError, match="旧版 Word/Excel"):
        worker.parse(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "plan.doc")


def test_a_pdf_bomb_is_refused_before_it_is_inflated():
    bomb = pdf_bomb(1024)  # 1 GiB of zeros in about 1 MB
    assert len(bomb) < 1.5 * 1024 * 1024
    with peak_rss_growth() as grew, pytest.raises(IngestError, match="解压后过大") as exc:
        parse(bomb, "bomb.pdf")  # in this process: the reader's guard alone
    assert "64 MB" in str(exc.value)
    assert grew["mb"] < 64


@pytest.mark.parametrize("filters", ["/ASCII85Decode /FlateDecode", "/FlateDecode /FlateDecode"])
def test_a_pdf_bomb_behind_a_second_filter_is_refused(filters):
    """pdfium inflates streams in C: the reader measures them first, also through a chain of filters."""
    import base64
    import zlib

    from .hostile import _zeros_deflated, pdf

    deflated = _zeros_deflated(200)
    body = base64.a85encode(deflated, adobe=True)[2:] if "ASCII85" in filters else zlib.compress(deflated, 9)
    bomb = pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(body), filters.encode()) + body + b"\nendstream",
    ])
    with peak_rss_growth() as grew, pytest.raises(IngestError, match="解压后过大（其中一个数据流超过 64 MB）"):
        parse(bomb, "bomb.pdf")
    assert grew["mb"] < 64


def test_many_streams_under_the_stream_cap_are_refused_by_the_documents_cap(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_STREAM_BYTES", 3 * 1024 * 1024 // 2)  # smaller caps, the same rule: quicker
    monkeypatch.setattr(pdf_reader, "MAX_INFLATED_BYTES", 5 * 1024 * 1024 // 2)
    with pytest.raises(IngestError, match="解压后过大（全部内容超过 2 MB）"):
        parse(pdf_bomb(1, streams=4), "bomb.pdf")


def test_a_pdf_of_more_than_500_pages_is_refused():
    assert pdf_reader.MAX_PAGES == 500
    with pytest.raises(IngestError, match="共有 501 页，超过 500 页上限"):
        parse(pdf_pages(501), "long.pdf")


def test_a_child_that_runs_out_of_memory_is_stopped_with_a_chinese_message():
    # A stream of 60 MB passes the reader's caps; inflating it does not fit in 96 MB.
    with peak_rss_growth() as grew, pytest.raises(IngestError) as exc:
        worker.parse(pdf_bomb(60), "bomb.pdf", memory_mb=96)
    assert "文件解压后过大或结构异常，已停止读取" in str(exc.value) and "内存上限" in str(exc.value)
    assert grew["mb"] < 32  # the parent holds the file and nothing of what it inflates to


def test_a_child_that_overruns_its_time_is_killed_with_a_chinese_message():
    with pytest.raises(IngestError) as exc:
        worker.parse(SEED.read_bytes(), SEED.name, timeout=0.01)
    assert str(exc.value) == worker.TOO_BIG.format(limit="0.01 秒的读取时限")
