"""index accounts.score

Revision ID: 0002_index_plain
Revises: 0001_create_accounts
Create Date: 2024-01-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002_index_plain"
down_revision = "0001_create_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("accounts_score_idx", "accounts", ["score"])


def downgrade():
    op.drop_index("accounts_score_idx", table_name="accounts")
