"""Scenario runner tests against the FAKE provider in test_scenario_fakeprovider.py.

The fake runs in-process (plaintext gRPC on 127.0.0.1); misbehaving variants (``bugs``) show
that the driver catches each contract violation with Terraform's wording."""

import json
import os
import sys

import pytest

from acceptance.driver import cty
from acceptance.driver.scenario import run_scenario
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the fake, whatever the import mode
from test_scenario_fakeprovider import RES_BLOCK, RES_TY, Cloud, factory  # noqa: E402

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
    assert "  with fake_thing.a,\n  on main.tf.json, in resource.fake_thing.a.size:" in res.transcript


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
    assert "Error: Extraneous JSON object property" in res.transcript and not res.ok
    assert 'No argument or block type is named "bogus".' in res.transcript
    steps = [("01", {"a": {"name": "${fake_thing.zz.id}"}}, None, None)]
    res, _ = run(tmp_path / "2", steps)
    assert "Reference to undeclared resource" in res.transcript and not res.ok
    steps = [("01", {"a": {}}, {"validate_error": {"summary": "Missing required argument", "attribute": "name"}}, None)]
    res, _ = run(tmp_path / "3", steps)
    assert res.ok, res.transcript
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
    # Terraform checks write-only attributes before AssertPlanValid, so even a value that
    # differs from config is reported by the write-only rule.
    ("plan_other_write_only", "Provider produced invalid plan",
     'returned a value for the write-only attribute "fake_thing.a.secret" during planning'),
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


@pytest.mark.parametrize("bug,detail_part", [
    ("plan_garbage", "returned an undecodable msgpack planned state"),
    ("plan_missing_attribute", "an object with 11 attributes is required (10 given)"),
])
def test_driver_catches_undecodable_values(tmp_path, bug, detail_part):
    res, _ = run(tmp_path, ONE, bugs=[bug])
    assert not res.ok
    errs = [d for s in res.steps for d in s.errors]
    assert errs[0].summary == "Provider returned an invalid value" and detail_part in errs[0].detail, errs[0].detail


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


def test_driver_catches_action_change_in_final_plan(tmp_path):
    steps = [("01", {"a": {"name": "x", "size": 1}}, None, None),
             ("02", {"a": {"name": "x", "size": 2}}, {"plan": {"fake_thing.a": "update"}}, None)]
    cloud = Cloud(["apply_plan_replaces"])
    cloud.plans = 1  # so that the plan walk of step 02 is odd and its apply-time plan even
    path = write_scenario(tmp_path / "scn", steps)
    res = run_scenario(path, provider_factory=factory(cloud))
    assert not res.ok
    assert "changed the planned action from Update to DeleteThenCreate" in res.transcript, res.transcript


def test_import_only_step_records_state_and_failure_stops_the_scenario(tmp_path):
    cloud = Cloud()
    cloud.objects["t-77"] = cty.ObjectVal({**RES_BLOCK.empty_value().v, "id": cty.StringVal("t-77"),
                                           "arn": cty.StringVal("arn:fake:t-77"), "name": cty.StringVal("imp"),
                                           "mode": cty.StringVal("standard"),
                                           "endpoint": cty.ObjectVal({"host": cty.StringVal("h"), "port": cty.NumberVal(1)})})
    steps = [("01-import", {"x": {"name": "imp"}}, {"plan": {"fake_thing.x": "import"}},
              {"import": [{"to": "fake_thing.x", "id": "t-77"}]}),
             ("02-broken", {"x": {"name": "imp", "size": -1}}, None, None),
             ("03-never", {"x": {"name": "imp"}}, None, None)]
    path = write_scenario(tmp_path / "scn", steps)
    from acceptance.driver import scenario as sc
    runner = sc.Runner(factory(cloud))
    runner.last_provider_body = {"region": "r"}
    state_file = str(tmp_path / "s.tfstate")
    state = sc.State(state_file, "registry.terraform.io/example/fake")
    sr = runner.run_step(os.path.join(path, "01-import"), state, {"plan": {"fake_thing.x": "import"}})
    assert sr.ok, runner.result.transcript
    assert "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed." in runner.result.transcript
    doc = json.loads(open(state_file).read())
    assert [r["name"] for r in doc["resources"]] == ["x"]

    res = run_scenario(path, provider_factory=factory(cloud))
    assert not res.ok
    assert "03-never: not run because step 02-broken failed" in res.violations
    assert "Destroy complete! Resources: 1 destroyed." in res.transcript
    assert cloud.objects == {}


def test_apply_error_stops_only_dependents(tmp_path):
    # "bad" fails to create (partial state, tainted); "dep" refers to it and is not attempted;
    # "indep" is still created, as terraform does.
    steps = [("01", {"bad": {"name": "bad"}, "dep": {"name": "okdep", "peer": "${fake_thing.bad.id}"},
                     "indep": {"name": "okindep"}},
              {"apply_error": "never became available"}, None)]
    cloud = Cloud(["apply_error_partial"])
    path = write_scenario(tmp_path / "scn", steps)
    res = run_scenario(path, provider_factory=factory(cloud))
    assert res.ok, res.transcript + "\n".join(res.violations)
    assert "fake_thing.indep: Creation complete" in res.transcript
    assert "fake_thing.dep: Creating" not in res.transcript
    assert "Destroy complete! Resources: 2 destroyed." in res.transcript
    assert cloud.objects == {}


def test_bad_expect_json_is_reported_before_running(tmp_path):
    steps = [("01", {"a": {"name": "x"}}, {"plan": {"fake_thing.a": "create"}, "typo_key": 1}, None)]
    cloud = Cloud()
    res, cloud = run(tmp_path, steps)
    assert not res.ok
    assert any("unknown expect.json keys ['typo_key']" in v for v in res.violations)
    assert "ApplyResourceChange" not in cloud.calls


def test_requires_replace_on_a_missing_path(tmp_path):
    steps = [("01", {"a": {"name": "x"}}, None, None), ("02", {"a": {"name": "x", "size": 3}}, None, None)]
    res, _ = run(tmp_path, steps, bugs=["plan_bad_requires_replace"])
    assert not res.ok
    assert 'has indicated "requires replacement" on fake_thing.a for a non-existent attribute path .no_such_attribute' \
        in res.transcript


def test_refresh_json_state_missing_attribute_is_null_like_ctyjson(tmp_path):
    # A JSON DynamicValue missing an attribute: ctyjson fills it with null, so it decodes and
    # conforms; terraform accepts it too.  (msgpack with a missing attribute is an error.)
    steps = [("01", {"a": {"name": "x", "tags": {"k": "v"}}}, None, None)]
    res, _ = run(tmp_path, steps, bugs=["read_wrong_type"])
    assert not res.ok
    # decoded fine (no "invalid value" error); tags came back null, so the second plan updates
    assert "Provider returned an invalid value" not in res.transcript
    assert any("second plan is not empty: fake_thing.a planned update (tags: cty.NullVal" in v for v in res.violations), \
        res.violations


def test_upgrade_gets_raw_state_json_and_stored_version(tmp_path):
    """A state written by an older provider version (schema_version 0, attribute size_gb):
    the driver hands the raw JSON and version 0 to UpgradeResourceState, as terraform does."""
    import base64
    from acceptance.driver import scenario as sc
    cloud = Cloud()
    attrs = {"id": "t-5", "arn": "arn:fake:t-5", "name": "old", "size_gb": 7, "mode": "standard",
             "tags": None, "peer": None, "secret": None, "rule": [], "members": None,
             "endpoint": {"host": "t-5.fake", "port": 6379}}
    current = dict(attrs, size=attrs["size_gb"])
    del current["size_gb"]
    cloud.objects["t-5"] = cty.json_unmarshal(json.dumps(current).encode(), RES_TY)
    state_file = tmp_path / "old.tfstate"
    state_file.write_text(json.dumps({
        "version": 4, "terraform_version": "1.5.7", "serial": 3, "lineage": "l", "outputs": {},
        "resources": [{"mode": "managed", "type": "fake_thing", "name": "a",
                       "provider": 'provider["registry.terraform.io/example/fake"]',
                       "instances": [{"schema_version": 0, "attributes": attrs,
                                      "private": base64.b64encode(b"v1:t-5").decode()}]}]}))
    path = write_scenario(tmp_path / "scn", [("01", {"a": {"name": "old", "size": 7}}, {"plan": {"fake_thing.a": "no-op"}}, None)])
    runner = sc.Runner(factory(cloud))
    runner.last_provider_body = {"region": "r"}
    state = sc.State(str(state_file), "registry.terraform.io/example/fake")
    sr = runner.run_step(os.path.join(path, "01"), state, {"plan": {"fake_thing.a": "no-op"}})
    assert sr.ok, runner.result.transcript
    version, raw = cloud.upgrade_requests[0]
    assert version == 0 and raw == attrs
    assert state.objects["fake_thing.a"].schema_version == 1  # recorded at the provider's version now
    runner.run_step(None, state, {}, final_destroy=True)
    assert cloud.objects == {}


def test_deferral_is_refused(tmp_path):
    res, _ = run(tmp_path, ONE, bugs=["plan_deferred"])
    assert not res.ok
    assert "Error: Provider deferred changes when Terraform did not allow deferrals" in res.transcript


def test_prevent_destroy_blocks_replacement(tmp_path):
    steps = [("01", {"a": {"name": "x", "lifecycle": {"prevent_destroy": True}}}, None, None),
             ("02", {"a": {"name": "renamed", "lifecycle": {"prevent_destroy": True}}},
              {"plan_error": {"summary": "Instance cannot be destroyed"}}, None)]
    res, cloud = run(tmp_path, steps)
    assert res.ok, res.transcript + "\n".join(res.violations)
    assert cloud.objects == {}  # the final destroy (terraform destroy) is not a plan of this config


def test_provider_diagnostics_name_the_provider(tmp_path):
    path = write_scenario(tmp_path / "scn", [("01", {"a": {"name": "x"}}, None, None)])
    doc = json.loads((tmp_path / "scn" / "01" / "main.tf.json").read_text())
    doc["provider"] = {"fake": {}}  # the fake's ConfigureProvider requires region
    (tmp_path / "scn" / "01" / "main.tf.json").write_text(json.dumps(doc))
    res = run_scenario(path, provider_factory=factory(Cloud()))
    assert not res.ok
    assert 'Error: Missing region\n\n  with provider["registry.terraform.io/example/fake"],\n  on main.tf.json, in provider.region:' \
        in res.transcript


def test_warnings_are_recorded_and_do_not_fail(tmp_path):
    res, _ = run(tmp_path, [("01", {"a": {"name": "x", "size": 500}}, None, None)])
    assert res.ok, res.violations
    warns = res.steps[0].warnings
    assert warns and warns[0].summary == "Large size" and warns[0].attribute == "size"
    assert "Warning: Large size" in res.transcript
