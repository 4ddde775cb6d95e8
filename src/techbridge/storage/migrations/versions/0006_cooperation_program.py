"""cooperations: program, consortium and start date (a consortium program's cooperations)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cooperations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("program_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consortium_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cooperations_program_id"), ["program_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cooperations_program_id_programs"),
            "programs",
            ["program_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cooperations_consortium_id_consortia"),
            "consortia",
            ["consortium_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # a cooperation of a round belongs to the round's program
    op.execute(
        "UPDATE cooperations SET program_id = "
        "(SELECT rounds.program_id FROM rounds WHERE rounds.id = cooperations.round_id) "
        "WHERE round_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("cooperations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cooperations_consortium_id_consortia"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_cooperations_program_id_programs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cooperations_program_id"))
        batch_op.drop_column("started_on")
        batch_op.drop_column("consortium_id")
        batch_op.drop_column("program_id")
