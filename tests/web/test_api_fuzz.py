"""schemathesis against the OpenAPI description: every operation, with generated valid and invalid input,
called as an administrator (who may call everything), never answers with a server error (5xx).

(schemathesis's own pytest plugin does not run under pytest 9 yet, so the operations are driven here
with its Hypothesis strategies.)"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from web_helpers import seed

EXAMPLES = 4


# PostgreSQL is where careless input fails loudly (NUL characters, over-long strings, integer overflow),
# so the fuzzing runs there.
@pytest.mark.slow
@pytest.mark.parametrize("backend", [pytest.param("postgresql", id="pg", marks=pytest.mark.postgres)], indirect=True)
def test_no_operation_answers_with_a_server_error(web):
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error

    seed(web.case)
    headers = {"Authorization": f"Bearer {web.tokens['admin']}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    failures: list[str] = []
    statuses: dict[int, int] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = _fuzzer(operation.as_strategy(generation_mode=mode), headers, not_a_server_error, statuses)
            try:
                run()
            except Unsatisfiable:
                continue  # nothing to make invalid: the operation takes no input
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
    # both accepted and refused input were exercised
    assert sum(n for code, n in statuses.items() if code < 300) > 50
    assert statuses.get(422, 0) > 50


def _fuzzer(strategy, headers: dict, check, statuses: dict):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        case = data.draw(strategy)
        response = case.call_and_validate(headers=headers, checks=[check])
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    return run
