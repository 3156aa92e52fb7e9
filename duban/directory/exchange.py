"""Reading and writing the unit directory: the JSON file shipped with the project and .xlsx workbooks.

Both go through one dictionary shape:

    {"organisations": [{"name": ..., "short_name": ...,
        "units":   [{"name", "short_name", "kind", "active", "sort_order",
                     "leader_name", "leader_email", "contact_email"}],
        "aliases": [{"alias", "unit"}],
        "groups":  [{"phrase", "kinds": [...], "units": [unit names], "vague", "note"}],
        "contacts": [{"unit", "role", "name", "email", "active"}]}]}

Kinds may be written as the Chinese label (局) or the code (bureau). Loading is an upsert
keyed by names, so loading the same data twice changes nothing; units missing from the
data are left as they are (deactivate them in the admin).

A unit's contact fields (leader_name, leader_email, contact_email) are optional: data without
them (the JSON file, workbooks exported before they existed) leaves them as they are; an empty
value clears them. E-mail addresses are checked before anything is written.

Contacts (单位联系人, the 联系人 sheet: unit, role 联络员/负责人/分管负责人, name, e-mail) are upserted like
aliases: a contact is the same one when its unit, role and name are (or, without a name, its unit, role and
e-mail), so a changed e-mail updates it; contacts missing from the data are kept. A contact is removed as a unit
is: 启用 否 (``active`` false) stops it — the row is kept for the record, and it is no longer reminded or escalated
to — and the result names each contact stopped; a sheet without the 启用 column leaves that as it is.
Data without contacts (the JSON file, a workbook without the sheet) leaves them as they are. A contact naming a
unit not in the directory, an unknown role or a bad e-mail refuses the whole load, nothing written.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from duban.directory.models import Contact, Organisation, Unit, UnitAlias, UnitGroup

KIND_BY_LABEL = {label: code for code, label in Unit.KIND_CHOICES}
LABEL_BY_KIND = dict(Unit.KIND_CHOICES)
ROLE_BY_LABEL = {label: code for code, label in Contact.ROLE_CHOICES}
LABEL_BY_ROLE = dict(Contact.ROLE_CHOICES)
ROLE_ORDER = {code: i for i, code in enumerate(LABEL_BY_ROLE)}  # 联络员, 负责人, 分管负责人
YES = {"是", "true", "True", "1", "yes", "y", "Y", "启用", True, 1}

SHEET_ORGS = "机构"
SHEET_UNITS = "单位"
SHEET_ALIASES = "别名"
SHEET_GROUPS = "单位组"
SHEET_CONTACTS = "联系人"
HEADERS = {
    SHEET_ORGS: ["名称", "简称"],
    SHEET_UNITS: ["机构", "名称", "简称", "类别", "启用", "排序"],
    SHEET_ALIASES: ["机构", "别名", "单位"],
    SHEET_GROUPS: ["机构", "短语", "包含类别", "包含单位", "不可推断", "说明"],
}
# A sheet a workbook may lack (it was exported before contacts were): without it contacts stay as they are.
OPTIONAL_SHEETS = {SHEET_CONTACTS: ["机构", "单位", "角色", "姓名", "邮箱"]}
# Columns a workbook may lack (it was exported before they existed): header -> Unit field.
CONTACT_COLUMNS = {"分管负责人": "leader_name", "负责人邮箱": "leader_email", "单位邮箱": "contact_email"}
CONTACT_ACTIVE = "启用"
OPTIONAL = {SHEET_UNITS: list(CONTACT_COLUMNS), SHEET_CONTACTS: [CONTACT_ACTIVE]}


class DirectoryError(Exception):
    """Data that cannot be loaded. The message is Chinese and meant for the coordinator."""


@dataclass
class LoadStats:
    created: dict[str, int] = field(default_factory=lambda: {"机构": 0, "单位": 0, "别名": 0, "单位组": 0, "联系人": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"机构": 0, "单位": 0, "别名": 0, "单位组": 0, "联系人": 0})
    stopped: list[str] = field(default_factory=list)  # contacts this load stopped (启用 否), named for the result

    def count(self, what: str, created: bool, changed: bool = True) -> None:
        if created:
            self.created[what] += 1
        elif changed:
            self.updated[what] += 1

    def __str__(self) -> str:
        parts = [f"{k}新增 {v}" for k, v in self.created.items() if v] + [f"{k}更新 {v}" for k, v in self.updated.items() if v]
        stopped = f"；已停用的联系人：{'、'.join(self.stopped)}（记录保留，不再收到提醒）" if self.stopped else ""
        return ("，".join(parts) or "名录没有变化") + stopped


def kind_code(value: str, where: str = "") -> str:
    value = (value or "").strip()
    if value in LABEL_BY_KIND:
        return value
    if value in KIND_BY_LABEL:
        return KIND_BY_LABEL[value]
    if not value:
        return Unit.OTHER
    raise DirectoryError(f"{where}未知的单位类别“{value}”，可用：{'、'.join(KIND_BY_LABEL)}")


def contact_values(u: dict, where: str) -> dict:
    """The unit's contact fields present in ``u``, stripped and checked; DirectoryError naming ``where`` if one is wrong."""
    values = {}
    for field in CONTACT_COLUMNS.values():
        if field not in u:
            continue
        value = str(u[field] if u[field] is not None else "").strip()
        model_field = Unit._meta.get_field(field)
        label = model_field.verbose_name
        if len(value) > model_field.max_length:
            raise DirectoryError(f"{where}{label}超过 {model_field.max_length} 个字符。")
        if value and field.endswith("_email"):
            try:
                validate_email(value)
            except ValidationError:
                raise DirectoryError(f"{where}{label}“{value}”不是有效的邮件地址。") from None
        values[field] = value
    return values


def contact_fields(c: dict, where: str) -> dict:
    """A contact's role (label or code), name and e-mail, stripped and checked: DirectoryError naming ``where`` if one is wrong."""
    role = str(c.get("role") or "").strip()
    role = ROLE_BY_LABEL.get(role, role)
    if role not in LABEL_BY_ROLE:
        shown = str(c.get("role") or "").strip()
        raise DirectoryError(f"{where}未知的联系人角色“{shown}”，可用：{'、'.join(ROLE_BY_LABEL)}。" if shown else f"{where}没有填写角色（{'、'.join(ROLE_BY_LABEL)}）。")
    name, email = (str(c.get(k) or "").strip() for k in ("name", "email"))
    if not name and not email:
        raise DirectoryError(f"{where}姓名和邮箱至少填写一项。")
    for value, field_name in ((name, "name"), (email, "email")):
        model_field = Contact._meta.get_field(field_name)
        if len(value) > model_field.max_length:
            raise DirectoryError(f"{where}{model_field.verbose_name}超过 {model_field.max_length} 个字符。")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DirectoryError(f"{where}邮箱“{email}”不是有效的邮件地址。") from None
    out = {"role": role, "name": name, "email": email}
    if "active" in c:  # absent (JSON without it, a sheet without the 启用 column): left as it is
        out["active"] = c["active"] in YES or c["active"] in (None, "")
    return out


def _upsert(model, lookup: dict, values: dict, stats: LoadStats | None, what: str):
    """Create or update one row; count it in stats unless stats is None (the caller counts)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        if stats:
            stats.count(what, created=True)
        return obj, True, True
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for k, v in changed.items():
            setattr(obj, k, v)
        obj.save(update_fields=list(changed))
    if stats:
        stats.count(what, created=False, changed=bool(changed))
    return obj, False, bool(changed)


@transaction.atomic
def load_data(doc: dict) -> LoadStats:
    stats = LoadStats()
    for o in doc.get("organisations", []):
        name, short = (o.get("name") or "").strip(), (o.get("short_name") or "").strip()
        if not name or not short:
            raise DirectoryError("机构的名称和简称都不能为空。")
        org = Organisation.objects.filter(name=name).first() or Organisation.objects.filter(short_name=short).first()
        if org is None:
            org = Organisation.objects.create(name=name, short_name=short)
            stats.count("机构", created=True)
        elif (org.name, org.short_name) != (name, short):
            clash = Organisation.objects.exclude(pk=org.pk).filter(Q(name=name) | Q(short_name=short)).first()
            if clash is not None:
                raise DirectoryError(f"机构“{name}（{short}）”的名称或简称已被另一个机构“{clash.name}”使用，未导入。")
            org.name, org.short_name = name, short
            org.save()
            stats.count("机构", created=False)
        units: dict[str, Unit] = {u.name: u for u in Unit.objects.filter(org=org)}
        for i, u in enumerate(o.get("units", []), start=1):
            uname = (u.get("name") or "").strip()
            if not uname:
                raise DirectoryError(f"{short}：第 {i} 个单位没有名称。")
            values = {
                "short_name": (u.get("short_name") or "").strip(),
                "kind": kind_code(u.get("kind", ""), f"{short}：{uname}："),
                "active": u.get("active", True) in YES,
                "sort_order": int(u.get("sort_order") or i * 10),
                **contact_values(u, f"{short}：单位“{uname}”的"),
            }
            units[uname] = _upsert(Unit, {"org": org, "name": uname}, values, stats, "单位")[0]

        def unit_named(n: str, where: str) -> Unit:
            n = (n or "").strip()
            if n not in units:
                raise DirectoryError(f"{short}：{where}提到的单位“{n}”不在名录中。")
            return units[n]

        for a in o.get("aliases", []):
            alias = (a.get("alias") or "").strip()
            if not alias:
                continue
            unit = unit_named(a.get("unit"), f"别名“{alias}”")
            _upsert(UnitAlias, {"org": org, "alias": alias}, {"unit": unit}, stats, "别名")
        for g in o.get("groups", []):
            phrase = (g.get("phrase") or "").strip()
            if not phrase:
                continue
            values = {
                "kinds": [kind_code(k, f"{short}：单位组“{phrase}”：") for k in g.get("kinds", [])],
                "vague": g.get("vague", False) in YES,
                "note": (g.get("note") or "").strip(),
            }
            group, created, changed = _upsert(UnitGroup, {"org": org, "phrase": phrase}, values, None, "单位组")
            listed = {unit_named(n, f"单位组“{phrase}”").pk for n in g.get("units", [])}
            if set(group.units.values_list("pk", flat=True)) != listed:
                group.units.set(listed)
                changed = True
            stats.count("单位组", created=created, changed=changed)
        seen = set()
        for i, c in enumerate(o.get("contacts", []), start=1):
            where = c.get("where") or f"{short}：第 {i} 个联系人："
            values = contact_fields(c, where)
            unit_name = str(c.get("unit") or "").strip()
            if unit_name not in units:
                raise DirectoryError(f"{where}单位“{unit_name}”不在名录中。" if unit_name else f"{where}没有填写单位。")
            unit = units[unit_name]
            key = (unit.pk, values["role"], values["name"], "" if values["name"] else values["email"])
            if key in seen:
                raise DirectoryError(f"{where}与前面的联系人重复（同一单位、角色和姓名）。")
            seen.add(key)
            active = {"active": values["active"]} if "active" in values else {}
            if values["name"]:
                lookup, values = {"unit": unit, "role": values["role"], "name": values["name"]}, {"email": values["email"], **active}
            else:
                lookup, values = {"unit": unit, "role": values["role"], "name": "", "email": values["email"]}, active
            was = Contact.objects.filter(**lookup).values_list("active", flat=True).first()
            _upsert(Contact, lookup, values, stats, "联系人")
            if was and active == {"active": False}:
                stats.stopped.append(f"{unit.name} {LABEL_BY_ROLE[lookup['role']]} {lookup['name'] or lookup['email']}")
    return stats


def load_json(path: str | Path) -> LoadStats:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DirectoryError(f"无法读取名录文件 {path}：{exc}") from None
    return load_data(doc)


def dump_data(orgs) -> dict:
    out = []
    for org in orgs:
        out.append(
            {
                "name": org.name,
                "short_name": org.short_name,
                "units": [
                    {
                        "name": u.name, "short_name": u.short_name, "kind": LABEL_BY_KIND[u.kind], "active": u.active, "sort_order": u.sort_order,
                        "leader_name": u.leader_name, "leader_email": u.leader_email, "contact_email": u.contact_email,
                    }
                    for u in Unit.objects.filter(org=org)
                ],
                "aliases": [{"alias": a.alias, "unit": a.unit.name} for a in UnitAlias.objects.filter(org=org).select_related("unit")],
                "groups": [
                    {
                        "phrase": g.phrase,
                        "kinds": [LABEL_BY_KIND.get(k, k) for k in g.kinds or []],
                        "units": [u.name for u in g.units.all()],
                        "vague": g.vague,
                        "note": g.note,
                    }
                    for g in UnitGroup.objects.filter(org=org).prefetch_related("units")
                ],
                "contacts": [
                    {"unit": c.unit.name, "role": LABEL_BY_ROLE.get(c.role, c.role), "name": c.name, "email": c.email, "active": c.active}
                    for c in sorted(Contact.objects.filter(unit__org=org).select_related("unit"),
                                    key=lambda c: (c.unit.sort_order, c.unit_id, ROLE_ORDER.get(c.role, 9), c.pk))
                ],
            }
        )
    return {"organisations": out}


def _split(value) -> list[str]:
    text = str(value or "").replace("，", "、").replace(",", "、").replace("\n", "、")
    return [p.strip() for p in text.split("、") if p.strip()]


def write_xlsx(orgs, out: BinaryIO | str | Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from duban.documents.xlsx_docs import keep_as_text

    doc = dump_data(orgs)
    wb = Workbook()
    sheets = {}
    for i, (title, headers) in enumerate({**HEADERS, **OPTIONAL_SHEETS}.items()):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(headers + OPTIONAL.get(title, []))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        sheets[title] = ws
    for o in doc["organisations"]:
        short = o["short_name"]
        sheets[SHEET_ORGS].append([o["name"], short])
        for u in o["units"]:
            sheets[SHEET_UNITS].append(
                [short, u["name"], u["short_name"], u["kind"], "是" if u["active"] else "否", u["sort_order"]]
                + [u[field] for field in CONTACT_COLUMNS.values()]
            )
        for a in o["aliases"]:
            sheets[SHEET_ALIASES].append([short, a["alias"], a["unit"]])
        for g in o["groups"]:
            sheets[SHEET_GROUPS].append([short, g["phrase"], "、".join(g["kinds"]), "、".join(g["units"]), "是" if g["vague"] else "否", g["note"]])
        for c in o["contacts"]:
            sheets[SHEET_CONTACTS].append([short, c["unit"], c["role"], c["name"], c["email"], "是" if c["active"] else "否"])
    for ws in sheets.values():  # a name or note starting with = stays text, never a formula
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                keep_as_text(cell)
    widths = {SHEET_ORGS: [28, 12], SHEET_UNITS: [10, 28, 16, 14, 6, 8, 12, 26, 26], SHEET_ALIASES: [10, 24, 28], SHEET_GROUPS: [10, 24, 20, 30, 10, 40],
              SHEET_CONTACTS: [10, 28, 12, 12, 30, 6]}
    for title, ws in sheets.items():
        for col, w in zip("ABCDEFGHI", widths[title]):
            ws.column_dimensions[col].width = w
    wb.save(out)


def read_xlsx(source: BinaryIO | str | Path) -> dict:
    """Read a workbook written by write_xlsx (possibly edited by hand) into the dictionary shape."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception:
        raise DirectoryError("无法读取该 Excel 文件，请上传由“导出名录”得到的 .xlsx 文件。") from None
    missing = [t for t in HEADERS if t not in wb.sheetnames]
    if missing:
        raise DirectoryError(f"Excel 文件缺少工作表：{'、'.join(missing)}。")

    def rows(title):
        it = wb[title].iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(it, [])]
        required = HEADERS.get(title) or OPTIONAL_SHEETS[title]
        lacking = [h for h in required if h not in header]
        if lacking:
            raise DirectoryError(f"工作表“{title}”缺少列：{'、'.join(lacking)}。")
        columns = required + [h for h in OPTIONAL.get(title, []) if h in header]
        for n, row in enumerate(it, start=2):
            rec = {h: (row[header.index(h)] if header.index(h) < len(row) else None) for h in columns}
            if any(v not in (None, "") for v in rec.values()):
                yield n, {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}

    orgs: dict[str, dict] = {}
    for _, r in rows(SHEET_ORGS):
        orgs[r["简称"]] = {"name": r["名称"], "short_name": r["简称"], "units": [], "aliases": [], "groups": []}

    def org_of(title, n, r):
        key = r["机构"]
        if key not in orgs:
            raise DirectoryError(f"工作表“{title}”第 {n} 行：机构“{key}”不在“{SHEET_ORGS}”工作表中。")
        return orgs[key]

    for n, r in rows(SHEET_UNITS):
        contacts = {field: r[h] for h, field in CONTACT_COLUMNS.items() if h in r}
        org_of(SHEET_UNITS, n, r)["units"].append(
            {"name": r["名称"], "short_name": r["简称"] or "", "kind": r["类别"] or "", "active": r["启用"] in YES or r["启用"] in (None, ""), "sort_order": r["排序"] or 0,
             **contact_values(contacts, f"工作表“{SHEET_UNITS}”第 {n} 行：")}
        )
    for n, r in rows(SHEET_ALIASES):
        org_of(SHEET_ALIASES, n, r)["aliases"].append({"alias": r["别名"], "unit": r["单位"]})
    for n, r in rows(SHEET_GROUPS):
        org_of(SHEET_GROUPS, n, r)["groups"].append(
            {"phrase": r["短语"], "kinds": _split(r["包含类别"]), "units": _split(r["包含单位"]), "vague": r["不可推断"] in YES, "note": r["说明"] or ""}
        )
    if SHEET_CONTACTS in wb.sheetnames:
        for n, r in rows(SHEET_CONTACTS):
            where = f"工作表“{SHEET_CONTACTS}”第 {n} 行："
            c = {"unit": r["单位"], "role": r["角色"], "name": r["姓名"], "email": r["邮箱"]}
            if CONTACT_ACTIVE in r:
                c["active"] = r[CONTACT_ACTIVE]
            org_of(SHEET_CONTACTS, n, r).setdefault("contacts", []).append({**c, **contact_fields(c, where), "where": where})
    wb.close()
    return {"organisations": list(orgs.values())}
