"""covering indexes for sums: a fund's and a loan's journal lines, a loan's schedule

Replaces three indexes by wider ones that PostgreSQL can answer from the index alone (INCLUDE;
SQLite builds them without the included columns). The query plans are in bench/NOTES.md.

Revision ID: 7c1d2e3f4a5b
Revises: 5ea7c9b65588
Create Date: 2026-11-27 08:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c1d2e3f4a5b'
down_revision = '5ea7c9b65588'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_journal_line_fund_account_posted', table_name='journal_line')
    op.drop_index('ix_journal_line_loan', table_name='journal_line')
    op.drop_index('ix_installment_loan_id', table_name='installment')
    op.create_index(
        'ix_journal_line_fund_account_event_posted',
        'journal_line',
        ['fund_id', 'account', 'event', 'posted_on'],
        unique=False,
        postgresql_include=['amount'],
    )
    op.create_index(
        'ix_journal_line_loan_account_posted',
        'journal_line',
        ['loan_id', 'account', 'posted_on'],
        unique=False,
        postgresql_include=['event', 'amount'],
    )
    op.create_index(
        'ix_installment_loan_number',
        'installment',
        ['loan_id', 'number'],
        unique=False,
        postgresql_include=['due_on', 'amount_due', 'superseded'],
    )


def downgrade():
    op.drop_index('ix_installment_loan_number', table_name='installment')
    op.drop_index('ix_journal_line_loan_account_posted', table_name='journal_line')
    op.drop_index('ix_journal_line_fund_account_event_posted', table_name='journal_line')
    op.create_index('ix_installment_loan_id', 'installment', ['loan_id'], unique=False)
    op.create_index('ix_journal_line_loan', 'journal_line', ['loan_id', 'account'], unique=False)
    op.create_index(
        'ix_journal_line_fund_account_posted', 'journal_line', ['fund_id', 'account', 'posted_on'], unique=False
    )
