"""An example sgfund plugin: a rule that refers applications with too short a summary."""

from sgfund import Rule, hookimpl, refer

MIN_WORDS = 12


def summary_length(app, round, as_of):
    words = len(app.summary.split())
    if words >= MIN_WORDS:
        return None  # a pass costs nothing
    return refer(
        f"the summary has {words} words; an officer needs at least {MIN_WORDS} to assess it",
        "summary",
    )


def summary_length_batch(round, applications, as_of):
    for app in applications:
        result = summary_length(app, round, as_of)
        if result is not None:
            yield app.id, result


SUMMARY_LENGTH = Rule(
    id="summary-length",
    version="1",
    description=f"The project summary has at least {MIN_WORDS} words.",
    check=summary_length,
    check_batch=summary_length_batch,
)


@hookimpl
def sgfund_eligibility_rules(round):
    return [SUMMARY_LENGTH]
