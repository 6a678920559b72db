"""secure_redis_cluster: `parameters` and `subnet_ids` changed in place, against the local AWS emulator through
the protocol driver (which enforces Terraform's plan-validity and apply-consistency rules).

acceptance/scenarios/redis_cluster_params walks through: parameters changed / added / removed in the custom group
(exact values checked in the emulator), a 6.2 -> 7.1 upgrade that needs a parameter group of the new family (a new
group with the same values goes with the version, the old one is deleted), all parameters removed (back to
default.redis7, the custom group deleted), parameters added again (a custom group created and attached), a subnet
in a third availability zone added and removed again, and the removal of a subnet that nodes run in refused with
a diagnostic on subnet_ids and nothing changed.  Then: a failure injected in the middle of each new step, followed
by a successful apply or a destroy with nothing left behind; and the same scenario run by a real terraform.

Fixtures come from conftest.py; the cluster's account and helpers from test_redis_cluster.py."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from acceptance.driver.scenario import run_scenario
from acceptance.harness import baseline, control, materialise, new_leftovers
from acceptance.tests.support import StateWatcher
from acceptance.tests.test_redis_cluster import (  # noqa: F401  (ACCOUNT: the emu fixture's credentials)
    ACCOUNT, SCENARIO, TYPE, Configured, botocore_client, env)

SCEN = SCENARIO.parent / "redis_cluster_params"
RG = "acc-params"
STEPS = sorted(p.name for p in SCEN.iterdir() if p.name[:1].isdigit())


def network3(emu):
    """Three default subnets in three AZs (a, b, c in AZ order) and an application security group."""
    ec2 = botocore_client(emu, "ec2")
    by_az = {}
    for s in ec2.describe_subnets()["Subnets"]:
        by_az.setdefault(s["AvailabilityZone"], s)
    a, b, c = [by_az[z] for z in sorted(by_az)[:3]]
    sg = ec2.create_security_group(GroupName="app", Description="application", VpcId=a["VpcId"])["GroupId"]
    return {"SUBNET_A": a["SubnetId"], "SUBNET_B": b["SubnetId"], "SUBNET_C": c["SubnetId"], "APP_SG": sg}


def run_steps(emu, tmp_path, binary, steps, hooks=None):
    """Runs a scenario made of this scenario's steps: steps is a list of (name, source step, expect.json or None
    to keep the source's[, fn(resource body) -> resource body]).  hooks: {step name or "destroy": fn(attrs, net)} called when that step starts, with the
    state the earlier steps left (attrs None before the create)."""
    net = network3(emu)
    before = baseline(emu)
    src = materialise(SCEN, tmp_path / "src", emu, net)
    scen = tmp_path / "scenario"
    scen.mkdir()
    for name, source, exp, *edit in steps:
        shutil.copytree(src / source, scen / name)
        if exp is not None:
            (scen / name / "expect.json").write_text(json.dumps(exp))
        if edit:
            doc = json.loads((scen / name / "main.tf.json").read_text())
            doc["resource"][TYPE]["main"] = edit[0](doc["resource"][TYPE]["main"])
            (scen / name / "main.tf.json").write_text(json.dumps(doc))
    state = tmp_path / "terraform.tfstate"
    hooks = {step: (lambda attrs, fn=fn: fn(attrs, net)) for step, fn in (hooks or {}).items()}
    sink = StateWatcher(state, TYPE, hooks)
    result = run_scenario(str(scen), binary, env=env(), keep_state=str(state), out=sink)
    return result, before, list(sink.hooked), net


def ec(emu):
    return botocore_client(emu, "elasticache")


def attached_group(emu):
    """(parameter group name, engine version) of the replication group's first node."""
    c = ec(emu)
    first = c.describe_replication_groups(ReplicationGroupId=RG)["ReplicationGroups"][0]["MemberClusters"][0]
    cc = c.describe_cache_clusters(CacheClusterId=first)["CacheClusters"][0]
    return cc["CacheParameterGroup"]["CacheParameterGroupName"], cc["EngineVersion"]


def user_values(emu, group):
    """The values set in the group (Source=user), exactly."""
    return {p["ParameterName"]: p.get("ParameterValue", "") for p in
            ec(emu).describe_cache_parameters(CacheParameterGroupName=group, Source="user")["Parameters"]}


def own_groups(emu):
    """{custom parameter group of this cluster: family}."""
    return {g["CacheParameterGroupName"]: g["CacheParameterGroupFamily"] for g in
            ec(emu).describe_cache_parameter_groups()["CacheParameterGroups"]
            if g["CacheParameterGroupName"].startswith(RG)}


def subnet_group_subnets(emu):
    g = ec(emu).describe_cache_subnet_groups(CacheSubnetGroupName=RG + "-subnets")["CacheSubnetGroups"][0]
    return sorted(s["SubnetIdentifier"] for s in g["Subnets"])


def snapshot(emu):
    """What an apply must not change when it is refused."""
    rg = ec(emu).describe_replication_groups(ReplicationGroupId=RG)["ReplicationGroups"][0]
    tags = ec(emu).list_tags_for_resource(ResourceName=rg["ARN"])["TagList"]
    return {"subnets": subnet_group_subnets(emu), "group": attached_group(emu), "groups": own_groups(emu),
            "status": rg["Status"], "members": rg["MemberClusters"], "node_type": rg["CacheNodeType"],
            "description": rg["Description"], "tags": sorted((t["Key"], t["Value"]) for t in tags)}


def nothing_left(emu, before):
    left = new_leftovers(emu, before)
    assert left == [], left


def fault(emu, operation, **kw):
    spec = {"service": "elasticache", "operation": operation, "action": "error", "code": "InjectedFault",
            "message": "Injected fault", "status": 400, "times": 1}
    spec.update(kw)
    control(emu, "/_emulator/faults", spec)


def no_faults(emu):
    control(emu, "/_emulator/faults", method="DELETE")


FAILS = {"after_no_change_plan": False, "apply_error": "Injected fault",
         "plan": {TYPE + ".main": "update"}}
UPDATE = {"plan": {TYPE + ".main": "update"}, "after_no_change_plan": True}


def test_parameters_and_subnets_in_place(emu, tmp_path, test_binary):
    seen = {}

    def look(key):
        def fn(attrs, net):
            seen[key] = (attrs, snapshot(emu))
            group = seen[key][1]["group"][0]
            seen[key + "-values"] = user_values(emu, group) if not group.startswith("default.") else None
        return fn

    hooks = {STEPS[i + 1]: look(STEPS[i]) for i in range(len(STEPS) - 1)}
    hooks["destroy"] = look(STEPS[-1])
    result, before, ran, net = run_steps(emu, tmp_path, test_binary, [(s, s, None) for s in STEPS], hooks)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == STEPS[1:] + ["destroy"], ran
    by = {st.name: st for st in result.steps}
    for name in STEPS[1:]:
        assert by[name].actions == {TYPE + ".main": "update"}, (name, by[name].actions)

    # 01: a redis6.x custom group with exactly the two parameters
    attrs, snap = seen["01-create"]
    assert snap["group"] == (RG + "-params", "6.2.6") and snap["groups"] == {RG + "-params": "redis6.x"}
    assert seen["01-create-values"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}
    # 02: changed, added, removed in the same group
    attrs, snap = seen["02-change-add-remove"]
    assert snap["group"][0] == RG + "-params" and snap["groups"] == {RG + "-params": "redis6.x"}
    assert seen["02-change-add-remove-values"] == {"maxmemory-policy": "volatile-lfu", "notify-keyspace-events": "Ex"}
    assert attrs["parameters"] == {"maxmemory-policy": "volatile-lfu", "notify-keyspace-events": "Ex"}
    # 03: 6.2 -> 7.1 moved the values to a new redis7 group; the redis6.x group is gone
    attrs, snap = seen["03-upgrade-family"]
    assert snap["group"] == (RG + "-params-redis7", "7.1.0"), snap
    assert snap["groups"] == {RG + "-params-redis7": "redis7"}, snap["groups"]
    assert seen["03-upgrade-family-values"] == {"maxmemory-policy": "volatile-lfu", "notify-keyspace-events": "Ex"}
    assert attrs["engine_version"] == "7.1" and attrs["engine_version_actual"] == "7.1.0"
    # 04: no parameters: the family's default group, no custom group left
    attrs, snap = seen["04-remove-all"]
    assert snap["group"][0] == "default.redis7" and snap["groups"] == {}, snap
    assert attrs["parameters"] is None
    # 05: parameters again: a custom group created and attached
    attrs, snap = seen["05-add-again"]
    assert snap["group"][0] == RG + "-params" and snap["groups"] == {RG + "-params": "redis7"}, snap
    assert seen["05-add-again-values"] == {"maxmemory-policy": "allkeys-lfu", "activedefrag": "yes"}
    # 06, 07: a third AZ added, then removed again (no node there)
    assert seen["06-add-subnet"][1]["subnets"] == sorted([net["SUBNET_A"], net["SUBNET_B"], net["SUBNET_C"]])
    assert sorted(seen["06-add-subnet"][0]["subnet_ids"]) == seen["06-add-subnet"][1]["subnets"]
    assert seen["07-remove-unused-subnet"][1]["subnets"] == sorted([net["SUBNET_A"], net["SUBNET_B"]])
    # 08: taking out a subnet nodes run in is refused on subnet_ids; nothing changed
    errs = by["08-remove-used-subnet"].errors
    assert [d.summary for d in errs] == ["Subnet in use by the cluster"], errs
    assert errs[0].attribute == "subnet_ids", errs[0].attribute
    assert net["SUBNET_B"] in errs[0].detail and "Nothing was changed" in errs[0].detail
    assert "replicas_per_shard" in errs[0].detail
    attrs, snap = seen["08-remove-used-subnet"]
    assert snap == seen["07-remove-unused-subnet"][1], (snap, seen["07-remove-unused-subnet"][1])
    assert sorted(attrs["subnet_ids"]) == sorted([net["SUBNET_A"], net["SUBNET_B"]])
    assert attrs["description"] == "Managed by Terraform" and attrs["tags"] is None
    assert ("changed", "no") not in snap["tags"]
    nothing_left(emu, before)


def test_failure_while_changing_values_then_apply_succeeds(emu, tmp_path, test_binary):
    """ResetCacheParameterGroup fails after the new values were set: the state keeps the prior parameters, the
    next apply converges to exactly the planned values."""
    seen = {}

    def inject(attrs, net):
        fault(emu, "ResetCacheParameterGroup")

    def check(attrs, net):
        no_faults(emu)
        seen["attrs"] = attrs

    def done(attrs, net):
        seen["values"] = user_values(emu, RG + "-params")
        seen["attrs2"] = attrs

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-fail", "02-change-add-remove", FAILS),
        ("03-again", "02-change-add-remove", UPDATE)], {"02-fail": inject, "03-again": check, "destroy": done})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    errs = result.steps[1].errors
    assert [d.summary for d in errs] == ["ElastiCache ResetCacheParameterGroup failed"], errs
    assert errs[0].attribute == "parameters"
    assert seen["attrs"]["parameters"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}
    assert seen["values"] == {"maxmemory-policy": "volatile-lfu", "notify-keyspace-events": "Ex"}
    assert seen["attrs2"]["parameters"] == {"maxmemory-policy": "volatile-lfu", "notify-keyspace-events": "Ex"}
    nothing_left(emu, before)


def test_failure_during_family_change_then_apply_succeeds(emu, tmp_path, test_binary):
    """ModifyReplicationGroup fails after the redis7 group was made: the state keeps 6.2 and the old parameters,
    the new group is recorded (private state) and the next apply takes it over; the old group is then deleted."""
    seen = {}

    def inject(attrs, net):
        fault(emu, "ModifyReplicationGroup")

    def check(attrs, net):
        no_faults(emu)
        seen["attrs"] = attrs
        seen["snap"] = snapshot(emu)

    def done(attrs, net):
        seen["snap2"] = snapshot(emu)
        seen["values"] = user_values(emu, RG + "-params-redis7")

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-fail", "03-upgrade-family", FAILS),
        ("03-again", "03-upgrade-family", UPDATE)], {"02-fail": inject, "03-again": check, "destroy": done})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert [d.summary for d in result.steps[1].errors] == ["ElastiCache ModifyReplicationGroup failed"]
    assert seen["attrs"]["engine_version"] == "6.2"
    assert seen["snap"]["group"] == (RG + "-params", "6.2.6")
    assert seen["snap"]["groups"] == {RG + "-params": "redis6.x", RG + "-params-redis7": "redis7"}
    assert seen["snap2"]["group"] == (RG + "-params-redis7", "7.1.0")
    assert seen["snap2"]["groups"] == {RG + "-params-redis7": "redis7"}
    # 03-upgrade-family also carries step 02's parameter changes
    assert seen["values"] == {"maxmemory-policy": "volatile-lfu", "notify-keyspace-events": "Ex"}
    nothing_left(emu, before)


def test_failure_during_family_change_then_destroy_leaves_nothing(emu, tmp_path, test_binary):
    """The same failure, then destroy: both groups go."""
    seen = {}

    def inject(attrs, net):
        fault(emu, "ModifyReplicationGroup")

    def check(attrs, net):
        no_faults(emu)
        seen["groups"] = own_groups(emu)

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-fail", "03-upgrade-family", FAILS)],
        {"02-fail": inject, "destroy": check})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["groups"] == {RG + "-params": "redis6.x", RG + "-params-redis7": "redis7"}
    nothing_left(emu, before)


def test_failure_while_attaching_a_new_group_then_destroy_leaves_nothing(emu, tmp_path, test_binary):
    """Parameters added to a cluster without: ModifyReplicationGroup fails after the group was made; the state
    keeps no parameters, the cluster the default group, and destroy deletes the group made."""
    seen = {}

    def inject(attrs, net):
        fault(emu, "ModifyReplicationGroup")

    def check(attrs, net):
        no_faults(emu)
        seen["attrs"] = attrs
        seen["snap"] = snapshot(emu)

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-upgrade", "03-upgrade-family", UPDATE),
        ("03-remove", "04-remove-all", UPDATE), ("04-fail", "05-add-again", FAILS)],
        {"04-fail": inject, "destroy": check})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["attrs"]["parameters"] is None
    assert seen["snap"]["group"][0] == "default.redis7"
    assert seen["snap"]["groups"] == {RG + "-params": "redis7"}
    nothing_left(emu, before)


def test_failure_while_attaching_then_apply_takes_the_group_over(emu, tmp_path, test_binary):
    seen = {}

    def inject(attrs, net):
        fault(emu, "ModifyReplicationGroup")

    def check(attrs, net):
        no_faults(emu)

    def done(attrs, net):
        seen["snap"] = snapshot(emu)
        seen["values"] = user_values(emu, RG + "-params")

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-upgrade", "03-upgrade-family", UPDATE),
        ("03-remove", "04-remove-all", UPDATE), ("04-fail", "05-add-again", FAILS),
        ("05-again", "05-add-again", UPDATE)], {"04-fail": inject, "05-again": check, "destroy": done})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["snap"]["group"][0] == RG + "-params" and seen["snap"]["groups"] == {RG + "-params": "redis7"}
    assert seen["values"] == {"maxmemory-policy": "allkeys-lfu", "activedefrag": "yes"}
    nothing_left(emu, before)


def test_failure_deleting_the_detached_group_then_destroy_leaves_nothing(emu, tmp_path, test_binary):
    """Every parameter removed: the cluster moves to default.redis7, then DeleteCacheParameterGroup fails.  The
    state records the move (parameters null), the group stays recorded as retired (private state), and destroy
    deletes it."""
    seen = {}

    def inject(attrs, net):
        fault(emu, "DeleteCacheParameterGroup")

    def check(attrs, net):
        no_faults(emu)
        seen["attrs"] = attrs
        seen["snap"] = snapshot(emu)

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-upgrade", "03-upgrade-family", UPDATE),
        ("03-fail", "04-remove-all", FAILS)], {"03-fail": inject, "destroy": check})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert [d.summary for d in result.steps[2].errors] == ["ElastiCache DeleteCacheParameterGroup failed"]
    assert seen["attrs"]["parameters"] is None
    assert seen["snap"]["group"][0] == "default.redis7"
    assert seen["snap"]["groups"] == {RG + "-params-redis7": "redis7"}
    nothing_left(emu, before)


def test_failure_changing_subnets_then_apply_succeeds(emu, tmp_path, test_binary):
    """ModifyCacheSubnetGroup fails: nothing changed, the state keeps the prior subnets; the next apply adds the
    third AZ."""
    seen = {}

    def inject(attrs, net):
        fault(emu, "ModifyCacheSubnetGroup")
        seen["before"] = snapshot(emu)

    def check(attrs, net):
        no_faults(emu)
        seen["attrs"] = attrs
        seen["after"] = snapshot(emu)

    def done(attrs, net):
        seen["attrs2"] = attrs
        seen["subnets"] = subnet_group_subnets(emu)

    result, before, ran, net = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-fail", "06-add-subnet", FAILS),
        ("03-again", "06-add-subnet", UPDATE)], {"02-fail": inject, "03-again": check, "destroy": done})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert [d.summary for d in result.steps[1].errors] == ["ElastiCache ModifyCacheSubnetGroup failed"]
    assert result.steps[1].errors[0].attribute == "subnet_ids"
    assert seen["before"] == seen["after"]
    assert sorted(seen["attrs"]["subnet_ids"]) == sorted([net["SUBNET_A"], net["SUBNET_B"]])
    three = sorted([net["SUBNET_A"], net["SUBNET_B"], net["SUBNET_C"]])
    assert seen["subnets"] == three and sorted(seen["attrs2"]["subnet_ids"]) == three
    nothing_left(emu, before)


def test_only_the_difference_is_sent(emu, tmp_path, test_binary):
    """Step 02 sends the changed and the added value with ModifyCacheParameterGroup and the removed name with
    ResetCacheParameterGroup, to the attached group; nothing else."""
    calls = []
    svc = emu.service("elasticache")
    for op in ("ModifyCacheParameterGroup", "ResetCacheParameterGroup"):
        orig = getattr(svc, "op_" + op)

        def spy(p, orig=orig, op=op):
            calls.append((op, p["CacheParameterGroupName"],
                          sorted((x["ParameterName"], x.get("ParameterValue")) for x in p.get("ParameterNameValues", []))))
            return orig(p)
        setattr(svc, "op_" + op, spy)
    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02", "02-change-add-remove", UPDATE)])
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert calls == [
        ("ModifyCacheParameterGroup", RG + "-params", [("maxmemory-policy", "allkeys-lru"), ("timeout", "300")]),
        ("ModifyCacheParameterGroup", RG + "-params", [("maxmemory-policy", "volatile-lfu"),
                                                       ("notify-keyspace-events", "Ex")]),
        ("ResetCacheParameterGroup", RG + "-params", [("timeout", None)]),
    ], calls
    nothing_left(emu, before)


def test_family_change_for_the_maintenance_window(emu, tmp_path, test_binary):
    """Without apply_immediately the upgrade and the new group wait for the maintenance window together: the apply
    succeeds, the old group (still in use) stays retired in the private state, the next plan is empty, and once
    the window has run, destroy deletes both groups."""
    seen = {}

    def later(body):
        return dict(body, apply_immediately=False)

    def check(attrs, net):
        seen["attrs"] = attrs
        seen["snap"] = snapshot(emu)
        emu.service("elasticache").apply_maintenance(RG)

    def done(attrs, net):
        for _ in range(100):   # the window's modification takes modify_delay_s
            if snapshot(emu)["status"] == "available":
                break
            time.sleep(0.1)
        seen["snap2"] = snapshot(emu)

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-upgrade", "03-upgrade-family", UPDATE, later),
        ("03-same", "03-upgrade-family", {"plan": {TYPE + ".main": "no-op"}}, later)],
        {"03-same": check, "destroy": done})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["attrs"]["engine_version"] == "7.1"
    assert seen["snap"]["group"] == (RG + "-params", "6.2.6"), seen["snap"]
    assert seen["snap"]["groups"] == {RG + "-params": "redis6.x", RG + "-params-redis7": "redis7"}
    assert seen["snap2"]["group"][0] == RG + "-params-redis7" and seen["snap2"]["group"][1].startswith("7.1")
    nothing_left(emu, before)


def test_redis_to_valkey_moves_the_parameters(emu, tmp_path, test_binary):
    """engine redis 7.1 -> valkey 8.0 with parameters: a valkey8 group with the same values goes with Engine and
    EngineVersion in one ModifyReplicationGroup; the redis7 group is deleted."""
    seen = {}

    def valkey(body):
        return dict(body, engine="valkey", engine_version="8.0")

    def done(attrs, net):
        seen["attrs"] = attrs
        seen["snap"] = snapshot(emu)
        seen["values"] = user_values(emu, RG + "-params-valkey8")
        seen["engine"] = ec(emu).describe_replication_groups(ReplicationGroupId=RG)["ReplicationGroups"][0].get(
            "Engine")

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-upgrade", "03-upgrade-family", UPDATE),
        ("03-valkey", "03-upgrade-family", UPDATE, valkey)], {"destroy": done})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["snap"]["group"] == (RG + "-params-valkey8", "8.0.1"), seen["snap"]
    assert seen["snap"]["groups"] == {RG + "-params-valkey8": "valkey8"}, seen["snap"]
    assert seen["values"] == {"maxmemory-policy": "volatile-lfu", "notify-keyspace-events": "Ex"}
    assert seen["attrs"]["engine"] == "valkey" and seen["engine"] == "valkey"
    nothing_left(emu, before)


def test_cluster_mode_groups(emu, tmp_path, test_binary):
    """With shards > 1 every custom group says cluster-enabled=yes (made by create, by the family change and when
    parameters come back), and without parameters the cluster uses default.redis7.cluster.on."""
    seen = {}

    def sharded(body):
        return dict(body, shards=2)

    def look(key):
        def fn(attrs, net):
            seen[key] = snapshot(emu)
            g = seen[key]["group"][0]
            seen[key + "-values"] = user_values(emu, g) if not g.startswith("default.") else None
        return fn

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None, sharded), ("02-upgrade", "03-upgrade-family", UPDATE, sharded),
        ("03-remove", "04-remove-all", UPDATE, sharded), ("04-add", "05-add-again", UPDATE, sharded)],
        {"02-upgrade": look("01"), "03-remove": look("02"), "04-add": look("03"), "destroy": look("04")})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["01-values"] == {"cluster-enabled": "yes", "maxmemory-policy": "allkeys-lru", "timeout": "300"}
    assert seen["02"]["group"][0] == RG + "-params-redis7"
    assert seen["02-values"] == {"cluster-enabled": "yes", "maxmemory-policy": "volatile-lfu",
                                 "notify-keyspace-events": "Ex"}
    assert seen["03"]["group"][0] == "default.redis7.cluster.on" and seen["03"]["groups"] == {}
    assert seen["04"]["group"][0] == RG + "-params"
    assert seen["04-values"] == {"cluster-enabled": "yes", "maxmemory-policy": "allkeys-lfu", "activedefrag": "yes"}
    nothing_left(emu, before)


def test_import_finds_the_group_of_a_family_change(emu, tmp_path, test_binary):
    """After the 6.2 -> 7.1 upgrade the cluster uses <id>-params-redis7: import records it in the private state
    (so that destroy of the imported resource deletes it)."""
    seen = {}

    def imp(attrs, net):
        p = Configured(test_binary, emu)
        try:
            resp = p.stub.ImportResourceState(p.pb.ImportResourceState.Request(type_name=TYPE, id=RG))
            assert not [d for d in resp.diagnostics if d.severity == 1], resp.diagnostics
            seen["private"] = json.loads(resp.imported_resources[0].private or b"{}")
        finally:
            p.close()

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-upgrade", "03-upgrade-family", UPDATE)], {"destroy": imp})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["private"] == {"parameter_group": RG + "-params-redis7"}, seen
    nothing_left(emu, before)


@pytest.mark.skipif(not shutil.which("terraform") and not os.path.exists("/usr/local/bin/terraform"),
                    reason="no terraform binary")
def test_the_scenario_with_a_real_terraform(emu, tmp_path, test_binary):
    from acceptance.driver.scenario import run_with_terraform
    net = network3(emu)
    before = baseline(emu)
    scen = materialise(SCEN, tmp_path / "scenario", emu, net)
    tf = shutil.which("terraform") or "/usr/local/bin/terraform"
    e = {k: v for k, v in env().items() if k != "TF_LOG"}
    out = run_with_terraform(str(scen), test_binary, env=e, terraform=tf, workdir=str(tmp_path / "tf"))
    report = "\n\n".join("%s rc=%s second=%s %s\n%s" % (s.name, s.rc, s.second_plan_rc, s.plan, s.output[-3000:])
                         for s in out.steps) + "\n\ndestroy:\n" + out.destroy_output[-3000:]
    assert out.ok, report
    assert [s.plan for s in out.steps] == ["Plan: 1 to add, 0 to change, 0 to destroy."] + \
        ["Plan: 0 to add, 1 to change, 0 to destroy."] * (len(out.steps) - 1), report
    assert "Subnet in use by the cluster" in out.steps[-1].output, report
    nothing_left(emu, before)


def test_values_changed_outside_terraform_are_shown_and_restored(emu, tmp_path, test_binary):
    """A value of the cluster's group changed and another added outside
    Terraform: refresh shows them in `parameters`, the plan is an update,
    and the apply sets the configured value back and resets the added one."""
    seen = {}

    def weaken(attrs, net):
        ec(emu).modify_cache_parameter_group(CacheParameterGroupName=RG + "-params", ParameterNameValues=[
            {"ParameterName": "maxmemory-policy", "ParameterValue": "noeviction"},
            {"ParameterName": "notify-keyspace-events", "ParameterValue": "KEA"}])
        seen["weakened"] = user_values(emu, RG + "-params")

    def check(attrs, net):
        seen["values"] = user_values(emu, RG + "-params")
        seen["attrs"] = attrs

    result, before, ran, _ = run_steps(emu, tmp_path, test_binary, [
        ("01-create", "01-create", None), ("02-same", "01-create", UPDATE)],
        hooks={"02-same": weaken, "destroy": check})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == ["02-same", "destroy"]
    assert seen["weakened"]["maxmemory-policy"] == "noeviction"
    assert seen["values"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}, seen["values"]
    assert seen["attrs"]["parameters"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}
    nothing_left(emu, before)
