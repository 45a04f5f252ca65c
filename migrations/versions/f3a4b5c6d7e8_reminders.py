"""reminders (flask remind, /reminders): a member's email, the fund's "overdue by more than N days"
for the chair's weekly line, and the log of reminders sent (one a day per recipient and kind)

Revision ID: f3a4b5c6d7e8
Revises: e2f3a4b5c6d7
Create Date: 2026-12-07 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "f3a4b5c6d7e8"
down_revision = "e2f3a4b5c6d7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("committee_member") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=False, server_default=""))
    with op.batch_alter_table("fund") as batch_op:
        batch_op.add_column(
            sa.Column("remind_overdue_days", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.create_check_constraint("remind_overdue_days", "remind_overdue_days BETWEEN 1 AND 365")
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.CheckConstraint("kind IN ('visits', 'repayments', 'chair')", name=op.f("ck_reminder_sent_kind")),
        sa.CheckConstraint("channel IN ('email')", name=op.f("ck_reminder_sent_channel")),
        sa.CheckConstraint(
            "member_id IS NOT NULL OR user_id IS NOT NULL", name=op.f("ck_reminder_sent_recipient")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_reminder_sent_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_member.id"], name=op.f("fk_reminder_sent_member_id_committee_member")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_reminder_sent_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint(
            "fund_id", "recipient", "kind", "channel", "sent_on", name=op.f("uq_reminder_sent_fund_id")
        ),
    )
    with op.batch_alter_table("reminder_sent") as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_sent_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_sent_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("reminder_sent")
    with op.batch_alter_table("fund") as batch_op:
        batch_op.drop_constraint(op.f("ck_fund_remind_overdue_days"), type_="check")
        batch_op.drop_column("remind_overdue_days")
    with op.batch_alter_table("committee_member") as batch_op:
        batch_op.drop_column("email")
