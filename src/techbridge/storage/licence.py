"""The tables of licences (기술실시계약): a licence of a signed agreement, its schedule of instalments
(the up-front fee, fixed instalments or running-royalty periods) and the payments received."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techbridge.storage.tables import Agreement, Base, Organization, Stamped, Technology


class Licence(Stamped, Base):
    """A licence: the technology a licensor licenses to a licensee under a signed agreement."""

    __tablename__ = "licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    technology_id: Mapped[int] = mapped_column(ForeignKey("technologies.id", ondelete="CASCADE"))
    licensor_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    licensee_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    #: ``rate`` (a running royalty on reported sales) or ``fixed`` (fixed instalments).
    royalty_kind: Mapped[str] = mapped_column(String(8))
    #: The running royalty's rate in basis points (1% = 100); ``None`` for fixed instalments.
    rate_bp: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="KRW", server_default="KRW")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    agreement: Mapped[Agreement] = relationship()
    technology: Mapped[Technology] = relationship()
    licensor: Mapped[Organization] = relationship(foreign_keys=[licensor_id])
    licensee: Mapped[Organization] = relationship(foreign_keys=[licensee_id])
    instalments: Mapped[list[LicenceInstalment]] = relationship(
        cascade="all, delete-orphan", order_by="LicenceInstalment.number"
    )
    payments: Mapped[list[LicencePayment]] = relationship(
        cascade="all, delete-orphan", order_by="LicencePayment.id"
    )


class LicenceInstalment(Base):
    """One payment a licence's schedule expects: number 0 may be the up-front fee.

    A fixed instalment or fee has its ``amount_krw``; a running-royalty period has the ``sales_krw``
    its royalty is a share of, once the licensee reports them.
    """

    __tablename__ = "licence_instalments"
    __table_args__ = (UniqueConstraint("licence_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    due_on: Mapped[dt.date] = mapped_column(Date)
    amount_krw: Mapped[int | None] = mapped_column(BigInteger)
    sales_krw: Mapped[int | None] = mapped_column(BigInteger)


class LicencePayment(Stamped, Base):
    """Money received for one instalment; it is also the royalty outcome ``outcome_id`` (KPIs count that)."""

    __tablename__ = "licence_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"), index=True)
    instalment_id: Mapped[int] = mapped_column(ForeignKey("licence_instalments.id", ondelete="CASCADE"))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount_krw: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[str] = mapped_column(String(200))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id", ondelete="SET NULL"))
    instalment: Mapped[LicenceInstalment] = relationship()
