"""The issue's whole story for secure_redis_cluster in one deployment:
acceptance/scenarios/redis_cluster_story (create with 1 shard and 2 replicas
-> no-change plan -> scale the node type -> add a replica -> add an allowed
security group -> rotate the token in two phases -> out-of-band weakening
restored), then acceptance/scenarios/redis_cluster_story_import run with an
empty state (the import block adopts the deployment, the plan after it is
empty), whose final destroy leaves zero resources in the emulator."""

from __future__ import annotations

import json

from acceptance.driver.scenario import run_scenario
from acceptance.harness import baseline, control, materialise, new_leftovers
from acceptance.tests import support
from acceptance.tests.support import StateWatcher
from acceptance.tests.test_redis_cluster import ACCOUNT, ingress_sources  # ACCOUNT: the emu fixture's

TYPE = "secure_redis_cluster"
STORY = support.SCENARIOS / "redis_cluster_story"
IMPORT = support.SCENARIOS / "redis_cluster_story_import"
RG = "acc-story"
env = ACCOUNT.env
botocore_client = ACCOUNT.client


def test_create_scale_secure_rotate_repair_import_destroy(emu, tmp_path, test_binary):
    a, b, sg = ACCOUNT.network(emu)
    ec2 = botocore_client(emu, "ec2")
    vpc = ec2.describe_subnets(SubnetIds=[a])["Subnets"][0]["VpcId"]
    sg2 = ec2.create_security_group(GroupName="app2", Description="second application", VpcId=vpc)["GroupId"]
    before = baseline(emu)
    subs = {"APP_SG2": sg2, "APP_SG": sg, "SUBNET_A": a, "SUBNET_B": b}  # APP_SG2 first: APP_SG is its prefix
    ec = botocore_client(emu, "elasticache")
    svc = emu.service("elasticache")
    seen = {}

    def rg():
        return ec.describe_replication_groups(ReplicationGroupId=RG)["ReplicationGroups"][0]

    def at(step, attrs):
        seen[step] = {"rg": rg(), "attrs": attrs, "tokens": list(svc.valid_auth_tokens(RG)),
                      "sources": ingress_sources(emu, attrs["security_group_id"])}

    def weaken(attrs):
        ec2.authorize_security_group_ingress(GroupId=attrs["security_group_id"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        botocore_client(emu, "kms").disable_key_rotation(KeyId=attrs["kms_key_arn"])
        botocore_client(emu, "logs").delete_log_group(logGroupName=attrs["log_group_names"]["engine-log"])
        botocore_client(emu, "ssm").put_parameter(Name="/secure-redis/%s/port" % RG, Value="1", Type="String",
                                                  Overwrite=True)

    hooks = {"02-scale": lambda x: at("created", x), "03-add-replica": lambda x: at("scaled", x),
             "04-add-security-group": lambda x: at("replica", x), "05-rotate": lambda x: at("sg", x),
             "06-retire": lambda x: at("rotated", x), "07-repair": weaken}
    story = materialise(STORY, tmp_path / "story", emu, subs)
    state = tmp_path / "terraform.tfstate"

    # The story's own destroy would remove everything before the import:
    # keep the deployment by stopping the driver's destroy (a separate
    # state, as `terraform state rm` leaves it), then import it.
    sink = StateWatcher(state, TYPE, hooks)
    result = run_scenario(str(story), test_binary, env=env(), keep_state=str(state), out=sink, destroy=False)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert [st.actions for st in result.steps] == [{TYPE + ".main": "create"}] + [{TYPE + ".main": "update"}] * 6
    assert sorted(sink.hooked) == sorted(hooks)
    at("repaired", support.resource_attrs(json.loads(state.read_text()), TYPE)[0])

    c, s1, r1, g1, t1 = (seen[k] for k in ("created", "scaled", "replica", "sg", "rotated"))
    assert len(c["rg"]["NodeGroups"]) == 1 and len(c["rg"]["MemberClusters"]) == 3
    assert c["rg"]["MultiAZ"] == "enabled" and c["rg"]["AutomaticFailover"] == "enabled"
    assert c["rg"]["AtRestEncryptionEnabled"] and c["rg"]["TransitEncryptionMode"] == "required"
    assert s1["rg"]["CacheNodeType"] == "cache.t4g.medium"
    assert len(r1["rg"]["MemberClusters"]) == 4 and r1["attrs"]["replicas_per_shard"] == 3
    assert sorted(src for src, _ in g1["sources"] if src.startswith("sg-")) == sorted([sg, sg2])
    assert len(c["tokens"]) == 1 and len(t1["tokens"]) == 2 and t1["tokens"][0] == c["tokens"][0]
    assert t1["attrs"]["auth_token_rotation_phase"] == "rotated"
    rep = seen["repaired"]
    assert rep["tokens"] == [t1["tokens"][1]], "only the new token after the retirement"
    assert rep["attrs"]["auth_token_rotation_phase"] == "retired"
    assert ("0.0.0.0/0", 6379) not in rep["sources"] and rep["attrs"]["kms_key_rotation_enabled"] is True
    assert set(rep["attrs"]["log_group_names"]) == {"slow-log", "engine-log"}
    assert set(rep["attrs"]["ssm_parameter_arns"]) == {"endpoint", "port"}

    # import into an empty state, a no-change plan, then destroy
    imp = materialise(IMPORT, tmp_path / "import", emu, subs)
    writes = ("elasticache:ModifyReplicationGroup", "elasticache:IncreaseReplicaCount",
              "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "kms:EnableKeyRotation",
              "ssm:PutParameter", "iam:CreatePolicyVersion", "logs:CreateLogGroup",
              "secretsmanager:PutSecretValue")
    counted = control(emu, "/_emulator/counts")
    result = run_scenario(str(imp), test_binary, env=env())
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    # Import cannot read the provider's own settings (auth_token_version,
    # auth_token_retire_previous, apply_immediately, the destroy windows,
    # timeouts): the plan imports and records them, without any AWS change.
    assert result.steps[0].actions == {TYPE + ".main": "update"}
    assert "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy." in result.transcript
    after = control(emu, "/_emulator/counts")
    assert {w: after.get(w, 0) - counted.get(w, 0) for w in writes if after.get(w, 0) != counted.get(w, 0)} == {}
    ec2.delete_security_group(GroupId=sg2)
    assert new_leftovers(emu, before) == []
