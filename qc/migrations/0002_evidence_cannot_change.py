"""Samples, their units and verdicts are evidence: PostgreSQL refuses UPDATE and DELETE on them.

The models refuse a second save already; the trigger also stops QuerySet.update(), raw SQL and the shell.
TRUNCATE (the test suite's flush) is not affected.
"""

from django.db import migrations

TABLES = ["qc_sample", "qc_sampleunit", "qc_verdict"]

FUNCTION = """
CREATE FUNCTION qc_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is inspection evidence: rows are never changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""

TRIGGER = """
CREATE TRIGGER {table}_is_evidence BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION qc_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("qc", "0001_inspection_samples_verdicts")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION qc_refuse_change();"),
        *(
            migrations.RunSQL(TRIGGER.format(table=table), f"DROP TRIGGER {table}_is_evidence ON {table};")
            for table in TABLES
        ),
    ]
