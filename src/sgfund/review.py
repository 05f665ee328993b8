"""Officers' judgements on assessments: resolving referrals and overriding themes."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from sgfund import _validate as v

__all__ = ["Resolution", "ThemeOverride"]


@frozen(kw_only=True)
class Resolution:
    """An officer's decision on an application that the rules referred for judgement.

    ``eligible`` says which way the referral went; ``reason`` is recorded for the audit trail.
    """

    application_id: str = field(validator=v.identifier)
    eligible: bool
    reason: str = field(converter=v.stripped, validator=v.text)
    resolved_by: str = field(converter=v.stripped, validator=v.text)
    resolved_on: date = field(validator=v.is_date)


@frozen(kw_only=True)
class ThemeOverride:
    """An officer's choice of a project's themes; it always wins over declared and classified."""

    application_id: str = field(validator=v.identifier)
    themes: frozenset[str] = field(converter=v.theme_slugs)
    reason: str = field(converter=v.stripped, validator=v.text)
    set_by: str = field(converter=v.stripped, validator=v.text)
    set_on: date = field(validator=v.is_date)
