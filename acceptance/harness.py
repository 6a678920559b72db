"""What a run against the local AWS emulator needs around the provider, for
the main job (acceptance/main.py), the benchmark and the acceptance tests:
the emulator's control endpoints (/_emulator/...), an AWS SDK client signed
with the emulator's credentials, a default network to put a cluster in, a
scenario directory with its placeholders and endpoints filled in, and what
the emulator still holds afterwards."""

from __future__ import annotations

import json
import os
import shutil
import stat
import urllib.request
from pathlib import Path

# Every AWS service the provider calls; the scenarios' `endpoints` block points
# each of them at the emulator.
SERVICES = ("elasticache", "ec2", "kms", "secretsmanager", "logs", "ssm", "iam", "sts")


def write_executable(path, text) -> str:
    """Writes a script to path and makes it executable; returns the path
    as a string (a provider "binary" the driver can start)."""
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return str(path)


def control(emu, route, body=None, method=None):
    """Calls one of the emulator's control endpoints (JSON in, JSON out):
    GET without a body, POST with one, unless method says otherwise."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(emu.endpoint + route, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def botocore_client(emu, service, access_key, secret_key, region=None, max_attempts=None):
    """A botocore client of `service` against the emulator (region: the
    emulator's unless given; max_attempts: botocore's default unless given)."""
    import botocore.session
    from botocore.config import Config
    config = Config(retries={"max_attempts": max_attempts}) if max_attempts is not None else None
    return botocore.session.get_session().create_client(
        service, region_name=region or emu.region, endpoint_url=emu.endpoint,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, config=config)


def network(ec2, group_name="app", description="application"):
    """Two default subnets in different AZs and an application security group
    in their VPC, made with the EC2 client `ec2`: (subnet a, subnet b, group id)."""
    by_az = {}
    for s in ec2.describe_subnets()["Subnets"]:
        by_az.setdefault(s["AvailabilityZone"], s)
    a, b = list(by_az.values())[:2]
    assert a["VpcId"] == b["VpcId"]
    sg = ec2.create_security_group(GroupName=group_name, Description=description, VpcId=a["VpcId"])["GroupId"]
    return a["SubnetId"], b["SubnetId"], sg


def materialise(src, dst, emu, subs=None, edit=None, indent=1) -> Path:
    """Copies the scenario `src` to `dst` with the placeholders (subs: {text:
    replacement}) and every service endpoint filled in; edit(doc), when
    given, may change each step's configuration document."""
    shutil.copytree(src, dst)
    dst = Path(dst)
    for f in dst.rglob("main.tf.json"):
        text = f.read_text()
        for k, v in (subs or {}).items():
            text = text.replace(k, v)
        doc = json.loads(text)
        doc["provider"]["secure"]["endpoints"] = {s: emu.endpoint for s in SERVICES}
        if edit:
            edit(doc)
        f.write_text(json.dumps(doc, indent=indent))
    return dst


def leftovers(emu):
    """Live emulator resources as (service, item), except the ones a destroy
    legitimately leaves: secrets scheduled for deletion (the emulator itself
    already leaves out KMS keys pending deletion)."""
    out = []
    for svc, items in control(emu, "/_emulator/resources").items():
        for it in items:
            if svc == "secretsmanager" and it.get("state") == "scheduled-deletion":
                continue
            out.append((svc, it))
    return out


def _key(entry):
    return entry[0], json.dumps(entry[1], sort_keys=True)


def baseline(emu):
    """What the emulator holds now (the default VPC's objects, the test's own
    security group), to tell apart from what a run leaves."""
    return {_key(x) for x in leftovers(emu)}


def new_leftovers(emu, before):
    """leftovers() that were not there at baseline() `before`."""
    return [x for x in leftovers(emu) if _key(x) not in before]
