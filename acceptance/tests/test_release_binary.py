"""The release binary is self-contained: it needs no shared library, not even
glibc, and does its whole job on a machine that has none.

`make release-check` runs this file (and a few others) against
build/release/ with PROVIDER_EXPECT_STATIC=1; in the ordinary acceptance run
PROVIDER_BIN is the debug build, which links shared libraries, and these
tests skip.

"A machine without libraries" is this one with /usr/lib/x86_64-linux-gnu (glibc,
the dynamic loader that /lib64 links to, and every other library) hidden
under an empty tmpfs mount in a private mount namespace
(unshare(1), needs root): the provider is started there exactly as Terraform
starts it, and the README's main job (handshake, ConfigureProvider with an
STS call through libcurl, a cluster and RBAC users planned, applied,
refreshed and destroyed) runs against it."""

import os
import shutil
import subprocess

import pytest

from acceptance import harness
from acceptance import main as main_job
from acceptance.tests import support

LIB_DIR = "/usr/lib/x86_64-linux-gnu"

pytestmark = pytest.mark.skipif(os.environ.get("PROVIDER_EXPECT_STATIC") != "1",
                                reason="PROVIDER_BIN is not the release build (make release-check runs this)")


def readelf(flag, path):
    return subprocess.run(["readelf", flag, "-W", path], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("which", ["binary", "test_binary"])
def test_no_interpreter_and_no_shared_library(which, request):
    path = request.getfixturevalue(which)
    headers = readelf("-l", path)
    assert "INTERP" not in headers, f"{path} asks for a dynamic loader:\n{headers}"
    needed = [line for line in readelf("-d", path).splitlines() if "(NEEDED)" in line]
    assert needed == [], f"{path} needs shared libraries: {needed}"


def no_libraries_wrapper(tmp_path, target):
    """A script that runs `target` with the system's shared libraries hidden."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or not os.path.isdir(LIB_DIR):
        pytest.skip(f"hiding {LIB_DIR} needs root, unshare(1) and that folder")
    return harness.write_executable(
        tmp_path / f"no-libs-{os.path.basename(target)}",
        "#!/bin/sh\n"
        "exec unshare --mount --propagation private /bin/sh -c "
        f"'mount -t tmpfs none {LIB_DIR} && exec \"$0\" \"$@\"' {target} \"$@\"\n")


def require_sandbox(tmp_path):
    """Skips unless the sandbox works here: a dynamically linked program
    must be unable to start in it (exit 127).  Where no private mount
    namespace can be made (a chroot, whose / is no mount point; no
    CAP_SYS_ADMIN), the tests skip with unshare's reason."""
    r = subprocess.run([no_libraries_wrapper(tmp_path, shutil.which("true"))], capture_output=True, text=True)
    if r.returncode != 127 and r.stderr.startswith(("unshare:", "mount:")):
        pytest.skip(f"cannot hide the system libraries here: {r.stderr.strip()}")
    return r


def test_the_sandbox_hides_the_libraries(tmp_path):
    """The control: a dynamically linked program cannot start in it."""
    r = require_sandbox(tmp_path)
    assert r.returncode == 127, (r.returncode, r.stderr)


def test_main_job_without_any_shared_library(tmp_path, binary, capsys):
    require_sandbox(tmp_path)
    rc = main_job.main(["--provider", no_libraries_wrapper(tmp_path, binary)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "Apply complete! Resources: 2 added" in out
    assert "No changes. Your infrastructure matches the configuration." in out
    assert "Destroy complete! Resources: 2 destroyed." in out


def test_version_without_any_shared_library(tmp_path, binary):
    require_sandbox(tmp_path)
    r = subprocess.run([no_libraries_wrapper(tmp_path, binary), "-version"], capture_output=True, text=True)
    if r.returncode == 127:
        pytest.fail(f"the release binary cannot start without the system libraries: {r.stderr}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("terraform-provider-secure ")


def test_binary_fixtures_point_at_the_release_build():
    assert "/release/" in support.provider_binary(), support.provider_binary()
