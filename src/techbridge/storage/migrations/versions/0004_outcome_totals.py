"""outcomes: quantity, program and source (a program's published totals)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quantity", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("program_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outcomes_program_id_programs"),
            "programs",
            ["program_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outcomes_program_id_programs"), type_="foreignkey")
        batch_op.drop_column("source")
        batch_op.drop_column("program_id")
        batch_op.drop_column("quantity")
