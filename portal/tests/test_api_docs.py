"""docs/api.md lists every endpoint of the OpenAPI schema (method and path), each with a curl example."""

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.mark.django_db
def test_every_schema_endpoint_is_documented_with_an_example(client):
    schema = client.get("/api/schema/?format=json").json()
    wanted = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops
              if method != "parameters"}
    text = DOC.read_text(encoding="utf-8")
    entries = re.findall(r"^\*\*(GET|POST|PUT|PATCH|DELETE) `([^`]+)`\*\*.*?\n\n```sh\n(curl [^\n]+)\n```", text,
                         flags=re.M)
    documented = {(method, path) for method, path, _curl in entries}
    missing = sorted(wanted - documented)
    assert missing == [], f"add these to docs/api.md: {missing}"
    assert sorted(documented - wanted) == []
    for _method, path, curl in entries:
        if path.startswith("/api/"):
            assert 'Authorization: Token $TOKEN' in curl, path
        prefix = path.split("{")[0]
        assert f'"$BASE{prefix}' in curl, path
