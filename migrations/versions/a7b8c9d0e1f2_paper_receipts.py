"""receipts first written on paper: the paper book and number of a donation or repayment

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-12-07 11:10:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a7b8c9d0e1f2"
down_revision = "f6a7b8c9d0e1"
branch_labels = None
depends_on = None

TABLES = ("donation", "repayment")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("paper_book", sa.String(length=20), nullable=False, server_default=""))
        op.add_column(table, sa.Column("paper_no", sa.String(length=20), nullable=False, server_default=""))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("paper_no")
            batch_op.drop_column("paper_book")
