"""add 1 to every account's score, 1,000 ids at a time

Revision ID: 0002_backfill_loop
Revises: 0001_create_accounts
Create Date: 2024-01-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002_backfill_loop"
down_revision = "0001_create_accounts"
branch_labels = None
depends_on = None

BATCH_SIZE = 1000

select_batch = sa.text("SELECT id FROM accounts WHERE id > :last_id ORDER BY id LIMIT :batch_size")
bump_batch = sa.text("UPDATE accounts SET score = score + 1 WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True))


def upgrade():
    bind = op.get_bind()
    last_id = 0
    while True:
        batch = [row[0] for row in bind.execute(select_batch, {"last_id": last_id, "batch_size": BATCH_SIZE})]
        if not batch:
            break
        bind.execute(bump_batch, {"ids": batch})
        last_id = batch[-1]
        if len(batch) < BATCH_SIZE:
            break


def downgrade():
    op.execute("UPDATE accounts SET score = score - 1")
