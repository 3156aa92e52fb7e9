"""The directory page: the coordinator's view of units, aliases and groups, with Excel export/import."""
from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from duban.directory.exchange import DirectoryError, load_data, read_xlsx, write_xlsx
from duban.directory.models import Unit, UnitGroup
from duban.plans import access
from duban.plans.forms import DirectoryUploadForm


def _org(request):
    if not access.can_read_all(request.user):
        raise PermissionDenied("只有协调人和领导可以查看单位名录。")
    return access.profile(request.user).org


@login_required
def directory(request):
    org = _org(request)
    units = Unit.objects.filter(org=org).prefetch_related("aliases")
    groups = UnitGroup.objects.filter(org=org).prefetch_related("units")
    return render(
        request,
        "directory/directory.html",
        {
            "org": org,
            "units": units,
            "groups": [(g, g.members()) for g in groups],
            "form": DirectoryUploadForm(),
            "can_edit": access.can_edit(request.user),
        },
    )


@login_required
def export(request):
    org = _org(request)
    buf = io.BytesIO()
    write_xlsx([org], buf)
    response = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=directory.xlsx; filename*=UTF-8''{quote(org.short_name + '单位名录.xlsx')}"
    return response


@require_POST
@login_required
def upload(request):
    org = _org(request)
    if not access.can_edit(request.user):
        raise PermissionDenied("只有协调人可以修改单位名录。")
    form = DirectoryUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 Excel 文件。")
        return redirect("directory")
    try:
        doc = read_xlsx(form.cleaned_data["file"])
        doc["organisations"] = [o for o in doc["organisations"] if o["short_name"] == org.short_name or o["name"] == org.name]
        if not doc["organisations"]:
            raise DirectoryError(f"文件中没有本机构（{org.short_name}）的名录。")
        for o in doc["organisations"]:  # a coordinator's upload changes the own organisation only, never its names
            o["name"], o["short_name"] = org.name, org.short_name
        stats = load_data(doc)
    except DirectoryError as exc:
        messages.error(request, f"未导入：{exc}")
    else:
        messages.success(request, f"单位名录已导入：{stats}")
    return redirect("directory")
