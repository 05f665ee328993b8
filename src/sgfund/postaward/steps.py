"""One step in an award's life after the decision, as it is recorded and stored.

Every post-award fact (an offer, its acceptance, each payment's authorisation and payment, a
return, a variation, a clawback) is one `AwardStep`: who did it, when, and the few fields that
kind of step needs. An award's steps are numbered from 1 (``seq``) and never change once
recorded; its position (`sgfund.postaward.position`) is what its steps add up to.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

from sgfund import _validate as v
from sgfund.dates import LONDON, require_aware
from sgfund.errors import FieldError

__all__ = ["FINAL_RETURN", "Action", "AwardStep"]

# The id of an award's end-of-project return: accepting it completes the project.
FINAL_RETURN = "final"


class Action(enum.StrEnum):
    """What a step records."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    AUTHORISED = "authorised"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    VARIATION_REQUESTED = "variation_requested"
    VARIATION_APPROVED = "variation_approved"
    VARIATION_REFUSED = "variation_refused"
    RETURN_RECEIVED = "return_received"
    RETURN_ACCEPTED = "return_accepted"
    RETURN_SENT_BACK = "return_sent_back"
    CLAWED_BACK = "clawed_back"
    RECOVERED = "recovered"
    WITHDRAWN = "withdrawn"


_INSTALMENT = frozenset(
    {Action.SCHEDULED, Action.AUTHORISED, Action.PAID, Action.FAILED, Action.CANCELLED}
)
_REF = frozenset(
    {
        Action.VARIATION_REQUESTED,
        Action.VARIATION_APPROVED,
        Action.VARIATION_REFUSED,
        Action.RETURN_RECEIVED,
        Action.RETURN_ACCEPTED,
        Action.RETURN_SENT_BACK,
    }
)
_AMOUNT = frozenset({Action.SCHEDULED, Action.PAID, Action.CLAWED_BACK, Action.RECOVERED})
_REASON = frozenset(
    {
        Action.FAILED,
        Action.CANCELLED,
        Action.VARIATION_REQUESTED,
        Action.VARIATION_REFUSED,
        Action.RETURN_SENT_BACK,
        Action.CLAWED_BACK,
        Action.WITHDRAWN,
    }
)


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise FieldError("conditions", values, "a list of conditions, not one string")
    return tuple(v.stripped(value) for value in values)


def _optional_identifier(_inst: object, attribute: object, value: str | None) -> None:
    if value is not None and not v.IDENTIFIER.match(value):
        name = getattr(attribute, "name", "id")
        raise FieldError(name, value, "an id of letters, digits, '.', '_' and '-'")


def _london(value: datetime) -> datetime:
    # Stored and read back as London time (as `sgfund.convert` reads every datetime), so a
    # step's JSON is the same before and after the round trip.
    if not isinstance(value, datetime):
        raise FieldError("at", value, "a timezone-aware datetime")
    return require_aware(value, field="at").astimezone(LONDON)


def _seq(_inst: object, _attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError("seq", value, "a whole number from 1")


@frozen(kw_only=True, field_transformer=v.name_money_fields)
class AwardStep:
    """One recorded step of an award after its decision.

    ``seq`` numbers the award's steps from 1, in the order they happened; ``at`` is when (an
    aware datetime, given, never read from a clock) and ``by`` who did it. The other fields
    are used by some actions only:

    - ``amount``: an instalment's amount (scheduled, paid), the amount clawed back or
      recovered, or the new amount a variation asks for;
    - ``instalment``: the instalment a payment step is about;
    - ``ref``: the variation or return a step is about; for a scheduled instalment, the
      return it waits for (``"final"``: payable once the final return is accepted);
    - ``due_on``: when an instalment is due, or (offered) when the final return is due;
    - ``end``: the funding period's end (offered), or the new end a variation asks for;
    - ``purpose``: the new purpose a variation asks for;
    - ``conditions``: the offer's conditions;
    - ``reason``: why (required where a step undoes or changes something);
    - ``confirmed``: a payment of the same amount on the same day as another payment of the
      award is intended (otherwise it is refused as a likely duplicate).
    """

    award_id: str = field(validator=v.identifier)
    round_id: str = field(validator=v.slug)
    seq: int = field(validator=_seq)
    action: Action = field(converter=Action)
    at: datetime = field(converter=_london)
    by: str = field(converter=v.stripped, validator=v.text)
    amount: Decimal | None = field(
        default=None, converter=v.optional_money, validator=v.non_negative
    )
    instalment: str | None = field(default=None, validator=_optional_identifier)
    ref: str | None = field(default=None, validator=_optional_identifier)
    due_on: date | None = field(default=None)
    end: date | None = field(default=None)
    purpose: str | None = field(default=None, converter=v.optional_stripped)
    conditions: tuple[str, ...] = field(default=(), converter=_texts)
    reason: str = field(default="", converter=v.stripped)
    confirmed: bool = False

    def __attrs_post_init__(self) -> None:
        action = self.action
        if action in _INSTALMENT and self.instalment is None:
            raise FieldError("instalment", None, f"the instalment a {action} step is about")
        if action in _REF and self.ref is None:
            raise FieldError("ref", None, f"the variation or return a {action} step is about")
        if action in _AMOUNT and (self.amount is None or self.amount <= 0):
            raise FieldError("amount", self.amount, f"an amount of more than £0.00 ({action})")
        if action in _REASON and not self.reason:
            raise FieldError("reason", self.reason, f"a reason ({action})")
        if action is Action.OFFERED and (self.end is None or self.due_on is None):
            raise FieldError(
                "end" if self.end is None else "due_on",
                None,
                "the funding period's end and the final return's due date (offered)",
            )
        if action is Action.VARIATION_REQUESTED and (
            self.amount is None and self.end is None and self.purpose is None
        ):
            raise FieldError("amount", None, "a new amount, end or purpose to vary")
        if action is Action.VARIATION_REQUESTED and self.amount is not None and self.amount <= 0:
            raise FieldError(
                "amount",
                self.amount,
                "a new amount of more than £0.00 (to end an award, withdraw it)",
            )

    @property
    def id(self) -> str:
        """The step's key: its award and number (``GR2-001-A#00003``), sorting in order."""
        return f"{self.award_id}#{self.seq:05d}"

    @property
    def on(self) -> date:
        """The day of the step, in London."""
        return self.at.astimezone(LONDON).date()
