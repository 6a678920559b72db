"""Randomised robustness tests for this engineer's four service modules (elasticache, secretsmanager, logs, ssm):
requests built from the botocore input shapes (including members the framework would normally reject, such as
missing required ones) must end in a result or an AwsError, never in another exception; and ElastiCache's
cross-resource bookkeeping (user groups <-> replication groups, AUTH vs RBAC, TLS) must stay consistent."""

import random

import botocore.loaders
import pytest

from acceptance.emulator.errors import AwsError
from acceptance.emulator.services import elasticache, logs, secretsmanager, ssm

try:  # tests/ is not a package: pytest puts this directory on sys.path
    from test_elasticache_unit import PW1, TOKEN_A, TOKEN_B, FakeEmu, create_rg, subnet_group
except ImportError:  # tests/ became a package
    from .test_elasticache_unit import PW1, TOKEN_A, TOKEN_B, FakeEmu, create_rg, subnet_group

_LOADER = botocore.loaders.create_loader()
_VERSIONS = {"elasticache": "2015-02-02", "secretsmanager": "2017-10-17", "logs": "2014-03-28", "ssm": "2014-11-06"}
_MODULES = {"elasticache": elasticache, "secretsmanager": secretsmanager, "logs": logs, "ssm": ssm}

_STRINGS = {
    "ReplicationGroupId": ["rg", "rg2", "nope"], "UserGroupId": ["ug", "ug2"], "UserId": ["u", "d", "default", "x"],
    "CacheNodeType": ["cache.r7g.large", "cache.t4g.micro", "bad"],
    "EngineVersion": ["7.0", "7.1", "6.2", "7.2", "8.0"], "Engine": ["redis", "valkey"],
    "AuthToken": [TOKEN_A, TOKEN_B, "short"], "CacheParameterGroupName": ["default.redis7", "pg", "default.valkey8"],
    "NodeGroupId": ["0001", "0002", "0003"], "PreferredMaintenanceWindow": ["mon:01:00-mon:02:00", "bad"],
    "SnapshotWindow": ["03:00-04:00", "05:30-06:30"], "PrimaryClusterId": ["rg-001", "rg-002", "rg-0001-001"],
    "SnapshottingClusterId": ["rg-002"], "CacheClusterId": ["rg-001", "rg-0002-001"], "UserName": ["default", "u"],
    "AccessString": ["on ~* +@all"], "SecurityGroupIds": ["sg-1", "sg-2", "sg-other"],
    "ReplicasToRemove": ["rg-002", "rg-003", "rg-001"], "NodeGroupsToRemove": ["0001", "0002"],
    "NodeGroupsToRetain": ["0001", "0002"], "UserGroupIds": ["ug", "ug2"], "UserGroupIdsToAdd": ["ug", "ug2"],
    "UserGroupIdsToRemove": ["ug", "ug2"], "UserIds": ["u", "d", "default"], "UserIdsToAdd": ["u", "d"],
    "UserIdsToRemove": ["u", "d"],
}
_GENERIC = ["", "a", "default", "redis", "x" * 300, "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:rg",
            "7.1", "/a/b", "-", "subnet-a", "sg-1", "alias/aws/ssm", "AWSCURRENT", "name:1"]


def _sample(shapes, name, member, rnd, depth=0, p_member=0.4):
    s = shapes[name]
    t = s["type"]
    if t == "structure":
        return {k: _sample(shapes, v["shape"], k, rnd, depth + 1, p_member) for k, v in s["members"].items()
                if rnd.random() < p_member and depth < 4}
    if t == "list":
        return [_sample(shapes, s["member"]["shape"], member, rnd, depth + 1, p_member) for _ in range(rnd.randint(0, 3))]
    if t == "map":
        return {"k%d" % i: _sample(shapes, s["value"]["shape"], member, rnd, depth + 1, p_member)
                for i in range(rnd.randint(0, 2))}
    if t == "string":
        if "enum" in s:
            return rnd.choice(s["enum"])
        return rnd.choice(_STRINGS.get(member) or _GENERIC)
    if t in ("integer", "long"):
        return rnd.choice([-1, 0, 1, 2, 3, 5, 6, 7, 100])
    if t == "boolean":
        return rnd.choice([True, False])
    if t == "blob":
        return b"\x00blob"
    if t in ("double", "float"):
        return 1.5
    return None


def _call(svc, op, params):
    try:
        getattr(svc, "op_" + op)(params)
    except AwsError as e:
        assert isinstance(e.code, str) and e.code and 400 <= e.status <= 599
        for secret in (TOKEN_A, TOKEN_B, PW1):
            assert secret not in e.message


@pytest.mark.parametrize("service", sorted(_MODULES))
def test_random_inputs_never_crash(service):
    model = _LOADER.load_service_model(service, "service-2", _VERSIONS[service])
    rnd = random.Random(1234)
    for _ in range(40):
        emu = FakeEmu()
        emu.services["logs"] = logs.Service(emu)
        svc = _MODULES[service].Service(emu)
        emu.services[service] = svc
        ops = sorted(o[3:] for o in dir(svc) if o.startswith("op_"))
        for _ in range(25):
            op = rnd.choice(ops)
            inp = model["operations"][op].get("input")
            params = _sample(model["shapes"], inp["shape"], None, rnd, p_member=0.5) if inp else {}
            _call(svc, op, params)
            emu.advance(rnd.choice([0, 0.5, 3]))
        assert isinstance(svc.resources(), list)


def _seeded_elasticache(cluster_mode):
    emu = FakeEmu()
    svc = elasticache.Service(emu)
    emu.services["elasticache"] = svc
    subnet_group(svc)
    svc.op_CreateCacheParameterGroup({"CacheParameterGroupName": "pg", "CacheParameterGroupFamily": "redis7",
                                      "Description": "d"})
    svc.op_CreateUser({"UserId": "d", "UserName": "default", "Engine": "redis", "AccessString": "off",
                       "Passwords": [PW1]})
    svc.op_CreateUser({"UserId": "u", "UserName": "u", "Engine": "redis", "AccessString": "on",
                       "NoPasswordRequired": True})
    svc.op_CreateUserGroup({"UserGroupId": "ug", "Engine": "redis", "UserIds": ["d"]})
    svc.op_CreateUserGroup({"UserGroupId": "ug2", "Engine": "redis", "UserIds": ["d", "u"]})
    emu.advance(3)
    if cluster_mode:
        create_rg(svc, "rg", NumCacheClusters=None, NumNodeGroups=2, ReplicasPerNodeGroup=1)
    else:
        create_rg(svc, "rg", NumCacheClusters=3)
    emu.advance(3)
    return emu, svc


def test_elasticache_random_modifications_keep_invariants():
    model = _LOADER.load_service_model("elasticache", "service-2", "2015-02-02")
    ops = ["ModifyReplicationGroup"] * 6 + [
        "IncreaseReplicaCount", "DecreaseReplicaCount", "ModifyReplicationGroupShardConfiguration",
        "DeleteReplicationGroup", "ModifyUserGroup", "ModifyUser", "DeleteUser", "DeleteUserGroup",
        "CreateReplicationGroup"]
    rnd = random.Random(99)
    for seed in range(60):
        emu, svc = _seeded_elasticache(seed % 2 == 0)
        for _ in range(20):
            op = rnd.choice(ops)
            shape = model["operations"][op]["input"]["shape"]
            params = _sample(model["shapes"], shape, None, rnd, p_member=0.3)
            if op != "CreateReplicationGroup" and "ReplicationGroupId" in model["shapes"][shape]["members"]:
                params["ReplicationGroupId"] = "rg"
            _call(svc, op, params)
            for rg in svc.op_DescribeReplicationGroups({})["ReplicationGroups"]:
                assert TOKEN_A not in repr(rg) and TOKEN_B not in repr(rg)
                assert len(set(rg["MemberClusters"])) == len(rg["MemberClusters"])
                if rg["Status"] == "available" and rg["AutomaticFailover"] == "enabled" and not rg["ClusterEnabled"]:
                    assert len(rg["MemberClusters"]) >= 2
            svc.op_DescribeCacheClusters({"ShowCacheNodeInfo": True})
            emu.advance(rnd.choice([0, 0.5, 1.5, 3]))
        emu.advance(10)
        svc.resources()
        for g in svc.user_groups.values():
            for rid in g["ReplicationGroups"]:
                assert rid in svc.rgs and g["UserGroupId"] in svc.rgs[rid]["UserGroupIds"]
        for rg in svc.rgs.values():
            for gid in rg["UserGroupIds"]:
                assert gid in svc.user_groups and rg["Id"] in svc.user_groups[gid]["ReplicationGroups"]
                assert rg["TransitEncryptionEnabled"]
            assert not (rg["UserGroupIds"] and svc.valid_auth_tokens(rg["Id"]))
            assert len(svc.valid_auth_tokens(rg["Id"])) <= 2
