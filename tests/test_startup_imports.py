"""Start-up stays light: which modules each fast path loads (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

HEAVY = ("httpx", "keyring", "sydium_cli.sandbox")

# Runs main() in-process, then reports the loaded top-level modules, whatever main() exited with.
PROBE = """
import json, sys
from sydium_cli.app import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.__stdout__.write("\\n@@MODULES@@" + json.dumps(sorted(sys.modules)))
"""


def _modules(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    marker = result.stdout.rfind("@@MODULES@@")
    assert marker >= 0, result.stderr
    return set(json.loads(result.stdout[marker + len("@@MODULES@@") :]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_version_does_not_import_typer() -> None:
    modules = _modules("--version")
    assert not any(m == "typer" or m.startswith("typer.") for m in modules)
    assert _heavy(modules) == []


def test_help_imports_nothing_heavy() -> None:
    assert _heavy(_modules("--help")) == []


def test_completion_request_imports_nothing_heavy() -> None:
    env = {"_SYDIUM_COMPLETE": "complete_bash", "COMP_WORDS": "sydium post --to ", "COMP_CWORD": "3"}
    modules = _modules(env=env)
    assert _heavy(modules) == []
    # typer's per-parameter pydantic coercion is deferred until a value needs converting (_fast_params).
    assert "pydantic" not in modules


def test_deferred_coercion_still_converts_and_rejects_values(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sydium_cli.commands.root import app

    runner = CliRunner()
    bad = runner.invoke(app, ["completion", "tcsh"])
    assert bad.exit_code == 2 and "tcsh" in bad.output  # an Enum argument still goes through typer's checks
    good = runner.invoke(app, ["completion", "fish"])
    assert good.exit_code == 0 and "complete" in good.output
    listed = runner.invoke(app, ["--sandbox", "--sandbox-state", str(tmp_path / "s.db"), "posts", "list", "--json"])
    assert listed.exit_code == 0 and '"posts"' in listed.output  # Path and str options pass through


def test_validate_imports_nothing_heavy(tmp_path: Path) -> None:
    post = tmp_path / "p.yaml"
    post.write_text("caption: hi\ntargets: [x]\n")
    assert _heavy(_modules("validate", "--json", str(post))) == []


def test_post_dry_run_imports_nothing_heavy() -> None:
    env = {"SYDIUM_API_KEY": "sk_test_" + "a" * 24}
    assert _heavy(_modules("post", "--dry-run", "--json", "--to", "x", "Hello", env=env)) == []


def test_post_with_json_output_loads_only_what_publishing_needs(httpserver: HTTPServer) -> None:
    """The start-up goal of `post --json`: no pydantic, rich, keyring or YAML on the way to one request."""
    operation = {"id": "op_startup", "status": "processing", "targets": [{"platform": "x", "status": "processing"}]}
    x = {"platform": "x", "captionLimit": 280, "maxMediaItems": 4, "mediaTypes": ["image", "video"]}
    httpserver.expect_request("/v1/platforms").respond_with_json(
        {"success": True, "data": {"platforms": [x]}, "meta": {}}
    )
    httpserver.expect_oneshot_request("/v1/posts", method="POST").respond_with_json(
        {"success": True, "data": operation, "meta": {}}, status=201
    )
    env = {"SYDIUM_API_KEY": "sk_test_" + "a" * 24, "SYDIUM_BASE_URL": httpserver.url_for("").rstrip("/")}
    modules = _modules("post", "--json", "--to", "x", "Hello", env=env)
    assert len([r for r, _ in httpserver.log if r.method == "POST"]) == 1  # it did publish
    assert "httpx" in modules
    loaded = {m.split(".")[0] for m in modules}
    assert loaded.isdisjoint({"pydantic", "pydantic_core", "rich", "keyring", "yaml"}), sorted(
        loaded & {"pydantic", "pydantic_core", "rich", "keyring", "yaml"}
    )


def test_garbage_collection_is_back_on_when_a_command_runs() -> None:
    """Collection is off only while the root app is imported: long runs (sandbox serve, --wait) collect."""
    probe = (
        "import gc, sys\n"
        "from sydium_cli.commands import _common\n"
        "from sydium_cli.app import main\n"
        "real = _common.build_runtime\n"
        "def spy(*a, **k):\n"
        "    sys.__stdout__.write(f'@@GC@@{gc.isenabled()}\\n')\n"
        "    return real(*a, **k)\n"
        "_common.build_runtime = spy\n"
        "try:\n"
        "    main(['--sandbox', 'platforms', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "@@GC@@True" in result.stdout, result.stdout + result.stderr
