"""The README's main job: the provider through a full plan / apply /
no-change plan / destroy against the local AWS emulator.

Starts the emulator on a random loopback port, gives it an application
security group next to its default VPC's subnets, points every AWS service of
the provider at it (the `endpoints` block), hands the provider the
emulator's credentials through the environment (ConfigureProvider validates
them with a signed STS GetCallerIdentity), and runs
acceptance/scenarios/main_example (a secure_redis_cluster authenticating with
a secure_redis_rbac_users group) through the protocol driver, which starts
the provider exactly as Terraform does and enforces Terraform's rules.  At the
end nothing may be left in the emulator but what AWS keeps by design (KMS keys
pending deletion).
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from acceptance import harness
from acceptance.driver.scenario import run_scenario
from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "acceptance" / "scenarios" / "main_example"


def network(emu, region):
    """Two default subnets in different AZs, and an application security group."""
    ec2 = harness.botocore_client(emu, "ec2", DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, region)
    a, b, sg = harness.network(ec2, "orders-app", "orders application")
    return {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg}


def materialise(dst, emu, subs):
    harness.materialise(SCENARIO, dst, emu, subs, indent=2)


def live(emu):
    """What the emulator still holds, less what AWS keeps by design."""
    return sorted(f"{svc}: {it.get('type')} {it.get('id')}" for svc, it in harness.leftovers(emu))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m acceptance.main", description=__doc__.splitlines()[0])
    ap.add_argument("--provider", required=True, help="the provider binary")
    ap.add_argument("--region", default="us-east-1")
    args = ap.parse_args(argv)

    emu = Emulator(access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY, region=args.region,
                   settings={"create_delay_s": 1.0, "modify_delay_s": 0.5, "delete_delay_s": 0.5})
    emu.start()
    print(f"local AWS emulator: {emu.endpoint}")
    work = tempfile.mkdtemp(prefix="secure-main-")
    try:
        subs = network(emu, args.region)
        before = live(emu)
        scenario = os.path.join(work, "main_example")
        materialise(scenario, emu, subs)
        env = {"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
               "AWS_SESSION_TOKEN": None, "AWS_PROFILE": None, "AWS_EC2_METADATA_DISABLED": "true"}
        result = run_scenario(scenario, provider_binary=args.provider, env=env)
        print(result.transcript)
        counts = harness.control(emu, "/_emulator/counts")
        total = sum(counts.values())
        print(f"\nemulator: {total} signed AWS calls; "
              f"{counts.get('sts:GetCallerIdentity', 0)} STS GetCallerIdentity validated the credentials")
        left = sorted(set(live(emu)) - set(before))
        if result.violations:
            print("\nFAILED:\n" + "\n".join(result.violations))
            return 1
        if left:
            print("\nFAILED: left behind in the emulator:\n  " + "\n  ".join(left))
            return 1
        print("main job: plan / apply / no-change plan / destroy completed with no rule violation, nothing left behind")
        return 0
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


def run_quietly(provider, what):
    """The main job with `provider` (often a script that watches the real
    binary: callgrind, VmHWM) and its transcript kept; SystemExit with the
    transcript, naming `what` was measured, if the job fails."""
    import contextlib
    import io

    transcript = io.StringIO()
    with contextlib.redirect_stdout(transcript):
        rc = main(["--provider", provider])
    if rc != 0:
        raise SystemExit(f"{what}: the main job failed (exit {rc}):\n{transcript.getvalue()}")


if __name__ == "__main__":
    sys.exit(main())
