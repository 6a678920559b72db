"""Fixtures of the acceptance tests (helpers: support.py).

A test file that uses `emu` names its credentials in a module-level ACCOUNT
(a support.Account), so that no two files share an access key, and may set
EMULATOR_SETTINGS (default: support.FAST)."""

import pytest

from acceptance.tests import support


@pytest.fixture(scope="module")
def binary() -> str:
    """The user-facing provider: $PROVIDER_BIN or build/terraform-provider-secure."""
    return support.provider_binary()


@pytest.fixture(scope="module")
def test_binary() -> str:
    """The test provider: $PROVIDER_TEST_BIN or build/terraform-provider-secure-test."""
    return support.provider_test_binary()


@pytest.fixture
def emu(request):
    """A fresh emulator for each test, accepting the test file's ACCOUNT."""
    e = request.module.ACCOUNT.emulator(getattr(request.module, "EMULATOR_SETTINGS", support.FAST))
    yield e
    e.stop()
