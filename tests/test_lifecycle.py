import pytest

from sgfund import LifecycleError, london
from sgfund.lifecycle import TRANSITIONS, RoundState, transition

AT = london(2022, 6, 10, 12)


def test_the_happy_path_goes_through_every_state_once():
    state = RoundState.DRAFT
    events = []
    for target in ("open", "closed_to_applications", "assessed", "decided", "closed"):
        event = transition("mayor-gr2", state, target, actor="officer", at=AT, reason="on time")
        events.append(event)
        state = event.to_state
    assert state is RoundState.CLOSED
    assert [e.from_state for e in events] == list(RoundState)[:-1]
    assert all(e.actor == "officer" and e.at == AT for e in events)


@pytest.mark.parametrize("source", list(RoundState))
@pytest.mark.parametrize("target", list(RoundState))
def test_only_listed_transitions_are_possible(source, target):
    if target in TRANSITIONS[source]:
        assert transition("r", source, target, actor="a", at=AT).to_state is target
    else:
        with pytest.raises(LifecycleError) as err:
            transition("r", source, target, actor="a", at=AT)
        assert err.value.state == source
        assert err.value.target == target


def test_closed_is_final():
    assert TRANSITIONS[RoundState.CLOSED] == frozenset()
    with pytest.raises(LifecycleError, match="closed is final"):
        transition("r", "closed", "open", actor="a", at=AT)


def test_guards_report_every_reason():
    with pytest.raises(LifecycleError) as err:
        transition(
            "r",
            "decided",
            "closed",
            actor="a",
            at=AT,
            guards=[lambda: ["2 applications undecided"], lambda: [], lambda: ["1 referral open"]],
        )
    assert "2 applications undecided; 1 referral open" in str(err.value)


def test_a_transition_names_its_actor_and_needs_an_aware_time():
    with pytest.raises(ValueError, match="actor"):
        transition("r", "draft", "open", actor=" ", at=AT)
    with pytest.raises(ValueError, match="at"):
        transition("r", "draft", "open", actor="a", at=AT.replace(tzinfo=None))
