"""The production deployment files in deploy/ agree with the code they start and configure.

No Docker and no systemd needed: the files are parsed and compared with config/settings.py and the
`onevoice` command's argument parser.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from onevoice.cli import build_parser

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
SYSTEMD = DEPLOY / "systemd"
UNITS = [SYSTEMD / "onevoice-web.service", SYSTEMD / "onevoice-worker@.service"]
SYSTEMD_ENV = SYSTEMD / "onevoice.env.example"
COMPOSE_ENV = DEPLOY / ".env.example"
# `VAR=value`, and `# VAR=value` for an optional variable shown with its default.
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def _is_os(node: ast.expr, attr: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == attr and _is_name(node.value, "os")


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _variable_read_by(node: ast.AST) -> str | None:
    """The variable name if node reads one: os.environ[…], os.environ.get/pop(…), os.getenv(…), dj_database_url."""
    if isinstance(node, ast.Subscript) and _is_os(node.value, "environ"):
        return _string(node.slice)
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    first = node.args[0] if node.args else None
    if isinstance(func, ast.Attribute) and func.attr in ("get", "pop") and _is_os(func.value, "environ"):
        return _string(first)
    if _is_os(func, "getenv"):
        return _string(first)
    if isinstance(func, ast.Attribute) and func.attr == "config" and _is_name(func.value, "dj_database_url"):
        given = [_string(k.value) for k in node.keywords if k.arg == "env"]
        return given[0] if given else "DATABASE_URL"
    return None


def settings_environment_variables() -> set[str]:
    """Every environment variable config/settings.py reads."""
    tree = ast.parse((REPO / "config" / "settings.py").read_text())
    return {name for node in ast.walk(tree) if (name := _variable_read_by(node))}


def env_file_names(path: Path) -> list[str]:
    return [m.group(1) for line in path.read_text().splitlines() if (m := ENV_LINE.match(line))]


def unit_settings(path: Path) -> dict[str, list[str]]:
    """A systemd unit as key → values (keys may repeat), ignoring sections and comments."""
    values: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        values.setdefault(key.strip(), []).append(value.strip())
    return values


def subcommands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert actions, "the onevoice parser has no sub-commands"
    return set(actions[0].choices)


def assert_onevoice_arguments(argv: list[str], where: str) -> None:
    """argv (without the program) names an existing sub-command and its options parse."""
    assert argv, f"{where}: no sub-command"
    assert argv[0] in subcommands(), f"{where}: `onevoice {argv[0]}` does not exist"
    try:
        build_parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"{where}: `onevoice {' '.join(argv)}` is refused by the argument parser")


def onevoice_argv(command: list[str], where: str) -> list[str]:
    """The arguments after the `onevoice` entry point or `python -m onevoice.cli`."""
    if command[0].endswith("/onevoice") or command[0] == "onevoice":
        return command[1:]
    if command[0].endswith(("/python", "/python3")) and command[1:3] == ["-m", "onevoice.cli"]:
        return command[3:]
    pytest.fail(f"{where}: {shlex.join(command)} does not run the onevoice command")


class TestEnvironmentExamples:
    def test_the_settings_parser_finds_the_variables(self) -> None:
        names = settings_environment_variables()
        assert {"ONEVOICE_ENV", "ONEVOICE_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"} <= names

    def test_the_systemd_example_uses_only_variables_the_settings_read(self) -> None:
        unknown = set(env_file_names(SYSTEMD_ENV)) - settings_environment_variables()
        assert not unknown, f"{SYSTEMD_ENV.name} sets variables config/settings.py never reads: {unknown}"

    def test_the_systemd_example_documents_every_variable_the_settings_read(self) -> None:
        missing = settings_environment_variables() - set(env_file_names(SYSTEMD_ENV))
        assert not missing, f"{SYSTEMD_ENV.name} does not mention {missing}"

    def test_the_compose_example_uses_only_settings_or_compose_variables(self) -> None:
        compose_variables = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (DEPLOY / "compose.yaml").read_text()))
        unknown = set(env_file_names(COMPOSE_ENV)) - settings_environment_variables() - compose_variables
        assert not unknown, (
            f"{COMPOSE_ENV.name} sets variables neither the settings nor compose read: {unknown}"
        )

    @pytest.mark.parametrize("path", [SYSTEMD_ENV, COMPOSE_ENV], ids=lambda p: p.name)
    def test_every_variable_is_set_once_and_explained(self, path: Path) -> None:
        names = env_file_names(path)
        assert len(names) == len(set(names)), f"{path.name} sets a variable twice"
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if not ENV_LINE.match(line):
                continue
            # The nearest line above that is not another variable must be a comment.
            above = number - 1
            while above >= 0 and ENV_LINE.match(lines[above]):
                above -= 1
            assert above >= 0, f"{path.name}: no comment for {line!r}"
            assert lines[above].startswith("#"), f"{path.name}: no comment for {line!r}"


class TestSystemdUnits:
    @pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
    def test_the_unit_runs_an_existing_onevoice_command(self, path: Path) -> None:
        unit = unit_settings(path)
        assert len(unit["ExecStart"]) == 1
        assert_onevoice_arguments(onevoice_argv(shlex.split(unit["ExecStart"][0]), path.name), path.name)

    @pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
    def test_the_unit_runs_as_its_own_user_with_the_data_dir_writable(self, path: Path) -> None:
        unit = unit_settings(path)
        assert unit["User"] == ["onevoice"]
        assert unit["WorkingDirectory"] == ["/opt/onevoice"]
        assert unit["ExecStart"][0].startswith("/opt/onevoice/.venv/bin/")
        assert unit["EnvironmentFile"] == ["/etc/onevoice/onevoice.env"]
        assert unit["Restart"] == ["on-failure"]
        assert unit["KillSignal"] == ["SIGTERM"]
        assert unit["NoNewPrivileges"] == ["yes"]
        assert unit["ProtectSystem"] == ["strict"]
        assert unit["PrivateTmp"] == ["yes"]
        data_dir = next(
            line.partition("=")[2]
            for line in SYSTEMD_ENV.read_text().splitlines()
            if line.startswith("ONEVOICE_DATA_DIR=")
        )
        writable = " ".join(unit["ReadWritePaths"]).split()
        assert data_dir in writable

    def test_the_worker_unit_is_a_template_that_waits_for_publications(self) -> None:
        unit = unit_settings(SYSTEMD / "onevoice-worker@.service")
        assert onevoice_argv(shlex.split(unit["ExecStart"][0]), "worker")[0] == "worker"
        assert int(unit["TimeoutStopSec"][0]) >= 120
        assert "%i" in unit["Description"][0]


class TestCompose:
    @pytest.fixture
    def compose(self) -> dict[str, Any]:
        yaml = pytest.importorskip("yaml", reason="PyYAML is not installed, so compose.yaml cannot be parsed")
        loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
        assert isinstance(loaded, dict)
        return loaded

    def test_it_has_the_database_the_queue_the_web_server_and_the_workers(
        self, compose: dict[str, Any]
    ) -> None:
        services = compose["services"]
        assert {"postgres", "redis", "migrate", "web", "worker"} <= set(services)
        assert services["postgres"]["image"].startswith("postgres:16")
        assert services["redis"]["image"].startswith("redis:7")
        assert services["worker"]["deploy"]["replicas"] >= 2
        assert any(port.endswith(":8000") for port in services["web"]["ports"])

    def test_the_app_waits_for_healthy_services_and_the_migration(self, compose: dict[str, Any]) -> None:
        services = compose["services"]
        for name in ("postgres", "redis"):
            assert services[name]["healthcheck"]["test"], f"{name} has no healthcheck"
        for name in ("web", "worker"):
            depends = services[name]["depends_on"]
            assert depends["postgres"]["condition"] == "service_healthy"
            assert depends["redis"]["condition"] == "service_healthy"
            assert depends["migrate"]["condition"] == "service_completed_successfully"

    def test_the_app_services_run_existing_onevoice_commands(self, compose: dict[str, Any]) -> None:
        for name in ("migrate", "web", "worker"):
            service = compose["services"][name]
            assert_onevoice_arguments(list(service["command"]), f"compose service {name}")
            assert service["env_file"] == ".env"
            assert service["build"]["dockerfile"] == "deploy/Dockerfile"
            assert "DATABASE_URL" in service["environment"]
            assert "REDIS_URL" in service["environment"]
        assert compose["services"]["migrate"]["command"] == ["migrate"]
        assert compose["services"]["worker"]["command"] == ["worker"]


class TestDockerfile:
    def test_the_image_runs_the_onevoice_command_as_a_user(self) -> None:
        lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
        directives = {line.split()[0]: line.partition(" ")[2] for line in lines if line and line[0].isupper()}
        assert json.loads(directives["ENTRYPOINT"]) == ["onevoice"]
        assert_onevoice_arguments(json.loads(directives["CMD"]), "Dockerfile CMD")
        assert directives["USER"] not in ("root", "0")
        assert "uv sync --frozen --no-dev" in (DEPLOY / "Dockerfile").read_text()


def test_production_can_collect_the_static_files(tmp_path: Path) -> None:
    """`onevoice web` runs collectstatic in production; the hashing storage follows every reference in the
    files (source maps too) and refuses the start if one points nowhere."""
    from django.core.management import call_command
    from django.test import override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "ninja/swagger-ui-bundle.js" in manifest  # the API documentation's files
    assert "vendor/chartjs/chart.umd.min.js" in manifest
