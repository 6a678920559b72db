"""Support code of the acceptance tests, written once: the provider binaries,
the emulator a test file runs against (each file with its own access key),
the provider's environment, a state-watching transcript sink, and a provider
process configured against the emulator.  The pytest fixtures built on these
are in conftest.py; what runs outside the tests too is in acceptance/harness.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from acceptance import harness
from acceptance.driver import cty, objchange, plugin
from acceptance.emulator.server import Emulator

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = REPO_ROOT / "acceptance" / "scenarios"
# Short create/modify/delete waits: long enough to be waited for, short enough for a test.
FAST = {"create_delay_s": 0.5, "modify_delay_s": 0.5, "delete_delay_s": 0.5}


def provider_binary(variable="PROVIDER_BIN", name="terraform-provider-secure") -> str:
    """$variable, else build/<name>, relative to the repository; the test is
    skipped when it was not built."""
    path = Path(os.environ.get(variable) or REPO_ROOT / "build" / name)
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.exists():
        pytest.skip(f"provider {path} does not exist (make, or set {variable})")
    return str(path)


def provider_test_binary() -> str:
    """The test build (with secure_test_fixture): $PROVIDER_TEST_BIN."""
    return provider_binary("PROVIDER_TEST_BIN", "terraform-provider-secure-test")


class Account:
    """The credentials a test file gives its emulator and its provider."""

    def __init__(self, access_key, secret_key, region="us-east-1"):
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region

    def emulator(self, settings=None):
        """A started emulator that accepts these credentials."""
        e = Emulator(access_key=self.access_key, secret_key=self.secret_key, region=self.region,
                     settings=settings)
        e.start()
        return e

    def client(self, emu, service):
        """A botocore client (one attempt per call) signed with these credentials."""
        return harness.botocore_client(emu, service, self.access_key, self.secret_key, self.region,
                                       max_attempts=1)

    def env(self):
        """The provider's environment: these credentials and nothing of the
        machine's AWS settings; trace logs on."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_SESSION_TOKEN": None, "AWS_PROFILE": None, "AWS_REGION": None,
                "AWS_DEFAULT_REGION": None, "AWS_EC2_METADATA_DISABLED": "true",
                "HOME": "/nonexistent", "TF_LOG": "trace"}

    def network(self, emu):
        """Two default subnets in different AZs and an application security group."""
        return harness.network(self.client(emu, "ec2"))


def resource_attrs(state, type_name):
    """The attributes of every instance of type_name in a state document."""
    return [r["instances"][0]["attributes"] for r in state.get("resources", [])
            if r["type"] == type_name and r.get("instances")]


class StateWatcher:
    """A transcript sink that also snapshots the state file whenever the
    driver writes a line, so every state the run wrote can be inspected
    (the file is empty again after the final destroy).

    hooks: {step name: fn(attrs)}, each called once when the driver starts
    that step ("=== step <name>"), with the attributes of the first
    type_name resource of the latest state (None when there is none yet);
    its result is kept in self.hooked[name]."""

    def __init__(self, path: Path, type_name=None, hooks=None):
        self.path = path
        self.snapshots = []
        self.text = []
        self.type_name = type_name
        self.hooks = hooks or {}
        self.hooked = {}

    def write(self, s):
        self.text.append(s)
        try:
            snap = self.path.read_text()
        except OSError:
            snap = None
        if snap is not None and (not self.snapshots or self.snapshots[-1] != snap):
            self.snapshots.append(snap)
        for step, fn in self.hooks.items():
            if ("=== step %s\n" % step) in s + "\n" and step not in self.hooked:
                self.hooked[step] = fn(self.current())
        return len(s)

    def current(self):
        if not self.snapshots or not self.snapshots[-1].strip():
            return None
        found = resource_attrs(json.loads(self.snapshots[-1]), self.type_name)
        return found[0] if found else None

    def states(self):
        """Every state document written, in order."""
        return [json.loads(s) for s in self.snapshots if s.strip()]

    def flush(self):
        pass


def configure_request(pb, schema, region, endpoint, **attrs):
    """A ConfigureProvider request like the scenarios' provider block: the
    region, every service's endpoint at `endpoint`, and any other provider
    attributes given as cty values (the rest null)."""
    block = objchange.block_from_proto(schema.provider.block)
    ty = block.implied_type()
    vals = {n: cty.NullVal(a.implied_type()) for n, a in block.attributes.items()}
    for n, nb in block.block_types.items():
        vals[n] = objchange.empty_block_value(nb)
    vals["region"] = cty.StringVal(region)
    ety = ty.attribute_type("endpoints")
    ev = {n: cty.NullVal(t) for n, t in ety.attrs.items()}
    ev.update({s: cty.StringVal(endpoint) for s in harness.SERVICES})
    vals["endpoints"] = cty.ObjectVal(ev)
    vals.update(attrs)
    return pb.ConfigureProvider.Request(
        terraform_version="1.15.0",
        config=pb.DynamicValue(msgpack=cty.msgpack_marshal(cty.ObjectVal(vals), ty)))


class Configured:
    """A provider process configured against the emulator like the
    scenarios' provider block, with type_name's resource schema at hand."""

    def __init__(self, binary, emu, account: Account, type_name):
        self.type_name = type_name
        self.h = plugin.start_provider(binary, env=account.env())
        self.pb, self.stub = self.h.pb, self.h.stub
        schema = self.stub.GetProviderSchema(self.pb.GetProviderSchema.Request())
        tags = cty.ObjectVal({"tags": cty.MapVal({"owner": cty.StringVal("acceptance")})})
        resp = self.stub.ConfigureProvider(configure_request(self.pb, schema, account.region, emu.endpoint,
                                                             default_tags=tags))
        assert not [d for d in resp.diagnostics if d.severity == 1], resp.diagnostics
        self.rblock = objchange.block_from_proto(schema.resource_schemas[type_name].block)
        self.rty = self.rblock.implied_type()

    def to_json(self, dv):
        return json.loads(cty.json_marshal(cty.msgpack_unmarshal(dv.msgpack, self.rty), self.rty))

    def dv(self, attrs):
        val = cty.json_unmarshal(json.dumps(attrs).encode(), self.rty)
        return self.pb.DynamicValue(msgpack=cty.msgpack_marshal(val, self.rty))

    def read(self, attrs):
        """ReadResource of attrs: (new state or None, diagnostics)."""
        resp = self.stub.ReadResource(self.pb.ReadResource.Request(type_name=self.type_name,
                                                                   current_state=self.dv(attrs)))
        diags = [(d.severity, d.summary, d.detail) for d in resp.diagnostics]
        new = self.to_json(resp.new_state) if resp.new_state.msgpack else None
        return new, diags

    def import_(self, id_):
        """ImportResourceState of id_: the one imported resource's state."""
        resp = self.stub.ImportResourceState(self.pb.ImportResourceState.Request(type_name=self.type_name, id=id_))
        errs = [d for d in resp.diagnostics if d.severity == 1]
        assert not errs, errs
        assert len(resp.imported_resources) == 1
        return self.to_json(resp.imported_resources[0].state)

    def close(self):
        self.h.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_state(binary, emu, account, type_name, attrs):
    """ReadResource of attrs in a fresh provider: (new state or None, diagnostics)."""
    with Configured(binary, emu, account, type_name) as p:
        return p.read(attrs)


def import_state(binary, emu, account, type_name, id_):
    """ImportResourceState of id_ in a fresh provider."""
    with Configured(binary, emu, account, type_name) as p:
        return p.import_(id_)
