"""login attempts: the session whose password question a wrong password answered

Revision ID: b2c3d4e5f6a7
Revises: a1b2c3d4e5f6
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b2c3d4e5f6a7'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_attempt') as batch_op:
        batch_op.add_column(sa.Column('login_session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_login_attempt_login_session_id_login_session'),
            'login_session',
            ['login_session_id'],
            ['id'],
        )
        batch_op.create_index('ix_login_attempt_login_session_id', ['login_session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempt') as batch_op:
        batch_op.drop_index('ix_login_attempt_login_session_id')
        batch_op.drop_constraint(batch_op.f('fk_login_attempt_login_session_id_login_session'), type_='foreignkey')
        batch_op.drop_column('login_session_id')
