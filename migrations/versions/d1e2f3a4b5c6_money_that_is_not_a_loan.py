"""money that is not a loan: grants and running costs (paid with a phiếu chi, the journal's
"grant" and "expense" events on the accounts grants_paid and running_costs), the donations that
paid them, gifts in kind, and referrals on a person's file

Revision ID: d1e2f3a4b5c6
Revises: c0d1e2f3a4b5
Create Date: 2026-12-07 13:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd1e2f3a4b5c6'
down_revision = 'c0d1e2f3a4b5'
branch_labels = None
depends_on = None

OLD_EVENTS = "('donation', 'disbursement', 'repayment', 'write_off', 'recovery', 'transfer')"
NEW_EVENTS = "('donation', 'disbursement', 'repayment', 'write_off', 'recovery', 'transfer', 'grant', 'expense')"
OLD_ACCOUNTS = "('cash', 'receivable', 'capital', 'written_off', 'bank')"
NEW_ACCOUNTS = "('cash', 'receivable', 'capital', 'written_off', 'bank', 'grants_paid', 'running_costs')"
JOURNAL = ('journal_transaction', 'journal_line')
MESSAGE = "append-only table: post a reversal instead of changing or deleting a row"


def allow(events: str, accounts: str) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in JOURNAL:
        # On SQLite the batch rebuilds the table, and the append-only triggers go with the old one
        # (a1c0f0e5b001 made them): they are made again on the new table, as f6a7b8c9d0e1 did.
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
    create_tables()
    allow(NEW_EVENTS, NEW_ACCOUNTS)


def downgrade():
    # Refused by the old CHECKs once a grant or a cost was posted: the journal keeps it.
    allow(OLD_EVENTS, OLD_ACCOUNTS)
    drop_tables()


def create_tables():
    op.create_table('gift_in_kind',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('estimated_value', sa.BigInteger(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('estimated_value > 0', name=op.f('ck_gift_in_kind_value_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_gift_in_kind_created_by_id_user')),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_gift_in_kind_donor_id_donor')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_gift_in_kind_fund_id_fund')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_gift_in_kind_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_in_kind'))
    )
    with op.batch_alter_table('gift_in_kind', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_in_kind_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gift_in_kind_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gift_in_kind_person_id'), ['person_id'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('referred_to', sa.String(length=200), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=15), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('job', 'vocational_training', 'social_policy_loan', 'identity_papers')", name=op.f('ck_referral_kind')),
    sa.CheckConstraint("outcome IN ('pending', 'succeeded', 'not_succeeded')", name=op.f('ck_referral_outcome')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_referral_created_by_id_user')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_referral_fund_id_fund')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_referral_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_person_id'), ['person_id'], unique=False)

    op.create_table('spending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('payee', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('voucher_no', sa.String(length=20), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=True),
    sa.Column('reversal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("category != 'grant' OR person_id IS NOT NULL", name=op.f('ck_spending_grant_person')),
    sa.CheckConstraint("category IN ('grant', 'expense')", name=op.f('ck_spending_category')),
    sa.CheckConstraint("kind IN ('tet_gift', 'emergency', 'school_fees', 'other_grant', 'meeting', 'stationery', 'bank_fee', 'other_expense')", name=op.f('ck_spending_kind')),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected', 'paid')", name=op.f('ck_spending_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_spending_amount_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_spending_decided_by_id_user')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_spending_fund_id_fund')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['user.id'], name=op.f('fk_spending_paid_by_id_user')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_spending_person_id_person')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_spending_proposed_by_id_user')),
    sa.ForeignKeyConstraint(['reversal_id'], ['journal_transaction.id'], name=op.f('fk_spending_reversal_id_journal_transaction')),
    sa.ForeignKeyConstraint(['transaction_id'], ['journal_transaction.id'], name=op.f('fk_spending_transaction_id_journal_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spending'))
    )
    with op.batch_alter_table('spending', schema=None) as batch_op:
        batch_op.create_index('ix_spending_fund_category_proposed', ['fund_id', 'category', 'proposed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_spending_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spending_person_id'), ['person_id'], unique=False)

    op.create_table('spending_funding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('spending_id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('void', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_spending_funding_donation_id_donation')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_spending_funding_fund_id_fund')),
    sa.ForeignKeyConstraint(['spending_id'], ['spending.id'], name=op.f('fk_spending_funding_spending_id_spending')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spending_funding'))
    )
    with op.batch_alter_table('spending_funding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spending_funding_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spending_funding_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spending_funding_spending_id'), ['spending_id'], unique=False)


def drop_tables():
    with op.batch_alter_table('spending_funding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spending_funding_spending_id'))
        batch_op.drop_index(batch_op.f('ix_spending_funding_fund_id'))
        batch_op.drop_index(batch_op.f('ix_spending_funding_donation_id'))

    op.drop_table('spending_funding')
    with op.batch_alter_table('spending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spending_person_id'))
        batch_op.drop_index(batch_op.f('ix_spending_fund_id'))
        batch_op.drop_index('ix_spending_fund_category_proposed')

    op.drop_table('spending')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_person_id'))
        batch_op.drop_index(batch_op.f('ix_referral_fund_id'))

    op.drop_table('referral')
    with op.batch_alter_table('gift_in_kind', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gift_in_kind_person_id'))
        batch_op.drop_index(batch_op.f('ix_gift_in_kind_fund_id'))
        batch_op.drop_index(batch_op.f('ix_gift_in_kind_donor_id'))

    op.drop_table('gift_in_kind')
