"""The README's main job: the provider through a full plan / apply /
no-change plan / destroy against the local AWS emulator.

Starts the emulator on a random loopback port, points every AWS service of
the provider at it (the `endpoints` block), hands the provider the
emulator's credentials through the environment (so ConfigureProvider
validates them with a signed STS GetCallerIdentity), and runs a scenario
through the protocol driver, which starts the provider exactly as Terraform
does and enforces Terraform's rules.

Stage of the project: the AWS resources (secure_redis_cluster,
secure_redis_rbac_users) are not built yet, so the scenario manages the
test-only `secure_test_fixture` resource with the -test build of the
provider.  When the AWS resources land, this job runs their example.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import urllib.request

from acceptance.driver.scenario import run_scenario
from acceptance.fixture_store import seed_lifecycle
from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = os.path.join(REPO, "acceptance", "scenarios", "fixture_lifecycle")
SERVICES = ("elasticache", "ec2", "kms", "secretsmanager", "logs", "ssm", "iam", "sts")


def point_at(scenario, dest, endpoint, region):
    """Copies the scenario with every provider block aimed at the emulator."""
    shutil.copytree(scenario, dest)
    for root, _dirs, files in os.walk(dest):
        for name in files:
            if not name.endswith(".tf.json"):
                continue
            path = os.path.join(root, name)
            with open(path) as f:
                doc = json.load(f)
            if "provider" in doc:
                doc["provider"] = {"secure": {"region": region,
                                              "endpoints": {s: endpoint for s in SERVICES}}}
            with open(path, "w") as f:
                json.dump(doc, f, indent=2)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m acceptance.main", description=__doc__.splitlines()[0])
    ap.add_argument("--provider", required=True, help="the -test build of the provider")
    ap.add_argument("--region", default="us-east-1")
    args = ap.parse_args(argv)

    emu = Emulator(access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY, region=args.region)
    emu.start()
    print(f"local AWS emulator: {emu.endpoint}")
    work = tempfile.mkdtemp(prefix="secure-main-")
    try:
        scenario = os.path.join(work, "scenario")
        point_at(SCENARIO, scenario, emu.endpoint, args.region)
        env = {"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
               "AWS_SESSION_TOKEN": None, "AWS_PROFILE": None, "AWS_EC2_METADATA_DISABLED": "true",
               "FIXTURE_STORE_DIR": os.path.join(work, "store")}
        os.makedirs(env["FIXTURE_STORE_DIR"])
        seed_lifecycle(env["FIXTURE_STORE_DIR"])
        result = run_scenario(scenario, provider_binary=args.provider, env=env)
        print(result.transcript)
        with urllib.request.urlopen(emu.endpoint + "/_emulator/counts") as r:
            counts = json.load(r)
        calls = counts.get("sts:GetCallerIdentity", 0)
        print(f"\nemulator: {calls} signed STS GetCallerIdentity call(s) validated the provider's credentials")
        if result.violations:
            print("\nFAILED:\n" + "\n".join(result.violations))
            return 1
        if calls == 0:
            print("FAILED: the provider never validated its credentials against the emulator")
            return 1
        print("main job: plan / apply / no-change plan / destroy completed with no rule violation")
        return 0
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
