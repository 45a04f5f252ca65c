"""loan terms as a commune makes them: guarantor, approved amount, the meeting, schedule versions

The term now counts the grace months (12 months with 1 of grace is 11 installments), so existing
loans' terms grow by their grace: their stored schedules are kept as they are, and a loan not yet
disbursed gets the same number of installments it was asked with.

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-07 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None

LOAN_TEXT = {
    'guarantor_name': 200,
    'guarantor_relation': 100,
    'guarantor_phone': 30,
    'guarantor_address': 300,
    'hamlet_head_name': 200,
    'write_off_minutes_ref': 200,
    'payer_name': 200,
    'payer_relation': 100,
}


def upgrade():
    op.add_column('fund', sa.Column('collection_day', sa.Integer(), nullable=True))
    op.add_column('loan', sa.Column('approved_amount', sa.BigInteger(), nullable=True))
    for name in ('attendees', 'votes_for', 'votes_against'):
        op.add_column('loan', sa.Column(name, sa.Integer(), nullable=True))
    for name, length in LOAN_TEXT.items():
        op.add_column('loan', sa.Column(name, sa.String(length), nullable=False, server_default=''))
    op.add_column('installment', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('installment', sa.Column('valid_from', sa.Date(), nullable=True))
    op.add_column('installment', sa.Column('valid_until', sa.Date(), nullable=True))
    op.drop_index('ix_installment_loan_number', table_name='installment')
    op.create_index(
        'ix_installment_loan_number',
        'installment',
        ['loan_id', 'number'],
        unique=False,
        postgresql_include=['due_on', 'amount_due', 'superseded', 'valid_from', 'valid_until'],
    )
    op.create_table(
        'schedule_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('loan_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('made_on', sa.Date(), nullable=False),
        sa.Column('outstanding', sa.BigInteger(), nullable=False),
        sa.Column('installments', sa.Integer(), nullable=True),
        sa.Column('first_due_on', sa.Date(), nullable=True),
        sa.Column('paused_from', sa.Date(), nullable=True),
        sa.Column('paused_until', sa.Date(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('minutes_ref', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('reschedule', 'pause')", name=op.f('ck_schedule_change_kind')),
        sa.CheckConstraint(
            'paused_until IS NULL OR paused_until >= paused_from', name=op.f('ck_schedule_change_pause_order')
        ),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_schedule_change_created_by_id_user')),
        sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_schedule_change_fund_id_fund')),
        sa.ForeignKeyConstraint(['loan_id'], ['loan.id'], name=op.f('fk_schedule_change_loan_id_loan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_change')),
        sa.UniqueConstraint('loan_id', 'version', name=op.f('uq_schedule_change_loan_id')),
    )
    op.create_index('ix_schedule_change_fund_id', 'schedule_change', ['fund_id'], unique=False)
    op.create_table(
        'person_handover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('to_fund_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=True),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('new_person_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'cancelled')", name=op.f('ck_person_handover_status')
        ),
        sa.CheckConstraint('fund_id <> to_fund_id', name=op.f('ck_person_handover_another_fund')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_handover_person_id_person')),
        sa.ForeignKeyConstraint(
            ['new_person_id'], ['person.id'], name=op.f('fk_person_handover_new_person_id_person')
        ),
        sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_person_handover_fund_id_fund')),
        sa.ForeignKeyConstraint(['to_fund_id'], ['fund.id'], name=op.f('fk_person_handover_to_fund_id_fund')),
        sa.ForeignKeyConstraint(
            ['proposed_by_id'], ['user.id'], name=op.f('fk_person_handover_proposed_by_id_user')
        ),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_person_handover_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person_handover')),
    )
    for column in ('person_id', 'fund_id', 'to_fund_id'):
        op.create_index(f'ix_person_handover_{column}', 'person_handover', [column], unique=False)
    op.create_index('ix_schedule_change_loan_id', 'schedule_change', ['loan_id'], unique=False)
    op.execute(
        "UPDATE loan SET term_months = CASE WHEN term_months + grace_months > 120 THEN 120"
        " ELSE term_months + grace_months END"
    )
    op.execute(
        "UPDATE loan SET approved_amount = principal"
        " WHERE status IN ('approved', 'active', 'repaid', 'written_off')"
    )


def downgrade():
    op.execute(
        "UPDATE loan SET term_months = CASE WHEN term_months - grace_months < 1 THEN 1"
        " ELSE term_months - grace_months END"
    )
    op.drop_table('person_handover')
    op.drop_index('ix_schedule_change_loan_id', table_name='schedule_change')
    op.drop_index('ix_schedule_change_fund_id', table_name='schedule_change')
    op.drop_table('schedule_change')
    op.drop_index('ix_installment_loan_number', table_name='installment')
    op.create_index(
        'ix_installment_loan_number',
        'installment',
        ['loan_id', 'number'],
        unique=False,
        postgresql_include=['due_on', 'amount_due', 'superseded'],
    )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild of loan or fund would have
    # to drop a table other tables reference.
    for name in ('valid_until', 'valid_from', 'version'):
        op.drop_column('installment', name)
    for name in (*LOAN_TEXT, 'votes_against', 'votes_for', 'attendees', 'approved_amount'):
        op.drop_column('loan', name)
    op.drop_column('fund', 'collection_day')
