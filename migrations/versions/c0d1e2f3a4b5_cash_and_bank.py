"""cash and bank: the journal's "bank" account and "transfer" event, transfers between the cash
box and the bank, and cash counts (biên bản kiểm kê quỹ)

Revision ID: c0d1e2f3a4b5
Revises: b8c9d0e1f2a3
Create Date: 2026-12-07 13:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c0d1e2f3a4b5'
down_revision = 'b8c9d0e1f2a3'
branch_labels = None
depends_on = None

OLD_EVENTS = "('donation', 'disbursement', 'repayment', 'write_off', 'recovery')"
NEW_EVENTS = "('donation', 'disbursement', 'repayment', 'write_off', 'recovery', 'transfer')"
OLD_ACCOUNTS = "('cash', 'receivable', 'capital', 'written_off')"
NEW_ACCOUNTS = "('cash', 'receivable', 'capital', 'written_off', 'bank')"
JOURNAL = ('journal_transaction', 'journal_line')
MESSAGE = "append-only table: post a reversal instead of changing or deleting a row"


def allow(events: str, accounts: str) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in JOURNAL:
        # On SQLite the batch rebuilds the table, and the append-only triggers go with the old one
        # (a1c0f0e5b001 made them): they are made again on the new table.
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_event'), type_='check')
            batch_op.create_check_constraint('event', f"event IN {events}")
            if table == 'journal_line':
                batch_op.drop_constraint(op.f('ck_journal_line_account'), type_='check')
                batch_op.create_check_constraint('account', f"account IN {accounts}")
        if sqlite:
            for action in ('UPDATE', 'DELETE'):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action.lower()}")
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({table})'); END"
                )


def upgrade():
    allow(NEW_EVENTS, NEW_ACCOUNTS)
    op.create_table(
        'transfer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('made_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('bank_ref', sa.String(length=50), nullable=False),
        sa.Column('document_no', sa.String(length=20), nullable=False),
        sa.Column('transaction_id', sa.Integer(), nullable=False),
        sa.Column('reversal_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_transfer_amount_positive')),
        sa.CheckConstraint("kind IN ('deposit', 'withdrawal')", name=op.f('ck_transfer_kind')),
        sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_transfer_fund_id_fund')),
        sa.ForeignKeyConstraint(
            ['transaction_id'], ['journal_transaction.id'], name=op.f('fk_transfer_transaction_id_journal_transaction')
        ),
        sa.ForeignKeyConstraint(
            ['reversal_id'], ['journal_transaction.id'], name=op.f('fk_transfer_reversal_id_journal_transaction')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer')),
        sa.UniqueConstraint('fund_id', 'document_no', name=op.f('uq_transfer_fund_id')),
    )
    with op.batch_alter_table('transfer') as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_fund_id'), ['fund_id'], unique=False)
    op.create_table(
        'cash_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('counted_on', sa.Date(), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('counted', sa.BigInteger(), nullable=False),
        sa.Column('book_balance', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('counted_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['counted_by_id'], ['user.id'], name=op.f('fk_cash_count_counted_by_id_user')),
        sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_cash_count_fund_id_fund')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_count')),
    )
    with op.batch_alter_table('cash_count') as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_count_fund_id'), ['fund_id'], unique=False)


def downgrade():
    op.drop_table('cash_count')
    op.drop_table('transfer')
    # Refused by the old CHECKs if a transfer or a bank line was posted: the journal keeps them.
    allow(OLD_EVENTS, OLD_ACCOUNTS)
