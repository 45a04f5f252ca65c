"""person status "paused" (tạm dừng giúp đỡ) replaces "reoffended"

A re-offence is a court's finding and criminal-record data, which the fund does not hold (DESIGN
§3): existing records move to the neutral "paused". The audit log keeps its old words (nobody can
change it); the app shows "reoffended" there as "paused" too.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-07 07:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None

NEW = "('supported', 'settled', 'paused', 'moved', 'deceased')"
OLD = "('supported', 'settled', 'reoffended', 'moved', 'deceased')"
CHECKS = {'person': 'status', 'person_status_change': 'to_status'}


def move(old: str, new: str, allowed: str) -> None:
    # The CHECK is dropped first, the rows moved, then the CHECK that allows the new word made:
    # on SQLite each step rebuilds the table, which checks every row it copies.
    for table, column in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
    op.execute(f"UPDATE person SET status = '{new}' WHERE status = '{old}'")
    op.execute(f"UPDATE person_status_change SET to_status = '{new}' WHERE to_status = '{old}'")
    op.execute(f"UPDATE person_status_change SET from_status = '{new}' WHERE from_status = '{old}'")
    for table, column in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(column, f"{column} IN {allowed}")


def upgrade():
    move('reoffended', 'paused', NEW)


def downgrade():
    move('paused', 'reoffended', OLD)
