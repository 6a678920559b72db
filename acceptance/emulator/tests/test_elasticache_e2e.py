"""End-to-end tests of the ElastiCache service through real botocore clients against the in-process Emulator."""

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from acceptance.emulator.server import Emulator

AUTH1 = "Auth-Token-0123456789abc"
AUTH2 = "Auth-Token-9876543210xyz"


@pytest.fixture
def emu():
    e = Emulator(region="us-east-1", settings={"create_delay_s": 30, "modify_delay_s": 20, "delete_delay_s": 10})
    e.start()
    try:
        yield e
    finally:
        e.stop()


def client(emu, name):
    s = botocore.session.get_session()
    return s.create_client(name, region_name="us-east-1", endpoint_url=emu.endpoint,
                           aws_access_key_id="AKIDEMULATOR00000000", aws_secret_access_key="emulator-secret-key",
                           config=Config(retries={"max_attempts": 1}))


def advance(emu, seconds):
    emu.settings["clock_offset_s"] = float(emu.settings.get("clock_offset_s", 0)) + seconds


def code(exc_info):
    return exc_info.value.response["Error"]["Code"], exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def net(emu):
    ec2 = client(emu, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    s1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    s2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="redis", Description="redis", VpcId=vpc)["GroupId"]
    kms = client(emu, "kms")
    key = kms.create_key(Description="redis")["KeyMetadata"]
    logs = client(emu, "logs")
    logs.create_log_group(logGroupName="/elasticache/slow")
    return {"ec2": ec2, "vpc": vpc, "subnets": [s1, s2], "sg": sg, "key": key, "logs": logs}


def test_full_lifecycle_through_botocore(emu, net):
    ec = client(emu, "elasticache")
    ec.create_cache_subnet_group(CacheSubnetGroupName="app-subnets", CacheSubnetGroupDescription="app",
                                 SubnetIds=net["subnets"])
    ec.create_cache_parameter_group(CacheParameterGroupName="app-params", CacheParameterGroupFamily="redis7",
                                    Description="app")
    ec.modify_cache_parameter_group(CacheParameterGroupName="app-params", ParameterNameValues=[
        {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"}])
    rg = ec.create_replication_group(
        ReplicationGroupId="App-Cache", ReplicationGroupDescription="app cache", Engine="redis", EngineVersion="7.1",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, AutomaticFailoverEnabled=True, MultiAZEnabled=True,
        CacheSubnetGroupName="app-subnets", SecurityGroupIds=[net["sg"]], CacheParameterGroupName="app-params",
        TransitEncryptionEnabled=True, AtRestEncryptionEnabled=True, KmsKeyId=net["key"]["KeyId"],
        AuthToken=AUTH1, SnapshotRetentionLimit=7, SnapshotWindow="03:00-04:00",
        PreferredMaintenanceWindow="sun:05:00-sun:06:00", Tags=[{"Key": "app", "Value": "demo"}],
        LogDeliveryConfigurations=[{"LogType": "slow-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json",
                                    "DestinationDetails": {"CloudWatchLogsDetails": {
                                        "LogGroup": "/elasticache/slow"}}}])["ReplicationGroup"]
    assert rg["ReplicationGroupId"] == "app-cache" and rg["Status"] == "creating"
    assert rg["KmsKeyId"] == net["key"]["Arn"]
    assert rg["LogDeliveryConfigurations"][0]["Status"] == "enabling"
    with pytest.raises(ClientError) as ei:
        ec.create_replication_group(ReplicationGroupId="app-cache", ReplicationGroupDescription="x",
                                    CacheNodeType="cache.t4g.small")
    assert code(ei) == ("ReplicationGroupAlreadyExists", 400)
    with pytest.raises(ClientError) as ei:
        ec.modify_replication_group(ReplicationGroupId="app-cache", SnapshotRetentionLimit=1, ApplyImmediately=True)
    assert code(ei) == ("InvalidReplicationGroupState", 400)
    advance(emu, 31)
    rg = ec.describe_replication_groups(ReplicationGroupId="app-cache")["ReplicationGroups"][0]
    assert rg["Status"] == "available" and rg["AuthTokenEnabled"] is True
    assert rg["NodeGroups"][0]["PrimaryEndpoint"]["Address"].startswith("master.app-cache.")
    assert rg["LogDeliveryConfigurations"][0]["Status"] == "active"
    assert rg["ReplicationGroupCreateTime"].tzinfo is not None
    assert "AuthTokenLastModifiedDate" in rg
    clusters = ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    assert [c["CacheClusterId"] for c in clusters] == ["app-cache-001", "app-cache-002"]
    assert clusters[0]["CacheParameterGroup"]["CacheParameterGroupName"] == "app-params"
    assert clusters[0]["CacheNodes"][0]["Endpoint"]["Port"] == 6379
    tags = ec.list_tags_for_resource(ResourceName=rg["ARN"])["TagList"]
    assert tags == [{"Key": "app", "Value": "demo"}]
    # the VPC resources are in use
    with pytest.raises(ClientError) as ei:
        net["ec2"].delete_security_group(GroupId=net["sg"])
    assert ei.value.response["Error"]["Code"] == "DependencyViolation"
    with pytest.raises(ClientError) as ei:
        ec.delete_cache_subnet_group(CacheSubnetGroupName="app-subnets")
    assert code(ei) == ("CacheSubnetGroupInUse", 400)
    with pytest.raises(ClientError) as ei:
        ec.delete_cache_parameter_group(CacheParameterGroupName="app-params")
    assert code(ei) == ("InvalidCacheParameterGroupState", 400)
    # rotate the AUTH token
    out = ec.modify_replication_group(ReplicationGroupId="app-cache", AuthToken=AUTH2,
                                      AuthTokenUpdateStrategy="ROTATE", ApplyImmediately=True)["ReplicationGroup"]
    assert out["Status"] == "modifying" and out["PendingModifiedValues"]["AuthTokenStatus"] == "ROTATING"
    advance(emu, 21)
    assert emu.service("elasticache").valid_auth_tokens("app-cache") == [AUTH1, AUTH2]
    # secrets never travel back
    log = emu.log if isinstance(emu.log, list) else list(emu.log)
    assert AUTH1 not in repr(log) and AUTH2 not in repr(log)
    res = emu.resources()["elasticache"]
    assert {"type": "replication-group", "id": "app-cache", "status": "available"} in res
    # delete everything
    out = ec.delete_replication_group(ReplicationGroupId="app-cache")["ReplicationGroup"]
    assert out["Status"] == "deleting"
    advance(emu, 11)
    with pytest.raises(ClientError) as ei:
        ec.describe_replication_groups(ReplicationGroupId="app-cache")
    assert code(ei) == ("ReplicationGroupNotFoundFault", 404)
    ec.delete_cache_subnet_group(CacheSubnetGroupName="app-subnets")
    ec.delete_cache_parameter_group(CacheParameterGroupName="app-params")
    assert emu.resources()["elasticache"] == []
    net["ec2"].delete_security_group(GroupId=net["sg"])


def test_cluster_mode_enabled_and_users(emu, net):
    ec = client(emu, "elasticache")
    ec.create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d",
                                 SubnetIds=net["subnets"])
    u = ec.create_user(UserId="app-default", UserName="default", Engine="redis", AccessString="off -@all",
                       Passwords=["Passw0rd-Passw0rd-1"])
    assert u["Authentication"] == {"Type": "password", "PasswordCount": 1}
    ec.create_user(UserId="app", UserName="app", Engine="redis", AccessString="on ~app:* +@all",
                   AuthenticationMode={"Type": "password", "Passwords": ["Passw0rd-Passw0rd-2"]})
    with pytest.raises(ClientError) as ei:
        ec.create_user_group(UserGroupId="ug", Engine="redis", UserIds=["app"])
    assert code(ei) == ("DefaultUserRequired", 400)
    ug = ec.create_user_group(UserGroupId="ug", Engine="redis", UserIds=["app-default", "app"])
    assert ug["Status"] == "creating"
    advance(emu, 31)
    rg = ec.create_replication_group(ReplicationGroupId="sharded", ReplicationGroupDescription="d",
                                     CacheNodeType="cache.r7g.large", Engine="valkey", EngineVersion="8.0",
                                     NumNodeGroups=2, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True,
                                     CacheSubnetGroupName="sn", SecurityGroupIds=[net["sg"]],
                                     TransitEncryptionEnabled=True, UserGroupIds=["ug"])["ReplicationGroup"]
    assert rg["MemberClusters"] == ["sharded-0001-001", "sharded-0001-002", "sharded-0002-001", "sharded-0002-002"]
    assert rg["ClusterEnabled"] is True and rg["Engine"] == "valkey"
    ug = ec.describe_user_groups(UserGroupId="ug")["UserGroups"][0]
    assert ug["ReplicationGroups"] == ["sharded"]
    with pytest.raises(ClientError) as ei:
        ec.delete_user_group(UserGroupId="ug")
    assert code(ei) == ("InvalidUserGroupState", 400) and "sharded" in ei.value.response["Error"]["Message"]
    advance(emu, 31)
    rg = ec.describe_replication_groups(ReplicationGroupId="sharded")["ReplicationGroups"][0]
    assert rg["ConfigurationEndpoint"]["Address"].startswith("clustercfg.sharded.")
    assert rg["NodeGroups"][1]["Slots"] == "8192-16383"
    cc = ec.describe_cache_clusters(CacheClusterId="sharded-0002-002")["CacheClusters"][0]
    assert cc["EngineVersion"] == "8.0.1"
    assert cc["CacheParameterGroup"]["CacheParameterGroupName"] == "default.valkey8.cluster.on"
    with pytest.raises(ClientError) as ei:
        ec.modify_replication_group(ReplicationGroupId="sharded", EngineVersion="7.2", ApplyImmediately=True)
    assert code(ei) == ("InvalidParameterCombination", 400)
    ec.increase_replica_count(ReplicationGroupId="sharded", NewReplicaCount=2, ApplyImmediately=True)
    advance(emu, 21)
    rg = ec.describe_replication_groups(ReplicationGroupId="sharded")["ReplicationGroups"][0]
    assert len(rg["MemberClusters"]) == 6
    users = {x["UserId"]: x for x in ec.describe_users()["Users"]}
    assert set(users) == {"default", "app-default", "app"}
    assert users["app"]["UserGroupIds"] == ["ug"]
    assert "Passw0rd" not in repr(users)
    ec.delete_replication_group(ReplicationGroupId="sharded")
    advance(emu, 11)
    assert ec.describe_user_groups(UserGroupId="ug")["UserGroups"][0]["ReplicationGroups"] == []
    ec.delete_user_group(UserGroupId="ug")
    ec.delete_user(UserId="app")
    ec.delete_user(UserId="app-default")
    advance(emu, 11)
    assert [x["UserId"] for x in ec.describe_users()["Users"]] == ["default"]
    with pytest.raises(ClientError) as ei:
        ec.describe_users(UserId="app")
    assert code(ei) == ("UserNotFound", 404)


def test_errors_render_with_model_codes(emu, net):
    ec = client(emu, "elasticache")
    with pytest.raises(ClientError) as ei:
        ec.create_replication_group(ReplicationGroupId="bad--id", ReplicationGroupDescription="d",
                                    CacheNodeType="cache.t4g.micro")
    assert code(ei) == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as ei:
        ec.create_replication_group(ReplicationGroupId="ok", ReplicationGroupDescription="d",
                                    CacheNodeType="cache.t4g.micro", CacheSubnetGroupName="nope")
    assert code(ei) == ("CacheSubnetGroupNotFoundFault", 400)
    with pytest.raises(ClientError) as ei:
        ec.create_replication_group(ReplicationGroupId="ok", ReplicationGroupDescription="d",
                                    CacheNodeType="cache.t4g.micro", AuthToken=AUTH1)
    assert code(ei) == ("InvalidParameterCombination", 400)
    assert AUTH1 not in ei.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as ei:
        ec.describe_cache_clusters(CacheClusterId="none")
    assert code(ei) == ("CacheClusterNotFound", 404)
    with pytest.raises(ClientError) as ei:
        ec.delete_cache_subnet_group(CacheSubnetGroupName="none")
    assert code(ei) == ("CacheSubnetGroupNotFoundFault", 400)
    with pytest.raises(ClientError) as ei:
        ec.create_cache_subnet_group(CacheSubnetGroupName="x", CacheSubnetGroupDescription="d",
                                     SubnetIds=["subnet-00000000000000000"])
    assert code(ei) == ("InvalidSubnet", 400)
    with pytest.raises(ClientError) as ei:
        ec.describe_cache_parameters(CacheParameterGroupName="none")
    assert code(ei) == ("CacheParameterGroupNotFound", 404)
    params = ec.describe_cache_parameters(CacheParameterGroupName="default.redis7")["Parameters"]
    assert {"maxmemory-policy", "notify-keyspace-events", "timeout"} <= {x["ParameterName"] for x in params}
    # subnets used by a subnet group cannot be deleted in ec2
    ec.create_cache_subnet_group(CacheSubnetGroupName="x", CacheSubnetGroupDescription="d",
                                 SubnetIds=net["subnets"])
    with pytest.raises(ClientError) as ei:
        net["ec2"].delete_subnet(SubnetId=net["subnets"][0])
    assert ei.value.response["Error"]["Code"] == "DependencyViolation"
