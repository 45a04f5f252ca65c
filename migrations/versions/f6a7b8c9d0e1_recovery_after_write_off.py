"""money back after a write-off: the journal's "recovery" event, and a receipt's kind

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-12-07 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f6a7b8c9d0e1'
down_revision = 'e5f6a7b8c9d0'
branch_labels = None
depends_on = None

OLD = "('donation', 'disbursement', 'repayment', 'write_off')"
NEW = "('donation', 'disbursement', 'repayment', 'write_off', 'recovery')"
JOURNAL = ('journal_transaction', 'journal_line')
MESSAGE = "append-only table: post a reversal instead of changing or deleting a row"


def allow_events(events: str) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in JOURNAL:
        # On SQLite the batch rebuilds the table, and the append-only triggers go with the old one
        # (a1c0f0e5b001 made them): they are made again on the new table.
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_event'), type_='check')
            batch_op.create_check_constraint('event', f"event IN {events}")
        if sqlite:
            for action in ('UPDATE', 'DELETE'):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action.lower()}")
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({table})'); END"
                )


def upgrade():
    op.add_column('repayment', sa.Column('kind', sa.String(length=10), nullable=False, server_default='repayment'))
    allow_events(NEW)


def downgrade():
    # Refused by the old CHECK if a recovery was posted: the journal keeps it, so there is no way back.
    allow_events(OLD)
    op.drop_column('repayment', 'kind')
