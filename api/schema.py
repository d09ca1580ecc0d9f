"""What drf-spectacular does not say by itself: every operation may answer
with a problem document (api/problems.py) for bad input, missing
authentication, a missing scope or permission, an unknown object, a
conflict and too many requests. Documenting them keeps the schema true,
which schemathesis checks in CI (tests/api/test_fuzz.py)."""

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status", "detail"],
}
ERRORS = {
    "400": "The request is invalid: `errors` names each field's problem.",
    "401": "Not signed in: send a personal access token (Authorization: Bearer shp_…) or sign in.",
    "403": "Signed in, but the token lacks the scope or the person the permission (`detail` says which).",
    "404": "Not found, or not yours.",
    "405": "The address does not take this method.",
    "406": "Only JSON is served.",
    "409": "The request conflicts with the object's state (`detail` says how).",
    "415": "Send JSON.",
    "422": "The Idempotency-Key was used with another request.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
}


def problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """A postprocessing hook: the Problem component, and the error answers
    on every operation that does not describe them itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in {"get", "put", "patch", "post", "delete", "head"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result
