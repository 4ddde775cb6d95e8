"""licences: licences, their instalments and payments

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("technology_id", sa.Integer(), nullable=False),
        sa.Column("licensor_id", sa.Integer(), nullable=False),
        sa.Column("licensee_id", sa.Integer(), nullable=False),
        sa.Column("royalty_kind", sa.String(length=8), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="KRW", nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_licences_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["licensee_id"],
            ["organizations.id"],
            name=op.f("fk_licences_licensee_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["licensor_id"],
            ["organizations.id"],
            name=op.f("fk_licences_licensor_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technology_id"],
            ["technologies.id"],
            name=op.f("fk_licences_technology_id_technologies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licences")),
        sa.UniqueConstraint("key", name=op.f("uq_licences_key")),
    )
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licences_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "licence_instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_krw", sa.BigInteger(), nullable=True),
        sa.Column("sales_krw", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["licences.id"],
            name=op.f("fk_licence_instalments_licence_id_licences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_instalments")),
        sa.UniqueConstraint("licence_id", "number", name=op.f("uq_licence_instalments_licence_id")),
    )
    op.create_table(
        "licence_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("instalment_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_krw", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instalment_id"],
            ["licence_instalments.id"],
            name=op.f("fk_licence_payments_instalment_id_licence_instalments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["licences.id"],
            name=op.f("fk_licence_payments_licence_id_licences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_licence_payments_outcome_id_outcomes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_payments")),
    )
    with op.batch_alter_table("licence_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licence_payments_licence_id"), ["licence_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("licence_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licence_payments_licence_id"))

    op.drop_table("licence_payments")
    op.drop_table("licence_instalments")
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licences_agreement_id"))

    op.drop_table("licences")
