"""The command line itself: lazy command groups, --version, one error guard, JSON errors with --json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from dadkhah import cli, cliutil
from dadkhah.errors import DadkhahError, InputError, NotFound


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def test_version_prints_the_version():
    import dadkhah

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"dadkhah {dadkhah.__version__}"


def test_the_command_table_names_every_command_each_module_registers_with_its_help():
    seen = {}
    for module in cli.COMMAND_MODULES:
        for name, command in cli.registered(module).items():
            assert name in cli.COMMANDS, f"{module} registers `{name}`: add it to dadkhah.cli.COMMANDS"
            owner, short = cli.COMMANDS[name]
            assert owner == module, f"`{name}` is registered by {module}, not {owner}"
            assert command.get_short_help_str(500).startswith(short.rstrip(".")), name
            seen[name] = module
    assert set(seen) == set(cli.COMMANDS)  # and the table names nothing that no module registers


def test_help_lists_every_command_without_importing_any_command_module():
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom dadkhah.cli import app\n"
            "r = CliRunner().invoke(app, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "print(r.stdout.count('\\n'))\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('dadkhah.') or m == 'sqlalchemy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    modules = out[1].split()
    assert not [m for m in modules if m.endswith(".commands") or m == "sqlalchemy"], modules
    assert set(modules) <= {"dadkhah.cli", "dadkhah.cliutil", "dadkhah.errors"}
    listing = invoke("--help").stdout
    for name in cli.COMMANDS:
        assert f" {name} " in listing


def test_a_subcommand_loads_only_its_own_module():
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom dadkhah.cli import app\n"
            "r = CliRunner().invoke(app, ['link', '--help'])\nassert r.exit_code == 0, r.output\n"
            "print(' '.join(sorted(m for m in sys.modules if m.endswith('.commands'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["dadkhah.linkage.commands", "dadkhah.lists.commands"]  # link reuses the lists' printing helpers


def test_with_json_a_usage_error_is_one_json_document(sqlite_case):
    result = invoke("--data", str(sqlite_case.data_dir), "show", "person", "--json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["error"]["type"] == "MissingParameter" and "id" in doc["error"]["message"]
    assert "Missing argument" in result.stderr


def test_with_json_a_service_error_is_one_json_document_and_without_it_a_message(sqlite_case):
    args = ["--data", str(sqlite_case.data_dir), "link", "explain", "c424242"]
    with_json = invoke(*args, "--json")
    assert with_json.exit_code == 1
    assert json.loads(with_json.stdout)["error"]["type"] in ("NotFound", "InputError")
    plain = invoke(*args)
    assert plain.exit_code == 1 and plain.stdout == ""
    assert "error:" in plain.stderr and "Traceback" not in plain.output


def test_a_missing_case_is_a_json_error_too(tmp_path):
    result = invoke("--data", str(tmp_path / "nothing-here"), "link", "status", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["error"]["type"] == "CaseError" and "dadkhah init" in doc["error"]["message"]


def test_every_expected_error_is_a_dadkhah_error():
    from dadkhah.access import Forbidden
    from dadkhah.case import CaseError
    from dadkhah.dates import DateParseError
    from dadkhah.estimate.service import EstimateError
    from dadkhah.estimate.table import TableError
    from dadkhah.vault.blobs import BlobError
    from dadkhah.vault.bundle import BundleError

    for cls in (InputError, NotFound, Forbidden, CaseError, DateParseError, EstimateError, TableError, BlobError,
                BundleError):
        assert issubclass(cls, DadkhahError), cls


def test_the_guard_turns_an_expected_error_into_exit_1_and_lets_a_bug_through(capsys):
    def missing():
        raise NotFound("no person 'x'")

    with pytest.raises(typer.Exit) as exit_:
        cliutil.guard(missing)
    assert exit_.value.exit_code == 1
    assert "no person 'x'" in capsys.readouterr().err
    with pytest.raises(typer.Exit), cliutil.guard():
        raise InputError("bad date", field="date")
    with pytest.raises(ZeroDivisionError):
        cliutil.guard(lambda: 1 / 0)


def test_python_dash_m_dadkhah_is_the_command():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "dadkhah", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith(__import__("dadkhah").__version__)
