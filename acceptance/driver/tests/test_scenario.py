"""Scenario runner tests against a small FAKE provider implemented here in Python.

The fake is a real tfplugin6 gRPC server (in this process, plaintext on 127.0.0.1) with an
in-memory "cloud" shared by all of its instances, so that — like Terraform — the driver can
start a fresh provider for every walk.  Misbehaving variants (``bugs``) show that the driver
catches each contract violation with Terraform's wording."""

import json
import os
import threading
from concurrent import futures

import pytest

from acceptance.driver import cty, plugin
from acceptance.driver.cty import NullVal, UnknownVal
from acceptance.driver.scenario import run_scenario

plugin.stubs_path()
import grpc  # noqa: E402
import tfplugin6_pb2 as pb  # noqa: E402
import tfplugin6_pb2_grpc as pbg  # noqa: E402

PROVIDER_SCHEMA = pb.Schema(block=pb.Schema.Block(attributes=[
    pb.Schema.Attribute(name="region", type=b'"string"', optional=True),
    pb.Schema.Attribute(name="api_key", type=b'"string"', optional=True, sensitive=True),
]))

RESOURCE_SCHEMA = pb.Schema(version=1, block=pb.Schema.Block(
    attributes=[
        pb.Schema.Attribute(name="id", type=b'"string"', computed=True),
        pb.Schema.Attribute(name="arn", type=b'"string"', computed=True),
        pb.Schema.Attribute(name="name", type=b'"string"', required=True),
        pb.Schema.Attribute(name="size", type=b'"number"', optional=True),
        pb.Schema.Attribute(name="mode", type=b'"string"', optional=True, computed=True),
        pb.Schema.Attribute(name="tags", type=b'["map","string"]', optional=True),
        pb.Schema.Attribute(name="peer", type=b'"string"', optional=True),
        pb.Schema.Attribute(name="secret", type=b'"string"', optional=True, write_only=True),
        pb.Schema.Attribute(name="endpoint", computed=True, nested_type=pb.Schema.Object(
            nesting=pb.Schema.Object.SINGLE, attributes=[
                pb.Schema.Attribute(name="host", type=b'"string"', computed=True),
                pb.Schema.Attribute(name="port", type=b'"number"', computed=True)])),
    ],
    block_types=[pb.Schema.NestedBlock(type_name="rule", nesting=pb.Schema.NestedBlock.LIST, max_items=2,
                                       block=pb.Schema.Block(attributes=[
                                           pb.Schema.Attribute(name="port", type=b'"number"', required=True),
                                           pb.Schema.Attribute(name="cidr", type=b'"string"', required=True)]))]))


def _block(schema):
    from acceptance.driver import objchange
    return objchange.block_from_proto(schema.block)


RES_BLOCK = _block(RESOURCE_SCHEMA)
RES_TY = RES_BLOCK.implied_type()
PROV_TY = _block(PROVIDER_SCHEMA).implied_type()


def dec(dv, ty=RES_TY):
    return cty.msgpack_unmarshal(dv.msgpack, ty)


def enc(v, ty=RES_TY):
    return pb.DynamicValue(msgpack=cty.msgpack_marshal(v, ty))


def err(summary, detail="", attr=None):
    d = pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)
    if attr:
        d.attribute.steps.add(attribute_name=attr)
    return d


class Cloud:
    """The fake's remote API: objects by id, shared by every provider instance."""

    def __init__(self, bugs=()):
        self.objects = {}
        self.next_id = 1
        self.bugs = set(bugs)
        self.calls = []
        self.plans = 0
        self.lock = threading.Lock()
        self.upgrade_requests = []


class FakeProvider(pbg.ProviderServicer):
    def __init__(self, cloud):
        self.cloud = cloud
        self.configured = False

    def _log(self, name):
        self.cloud.calls.append(name)

    def GetMetadata(self, req, ctx):
        self._log("GetMetadata")
        return pb.GetMetadata.Response(resources=[pb.GetMetadata.ResourceMetadata(type_name="fake_thing")],
                                       server_capabilities=pb.ServerCapabilities(plan_destroy=True))

    def GetProviderSchema(self, req, ctx):
        self._log("GetProviderSchema")
        return pb.GetProviderSchema.Response(provider=PROVIDER_SCHEMA, resource_schemas={"fake_thing": RESOURCE_SCHEMA},
                                             server_capabilities=pb.ServerCapabilities(plan_destroy=True))

    def ValidateProviderConfig(self, req, ctx):
        self._log("ValidateProviderConfig")
        dec(req.config, PROV_TY)
        return pb.ValidateProviderConfig.Response()

    def ConfigureProvider(self, req, ctx):
        self._log("ConfigureProvider")
        c = dec(req.config, PROV_TY)
        if c.get_attr("region").is_null():
            return pb.ConfigureProvider.Response(diagnostics=[err("Missing region", attr="region")])
        self.configured = True
        return pb.ConfigureProvider.Response()

    def ValidateResourceConfig(self, req, ctx):
        self._log("ValidateResourceConfig")
        c = dec(req.config)
        size = c.get_attr("size")
        if size.known and not size.is_null() and size.v < 0:
            return pb.ValidateResourceConfig.Response(diagnostics=[
                err("Invalid size", "size must be at least 0", attr="size")])
        return pb.ValidateResourceConfig.Response()

    def UpgradeResourceState(self, req, ctx):
        self._log("UpgradeResourceState")
        raw = json.loads(req.raw_state.json)
        self.cloud.upgrade_requests.append((req.version, raw))
        if req.version == 0 and "size_gb" in raw:  # a version-0 attribute renamed in version 1
            raw["size"] = raw.pop("size_gb")
        v = cty.json_unmarshal(json.dumps(raw).encode(), RES_TY)
        return pb.UpgradeResourceState.Response(upgraded_state=enc(v))

    def _need_configured(self):
        if not self.configured:
            return [err("Provider not configured", "ConfigureProvider was not called on this instance")]
        return []

    def ReadResource(self, req, ctx):
        self._log("ReadResource")
        d = self._need_configured()
        if d:
            return pb.ReadResource.Response(diagnostics=d)
        cur = dec(req.current_state)
        oid = cur.get_attr("id").v
        with self.cloud.lock:
            stored = self.cloud.objects.get(oid)
        if stored is None:
            return pb.ReadResource.Response(new_state=enc(NullVal(RES_TY)))
        if not req.private.startswith(b"v1:") and "read_no_private_check" not in self.cloud.bugs:
            return pb.ReadResource.Response(diagnostics=[err("Private data lost", repr(req.private))])
        v = stored
        if "read_drift" in self.cloud.bugs:
            v = cty.ObjectVal({**v.v, "size": cty.NumberVal(999)})
        if "read_secret" in self.cloud.bugs:
            v = cty.ObjectVal({**v.v, "secret": cty.StringVal("leaked")})
        return pb.ReadResource.Response(new_state=enc(v), private=req.private)

    def PlanResourceChange(self, req, ctx):
        self._log("PlanResourceChange")
        d = self._need_configured()
        if d:
            return pb.PlanResourceChange.Response(diagnostics=d)
        prior = dec(req.prior_state)
        proposed = dec(req.proposed_new_state)
        config = dec(req.config)
        if proposed.is_null():
            return pb.PlanResourceChange.Response(planned_state=enc(proposed), planned_private=req.prior_private)
        p = dict(proposed.v)
        rr = []
        with self.cloud.lock:
            self.cloud.plans += 1
            nplan = self.cloud.plans
        if prior.is_null():
            p["id"] = UnknownVal(cty.STRING)
            p["arn"] = UnknownVal(cty.STRING, {"notnull": True, "prefix": "arn:fake:"})
            p["endpoint"] = UnknownVal(RES_TY.attrs["endpoint"])
        else:
            if not prior.get_attr("name").raw_equals(config.get_attr("name")):
                step = pb.AttributePath()
                step.steps.add(attribute_name="name")
                rr.append(step)
        if config.get_attr("mode").is_null() and p["mode"].is_null():
            p["mode"] = cty.StringVal("standard")
            if "final_plan_differs" in self.cloud.bugs and nplan % 2 == 0:
                p["mode"] = cty.StringVal("premium")
        p["secret"] = NullVal(cty.STRING)
        if "plan_changes_config" in self.cloud.bugs:
            p["name"] = cty.StringVal(config.get_attr("name").v.upper())
        if "plan_write_only" in self.cloud.bugs:
            p["secret"] = config.get_attr("secret")  # equal to config: only the write-only rule fires
        if "plan_other_write_only" in self.cloud.bugs:
            p["secret"] = cty.StringVal("s3cr3t")
        if "plan_unknown_size" in self.cloud.bugs and not config.get_attr("size").is_null():
            p["size"] = UnknownVal(cty.NUMBER)
        planned = cty.ObjectVal(p)
        return pb.PlanResourceChange.Response(planned_state=enc(planned), requires_replace=rr,
                                              planned_private=b"planned")

    def ApplyResourceChange(self, req, ctx):
        self._log("ApplyResourceChange")
        d = self._need_configured()
        if d:
            return pb.ApplyResourceChange.Response(diagnostics=d)
        prior = dec(req.prior_state)
        planned = dec(req.planned_state)
        config = dec(req.config)
        if planned.is_null():
            oid = prior.get_attr("id").v
            with self.cloud.lock:
                self.cloud.objects.pop(oid, None)
            if "delete_returns_object" in self.cloud.bugs:
                return pb.ApplyResourceChange.Response(new_state=enc(prior))
            return pb.ApplyResourceChange.Response(new_state=enc(NullVal(RES_TY)))
        if req.planned_private != b"planned":
            return pb.ApplyResourceChange.Response(diagnostics=[err("Planned private data lost", repr(req.planned_private))])
        n = dict(planned.v)
        if prior.is_null():
            with self.cloud.lock:
                oid = "t-%d" % self.cloud.next_id
                self.cloud.next_id += 1
            n["id"] = cty.StringVal(oid)
            n["arn"] = cty.StringVal("arn:fake:" + oid)
            n["endpoint"] = cty.ObjectVal({"host": cty.StringVal(oid + ".fake"), "port": cty.NumberVal(6379)})
        oid = n["id"].v
        if not n["size"].known:
            n["size"] = cty.NumberVal(5)
        if "apply_changes_known" in self.cloud.bugs and not n["size"].is_null():
            n["size"] = cty.NumberVal(n["size"].v + 1)
        if "apply_leaves_unknown" in self.cloud.bugs:
            n["arn"] = UnknownVal(cty.STRING)
        if "apply_breaks_refinement" in self.cloud.bugs:
            n["arn"] = cty.StringVal("wrong:" + oid)
        if "apply_returns_secret" in self.cloud.bugs:
            n["secret"] = config.get_attr("secret")
        new = cty.ObjectVal(n)
        stored = cty.ObjectVal({**n, "secret": NullVal(cty.STRING)})
        if "apply_error_partial" in self.cloud.bugs and not config.get_attr("name").v.startswith("ok"):
            with self.cloud.lock:
                self.cloud.objects[oid] = stored
            return pb.ApplyResourceChange.Response(new_state=enc(cty.unknown_as_null(new)), private=b"v1:" + oid.encode(),
                                                   diagnostics=[err("Waiting for thing failed", "the thing never became available")])
        with self.cloud.lock:
            self.cloud.objects[oid] = stored
        return pb.ApplyResourceChange.Response(new_state=enc(new), private=b"v1:" + oid.encode())

    def ImportResourceState(self, req, ctx):
        self._log("ImportResourceState")
        st = cty.ObjectVal({**RES_BLOCK.empty_value().v, "id": cty.StringVal(req.id)})
        return pb.ImportResourceState.Response(imported_resources=[
            pb.ImportResourceState.ImportedResource(type_name="fake_thing", state=enc(st), private=b"v1:" + req.id.encode())])

    def StopProvider(self, req, ctx):
        return pb.StopProvider.Response()


class Handle:
    def __init__(self, cloud):
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        pbg.add_ProviderServicer_to_server(FakeProvider(cloud), self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.channel = grpc.insecure_channel("127.0.0.1:%d" % port)
        self.stub = pbg.ProviderStub(self.channel)
        self.pb = pb

    def shutdown(self):
        self.channel.close()
        self.server.stop(None)


def factory(cloud):
    return lambda: Handle(cloud)


PROVIDER_BLOCK = {"fake": {"region": "eu-west-1"}}
TERRAFORM_BLOCK = {"required_providers": {"fake": {"source": "example/fake"}}}


def write_scenario(root, steps):
    """steps: list of (name, resources dict, expect dict|None, extra top-level dict|None)."""
    for name, resources, expect, extra in steps:
        d = root / name
        d.mkdir(parents=True)
        doc = {"terraform": TERRAFORM_BLOCK, "provider": PROVIDER_BLOCK}
        if resources:
            doc["resource"] = {"fake_thing": resources}
        if extra:
            doc.update(extra)
        (d / "main.tf.json").write_text(json.dumps(doc, indent=2))
        if expect is not None:
            (d / "expect.json").write_text(json.dumps(expect))
    return str(root)


def run(tmp_path, steps, bugs=(), keep_state=None):
    cloud = Cloud(bugs)
    path = write_scenario(tmp_path / "scn", steps)
    res = run_scenario(path, provider_factory=factory(cloud), keep_state=keep_state)
    return res, cloud


BASIC = [
    ("01-create", {"a": {"name": "alpha", "size": 1, "tags": {"k": "v"},
                         "rule": [{"port": 6379, "cidr": "10.0.0.0/8"}]},
                   "b": {"name": "beta-${fake_thing.a.id}", "peer": "${fake_thing.a.arn}", "secret": "pw"}},
     {"plan": {"fake_thing.a": "create", "fake_thing.b": "create"}}, None),
    ("02-update", {"a": {"name": "alpha", "size": 2, "tags": {"k": "v2"},
                         "rule": [{"port": 6379, "cidr": "10.0.0.0/8"}]},
                   "b": {"name": "beta-${fake_thing.a.id}", "peer": "${fake_thing.a.arn}", "secret": "pw2"}},
     {"plan": {"fake_thing.a": "update", "fake_thing.b": "no-op"}}, None),
    ("03-replace", {"a": {"name": "alpha2", "size": 2}},
     {"plan": {"fake_thing.a": "replace", "fake_thing.b": "delete"}}, None),
]


def test_good_provider_passes(tmp_path):
    state_file = str(tmp_path / "kept.tfstate")
    res, cloud = run(tmp_path, BASIC, keep_state=state_file)
    assert res.ok, res.transcript + "\n" + "\n".join(res.violations)
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in res.transcript
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in res.transcript
    assert "Plan: 1 to add, 0 to change, 2 to destroy." in res.transcript
    assert "Destroy complete! Resources: 1 destroyed." in res.transcript
    assert cloud.objects == {}
    # every walk configured its own fresh provider instance before using it
    assert cloud.calls.count("ConfigureProvider") >= 9
    # UpgradeResourceState got the raw JSON of the state file with the schema version
    versions = {v for v, _ in cloud.upgrade_requests}
    assert versions == {1}
    raw = cloud.upgrade_requests[0][1]
    assert set(raw) == set(RES_TY.attrs) and raw["secret"] is None
    # the kept state is a v4 state file, empty after destroy
    doc = json.loads(open(state_file).read())
    assert doc["version"] == 4 and doc["resources"] == []


def test_state_file_records_private_and_dependencies(tmp_path):
    state_file = str(tmp_path / "s.tfstate")
    steps = [BASIC[0]]
    cloud = Cloud()
    path = write_scenario(tmp_path / "scn", steps)
    from acceptance.driver import scenario as sc
    runner = sc.Runner(factory(cloud))
    state = sc.State(state_file, "registry.terraform.io/example/fake")
    runner.last_provider_body = PROVIDER_BLOCK["fake"]
    sr = runner.run_step(os.path.join(path, "01-create"), state, {})
    assert sr.ok, runner.result.transcript
    doc = json.loads(open(state_file).read())
    byname = {r["name"]: r for r in doc["resources"]}
    inst_b = byname["b"]["instances"][0]
    assert inst_b["dependencies"] == ["fake_thing.a"]
    assert inst_b["schema_version"] == 1
    import base64
    assert base64.b64decode(inst_b["private"]).startswith(b"v1:t-")
    assert inst_b["attributes"]["secret"] is None            # write-only never stored
    assert inst_b["attributes"]["name"] == "beta-" + byname["a"]["instances"][0]["attributes"]["id"]
    assert byname["a"]["provider"] == 'provider["registry.terraform.io/example/fake"]'
    runner.run_step(None, state, {}, final_destroy=True)
    assert cloud.objects == {}


def test_validate_error_expected(tmp_path):
    steps = [("01-bad", {"a": {"name": "x", "size": -1}},
              {"validate_error": {"summary": "Invalid size", "attribute": "size"}}, None)]
    res, cloud = run(tmp_path, steps)
    assert res.ok, res.violations
    assert "ApplyResourceChange" not in cloud.calls


def test_validate_error_unexpected_fails(tmp_path):
    steps = [("01-bad", {"a": {"name": "x", "size": -1}}, None, None)]
    res, _ = run(tmp_path, steps)
    assert not res.ok
    assert "Error: Invalid size" in res.transcript
    assert "with fake_thing.a.size" in res.transcript


def test_expected_error_that_does_not_happen_fails(tmp_path):
    steps = [("01", {"a": {"name": "x"}}, {"apply_error": "never"}, None)]
    res, _ = run(tmp_path, steps)
    assert not res.ok
    assert any("expected apply_error" in v for v in res.violations)


def test_plan_expectation_mismatch_fails(tmp_path):
    steps = [("01", {"a": {"name": "x"}}, {"plan": {"fake_thing.a": "update"}}, None)]
    res, _ = run(tmp_path, steps)
    assert not res.ok
    assert any("expected fake_thing.a to plan update, planned create" in v for v in res.violations)


def test_config_errors(tmp_path):
    steps = [("01", {"a": {"name": "x", "bogus": 1}}, None, None)]
    res, _ = run(tmp_path, steps)
    assert "Error: Unsupported argument" in res.transcript and not res.ok
    steps = [("01", {"a": {"name": "${fake_thing.zz.id}"}}, None, None)]
    res, _ = run(tmp_path / "2", steps)
    assert "Reference to undeclared resource" in res.transcript and not res.ok
    steps = [("01", {"a": {}}, {"validate_error": {"summary": "Missing required argument", "attribute": "name"}}, None)]
    res, _ = run(tmp_path / "3", steps)
    assert res.ok, res.transcript
    steps = [("01", {"a": {"name": "x", "id": "set"}}, None, None)]
    res, _ = run(tmp_path / "4", steps)
    assert "Invalid Configuration for Read-Only Attribute" in res.transcript and not res.ok
    steps = [("01", {"a": {"name": "x", "rule": [{"port": 1, "cidr": "a"}] * 3}}, None, None)]
    res, _ = run(tmp_path / "5", steps)
    assert "Too many rule blocks" in res.transcript and not res.ok


def test_import_block(tmp_path):
    cloud = Cloud()
    cloud.objects["t-77"] = cty.ObjectVal({**RES_BLOCK.empty_value().v, "id": cty.StringVal("t-77"),
                                           "arn": cty.StringVal("arn:fake:t-77"), "name": cty.StringVal("imp"),
                                           "mode": cty.StringVal("standard"),
                                           "endpoint": cty.ObjectVal({"host": cty.StringVal("h"), "port": cty.NumberVal(1)})})
    cloud.next_id = 100
    steps = [("01-import", {"x": {"name": "imp"}}, {"plan": {"fake_thing.x": "no-op"}},
              {"import": [{"to": "fake_thing.x", "id": "t-77"}]})]
    path = write_scenario(tmp_path / "scn", steps)
    res = run_scenario(path, provider_factory=factory(cloud))
    assert res.ok, res.transcript + "\n".join(res.violations)
    assert "ImportResourceState" in cloud.calls
    assert "fake_thing.x: Import prepared!" in res.transcript
    assert "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy." in res.transcript
    assert cloud.objects == {}


def test_import_of_missing_object(tmp_path):
    steps = [("01", {"x": {"name": "imp"}}, None, {"import": {"to": "fake_thing.x", "id": "t-404"}})]
    res, _ = run(tmp_path, steps)
    assert not res.ok
    assert "Cannot import non-existent remote object" in res.transcript


def test_object_deleted_outside_is_recreated(tmp_path):
    cloud = Cloud()
    steps = [("01", {"a": {"name": "x"}}, None, None),
             ("02", {"a": {"name": "x"}}, {"plan": {"fake_thing.a": "create"}}, None)]
    path = write_scenario(tmp_path / "scn", steps)
    from acceptance.driver import scenario as sc
    orig = sc.Runner.run_step

    def run_step(self, step_dir, state, expect, final_destroy=False):
        if step_dir and step_dir.endswith("02"):
            cloud.objects.clear()  # someone deleted it behind Terraform's back
        return orig(self, step_dir, state, expect, final_destroy)

    sc.Runner.run_step = run_step
    try:
        res = run_scenario(path, provider_factory=factory(cloud))
    finally:
        sc.Runner.run_step = orig
    assert res.ok, res.transcript + "\n".join(res.violations)
    assert "object has been deleted outside of Terraform" in res.transcript


# ------------------------------------------------------------- misbehaving providers

ONE = [("01", {"a": {"name": "x", "size": 1, "secret": "pw"}}, None, None)]


@pytest.mark.parametrize("bug,summary,detail_part", [
    ("plan_changes_config", "Provider produced invalid plan",
     'planned an invalid value for fake_thing.a.name: planned value cty.StringVal("X") does not match config value cty.StringVal("x")'),
    ("plan_write_only", "Provider produced invalid plan",
     'returned a value for the write-only attribute "fake_thing.a.secret"'),
    ("plan_other_write_only", "Provider produced invalid plan",
     "planned an invalid value for fake_thing.a.secret: planned value for write-only attribute is not null"),
    ("apply_changes_known", "Provider produced inconsistent result after apply",
     "produced an unexpected new value: .size: was cty.NumberIntVal(1), but now cty.NumberIntVal(2)"),
    ("apply_leaves_unknown", "Provider returned invalid result object after apply",
     "still indicated an unknown value for fake_thing.a.arn"),
    ("apply_breaks_refinement", "Provider produced inconsistent result after apply",
     '.arn: final value cty.StringVal("wrong:t-1") does not conform to planning placeholder'),
    ("apply_returns_secret", "Provider produced invalid object",
     'returned a value for the write-only attribute "fake_thing.a.secret" after apply'),
    ("final_plan_differs", "Provider produced inconsistent final plan",
     'produced an invalid new value for .mode: was cty.StringVal("standard"), but now cty.StringVal("premium")'),
])
def test_driver_catches_violation(tmp_path, bug, summary, detail_part):
    res, _ = run(tmp_path, ONE, bugs=[bug])
    assert not res.ok
    errs = [d for s in res.steps for d in s.errors]
    assert any(d.summary == summary and detail_part in d.detail for d in errs), \
        "\n".join("%s | %s" % (d.summary, d.detail) for d in errs)
    assert "Error: " + summary in res.transcript


def test_driver_catches_unexpected_change_in_second_plan(tmp_path):
    res, _ = run(tmp_path, ONE, bugs=["read_drift"])
    assert not res.ok
    assert any("second plan is not empty: fake_thing.a planned update" in v and "size" in v for v in res.violations)


def test_driver_catches_write_only_after_refresh(tmp_path):
    res, _ = run(tmp_path, ONE, bugs=["read_secret"])
    assert not res.ok
    assert "during refresh" in res.transcript and "write-only" in res.transcript


def test_driver_catches_delete_returning_object(tmp_path):
    res, _ = run(tmp_path, ONE, bugs=["delete_returns_object"])
    assert not res.ok
    assert "After applying a Delete plan, the provider returned a non-null object" in res.transcript


def test_partial_apply_error_taints_and_next_step_replaces(tmp_path):
    steps = [("01", {"a": {"name": "x"}}, {"apply_error": "never became available"}, None),
             ("02", {"a": {"name": "ok"}}, {"plan": {"fake_thing.a": "replace"}}, None)]
    state_file = str(tmp_path / "s.tfstate")
    cloud = Cloud(["apply_error_partial"])
    path = write_scenario(tmp_path / "scn", steps)
    from acceptance.driver import scenario as sc
    runner = sc.Runner(factory(cloud))
    runner.last_provider_body = PROVIDER_BLOCK["fake"]
    state = sc.State(state_file, "registry.terraform.io/example/fake")
    sr = runner.run_step(os.path.join(path, "01"), state, {"apply_error": "never became available"})
    assert sr.ok, runner.result.transcript
    doc = json.loads(open(state_file).read())
    inst = doc["resources"][0]["instances"][0]
    assert inst["status"] == "tainted" and inst["attributes"]["id"] == "t-1"
    sr2 = runner.run_step(os.path.join(path, "02"), state, {"plan": {"fake_thing.a": "replace"}})
    assert sr2.ok, runner.result.transcript
    assert "t-1" not in cloud.objects
    runner.run_step(None, state, {}, final_destroy=True)
    assert cloud.objects == {}


def test_unexpected_provider_error_fails(tmp_path):
    res, _ = run(tmp_path, ONE, bugs=["apply_error_partial"])
    assert not res.ok
    assert "Error: Waiting for thing failed" in res.transcript
    assert "with fake_thing.a," in res.transcript


def test_unknown_planned_values_flow_into_references(tmp_path):
    # b's name is unknown at plan time (a.id), so b's first plan has unknown name; at apply
    # time the driver re-plans b with the known id and asserts the final plan is consistent.
    res, cloud = run(tmp_path, [BASIC[0]])
    assert res.ok, res.transcript
    applies = cloud.calls.count("ApplyResourceChange")
    assert applies == 4  # two creates, two destroys


def test_cli_usage_errors():
    from acceptance.driver.__main__ import main
    with pytest.raises(SystemExit) as ei:
        main(["run", "x"])
    assert ei.value.code == 2
