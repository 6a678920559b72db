"""Fixtures for the protocol driver's tests.

``provider_binary``: the provider executable, from $PROVIDER_BIN or
build/terraform-provider-secure under the repository root. Tests that need it
are skipped, with the path in the reason, only when it does not exist.
"""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BINARY = REPO_ROOT / "build" / "terraform-provider-secure"


@pytest.fixture(scope="session")
def provider_binary() -> str:
    path = Path(os.environ.get("PROVIDER_BIN") or DEFAULT_BINARY)
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.exists():
        pytest.skip(f"provider binary {path} does not exist (build it, or set PROVIDER_BIN)")
    if not os.access(path, os.X_OK):
        pytest.fail(f"provider binary {path} exists but is not executable")
    return str(path)
