"""ElastiCache rules the in-place parameter and subnet changes of secure_redis_cluster rely on, through botocore:
- a node's network interface stays in one subnet of the subnet group: ModifyCacheSubnetGroup may drop subnets
  without nodes (even in a zone that has nodes in another subnet) but refuses, changing nothing, to drop a subnet
  that holds a node (SubnetInUse);
- new nodes go to the subnets the group has when they are made (a zone added later hosts new replicas);
- ResetCacheParameterGroup by name resets only those names; cluster-enabled of a group in use cannot be reset;
- a family-changing upgrade must name a parameter group of the new family together with the version, and the old
  custom group can be deleted once the upgrade is applied; a default group is named default.<family>[.cluster.on]."""

import pytest
from botocore.exceptions import ClientError

from acceptance.emulator.tests.test_elasticache_e2e_more import advance, client, emu, err  # noqa: F401


def network(emu):
    ec2 = client(emu, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    # a1 and a2 share zone a; b in zone b; c in zone c
    spec = [("a1", "a", 1), ("a2", "a", 2), ("b", "b", 3), ("c", "c", 4)]
    subnets = {n: ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.%d.0/24" % i,
                                    AvailabilityZone="us-east-1" + z)["Subnet"]["SubnetId"] for n, z, i in spec}
    sg = ec2.create_security_group(GroupName="r", Description="r", VpcId=vpc)["GroupId"]
    return subnets, sg


def make_rg(ec, sg, rgid="r", **kw):
    args = dict(ReplicationGroupId=rgid, ReplicationGroupDescription="d", CacheNodeType="cache.t4g.small",
                Engine="redis", NumNodeGroups=1, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True,
                MultiAZEnabled=True, CacheSubnetGroupName="sn", SecurityGroupIds=[sg])
    args.update(kw)
    ec.create_replication_group(**args)


def subnet_ids(ec):
    return sorted(s["SubnetIdentifier"] for s in
                  ec.describe_cache_subnet_groups(CacheSubnetGroupName="sn")["CacheSubnetGroups"][0]["Subnets"])


def test_subnet_in_use_is_per_subnet_and_changes_nothing(emu):
    ec = client(emu, "elasticache")
    sn, sg = network(emu)
    ec.create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d",
                                 SubnetIds=[sn["a1"], sn["a2"], sn["b"]])
    make_rg(ec, sg)
    advance(emu, 31)
    # the nodes sit in a1 (first subnet of zone a) and b: a2 holds nothing and may go, although zone a has a node
    ec.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=[sn["a1"], sn["b"]])
    assert subnet_ids(ec) == sorted([sn["a1"], sn["b"]])
    # adding a third zone and dropping a subnet that holds a node in one request: refused, nothing changed
    with pytest.raises(ClientError) as ei:
        ec.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=[sn["a2"], sn["b"], sn["c"]])
    assert err(ei) == ("SubnetInUse", 400)
    msg = ei.value.response["Error"]["Message"]
    assert sn["a1"] in msg and sn["b"] not in msg and "r-00" in msg, msg
    assert subnet_ids(ec) == sorted([sn["a1"], sn["b"]])
    # a zone added later hosts new replicas; its subnet is then in use too
    ec.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=[sn["a1"], sn["b"], sn["c"]])
    ec.increase_replica_count(ReplicationGroupId="r", NewReplicaCount=2, ApplyImmediately=True)
    advance(emu, 21)
    azs = [m["PreferredAvailabilityZone"] for m in ec.describe_replication_groups(ReplicationGroupId="r")[
        "ReplicationGroups"][0]["NodeGroups"][0]["NodeGroupMembers"]]
    assert sorted(azs) == ["us-east-1a", "us-east-1b", "us-east-1c"], azs
    with pytest.raises(ClientError) as ei:
        ec.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=[sn["a1"], sn["b"]])
    assert err(ei) == ("SubnetInUse", 400)
    # once the replica in zone c is gone, its subnet may go
    ec.decrease_replica_count(ReplicationGroupId="r", ApplyImmediately=True,
                              ReplicasToRemove=[c for c, z in zip(
                                  ec.describe_replication_groups(ReplicationGroupId="r")["ReplicationGroups"][0][
                                      "MemberClusters"], azs) if z == "us-east-1c"])
    advance(emu, 21)
    ec.modify_cache_subnet_group(CacheSubnetGroupName="sn", SubnetIds=[sn["a1"], sn["b"]])
    assert subnet_ids(ec) == sorted([sn["a1"], sn["b"]])


def test_reset_by_name_and_cluster_enabled_in_use(emu):
    ec = client(emu, "elasticache")
    sn, sg = network(emu)
    ec.create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d",
                                 SubnetIds=[sn["a1"], sn["b"]])
    ec.create_cache_parameter_group(CacheParameterGroupName="pg", CacheParameterGroupFamily="redis7",
                                    Description="d")
    ec.modify_cache_parameter_group(CacheParameterGroupName="pg", ParameterNameValues=[
        {"ParameterName": "cluster-enabled", "ParameterValue": "yes"},
        {"ParameterName": "timeout", "ParameterValue": "60"},
        {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"}])
    ec.reset_cache_parameter_group(CacheParameterGroupName="pg", ParameterNameValues=[{"ParameterName": "timeout"}])
    user = {p["ParameterName"]: p.get("ParameterValue") for p in
            ec.describe_cache_parameters(CacheParameterGroupName="pg", Source="user")["Parameters"]}
    assert user == {"cluster-enabled": "yes", "maxmemory-policy": "allkeys-lru"}
    make_rg(ec, sg, NumNodeGroups=2, CacheParameterGroupName="pg", EngineVersion="7.1")
    advance(emu, 31)
    with pytest.raises(ClientError) as ei:
        ec.reset_cache_parameter_group(CacheParameterGroupName="pg",
                                       ParameterNameValues=[{"ParameterName": "cluster-enabled"}])
    assert err(ei) == ("InvalidCacheParameterGroupState", 400)
    with pytest.raises(ClientError) as ei:
        ec.reset_cache_parameter_group(CacheParameterGroupName="pg", ParameterNameValues=[])
    assert err(ei)[0] == "InvalidParameterCombination"


def test_family_change_needs_a_group_of_the_new_family(emu):
    ec = client(emu, "elasticache")
    sn, sg = network(emu)
    ec.create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d",
                                 SubnetIds=[sn["a1"], sn["b"]])
    ec.create_cache_parameter_group(CacheParameterGroupName="old", CacheParameterGroupFamily="redis6.x",
                                    Description="d")
    ec.create_cache_parameter_group(CacheParameterGroupName="new", CacheParameterGroupFamily="redis7",
                                    Description="d")
    make_rg(ec, sg, EngineVersion="6.2", CacheParameterGroupName="old")
    advance(emu, 31)
    with pytest.raises(ClientError) as ei:   # the custom group does not follow the version
        ec.modify_replication_group(ReplicationGroupId="r", EngineVersion="7.1", ApplyImmediately=True)
    assert err(ei)[0] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as ei:   # nor can a group of another family be attached alone
        ec.modify_replication_group(ReplicationGroupId="r", CacheParameterGroupName="new", ApplyImmediately=True)
    assert err(ei)[0] == "InvalidParameterCombination"
    ec.modify_replication_group(ReplicationGroupId="r", EngineVersion="7.1", CacheParameterGroupName="new",
                                ApplyImmediately=True)
    with pytest.raises(ClientError) as ei:   # still in use until the modification is done
        ec.delete_cache_parameter_group(CacheParameterGroupName="old")
    assert err(ei)[0] == "InvalidCacheParameterGroupState"
    advance(emu, 21)
    cc = ec.describe_cache_clusters(CacheClusterId="r-001")["CacheClusters"][0]
    assert cc["CacheParameterGroup"]["CacheParameterGroupName"] == "new" and cc["EngineVersion"] == "7.1.0"
    ec.delete_cache_parameter_group(CacheParameterGroupName="old")
    # back to the family's default group: default.redis7 (default.redis7.cluster.on in cluster mode)
    ec.modify_replication_group(ReplicationGroupId="r", CacheParameterGroupName="default.redis7",
                                ApplyImmediately=True)
    advance(emu, 21)
    ec.delete_cache_parameter_group(CacheParameterGroupName="new")
    cc = ec.describe_cache_clusters(CacheClusterId="r-001")["CacheClusters"][0]
    assert cc["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    with pytest.raises(ClientError) as ei:
        ec.modify_replication_group(ReplicationGroupId="r", CacheParameterGroupName="default.redis7.cluster.on",
                                    ApplyImmediately=True)
    assert err(ei)[0] == "InvalidParameterCombination"
