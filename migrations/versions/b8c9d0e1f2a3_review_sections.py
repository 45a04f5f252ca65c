"""a review's text per section: the chair's text of each section of the sơ kết / tổng kết, and
periods that are any date range

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 11:20:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "b8c9d0e1f2a3"
down_revision = "a7b8c9d0e1f2"
branch_labels = None
depends_on = None


def upgrade():
    # The lists saved so far are the "what to do next" section's.
    with op.batch_alter_table("review_note") as batch_op:
        batch_op.add_column(
            sa.Column("section", sa.String(length=20), nullable=False, server_default="next_steps")
        )
        batch_op.alter_column("period", existing_type=sa.String(length=7), type_=sa.String(length=30))
        batch_op.drop_constraint(op.f("uq_review_note_fund_id"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_review_note_fund_id"), ["fund_id", "period", "section"])


def downgrade():
    # Only the "what to do next" lists of half years and years fit the old table.
    op.execute("DELETE FROM review_note WHERE section != 'next_steps' OR length(period) > 7")
    with op.batch_alter_table("review_note") as batch_op:
        batch_op.drop_constraint(op.f("uq_review_note_fund_id"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_review_note_fund_id"), ["fund_id", "period"])
        batch_op.alter_column("period", existing_type=sa.String(length=30), type_=sa.String(length=7))
        batch_op.drop_column("section")
