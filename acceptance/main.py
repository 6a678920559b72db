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
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

from acceptance.driver.scenario import run_scenario
from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "acceptance" / "scenarios" / "main_example"
SERVICES = ("elasticache", "ec2", "kms", "secretsmanager", "logs", "ssm", "iam", "sts")


def control(emu, route):
    with urllib.request.urlopen(emu.endpoint + route) as r:
        return json.load(r)


def network(emu, region):
    """Two default subnets in different AZs, and an application security group."""
    import botocore.session
    ec2 = botocore.session.get_session().create_client(
        "ec2", region_name=region, endpoint_url=emu.endpoint,
        aws_access_key_id=DEFAULT_ACCESS_KEY, aws_secret_access_key=DEFAULT_SECRET_KEY)
    by_az = {}
    for s in ec2.describe_subnets()["Subnets"]:
        by_az.setdefault(s["AvailabilityZone"], s)
    a, b = list(by_az.values())[:2]
    sg = ec2.create_security_group(GroupName="orders-app", Description="orders application",
                                   VpcId=a["VpcId"])["GroupId"]
    return {"SUBNET_A": a["SubnetId"], "SUBNET_B": b["SubnetId"], "APP_SG": sg}


def materialise(dst, emu, subs):
    shutil.copytree(SCENARIO, dst)
    for f in Path(dst).rglob("main.tf.json"):
        text = f.read_text()
        for k, v in subs.items():
            text = text.replace(k, v)
        doc = json.loads(text)
        doc["provider"]["secure"]["endpoints"] = {s: emu.endpoint for s in SERVICES}
        f.write_text(json.dumps(doc, indent=2))


def live(emu):
    """What the emulator still holds, less what AWS keeps by design."""
    out = []
    for svc, items in control(emu, "/_emulator/resources").items():
        for it in items:
            if svc == "secretsmanager" and it.get("state") == "scheduled-deletion":
                continue
            out.append(f"{svc}: {it.get('type')} {it.get('id')}")
    return sorted(out)


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
        counts = control(emu, "/_emulator/counts")
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


if __name__ == "__main__":
    sys.exit(main())
