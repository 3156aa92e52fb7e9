"""Who may see and change what. The one place where access is decided.

- A coordinator (协调人) sees and edits everything of their organisation.
- A leader (领导) sees everything of their organisation, read-only.
- A liaison (联络员) sees only their own unit: its assignments and the tasks it is on.
- A user without a profile sees nothing.

Views fetch objects through these querysets (so another unit's page is a 404), and
ask can_edit() before changing anything. Templates only show what they are given.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from duban.accounts.models import Profile
from duban.directory.models import Unit
from duban.plans.models import LEAD, Assignment, ChangeRecord, ImportJob, Plan, PlanWarning, Task


def profile(user) -> Profile | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def role(user) -> str | None:
    p = profile(user)
    return p.role if p else None


def can_edit(user) -> bool:
    return role(user) == Profile.COORDINATOR


def can_read_all(user) -> bool:
    """Coordinators and leaders read the whole organisation; liaisons only their unit."""
    return role(user) in (Profile.COORDINATOR, Profile.LEADER)


def visible_plans(user) -> QuerySet[Plan]:
    p = profile(user)
    if p is None:
        return Plan.objects.none()
    qs = Plan.objects.filter(org=p.org_id)
    if p.role == Profile.LIAISON:
        qs = qs.filter(pk__in=Assignment.objects.filter(unit=p.unit_id).values("task__plan"))
    return qs


def chosen_plan(user, plan_id: int | None) -> Plan | None:
    """The plan a page was asked for (?plan=<id>): 404 if it is not one the user sees (another
    organisation's, or for a liaison one without the unit); without an id, the newest the user sees."""
    plans = visible_plans(user)
    if plan_id:
        return get_object_or_404(plans, pk=plan_id)
    return plans.first()


def visible_units(user) -> QuerySet[Unit]:
    p = profile(user)
    if p is None:
        return Unit.objects.none()
    if p.role == Profile.LIAISON:
        return Unit.objects.filter(pk=p.unit_id, org=p.org_id)
    return Unit.objects.filter(org=p.org_id)


def visible_assignments(user, with_archived: bool = False) -> QuerySet[Assignment]:
    """Assignments in force. with_archived: also those archived (a unit removed from a task, a task dropped
    by a revision), to read with their reports — coordinators and leaders all of them, a liaison its own
    unit's (the work it filed). Nothing archived is in a working list, and nothing archived is changed."""
    p = profile(user)
    if p is None:
        return Assignment.objects.none()
    manager = Assignment.all_objects if with_archived else Assignment.objects
    qs = manager.filter(task__plan__org=p.org_id)
    if p.role == Profile.LIAISON:
        qs = qs.filter(unit=p.unit_id)
    return qs


def visible_tasks(user, with_archived: bool = False) -> QuerySet[Task]:
    """Tasks in force; with_archived: also the archived ones (for a liaison: those its unit had work on), to read."""
    p = profile(user)
    if p is None:
        return Task.objects.none()
    manager = Task.all_objects if with_archived else Task.objects
    qs = manager.filter(plan__org=p.org_id)
    if p.role == Profile.LIAISON:
        of_unit = (Assignment.all_objects if with_archived else Assignment.objects).filter(unit=p.unit_id)
        qs = qs.filter(pk__in=of_unit.values("task"))
    return qs


def archived_assignments(user) -> QuerySet[Assignment]:
    """The archived assignments the user may read (已归档): a liaison its own unit's, coordinators and leaders
    their organisation's — read-only, with their reports and files."""
    return visible_assignments(user, with_archived=True).filter(archived_at__isnull=False)


def visible_warnings(user) -> QuerySet[PlanWarning]:
    """Warnings to settle are the coordinator's work; leaders may look at them."""
    if not can_read_all(user):
        return PlanWarning.objects.none()
    return PlanWarning.objects.filter(plan__org=profile(user).org_id)


def visible_changes(user) -> QuerySet[ChangeRecord]:
    p = profile(user)
    if p is None:
        return ChangeRecord.objects.none()
    qs = ChangeRecord.objects.filter(plan__org=p.org_id)
    if p.role == Profile.LIAISON:
        qs = qs.filter(task__in=visible_tasks(user))
    return qs


def can_download_source(user) -> bool:
    return can_read_all(user)


# --- execution: reports, review, dates (duban.progress) ----------------------------------------


def can_report(user, assignment: Assignment) -> bool:
    """Only a liaison of the assigned unit reports on an assignment (not the coordinator on its behalf)."""
    p = profile(user)
    return p is not None and p.role == Profile.LIAISON and p.unit_id == assignment.unit_id


def can_review(user) -> bool:
    """Accepting and returning reports, overriding due dates: the coordinator's work."""
    return role(user) == Profile.COORDINATOR


def can_decide_extension(user, assignment: Assignment, stage: str) -> bool:
    """延期申请: the coordinator decides a new request; with DUBAN_EXTENSION_LEADER_APPROVAL on, a leader of the
    organisation then decides one the coordinator approved ("forwarded") — the one thing a leader may change."""
    from django.conf import settings

    p = profile(user)
    if p is None or p.org_id != assignment.task.plan.org_id:
        return False
    if stage == "pending":
        return p.role == Profile.COORDINATOR
    if stage == "forwarded":
        return p.role == Profile.LEADER and bool(getattr(settings, "DUBAN_EXTENSION_LEADER_APPROVAL", False))
    return False


def can_record_event(user, task: Task) -> bool:
    """The date of a task's starting event (文件成文日期): the coordinator, or a liaison of a lead unit of the task."""
    p = profile(user)
    if p is None or p.org_id != task.plan.org_id or task.archived_at is not None:
        return False
    if p.role == Profile.COORDINATOR:
        return True
    return p.role == Profile.LIAISON and task.assignments.filter(unit=p.unit_id, role=LEAD).exists()


def visible_reports(user):
    from duban.progress.models import Report

    return Report.objects.filter(assignment__in=visible_assignments(user))


def reports_to_review(user):
    """Reports waiting for the coordinator's review (the review queue and its 待审核 count): pending, on an
    assignment in force that stands submitted, of the coordinator's own organisation; nothing for anyone else.

    The organisation is a condition on the plan of the one report→assignment→task→plan join, not an
    `assignment IN (…)` subquery: with a hundred districts in one database that subquery had PostgreSQL
    gather every district's pending reports first (issue 14)."""
    from duban.progress.models import PENDING, Report

    p = profile(user)
    if p is None or p.role != Profile.COORDINATOR:
        return Report.objects.none()
    return Report.objects.filter(
        outcome=PENDING,
        assignment__status=Assignment.SUBMITTED,
        assignment__archived_at__isnull=True,  # what Assignment.objects (in force) means
        assignment__task__plan__org=p.org_id,
    )


def visible_attachments(user):
    from duban.progress.models import Attachment

    return Attachment.objects.filter(report__assignment__in=visible_assignments(user, with_archived=True))


# --- 领导批示 (duban.instructions) -----------------------------------------------------------------


def can_instruct(user) -> bool:
    """A 批示 is the leader's: the one thing a leader writes. Coordinators and liaisons do not."""
    return role(user) == Profile.LEADER


def visible_instructions(user):
    """The organisation's 批示 for coordinators and leaders; a liaison those to its unit or to all units of its tasks."""
    from django.db.models import Q

    from duban.instructions.models import Instruction

    p = profile(user)
    if p is None:
        return Instruction.objects.none()
    qs = Instruction.objects.filter(Q(task__plan__org=p.org_id) | Q(task__isnull=True, unit__org=p.org_id))
    if p.role == Profile.LIAISON:
        qs = qs.filter(Q(unit=p.unit_id) | Q(unit__isnull=True, task__in=Assignment.objects.filter(unit=p.unit_id).values("task")))
    return qs


# --- assessment, dashboards and documents -----------------------------------------------------


def can_see_dashboard(user) -> bool:
    """Dashboards and the unit ranking are for the coordinator and leaders."""
    return can_read_all(user)


def can_see_unit_score(user, unit: Unit) -> bool:
    """A unit's score breakdown: coordinator and leaders, and that unit's own liaison."""
    return visible_units(user).filter(pk=unit.pk).exists()


def can_export(user, kind: str, unit_id: int | None = None) -> bool:
    """Generating documents: coordinator and leaders any of them; a liaison only its own unit's task list."""
    if can_read_all(user):
        return True
    p = profile(user)
    return p is not None and p.role == Profile.LIAISON and kind == "unit_list" and unit_id is not None and unit_id == p.unit_id


def visible_export_jobs(user):
    """Export jobs are private to whoever asked for them."""
    from duban.exports.models import ExportJob

    if profile(user) is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(created_by=user)


def visible_import_jobs(user):
    """Import jobs are private to the coordinator who uploaded the file."""
    p = profile(user)
    if p is None or p.role != Profile.COORDINATOR:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user, org=p.org_id)


# --- user accounts (duban.accounts) -------------------------------------------------------------


def can_manage_users(user) -> bool:
    """Creating liaison and leader accounts, resetting passwords, (de)activating: the coordinator's work."""
    return role(user) == Profile.COORDINATOR


def visible_users(user):
    """The accounts of the coordinator's own organisation (everyone with a profile there)."""
    from django.contrib.auth.models import User

    p = profile(user)
    if p is None or p.role != Profile.COORDINATOR:
        return User.objects.none()
    return User.objects.filter(profile__org=p.org_id)


def manageable_users(user):
    """The accounts a coordinator may change: liaisons and leaders of the organisation.

    Never another coordinator, nor a staff or superuser account (resetting its password would hand
    over its rights), nor the coordinator's own account.
    """
    return (
        visible_users(user)
        .filter(profile__role__in=[Profile.LIAISON, Profile.LEADER], is_staff=False, is_superuser=False)
        .exclude(pk=user.pk)
    )

# --- audit trail and login lockouts (duban.audit) ----------------------------------------------


def can_see_audit(user) -> bool:
    """The audit trail of an organisation is the coordinator's to read; leaders and liaisons do not see it."""
    return role(user) == Profile.COORDINATOR


def visible_audit_events(user):
    from duban.audit.models import AuditEvent

    if not can_see_audit(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(org=profile(user).org_id)


def unlockable_lockouts(user):
    """Locked accounts of the coordinator's own organisation (locked addresses are lifted in the admin)."""
    from duban.audit.models import Lockout

    if not can_see_audit(user):
        return Lockout.objects.none()
    return Lockout.objects.filter(kind=Lockout.USERNAME, org=profile(user).org_id)
