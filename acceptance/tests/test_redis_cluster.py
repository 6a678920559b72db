"""secure_redis_cluster end to end against the local AWS emulator, through the
protocol driver and the test provider binary ($PROVIDER_TEST_BIN, default
build/terraform-provider-secure-test).

1. acceptance/scenarios/redis_cluster_basic: create -> no-change plan ->
   destroy.  No rule violation; afterwards the emulator holds nothing of the
   cluster's but the KMS key pending deletion; the AUTH token (read from the
   emulator's own records) never appears in any state file written during the
   run, the transcript, or the provider's trace logs.
2. A failure injected in the middle of create (CloudWatch Logs
   CreateLogGroup) fails the apply with a clear diagnostic, the state keeps
   exactly what was made (the key, security group and subnet group, no log
   groups), and the final destroy removes it all.
3. Import by replication group id adopts what create made.
4. acceptance/scenarios/redis_cluster_update: in-place updates (tags on every
   sub-resource, settings, CIDR rule diff, node type, replicas, engine
   upgrade) and a change this version refuses before touching anything
   (custom parameters).
5. acceptance/scenarios/redis_cluster_drift: weakening done outside Terraform
   (0.0.0.0/0 rule, key rotation off, log group deleted) repaired by the next
   apply.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse

import pytest

from acceptance.driver import cty, objchange
from acceptance.driver.scenario import run_scenario
from acceptance.harness import baseline, control, leftovers, materialise, new_leftovers
from acceptance.tests import support
from acceptance.tests.support import StateWatcher

SCENARIO = support.SCENARIOS / "redis_cluster_basic"
ACCOUNT = support.Account("AKIDREDISCLUSTER0000", "redis-cluster-test-secret-key")
TYPE = "secure_redis_cluster"
env = ACCOUNT.env
botocore_client = ACCOUNT.client
network = ACCOUNT.network


def run(emu, tmp_path, test_binary, name="redis_cluster_basic"):
    a, b, sg = network(emu)
    before = baseline(emu)
    scen = materialise(SCENARIO.parent / name, tmp_path / name, emu,
                       {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
    state = tmp_path / "terraform.tfstate"
    sink = StateWatcher(state)
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    return result, sink, before


def test_basic_lifecycle_leaves_nothing_and_never_leaks_the_token(emu, tmp_path, test_binary):
    tokens = []
    ec = emu.service("elasticache")
    orig = ec.op_CreateReplicationGroup

    def spy(p):  # remember the token the provider generated (never exposed by any API)
        out = orig(p)
        tokens.extend(ec.valid_auth_tokens(p["ReplicationGroupId"]))
        return out
    ec.op_CreateReplicationGroup = spy
    result, sink, before = run(emu, tmp_path, test_binary)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert len(tokens) == 1 and len(tokens[0]) == 64, "exactly one generated 64-character token"
    token = tokens[0]
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!&#$^<>-")

    # the created state was complete and hardened
    states = sink.states()
    created = [r["instances"][0]["attributes"] for st in states for r in st.get("resources", [])
               if r["type"] == TYPE and r.get("instances")]
    assert created, "no state with the cluster was written"
    attrs = created[-1]
    assert attrs["id"] == "acc-basic"
    assert attrs["kms_key_arn"].startswith("arn:aws:kms:")
    assert attrs["auth_secret_arn"].startswith("arn:aws:secretsmanager:")
    assert set(attrs["log_group_names"]) == {"slow-log", "engine-log"}
    assert set(attrs["ssm_parameter_arns"]) == {"endpoint", "port"}
    assert attrs["primary_endpoint"] and attrs["reader_endpoint"]
    assert len(attrs["member_clusters"]) == 3
    assert attrs["tags_all"]["secure:redis-cluster"] == "acc-basic"
    doc = json.loads(attrs["app_policy_json"])
    resources = [r for st in doc["Statement"] for r in (st["Resource"] if isinstance(st["Resource"], list)
                                                       else [st["Resource"]])]
    assert "*" not in resources and attrs["auth_secret_arn"] in resources and attrs["kms_key_arn"] in resources

    # the token: never in state, transcript or trace logs
    assert token not in "".join(sink.snapshots)
    assert token not in result.transcript
    logs = "\n".join(result.provider_stderr)
    assert "CreateReplicationGroup" in logs, "trace logs were not captured"
    assert token not in logs

    # nothing left but what destroy schedules
    left = new_leftovers(emu, before)
    assert left == [], left


FAULT_STEPS = [
    # (service, operation, summary, attributes set in the partial state, attributes still null)
    ("ec2", "DescribeSubnets", "EC2 DescribeSubnets failed", [], ["kms_key_arn", "security_group_id"]),
    ("kms", "EnableKeyRotation", "KMS EnableKeyRotation failed", ["kms_key_arn"], ["security_group_id"]),
    ("ec2", "AuthorizeSecurityGroupIngress", "EC2 AuthorizeSecurityGroupIngress failed",
     ["kms_key_arn", "security_group_id"], ["subnet_group_name"]),
    ("elasticache", "CreateCacheSubnetGroup", "ElastiCache CreateCacheSubnetGroup failed",
     ["kms_key_arn", "security_group_id"], ["subnet_group_name", "log_group_names"]),
    ("logs", "CreateLogGroup", "CloudWatch Logs CreateLogGroup failed",
     ["kms_key_arn", "security_group_id", "subnet_group_name"], ["log_group_names", "auth_secret_arn", "arn"]),
    ("secretsmanager", "CreateSecret", "Secrets Manager CreateSecret failed",
     ["subnet_group_name", "log_group_names"], ["auth_secret_arn", "arn"]),
    ("elasticache", "CreateReplicationGroup", "ElastiCache CreateReplicationGroup failed",
     ["auth_secret_arn", "log_group_names"], ["arn", "ssm_parameter_arns"]),
    ("ssm", "PutParameter", "SSM PutParameter failed", ["arn", "primary_endpoint"],
     ["ssm_parameter_arns", "app_policy_arn"]),
    ("iam", "CreatePolicy", "IAM CreatePolicy failed", ["arn", "ssm_parameter_arns"], ["app_policy_arn"]),
]


@pytest.mark.parametrize("service,operation,summary,made,not_made", FAULT_STEPS,
                         ids=[f"{s}:{o}" for s, o, *_ in FAULT_STEPS])
def test_failure_at_a_create_step_leaves_partial_state_destroy_cleans(
        emu, tmp_path, test_binary, service, operation, summary, made, not_made):
    a, b, sg = network(emu)
    before = baseline(emu)
    control(emu, "/_emulator/faults", {"service": service, "operation": operation, "action": "error",
                                       "code": "InjectedFault", "message": "Injected fault", "status": 400})
    scen = materialise(SCENARIO, tmp_path / "fault", emu, {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
    (scen / "01-create" / "expect.json").write_text(json.dumps(
        {"plan": {TYPE + ".main": "create"}, "apply_error": "Injected fault", "after_no_change_plan": False}))
    state = tmp_path / "terraform.tfstate"
    sink = StateWatcher(state)
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert summary in result.transcript
    states = sink.states()
    partial = [r["instances"][0] for st in states for r in st.get("resources", [])
               if r["type"] == TYPE and r.get("instances")]
    if not made:
        assert not partial or all(partial[-1]["attributes"][k] in (None, {}) for k in not_made)
    else:
        assert partial, "the failed create recorded no state"
        inst = partial[-1]
        assert inst.get("status") == "tainted"
        at = inst["attributes"]
        for k in made:
            assert at[k], (k, at[k])
        for k in not_made:
            assert at[k] in (None, {}), (k, at[k])
    control(emu, "/_emulator/faults", method="DELETE")
    left = new_leftovers(emu, before)
    assert left == [], left


def test_import_adopts_the_sub_resources(emu, tmp_path, test_binary):
    """Create through the driver's first step, then import the same id in a
    fresh provider and compare."""
    a, b, sg = network(emu)
    scen = materialise(SCENARIO, tmp_path / "imp", emu, {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
    state = tmp_path / "terraform.tfstate"
    sink = StateWatcher(state)
    holder = {}

    # run the scenario, and import from another provider process while the
    # cluster exists (just before the final destroy, spotted by the state)
    class Sink(StateWatcher):
        def write(self, s):
            n = super().write(s)
            if "destroy" in s.lower() and "imported" not in holder and self.snapshots and \
                    '"acc-basic"' in self.snapshots[-1]:
                holder["imported"] = import_state(test_binary, emu)
                holder["created"] = json.loads(self.snapshots[-1])
            return n
    sink = Sink(state)
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert "imported" in holder, "import did not run"
    imported = holder["imported"]
    created = [r["instances"][0]["attributes"] for r in holder["created"]["resources"] if r["type"] == TYPE][0]
    for k in ("id", "arn", "kms_key_arn", "security_group_id", "subnet_group_name", "auth_secret_arn",
              "log_group_names", "ssm_parameter_arns", "app_policy_arn", "primary_endpoint", "port",
              "engine_version", "node_type", "shards", "replicas_per_shard", "tags", "tags_all",
              "allowed_cidr_blocks", "allowed_security_group_ids", "subnet_ids"):
        want = created[k]
        got = imported[k]
        if isinstance(want, list):
            want, got = sorted(want), sorted(got or [])
        assert got == want, (k, got, want)


class Configured(support.Configured):
    """A provider process configured against the emulator like the scenario's
    provider block."""

    def __init__(self, binary, emu):
        super().__init__(binary, emu, ACCOUNT, TYPE)


def import_state(binary, emu):
    return support.import_state(binary, emu, ACCOUNT, TYPE, "acc-basic")


def read_state(binary, emu, attrs):
    """ReadResource of attrs in a fresh provider: (new state or None, diagnostics)."""
    return support.read_state(binary, emu, ACCOUNT, TYPE, attrs)


def run_with_hook(emu, tmp_path, test_binary, hook, name):
    """Runs the basic scenario and calls hook(created_attrs) once, while the
    cluster exists, just before the final destroy."""
    a, b, sg = network(emu)
    scen = materialise(SCENARIO, tmp_path / name, emu, {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
    state = tmp_path / "terraform.tfstate"
    sink = StateWatcher(state, TYPE, {"destroy": hook})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert "destroy" in sink.hooked, "the hook did not run"
    return sink.hooked["destroy"]


def test_read_shows_out_of_band_weakening(emu, tmp_path, test_binary):
    def weaken(attrs):
        ec2 = botocore_client(emu, "ec2")
        ec2.authorize_security_group_ingress(GroupId=attrs["security_group_id"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        botocore_client(emu, "kms").disable_key_rotation(KeyId=attrs["kms_key_arn"])
        botocore_client(emu, "logs").put_retention_policy(logGroupName=attrs["log_group_names"]["slow-log"],
                                                          retentionInDays=1)
        botocore_client(emu, "ssm").put_parameter(Name="/secure-redis/acc-basic/port", Value="1",
                                                  Type="String", Overwrite=True)
        new, diags = read_state(test_binary, emu, attrs)
        # the replication group gone -> removed from state
        return new, diags
    new, diags = run_with_hook(emu, tmp_path, test_binary, weaken, "drift")
    assert new is not None
    assert "0.0.0.0/0" in new["allowed_cidr_blocks"]
    assert new["log_retention_days"] == 1
    assert set(new["ssm_parameter_arns"]) == {"endpoint"}
    assert new["kms_key_rotation_enabled"] is False
    assert not [d for d in diags if d[0] == 1], diags


def test_read_of_a_deleted_replication_group_removes_it(emu, tmp_path, test_binary):
    def gone(attrs):
        attrs = dict(attrs, id="acc-gone", name="acc-gone",
                     arn=attrs["arn"].replace("acc-basic", "acc-gone"))
        return read_state(test_binary, emu, attrs)
    new, diags = run_with_hook(emu, tmp_path, test_binary, gone, "gone")
    assert new is None and not [d for d in diags if d[0] == 1], diags


def test_create_timeout_returns_partial_state_and_destroy_waits(emu, tmp_path, test_binary):
    control(emu, "/_emulator/settings", {"create_delay_s": 6})
    a, b, sg = network(emu)
    before = baseline(emu)
    scen = materialise(SCENARIO, tmp_path / "timeout", emu, {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
    f = scen / "01-create" / "main.tf.json"
    doc = json.loads(f.read_text())
    doc["resource"][TYPE]["main"]["timeouts"]["create"] = "2s"
    f.write_text(json.dumps(doc))
    (scen / "01-create" / "expect.json").write_text(json.dumps(
        {"plan": {TYPE + ".main": "create"}, "apply_error": "Operation timed out", "after_no_change_plan": False}))
    state = tmp_path / "terraform.tfstate"
    sink = StateWatcher(state)
    import time
    t0 = time.monotonic()
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    states = sink.states()
    partial = [r["instances"][0] for st in states for r in st.get("resources", [])
               if r["type"] == TYPE and r.get("instances")]
    assert partial and partial[-1].get("status") == "tainted"
    at = partial[-1]["attributes"]
    assert at["arn"] and at["auth_secret_arn"] and at["ssm_parameter_arns"] is None
    left = new_leftovers(emu, before)
    assert left == [], left
    assert time.monotonic() - t0 < 60


def test_recreate_within_the_secret_recovery_window(emu, tmp_path, test_binary):
    """Destroy schedules the secret for deletion (7 days); creating the same
    cluster again restores that secret with a new token instead of failing
    on the taken name (what a replacement does)."""
    a, b, sg = network(emu)
    for i in range(2):
        scen = materialise(SCENARIO, tmp_path / f"again{i}", emu, {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
        f = scen / "01-create" / "main.tf.json"
        doc = json.loads(f.read_text())
        doc["resource"][TYPE]["main"]["secret_recovery_window_days"] = 7
        f.write_text(json.dumps(doc))
        result = run_scenario(str(scen), test_binary, env=env())
        assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    secrets = control(emu, "/_emulator/resources")["secretsmanager"]
    assert [s["state"] for s in secrets] == ["scheduled-deletion"]


def test_throttled_calls_are_retried(emu, tmp_path, test_binary):
    """30% of all calls throttled.  With the client's default of 3 attempts
    one of the ~70 calls of a lifecycle fails often (0.3^3 each), so the
    provider block raises max_retries, as a user facing throttling would."""
    a, b, sg = network(emu)
    before = baseline(emu)
    scen = materialise(SCENARIO, tmp_path / "throttled", emu, {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
    f = scen / "01-create" / "main.tf.json"
    doc = json.loads(f.read_text())
    doc["provider"]["secure"]["max_retries"] = 12
    f.write_text(json.dumps(doc))
    control(emu, "/_emulator/faults", {"service": "*", "operation": "*", "action": "throttle", "rate": 0.3})
    result = run_scenario(str(scen), test_binary, env=env())
    control(emu, "/_emulator/faults", method="DELETE")
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    left = new_leftovers(emu, before)
    assert left == [], left


def test_stop_provider_during_the_create_wait_returns_partial_state(emu, tmp_path, test_binary):
    import threading
    import time
    control(emu, "/_emulator/settings", {"create_delay_s": 8})
    a, b, sg = network(emu)
    before = baseline(emu)
    body = json.loads((SCENARIO / "01-create" / "main.tf.json").read_text())["resource"][TYPE]["main"]
    body = json.loads(json.dumps(body).replace("SUBNET_A", a).replace("SUBNET_B", b).replace("APP_SG", sg))
    p = Configured(test_binary, emu)
    try:
        doc = {name: None for name in p.rblock.attributes}
        doc.update(body)
        doc["timeouts"] = dict({"read": None, "update": None}, **body["timeouts"])
        cfg = cty.json_unmarshal(json.dumps(doc).encode(), p.rty)
        null = cty.NullVal(p.rty)
        proposed = objchange.proposed_new(p.rblock, null, cfg)

        def dv(v):
            return p.pb.DynamicValue(msgpack=cty.msgpack_marshal(v, p.rty))
        plan = p.stub.PlanResourceChange(p.pb.PlanResourceChange.Request(
            type_name=TYPE, prior_state=dv(null), proposed_new_state=dv(proposed), config=dv(cfg)))
        assert not [d for d in plan.diagnostics if d.severity == 1], plan.diagnostics
        out = {}

        def apply():
            out["resp"] = p.stub.ApplyResourceChange(p.pb.ApplyResourceChange.Request(
                type_name=TYPE, prior_state=dv(null), planned_state=plan.planned_state, config=dv(cfg),
                planned_private=plan.planned_private), timeout=60)
        t = threading.Thread(target=apply)
        t.start()
        ec = emu.service("elasticache")
        deadline = time.monotonic() + 20
        while "acc-basic" not in ec.rgs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "acc-basic" in ec.rgs, "CreateReplicationGroup was not reached"
        stopped = time.monotonic()
        assert p.stub.StopProvider(p.pb.StopProvider.Request()).Error == ""
        t.join(30)
        assert not t.is_alive()
        assert time.monotonic() - stopped < 3, "the create wait did not notice StopProvider promptly"
        resp = out["resp"]
        errs = [d for d in resp.diagnostics if d.severity == 1]
        assert errs and errs[0].summary == "Operation cancelled", errs
        partial = p.to_json(resp.new_state)
        assert partial["arn"] and partial["auth_secret_arn"] and partial["ssm_parameter_arns"] is None
    finally:
        p.close()
    # destroy from the partial state (a fresh process: the stopped one is done)
    p = Configured(test_binary, emu)
    try:
        resp = p.stub.ApplyResourceChange(p.pb.ApplyResourceChange.Request(
            type_name=TYPE, prior_state=p.dv(partial),
            planned_state=p.pb.DynamicValue(msgpack=cty.msgpack_marshal(cty.NullVal(p.rty), p.rty)),
            config=p.pb.DynamicValue(msgpack=cty.msgpack_marshal(cty.NullVal(p.rty), p.rty)),
            planned_private=resp.private), timeout=120)
        assert not [d for d in resp.diagnostics if d.severity == 1], resp.diagnostics
    finally:
        p.close()
    left = new_leftovers(emu, before)
    assert left == [], left


def run_with_step_hooks(emu, tmp_path, test_binary, name, hooks, expect=None, only=None, extra=None):
    """Runs scenario `name`; hooks maps a step name ("02-settings", ...,
    "destroy") to fn(attrs, app_sg), called once when that step starts, with
    the state the previous steps left.  expect: {step: expect.json content}
    replacing the scenario's; only: the steps to keep; extra: {new step:
    (fn(resource config) -> resource config, expect.json content)} made from
    the scenario's first step."""
    a, b, sg = network(emu)
    before = baseline(emu)
    scen = materialise(SCENARIO.parent / name, tmp_path / name, emu, {"SUBNET_A": a, "SUBNET_B": b, "APP_SG": sg})
    for step in scen.iterdir():
        if only is not None and step.name not in only:
            shutil.rmtree(step)
    first = sorted(scen.iterdir())[0]
    for step, (fn, exp) in (extra or {}).items():
        (scen / step).mkdir()
        doc = json.loads((first / "main.tf.json").read_text())
        doc["resource"][TYPE]["main"] = fn(doc["resource"][TYPE]["main"])
        (scen / step / "main.tf.json").write_text(json.dumps(doc))
        (scen / step / "expect.json").write_text(json.dumps(exp))
    for step, doc in (expect or {}).items():
        (scen / step / "expect.json").write_text(json.dumps(doc))
    state = tmp_path / "terraform.tfstate"
    sink = StateWatcher(state, TYPE, {step: (lambda attrs, fn=fn: fn(attrs, sg)) for step, fn in hooks.items()})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    return result, sink, before, list(sink.hooked)


def ingress_sources(emu, sg):
    rules = botocore_client(emu, "ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [sg]}])["SecurityGroupRules"]
    return sorted((r.get("CidrIpv4") or r.get("CidrIpv6") or r["ReferencedGroupInfo"]["GroupId"], r["FromPort"])
                  for r in rules if not r["IsEgress"])


def tags_of_every_sub_resource(emu, attrs):
    """{sub-resource: {key: value}} for everything the cluster tags."""
    def kv(tags, k="Key", v="Value"):
        return {t[k]: t[v] for t in tags}
    ec = botocore_client(emu, "elasticache")
    out = {"replication group": kv(ec.list_tags_for_resource(ResourceName=attrs["arn"])["TagList"])}
    sng = ec.describe_cache_subnet_groups(CacheSubnetGroupName=attrs["subnet_group_name"])["CacheSubnetGroups"][0]
    out["subnet group"] = kv(ec.list_tags_for_resource(ResourceName=sng["ARN"])["TagList"])
    sg = botocore_client(emu, "ec2").describe_security_groups(GroupIds=[attrs["security_group_id"]])
    out["security group"] = kv(sg["SecurityGroups"][0].get("Tags", []))
    out["kms key"] = kv(botocore_client(emu, "kms").list_resource_tags(KeyId=attrs["kms_key_arn"])["Tags"],
                        "TagKey", "TagValue")
    logs = botocore_client(emu, "logs")
    for lt, n in attrs["log_group_names"].items():
        g = [g for g in logs.describe_log_groups(logGroupNamePrefix=n)["logGroups"] if g["logGroupName"] == n][0]
        out[lt] = logs.list_tags_for_resource(resourceArn=g["logGroupArn"].removesuffix(":*"))["tags"]
    out["secret"] = kv(botocore_client(emu, "secretsmanager").describe_secret(
        SecretId=attrs["auth_secret_arn"]).get("Tags", []))
    ssm = botocore_client(emu, "ssm")
    for k, arn in attrs["ssm_parameter_arns"].items():
        out["ssm " + k] = kv(ssm.list_tags_for_resource(ResourceType="Parameter",
                                                        ResourceId=arn.split(":parameter", 1)[1])["TagList"])
    out["app policy"] = kv(botocore_client(emu, "iam").list_policy_tags(PolicyArn=attrs["app_policy_arn"])["Tags"])
    return out


def test_update_in_place_settings_scaling_and_parameters(emu, tmp_path, test_binary):
    """acceptance/scenarios/redis_cluster_update: step 2 changes tags (on every
    sub-resource), description, windows, retention and the allowed CIDR blocks
    in place; step 3 scales the node type and adds a replica; step 4 upgrades
    the engine version and removes a replica; step 5 sets custom parameters:
    a group of the cluster's engine family holds them and the cluster uses
    it.  Each step is followed by a no-change plan; destroy leaves nothing
    behind."""
    ec = botocore_client(emu, "elasticache")
    seen = {}

    def rg():
        return ec.describe_replication_groups(ReplicationGroupId="acc-update")["ReplicationGroups"][0]

    def after_create(attrs, app_sg):
        seen["created"] = tags_of_every_sub_resource(emu, attrs)
        seen["created_sources"] = ingress_sources(emu, attrs["security_group_id"])

    def after_settings(attrs, app_sg):
        seen["tags"] = tags_of_every_sub_resource(emu, attrs)
        seen["sources"] = ingress_sources(emu, attrs["security_group_id"])
        seen["app_sg"] = app_sg
        seen["rg"] = rg()
        logs = botocore_client(emu, "logs")
        seen["retention"] = {n: g.get("retentionInDays") for n in attrs["log_group_names"].values()
                             for g in logs.describe_log_groups(logGroupNamePrefix=n)["logGroups"]}
        seen["attrs2"] = attrs

    def after_scale(attrs, app_sg):
        seen["rg3"] = rg()
        seen["attrs3"] = attrs

    def after_upgrade(attrs, app_sg):
        seen["members4"] = rg()["MemberClusters"]
        seen["version4"] = ec.describe_cache_clusters(CacheClusterId=attrs["member_clusters"][0])[
            "CacheClusters"][0]["EngineVersion"]
        seen["attrs4"] = attrs

    def after_parameters(attrs, app_sg):
        seen["rg5"] = rg()
        seen["pg5"] = ec.describe_cache_clusters(CacheClusterId=attrs["member_clusters"][0])[
            "CacheClusters"][0]["CacheParameterGroup"]["CacheParameterGroupName"]
        seen["groups5"] = [g["CacheParameterGroupName"] for g in
                           ec.describe_cache_parameter_groups()["CacheParameterGroups"]]
        seen["values5"] = {p["ParameterName"]: p.get("ParameterValue") for p in ec.describe_cache_parameters(
            CacheParameterGroupName=seen["pg5"], Source="user")["Parameters"]}
        seen["attrs5"] = attrs

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_update",
        {"02-settings": after_create, "03-scale": after_settings, "04-upgrade": after_scale,
         "05-parameters": after_upgrade, "destroy": after_parameters})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == ["02-settings", "03-scale", "04-upgrade", "05-parameters", "destroy"], ran
    actions = {st.name: st.actions for st in result.steps}
    assert actions["02-settings"] == {"secure_redis_cluster.main": "update"}
    assert actions["03-scale"] == {"secure_redis_cluster.main": "update"}
    assert actions["04-upgrade"] == {"secure_redis_cluster.main": "update"}
    assert actions["05-parameters"] == {"secure_redis_cluster.main": "update"}

    # step 2: tags on every sub-resource: team changed, env removed, cost added
    want = {"team": "payments", "cost": "1234", "owner": "acceptance", "secure:redis-cluster": "acc-update"}
    assert seen["created"]["secret"]["env"] == "test"
    for what, tags in seen["tags"].items():
        assert tags == want, (what, tags)
    assert len(seen["tags"]) == 10, seen["tags"].keys()
    assert seen["attrs2"]["tags_all"] == want
    # the CIDR block replaced, the application group kept, nothing else admitted
    assert seen["created_sources"] == sorted([("10.20.0.0/16", 6379), (seen["app_sg"], 6379)])
    assert seen["sources"] == sorted([("10.30.0.0/16", 6379), (seen["app_sg"], 6379)])
    g = seen["rg"]
    assert g["Description"] == "Payments cache" and g["SnapshotRetentionLimit"] == 3
    assert g["SnapshotWindow"] == "03:00-04:00"
    assert set(seen["retention"].values()) == {30}, seen["retention"]
    assert seen["attrs2"]["maintenance_window"] == "sun:05:00-sun:06:00"

    # step 3: node type applied immediately, one more replica
    assert seen["rg3"]["CacheNodeType"] == "cache.t4g.medium"
    assert len(seen["rg3"]["MemberClusters"]) == 4
    assert seen["attrs3"]["replicas_per_shard"] == 3 and len(seen["attrs3"]["member_clusters"]) == 4

    # step 4: the engine upgraded (apply_immediately), one replica removed
    assert len(seen["members4"]) == 3 and len(seen["attrs4"]["member_clusters"]) == 3
    assert seen["attrs4"]["replicas_per_shard"] == 2
    assert seen["version4"].startswith("7.1"), seen["version4"]
    assert seen["attrs4"]["engine_version"] == "7.1"
    assert seen["attrs4"]["engine_version_actual"].startswith("7.1")

    # step 5: the cluster's own group, with the value, in use
    assert seen["pg5"] == "acc-update-params", seen["pg5"]
    assert [g for g in seen["groups5"] if "acc-update" in g] == ["acc-update-params"], seen["groups5"]
    assert seen["values5"].get("maxmemory-policy") == "allkeys-lru", seen["values5"]
    assert seen["rg5"]["CacheNodeType"] == "cache.t4g.medium" and seen["rg5"]["Status"] == "available"
    assert seen["attrs5"]["parameters"] == {"maxmemory-policy": "allkeys-lru"}

    left = new_leftovers(emu, before)
    assert left == [], left


def test_update_repairs_out_of_band_weakening(emu, tmp_path, test_binary):
    """acceptance/scenarios/redis_cluster_drift: after the create, a rule
    admitting 0.0.0.0/0 (and one on another port) is added, key rotation
    turned off, the slow-log group deleted, the engine-log retention and the
    snapshot retention cut to a day (both left at their defaults in the
    configuration), the port parameter rewritten as a plain String and the
    endpoint parameter deleted, the application policy given a new default
    version that allows everything, and the token secret scheduled for
    deletion outside Terraform; the next plan shows an update and its apply
    restores all of it (then a no-change plan)."""
    seen = {}

    def weaken(attrs, app_sg):
        ec2 = botocore_client(emu, "ec2")
        ec2.authorize_security_group_ingress(GroupId=attrs["security_group_id"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        ec2.authorize_security_group_ingress(GroupId=attrs["security_group_id"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}])
        botocore_client(emu, "kms").disable_key_rotation(KeyId=attrs["kms_key_arn"])
        botocore_client(emu, "logs").delete_log_group(logGroupName=attrs["log_group_names"]["slow-log"])
        botocore_client(emu, "logs").put_retention_policy(logGroupName=attrs["log_group_names"]["engine-log"],
                                                          retentionInDays=1)
        sm = botocore_client(emu, "secretsmanager")
        seen["token"] = sm.get_secret_value(SecretId=attrs["auth_secret_arn"])["SecretString"]
        sm.delete_secret(SecretId=attrs["auth_secret_arn"], RecoveryWindowInDays=7)
        seen["secret_arn"] = attrs["auth_secret_arn"]
        seen["weakened"] = ingress_sources(emu, attrs["security_group_id"])
        seen["app_sg"] = app_sg
        botocore_client(emu, "elasticache").modify_replication_group(
            ReplicationGroupId="acc-drift", SnapshotRetentionLimit=1, ApplyImmediately=True)
        ssm = botocore_client(emu, "ssm")
        ssm.put_parameter(Name="/secure-redis/acc-drift/port", Value="1", Type="String", Overwrite=True)
        ssm.delete_parameter(Name="/secure-redis/acc-drift/endpoint")
        seen["ssm_arns"] = attrs["ssm_parameter_arns"]
        botocore_client(emu, "iam").create_policy_version(
            PolicyArn=attrs["app_policy_arn"], SetAsDefault=True, PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))

    def check(attrs, app_sg):
        seen["sources"] = ingress_sources(emu, attrs["security_group_id"])
        seen["rotation"] = botocore_client(emu, "kms").get_key_rotation_status(
            KeyId=attrs["kms_key_arn"])["KeyRotationEnabled"]
        logs = botocore_client(emu, "logs")
        n = attrs["log_group_names"]["slow-log"]
        seen["group"] = [g for g in logs.describe_log_groups(logGroupNamePrefix=n)["logGroups"]
                         if g["logGroupName"] == n]
        e = attrs["log_group_names"]["engine-log"]
        seen["engine_retention"] = [g.get("retentionInDays") for g in
                                    logs.describe_log_groups(logGroupNamePrefix=e)["logGroups"]
                                    if g["logGroupName"] == e]
        rg = botocore_client(emu, "elasticache").describe_replication_groups(
            ReplicationGroupId="acc-drift")["ReplicationGroups"][0]
        seen["delivery"] = {c["LogType"]: c["Status"] for c in rg["LogDeliveryConfigurations"]}
        sm = botocore_client(emu, "secretsmanager")
        seen["secret"] = sm.describe_secret(SecretId=attrs["auth_secret_arn"])
        seen["secret_value"] = sm.get_secret_value(SecretId=attrs["auth_secret_arn"])["SecretString"]
        seen["tokens"] = list(emu.service("elasticache").valid_auth_tokens("acc-drift"))
        seen["attrs"] = attrs
        seen["snapshot_retention"] = rg["SnapshotRetentionLimit"]
        ssm = botocore_client(emu, "ssm")
        seen["ssm"] = {k: ssm.get_parameter(Name="/secure-redis/acc-drift/" + k, WithDecryption=True)["Parameter"]
                       for k in ("endpoint", "port")}
        seen["ssm_keys"] = {k: ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [
            "/secure-redis/acc-drift/" + k]}])["Parameters"][0].get("KeyId") for k in ("endpoint", "port")}
        seen["endpoint"] = rg["NodeGroups"][0]["PrimaryEndpoint"]
        iam = botocore_client(emu, "iam")
        pol = iam.get_policy(PolicyArn=attrs["app_policy_arn"])["Policy"]
        seen["policy"] = iam.get_policy_version(PolicyArn=attrs["app_policy_arn"],
                                                VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]

    result, sink, before, ran = run_with_step_hooks(emu, tmp_path, test_binary, "redis_cluster_drift",
                                                    {"02-repair": weaken, "destroy": check})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == ["02-repair", "destroy"]
    assert result.steps[1].actions == {"secure_redis_cluster.main": "update"}
    assert ("0.0.0.0/0", 6379) in seen["weakened"] and ("10.20.0.0/16", 22) in seen["weakened"]
    assert seen["sources"] == sorted([("10.20.0.0/16", 6379), (seen["app_sg"], 6379)]), seen["sources"]
    assert seen["rotation"] is True
    assert len(seen["group"]) == 1 and seen["group"][0]["kmsKeyId"] == seen["attrs"]["kms_key_arn"]
    assert seen["group"][0]["retentionInDays"] == 365
    assert seen["engine_retention"] == [365], "shortened retention restored"
    assert seen["delivery"] == {"slow-log": "active", "engine-log": "active"}, seen["delivery"]
    assert set(seen["attrs"]["log_group_names"]) == {"slow-log", "engine-log"}
    # the secret scheduled for deletion is restored, with the token the cluster accepts
    assert seen["attrs"]["auth_secret_arn"] == seen["secret_arn"]
    assert "DeletedDate" not in seen["secret"], seen["secret"]
    assert seen["secret_value"] == seen["token"]
    assert seen["tokens"] == [seen["token"]]
    assert seen["token"] not in "".join(sink.snapshots) + result.transcript + "\n".join(result.provider_stderr)
    # retention left at its defaults is restored; rotation on again
    assert seen["snapshot_retention"] == 7 and seen["attrs"]["snapshot_retention_days"] == 7
    assert seen["attrs"]["kms_key_rotation_enabled"] is True
    # the SSM parameters: SecureString with the key and the cluster's values, same ARNs
    assert {k: v["Type"] for k, v in seen["ssm"].items()} == {"endpoint": "SecureString", "port": "SecureString"}
    assert seen["ssm"]["port"]["Value"] == "6379"
    assert seen["ssm"]["endpoint"]["Value"] == seen["endpoint"]["Address"]
    assert set(seen["ssm_keys"].values()) == {seen["attrs"]["kms_key_arn"]}, seen["ssm_keys"]
    assert seen["attrs"]["ssm_parameter_arns"] == seen["ssm_arns"]
    # the policy: the least-privilege document is the default version again
    doc = seen["policy"] if isinstance(seen["policy"], dict) else json.loads(
        urllib.parse.unquote(seen["policy"]))
    assert doc == json.loads(seen["attrs"]["app_policy_json"])
    assert '"*"' not in json.dumps(doc)
    left = new_leftovers(emu, before)
    assert left == [], left


def test_token_rotation_in_two_phases_never_leaks_a_token(emu, tmp_path, test_binary):
    """acceptance/scenarios/redis_cluster_rotation: raising auth_token_version
    adds a new token (ROTATE) while the old one keeps working and publishes
    it in the secret; auth_token_retire_previous then leaves only the new
    one (SET).  No token appears in any state written, the transcript or the
    provider's trace logs."""
    ec = emu.service("elasticache")
    sm = botocore_client(emu, "secretsmanager")
    seen = {}

    def look(key):
        def fn(attrs, app_sg):
            seen[key] = (list(ec.valid_auth_tokens("acc-rotate")),
                         sm.get_secret_value(SecretId=attrs["auth_secret_arn"])["SecretString"], attrs)
        return fn

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_rotation",
        {"02-rotate": look("created"), "03-retire": look("rotated"), "destroy": look("retired")})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == ["02-rotate", "03-retire", "destroy"]
    assert [st.actions for st in result.steps[1:3]] == [{"secure_redis_cluster.main": "update"}] * 2

    (t1,), s1, a1 = seen["created"]
    assert s1 == t1 and a1["auth_token_rotation_phase"] == "created"
    t_rot, s2, a2 = seen["rotated"]
    assert len(t_rot) == 2 and t_rot[0] == t1 and t_rot[1] != t1, "old and new token both work"
    t2 = t_rot[1]
    assert s2 == t2 and len(t2) == 64, "the secret publishes the new token"
    assert a2["auth_token_rotation_phase"] == "rotated" and a2["auth_token_version"] == 2
    assert a2["auth_token_rotated_at"].endswith("Z")
    t_ret, s3, a3 = seen["retired"]
    assert t_ret == [t2] and s3 == t2, "only the new token is left"
    assert a3["auth_token_rotation_phase"] == "retired"
    assert a3["auth_token_rotated_at"] == a2["auth_token_rotated_at"]

    states = "".join(sink.snapshots)
    logs = "\n".join(result.provider_stderr)
    assert "ModifyReplicationGroup" in logs, "trace logs were not captured"
    for t in (t1, t2):
        assert t not in states and t not in result.transcript and t not in logs
    left = new_leftovers(emu, before)
    assert left == [], left


def test_deleted_sub_resources_are_recreated(emu, tmp_path, test_binary):
    """The security group (detached from the cluster first, as AWS requires),
    the token secret (deleted without a recovery window) and the application
    policy deleted outside Terraform: the plan shows an update, the apply
    makes a new group with the allowed sources and moves the cluster onto
    it, a new token in a new secret that is the only token the cluster
    accepts (SET), and the policy again; then a no-change plan."""
    seen = {}

    def weaken(attrs, app_sg):
        ec = botocore_client(emu, "elasticache")
        ec.modify_replication_group(ReplicationGroupId="acc-drift", SecurityGroupIds=[app_sg],
                                    ApplyImmediately=True)
        botocore_client(emu, "ec2").delete_security_group(GroupId=attrs["security_group_id"])
        sm = botocore_client(emu, "secretsmanager")
        seen["old_token"] = sm.get_secret_value(SecretId=attrs["auth_secret_arn"])["SecretString"]
        sm.delete_secret(SecretId=attrs["auth_secret_arn"], ForceDeleteWithoutRecovery=True)
        botocore_client(emu, "iam").delete_policy(PolicyArn=attrs["app_policy_arn"])
        seen["old"] = attrs

    def check(attrs, app_sg):
        seen["attrs"] = attrs
        seen["sources"] = ingress_sources(emu, attrs["security_group_id"])
        ec2 = botocore_client(emu, "ec2")
        rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [
            attrs["security_group_id"]]}])["SecurityGroupRules"]
        seen["egress"] = [r for r in rules if r["IsEgress"]]
        cc = botocore_client(emu, "elasticache").describe_cache_clusters(
            CacheClusterId=attrs["member_clusters"][0])["CacheClusters"][0]
        seen["attached"] = [g["SecurityGroupId"] for g in cc["SecurityGroups"]]
        sm = botocore_client(emu, "secretsmanager")
        seen["token"] = sm.get_secret_value(SecretId=attrs["auth_secret_arn"])["SecretString"]
        seen["tokens"] = list(emu.service("elasticache").valid_auth_tokens("acc-drift"))
        seen["policy"] = botocore_client(emu, "iam").get_policy(PolicyArn=attrs["app_policy_arn"])["Policy"]

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_drift", {"02-repair": weaken, "destroy": check})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == ["02-repair", "destroy"]
    assert result.steps[1].actions == {TYPE + ".main": "update"}
    a, old = seen["attrs"], seen["old"]
    assert a["security_group_id"] and a["security_group_id"] != old["security_group_id"]
    assert seen["attached"] == [a["security_group_id"]], "the cluster moved onto its new group alone"
    assert seen["sources"] == sorted([("10.20.0.0/16", 6379), (old["allowed_security_group_ids"][0], 6379)])
    assert seen["egress"] == [], "no egress rule on the new group"
    assert a["auth_secret_arn"] and a["auth_secret_arn"] != old["auth_secret_arn"]
    assert len(seen["token"]) == 64 and seen["token"] != seen["old_token"]
    assert seen["tokens"] == [seen["token"]], "the new token is the only one accepted"
    assert a["app_policy_arn"] == old["app_policy_arn"] and seen["policy"]["DefaultVersionId"]
    everything = "".join(sink.snapshots) + result.transcript + "\n".join(result.provider_stderr)
    assert seen["token"] not in everything and seen["old_token"] not in everything
    left = new_leftovers(emu, before)
    assert left == [], left


def make_user_groups(emu, *ids):
    ec = botocore_client(emu, "elasticache")
    ec.create_user(UserId="acc-default", UserName="default", Engine="redis", AccessString="off -@all",
                   NoPasswordRequired=True)
    for gid in ids:
        ec.create_user_group(UserGroupId=gid, Engine="redis", UserIds=["acc-default"])
    for _ in range(100):
        groups = ec.describe_user_groups()["UserGroups"]
        if all(g["Status"] == "active" for g in groups):
            return
        import time
        time.sleep(0.1)


def test_auth_mode_changes_in_place(emu, tmp_path, test_binary):
    """acceptance/scenarios/redis_cluster_rbac_switch: AUTH token -> RBAC user
    group (tokens deleted, the secret deleted, the policy names the group) ->
    another group -> a new AUTH token (new secret, group detached); each an
    in-place update followed by a no-change plan."""
    make_user_groups(emu, "acc-ug-a", "acc-ug-b")
    ec = emu.service("elasticache")
    bc = botocore_client(emu, "elasticache")
    seen = {}

    def look(key):
        def fn(attrs, app_sg):
            rg = bc.describe_replication_groups(ReplicationGroupId="acc-rbac")["ReplicationGroups"][0]
            seen[key] = (rg.get("UserGroupIds", []), list(ec.valid_auth_tokens("acc-rbac")), attrs)
            iam = botocore_client(emu, "iam")
            pol = iam.get_policy(PolicyArn=attrs["app_policy_arn"])["Policy"]
            doc = iam.get_policy_version(PolicyArn=attrs["app_policy_arn"],
                                         VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
            seen[key + "_policy"] = json.loads(doc) if isinstance(doc, str) else doc
        return fn

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_rbac_switch",
        {"02-to-rbac": look("token"), "03-swap": look("a"), "04-to-token": look("b"), "destroy": look("token2")})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == ["02-to-rbac", "03-swap", "04-to-token", "destroy"]
    assert [st.actions for st in result.steps[1:4]] == [{"secure_redis_cluster.main": "update"}] * 3

    ugs, tokens, a1 = seen["token"]
    assert ugs == [] and len(tokens) == 1 and a1["auth_secret_arn"]
    ugs, tokens, a2 = seen["a"]
    assert ugs == ["acc-ug-a"] and tokens == [] and a2["auth_secret_arn"] is None
    assert a2["user_group_id"] == "acc-ug-a" and a2["auth_token_rotation_phase"] is None
    assert "usergroup:acc-ug-a" in a2["app_policy_json"] and "secretsmanager" not in a2["app_policy_json"]
    ugs, tokens, a3 = seen["b"]
    assert ugs == ["acc-ug-b"] and tokens == [] and "usergroup:acc-ug-b" in a3["app_policy_json"]
    ugs, tokens, a4 = seen["token2"]
    assert ugs == [] and len(tokens) == 1 and tokens[0] != seen["token"][1][0]
    assert a4["user_group_id"] is None and a4["auth_token_rotation_phase"] == "created"
    assert a4["auth_secret_arn"] in a4["app_policy_json"] and "usergroup" not in a4["app_policy_json"]
    for key, attrs in (("a", a2), ("b", a3), ("token2", a4)):
        assert seen[key + "_policy"] == json.loads(attrs["app_policy_json"]), key
    texts = "".join(sink.snapshots) + result.transcript + "\n".join(result.provider_stderr)
    for t in (seen["token"][1][0], tokens[0]):
        assert t not in texts
    mine = ("acc-ug-a", "acc-ug-b", "acc-default")  # the test's own users and groups
    left = [x for x in leftovers(emu) if (x[0], json.dumps(x[1], sort_keys=True)) not in before
            and not any(m in json.dumps(x[1]) for m in mine)]
    assert left == [], left


def test_a_failed_update_records_the_steps_that_succeeded(emu, tmp_path, test_binary):
    """ModifyReplicationGroup fails during step 2 of redis_cluster_update:
    the apply fails with the AWS error on the attribute, and the state keeps
    what the earlier steps changed (tags, ingress rules, log retention) and
    the prior values of what they did not (description, windows); destroy
    removes everything."""
    seen = {}

    def inject(attrs, app_sg):
        control(emu, "/_emulator/faults", {"service": "elasticache", "operation": "ModifyReplicationGroup",
                                           "action": "error", "code": "InjectedFault",
                                           "message": "Injected fault", "status": 400})

    def check(attrs, app_sg):
        seen["attrs"] = attrs
        seen["desc"] = botocore_client(emu, "elasticache").describe_replication_groups(
            ReplicationGroupId="acc-update")["ReplicationGroups"][0]["Description"]

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_update", {"02-settings": inject, "destroy": check},
        expect={"02-settings": {"plan": {TYPE + ".main": "update"}, "apply_error": "Injected fault",
                                "after_no_change_plan": False}},
        only=("01-create", "02-settings"))
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    errs = [d for d in result.steps[1].diags if d.severity == "error"]
    assert [d.summary for d in errs] == ["ElastiCache ModifyReplicationGroup failed"], errs
    a = seen["attrs"]
    assert a["tags"] == {"team": "payments", "cost": "1234"}
    assert a["allowed_cidr_blocks"] == ["10.30.0.0/16"] and a["log_retention_days"] == 30
    assert a["description"] == "Managed by Terraform" and seen["desc"] == "Managed by Terraform"
    assert a["snapshot_retention_days"] == 7 and a["node_type"] == "cache.t4g.small"
    left = new_leftovers(emu, before)
    assert left == [], left


def test_a_node_type_change_for_the_maintenance_window_plans_once(emu, tmp_path, test_binary):
    """Without apply_immediately a node type change waits for the maintenance
    window: the apply succeeds, AWS still runs the old type with the new one
    pending, and the next plan is empty (not the same change again)."""
    seen = {}

    def check(attrs, app_sg):
        seen["attrs"] = attrs
        seen["rg"] = botocore_client(emu, "elasticache").describe_replication_groups(
            ReplicationGroupId="acc-drift")["ReplicationGroups"][0]

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_drift", {"destroy": check}, only=("01-create",),
        extra={"02-defer": (lambda r: dict(r, node_type="cache.t4g.medium"),
                            {"plan": {TYPE + ".main": "update"}, "after_no_change_plan": True})})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert [st.name for st in result.steps][:2] == ["01-create", "02-defer"]
    assert seen["rg"]["CacheNodeType"] == "cache.t4g.small"
    assert seen["attrs"]["node_type"] == "cache.t4g.medium"
    left = new_leftovers(emu, before)
    assert left == [], left


def test_stop_provider_during_an_update_wait_returns_what_was_done(emu, tmp_path, test_binary):
    """StopProvider while the update waits for the modified replication group:
    the apply returns promptly with "Operation cancelled" and a state holding
    the steps that finished (the new tags) but not the modification it was
    waiting for (the description); the scenario's destroy then waits for the
    group and removes everything."""
    import threading
    import time

    def stop_mid_update(attrs):
        control(emu, "/_emulator/settings", {"modify_delay_s": 8})
        body = json.loads((SCENARIO / "01-create" / "main.tf.json").read_text())["resource"][TYPE]["main"]
        body = dict(body, subnet_ids=attrs["subnet_ids"], allowed_security_group_ids=attrs["allowed_security_group_ids"],
                    tags={"team": "payments"}, description="Stopped cache")
        p = Configured(test_binary, emu)
        try:
            doc = {name: None for name in p.rblock.attributes}
            doc.update(body)
            doc["timeouts"] = dict({"read": None, "update": None}, **body["timeouts"])
            cfg = cty.json_unmarshal(json.dumps(doc).encode(), p.rty)
            prior = cty.json_unmarshal(json.dumps(attrs).encode(), p.rty)
            proposed = objchange.proposed_new(p.rblock, prior, cfg)

            def dv(v):
                return p.pb.DynamicValue(msgpack=cty.msgpack_marshal(v, p.rty))
            plan = p.stub.PlanResourceChange(p.pb.PlanResourceChange.Request(
                type_name=TYPE, prior_state=dv(prior), proposed_new_state=dv(proposed), config=dv(cfg)))
            assert not [d for d in plan.diagnostics if d.severity == 1], plan.diagnostics
            out = {}

            def apply():
                out["resp"] = p.stub.ApplyResourceChange(p.pb.ApplyResourceChange.Request(
                    type_name=TYPE, prior_state=dv(prior), planned_state=plan.planned_state, config=dv(cfg),
                    planned_private=plan.planned_private), timeout=60)
            t = threading.Thread(target=apply)
            t.start()
            ec = emu.service("elasticache")
            deadline = time.monotonic() + 20
            while ec.rgs["acc-basic"]["Status"] != "modifying" and time.monotonic() < deadline:
                time.sleep(0.05)
            assert ec.rgs["acc-basic"]["Status"] == "modifying", "ModifyReplicationGroup was not reached"
            stopped = time.monotonic()
            assert p.stub.StopProvider(p.pb.StopProvider.Request()).Error == ""
            t.join(30)
            assert not t.is_alive()
            took = time.monotonic() - stopped
            resp = out["resp"]
            errs = [(d.summary, d.detail) for d in resp.diagnostics if d.severity == 1]
            return took, errs, p.to_json(resp.new_state)
        finally:
            p.close()
            control(emu, "/_emulator/settings", {"modify_delay_s": 0.5})

    took, errs, partial = run_with_hook(emu, tmp_path, test_binary, stop_mid_update, "stop-update")
    assert took < 3, "the update wait did not notice StopProvider promptly"
    assert errs and errs[0][0] == "Operation cancelled", errs
    assert partial["tags"] == {"team": "payments"} and partial["tags_all"]["team"] == "payments"
    assert partial["description"] == "Managed by Terraform"
    assert not [x for x in leftovers(emu) if "acc-basic" in json.dumps(x[1])]


def test_resharding_in_place(emu, tmp_path, test_binary):
    """acceptance/scenarios/redis_cluster_reshard: a cluster-mode cluster
    created with 3 shards (the issue's cluster-mode scenario) grows to 4 and
    shrinks to 2, each an in-place update."""
    bc = botocore_client(emu, "elasticache")
    seen = {}

    def look(key):
        def fn(attrs, app_sg):
            rg = bc.describe_replication_groups(ReplicationGroupId="acc-reshard")["ReplicationGroups"][0]
            seen[key] = (len(rg["NodeGroups"]), len(rg["MemberClusters"]), attrs)
        return fn

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_reshard",
        {"02-grow": look("3"), "03-shrink": look("4"), "destroy": look("2")})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert [st.actions for st in result.steps[1:3]] == [{"secure_redis_cluster.main": "update"}] * 2
    for key, shards in (("3", 3), ("4", 4), ("2", 2)):
        groups, members, attrs = seen[key]
        assert groups == shards and members == 2 * shards, (key, groups, members)
        assert attrs["shards"] == shards and len(attrs["member_clusters"]) == 2 * shards
        assert attrs["configuration_endpoint"] and attrs["primary_endpoint"] is None
    left = new_leftovers(emu, before)
    assert left == [], left


def test_a_failed_set_after_recreating_the_secret_is_finished_by_the_next_apply(emu, tmp_path, test_binary):
    """The secret deleted for good; the apply makes a new token and secret,
    but ElastiCache refuses the SET (injected): the state still has no
    secret, so the next apply finds the new secret and makes the token it
    holds the only one.  Clients reading the secret end with a working
    token, and the lost token stops working."""
    seen = {}

    def weaken(attrs, app_sg):
        sm = botocore_client(emu, "secretsmanager")
        seen["old"] = sm.get_secret_value(SecretId=attrs["auth_secret_arn"])["SecretString"]
        sm.delete_secret(SecretId=attrs["auth_secret_arn"], ForceDeleteWithoutRecovery=True)
        control(emu, "/_emulator/faults", {"service": "elasticache", "operation": "ModifyReplicationGroup",
                                           "action": "error", "code": "InjectedFault", "message": "Injected fault",
                                           "status": 400, "times": 1})

    def between(attrs, app_sg):
        seen["between_attrs"] = attrs
        seen["between_tokens"] = list(emu.service("elasticache").valid_auth_tokens("acc-drift"))

    def check(attrs, app_sg):
        seen["attrs"] = attrs
        seen["secret"] = botocore_client(emu, "secretsmanager").get_secret_value(
            SecretId=attrs["auth_secret_arn"])["SecretString"]
        seen["tokens"] = list(emu.service("elasticache").valid_auth_tokens("acc-drift"))

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_drift",
        {"02-repair": weaken, "03-again": between, "destroy": check},
        expect={"02-repair": {"plan": {TYPE + ".main": "update"}, "apply_error": "Injected fault",
                              "after_no_change_plan": False}},
        extra={"03-again": (lambda r: r, {"plan": {TYPE + ".main": "update"}, "after_no_change_plan": True})})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert ran == ["02-repair", "03-again", "destroy"]
    assert seen["between_attrs"]["auth_secret_arn"] is None, "no secret recorded while the SET failed"
    assert seen["between_tokens"] == [seen["old"]], "nothing changed in ElastiCache"
    assert seen["tokens"] == [seen["secret"]] and seen["secret"] != seen["old"]
    everything = "".join(sink.snapshots) + result.transcript + "\n".join(result.provider_stderr)
    assert seen["secret"] not in everything and seen["old"] not in everything
    assert new_leftovers(emu, before) == []


@pytest.mark.parametrize("how", ["detached", "shared"])
def test_the_cluster_is_put_back_on_its_own_security_group(emu, tmp_path, test_binary, how):
    """Outside Terraform the cluster is moved to another security group
    (detached) or given one more (shared, e.g. a permissive group): refresh
    notices, the plan shows security_group_id changing, and the apply puts
    the cluster back on its own group alone (the same group)."""
    seen = {}

    def attached(attrs):
        cc = botocore_client(emu, "elasticache").describe_cache_clusters(
            CacheClusterId=attrs["member_clusters"][0])["CacheClusters"][0]
        return sorted(g["SecurityGroupId"] for g in cc["SecurityGroups"])

    def weaken(attrs, app_sg):
        groups = [app_sg] if how == "detached" else [attrs["security_group_id"], app_sg]
        botocore_client(emu, "elasticache").modify_replication_group(
            ReplicationGroupId="acc-drift", SecurityGroupIds=groups, ApplyImmediately=True)
        seen["weakened"] = attached(attrs)
        seen["sg"] = attrs["security_group_id"]

    def check(attrs, app_sg):
        seen["attached"] = attached(attrs)
        seen["attrs"] = attrs

    result, sink, before, ran = run_with_step_hooks(
        emu, tmp_path, test_binary, "redis_cluster_drift", {"02-repair": weaken, "destroy": check})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert result.steps[1].actions == {TYPE + ".main": "update"}
    assert seen["weakened"] != [seen["sg"]]
    assert seen["attached"] == [seen["sg"]] and seen["attrs"]["security_group_id"] == seen["sg"]
    assert new_leftovers(emu, before) == []
