"""Hostile PDFs, built in memory without ever holding what they inflate to, and the process's memory."""
from __future__ import annotations

import threading
import time
import zlib
from contextlib import contextmanager

MB = 1024 * 1024


def _zeros_deflated(mb: int) -> bytes:
    """zlib data of ``mb`` MB of zero bytes, made without compressing them all: after a full flush the
    compressed form of each further MB is the same bytes, so it is repeated; then an empty final block and
    the checksum of the whole."""
    c = zlib.compressobj(9)
    chunk = b"\0" * MB
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(mb):
        adler = zlib.adler32(chunk, adler)
    return first + again * (mb - 1) + b"\x03\x00" + adler.to_bytes(4, "big")


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (1 0 obj is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_bomb(inflated_mb: int, streams: int = 1) -> bytes:
    """One page whose content is ``streams`` FlateDecode streams, each inflating to ``inflated_mb`` MB of
    zero bytes: 1 GiB fits in about 1 MB of file."""
    deflated = _zeros_deflated(inflated_mb)
    contents = b" ".join(b"%d 0 R" % (4 + i) for i in range(streams))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [%s] /Resources << >> >>" % contents,
    ]
    objects += [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(deflated) + deflated + b"\nendstream"] * streams
    return pdf(objects)


def pdf_pages(n: int) -> bytes:
    """A PDF of n empty pages."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>"] * n
    return pdf(objects)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")  # pragma: no cover


@contextmanager
def peak_rss_growth():
    """Sample this process's resident memory every few milliseconds; yields a dict whose "mb" is, at the
    end, the largest growth over the memory at the start."""
    start, result, done = rss_mb(), {"mb": 0.0}, threading.Event()

    def sample():
        while not done.is_set():
            result["mb"] = max(result["mb"], rss_mb() - start)
            time.sleep(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        done.set()
        thread.join()
        result["mb"] = max(result["mb"], rss_mb() - start)
