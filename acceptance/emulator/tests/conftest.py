"""Shared fixtures for emulator tests: a running in-process Emulator and
botocore clients pointed at it. Helpers live in emuhelpers.py."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from emuhelpers import make_client  # noqa: E402

from acceptance.emulator.server import Emulator  # noqa: E402


@pytest.fixture(scope="session")
def emu_server():
    emu = Emulator(settings={"create_delay_s": 0.0, "modify_delay_s": 0.0, "delete_delay_s": 0.0})
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def emu(emu_server):
    """The shared emulator, reset (state, counts, faults, settings) for each test."""
    emu_server.reset()
    yield emu_server
    emu_server.reset()


@pytest.fixture
def client(emu):
    """client("ec2") -> a botocore client for the emulator (no retries)."""
    return lambda service, **kw: make_client(emu, service, **kw)
