"""A bounded property-based run of the API against its own OpenAPI document: no request
schemathesis can make gets a 500 or an answer the document does not describe.

Seeded and bounded (examples per operation), so it is deterministic and quick; a kiosk
key authenticates the requests (counter and display operations then answer 401/403,
which the document describes too)."""

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = 30


def test_the_api_keeps_to_its_document(app, demo):
    answered = []
    app.after_request(lambda response: answered.append(response.status_code) or response)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {demo}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    problems = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_document(case):
            case.call_and_validate(headers=headers)

        try:
            keeps_to_the_document()
        except Exception as failure:  # every operation is tried; all failures reported
            problems.append(f"{operation.label}: {failure}")
    assert not problems, "\n\n".join(problems)
    assert len(answered) >= len(operations) * 5, "the run really exercised the API"
    assert 500 not in answered
