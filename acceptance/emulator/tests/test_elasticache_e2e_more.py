"""More ElastiCache operations through botocore: every response must fit the model's output shape (the framework
answers 500 InternalFailure when a handler returns something that does not serialize)."""

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from acceptance.emulator.server import Emulator


@pytest.fixture
def emu():
    e = Emulator(region="us-east-1", settings={"create_delay_s": 30, "modify_delay_s": 20, "delete_delay_s": 10})
    e.start()
    try:
        yield e
    finally:
        e.stop()


def client(emu, name):
    return botocore.session.get_session().create_client(
        name, region_name="us-east-1", endpoint_url=emu.endpoint, aws_access_key_id="AKIDEMULATOR00000000",
        aws_secret_access_key="emulator-secret-key", config=Config(retries={"max_attempts": 1}))


def advance(emu, seconds):
    emu.settings["clock_offset_s"] = float(emu.settings.get("clock_offset_s", 0)) + seconds


def err(ei):
    return ei.value.response["Error"]["Code"], ei.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_remaining_operations_serialize(emu):
    ec = client(emu, "elasticache")
    ec2 = client(emu, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.%d.0/24" % i,
                                 AvailabilityZone="us-east-1" + "abc"[i])["Subnet"]["SubnetId"] for i in range(3)]
    sg = ec2.create_security_group(GroupName="r", Description="r", VpcId=vpc)["GroupId"]
    ec.create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d", SubnetIds=subnets[:2])
    out = ec.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=subnets,
                                       CacheSubnetGroupDescription="three")["CacheSubnetGroup"]
    assert len(out["Subnets"]) == 3 and out["CacheSubnetGroupDescription"] == "three"
    assert ec.describe_cache_subnet_groups()["CacheSubnetGroups"][0]["VpcId"] == vpc
    ec.create_cache_parameter_group(CacheParameterGroupName="pg", CacheParameterGroupFamily="redis7",
                                    Description="d", Tags=[{"Key": "a", "Value": "b"}])
    ec.modify_cache_parameter_group(CacheParameterGroupName="pg", ParameterNameValues=[
        {"ParameterName": "timeout", "ParameterValue": "60"}])
    assert ec.reset_cache_parameter_group(CacheParameterGroupName="pg", ResetAllParameters=True)[
        "CacheParameterGroupName"] == "pg"
    assert ec.describe_cache_parameters(CacheParameterGroupName="pg", Source="user")["Parameters"] == []
    pgs = ec.describe_cache_parameter_groups(CacheParameterGroupName="pg")["CacheParameterGroups"]
    assert pgs[0]["ARN"].endswith(":parametergroup:pg")
    assert ec.list_tags_for_resource(ResourceName=pgs[0]["ARN"])["TagList"] == [{"Key": "a", "Value": "b"}]

    ec.create_replication_group(ReplicationGroupId="r", ReplicationGroupDescription="d",
                                CacheNodeType="cache.m7g.large", NumCacheClusters=3, AutomaticFailoverEnabled=False,
                                CacheSubnetGroupName="sn", SecurityGroupIds=[sg], PreferredCacheClusterAZs=[
                                    "us-east-1c", "us-east-1a", "us-east-1b"])
    advance(emu, 31)
    rg = ec.describe_replication_groups(ReplicationGroupId="r")["ReplicationGroups"][0]
    assert [m["PreferredAvailabilityZone"] for m in rg["NodeGroups"][0]["NodeGroupMembers"]] == \
        ["us-east-1c", "us-east-1a", "us-east-1b"]
    assert rg["SnapshottingClusterId"] == "r-002"
    assert "TransitEncryptionMode" not in rg and rg["AuthTokenEnabled"] is False
    ec.decrease_replica_count(ReplicationGroupId="r", NewReplicaCount=1, ApplyImmediately=True)
    cc = ec.describe_cache_clusters(CacheClusterId="r-003")["CacheClusters"][0]
    assert cc["CacheClusterStatus"] == "deleting"
    advance(emu, 21)
    assert ec.describe_replication_groups(ReplicationGroupId="r")["ReplicationGroups"][0]["MemberClusters"] == \
        ["r-001", "r-002"]
    ec.modify_replication_group(ReplicationGroupId="r", PrimaryClusterId="r-002", ApplyImmediately=True,
                                CacheParameterGroupName="pg", ReplicationGroupDescription="new")
    advance(emu, 21)
    rg = ec.describe_replication_groups(ReplicationGroupId="r")["ReplicationGroups"][0]
    roles = {m["CacheClusterId"]: m["CurrentRole"] for m in rg["NodeGroups"][0]["NodeGroupMembers"]}
    assert roles == {"r-001": "replica", "r-002": "primary"} and rg["Description"] == "new"
    # removing a subnet whose AZ hosts a node is refused
    with pytest.raises(ClientError) as ei:
        ec.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=[subnets[2]])
    assert err(ei) == ("SubnetInUse", 400)
    ec.delete_replication_group(ReplicationGroupId="r", RetainPrimaryCluster=True, FinalSnapshotIdentifier="r-final")
    advance(emu, 11)
    snaps = ec.describe_snapshots()["Snapshots"]
    assert [s["SnapshotName"] for s in snaps] == ["r-final"]
    clusters = ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    assert [c["CacheClusterId"] for c in clusters] == ["r-002"]
    assert "r-002" in [r["id"] for r in emu.resources()["elasticache"] if r["type"] == "cache-cluster"]
    out = ec.delete_cache_cluster(CacheClusterId="r-002")["CacheCluster"]
    assert out["CacheClusterStatus"] == "deleting"
    assert ec.delete_snapshot(SnapshotName="r-final")["Snapshot"]["SnapshotStatus"] == "deleting"
    advance(emu, 11)
    assert ec.describe_cache_clusters()["CacheClusters"] == []

    # users and groups: modify paths
    ec.create_user(UserId="dflt", UserName="default", Engine="redis", AccessString="off", NoPasswordRequired=True)
    ec.create_user(UserId="iam-user", UserName="iam-user", Engine="redis", AccessString="on ~* +@read",
                   AuthenticationMode={"Type": "iam"})
    ug = ec.create_user_group(UserGroupId="g", Engine="redis", UserIds=["dflt"])
    assert ug["Status"] == "creating" and "PendingChanges" not in ug
    advance(emu, 31)
    ug = ec.modify_user_group(UserGroupId="g", UserIdsToAdd=["iam-user"])
    assert ug["Status"] == "modifying" and ug["PendingChanges"]["UserIdsToAdd"] == ["iam-user"]
    u = ec.modify_user(UserId="iam-user", AccessString="on ~* +@all")
    assert u["Status"] == "modifying" and u["Authentication"] == {"Type": "iam"}
    advance(emu, 21)
    users = ec.describe_users(Filters=[{"Name": "user-id", "Values": ["iam-user"]}])["Users"]
    assert users[0]["AccessString"] == "on ~* +@all" and users[0]["UserGroupIds"] == ["g"]
    arn = users[0]["ARN"]
    ec.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "t", "Value": "1"}])
    assert ec.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "t", "Value": "1"}]
    ug_arn = ec.describe_user_groups()["UserGroups"][0]["ARN"]
    assert ec.remove_tags_from_resource(ResourceName=ug_arn, TagKeys=["x"])["TagList"] == []
    with pytest.raises(ClientError) as ei:
        ec.describe_user_groups(UserGroupId="none")
    assert err(ei) == ("UserGroupNotFound", 404)
    with pytest.raises(ClientError) as ei:
        ec.modify_user(UserId="none", AccessString="on")
    assert err(ei) == ("UserNotFound", 404)


def test_resharding_through_botocore(emu):
    ec = client(emu, "elasticache")
    ec.create_replication_group(ReplicationGroupId="cm", ReplicationGroupDescription="d",
                                CacheNodeType="cache.t4g.micro", ClusterMode="enabled", NumNodeGroups=1,
                                ReplicasPerNodeGroup=0)
    advance(emu, 31)
    rg = ec.describe_replication_groups(ReplicationGroupId="cm")["ReplicationGroups"][0]
    assert rg["ClusterEnabled"] is True and rg["NodeGroups"][0]["Slots"] == "0-16383"
    assert rg["AutomaticFailover"] == "enabled" and rg["ClusterMode"] == "enabled"
    out = ec.modify_replication_group_shard_configuration(ReplicationGroupId="cm", NodeGroupCount=3,
                                                          ApplyImmediately=True)["ReplicationGroup"]
    assert out["Status"] == "modifying"
    assert out["PendingModifiedValues"]["Resharding"]["SlotMigration"]["ProgressPercentage"] == 0.0
    advance(emu, 21)
    rg = ec.describe_replication_groups(ReplicationGroupId="cm")["ReplicationGroups"][0]
    assert [ng["Slots"] for ng in rg["NodeGroups"]] == ["0-5461", "5462-10922", "10923-16383"]
    assert rg["MemberClusters"] == ["cm-0001-001", "cm-0002-001", "cm-0003-001"]
    with pytest.raises(ClientError) as ei:
        ec.modify_replication_group_shard_configuration(ReplicationGroupId="cm", NodeGroupCount=2,
                                                        ApplyImmediately=True, NodeGroupsToRetain=["0001"])
    assert err(ei) == ("InvalidParameterCombination", 400)
    ec.modify_replication_group_shard_configuration(ReplicationGroupId="cm", NodeGroupCount=2,
                                                    ApplyImmediately=True, NodeGroupsToRetain=["0001", "0003"])
    advance(emu, 21)
    rg = ec.describe_replication_groups(ReplicationGroupId="cm")["ReplicationGroups"][0]
    assert [ng["NodeGroupId"] for ng in rg["NodeGroups"]] == ["0001", "0003"]
    with pytest.raises(ClientError) as ei:
        ec.delete_replication_group(ReplicationGroupId="cm", RetainPrimaryCluster=True)
    assert err(ei) == ("InvalidParameterCombination", 400)


def test_engine_versions(emu):
    ec = client(emu, "elasticache")
    allv = ec.describe_cache_engine_versions()["CacheEngineVersions"]
    assert {"Engine": "redis", "EngineVersion": "7.1.0", "CacheParameterGroupFamily": "redis7"}.items() <= \
        next(v for v in allv if v["EngineVersion"] == "7.1.0").items()
    valkey = ec.describe_cache_engine_versions(Engine="valkey", CacheParameterGroupFamily="valkey8")
    assert [v["EngineVersion"] for v in valkey["CacheEngineVersions"]] == ["8.0.1", "8.1.0"]
    assert [v["EngineVersion"] for v in ec.describe_cache_engine_versions(Engine="redis", EngineVersion="6.2")[
        "CacheEngineVersions"]] == ["6.2.6"]
    defaults = ec.describe_cache_engine_versions(DefaultOnly=True)["CacheEngineVersions"]
    assert sorted(v["EngineVersion"] for v in defaults) == ["7.1.0", "8.0.1"]
