"""The OpenAPI 3 schema: valid without a warning (drf-spectacular), served as YAML and JSON; and the API tested
against it in-process by schemathesis (stateless checks on every GET operation; POST operations must not fail with
a server error)."""

import hypothesis
import pytest
import schemathesis
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from nominations.services import dossiers as services

from ..factories import NomineeDataFactory

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    assert "title: Thi đua - Khen thưởng API" in text and "/api/v1/dossiers/{id}/transitions/{name}/:" in text


def test_the_schema_is_served_as_yaml_and_json(client):
    yaml = client.get("/api/v1/schema/")
    assert yaml.status_code == 200 and yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"openapi: 3" in yaml.content
    document = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert document["info"]["version"] == "1" and "/api/v1/schema/" not in document["paths"]
    assert set(document["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


@pytest.fixture
def records(world, progress, scorecards, commune_a, clerk_a):
    """A dossier with a nominee besides the other resources, so that some generated ids are found."""
    dossier = services.create_dossier(
        world.campaign, unit=commune_a, award_type_code="bang_khen_tinh", title="Hồ sơ thử", actor=clerk_a
    )
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    return dossier


SETTINGS = hypothesis.settings(
    max_examples=10,
    derandomize=True,  # the same examples on every run: no flaky test
    database=None,
    deadline=None,
)


def run_operation(operation, mode, headers) -> None:
    """Generated requests of one operation: every stateless check on a GET; a POST must not fail with a 5xx.
    Invalid requests (negative mode) get half as many examples as valid ones."""
    checks = None if operation.method.upper() == "GET" else [not_a_server_error]
    examples = SETTINGS.max_examples if mode == schemathesis.GenerationMode.POSITIVE else SETTINGS.max_examples // 2

    @hypothesis.settings(SETTINGS, max_examples=examples)
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(headers=headers, checks=checks)

    check()


def test_schemathesis_finds_no_server_error_and_no_schema_violation(records, board_officer):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    token, _created = Token.objects.get_or_create(user=board_officer)
    # identity: the WSGI transport does not undo the site's gzip compression (an HTTP client would).
    headers = {"Authorization": f"Token {token.key}", "Accept-Encoding": "identity"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 18  # 7 resources × (list, detail) and 4 POST operations
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            run_operation(operation, mode, headers)
