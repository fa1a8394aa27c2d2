"""The `khooshe` command as a user runs it."""

import pytest
from typer.testing import CliRunner

from khooshe.cli import app

runner = CliRunner()


def test_help_explains_every_subcommand_in_one_line():
    result = runner.invoke(app, ["--help"], terminal_width=100)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for command in ("demo", "serve", "migrate", "createadmin", "import", "export", "check"):
        line = next((line for line in lines if line.strip().startswith(command + " ")), None)
        assert line is not None, f"{command} is missing from --help"
        assert not line.rstrip().endswith("..."), f"the help of {command} is cut: {line!r}"


@pytest.mark.django_db(transaction=True)
def test_createadmin_prints_credentials_that_log_in(client):
    result = runner.invoke(app, ["createadmin", "--username", "boss"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit("=", 1)[-1]
    response = client.post("/accounts/login/", {"username": "boss", "password": password})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


@pytest.mark.django_db(transaction=True)
def test_check_reports_missing_reference_data_and_then_passes():
    from khooshe.registry.reference import ensure_reference_data

    failing = runner.invoke(app, ["check"])
    assert failing.exit_code == 1
    ensure_reference_data()
    passing = runner.invoke(app, ["check"])
    assert passing.exit_code == 0, passing.output
