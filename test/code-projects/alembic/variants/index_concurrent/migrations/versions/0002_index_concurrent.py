"""index accounts.score concurrently

Revision ID: 0002_index_concurrent
Revises: 0001_create_accounts
Create Date: 2024-01-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002_index_concurrent"
down_revision = "0001_create_accounts"
branch_labels = None
depends_on = None


def upgrade():
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction block: autocommit_block commits
    # the migration transaction, runs this outside one, then begins a new one.
    with op.get_context().autocommit_block():
        op.create_index("accounts_score_idx", "accounts", ["score"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("accounts_score_idx", table_name="accounts", postgresql_concurrently=True)
