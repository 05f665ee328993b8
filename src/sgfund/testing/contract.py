"""Check that a rule or classifier keeps sgfund's contract, over generated applications.

Call these from an ordinary test (not from inside another hypothesis test)::

    from sgfund.testing.contract import check_rule_contract

    def test_my_rule_keeps_the_contract(sgfund_round):
        check_rule_contract(MY_RULE, sgfund_round)

    def test_my_classifier_keeps_the_contract():
        check_classifier_contract(MY_CLASSIFIER, vocabularies=[MY_VOCABULARY])

A rule keeps the contract when it never raises, gives the same answer twice, returns only
``None`` or well-formed `Result` objects (a verdict, a reason, fields that exist on
`Application`), has a version, and, when it offers both forms, its batch form agrees with its
one-by-one form. Needs hypothesis (the ``test`` extra).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.funds import Round
from sgfund.testing import strategies as sgst
from sgfund.types import Classifier, Result, Rule, ThemeHit, Verdict
from sgfund.vocabulary import ThemeVocabulary, Vocabularies

__all__ = ["check_classifier_contract", "check_rule_contract", "field_exists"]


def _require(condition: object, message: str) -> None:
    # Not ``assert``: the contract must hold under ``python -O`` too.
    if not condition:
        raise AssertionError(message)


def field_exists(path: str, cls: type = Application) -> bool:
    """Whether ``path`` (such as ``"organisation.postcode"``) names a field of ``cls``."""
    head, _, rest = path.partition(".")
    if not attrs.has(cls):
        return False
    fields = attrs.fields_dict(cls)
    if head in fields:
        if not rest:
            return True
        inner = typing.get_type_hints(cls).get(head)
        return isinstance(inner, type) and field_exists(rest, inner)
    return not rest and isinstance(getattr(cls, head, None), property)


def _problem_with(result: object) -> str | None:
    if result is None:
        return None
    if type(result) is not Result:
        return f"returned {result!r}; expected None (pass) or a Result"
    if not isinstance(result.verdict, Verdict):
        return f"gave verdict {result.verdict!r}; expected a Verdict"
    if not isinstance(result.reason, str) or not result.reason.strip():
        return f"gave no reason with {result.verdict}"
    unknown = [f for f in result.fields if not field_exists(f)]
    if unknown:
        return f"says it read {unknown}, which are not fields of Application"
    return None


def _settings(max_examples: int | None, shrink: bool) -> settings:
    base = settings()
    phases = base.phases if shrink else tuple(p for p in base.phases if p is not Phase.shrink)
    return settings(
        base,
        phases=phases,
        max_examples=max_examples or base.max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _non_pass(
    rule: Rule, round: Round, batch: Sequence[Application], as_of: date
) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if rule.check is None:
        return out
    for app in batch:
        result = rule.check(app, round, as_of)
        problem = _problem_with(result)
        _require(problem is None, f"rule {rule.id!r} {problem} (application {app.id})")
        if result is not None and result.verdict is not Verdict.PASS:
            out[app.id] = result
    return out


def _batch_non_pass(
    rule: Rule, round: Round, batch: Sequence[Application], as_of: date
) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if rule.check_batch is None:
        return out
    ids = {a.id for a in batch}
    for pair in rule.check_batch(round, batch, as_of):
        _require(
            isinstance(pair, tuple) and len(pair) == 2,
            (f"rule {rule.id!r}: check_batch gave {pair!r}; expected (application id, Result)"),
        )
        app_id, result = pair
        _require(app_id in ids, f"rule {rule.id!r}: check_batch named {app_id!r}, not in the batch")
        _require(app_id not in out, f"rule {rule.id!r}: check_batch gave {app_id!r} twice")
        problem = _problem_with(result)
        _require(problem is None, f"rule {rule.id!r}: check_batch {problem} (application {app_id})")
        if result.verdict is not Verdict.PASS:
            out[app_id] = result
    return out


def check_rule_contract(
    rule: Rule,
    round: Round | None = None,
    *,
    applications: Any = None,
    max_examples: int | None = None,
    shrink: bool = True,
) -> None:
    """Assert that ``rule`` keeps the contract over generated batches of applications.

    ``round`` defaults to generated rounds; ``applications`` is a function from a round to a
    strategy for batches (default `sgfund.testing.strategies.application_batches`, which
    includes applications that break common rules). Raises ``AssertionError`` saying what broke,
    or the rule's own exception. ``shrink=False`` reports the first failing example unshrunk.
    """
    _require(isinstance(rule, Rule), f"{rule!r} is not a Rule")
    _require(v.VERSION.match(rule.version), f"rule {rule.id!r} has no usable version")
    _require(rule.description.strip(), f"rule {rule.id!r} has no description to publish")
    batches = applications or sgst.application_batches
    rounds = st.just(round) if round is not None else sgst.rounds()

    @_settings(max_examples, shrink)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        rnd = data.draw(rounds, label="round")
        batch = data.draw(batches(rnd), label="applications")
        as_of = data.draw(sgst.as_of_dates(rnd), label="as_of")
        one = _non_pass(rule, rnd, batch, as_of)
        _require(
            one == _non_pass(rule, rnd, batch, as_of),
            (f"rule {rule.id!r} gave different answers for the same applications"),
        )
        if rule.check_batch is not None:
            many = _batch_non_pass(rule, rnd, batch, as_of)
            _require(
                many == _batch_non_pass(rule, rnd, list(batch), as_of),
                (f"rule {rule.id!r}: check_batch gave different answers for the same batch"),
            )
            if rule.check is not None:
                _require(
                    many == one,
                    (f"rule {rule.id!r}: check_batch disagrees with check: {many} != {one}"),
                )

    run()


def check_classifier_contract(
    classifier: Classifier,
    round: Round | None = None,
    *,
    vocabularies: Sequence[ThemeVocabulary] = (),
    applications: Any = None,
    max_examples: int | None = None,
    shrink: bool = True,
) -> None:
    """Assert that ``classifier`` never raises, is deterministic and gives live themes.

    ``vocabularies`` are the vocabularies the classifier's themes come from (your plugin's);
    ``round`` must name them, and generated rounds do. Every hit must be a `ThemeHit` for a
    live theme of those vocabularies, with a reason; a batch form must agree with the
    one-by-one form. Applications declare themes from the vocabularies too.
    """
    _require(isinstance(classifier, Classifier), f"{classifier!r} is not a Classifier")
    _require(classifier.description.strip(), f"classifier {classifier.id!r} has no description")
    ids = tuple(voc.id for voc in vocabularies)
    live = Vocabularies(round_id="contract", vocabularies=vocabularies).live_slugs
    if round is not None:
        _require(
            set(ids) <= set(round.theme_vocabularies),
            f"round {round.id} does not name the vocabularies {ids}",
        )
    batches = applications or (lambda rnd: sgst.application_batches(rnd, themes=live))
    rounds = st.just(round) if round is not None else sgst.rounds(vocabulary_ids=ids)

    def hits_of(rnd: Round, batch: Sequence[Application]) -> set[tuple[str, ThemeHit]]:
        out: set[tuple[str, ThemeHit]] = set()
        if classifier.classify is not None:
            for app in batch:
                for found in classifier.classify(app, rnd) or ():
                    _require(type(found) is ThemeHit, f"{classifier.id!r} gave {found!r}")
                    _require(found.theme in live, f"{classifier.id!r} gave unknown {found.theme!r}")
                    _require(found.reason.strip(), f"{classifier.id!r} gave no reason")
                    out.add((app.id, found))
        return out

    @_settings(max_examples, shrink)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        rnd = data.draw(rounds, label="round")
        batch = data.draw(batches(rnd), label="applications")
        one = hits_of(rnd, batch)
        _require(one == hits_of(rnd, batch), f"classifier {classifier.id!r} is not deterministic")
        if classifier.classify_batch is not None:
            many = set(classifier.classify_batch(rnd, batch))
            if classifier.classify is not None:
                _require(many == one, f"classifier {classifier.id!r}: batch form disagrees")

    run()
