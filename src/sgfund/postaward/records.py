"""The records of where an award stands: its `Position`, instalments, variations, versions
and returns, their statuses, and `PostAwardError`.

`sgfund.postaward.position` folds steps into these; see its docstring for what each figure of
the money means.
"""  # noqa: D205 - the summary needs both lines

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from attrs import frozen

from sgfund.decisions import Award
from sgfund.errors import SgfundError
from sgfund.money import ZERO, sum_money
from sgfund.postaward.steps import AwardStep

__all__ = [
    "Instalment",
    "InstalmentStatus",
    "Position",
    "PostAwardError",
    "ReturnStatus",
    "Status",
    "SubmittedReturn",
    "Variation",
    "Version",
]


class PostAwardError(SgfundError, ValueError):
    """A post-award step that cannot happen: ``problems`` says why, each naming its award."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = "\n".join([f"{len(self.problems)} problems:", *(f"  - {p}" for p in problems)])
        super().__init__(text)


class Status(enum.StrEnum):
    """Where an award is in its own lifecycle (separate from its round's)."""

    AWARDED = "awarded"  # decided, not yet offered
    OFFERED = "offered"
    ACTIVE = "active"  # accepted
    DECLINED = "declined"
    COMPLETED = "completed"  # final return accepted
    WITHDRAWN = "withdrawn"


class InstalmentStatus(enum.StrEnum):
    """Where one instalment of the payment schedule is (a failed payment is scheduled again)."""

    SCHEDULED = "scheduled"
    AUTHORISED = "authorised"
    PAID = "paid"
    CANCELLED = "cancelled"


class ReturnStatus(enum.StrEnum):
    """Where a monitoring return is."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    SENT_BACK = "sent_back"


@frozen(kw_only=True)
class Instalment:
    """One payment of the schedule: its amount, when it is due, and who did each step."""

    id: str
    amount: Decimal
    due_on: date | None
    waits_for: str | None  # a return that must be accepted first
    status: InstalmentStatus = InstalmentStatus.SCHEDULED
    authorised_by: str | None = None
    paid_by: str | None = None
    paid_at: datetime | None = None
    failures: int = 0

    @property
    def pending(self) -> bool:
        """Scheduled or authorised: still to be paid."""
        return self.status in (InstalmentStatus.SCHEDULED, InstalmentStatus.AUTHORISED)


@frozen(kw_only=True)
class Variation:
    """A requested change to an award's amount, end or purpose, and what became of it."""

    id: str
    requested_by: str
    requested_at: datetime
    reason: str
    amount: Decimal | None
    end: date | None
    purpose: str | None
    status: str = "requested"  # requested, approved or refused
    decided_by: str | None = None


@frozen(kw_only=True)
class Version:
    """One version of an award's terms: the original (step 0) and each change since."""

    seq: int
    amount: Decimal
    end: date
    purpose: str | None
    why: str


@frozen(kw_only=True)
class SubmittedReturn:
    """A monitoring return as received, and what the fund made of it."""

    id: str
    status: ReturnStatus
    received_at: datetime
    decided_by: str | None = None


@frozen(kw_only=True)
class Position:
    """An award after its decision: its status, money, schedule, returns and history."""

    award: Award
    max_months: int
    status: Status = Status.AWARDED
    awarded: Decimal
    end: date
    purpose: str | None = None
    conditions: tuple[str, ...] = ()
    return_due: date | None = None
    accepted_at: datetime | None = None
    accepted_by: str | None = None
    instalments: tuple[Instalment, ...] = ()
    variations: tuple[Variation, ...] = ()
    returns: tuple[SubmittedReturn, ...] = ()
    versions: tuple[Version, ...] = ()
    clawed: Decimal = ZERO
    recovered: Decimal = ZERO
    steps: tuple[AwardStep, ...] = ()

    @property
    def award_id(self) -> str:
        """The award's id."""
        return self.award.id

    @property
    def paid(self) -> Decimal:
        """Every instalment paid, gross."""
        return sum_money(i.amount for i in self.instalments if i.status is InstalmentStatus.PAID)

    @property
    def to_pay(self) -> Decimal:
        """Instalments scheduled or authorised and not yet paid."""
        return sum_money(i.amount for i in self.instalments if i.pending)

    @property
    def to_recover(self) -> Decimal:
        """Clawed back and not yet recovered."""
        return self.clawed - self.recovered

    @property
    def outstanding(self) -> Decimal:
        """``awarded - paid + recovered`` (negative while clawed-back money is still due)."""
        return self.awarded - self.paid + self.recovered

    @property
    def accepted(self) -> bool:
        """Whether the offer was accepted (so payments may be made)."""
        return self.status in (Status.ACTIVE, Status.COMPLETED) or self.accepted_at is not None

    @property
    def last_at(self) -> datetime | None:
        """When the latest step happened."""
        return self.steps[-1].at if self.steps else None

    def instalment(self, instalment_id: str) -> Instalment | None:
        """The instalment with this id, if scheduled."""
        return next((i for i in self.instalments if i.id == instalment_id), None)

    def variation(self, variation_id: str) -> Variation | None:
        """The variation with this id, if requested."""
        return next((v for v in self.variations if v.id == variation_id), None)

    def submitted(self, return_id: str) -> SubmittedReturn | None:
        """The return with this id, if received."""
        return next((r for r in self.returns if r.id == return_id), None)
