"""A plan's facts are kept across requests (duban.assessment.factscache) and never outlive a change: the
database triggers of migration 0003_plan_facts_version give the plan a new version on every write to what
facts.load() reads, whoever writes — the ORM, QuerySet.update(), bulk_create(), raw SQL, the services, the
import — and the next load reads afresh."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.assessment import facts as facts_mod
from duban.assessment import factscache, figures
from duban.assessment.models import PlanFactsVersion
from duban.directory.models import Unit
from duban.plans import deadlines
from duban.plans.models import Assignment, Plan, Section, Task
from duban.progress import lifecycle
from duban.progress.models import Report, StatusChange
from duban.workcal.services import get_calendar
from tests.assessment.year import AS_OF, CIVIL, EDUCATION, FINANCE, JUSTICE, at

pytestmark = pytest.mark.django_db
NAMES = factscache._fields(facts_mod.Fact)


@pytest.fixture(autouse=True)
def empty_cache():
    caches["default"].clear()


def values(facts) -> list[tuple]:
    return [factscache._values(f, NAMES) for f in facts]


def load(plan) -> tuple[list, int]:
    """The plan's facts and the number of queries it took."""
    with CaptureQueriesContext(connection) as ctx:
        facts = facts_mod.load(plan)
    return facts, len(ctx.captured_queries)


def fresh(plan) -> list[tuple]:
    """What the database says now, without the cache."""
    return values(facts_mod._read(plan, None))


def warm(plan) -> list[tuple]:
    """Load twice: the second load must come from the cache (one query: the version)."""
    first, queries = load(plan)
    assert queries > 1
    second, queries = load(plan)
    assert queries == 1 and values(second) == values(first)
    return values(second)


def version(plan) -> int:
    return PlanFactsVersion.objects.get(plan=plan).version


def fact(facts: list[tuple], a: Assignment) -> dict:
    return next(dict(zip(NAMES, v)) for v in facts if v[0] == a.pk)


def test_a_repeat_load_reads_one_row_and_gives_fresh_facts(year):
    first, cold = load(year.plan)
    assert cold >= 4  # the assignments, the sections, the accepted reports, the status changes
    day = dt.date(2021, 10, 10)
    for f in first:  # what a page leaves on the facts it used: memos for its as-of date
        figures.state_on(f, day), f.accepted_on, f.done_on
    second, warm_queries = load(year.plan)
    assert warm_queries == 1
    assert values(second) == values(first) == fresh(year.plan)
    assert not {id(f) for f in second} & {id(f) for f in first}
    assert all(f.state_memo is None and f.kind_memo is None and "accepted_on" not in f.__dict__ for f in second)
    # Another as-of date on the cached facts gives what freshly read facts give.
    cal = get_calendar()
    again = figures.compute(year.plan, AS_OF, cal, facts=second)
    direct = figures.compute(year.plan, AS_OF, cal, facts=facts_mod._read(year.plan, None))
    assert (again.assignments, again.units) == (direct.assignments, direct.units)


def test_only_a_whole_plan_is_cached(year):
    some = Assignment.objects.filter(task__plan=year.plan, unit__name=FINANCE)
    facts_mod.load(year.plan, some)
    with CaptureQueriesContext(connection) as ctx:
        narrowed = facts_mod.load(year.plan, some)
    assert len(ctx.captured_queries) > 1 and {f.unit_name for f in narrowed} == {FINANCE}


def _orm_save(year):
    a = year.assignments[2, FINANCE]
    a.status = Assignment.SUBMITTED
    a.save()


def _update(year):
    Assignment.objects.filter(pk=year.assignments[3, JUSTICE].pk).update(due_date=dt.date(2022, 2, 28))


def _bulk_create(year):
    Assignment.objects.bulk_create([Assignment(task=year.tasks[5], unit=year.units[CIVIL], role="responsible")])


def _delete(year):
    Assignment.objects.filter(pk=year.assignments[5, FINANCE].pk).delete()


def _archive(year):
    Assignment.objects.filter(pk=year.assignments[3, JUSTICE].pk).update(archived_at=at(2021, 12, 1))


def _raw_sql(year):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE plans_task SET requirement = %s WHERE id = %s", ["改过的要求。", year.tasks[1].pk])


def _raw_sql_report(year):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE progress_report SET grade = %s WHERE assignment_id = %s AND outcome = %s",
                       ["poor", year.assignments[1, FINANCE].pk, "accepted"])


def _deadline_edit(year):
    task = year.tasks[4]
    task.deadline_kind, task.deadline_date = "date", dt.date(2021, 11, 30)
    task.save()


def _section_rename(year):
    Section.objects.filter(plan=year.plan, parent=None, title="筑牢政务公开工作基础").update(title="夯实基础")


def _unit_rename(year):
    u = Unit.objects.get(pk=year.units[EDUCATION].pk)
    u.name = "区教育局"
    u.save()


def _unit_reorder(year):
    Unit.objects.filter(pk=year.units[FINANCE].pk).update(sort_order=999)


def _a_return_logged(year):
    StatusChange.objects.create(assignment=year.assignments[4, EDUCATION], from_status="submitted", to_status="returned",
                                at=at(2021, 12, 1))


def _status_change_deleted(year):
    StatusChange.objects.filter(assignment=year.assignments[1, JUSTICE], to_status="returned").delete()


def _plan_import_time(year):
    Assignment.objects.filter(task__plan=year.plan).update(assigned_at=None)  # older rows: the plan's import time
    caches["default"].clear()
    warm(year.plan)
    Plan.objects.filter(pk=year.plan.pk).update(created_at=at(2021, 8, 20))


WRITES = [_orm_save, _update, _bulk_create, _delete, _archive, _raw_sql, _raw_sql_report, _deadline_edit,
          _section_rename, _unit_rename, _unit_reorder, _a_return_logged, _status_change_deleted, _plan_import_time]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_every_write_shows_in_the_next_load(year, write):
    before = warm(year.plan)
    write(year)
    after, queries = load(year.plan)
    assert queries > 1  # read afresh
    assert values(after) == fresh(year.plan) != before
    assert load(year.plan)[1] == 1  # and kept again


def test_a_write_to_another_plan_keeps_this_one(year, org):
    other = Plan.objects.create(org=org, title="另一方案", year=2021, source_file="plans/other.txt", sha256="1" * 64)
    warm(year.plan)
    Task.objects.create(plan=other, no=1, requirement="别的任务。", units_text="")
    assert load(year.plan)[1] == 1


def _pending(a: Assignment, user) -> None:
    Report.objects.create(assignment=a, text="已完成。", submitted_at=at(2021, 12, 20), submitted_by=user)
    Assignment.objects.filter(pk=a.pk).update(status=Assignment.SUBMITTED, submitted_at=at(2021, 12, 20))


def test_an_acceptance_and_a_return_through_the_services(year, coordinator):
    a = year.assignments[4, EDUCATION]
    _pending(a, coordinator)
    assert fact(warm(year.plan), a)["status"] == Assignment.SUBMITTED
    lifecycle.accept(Assignment.objects.get(pk=a.pk), coordinator, "good")
    now = fact(values(facts_mod.load(year.plan)), a)
    assert (now["status"], now["grade"]) == (Assignment.ACCEPTED, "good")

    b = year.assignments[3, EDUCATION]
    Assignment.objects.filter(pk=b.pk).update(status=Assignment.SUBMITTED, accepted_at=None)
    Report.objects.filter(assignment=b).update(outcome="pending", grade="")
    returns = len(fact(warm(year.plan), b)["returns"])
    lifecycle.return_(Assignment.objects.get(pk=b.pk), coordinator, "材料不全。")
    now = fact(values(facts_mod.load(year.plan)), b)
    assert (now["status"], len(now["returns"])) == (Assignment.RETURNED, returns + 1)


def test_an_extension_approved_moves_the_cached_due_date(year, org, coordinator, monkeypatch):
    from tests.web.conftest import make_user

    monkeypatch.setattr(deadlines, "office_today", lambda: dt.date(2022, 1, 10))
    a = year.assignments[5, FINANCE]  # due 2022-03-31
    liaison = make_user(org, "liaison-finance", "liaison", year.units[FINANCE])
    lifecycle.request_extension(a, liaison, dt.date(2022, 4, 30), "推迟。")
    assert fact(warm(year.plan), a)["due_date"] == dt.date(2022, 3, 31)
    lifecycle.decide_extension(Assignment.objects.get(pk=a.pk), coordinator, True)
    assert fact(values(facts_mod.load(year.plan)), a)["due_date"] == dt.date(2022, 4, 30)


def test_an_import_revision_shows(org, coordinator):
    from duban.plans import importing
    from tests.web.conftest import SEED, parsed_seed, seed_bytes
    from tests.web.test_revisions import revised

    seed_plan = importing.apply(importing.prepare(org, seed_bytes(), SEED.name, parsed=parsed_seed()), user=None)
    before = warm(seed_plan)
    prep = importing.prepare(seed_plan.org, revised((50, "10月31日前完成", "11月30日前完成")), "revised.txt")
    assert prep.status == "revision"
    importing.apply(prep, coordinator)
    after, queries = load(seed_plan)
    assert queries > 1 and values(after) == fresh(seed_plan) != before
    fifty = Task.objects.get(plan=seed_plan, deadline_date=dt.date(2021, 11, 30))
    assert {f.deadline_text for f in after if f.task_id == fifty.pk} == {"2021年11月30日前"}


# --- the triggers themselves: every table load() reads, every kind of write -------------------------------


def test_every_table_load_reads_has_its_triggers(year, coordinator):
    """Each insert, update and delete of each table gives the plan a new version (a missing trigger fails here
    by name), and a plan's new row has a version from the start."""
    plan = year.plan
    a = year.assignments[5, FINANCE]
    steps = []

    def step(name, write):
        old = version(plan)
        write()
        steps.append((name, version(plan) != old))

    sec = []
    step("section insert", lambda: sec.append(Section.objects.create(plan=plan, title="新节", order=9)))
    step("section update", lambda: Section.objects.filter(pk=sec[0].pk).update(order=10))
    task = []
    step("task insert", lambda: task.append(Task.objects.create(plan=plan, no=6, requirement="新任务。", units_text="")))
    step("task update", lambda: Task.objects.filter(pk=task[0].pk).update(section=sec[0]))
    new = []
    step("assignment insert", lambda: new.append(Assignment.objects.create(task=task[0], unit=year.units[CIVIL], role="lead")))
    step("assignment update", lambda: Assignment.objects.filter(pk=new[0].pk).update(role="responsible"))
    report = []
    step("report insert", lambda: report.append(Report.objects.create(assignment=a, text="进展。")))
    step("report update", lambda: Report.objects.filter(pk=report[0].pk).update(outcome="accepted"))
    change = []
    step("statuschange insert", lambda: change.append(StatusChange.objects.create(assignment=a, from_status="not_started", to_status="in_progress")))
    step("statuschange update", lambda: StatusChange.objects.filter(pk=change[0].pk).update(at=at(2021, 5, 1)))
    step("statuschange delete", lambda: StatusChange.objects.filter(pk=change[0].pk).delete())
    step("report delete", lambda: Report.objects.filter(pk=report[0].pk).delete())
    step("assignment delete", lambda: Assignment.objects.filter(pk=new[0].pk).delete())
    step("task delete", lambda: Task.all_objects.filter(pk=task[0].pk).delete())
    step("section delete", lambda: Section.objects.filter(pk=sec[0].pk).delete())
    step("plan import time", lambda: Plan.objects.filter(pk=plan.pk).update(created_at=at(2021, 8, 1)))
    step("unit name", lambda: Unit.objects.filter(pk=year.units[CIVIL].pk).update(name="区民政局（改）"))
    step("unit order", lambda: Unit.objects.filter(pk=year.units[CIVIL].pk).update(sort_order=77))
    assert [name for name, bumped in steps if not bumped] == []

    # What load() does not read leaves the cache alone: the plan's title, a unit's other fields.
    unchanged = []
    for name, write in [("plan title", lambda: Plan.objects.filter(pk=plan.pk).update(title="新标题")),
                        ("unit kind", lambda: Unit.objects.filter(pk=year.units[CIVIL].pk).update(kind=Unit.OTHER)),
                        ("unit name as it was", lambda: Unit.objects.filter(pk=year.units[CIVIL].pk).update(name="区民政局（改）"))]:
        old = version(plan)
        write()
        unchanged.append((name, version(plan) == old))
    assert [name for name, same in unchanged if not same] == []


def test_a_new_plan_has_a_version_and_a_deleted_one_loses_it(org):
    plan = Plan.objects.create(org=org, title="新方案", year=2022, source_file="plans/new.txt", sha256="2" * 64)
    assert PlanFactsVersion.objects.filter(plan=plan).exists()
    Plan.objects.filter(pk=plan.pk).delete()
    assert not PlanFactsVersion.objects.filter(plan_id=plan.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncate_changes_every_version(year):
    warm(year.plan)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's foreign keys checked: TRUNCATE waits for none
        cursor.execute("TRUNCATE progress_statuschange")
    after, queries = load(year.plan)
    assert queries > 1 and all(f.returns == [] for f in after)


def test_a_write_while_the_facts_are_read_is_never_hidden(year, monkeypatch):
    """The version is read before the data: facts read before a write that lands before they are stored are
    stored under the version the write replaced, so the next load reads afresh (were the version read after the
    data, the old facts would be kept under the new version and shown until the next change)."""
    a, read = year.assignments[2, FINANCE], facts_mod._read

    def read_while_someone_writes(plan, assignments):
        facts = read(plan, assignments)
        Assignment.objects.filter(pk=a.pk).update(status=Assignment.SUBMITTED)  # lands before the facts are stored
        return facts

    monkeypatch.setattr(facts_mod, "_read", read_while_someone_writes)
    assert fact(values(facts_mod.load(year.plan)), a)["status"] == Assignment.IN_PROGRESS  # read before the write
    monkeypatch.undo()
    after, queries = load(year.plan)
    assert queries > 1 and fact(values(after), a)["status"] == Assignment.SUBMITTED


def test_the_cache_is_chosen_by_url():
    from django.core.exceptions import ImproperlyConfigured

    from duban.settings import cache_from_url

    assert cache_from_url("locmem://duban") == {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "duban"}
    assert cache_from_url("redis://127.0.0.1:6379/1") == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                          "LOCATION": "redis://127.0.0.1:6379/1"}
    assert cache_from_url("db://duban_cache")["BACKEND"].endswith("DatabaseCache")
    with pytest.raises(ImproperlyConfigured, match="DUBAN_CACHE_URL"):
        cache_from_url("memcached://x")


def test_a_cache_that_fails_is_a_slower_page_not_an_error(year, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(caches["default"], "get", down)
    monkeypatch.setattr(caches["default"], "set", down)
    assert values(facts_mod.load(year.plan)) == fresh(year.plan)


def test_a_plan_takes_one_entry_whatever_its_changes(year):
    stored = caches["default"]._cache  # the LocMemCache's own dict: how many facts entries it keeps
    for day in (1, 2, 3):
        warm(year.plan)
        Assignment.objects.filter(pk=year.assignments[3, JUSTICE].pk).update(due_date=dt.date(2022, 1, day))
    load(year.plan)
    assert len([k for k in stored if k.endswith(f"duban:facts:{factscache._stamp}:{year.plan.pk}")]) == 1
