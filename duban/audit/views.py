from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from duban.audit import lockout, passwords
from duban.audit.events import record
from duban.audit.forms import AuditFilterForm, LoginForm, PasswordChangeForm
from duban.audit.models import AuditEvent
from duban.audit.signals import MUST_CHANGE
from duban.documents.xlsx_docs import put
from duban.plans import access


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from duban.accounts import oidc

        return {**super().get_context_data(**kwargs), "oidc": oidc.enabled()}


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "forced": bool(self.request.session.get(MUST_CHANGE))}

    def form_valid(self, form):
        response = super().form_valid(form)
        passwords.changed(form.user)
        self.request.session[MUST_CHANGE] = False
        record(self.request, AuditEvent.PASSWORD_CHANGE, target=form.user.get_username())
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    pass


def _events(request):
    if not access.can_see_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    qs = form.filter(access.visible_audit_events(request.user)).select_related("user")
    return form, qs


@login_required
def audit_list(request):
    form, qs = _events(request)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    locked = [lk for lk in access.unlockable_lockouts(request.user).filter(lifted_at__isnull=True, until__gt=timezone.now())]
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode(), "locked": locked})


EXPORT_COLUMNS = ["时间", "用户名", "操作", "对象", "修改前", "修改后", "IP地址"]


def _json_text(value):
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@login_required
def audit_export(request):
    from openpyxl import Workbook

    _form, qs = _events(request)
    wb = Workbook()
    ws = wb.active
    ws.title = "审计记录"
    for col, name in enumerate(EXPORT_COLUMNS, 1):
        put(ws.cell(row=1, column=col), name)
    for row, e in enumerate(qs.iterator(), 2):
        values = [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.get_action_display(), e.target,
                  _json_text(e.before), _json_text(e.after), e.ip or ""]
        for col, value in enumerate(values, 1):
            put(ws.cell(row=row, column=col), value)  # text that looks like a formula stays text
    buf = BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"审计记录-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def unlock(request, lockout_id):
    if not access.can_see_audit(request.user):
        raise Http404
    lk = get_object_or_404(access.unlockable_lockouts(request.user), pk=lockout_id)
    if lk.active:
        lockout.lift(request, lk)
        messages.success(request, f"已解除对账户 {lk.key} 的锁定。")
    return redirect("audit")
