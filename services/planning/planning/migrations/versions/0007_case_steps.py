"""Planning's case records keep their steps apart, one row a step (ADR 0035): a record every
event reads and writes no longer carries the case's whole timeline.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from planning.persistence import steps

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    steps.create(op.get_bind())
    # The steps records hold now move to the new table, numbered from 0 in their order.
    op.execute(
        """
        INSERT INTO case_steps (step_key, state, case_id, n)
        SELECT r.case_id || '/' || lpad((s.n - 1)::text, 5, '0'),
               jsonb_build_object(
                   'case_id', r.case_id, 'n', s.n - 1,
                   'day', s.step->'day', 'stage', s.step->'stage', 'what', s.step->'what'
               ),
               r.case_id, s.n - 1
        FROM case_records r,
             jsonb_array_elements(r.state->'steps') WITH ORDINALITY AS s(step, n)
        """
    )
    op.execute(
        """
        UPDATE case_records
        SET state = jsonb_set(state, '{steps}', '[]')
                    || jsonb_build_object('steps_kept', jsonb_array_length(state->'steps'))
        WHERE jsonb_array_length(state->'steps') > 0
        """
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
