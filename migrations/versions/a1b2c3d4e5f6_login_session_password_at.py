"""login sessions: when the password was last typed (asked again before approving or disbursing)

Revision ID: a1b2c3d4e5f6
Revises: 9e3f4a5b6c7d
Create Date: 2026-11-27 14:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = '9e3f4a5b6c7d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_session') as batch_op:
        batch_op.add_column(sa.Column('password_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('login_session') as batch_op:
        batch_op.drop_column('password_at')
