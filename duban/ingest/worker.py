"""Parsing a document in a child process with a memory limit and a time limit.

    from duban.ingest import worker
    plan = worker.parse(data, "方案.pdf", on_page=None, memory_mb=1024, timeout=300)

A hostile file — a PDF whose streams inflate to gigabytes, a document built to make the parser work for
ever — must not take the web server with it. The parent runs ``python -m duban.ingest.worker``; the
child limits its own address space (``RLIMIT_AS``) and CPU time before it reads anything, parses the
bytes it gets on stdin, and writes JSON lines on stdout: ``{"page": [done, total]}`` while a PDF is read,
then ``{"plan": …}`` or ``{"error": "…"}``. A child that runs out of memory, is killed, or overruns the
wall-clock timeout is refused with TOO_BIG; the parent's own memory holds only the file and the result.

Pure Python, no Django, like the rest of duban.ingest. The plan comes back through ``plan_to_json`` /
``plan_from_json``, which carry every field of the dataclasses in duban.ingest.model (not only the
public ``to_json`` view), so the parent's Plan equals the one the child built.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import selectors
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from duban.ingest.errors import IngestError
from duban.ingest.model import Deadline, Plan, Task, UnitRef

MEMORY_MB = 1024  # the child's address space: a real plan PDF of a few hundred pages needs a few hundred MB
TIMEOUT = 300.0  # seconds of wall-clock time for one document
MAX_OUTPUT = 64 * 1024 * 1024  # the parsed plan as JSON; a 30 MB upload gives far less
TOO_BIG = "文件解压后过大或结构异常，已停止读取（超过{limit}）。请检查文件，或另存为 .docx 后重新上传。"
CRASHED = "读取文件时程序出错（{name}），请稍后重试，或联系管理员查看日志。"
log = logging.getLogger(__name__)
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)  # where `duban` is imported from


# --- the plan as JSON, both ways ------------------------------------------------------------------


def _encode(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"__date__"}:
            return dt.date.fromisoformat(value["__date__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _build(cls, values: dict):
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


def plan_to_json(plan: Plan) -> dict:
    return _encode(plan)


def plan_from_json(doc: dict) -> Plan:
    doc = _decode(doc)
    tasks = []
    for t in doc.get("tasks", []):
        t = dict(t)
        t["units"] = [_build(UnitRef, u) for u in t.get("units", [])]
        t["deadline"] = _build(Deadline, t["deadline"]) if t.get("deadline") else None
        tasks.append(_build(Task, t))
    return _build(Plan, {**doc, "tasks": tasks})


# --- the parent -----------------------------------------------------------------------------------


def parse(data: bytes, filename: str | None = None, on_page=None, memory_mb: int = MEMORY_MB, timeout: float = TIMEOUT) -> Plan:
    """duban.ingest.parse in a child process; raises IngestError (Chinese) for a file it refuses."""
    # The child gets no more of the environment than it needs to start: none of the server's secrets.
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")) if p)}
    args = [sys.executable, "-m", "duban.ingest.worker", "--memory-mb", str(int(memory_mb)), "--cpu-seconds", str(int(timeout) + 5),
            "--filename", filename or ""]
    with tempfile.TemporaryFile() as source:  # the child's stdin: no pipe to keep fed
        source.write(data)
        source.seek(0)
        proc = subprocess.Popen(args, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, close_fds=True)
    try:
        result, stderr = _collect(proc, on_page, time.monotonic() + timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    if "plan" in result:
        return plan_from_json(result["plan"])
    if "error" in result:
        raise IngestError(result["error"])
    if "crash" in result:
        log.warning("the parser failed on %r:\n%s", filename, stderr)
        raise IngestError(CRASHED.format(name=result["crash"]))
    if result.get("timeout"):
        raise IngestError(TOO_BIG.format(limit=f"{timeout:g} 秒的读取时限"))
    if result.get("memory"):
        raise IngestError(TOO_BIG.format(limit=f"{memory_mb} MB 的内存上限"))
    log.warning("the parser process ended with %s on %r:\n%s", proc.returncode, filename, stderr)
    raise IngestError(TOO_BIG.format(limit="内存或时间上限"))  # killed: the kernel, or the CPU-time limit


def _collect(proc: subprocess.Popen, on_page, deadline: float) -> tuple[dict, str]:
    """Read the child's lines until it ends or the deadline passes: the result, and the end of its stderr."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    out, err, result, size = b"", b"", {}, 0
    open_streams = 2
    while open_streams:
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            return {"timeout": True}, err.decode(errors="replace")
        for key, _ in sel.select(timeout=min(left, 1.0)):
            chunk = os.read(key.fileobj.fileno(), 1 << 16)
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            if key.data == "err":
                err = (err + chunk)[-8192:]
                continue
            size += len(chunk)
            if size > MAX_OUTPUT:
                proc.kill()
                return {"memory": True}, err.decode(errors="replace")
            out += chunk
            *lines, out = out.split(b"\n")
            for line in lines:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue  # not the child's protocol
                if "page" in message:
                    if on_page is not None:
                        on_page(*message["page"])
                else:
                    result = message
    if proc.wait() < 0 and not result:  # killed by a signal: the memory or CPU limit
        result = {"killed": True}
    return result, err.decode(errors="replace")


# --- the child ------------------------------------------------------------------------------------


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m duban.ingest.worker", description="Parse a plan from stdin (limited); JSON lines on stdout.")
    ap.add_argument("--memory-mb", type=int, default=MEMORY_MB)
    ap.add_argument("--cpu-seconds", type=int, default=int(TIMEOUT) + 5)
    ap.add_argument("--filename", default="")
    args = ap.parse_args(argv)
    _limit(args.memory_mb, args.cpu_seconds)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")  # the protocol's own channel
    sys.stdout = sys.stderr  # whatever a library prints goes to stderr

    def emit(message: dict) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
        out.flush()

    try:
        from duban.ingest import parse as parse_in_process

        data = sys.stdin.buffer.read()
        plan = parse_in_process(data, args.filename or None, on_page=lambda done, total: emit({"page": [done, total]}))
        emit({"plan": plan_to_json(plan)})
    except IngestError as exc:
        emit({"error": str(exc)})
    except MemoryError:
        emit({"memory": True})
    except Exception as exc:  # noqa: BLE001 - a parser bug: the parent shows its name, the traceback goes to stderr
        traceback.print_exc()
        emit({"crash": type(exc).__name__})
    return 0


if __name__ == "__main__":
    sys.exit(main())
