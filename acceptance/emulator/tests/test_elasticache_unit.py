"""Unit tests of the ElastiCache service module, driven directly with a small fake Emulator."""

import datetime

import pytest

from acceptance.emulator.errors import AwsError
from acceptance.emulator.services import elasticache

TOKEN_A = "tokenAAAAAAAAAAAAAAAA1"
TOKEN_B = "tokenBBBBBBBBBBBBBBBB2"
TOKEN_C = "tokenCCCCCCCCCCCCCCCC3"
PW1 = "password-one-0123456"
PW2 = "password-two-0123456"


class FakeEc2:
    def __init__(self):
        self.subnets = {
            "subnet-a": {"SubnetId": "subnet-a", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1a",
                         "CidrBlock": "10.0.1.0/24"},
            "subnet-b": {"SubnetId": "subnet-b", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1b",
                         "CidrBlock": "10.0.2.0/24"},
            "subnet-x": {"SubnetId": "subnet-x", "VpcId": "vpc-2", "AvailabilityZone": "us-east-1a",
                         "CidrBlock": "10.1.1.0/24"},
        }
        self.groups = {"sg-1": {"GroupId": "sg-1", "VpcId": "vpc-1", "GroupName": "one"},
                       "sg-2": {"GroupId": "sg-2", "VpcId": "vpc-1", "GroupName": "two"},
                       "sg-other": {"GroupId": "sg-other", "VpcId": "vpc-2", "GroupName": "other"}}

    def subnet(self, sid):
        return self.subnets.get(sid)

    def security_group(self, gid):
        return self.groups.get(gid)


class FakeKms:
    def __init__(self):
        self.keys = {"key-1": {"KeyId": "key-1", "Arn": "arn:aws:kms:us-east-1:123456789012:key/key-1",
                               "KeyState": "Enabled", "Enabled": True},
                     "key-off": {"KeyId": "key-off", "Arn": "arn:aws:kms:us-east-1:123456789012:key/key-off",
                                 "KeyState": "Disabled", "Enabled": False}}

    def key(self, ident):
        for k in self.keys.values():
            if ident in (k["KeyId"], k["Arn"]):
                return k
        return None


class FakeLogs:
    def __init__(self):
        self.groups = {"/ec/slow"}

    def log_group(self, name):
        return {"logGroupName": name} if name in self.groups else None


class FakeEmu:
    region = "us-east-1"
    account_id = "123456789012"
    partition = "aws"

    def __init__(self):
        self.t = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        self.settings = {"create_delay_s": 2.0, "modify_delay_s": 1.0, "delete_delay_s": 1.0}
        self.n = 0
        self.services = {"ec2": FakeEc2(), "kms": FakeKms(), "logs": FakeLogs()}

    def now(self):
        return self.t

    def advance(self, s):
        self.t += datetime.timedelta(seconds=s)

    def new_id(self, prefix, n_hex=17):
        self.n += 1
        return prefix + ("%0*x" % (n_hex, self.n * 7919))[-n_hex:]

    def service(self, name):
        return self.services.get(name)

    def users_of(self, kind, ident):
        return self.services["elasticache"].uses(kind, ident)


@pytest.fixture
def env():
    emu = FakeEmu()
    svc = elasticache.Service(emu)
    emu.services["elasticache"] = svc
    return emu, svc


def err(fn, *a, **kw):
    with pytest.raises(AwsError) as ei:
        fn(*a, **kw)
    return ei.value


def subnet_group(svc, name="sng"):
    return svc.op_CreateCacheSubnetGroup({"CacheSubnetGroupName": name, "CacheSubnetGroupDescription": "d",
                                          "SubnetIds": ["subnet-a", "subnet-b"]})


def create_rg(svc, rgid="My-RG", **kw):
    p = {"ReplicationGroupId": rgid, "ReplicationGroupDescription": "test", "CacheNodeType": "cache.t4g.micro",
         "Engine": "redis", "EngineVersion": "7.1", "NumCacheClusters": 2, "AutomaticFailoverEnabled": True,
         "MultiAZEnabled": True, "CacheSubnetGroupName": "sng", "SecurityGroupIds": ["sg-1"],
         "TransitEncryptionEnabled": True, "AtRestEncryptionEnabled": True, "KmsKeyId": "key-1",
         "AuthToken": TOKEN_A}
    p.update(kw)
    for k in [k for k, v in p.items() if v is None]:
        del p[k]
    return svc.op_CreateReplicationGroup(p)["ReplicationGroup"]


def describe(svc, rgid):
    return svc.op_DescribeReplicationGroups({"ReplicationGroupId": rgid})["ReplicationGroups"][0]


def test_create_cluster_mode_disabled_lifecycle(env):
    emu, svc = env
    subnet_group(svc)
    rg = create_rg(svc)
    assert rg["ReplicationGroupId"] == "my-rg"
    assert rg["Status"] == "creating"
    assert rg["MemberClusters"] == ["my-rg-001", "my-rg-002"]
    assert rg["ARN"] == "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:my-rg"
    assert "PrimaryEndpoint" not in rg["NodeGroups"][0]
    assert rg["AuthTokenEnabled"] is True and rg["TransitEncryptionMode"] == "required"
    assert rg["KmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/key-1"
    assert TOKEN_A not in repr(rg)
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "my-rg", "SnapshotRetentionLimit": 3})
    assert (e.code, e.status) == ("InvalidReplicationGroupState", 400)
    emu.advance(2.0)
    rg = describe(svc, "MY-RG")
    assert rg["Status"] == "available"
    ng = rg["NodeGroups"][0]
    assert ng["NodeGroupId"] == "0001"
    assert ng["PrimaryEndpoint"]["Address"].startswith("master.my-rg.")
    assert ng["PrimaryEndpoint"]["Address"].endswith(".use1.cache.amazonaws.com")
    assert ng["ReaderEndpoint"]["Address"].startswith("replica.my-rg.")
    assert ng["PrimaryEndpoint"]["Port"] == 6379
    roles = {m["CacheClusterId"]: m["CurrentRole"] for m in ng["NodeGroupMembers"]}
    assert roles == {"my-rg-001": "primary", "my-rg-002": "replica"}
    assert {m["PreferredAvailabilityZone"] for m in ng["NodeGroupMembers"]} == {"us-east-1a", "us-east-1b"}
    assert rg["ClusterEnabled"] is False and "ConfigurationEndpoint" not in rg
    assert rg["AutomaticFailover"] == "enabled" and rg["MultiAZ"] == "enabled"
    assert svc.valid_auth_tokens("my-rg") == [TOKEN_A]
    cc = svc.op_DescribeCacheClusters({"CacheClusterId": "my-rg-001", "ShowCacheNodeInfo": True})["CacheClusters"][0]
    assert cc["EngineVersion"] == "7.1.0" and cc["ReplicationGroupId"] == "my-rg"
    assert cc["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    assert cc["CacheNodes"][0]["Endpoint"]["Address"].startswith("my-rg-001.my-rg.")
    assert cc["SecurityGroups"] == [{"SecurityGroupId": "sg-1", "Status": "active"}]
    # delete
    out = svc.op_DeleteReplicationGroup({"ReplicationGroupId": "my-rg"})["ReplicationGroup"]
    assert out["Status"] == "deleting"
    assert svc.uses("subnet-group", "sng")
    e = err(svc.op_DeleteCacheSubnetGroup, {"CacheSubnetGroupName": "sng"})
    assert e.code == "CacheSubnetGroupInUse"
    emu.advance(1.0)
    e = err(svc.op_DescribeReplicationGroups, {"ReplicationGroupId": "my-rg"})
    assert (e.code, e.status) == ("ReplicationGroupNotFoundFault", 404)
    svc.op_DeleteCacheSubnetGroup({"CacheSubnetGroupName": "sng"})
    assert svc.resources() == []


def test_cluster_mode_enabled(env):
    emu, svc = env
    subnet_group(svc)
    rg = create_rg(svc, "shard", NumCacheClusters=None, NumNodeGroups=3, ReplicasPerNodeGroup=1)
    assert rg["ClusterEnabled"] is True
    assert rg["MemberClusters"][:2] == ["shard-0001-001", "shard-0001-002"]
    assert len(rg["MemberClusters"]) == 6
    emu.advance(2)
    rg = describe(svc, "shard")
    assert rg["ConfigurationEndpoint"]["Address"].startswith("clustercfg.shard.")
    assert [ng["Slots"] for ng in rg["NodeGroups"]] == ["0-5461", "5462-10922", "10923-16383"]
    assert "PrimaryEndpoint" not in rg["NodeGroups"][0]
    cc = svc.op_DescribeCacheClusters({"CacheClusterId": "shard-0002-001"})["CacheClusters"][0]
    assert cc["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7.cluster.on"
    # reshard up then down
    svc.op_ModifyReplicationGroupShardConfiguration({"ReplicationGroupId": "shard", "NodeGroupCount": 4,
                                                     "ApplyImmediately": True})
    emu.advance(1)
    rg = describe(svc, "shard")
    assert [ng["NodeGroupId"] for ng in rg["NodeGroups"]] == ["0001", "0002", "0003", "0004"]
    assert "shard-0004-002" in rg["MemberClusters"]
    e = err(svc.op_ModifyReplicationGroupShardConfiguration, {"ReplicationGroupId": "shard", "NodeGroupCount": 2,
                                                              "ApplyImmediately": True})
    assert e.code == "InvalidParameterCombination"
    svc.op_ModifyReplicationGroupShardConfiguration({"ReplicationGroupId": "shard", "NodeGroupCount": 2,
                                                     "ApplyImmediately": True, "NodeGroupsToRemove": ["0002", "0004"]})
    emu.advance(1)
    rg = describe(svc, "shard")
    assert [ng["NodeGroupId"] for ng in rg["NodeGroups"]] == ["0001", "0003"]
    assert [ng["Slots"] for ng in rg["NodeGroups"]] == ["0-8191", "8192-16383"]
    e = err(svc.op_CreateReplicationGroup, {"ReplicationGroupId": "x", "ReplicationGroupDescription": "d",
                                            "CacheNodeType": "cache.t4g.micro", "NumNodeGroups": 2,
                                            "AutomaticFailoverEnabled": False})
    assert e.code == "InvalidParameterValue"


@pytest.mark.parametrize("bad", ["1abc", "ab--c", "abc-", "a" * 41, "ab_c", ""])
def test_rg_id_syntax(env, bad):
    _, svc = env
    subnet_group(svc)
    assert err(create_rg, svc, bad).code == "InvalidParameterValue"


def test_create_validation(env):
    emu, svc = env
    subnet_group(svc)
    cases = [
        (dict(NumCacheClusters=1), "InvalidParameterValue"),                  # failover needs a replica
        (dict(AutomaticFailoverEnabled=False), "InvalidParameterCombination"),  # multi-AZ needs failover
        (dict(TransitEncryptionEnabled=False), "InvalidParameterCombination"),  # token needs TLS
        (dict(AuthToken="short"), "InvalidParameterValue"),
        (dict(AuthToken="has space in it 0123456"), "InvalidParameterValue"),
        (dict(AuthToken="has@at-sign-0123456789"), "InvalidParameterValue"),
        (dict(AuthToken="x" * 129), "InvalidParameterValue"),
        (dict(TransitEncryptionMode="optional"), "InvalidParameterValue"),
        (dict(TransitEncryptionEnabled=False, AuthToken=None, TransitEncryptionMode="preferred"),
         "InvalidParameterCombination"),
        (dict(KmsKeyId="nope"), "InvalidParameterValue"),
        (dict(KmsKeyId="key-off"), "InvalidParameterValue"),
        (dict(AtRestEncryptionEnabled=False), "InvalidParameterCombination"),
        (dict(CacheSubnetGroupName="missing"), "CacheSubnetGroupNotFoundFault"),
        (dict(SecurityGroupIds=["sg-missing"]), "InvalidParameterValue"),
        (dict(SecurityGroupIds=["sg-other"]), "InvalidVPCNetworkStateFault"),
        (dict(Engine="memcached"), "InvalidParameterValue"),
        (dict(EngineVersion="9.9"), "InvalidParameterValue"),
        (dict(CacheNodeType="m5.large"), "InvalidParameterValue"),
        (dict(CacheNodeType="cache.zz9.large"), "InvalidParameterValue"),
        (dict(PreferredMaintenanceWindow="sun:05:00-sun:05:30"), "InvalidParameterValue"),
        (dict(PreferredMaintenanceWindow="sunday:05:00-sun:07:00"), "InvalidParameterValue"),
        (dict(SnapshotWindow="5:00-6:00"), "InvalidParameterValue"),
        (dict(PreferredMaintenanceWindow="sun:05:00-sun:07:00", SnapshotWindow="06:00-08:00"),
         "InvalidParameterCombination"),
        (dict(SnapshotRetentionLimit=36), "InvalidParameterValue"),
        (dict(CacheParameterGroupName="nope"), "CacheParameterGroupNotFound"),
        (dict(CacheParameterGroupName="default.valkey8"), "InvalidParameterCombination"),
        (dict(UserGroupIds=["nope"], AuthToken=None), "UserGroupNotFound"),
        (dict(LogDeliveryConfigurations=[{"LogType": "slow-log", "DestinationType": "cloudwatch-logs",
                                          "LogFormat": "json", "DestinationDetails": {}}]),
         "InvalidParameterCombination"),
        (dict(Port=80), "InvalidParameterValue"),
        (dict(ClusterMode="enabled"), "InvalidParameterCombination"),   # NumCacheClusters with cluster mode on
        (dict(EngineVersion="5.0.6", AuthToken=None, TransitEncryptionEnabled=None,
              LogDeliveryConfigurations=[{"LogType": "slow-log", "DestinationType": "cloudwatch-logs",
                                          "LogFormat": "json", "DestinationDetails": {
                                              "CloudWatchLogsDetails": {"LogGroup": "/x"}}}]),
         "InvalidParameterCombination"),
        (dict(Tags=[{"Key": "aws:x", "Value": "y"}]), "InvalidParameterValue"),
    ]
    for kw, code in cases:
        e = err(create_rg, svc, "rg1", **kw)
        assert e.code == code, (kw, e)
        assert TOKEN_A not in e.message
    assert svc.resources() == [{"type": "cache-subnet-group", "id": "sng"}]
    create_rg(svc, "rg1")
    e = err(create_rg, svc, "RG1")
    assert e.code == "ReplicationGroupAlreadyExists"


def test_log_delivery_and_windows(env):
    emu, svc = env
    subnet_group(svc)
    logs = [{"LogType": "slow-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json",
             "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/ec/slow"}}},
            {"LogType": "engine-log", "DestinationType": "cloudwatch-logs", "LogFormat": "text",
             "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/ec/missing"}}}]
    create_rg(svc, "lg", LogDeliveryConfigurations=logs, PreferredMaintenanceWindow="Tue:03:00-tue:04:00",
              SnapshotWindow="05:00-06:00", SnapshotRetentionLimit=7)
    emu.advance(2)
    rg = describe(svc, "lg")
    st = {c["LogType"]: c for c in rg["LogDeliveryConfigurations"]}
    assert st["slow-log"]["Status"] == "active"
    assert st["slow-log"]["DestinationDetails"] == {"CloudWatchLogsDetails": {"LogGroup": "/ec/slow"}}
    assert st["engine-log"]["Status"] == "error" and "does not exist" in st["engine-log"]["Message"]
    assert rg["SnapshotWindow"] == "05:00-06:00" and rg["SnapshotRetentionLimit"] == 7
    # windows AWS picks itself never overlap the ones given
    create_rg(svc, "lg2", SnapshotWindow="04:30-05:30", AuthToken=None, TransitEncryptionEnabled=None)
    create_rg(svc, "lg3", PreferredMaintenanceWindow="mon:06:00-mon:07:30", AuthToken=None,
              TransitEncryptionEnabled=None)
    emu.advance(2)
    assert describe(svc, "lg2")["SnapshotWindow"] == "04:30-05:30"
    maint = svc.op_DescribeCacheClusters({"CacheClusterId": "lg2-001"})["CacheClusters"][0][
        "PreferredMaintenanceWindow"]
    assert not elasticache._windows_overlap(maint, "04:30-05:30")
    assert not elasticache._windows_overlap("mon:06:00-mon:07:30", describe(svc, "lg3")["SnapshotWindow"])
    cc = svc.op_DescribeCacheClusters({"CacheClusterId": "lg-001"})["CacheClusters"][0]
    assert cc["PreferredMaintenanceWindow"] == "tue:03:00-tue:04:00"
    # disable engine-log, change slow-log format
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "lg", "ApplyImmediately": True,
                                   "LogDeliveryConfigurations": [
                                       {"LogType": "engine-log", "Enabled": False},
                                       dict(logs[0], LogFormat="text")]})
    rg = describe(svc, "lg")
    assert rg["Status"] == "modifying"
    assert {c["LogType"]: c["Status"] for c in rg["LogDeliveryConfigurations"]} == \
        {"slow-log": "modifying", "engine-log": "disabling"}
    assert rg["PendingModifiedValues"]["LogDeliveryConfigurations"][0]["LogFormat"] == "text"
    emu.advance(1)
    rg = describe(svc, "lg")
    assert [(c["LogType"], c["LogFormat"], c["Status"]) for c in rg["LogDeliveryConfigurations"]] == \
        [("slow-log", "text", "active")]
    assert rg["PendingModifiedValues"] == {}


def test_auth_token_rotate_set_delete(env):
    emu, svc = env
    subnet_group(svc)
    create_rg(svc, "auth")
    emu.advance(2)
    t0 = describe(svc, "auth")["AuthTokenLastModifiedDate"]
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "auth", "AuthTokenUpdateStrategy": "SET",
                                            "ApplyImmediately": True})
    assert e.code == "InvalidParameterCombination"
    out = svc.op_ModifyReplicationGroup({"ReplicationGroupId": "auth", "AuthToken": TOKEN_B,
                                         "AuthTokenUpdateStrategy": "ROTATE", "ApplyImmediately": True})
    assert out["ReplicationGroup"]["PendingModifiedValues"] == {"AuthTokenStatus": "ROTATING"}
    assert TOKEN_B not in repr(out)
    assert svc.valid_auth_tokens("auth") == [TOKEN_A]
    emu.advance(1)
    assert svc.valid_auth_tokens("auth") == [TOKEN_A, TOKEN_B]
    assert describe(svc, "auth")["AuthTokenLastModifiedDate"] > t0
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "auth", "AuthToken": TOKEN_C, "ApplyImmediately": True})
    emu.advance(1)
    assert svc.valid_auth_tokens("auth") == [TOKEN_B, TOKEN_C]
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "auth", "AuthToken": TOKEN_A,
                                   "AuthTokenUpdateStrategy": "SET", "ApplyImmediately": True})
    emu.advance(1)
    assert svc.valid_auth_tokens("auth") == [TOKEN_A]
    # DELETE only when moving to RBAC
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "auth", "AuthTokenUpdateStrategy": "DELETE"})
    assert e.code == "InvalidParameterCombination"
    svc.op_CreateUser({"UserId": "app-default", "UserName": "default", "Engine": "redis",
                       "AccessString": "off ~* -@all", "Passwords": [PW1]})
    svc.op_CreateUserGroup({"UserGroupId": "ug1", "Engine": "redis", "UserIds": ["app-default"]})
    emu.advance(2)
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "auth", "UserGroupIdsToAdd": ["ug1"]})
    assert e.code == "InvalidParameterCombination"
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "auth", "AuthTokenUpdateStrategy": "DELETE",
                                   "UserGroupIdsToAdd": ["ug1"], "ApplyImmediately": True})
    rg = describe(svc, "auth")
    assert rg["PendingModifiedValues"]["UserGroups"] == {"UserGroupIdsToAdd": ["ug1"]}
    emu.advance(1)
    rg = describe(svc, "auth")
    assert rg["UserGroupIds"] == ["ug1"] and rg["AuthTokenEnabled"] is False
    assert "AuthTokenLastModifiedDate" not in rg
    assert svc.valid_auth_tokens("auth") == []
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "auth", "AuthToken": TOKEN_B})
    assert e.code == "InvalidParameterCombination"


def test_modify_node_type_version_and_misc(env):
    emu, svc = env
    subnet_group(svc)
    create_rg(svc, "mod", EngineVersion="7.0")
    emu.advance(2)
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "mod", "EngineVersion": "6.2",
                                            "ApplyImmediately": True})
    assert e.code == "InvalidParameterCombination"
    # ApplyImmediately=false: stays pending until the maintenance window
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "mod", "CacheNodeType": "cache.r7g.large"})
    emu.advance(5)
    rg = describe(svc, "mod")
    assert rg["CacheNodeType"] == "cache.t4g.micro"
    cc = svc.op_DescribeCacheClusters({"CacheClusterId": "mod-001"})["CacheClusters"][0]
    assert cc["PendingModifiedValues"] == {"CacheNodeType": "cache.r7g.large"}
    svc.apply_maintenance("mod")
    emu.advance(1)
    assert describe(svc, "mod")["CacheNodeType"] == "cache.r7g.large"
    # a later ApplyImmediately request also applies what is still pending
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "mod", "CacheNodeType": "cache.r7g.xlarge"})
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "mod", "SnapshotRetentionLimit": 2,
                                   "ApplyImmediately": True})
    emu.advance(1)
    rg = describe(svc, "mod")
    assert rg["CacheNodeType"] == "cache.r7g.xlarge" and rg["SnapshotRetentionLimit"] == 2
    # immediate version upgrade
    out = svc.op_ModifyReplicationGroup({"ReplicationGroupId": "mod", "EngineVersion": "7.1",
                                         "ApplyImmediately": True, "SecurityGroupIds": ["sg-1", "sg-2"],
                                         "SnapshotRetentionLimit": 5})["ReplicationGroup"]
    assert out["Status"] == "modifying"
    cc = svc.op_DescribeCacheClusters({"CacheClusterId": "mod-001"})["CacheClusters"][0]
    assert cc["EngineVersion"] == "7.0.7" and cc["PendingModifiedValues"]["EngineVersion"] == "7.1.0"
    emu.advance(1)
    cc = svc.op_DescribeCacheClusters({"CacheClusterId": "mod-002"})["CacheClusters"][0]
    assert cc["EngineVersion"] == "7.1.0" and cc["PendingModifiedValues"] == {}
    assert [g["SecurityGroupId"] for g in cc["SecurityGroups"]] == ["sg-1", "sg-2"]
    assert svc.uses("security-group", "sg-2") == ["ElastiCache replication group mod"]
    # failover / multi-AZ rules
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "mod", "AutomaticFailoverEnabled": False})
    assert e.code == "InvalidParameterCombination"
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "mod", "AutomaticFailoverEnabled": False,
                                   "MultiAZEnabled": False, "ApplyImmediately": True})
    rg = describe(svc, "mod")
    assert rg["AutomaticFailover"] == "disabling"
    assert rg["PendingModifiedValues"]["AutomaticFailoverStatus"] == "disabled"
    emu.advance(1)
    rg = describe(svc, "mod")
    assert (rg["AutomaticFailover"], rg["MultiAZ"]) == ("disabled", "disabled")
    # replicas
    svc.op_IncreaseReplicaCount({"ReplicationGroupId": "mod", "NewReplicaCount": 3, "ApplyImmediately": True})
    emu.advance(1)
    assert describe(svc, "mod")["MemberClusters"] == ["mod-001", "mod-002", "mod-003", "mod-004"]
    svc.op_DecreaseReplicaCount({"ReplicationGroupId": "mod", "ReplicasToRemove": ["mod-003"],
                                 "ApplyImmediately": True})
    emu.advance(1)
    assert describe(svc, "mod")["MemberClusters"] == ["mod-001", "mod-002", "mod-004"]
    e = err(svc.op_DecreaseReplicaCount, {"ReplicationGroupId": "mod", "ReplicasToRemove": ["mod-001"],
                                          "ApplyImmediately": True})
    assert e.code == "InvalidParameterValue"


def test_transit_encryption_two_step(env):
    emu, svc = env
    subnet_group(svc)
    create_rg(svc, "tls", TransitEncryptionEnabled=None, AuthToken=None)
    emu.advance(2)
    rg = describe(svc, "tls")
    assert rg["TransitEncryptionEnabled"] is False and "TransitEncryptionMode" not in rg
    assert rg["NodeGroups"][0]["PrimaryEndpoint"]["Address"].startswith("tls.")
    assert ".ng.0001." in rg["NodeGroups"][0]["PrimaryEndpoint"]["Address"]
    e = err(svc.op_ModifyReplicationGroup, {"ReplicationGroupId": "tls", "TransitEncryptionEnabled": True,
                                            "TransitEncryptionMode": "required"})
    assert e.code == "InvalidParameterCombination"
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "tls", "TransitEncryptionEnabled": True,
                                   "TransitEncryptionMode": "preferred", "ApplyImmediately": True})
    assert describe(svc, "tls")["PendingModifiedValues"] == {"TransitEncryptionEnabled": True,
                                                             "TransitEncryptionMode": "preferred"}
    emu.advance(1)
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "tls", "TransitEncryptionMode": "required",
                                   "ApplyImmediately": True})
    emu.advance(1)
    rg = describe(svc, "tls")
    assert rg["TransitEncryptionEnabled"] is True and rg["TransitEncryptionMode"] == "required"


def test_users_and_groups(env):
    emu, svc = env
    users = svc.op_DescribeUsers({})["Users"]
    assert [u["UserId"] for u in users] == ["default"]
    e = err(svc.op_CreateUser, {"UserId": "u1", "UserName": "u1", "Engine": "redis", "AccessString": "on",
                                "Passwords": ["short"]})
    assert e.code == "InvalidParameterValue" and "short" not in e.message
    e = err(svc.op_CreateUser, {"UserId": "u1", "UserName": "u1", "Engine": "redis", "AccessString": "on",
                                "Passwords": [PW1, PW2, PW1]})
    assert e.code == "InvalidParameterValue"
    e = err(svc.op_CreateUser, {"UserId": "u1", "UserName": "u1", "Engine": "redis", "AccessString": "on",
                                "Passwords": ["bad/slash-0123456789"]})
    assert e.code == "InvalidParameterValue"
    e = err(svc.op_CreateUser, {"UserId": "u1", "UserName": "other", "Engine": "redis", "AccessString": "on",
                                "AuthenticationMode": {"Type": "iam"}})
    assert e.code == "InvalidParameterCombination"
    e = err(svc.op_CreateUser, {"UserId": "u1", "UserName": "u1", "Engine": "redis", "AccessString": "on"})
    assert e.code == "InvalidParameterCombination"
    u = svc.op_CreateUser({"UserId": "App-Default", "UserName": "default", "Engine": "redis",
                           "AccessString": "off -@all", "Passwords": [PW1]})
    assert u["UserId"] == "app-default" and u["Authentication"] == {"Type": "password", "PasswordCount": 1}
    assert u["Status"] == "active" and PW1 not in repr(u)
    svc.op_CreateUser({"UserId": "app", "UserName": "app", "Engine": "redis", "AccessString": "on ~* +@read",
                       "AuthenticationMode": {"Type": "password", "Passwords": [PW1, PW2]}})
    svc.op_CreateUser({"UserId": "iamuser", "UserName": "iamuser", "Engine": "redis", "AccessString": "on",
                       "AuthenticationMode": {"Type": "iam"}})
    svc.op_CreateUser({"UserId": "dup", "UserName": "app", "Engine": "redis", "AccessString": "on",
                       "NoPasswordRequired": True})
    assert svc.valid_passwords("app") == [PW1, PW2]
    e = err(svc.op_CreateUser, {"UserId": "APP", "UserName": "x", "Engine": "redis", "AccessString": "on",
                                "NoPasswordRequired": True})
    assert e.code == "UserAlreadyExists"
    # groups
    e = err(svc.op_CreateUserGroup, {"UserGroupId": "g1", "Engine": "redis", "UserIds": ["app"]})
    assert e.code == "DefaultUserRequired"
    e = err(svc.op_CreateUserGroup, {"UserGroupId": "g1", "Engine": "redis",
                                     "UserIds": ["app-default", "app", "dup"]})
    assert e.code == "DuplicateUserName"
    e = err(svc.op_CreateUserGroup, {"UserGroupId": "g1", "Engine": "redis", "UserIds": ["app-default", "ghost"]})
    assert (e.code, e.status) == ("UserNotFound", 404)
    g = svc.op_CreateUserGroup({"UserGroupId": "G1", "Engine": "redis", "UserIds": ["app-default", "app"]})
    assert g["Status"] == "creating" and g["UserGroupId"] == "g1"
    e = err(svc.op_ModifyUserGroup, {"UserGroupId": "g1", "UserIdsToAdd": ["iamuser"]})
    assert e.code == "InvalidUserGroupState"
    emu.advance(2)
    svc.op_ModifyUserGroup({"UserGroupId": "g1", "UserIdsToAdd": ["iamuser"]})
    g = svc.op_DescribeUserGroups({"UserGroupId": "g1"})["UserGroups"][0]
    assert g["Status"] == "modifying" and g["PendingChanges"] == {"UserIdsToAdd": ["iamuser"]}
    emu.advance(1)
    g = svc.op_DescribeUserGroups({"UserGroupId": "g1"})["UserGroups"][0]
    assert g["UserIds"] == ["app-default", "app", "iamuser"] and "PendingChanges" not in g
    e = err(svc.op_ModifyUserGroup, {"UserGroupId": "g1", "UserIdsToRemove": ["app-default"]})
    assert e.code == "DefaultUserRequired"
    assert svc.op_DescribeUsers({"UserId": "app"})["Users"][0]["UserGroupIds"] == ["g1"]
    # modify user: append access string, replace passwords
    svc.op_ModifyUser({"UserId": "app", "AppendAccessString": "+@write", "Passwords": [PW2]})
    e = err(svc.op_ModifyUser, {"UserId": "app", "AccessString": "on"})
    assert e.code == "InvalidUserState"
    assert svc.valid_passwords("app") == [PW1, PW2]
    emu.advance(1)
    u = svc.op_DescribeUsers({"UserId": "app"})["Users"][0]
    assert u["AccessString"] == "on ~* +@read +@write" and u["Authentication"]["PasswordCount"] == 1
    assert svc.valid_passwords("app") == [PW2]
    # deleting the default-named user of a group is refused; others are removed from their groups
    e = err(svc.op_DeleteUser, {"UserId": "app-default"})
    assert e.code == "DefaultUserAssociatedToUserGroup"
    svc.op_DeleteUser({"UserId": "iamuser"})
    emu.advance(1)
    g = svc.op_DescribeUserGroups({"UserGroupId": "g1"})["UserGroups"][0]
    assert g["UserIds"] == ["app-default", "app"]
    e = err(svc.op_DescribeUsers, {"UserId": "iamuser"})
    assert (e.code, e.status) == ("UserNotFound", 404)
    assert err(svc.op_DeleteUser, {"UserId": "default"}).code == "InvalidParameterValue"


def test_user_group_attach_rules(env):
    emu, svc = env
    subnet_group(svc)
    svc.op_CreateUser({"UserId": "d", "UserName": "default", "Engine": "redis", "AccessString": "off",
                       "NoPasswordRequired": True})
    svc.op_CreateUserGroup({"UserGroupId": "ug", "Engine": "redis", "UserIds": ["d"]})
    e = err(create_rg, svc, "r1", AuthToken=None, UserGroupIds=["ug"])
    assert e.code == "InvalidUserGroupState"
    emu.advance(2)
    assert err(create_rg, svc, "r1", UserGroupIds=["ug"]).code == "InvalidParameterCombination"
    assert err(create_rg, svc, "r1", AuthToken=None, UserGroupIds=["ug"], EngineVersion="5.0.6").code == \
        "InvalidParameterCombination"
    create_rg(svc, "r1", AuthToken=None, UserGroupIds=["ug"])
    g = svc.op_DescribeUserGroups({"UserGroupId": "ug"})["UserGroups"][0]
    assert g["ReplicationGroups"] == ["r1"]
    e = err(create_rg, svc, "r2", AuthToken=None, UserGroupIds=["ug"])
    assert e.code == "InvalidUserGroupState" and "r1" in e.message
    e = err(svc.op_DeleteUserGroup, {"UserGroupId": "ug"})
    assert e.code == "InvalidUserGroupState" and "r1" in e.message
    emu.advance(2)
    svc.op_ModifyReplicationGroup({"ReplicationGroupId": "r1", "UserGroupIdsToRemove": ["ug"],
                                   "ApplyImmediately": True})
    emu.advance(1)
    assert describe(svc, "r1")["UserGroupIds"] == []
    assert svc.op_DescribeUserGroups({"UserGroupId": "ug"})["UserGroups"][0]["ReplicationGroups"] == []
    svc.op_DeleteUserGroup({"UserGroupId": "ug"})
    emu.advance(1)
    assert err(svc.op_DescribeUserGroups, {"UserGroupId": "ug"}).code == "UserGroupNotFound"


def test_subnet_and_parameter_groups(env):
    emu, svc = env
    e = err(svc.op_CreateCacheSubnetGroup, {"CacheSubnetGroupName": "s", "CacheSubnetGroupDescription": "d",
                                            "SubnetIds": ["subnet-a", "subnet-x"]})
    assert e.code == "InvalidSubnet"
    e = err(svc.op_CreateCacheSubnetGroup, {"CacheSubnetGroupName": "s", "CacheSubnetGroupDescription": "d",
                                            "SubnetIds": ["subnet-nope"]})
    assert e.code == "InvalidSubnet"
    out = svc.op_CreateCacheSubnetGroup({"CacheSubnetGroupName": "S", "CacheSubnetGroupDescription": "d",
                                         "SubnetIds": ["subnet-a"], "Tags": [{"Key": "k", "Value": "v"}]})
    sg = out["CacheSubnetGroup"]
    assert sg["CacheSubnetGroupName"] == "s" and sg["VpcId"] == "vpc-1"
    assert sg["Subnets"][0]["SubnetAvailabilityZone"] == {"Name": "us-east-1a"}
    assert svc.uses("subnet", "subnet-a") == ["ElastiCache cache subnet group s"]
    assert err(svc.op_CreateCacheSubnetGroup, {"CacheSubnetGroupName": "s", "CacheSubnetGroupDescription": "d",
                                               "SubnetIds": ["subnet-a"]}).code == "CacheSubnetGroupAlreadyExists"
    svc.op_ModifyCacheSubnetGroup({"CacheSubnetGroupName": "s", "SubnetIds": ["subnet-b"]})
    assert svc.uses("subnet", "subnet-a") == []
    arn = sg["ARN"]
    assert svc.op_ListTagsForResource({"ResourceName": arn})["TagList"] == [{"Key": "k", "Value": "v"}]
    # parameter groups
    e = err(svc.op_CreateCacheParameterGroup, {"CacheParameterGroupName": "p", "CacheParameterGroupFamily": "redis2",
                                               "Description": "d"})
    assert e.code == "InvalidParameterValue"
    pg = svc.op_CreateCacheParameterGroup({"CacheParameterGroupName": "P7", "CacheParameterGroupFamily": "redis7",
                                           "Description": "d"})["CacheParameterGroup"]
    assert pg["CacheParameterGroupName"] == "p7" and pg["IsGlobal"] is False
    svc.op_ModifyCacheParameterGroup({"CacheParameterGroupName": "p7", "ParameterNameValues": [
        {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
        {"ParameterName": "notify-keyspace-events", "ParameterValue": "Ex"},
        {"ParameterName": "timeout", "ParameterValue": "300"}]})
    for bad in [("maxmemory-policy", "sometimes"), ("no-such-param", "1"), ("timeout", "5"),
                ("timeout", "abc"), ("notify-keyspace-events", "Q")]:
        e = err(svc.op_ModifyCacheParameterGroup, {"CacheParameterGroupName": "p7", "ParameterNameValues": [
            {"ParameterName": bad[0], "ParameterValue": bad[1]}]})
        assert e.code == "InvalidParameterValue", bad
    params = {x["ParameterName"]: x for x in svc.op_DescribeCacheParameters({"CacheParameterGroupName": "p7"})[
        "Parameters"]}
    assert params["maxmemory-policy"]["ParameterValue"] == "allkeys-lru"
    assert params["maxmemory-policy"]["Source"] == "user"
    assert params["tcp-keepalive"]["Source"] == "engine-default"
    user_only = svc.op_DescribeCacheParameters({"CacheParameterGroupName": "p7", "Source": "user"})["Parameters"]
    assert {x["ParameterName"] for x in user_only} == {"maxmemory-policy", "notify-keyspace-events", "timeout"}
    svc.op_ResetCacheParameterGroup({"CacheParameterGroupName": "p7", "ParameterNameValues": [
        {"ParameterName": "timeout"}]})
    user_only = svc.op_DescribeCacheParameters({"CacheParameterGroupName": "p7", "Source": "user"})["Parameters"]
    assert {x["ParameterName"] for x in user_only} == {"maxmemory-policy", "notify-keyspace-events"}
    assert err(svc.op_ModifyCacheParameterGroup, {"CacheParameterGroupName": "default.redis7", "ParameterNameValues": [
        {"ParameterName": "timeout", "ParameterValue": "0"}]}).code == "InvalidCacheParameterGroupState"
    # in use -> cannot delete
    svc.op_CreateCacheSubnetGroup({"CacheSubnetGroupName": "sng", "CacheSubnetGroupDescription": "d",
                                   "SubnetIds": ["subnet-a", "subnet-b"]})
    create_rg(svc, "pgrg", CacheParameterGroupName="p7")
    e = err(svc.op_DeleteCacheParameterGroup, {"CacheParameterGroupName": "p7"})
    assert e.code == "InvalidCacheParameterGroupState" and "pgrg" in e.message
    types = sorted(r["type"] for r in svc.resources())
    assert types == ["cache-parameter-group", "cache-subnet-group", "cache-subnet-group", "replication-group"]
    names = [x["CacheParameterGroupName"] for x in svc.op_DescribeCacheParameterGroups({})["CacheParameterGroups"]]
    assert "default.redis7" in names and "p7" in names
    assert err(svc.op_DescribeCacheParameterGroups, {"CacheParameterGroupName": "x"}).status == 404


def test_tags_and_pagination(env):
    emu, svc = env
    subnet_group(svc)
    for i in range(25):
        create_rg(svc, "rg%02d" % i, AuthToken=None, TransitEncryptionEnabled=None,
                  Tags=[{"Key": "n", "Value": str(i)}])
    page1 = svc.op_DescribeReplicationGroups({"MaxRecords": 20})
    assert len(page1["ReplicationGroups"]) == 20 and page1["Marker"]
    page2 = svc.op_DescribeReplicationGroups({"MaxRecords": 20, "Marker": page1["Marker"]})
    assert len(page2["ReplicationGroups"]) == 5 and "Marker" not in page2
    assert err(svc.op_DescribeReplicationGroups, {"MaxRecords": 5}).code == "InvalidParameterValue"
    arn = page1["ReplicationGroups"][0]["ARN"]
    svc.op_AddTagsToResource({"ResourceName": arn, "Tags": [{"Key": "a", "Value": "1"}, {"Key": "n", "Value": "x"}]})
    assert svc.op_ListTagsForResource({"ResourceName": arn})["TagList"] == [{"Key": "n", "Value": "x"},
                                                                            {"Key": "a", "Value": "1"}]
    assert svc.op_RemoveTagsFromResource({"ResourceName": arn, "TagKeys": ["n"]})["TagList"] == \
        [{"Key": "a", "Value": "1"}]
    e = err(svc.op_ListTagsForResource, {"ResourceName": arn.replace("rg00", "nope")})
    assert (e.code, e.status) == ("ReplicationGroupNotFoundFault", 404)
    assert err(svc.op_ListTagsForResource, {"ResourceName": "not-an-arn"}).code == "InvalidARN"


def test_retain_primary_and_final_snapshot(env):
    emu, svc = env
    subnet_group(svc)
    create_rg(svc, "keep")
    emu.advance(2)
    svc.op_DeleteReplicationGroup({"ReplicationGroupId": "keep", "RetainPrimaryCluster": True,
                                   "FinalSnapshotIdentifier": "keep-final"})
    e = err(svc.op_DeleteReplicationGroup, {"ReplicationGroupId": "keep"})
    assert e.code == "InvalidReplicationGroupState"
    emu.advance(1)
    res = svc.resources()
    assert {"type": "cache-cluster", "id": "keep-001", "status": "available"} in res
    assert {"type": "snapshot", "id": "keep-final"} in res
    assert err(svc.op_DeleteCacheSubnetGroup, {"CacheSubnetGroupName": "sng"}).code == "CacheSubnetGroupInUse"
    assert svc.uses("security-group", "sg-1") == ["ElastiCache cache cluster keep-001"]
    clusters = svc.op_DescribeCacheClusters({})["CacheClusters"]
    assert [c["CacheClusterId"] for c in clusters] == ["keep-001"] and "ReplicationGroupId" not in clusters[0]
    svc.op_DeleteCacheCluster({"CacheClusterId": "keep-001"})
    svc.op_DeleteSnapshot({"SnapshotName": "keep-final"})
    emu.advance(1)
    assert svc.resources() == [{"type": "cache-subnet-group", "id": "sng"}]
