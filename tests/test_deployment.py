"""Production settings: `manage.py check --deploy` is clean with DEBUG off, and DEBUG off refuses
to start without a SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_debug_off():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_a_secret_key_fails_with_a_readable_message():
    result = manage("check", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_demo_users_are_refused_with_debug_off():
    result = manage(
        "create_demo_users",
        DEBUG="false",
        SECRET_KEY="x" * 60,
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/unused.sqlite3"),
    )

    assert result.returncode != 0
    assert "Demo users are for local development only" in result.stderr
