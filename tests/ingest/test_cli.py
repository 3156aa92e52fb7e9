"""`duban parse` as a user runs it: a real subprocess, its exit code, stdout and stderr."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "duban" / "data" / "xishan_2021_plan.txt"


def duban(*args, cwd=None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "duban.cli", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def test_json_has_the_documented_shape():
    out = duban("parse", str(SEED), "--json")
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert {"title", "issuer", "doc_number", "issued_on", "year", "warnings", "tasks"} <= plan.keys()
    assert plan["doc_number"] == "西政办通〔2021〕51号" and plan["issued_on"] == "2021-08-12" and plan["year"] == 2021
    assert len(plan["tasks"]) == 74
    for task in plan["tasks"]:
        assert {"no", "section", "requirement", "units_text", "lead_units", "responsible_units", "unit_groups",
                "deadline_text", "deadline", "warnings"} <= task.keys()
        assert isinstance(task["no"], int) and isinstance(task["section"], list)
    assert plan["tasks"][0]["deadline"] == {"kind": "after_event", "event": "文件成文", "working_days": 20}


def test_text_output_lists_tasks_and_warnings():
    out = duban("parse", str(SEED))
    assert out.returncode == 0
    assert "西政办通〔2021〕51号" in out.stdout and "74 项" in out.stdout
    assert "完成时限为空" in out.stdout


def write_and_parse(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return duban("parse", str(path), "--json")


def assert_clear_error(out):
    assert out.returncode != 0
    assert out.stdout == ""
    assert "Traceback" not in out.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out.stderr), out.stderr


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.txt", b""),
        ("blank.txt", b"   \n\n"),
        ("notes.txt", "会议纪要\n今天讨论了工作。\n".encode()),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF"),
        ("random.xlsx", os.urandom(4096)),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
    ],
)
def test_bad_input_exits_nonzero_with_a_chinese_message(tmp_path, name, data):
    assert_clear_error(write_and_parse(tmp_path, name, data))


def test_truncated_seed_is_not_a_plan(tmp_path):
    head = SEED.read_bytes()[:1500]  # the notice, cut before the table starts
    assert_clear_error(write_and_parse(tmp_path, "cut.txt", head))


def test_missing_file(tmp_path):
    assert_clear_error(duban("parse", str(tmp_path / "nope.docx")))


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    out = duban("parse", str(path))
    assert_clear_error(out)
    assert "过大" in out.stderr


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    out = duban("parse", str(path))
    assert_clear_error(out)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_encodings_are_detected(tmp_path, encoding):
    text = SEED.read_text(encoding="utf-8")
    out = write_and_parse(tmp_path, f"seed-{encoding}.txt", text.encode(encoding))
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert len(plan["tasks"]) == 74 and plan["doc_number"] == "西政办通〔2021〕51号"


@pytest.mark.parametrize("name, member, says", [("plan.ofd", "OFD.xml", "OFD"), ("plan.odt", "content.xml", "ODF")])
def test_other_office_formats_name_what_to_do(tmp_path, name, member, says):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/x")
        z.writestr(member, "<x/>")
    out = duban("parse", str(path))
    assert_clear_error(out)
    assert says in out.stderr and "另存为" in out.stderr
