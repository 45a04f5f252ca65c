"""a fund's revision: a new random number at every commit that writes the fund's rows

The dashboard's and the reports' figures are kept per (fund, revision) (tracker/revisions.py).

Revision ID: 8d2e3f4a5b6c
Revises: 7c1d2e3f4a5b
Create Date: 2026-11-27 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8d2e3f4a5b6c'
down_revision = '7c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.BigInteger(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.drop_column('revision')
