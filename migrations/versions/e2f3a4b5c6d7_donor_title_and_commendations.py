"""a donor's title (Ông, Bà) for the letters' salutation; commendations (biểu dương, khen thưởng)

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-07 13:50:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "e2f3a4b5c6d7"
down_revision = "d1e2f3a4b5c6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("donor") as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=10), nullable=False, server_default=""))
        batch_op.create_check_constraint("title", "title IN ('', 'Ông', 'Bà')")
    op.create_table(
        "commendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=10), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("donor_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("shown_as", sa.String(length=200), nullable=False),
        sa.Column("form", sa.String(length=100), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decision_no", sa.String(length=50), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "recipient IN ('member', 'donor', 'person')", name=op.f("ck_commendation_recipient")
        ),
        sa.CheckConstraint(
            "(recipient = 'member' AND member_id IS NOT NULL AND donor_id IS NULL AND person_id IS NULL)"
            " OR (recipient = 'donor' AND donor_id IS NOT NULL AND member_id IS NULL AND person_id IS NULL)"
            " OR (recipient = 'person' AND person_id IS NOT NULL AND member_id IS NULL AND donor_id IS NULL)",
            name=op.f("ck_commendation_one_recipient"),
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_commendation_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_member.id"], name=op.f("fk_commendation_member_id_committee_member")
        ),
        sa.ForeignKeyConstraint(["donor_id"], ["donor.id"], name=op.f("fk_commendation_donor_id_donor")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_commendation_person_id_person")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_commendation_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commendation")),
    )
    with op.batch_alter_table("commendation") as batch_op:
        batch_op.create_index(batch_op.f("ix_commendation_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commendation_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commendation_donor_id"), ["donor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commendation_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_commendation_fund_decided", ["fund_id", "decided_on"], unique=False)


def downgrade():
    op.drop_table("commendation")
    with op.batch_alter_table("donor") as batch_op:
        batch_op.drop_constraint(op.f("ck_donor_title"), type_="check")
        batch_op.drop_column("title")
