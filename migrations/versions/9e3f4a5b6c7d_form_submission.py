"""forms saved once: the key each create form carries, so that a form sent twice is saved once

A form whose answer was lost on a poor connection, and which the user sent again, must not record
a second repayment or donation (tracker/once.py).

Revision ID: 9e3f4a5b6c7d
Revises: 8d2e3f4a5b6c
Create Date: 2026-11-27 13:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9e3f4a5b6c7d'
down_revision = '8d2e3f4a5b6c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('saved_at', sa.DateTime(), nullable=False),
        sa.Column('location', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_form_submission_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submission')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_form_submission_user_id')),
    )


def downgrade():
    op.drop_table('form_submission')
