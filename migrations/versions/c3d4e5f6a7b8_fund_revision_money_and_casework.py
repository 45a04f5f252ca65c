"""a fund's two revisions: its money, and the rest (a visit no longer drops the money sums)

Revision ID: c3d4e5f6a7b8
Revises: b2c3d4e5f6a7
Create Date: 2026-12-07 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b2c3d4e5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fund_revision') as batch_op:
        batch_op.alter_column('revision', new_column_name='money_revision')
        batch_op.add_column(sa.Column('casework_revision', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('fund_revision') as batch_op:
        batch_op.drop_column('casework_revision')
        batch_op.alter_column('money_revision', new_column_name='revision')
