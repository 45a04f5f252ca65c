"""a fund's revision: a new random number at every commit that writes the fund's rows

The dashboard's and the reports' figures are kept per (fund, revision) (tracker/revisions.py). A
fund with no row yet has revision 0.

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
    op.create_table(
        'fund_revision',
        sa.Column('fund_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('fund_id', name=op.f('pk_fund_revision')),
    )


def downgrade():
    op.drop_table('fund_revision')
