"""The README's main job (`make main`) keeps working: cluster + RBAC users
through plan / apply / no-change plan / destroy against the emulator, with
nothing left behind."""

import os
from pathlib import Path

import pytest

from acceptance import main as main_job

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_main_job(capsys):
    binary = Path(os.environ.get("PROVIDER_BIN", REPO_ROOT / "build" / "terraform-provider-secure"))
    if not binary.exists():
        pytest.skip(f"provider {binary} does not exist (make, or set PROVIDER_BIN)")
    rc = main_job.main(["--provider", str(binary)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "Apply complete! Resources: 2 added" in out
    assert "No changes. Your infrastructure matches the configuration." in out
    assert "Destroy complete! Resources: 2 destroyed." in out
