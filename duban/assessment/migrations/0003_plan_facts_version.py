"""The plan's facts version (duban.assessment.factscache) and the triggers that change it.

Every table duban.assessment.facts.load() reads gets triggers that give the plans it touches a new random
version on insert, update and delete, in the database, so that no way of writing can leave cached facts in
use: a view, a management command, the admin, QuerySet.update()/bulk_create(), raw SQL. SQLite has row-level
triggers only; PostgreSQL's are per statement, reading the changed rows from transition tables, so a bulk
import of 25,000 assignments bumps its plan once, not 25,000 times (and TRUNCATE bumps every plan). The plan's
own row and a unit's name and order (the facts carry them) use row-level triggers limited to those columns.

The SQL is written out here, not imported, so that this migration means the same whatever the code becomes:
a new table load() reads needs a new migration adding its triggers (tests/assessment/test_facts_cache.py
checks every table has them).
"""
import django.db.models.deletion
from django.db import migrations, models

VERSIONS = "assessment_planfactsversion"
# table -> the plans its rows {rows} belong to (a SELECT of plan ids)
PLAN_OF = {
    "plans_section": "SELECT x.plan_id FROM {rows} x",
    "plans_task": "SELECT x.plan_id FROM {rows} x",
    "plans_assignment": "SELECT t.plan_id FROM {rows} x JOIN plans_task t ON t.id = x.task_id",
    "progress_report": ("SELECT t.plan_id FROM {rows} x JOIN plans_assignment a ON a.id = x.assignment_id"
                        " JOIN plans_task t ON t.id = a.task_id"),
    "progress_statuschange": ("SELECT t.plan_id FROM {rows} x JOIN plans_assignment a ON a.id = x.assignment_id"
                              " JOIN plans_task t ON t.id = a.task_id"),
}
UNIT_PLANS = "SELECT t.plan_id FROM plans_assignment a JOIN plans_task t ON t.id = a.task_id WHERE a.unit_id = {unit}"
RANDOM = {"sqlite": "random()", "postgresql": "floor(random() * 9.0e18)::bigint"}
# The same for SQLite's row-level triggers: the plans of the row {row} (NEW or OLD)
SQLITE_PLAN_OF = {
    "plans_section": "SELECT {row}.plan_id",
    "plans_task": "SELECT {row}.plan_id",
    "plans_assignment": "SELECT plan_id FROM plans_task WHERE id = {row}.task_id",
    "progress_report": ("SELECT t.plan_id FROM plans_assignment a JOIN plans_task t ON t.id = a.task_id"
                        " WHERE a.id = {row}.assignment_id"),
    "progress_statuschange": ("SELECT t.plan_id FROM plans_assignment a JOIN plans_task t ON t.id = a.task_id"
                              " WHERE a.id = {row}.assignment_id"),
}
SQLITE_ROW = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}


def _bump(vendor: str, plans: str) -> str:
    if vendor == "postgresql":  # the rows locked in plan order: two statements touching the same plans never deadlock
        return (f"UPDATE {VERSIONS} v SET version = {RANDOM[vendor]} FROM (SELECT plan_id FROM {VERSIONS} WHERE plan_id IN "
                f"({plans}) ORDER BY plan_id FOR UPDATE) locked WHERE v.plan_id = locked.plan_id;")
    return f"UPDATE {VERSIONS} SET version = {RANDOM[vendor]} WHERE plan_id IN ({plans});"


def _sqlite(table: str, event: str) -> str:
    plans = [SQLITE_PLAN_OF[table].format(row=row) for row in SQLITE_ROW[event]]
    if len(plans) == 1:  # one row's plan: "=" costs a bulk insert a third less than "IN"
        bump = f"UPDATE {VERSIONS} SET version = random() WHERE plan_id = ({plans[0]});"
    else:
        bump = _bump("sqlite", " UNION ".join(plans))
    return f"CREATE TRIGGER duban_facts_{table}_{event.lower()} AFTER {event} ON {table} BEGIN {bump} END"


def sqlite_sql() -> list[str]:
    sql = [_sqlite(table, event) for table in PLAN_OF for event in SQLITE_ROW]
    sql += [
        f"CREATE TRIGGER duban_facts_plans_plan_insert AFTER INSERT ON plans_plan BEGIN "
        f"INSERT OR REPLACE INTO {VERSIONS} (plan_id, version) VALUES (NEW.id, random()); END",
        f"CREATE TRIGGER duban_facts_plans_plan_update AFTER UPDATE OF created_at ON plans_plan "
        f"WHEN OLD.created_at IS NOT NEW.created_at BEGIN {_bump('sqlite', 'NEW.id')} END",
        f"CREATE TRIGGER duban_facts_plans_plan_delete AFTER DELETE ON plans_plan BEGIN "
        f"DELETE FROM {VERSIONS} WHERE plan_id = OLD.id; END",
        f"CREATE TRIGGER duban_facts_directory_unit_update AFTER UPDATE OF name, sort_order ON directory_unit "
        f"WHEN OLD.name IS NOT NEW.name OR OLD.sort_order IS NOT NEW.sort_order "
        f"BEGIN {_bump('sqlite', UNIT_PLANS.format(unit='NEW.id'))} END",
        f"INSERT OR REPLACE INTO {VERSIONS} (plan_id, version) SELECT id, random() FROM plans_plan",
    ]
    return sql


def sqlite_reverse() -> list[str]:
    names = [f"duban_facts_{t}_{e.lower()}" for t in PLAN_OF for e in SQLITE_ROW]
    names += ["duban_facts_plans_plan_insert", "duban_facts_plans_plan_update", "duban_facts_plans_plan_delete",
              "duban_facts_directory_unit_update"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def postgresql_sql() -> list[str]:
    pg = "postgresql"
    sql = []
    for table, plans in PLAN_OF.items():
        new, old = plans.format(rows="new_rows"), plans.format(rows="old_rows")
        sql.append(f"""CREATE FUNCTION duban_facts_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {_bump(pg, new)}
    ELSIF TG_OP = 'DELETE' THEN {_bump(pg, old)}
    ELSIF TG_OP = 'UPDATE' THEN {_bump(pg, new + " UNION " + old)}
    ELSE {_bump(pg, f"SELECT plan_id FROM {VERSIONS}")}  -- TRUNCATE: every plan
    END IF;
    RETURN NULL;
END $$""")
        for event, referencing in (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                                   ("DELETE", "OLD TABLE AS old_rows")):
            sql.append(f"CREATE TRIGGER duban_facts_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION duban_facts_{table}()")
        sql.append(f"CREATE TRIGGER duban_facts_{table}_truncate AFTER TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION duban_facts_{table}()")
    sql += [
        f"""CREATE FUNCTION duban_facts_plans_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {VERSIONS} (plan_id, version) VALUES (NEW.id, {RANDOM[pg]})
        ON CONFLICT (plan_id) DO UPDATE SET version = EXCLUDED.version;
    ELSIF TG_OP = 'DELETE' THEN DELETE FROM {VERSIONS} WHERE plan_id = OLD.id;
    ELSE {_bump(pg, 'NEW.id')}
    END IF;
    RETURN NULL;
END $$""",
        "CREATE TRIGGER duban_facts_plans_plan_insert AFTER INSERT ON plans_plan FOR EACH ROW EXECUTE FUNCTION duban_facts_plans_plan()",
        "CREATE TRIGGER duban_facts_plans_plan_update AFTER UPDATE OF created_at ON plans_plan FOR EACH ROW "
        "WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION duban_facts_plans_plan()",
        "CREATE TRIGGER duban_facts_plans_plan_delete AFTER DELETE ON plans_plan FOR EACH ROW EXECUTE FUNCTION duban_facts_plans_plan()",
        f"""CREATE FUNCTION duban_facts_directory_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_bump(pg, UNIT_PLANS.format(unit='NEW.id'))}
    RETURN NULL;
END $$""",
        "CREATE TRIGGER duban_facts_directory_unit_update AFTER UPDATE OF name, sort_order ON directory_unit FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.sort_order IS DISTINCT FROM NEW.sort_order) "
        "EXECUTE FUNCTION duban_facts_directory_unit()",
        f"INSERT INTO {VERSIONS} (plan_id, version) SELECT id, {RANDOM[pg]} FROM plans_plan ON CONFLICT (plan_id) DO NOTHING",
    ]
    return sql


def postgresql_reverse() -> list[str]:
    functions = [*PLAN_OF, "plans_plan", "directory_unit"]
    return [f"DROP FUNCTION IF EXISTS duban_facts_{name}() CASCADE" for name in functions]  # CASCADE: its triggers


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"no facts version triggers for {vendor}")
        for sql in statements[vendor]():
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0002_scheme_min_assessed'),
        ('plans', '0011_plans_without_a_year_last'),
        ('progress', '0005_report_period_due'),
        ('directory', '0003_unit_contact_roles'),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanFactsVersion',
            fields=[
                ('plan', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='facts_version', serialize=False, to='plans.plan', verbose_name='方案')),
                ('version', models.BigIntegerField(verbose_name='版本')),
            ],
            options={
                'verbose_name': '方案数据版本',
                'verbose_name_plural': '方案数据版本',
            },
        ),
        migrations.RunPython(
            _run({"sqlite": sqlite_sql, "postgresql": postgresql_sql}),
            _run({"sqlite": sqlite_reverse, "postgresql": postgresql_reverse}),
        ),
    ]
