"""The README's main job (`make main`) keeps working: cluster + RBAC users
through plan / apply / no-change plan / destroy against the emulator, with
nothing left behind."""

from acceptance import main as main_job


def test_main_job(binary, capsys):
    rc = main_job.main(["--provider", binary])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "Apply complete! Resources: 2 added" in out
    assert "No changes. Your infrastructure matches the configuration." in out
    assert "Destroy complete! Resources: 2 destroyed." in out
