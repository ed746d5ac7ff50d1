"""`fullfinity shell --tenant T`: an asyncio REPL with an environment bound; top-level await works."""

import subprocess
import sys
from pathlib import Path

FULLFINITY_SCRIPT = Path(sys.executable).with_name("fullfinity")


def test_shell_runs_awaited_code_against_the_tenant(ff_tenant, ff_settings):
    script = 'x = await env.fetchval("select 40 + 2")\nprint("answer", x, env.tenant)\n'
    result = subprocess.run(
        [str(FULLFINITY_SCRIPT), "shell", "--tenant", ff_tenant.name],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"answer 42 {ff_tenant.name}" in result.stdout


def test_shell_on_a_missing_tenant_is_a_clear_error(ff_settings):
    result = subprocess.run(
        [str(FULLFINITY_SCRIPT), "shell", "--tenant", "nope"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Tenant 'nope' does not exist" in result.stderr
