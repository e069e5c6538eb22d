"""The executor's shortcuts (api/executor.py) change no answer, only the cost; and lists that
preload what their rows' fields load answer those fields without an asyncio task each, so the
tasks an overview or a report page costs do not grow with the rows it shows."""

from __future__ import annotations

import asyncio
from inspect import isawaitable
from typing import Any

import pytest
from graphql import ExecutionContext, execute, parse

from collab_api.api.context import RequestContext
from collab_api.api.execution import run_operation
from collab_api.api.executor import FastExecutionContext
from collab_api.api.schema import schema
from collab_api.domain.permissions import ANONYMOUS, Actor, Role
from collab_api.web.operations import document

pytestmark = pytest.mark.usefixtures("network")

NATIONAL = Actor("test:national", Role.NATIONAL)
LEAD = Actor("test:lead", Role.LEAD, collaborative="KSS")  # sees KSS's drafts: the counted, not kept, paths
QUARTERLY = {"id": "marthas-rule", "quarter": None, "atOrBelowStage": 3, "signedIn": True}


async def _run(graph: Any, settings: Any, viewer: Actor, query: str, variables: dict[str, Any],
               context_class: type[ExecutionContext]) -> tuple[Any, list[Any], int]:
    """Data, errors, and the asyncio tasks made while executing."""
    loop = asyncio.get_running_loop()
    made = 0
    before = loop.get_task_factory()

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **options: Any) -> asyncio.Task[Any]:
        nonlocal made
        made += 1
        return asyncio.Task(coro, loop=loop, **options)

    loop.set_task_factory(counting)  # type: ignore[arg-type]
    try:
        result = execute(schema.graphql_schema, parse(query), variable_values=variables,
                         context_value=RequestContext(graph=graph, settings=settings, viewer=viewer),
                         execution_context_class=context_class)
        if isawaitable(result):
            result = await result
    finally:
        loop.set_task_factory(before)
    return result.data, [error.formatted for error in result.errors or []], made


CASES = [
    ("national", {}),
    ("quarterly_report", QUARTERLY),
    ("intervention", {"id": "marthas-rule"}),
    ("search", {"text": "falls", "filter": {}, "sort": "RELEVANCE", "after": None}),
    ("organisation", {"odsCode": "RTH"}),
]


@pytest.mark.parametrize("viewer", [NATIONAL, LEAD, ANONYMOUS], ids=["national", "lead", "anonymous"])
@pytest.mark.parametrize("name, variables", CASES, ids=[name for name, _ in CASES])
async def test_the_shortcuts_change_no_answer(graph, settings, viewer: Actor, name: str, variables: dict[str, Any]) -> None:
    if viewer.is_anonymous and "signedIn" in variables:
        variables = {**variables, "signedIn": False}
    plain = await _run(graph, settings, viewer, document(name), variables, ExecutionContext)
    fast = await _run(graph, settings, viewer, document(name), variables, FastExecutionContext)
    assert fast[:2] == plain[:2]
    assert plain[0] is not None


async def test_errors_and_conversions_are_graphql_cores_own(graph, settings) -> None:
    """A non-null field with a null, an Int given a float, an unknown intervention: the same
    errors and values either way (the shortcut takes only values already of their type)."""
    query = """{ a: intervention(id: "no-such-thing") { id title }
                 quarterlyReport(intervention: "no-such-thing") { quarter }
                 collaboratives { code name priorities { id title interventionCount } } }"""
    plain = await _run(graph, settings, NATIONAL, query, {}, ExecutionContext)
    fast = await _run(graph, settings, NATIONAL, query, {}, FastExecutionContext)
    assert fast[:2] == plain[:2]
    assert plain[1], "the unknown intervention's report is an error"


async def test_overview_cards_answer_without_a_task_each(graph, settings) -> None:
    """Each priority's first cards (status reviewed, spread) are preloaded by the priority: three
    cards a priority cost the tasks one does."""
    query = """query($n: Int) { networkOverview { code priorities(status: ACTIVE) { id interventionCount
        interventions(first: $n) { id title status statusReviewed spread { organisationsReached regionsReached medianStage } } } } }"""
    one = await _run(graph, settings, ANONYMOUS, query, {"n": 1}, FastExecutionContext)
    three = await _run(graph, settings, ANONYMOUS, query, {"n": 3}, FastExecutionContext)
    cards = lambda data: sum(len(p["interventions"]) for c in data["networkOverview"] for p in c["priorities"])  # noqa: E731
    assert not one[1] and not three[1]
    more = cards(three[0]) - cards(one[0])
    assert more > 5
    assert three[2] - one[2] < more / 2  # without the preloading, two tasks or more a card
    plain = await _run(graph, settings, ANONYMOUS, query, {"n": 3}, ExecutionContext)
    assert plain[0] == three[0]


async def test_report_pages_answer_their_sites_without_a_task_each(graph, settings) -> None:
    """A page of the quarterly report's lists: site, trust and collaborative preloaded by the page."""
    query = document("quarterly_report")
    small = await _run(graph, settings, NATIONAL, query, {**QUARTERLY, "first": 2}, FastExecutionContext)
    large = await _run(graph, settings, NATIONAL, query, {**QUARTERLY, "first": 40}, FastExecutionContext)
    rows = lambda data: sum(len(data["quarterlyReport"][key]) for key in ("sitesAtOrBelow", "answers", "sitesWithNoData"))  # noqa: E731
    assert not small[1] and not large[1]
    more = rows(large[0]) - rows(small[0])
    assert more > 20
    assert large[2] - small[2] < more / 2  # without the preloading, three tasks or more a row


async def test_priorities_answer_their_interventions_without_a_task_each(graph, settings) -> None:
    """A collaborative's priorities load their interventions ahead (with the argument the items
    ask): twelve more priorities cost no more tasks. (Last in the module: it sets priorities.)"""
    query = """{ networkOverview { code priorities(status: ACTIVE) { id
        interventions(first: 3) { id title spread { organisationsReached } } } } }"""
    count = lambda data: sum(len(c["priorities"]) for c in data["networkOverview"])  # noqa: E731

    async def add(numbers: range) -> None:
        for n in numbers:
            outcome = await run_operation("""mutation($input: SetPriorityInput!) { setPriority(input: $input) { errors { message } } }""",
                                          graph=graph, settings=settings, viewer=NATIONAL, variables={"input": {
                                              "collaborative": "KSS", "title": f"Executor test priority {n}", "harmArea": "Falls"}})
            assert not outcome.errors and not outcome.data["setPriority"]["errors"], outcome

    # A new priority with no intervention yet has no kept cards: its cards are looked up (one more
    # wave, a few tasks whatever the number of priorities), so the first priorities are added before.
    await add(range(3))
    before = await _run(graph, settings, ANONYMOUS, query, {}, FastExecutionContext)
    await add(range(3, 15))
    after = await _run(graph, settings, ANONYMOUS, query, {}, FastExecutionContext)
    assert not before[1] and not after[1]
    assert count(after[0]) == count(before[0]) + 12
    assert after[2] - before[2] < 6  # without the preloading, a task or more a priority
    assert after[0] == (await _run(graph, settings, ANONYMOUS, query, {}, ExecutionContext))[0]
