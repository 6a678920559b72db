"""The function order of the release binary, from a profile of the main job.

`make release` links the provider twice: once in the archives' order, then,
after this module has run the README's main job (handshake, ConfigureProvider
with an STS call, a cluster and RBAC users planned, applied, refreshed and
destroyed against the local emulator) with every provider process under
valgrind's callgrind, again with the functions those processes ran placed
first, in the order they first ran (lld --symbol-ordering-file).

Why: the kernel maps a binary's code 64 KB (or a whole page-cache folio) at
a time around each page it touches, and the ~1 MB of code a provider runs is
spread over nearly all of the 8 MB of gRPC, OpenSSL, libcurl and glibc text.
Grouped, it fills a few hundred KB: the provider's resident memory falls by
about 3 MB (docs/performance.md).  Only the layout changes; a function the
profile did not see keeps its place after the ordered ones, so an order that
lags behind the code costs memory, never correctness.

    python3 -m acceptance.symbol_order --provider BIN --out FILE
"""

import argparse
import glob
import os
import re
import shutil
import sys
import tempfile

from acceptance import harness
from acceptance import main as main_job

FN_LINE = re.compile(r"^c?fn=\((\d+)\)(?: (.+))?$")


def functions_in(profile):
    """The function names of one callgrind profile (--demangle=no, so the
    linker's symbol names), in the order callgrind first met them."""
    names = []
    with open(profile) as f:
        for line in f:
            m = FN_LINE.match(line.rstrip("\n"))
            if m and m.group(2):
                # callgrind marks recursion levels with 'N and unknown code
                # with its address; neither is a symbol.
                name = re.sub(r"'\d+$", "", m.group(2))
                if not name.startswith("0x"):
                    names.append(name)
    return names


def profile_main_job(provider, workdir):
    """Runs the main job with every provider process under callgrind; returns
    the profiles written, oldest first."""
    wrapper = harness.write_executable(
        os.path.join(workdir, "provider-under-callgrind"),
        "#!/bin/sh\n"
        f"exec valgrind -q --tool=callgrind --demangle=no --dump-instr=no "
        f"--callgrind-out-file={workdir}/callgrind.%p {provider} \"$@\"\n")
    main_job.run_quietly(wrapper, "symbol_order (providers under callgrind)")
    profiles = glob.glob(os.path.join(workdir, "callgrind.*"))
    return sorted(profiles, key=os.path.getmtime)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m acceptance.symbol_order", description=__doc__.splitlines()[0])
    ap.add_argument("--provider", required=True, help="the provider binary, linked without an order")
    ap.add_argument("--out", required=True, help="the symbol ordering file to write")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("symbol_order: needs valgrind (scripts/install-deps installs it)")
    workdir = tempfile.mkdtemp(prefix="secure-symbol-order-")
    try:
        profiles = profile_main_job(os.path.abspath(args.provider), workdir)
        if not profiles:
            raise SystemExit("symbol_order: no callgrind profile was written")
        order, seen = [], set()
        for profile in profiles:
            for name in functions_in(profile):
                if name not in seen:
                    seen.add(name)
                    order.append(name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(order) + "\n")
    os.replace(tmp, args.out)
    print(f"symbol order: {len(order)} functions from {len(profiles)} provider processes of the main job "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
