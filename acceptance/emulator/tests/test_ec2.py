"""EC2 through real botocore clients."""

import re

import botocore.exceptions
import pytest

from emuhelpers import signed_raw


def _err(fn, *a, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        fn(*a, **kw)
    return ei.value.response["Error"]["Code"], ei.value.response["Error"]["Message"]


@pytest.fixture
def ec2(client):
    return client("ec2")


@pytest.fixture
def vpc(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def test_account_has_default_vpc(ec2, emu):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1 and vpcs[0]["CidrBlock"] == "172.31.0.0/16"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
    assert len(subnets) == 6 and all(s["DefaultForAz"] for s in subnets)
    assert emu.resources()["ec2"] == []


def test_vpc_lifecycle(ec2, emu):
    v = ec2.create_vpc(CidrBlock="10.1.0.0/16",
                       TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "t"}]}])["Vpc"]
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", v["VpcId"])
    assert v["State"] == "available" and v["Tags"] == [{"Key": "Name", "Value": "t"}]
    assert v["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"
    got = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["t"]}])["Vpcs"]
    assert [x["VpcId"] for x in got] == [v["VpcId"]]
    # Every VPC has a default security group.
    sgs = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [v["VpcId"]]}])["SecurityGroups"]
    assert [g["GroupName"] for g in sgs] == ["default"]
    assert emu.resources()["ec2"] == [{"type": "vpc", "id": v["VpcId"]}]
    ec2.delete_vpc(VpcId=v["VpcId"])
    code, msg = _err(ec2.describe_vpcs, VpcIds=[v["VpcId"]])
    assert code == "InvalidVpcID.NotFound" and v["VpcId"] in msg
    assert _err(ec2.create_vpc, CidrBlock="10.0.0.0/8")[0] == "InvalidVpc.Range"
    assert _err(ec2.create_vpc, CidrBlock="10.0.0.300/16")[0] == "InvalidParameterValue"
    assert _err(ec2.delete_vpc, VpcId="nope")[0] == "InvalidVpcID.Malformed"


def test_subnets(ec2, vpc, emu):
    s = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1b",
                          TagSpecifications=[{"ResourceType": "subnet",
                                              "Tags": [{"Key": "tier", "Value": "cache"}]}])["Subnet"]
    assert s["AvailabilityZone"] == "us-east-1b" and s["AvailabilityZoneId"] == "use1-az2"
    assert s["AvailableIpAddressCount"] == 251
    assert s["SubnetArn"].endswith(f":subnet/{s['SubnetId']}")
    assert _err(ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.1.128/25")[0] == "InvalidSubnet.Conflict"
    assert _err(ec2.create_subnet, VpcId=vpc, CidrBlock="192.168.0.0/24")[0] == "InvalidSubnet.Range"
    code, msg = _err(ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1z")
    assert code == "InvalidParameterValue" and "us-east-1a" in msg
    s2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1c")["Subnet"]
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                          {"Name": "tag:tier", "Values": ["cache"]}])["Subnets"]
    assert [x["SubnetId"] for x in found] == [s["SubnetId"]]
    found = ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": [s2["SubnetId"]]}])["Subnets"]
    assert [x["CidrBlock"] for x in found] == ["10.0.2.0/24"]
    assert _err(ec2.describe_subnets, SubnetIds=["subnet-0123456789abcdef0"])[0] == "InvalidSubnetID.NotFound"
    assert _err(ec2.describe_subnets, Filters=[{"Name": "bogus", "Values": ["x"]}])[0] == "InvalidParameterValue"
    code, _ = _err(ec2.delete_vpc, VpcId=vpc)
    assert code == "DependencyViolation"
    ec2.delete_subnet(SubnetId=s["SubnetId"])
    ec2.delete_subnet(SubnetId=s2["SubnetId"])
    assert _err(ec2.delete_subnet, SubnetId=s["SubnetId"])[0] == "InvalidSubnetID.NotFound"
    ec2.delete_vpc(VpcId=vpc)


def test_subnet_in_use_cannot_be_deleted(ec2, vpc, emu):
    s = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    holder = type("Holder", (), {"uses": lambda self, kind, ident: ["cache subnet group g1"]
                                 if (kind, ident) == ("subnet", s) else []})()
    emu._services["_test_holder"] = holder
    try:
        code, msg = _err(ec2.delete_subnet, SubnetId=s)
        assert code == "DependencyViolation" and s in msg
    finally:
        del emu._services["_test_holder"]
    ec2.delete_subnet(SubnetId=s)


def test_security_group_lifecycle(ec2, vpc, emu):
    g = ec2.create_security_group(GroupName="redis", Description="redis access", VpcId=vpc)
    gid = g["GroupId"]
    assert re.fullmatch(r"sg-[0-9a-f]{17}", gid)
    sg = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    assert sg["IpPermissions"] == []
    assert sg["IpPermissionsEgress"] == [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                          "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]
    code, _ = _err(ec2.create_security_group, GroupName="redis", Description="again", VpcId=vpc)
    assert code == "InvalidGroup.Duplicate"
    assert _err(ec2.create_security_group, GroupName="sg-bad", Description="x", VpcId=vpc)[0] == "InvalidParameterValue"
    assert _err(ec2.create_security_group, GroupName="x", Description="caf\u00e9", VpcId=vpc)[0] == "InvalidParameterValue"
    found = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["red*"]},
                                                  {"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    assert [x["GroupId"] for x in found] == [gid]
    code, msg = _err(ec2.describe_security_groups, GroupIds=["sg-0123456789abcdef0"])
    assert code == "InvalidGroup.NotFound"
    assert _err(ec2.describe_security_groups, GroupIds=["nope"])[0] == "InvalidGroupId.Malformed"
    default = [x for x in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"] if x["GroupName"] == "default"][0]
    assert _err(ec2.delete_security_group, GroupId=default["GroupId"])[0] == "CannotDelete"
    ec2.delete_security_group(GroupId=gid)
    assert _err(ec2.delete_security_group, GroupId=gid)[0] == "InvalidGroup.NotFound"


def test_security_group_rules(ec2, vpc):
    gid = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    src = ec2.create_security_group(GroupName="src", Description="src", VpcId=vpc)["GroupId"]
    out = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379,
        "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "vpc"}],
        "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/64"}],
        "UserIdGroupPairs": [{"GroupId": src, "Description": "from src"}]}])
    rules = out["SecurityGroupRules"]
    assert out["Return"] is True and len(rules) == 3
    assert all(re.fullmatch(r"sgr-[0-9a-f]{17}", r["SecurityGroupRuleId"]) for r in rules)
    assert {r.get("CidrIpv4") or r.get("CidrIpv6") or r["ReferencedGroupInfo"]["GroupId"] for r in rules} == \
        {"10.0.0.0/16", "2001:db8::/64", src}
    sg = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    perm = sg["IpPermissions"][0]
    assert perm["FromPort"] == 6379 and perm["IpRanges"] == [{"CidrIp": "10.0.0.0/16", "Description": "vpc"}]
    assert perm["UserIdGroupPairs"][0]["GroupId"] == src
    code, msg = _err(ec2.authorize_security_group_ingress, GroupId=gid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    assert code == "InvalidPermission.Duplicate" and "already exists" in msg
    assert _err(ec2.authorize_security_group_ingress, GroupId=gid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 10, "ToPort": 5, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}])[0] \
        == "InvalidParameterValue"
    assert _err(ec2.authorize_security_group_ingress, GroupId=gid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 1, "ToPort": 2,
        "UserIdGroupPairs": [{"GroupId": "sg-0123456789abcdef0"}]}])[0] == "InvalidGroup.NotFound"
    # Referenced group cannot be deleted while referenced.
    assert _err(ec2.delete_security_group, GroupId=src)[0] == "DependencyViolation"
    # DescribeSecurityGroupRules
    all_rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [gid]}])
    assert len(all_rules["SecurityGroupRules"]) == 4  # 3 ingress + default egress
    # Egress: replace the default rule.
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[{"IpProtocol": "-1",
                                                                   "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    sg = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    assert [(p["IpProtocol"], p.get("FromPort")) for p in sg["IpPermissionsEgress"]] == [("tcp", 443)]
    # Revoke.
    rev = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "UserIdGroupPairs": [{"GroupId": src}]}])
    assert rev["Return"] is True and rev["RevokedSecurityGroupRules"][0]["ReferencedGroupId"] == src
    code, _ = _err(ec2.revoke_security_group_ingress, GroupId=gid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "UserIdGroupPairs": [{"GroupId": src}]}])
    assert code == "InvalidPermission.NotFound"
    ids = [r["SecurityGroupRuleId"] for r in rules if "CidrIpv6" in r]
    ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=ids)
    assert _err(ec2.revoke_security_group_ingress, GroupId=gid,
                SecurityGroupRuleIds=ids)[0] == "InvalidSecurityGroupRuleId.NotFound"
    ec2.delete_security_group(GroupId=src)


def test_security_group_in_use(ec2, vpc, emu):
    gid = ec2.create_security_group(GroupName="used", Description="u", VpcId=vpc)["GroupId"]
    holder = type("Holder", (), {"uses": lambda self, kind, ident: ["replication group rg1"]
                                 if (kind, ident) == ("security-group", gid) else []})()
    emu._services["_test_holder"] = holder
    try:
        code, msg = _err(ec2.delete_security_group, GroupId=gid)
        assert code == "DependencyViolation" and gid in msg
    finally:
        del emu._services["_test_holder"]
    ec2.delete_security_group(GroupId=gid)


def test_tags(ec2, vpc):
    gid = ec2.create_security_group(GroupName="t", Description="t", VpcId=vpc)["GroupId"]
    ec2.create_tags(Resources=[gid, vpc], Tags=[{"Key": "env", "Value": "test"}, {"Key": "k", "Value": "v"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [gid]}])["Tags"]
    assert tags == [{"Key": "env", "ResourceId": gid, "ResourceType": "security-group", "Value": "test"},
                    {"Key": "k", "ResourceId": gid, "ResourceType": "security-group", "Value": "v"}]
    ec2.delete_tags(Resources=[gid], Tags=[{"Key": "env", "Value": "other"}])  # value mismatch: kept
    ec2.delete_tags(Resources=[gid], Tags=[{"Key": "k"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [gid]}])["Tags"]
    assert [t["Key"] for t in tags] == ["env"]
    found = ec2.describe_security_groups(Filters=[{"Name": "tag:env", "Values": ["test"]}])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [gid]
    assert _err(ec2.create_tags, Resources=["sg-0123456789abcdef0"],
                Tags=[{"Key": "a", "Value": "b"}])[0] == "InvalidGroup.NotFound"
    assert _err(ec2.create_tags, Resources=[gid], Tags=[{"Key": "aws:x", "Value": "b"}])[0] == "InvalidParameterValue"


def test_availability_zones(ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"us-east-1{c}" for c in "abcdef"]
    assert zones[0]["ZoneId"] == "use1-az1" and zones[0]["State"] == "available"
    one = ec2.describe_availability_zones(ZoneNames=["us-east-1c"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in one] == ["us-east-1c"]
    assert _err(ec2.describe_availability_zones, ZoneNames=["us-east-1q"])[0] == "InvalidParameterValue"


def test_dry_run(ec2):
    code, _ = _err(ec2.create_vpc, CidrBlock="10.0.0.0/16", DryRun=True)
    assert code == "DryRunOperation"


def test_pagination(ec2):
    for i in range(7):
        ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")
    pages = list(ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Vpcs"]) for p in pages] == [5, 3]


def test_legacy_flat_ingress_parameters(emu, ec2, vpc):
    gid = ec2.create_security_group(GroupName="flat", Description="f", VpcId=vpc)["GroupId"]
    out = ec2.authorize_security_group_ingress(GroupId=gid, IpProtocol="tcp", FromPort=22, ToPort=22,
                                               CidrIp="192.0.2.0/24")
    assert out["SecurityGroupRules"][0]["CidrIpv4"] == "192.0.2.0/24"


def test_ec2_wire_format(emu, vpc):
    body = (f"Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}"
            ).encode()
    status, headers, out = signed_raw(emu, "ec2", body,
                                      {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert status == 200
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSubnetsResponse '
                          b'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>')
    assert b"<subnetSet />" in out or b"<subnetSet></subnetSet>" in out


def test_modify_rules_and_descriptions(ec2, vpc):
    gid = ec2.create_security_group(GroupName="m", Description="m", VpcId=vpc)["GroupId"]
    rules = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379,
         "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "old"}, {"CidrIp": "10.1.0.0/16"}]}])[
        "SecurityGroupRules"]
    r0, r1 = rules[0]["SecurityGroupRuleId"], rules[1]["SecurityGroupRuleId"]
    ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379,
         "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "new"}]}])
    got = ec2.describe_security_group_rules(SecurityGroupRuleIds=[r0])["SecurityGroupRules"][0]
    assert got["Description"] == "new"
    ec2.modify_security_group_rules(GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": r0, "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 6380,
                                                          "ToPort": 6380, "CidrIpv4": "10.2.0.0/16"}}])
    got = ec2.describe_security_group_rules(SecurityGroupRuleIds=[r0])["SecurityGroupRules"][0]
    assert (got["FromPort"], got["CidrIpv4"], got.get("Description")) == (6380, "10.2.0.0/16", None)
    code, _ = _err(ec2.modify_security_group_rules, GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": r0, "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 6379,
                                                          "ToPort": 6379, "CidrIpv4": "10.1.0.0/16"}}])
    assert code == "InvalidPermission.Duplicate"
    code, _ = _err(ec2.modify_security_group_rules, GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": "sgr-0123456789abcdef0",
         "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "1.2.3.4/32"}}])
    assert code == "InvalidSecurityGroupRuleId.NotFound"
    assert r1


def test_security_group_permission_filters(ec2, vpc):
    a = ec2.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    b = ec2.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=a, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "UserIdGroupPairs": [{"GroupId": b}]}])

    def names(filters):
        return sorted(g["GroupName"] for g in ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}] + filters)["SecurityGroups"])
    assert names([{"Name": "ip-permission.group-id", "Values": [b]}]) == ["a"]
    assert names([{"Name": "ip-permission.from-port", "Values": ["6379"]}]) == ["a"]
    assert names([{"Name": "egress.ip-permission.cidr", "Values": ["0.0.0.0/0"]}]) == ["a", "b", "default"]
    assert names([{"Name": "ip-permission.cidr", "Values": ["0.0.0.0/0"]}]) == []
