"""The `duban` console command.

`duban parse FILE [--json]` runs the pure parser (no database, no settings);
every other sub-command is a Django management command (`duban migrate`,
`duban runserver`, `duban import FILE`, `duban remind`, ...).
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def parse_command(argv: list[str]) -> int:
    from duban.ingest import IngestError, parse_file
    from duban.ingest.render import render_text

    ap = argparse.ArgumentParser(prog="duban parse", description="读取分工方案文件，输出结构化的任务清单。")
    ap.add_argument("file", help="分工方案文件：.txt（PDF 提取的文本）、.docx、.pdf、.xlsx、.html")
    ap.add_argument("--json", action="store_true", help="以 JSON 输出")
    args = ap.parse_args(argv)
    try:
        plan = parse_file(args.file)
    except IngestError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    output = json.dumps(plan.to_json(), ensure_ascii=False, indent=2) + "\n" if args.json else render_text(plan)
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # `duban parse … | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "parse":
        return parse_command(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, so a configuration error is said plainly
    except ImproperlyConfigured as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2

    execute_from_command_line(["duban", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
