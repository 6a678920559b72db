"""secure_test_fixture end to end, through the real provider binary.

1. The scenario acceptance/scenarios/fixture_lifecycle (create -> update ->
   replace -> import -> failed create -> recovery -> removal -> destroy) run
   by the protocol driver like Terraform core, against
   build/terraform-provider-secure-test ($PROVIDER_TEST_BIN). It must pass
   with no rule violation, and leave the fixture store empty.  Likewise
   fixture_validation (errors with attribute paths, then a valid apply).
2. Protocol-level checks the driver does not cover: drift (the store edited
   behind Terraform's back shows up on ReadResource), malformed requests
   answered with diagnostics while the provider keeps serving, and
   StopProvider cancelling a slow apply.

The fixture keeps its objects as JSON files in FIXTURE_STORE_DIR, so state
survives across the provider processes each walk starts.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from acceptance.driver import cty, objchange, plugin
from acceptance.driver.scenario import run_scenario
from acceptance.fixture_store import EMPTY_DOC, seed, seed_lifecycle
from acceptance.tests.support import SCENARIOS

SCENARIO = SCENARIOS / "fixture_lifecycle"
VALIDATION = SCENARIOS / "fixture_validation"
TYPE = "secure_test_fixture"


def env_for(store: Path) -> dict:
    return {"FIXTURE_STORE_DIR": str(store), "FIXTURE_FAIL": None}


def test_lifecycle_scenario(test_binary, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    seed_lifecycle(store)
    result = run_scenario(str(SCENARIO), test_binary, env=env_for(store))
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    actions = {s.name: getattr(s, "actions", {}) for s in result.steps}
    assert actions["03-replace"]["secure_test_fixture.a"] == "replace"
    assert actions["07-remove"]["secure_test_fixture.c"] == "delete"
    assert sorted(p.name for p in store.iterdir()) == [], "objects left behind"


def test_validation_scenario(test_binary, tmp_path):
    """Validation errors carry attribute paths (timeouts.create, rule[1].port)."""
    store = tmp_path / "store"
    store.mkdir()
    result = run_scenario(str(VALIDATION), test_binary, env=env_for(store))
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert list(store.iterdir()) == []


# ---------------------------------------------------------------- protocol


class Session:
    """One provider process, with the fixture's schema type at hand."""

    def __init__(self, binary: str, store: Path):
        self.h = plugin.start_provider(binary, env=env_for(store))
        self.pb = self.h.pb
        self.stub = self.h.stub
        resp = self.stub.GetProviderSchema(self.pb.GetProviderSchema.Request(), timeout=30)
        assert not [d for d in resp.diagnostics if d.severity == 1]
        self.ty = objchange.block_from_proto(resp.resource_schemas[TYPE].block).implied_type()

    def dv(self, val):
        return self.pb.DynamicValue(msgpack=cty.msgpack_marshal(val, self.ty))

    def undv(self, dv):
        return cty.msgpack_unmarshal(dv.msgpack, self.ty)

    def value(self, doc: dict):
        return cty.json_unmarshal(json.dumps(doc).encode(), self.ty)

    def close(self):
        self.h.shutdown()


@pytest.fixture
def session(test_binary, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    s = Session(test_binary, store)
    s.store = store
    yield s
    s.close()


def errors(resp):
    return [d for d in resp.diagnostics if d.severity == 1]


def test_drift_is_read_back(session):
    s = session
    path = seed(s.store, "fx-00000000000000d1", name="drifty", size=1)
    state = s.value(json.loads(path.read_text()))
    resp = s.stub.ReadResource(s.pb.ReadResource.Request(type_name=TYPE, current_state=s.dv(state)), timeout=30)
    assert not errors(resp)
    assert s.undv(resp.new_state).raw_equals(state)
    doc = json.loads(path.read_text())
    doc["description"] = "changed behind terraform's back"
    path.write_text(json.dumps(doc))
    resp = s.stub.ReadResource(s.pb.ReadResource.Request(type_name=TYPE, current_state=s.dv(state)), timeout=30)
    assert not errors(resp)
    assert s.undv(resp.new_state).get_attr("description").as_string() == "changed behind terraform's back"
    path.unlink()
    resp = s.stub.ReadResource(s.pb.ReadResource.Request(type_name=TYPE, current_state=s.dv(state)), timeout=30)
    assert not errors(resp) and s.undv(resp.new_state).is_null(), "a deleted object reads as null (removed)"
    # a corrupt store document is an error diagnostic, not a crash
    path.write_text("{\"name\": 12")
    resp = s.stub.ReadResource(s.pb.ReadResource.Request(type_name=TYPE, current_state=s.dv(state)), timeout=30)
    assert errors(resp)


def test_malformed_requests_keep_serving(session):
    s = session
    bad = [b"", b"\xc1", b"\x8f\xa4name", b"\xa3abc", b"\x81\xa4name\x07", b"\xdf\xff\xff\xff\xff",
           b"\x81\xa4name\xa2\xff\xfe", b"\xc0" * 3, b"\x91" * 100000]
    for raw in bad:
        dv = s.pb.DynamicValue(msgpack=raw)
        resp = s.stub.PlanResourceChange(s.pb.PlanResourceChange.Request(
            type_name=TYPE, prior_state=dv, proposed_new_state=dv, config=dv), timeout=30)
        assert errors(resp), raw
        assert not resp.HasField("planned_state") or not resp.planned_state.msgpack
        resp = s.stub.ValidateResourceConfig(s.pb.ValidateResourceConfig.Request(type_name=TYPE, config=dv), timeout=30)
        assert errors(resp), raw
    # wrong type at a nested position: the diagnostic names the attribute
    doc = dict(EMPTY_DOC, name="x", rule=[{"port": 80, "protocol": "tcp"}])
    good = cty.msgpack_marshal(s.value(doc), s.ty)
    assert b"\xa4port\x50" in good
    broken = good.replace(b"\xa4port\x50", b"\xa4port\xa2no")
    resp = s.stub.ValidateResourceConfig(s.pb.ValidateResourceConfig.Request(
        type_name=TYPE, config=s.pb.DynamicValue(msgpack=broken)), timeout=30)
    errs = errors(resp)
    assert errs
    steps = [st.attribute_name or st.element_key_int for st in errs[0].attribute.steps]
    assert "port" in steps, errs[0]
    resp = s.stub.UpgradeResourceState(s.pb.UpgradeResourceState.Request(
        type_name=TYPE, version=1, raw_state=s.pb.RawState(json=b"{\"name\":")), timeout=30)
    assert errors(resp)
    resp = s.stub.UpgradeResourceState(s.pb.UpgradeResourceState.Request(
        type_name=TYPE, version=0, raw_state=s.pb.RawState(flatmap={"name": "x"})), timeout=30)
    assert errors(resp)
    md = s.stub.GetMetadata(s.pb.GetMetadata.Request(), timeout=30)
    assert TYPE in [r.type_name for r in md.resources]


def test_stop_provider_cancels_slow_apply(session):
    s = session
    cfg = s.value(dict(EMPTY_DOC, name="slow", delay_ms=20000))
    null = cty.NullVal(s.ty)
    plan = s.stub.PlanResourceChange(s.pb.PlanResourceChange.Request(
        type_name=TYPE, prior_state=s.dv(null), proposed_new_state=s.dv(cfg), config=s.dv(cfg)), timeout=30)
    assert not errors(plan)
    out = {}

    def apply():
        out["resp"] = s.stub.ApplyResourceChange(s.pb.ApplyResourceChange.Request(
            type_name=TYPE, prior_state=s.dv(null), planned_state=plan.planned_state, config=s.dv(cfg)),
            timeout=60)

    t = threading.Thread(target=apply)
    started = time.monotonic()
    t.start()
    time.sleep(0.5)
    stop = s.stub.StopProvider(s.pb.StopProvider.Request(), timeout=30)
    assert stop.Error == ""
    t.join(30)
    assert not t.is_alive()
    assert time.monotonic() - started < 15, "apply did not notice StopProvider"
    errs = errors(out["resp"])
    assert errs and "cancel" in (errs[0].summary + errs[0].detail).lower()
    assert list(s.store.iterdir()) == [], "nothing was created"


def test_every_provider_method_answers(session):
    """Every tfplugin6.Provider method answers with a response (and, for what
    the provider does not offer, an error diagnostic), never UNIMPLEMENTED,
    even for an empty request.  StopProvider goes last."""
    import grpc

    s = session
    service = s.pb.DESCRIPTOR.services_by_name["Provider"]
    methods = sorted(service.methods, key=lambda m: m.name == "StopProvider")
    from google.protobuf import message_factory

    def msg_class(desc):
        return message_factory.GetMessageClass(desc) if hasattr(message_factory, "GetMessageClass") \
            else message_factory.MessageFactory().GetPrototype(desc)

    seen = []
    for m in methods:
        req = msg_class(m.input_type)()
        rpc = getattr(s.stub, m.name)
        try:
            if m.client_streaming:
                resp = rpc(iter([req]), timeout=30)
                out = [resp]
            elif m.server_streaming:
                out = list(rpc(req, timeout=30))
            else:
                out = [rpc(req, timeout=30)]
        except grpc.RpcError as e:
            pytest.fail("%s: gRPC %s %s" % (m.name, e.code(), e.details()))
        seen.append(m.name)
        if m.name in ("GetMetadata", "GetProviderSchema", "GetFunctions", "GetResourceIdentitySchemas",
                      "StopProvider", "ValidateProviderConfig"):
            continue  # valid with an empty request (no provider block = null config)
        # the rest name something this provider lacks, or get an empty (invalid) request
        if m.name == "CallFunction":
            assert out[0].error.text, m.name
            continue
        diags = []
        for o in out:
            if m.name == "InvokeAction":
                diags += list(o.completed.diagnostics)
            elif m.name == "ListResource":
                diags += list(o.diagnostic)
            else:
                diags += list(o.diagnostics)
        assert [d for d in diags if d.severity == 1], "%s answered without an error diagnostic" % m.name
    assert len(seen) == len(service.methods)


def test_concurrent_creates_and_deletes(session):
    """Terraform runs up to 10 operations at once: 20 creates in parallel give
    20 distinct objects, then 20 parallel deletes leave nothing."""
    from concurrent.futures import ThreadPoolExecutor

    s = session
    null = cty.NullVal(s.ty)

    def create(i):
        cfg = s.value(dict(EMPTY_DOC, name="c%d" % i, tags={"n": str(i)}, rule=[{"port": 1000 + i, "protocol": None}]))
        plan = s.stub.PlanResourceChange(s.pb.PlanResourceChange.Request(
            type_name=TYPE, prior_state=s.dv(null), proposed_new_state=s.dv(cfg), config=s.dv(cfg)), timeout=60)
        assert not errors(plan)
        resp = s.stub.ApplyResourceChange(s.pb.ApplyResourceChange.Request(
            type_name=TYPE, prior_state=s.dv(null), planned_state=plan.planned_state, config=s.dv(cfg)), timeout=60)
        assert not errors(resp)
        return s.undv(resp.new_state)

    def delete(st):
        resp = s.stub.ApplyResourceChange(s.pb.ApplyResourceChange.Request(
            type_name=TYPE, prior_state=s.dv(st), planned_state=s.dv(null), config=s.dv(null)), timeout=60)
        assert not errors(resp)
        assert s.undv(resp.new_state).is_null()

    with ThreadPoolExecutor(10) as pool:
        states = list(pool.map(create, range(20)))
    ids = {st.get_attr("id").as_string() for st in states}
    assert len(ids) == 20
    assert len(list(s.store.iterdir())) == 20
    for i, st in enumerate(states):
        assert st.get_attr("name").as_string() == "c%d" % i
        (rule,) = st.get_attr("rule").elements()
        assert rule.get_attr("protocol").as_string() == "tcp"  # computed default
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(delete, states))
    assert list(s.store.iterdir()) == []


def test_lifecycle_with_real_terraform(test_binary, tmp_path):
    """The same scenario driven by a real terraform (dev_overrides), when one
    is installed: Terraform itself must accept every step, and the
    infrastructure must be gone afterwards."""
    import shutil

    from acceptance.driver.scenario import run_with_terraform

    if not shutil.which("terraform"):
        pytest.skip("no terraform on PATH (the protocol driver covers the same scenario)")
    store = tmp_path / "store"
    store.mkdir()
    seed_lifecycle(store)
    result = run_with_terraform(str(SCENARIO), test_binary, env=env_for(store),
                                workdir=str(tmp_path / "tf"))
    assert result.ok, "\n".join(f"{s.name}: {s.__dict__}" for s in result.steps) + result.destroy_output
    assert sorted(p.name for p in store.iterdir()) == [], "objects left behind"
