"""EC2 (VPCs, subnets, security groups and their rules, tags, AZs).

The account starts like a real one: a default VPC (172.31.0.0/16) with one
default subnet per AZ, and every VPC has its own "default" security group.
Those default resources are not reported by resources() (leak checks).

Cross-service helpers:
    subnet(subnet_id) -> dict|None          SubnetId, VpcId, AvailabilityZone, CidrBlock
    security_group(group_id) -> dict|None   GroupId, VpcId, GroupName
"""

import fnmatch
import ipaddress

from ..errors import AwsError

AZ_LETTERS = {"us-east-1": "abcdef"}
_PROTO_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
_DESC_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/()#,@[]+=&;{}!$*")


def _dry_run(fn):
    def wrapper(self, params):
        if params.get("DryRun"):
            raise AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.",
                           412)
        return fn(self, params)
    wrapper.__name__ = fn.__name__
    return wrapper


class Service:
    name = "ec2"

    def __init__(self, emu):
        self.emu = emu
        self.vpcs = {}
        self.subnets = {}
        self.groups = {}
        self.rules = {}      # sgr id -> rule dict
        self.tags = {}       # resource id -> {key: value}
        self.dhcp_options = emu.new_id("dopt-")
        self._seed_default_vpc()

    # ---- basics --------------------------------------------------------
    def _zones(self):
        letters = AZ_LETTERS.get(self.emu.region, "abc")
        parts = self.emu.region.split("-")
        short = parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]  # us-east-1 -> use1
        return [(f"{self.emu.region}{c}", f"{short}-az{i}") for i, c in enumerate(letters, 1)]

    def _arn(self, kind, ident):
        return f"arn:{self.emu.partition}:ec2:{self.emu.region}:{self.emu.account_id}:{kind}/{ident}"

    def _seed_default_vpc(self):
        vpc = self._new_vpc("172.31.0.0/16", "default", is_default=True)
        for i, (zone, zone_id) in enumerate(self._zones()):
            self._new_subnet(vpc["VpcId"], f"172.31.{i * 16}.0/20", zone, zone_id, default=True)

    def _tag_list(self, rid):
        return [{"Key": k, "Value": v} for k, v in sorted(self.tags.get(rid, {}).items())]

    def _with_tags(self, obj, rid):
        out = dict(obj)
        tags = self._tag_list(rid)
        if tags:
            out["Tags"] = tags
        return out

    def _check_tags(self, tags):
        for t in tags:
            key = t.get("Key")
            if key is None or key == "":
                raise AwsError("InvalidParameterValue", "Tag key cannot be empty")
            if len(key) > 127:
                raise AwsError("InvalidParameterValue",
                               "Tag key exceeds the maximum length of 127 characters")
            if key.lower().startswith("aws:"):
                raise AwsError("InvalidParameterValue",
                               "Tag keys starting with 'aws:' are reserved for internal use")
            if len(t.get("Value", "")) > 255:
                raise AwsError("InvalidParameterValue",
                               "Tag value exceeds the maximum length of 255 characters")

    def _set_tags(self, rid, tags):
        self._check_tags(tags)
        cur = dict(self.tags.get(rid, {}))
        for t in tags:
            cur[t["Key"]] = t.get("Value", "")
        if len(cur) > 50:
            raise AwsError("TagLimitExceeded",
                           f"The maximum number of Tags for resource '{rid}' has been reached.")
        self.tags[rid] = cur

    def _spec_tags(self, params, rtype):
        tags = []
        for spec in params.get("TagSpecifications", []):
            if spec.get("ResourceType") != rtype:
                raise AwsError("InvalidParameterValue",
                               f"'{spec.get('ResourceType')}' is not a valid taggable resource type "
                               f"for this operation.")
            tags.extend(spec.get("Tags", []))
        self._check_tags(tags)
        return tags

    @staticmethod
    def _cidr(value, param):
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError:
            raise AwsError("InvalidParameterValue",
                           f"Value ({value}) for parameter {param} is invalid. "
                           f"This is not a valid CIDR block.")
        return net

    # ---- filters & paging ------------------------------------------------
    def _filter(self, items, filters, fields, rid_of):
        """fields: filter name -> fn(item) -> list of strings."""
        out = []
        for f in filters:
            name = f.get("Name")
            if name is None:
                raise AwsError("InvalidParameterValue", "The filter 'null' is invalid")
            if not (name in fields or name.startswith("tag:") or name in ("tag-key", "tag-value")):
                raise AwsError("InvalidParameterValue", f"The filter '{name}' is invalid")
        for item in items:
            ok = True
            tags = self.tags.get(rid_of(item), {})
            for f in filters:
                name = f["Name"]
                values = f.get("Values", [])
                if name.startswith("tag:"):
                    have = [tags[name[4:]]] if name[4:] in tags else []
                elif name == "tag-key":
                    have = list(tags)
                elif name == "tag-value":
                    have = list(tags.values())
                else:
                    have = fields[name](item)
                if not any(fnmatch.fnmatchcase(h, v) for h in have for v in values):
                    ok = False
                    break
            if ok:
                out.append(item)
        return out

    @staticmethod
    def _page(items, params, field):
        start = 0
        token = params.get("NextToken")
        if token is not None:
            try:
                start = int(token)
                if start < 0 or start > len(items):
                    raise ValueError
            except ValueError:
                raise AwsError("InvalidNextToken", "The token 'x' is invalid.".replace("x", token[:64]))
        limit = params.get("MaxResults")
        if limit is None:
            return {field: items[start:]}
        out = {field: items[start:start + limit]}
        if start + limit < len(items):
            out["NextToken"] = str(start + limit)
        return out

    # ---- VPCs ------------------------------------------------------------
    def _new_vpc(self, cidr, tenancy, is_default=False):
        vid = self.emu.new_id("vpc-")
        vpc = {
            "VpcId": vid, "State": "available", "CidrBlock": cidr,
            "DhcpOptionsId": self.dhcp_options, "InstanceTenancy": tenancy,
            "IsDefault": is_default, "OwnerId": self.emu.account_id,
            "CidrBlockAssociationSet": [{
                "AssociationId": self.emu.new_id("vpc-cidr-assoc-"), "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }],
        }
        self.vpcs[vid] = vpc
        self._new_group(vid, "default", "default VPC security group", default=True)
        return vpc

    def _vpc(self, vid):
        if not isinstance(vid, str) or not vid.startswith("vpc-"):
            raise AwsError("InvalidVpcID.Malformed", f'Invalid id: "{vid}"')
        vpc = self.vpcs.get(vid)
        if vpc is None:
            raise AwsError("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist")
        return vpc

    def _default_vpc(self):
        for v in self.vpcs.values():
            if v["IsDefault"]:
                return v
        return None

    @_dry_run
    def op_CreateVpc(self, params):
        if "CidrBlock" not in params:
            raise AwsError("MissingParameter",
                           "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
        net = self._cidr(params["CidrBlock"], "cidrBlock")
        if net.version != 4:
            raise AwsError("InvalidParameterValue",
                           f"Value ({params['CidrBlock']}) for parameter cidrBlock is invalid. "
                           f"This is not a valid CIDR block.")
        if not 16 <= net.prefixlen <= 28:
            raise AwsError("InvalidVpc.Range", f"The CIDR '{params['CidrBlock']}' is invalid.")
        tags = self._spec_tags(params, "vpc")
        vpc = self._new_vpc(str(net), params.get("InstanceTenancy", "default"))
        if tags:
            self._set_tags(vpc["VpcId"], tags)
        return {"Vpc": self._with_tags(vpc, vpc["VpcId"])}

    @_dry_run
    def op_DescribeVpcs(self, params):
        items = list(self.vpcs.values())
        if params.get("VpcIds"):
            wanted = params["VpcIds"]
            for vid in wanted:
                self._vpc(vid)
            items = [v for v in items if v["VpcId"] in wanted]
        fields = {
            "vpc-id": lambda v: [v["VpcId"]],
            "cidr": lambda v: [v["CidrBlock"]],
            "cidr-block-association.cidr-block": lambda v: [v["CidrBlock"]],
            "state": lambda v: [v["State"]],
            "is-default": lambda v: ["true" if v["IsDefault"] else "false"],
            "owner-id": lambda v: [v["OwnerId"]],
            "dhcp-options-id": lambda v: [v["DhcpOptionsId"]],
        }
        items = self._filter(items, params.get("Filters", []), fields, lambda v: v["VpcId"])
        items = [self._with_tags(v, v["VpcId"]) for v in items]
        return self._page(items, params, "Vpcs")

    @_dry_run
    def op_DeleteVpc(self, params):
        vpc = self._vpc(params["VpcId"])
        vid = vpc["VpcId"]
        deps = [s for s in self.subnets.values() if s["VpcId"] == vid]
        deps += [g for g in self.groups.values() if g["VpcId"] == vid and g["GroupName"] != "default"]
        deps += self.emu.users_of("vpc", vid)
        if deps:
            raise AwsError("DependencyViolation",
                           f"The vpc '{vid}' has dependencies and cannot be deleted.")
        for gid in [g["GroupId"] for g in self.groups.values() if g["VpcId"] == vid]:
            self._drop_group(gid)
        del self.vpcs[vid]
        self.tags.pop(vid, None)
        return {}

    # ---- subnets -----------------------------------------------------------
    def _new_subnet(self, vid, cidr, zone, zone_id, default=False):
        sid = self.emu.new_id("subnet-")
        net = ipaddress.ip_network(cidr)
        subnet = {
            "AvailabilityZone": zone, "AvailabilityZoneId": zone_id,
            "AvailableIpAddressCount": net.num_addresses - 5, "CidrBlock": cidr,
            "DefaultForAz": default, "MapPublicIpOnLaunch": default, "State": "available",
            "SubnetId": sid, "VpcId": vid, "OwnerId": self.emu.account_id,
            "AssignIpv6AddressOnCreation": False, "Ipv6CidrBlockAssociationSet": [],
            "SubnetArn": self._arn("subnet", sid), "EnableDns64": False, "Ipv6Native": False,
            "MapCustomerOwnedIpOnLaunch": False,
            "PrivateDnsNameOptionsOnLaunch": {"HostnameType": "ip-name",
                                              "EnableResourceNameDnsARecord": False,
                                              "EnableResourceNameDnsAAAARecord": False},
        }
        self.subnets[sid] = subnet
        return subnet

    def _subnet(self, sid):
        if not isinstance(sid, str) or not sid.startswith("subnet-"):
            raise AwsError("InvalidSubnetID.Malformed", f'Invalid id: "{sid}"')
        s = self.subnets.get(sid)
        if s is None:
            raise AwsError("InvalidSubnetID.NotFound", f"The subnet ID '{sid}' does not exist")
        return s

    @_dry_run
    def op_CreateSubnet(self, params):
        vpc = self._vpc(params["VpcId"])
        if "CidrBlock" not in params:
            raise AwsError("MissingParameter",
                           "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
        net = self._cidr(params["CidrBlock"], "cidrBlock")
        vnet = ipaddress.ip_network(vpc["CidrBlock"])
        if net.version != 4 or not net.subnet_of(vnet) or not 16 <= net.prefixlen <= 28:
            raise AwsError("InvalidSubnet.Range", f"The CIDR '{params['CidrBlock']}' is invalid.")
        for s in self.subnets.values():
            if s["VpcId"] == vpc["VpcId"] and net.overlaps(ipaddress.ip_network(s["CidrBlock"])):
                raise AwsError("InvalidSubnet.Conflict",
                               f"The CIDR '{params['CidrBlock']}' conflicts with another subnet")
        zones = self._zones()
        if "AvailabilityZone" in params and "AvailabilityZoneId" in params:
            raise AwsError("InvalidParameterCombination",
                           "Only one of availabilityZone or availabilityZoneId may be specified.")
        zone, zone_id = zones[0]
        if "AvailabilityZone" in params:
            match = [z for z in zones if z[0] == params["AvailabilityZone"]]
            if not match:
                raise AwsError("InvalidParameterValue",
                               f"Value ({params['AvailabilityZone']}) for parameter availabilityZone is "
                               f"invalid. Subnets can currently only be created in the following "
                               f"availability zones: {', '.join(z[0] for z in zones)}.")
            zone, zone_id = match[0]
        elif "AvailabilityZoneId" in params:
            match = [z for z in zones if z[1] == params["AvailabilityZoneId"]]
            if not match:
                raise AwsError("InvalidParameterValue",
                               f"Value ({params['AvailabilityZoneId']}) for parameter "
                               f"availabilityZoneId is invalid.")
            zone, zone_id = match[0]
        tags = self._spec_tags(params, "subnet")
        s = self._new_subnet(vpc["VpcId"], str(net), zone, zone_id)
        if tags:
            self._set_tags(s["SubnetId"], tags)
        return {"Subnet": self._with_tags(s, s["SubnetId"])}

    @_dry_run
    def op_DescribeSubnets(self, params):
        items = list(self.subnets.values())
        if params.get("SubnetIds"):
            for sid in params["SubnetIds"]:
                self._subnet(sid)
            items = [s for s in items if s["SubnetId"] in params["SubnetIds"]]
        fields = {
            "vpc-id": lambda s: [s["VpcId"]],
            "subnet-id": lambda s: [s["SubnetId"]],
            "availability-zone": lambda s: [s["AvailabilityZone"]],
            "availability-zone-id": lambda s: [s["AvailabilityZoneId"]],
            "cidr-block": lambda s: [s["CidrBlock"]],
            "cidr": lambda s: [s["CidrBlock"]],
            "cidrBlock": lambda s: [s["CidrBlock"]],
            "state": lambda s: [s["State"]],
            "default-for-az": lambda s: ["true" if s["DefaultForAz"] else "false"],
            "defaultForAz": lambda s: ["true" if s["DefaultForAz"] else "false"],
            "owner-id": lambda s: [s["OwnerId"]],
            "subnet-arn": lambda s: [s["SubnetArn"]],
        }
        items = self._filter(items, params.get("Filters", []), fields, lambda s: s["SubnetId"])
        items = [self._with_tags(s, s["SubnetId"]) for s in items]
        return self._page(items, params, "Subnets")

    @_dry_run
    def op_DeleteSubnet(self, params):
        s = self._subnet(params["SubnetId"])
        users = self.emu.users_of("subnet", s["SubnetId"])
        if users:
            raise AwsError("DependencyViolation",
                           f"The subnet '{s['SubnetId']}' has dependencies and cannot be deleted.")
        del self.subnets[s["SubnetId"]]
        self.tags.pop(s["SubnetId"], None)
        return {}

    # ---- security groups -------------------------------------------------------
    def _new_group(self, vid, name, description, default=False):
        gid = self.emu.new_id("sg-")
        g = {"GroupId": gid, "GroupName": name, "Description": description, "VpcId": vid,
             "OwnerId": self.emu.account_id, "SecurityGroupArn": self._arn("security-group", gid)}
        self.groups[gid] = g
        # AWS's default egress rule: all traffic to 0.0.0.0/0.
        self._add_rule(gid, True, "-1", None, None, {"CidrIpv4": "0.0.0.0/0"}, None)
        if default:
            # The VPC default group also allows all traffic from itself.
            self._add_rule(gid, False, "-1", None, None,
                           {"ReferencedGroupInfo": {"GroupId": gid, "UserId": self.emu.account_id}},
                           None)
        return g

    def _group(self, gid):
        if not isinstance(gid, str) or not gid.startswith("sg-"):
            raise AwsError("InvalidGroupId.Malformed", f'Invalid id: "{gid}" (expecting "sg-...")')
        g = self.groups.get(gid)
        if g is None:
            raise AwsError("InvalidGroup.NotFound", f"The security group '{gid}' does not exist")
        return g

    def _group_by_name(self, name, vid=None):
        dv = self._default_vpc()
        vid = vid or (dv["VpcId"] if dv else None)
        for g in self.groups.values():
            if g["GroupName"] == name and g["VpcId"] == vid:
                return g
        raise AwsError("InvalidGroup.NotFound",
                       f"The security group '{name}' does not exist in default VPC '{vid}'")

    def _target_group(self, params):
        if "GroupId" in params:
            return self._group(params["GroupId"])
        if "GroupName" in params:
            return self._group_by_name(params["GroupName"])
        raise AwsError("MissingParameter", "The request must contain the parameter groupName or groupId")

    def _drop_group(self, gid):
        for rid in [r for r, rule in self.rules.items() if rule["GroupId"] == gid]:
            del self.rules[rid]
            self.tags.pop(rid, None)
        del self.groups[gid]
        self.tags.pop(gid, None)

    @_dry_run
    def op_CreateSecurityGroup(self, params):
        name = params["GroupName"]
        desc = params["Description"]
        if not name or len(name) > 255:
            raise AwsError("InvalidParameterValue",
                           f"Value ({name}) for parameter GroupName is invalid. "
                           f"Group name must be 1-255 characters")
        if name.startswith("sg-"):
            raise AwsError("InvalidParameterValue",
                           f"Value ({name}) for parameter GroupName is invalid. "
                           f"Group names may not be in the format sg-*")
        if len(desc) > 255 or any(c not in _DESC_CHARS for c in desc):
            raise AwsError("InvalidParameterValue",
                           "Value for parameter GroupDescription is invalid. Character sets beyond "
                           "ASCII are not supported." if any(ord(c) > 127 for c in desc) else
                           f"Value ({desc}) for parameter GroupDescription is invalid. "
                           f"Valid descriptions are strings less than 256 characters from the "
                           f"following set: a-zA-Z0-9. _-:/()#,@[]+=&;{{}}!$*")
        if any(c not in _DESC_CHARS for c in name):
            raise AwsError("InvalidParameterValue",
                           f"Value ({name}) for parameter GroupName is invalid. Character sets "
                           f"beyond ASCII are not supported.")
        if "VpcId" in params:
            vpc = self._vpc(params["VpcId"])
        else:
            vpc = self._default_vpc()
            if vpc is None:
                raise AwsError("VPCIdNotSpecified", "No default VPC for this user")
        if name == "default":
            raise AwsError("InvalidGroup.Reserved",
                           "The security group 'default' is reserved")
        for g in self.groups.values():
            if g["VpcId"] == vpc["VpcId"] and g["GroupName"] == name:
                raise AwsError("InvalidGroup.Duplicate",
                               f"The security group '{name}' already exists for VPC '{vpc['VpcId']}'")
        tags = self._spec_tags(params, "security-group")
        g = self._new_group(vpc["VpcId"], name, desc)
        if tags:
            self._set_tags(g["GroupId"], tags)
        out = {"GroupId": g["GroupId"], "SecurityGroupArn": g["SecurityGroupArn"]}
        if tags:
            out["Tags"] = self._tag_list(g["GroupId"])
        return out

    def _permissions(self, gid, egress):
        """Aggregate a group's rules into IpPermission structures like AWS."""
        perms = {}
        order = []
        for rule in self.rules.values():
            if rule["GroupId"] != gid or rule["IsEgress"] != egress:
                continue
            key = (rule["IpProtocol"], rule["FromPort"], rule["ToPort"])
            if key not in perms:
                p = {"IpProtocol": rule["IpProtocol"], "IpRanges": [], "Ipv6Ranges": [],
                     "PrefixListIds": [], "UserIdGroupPairs": []}
                if rule["IpProtocol"] != "-1":
                    p["FromPort"] = rule["FromPort"]
                    p["ToPort"] = rule["ToPort"]
                perms[key] = p
                order.append(key)
            p = perms[key]
            desc = {"Description": rule["Description"]} if rule.get("Description") else {}
            if "CidrIpv4" in rule:
                p["IpRanges"].append({"CidrIp": rule["CidrIpv4"], **desc})
            elif "CidrIpv6" in rule:
                p["Ipv6Ranges"].append({"CidrIpv6": rule["CidrIpv6"], **desc})
            elif "PrefixListId" in rule:
                p["PrefixListIds"].append({"PrefixListId": rule["PrefixListId"], **desc})
            else:
                ref = rule["ReferencedGroupInfo"]
                p["UserIdGroupPairs"].append({"GroupId": ref["GroupId"], "UserId": ref["UserId"],
                                              **desc})
        return [perms[k] for k in order]

    def _group_out(self, g):
        out = dict(g)
        out["IpPermissions"] = self._permissions(g["GroupId"], False)
        out["IpPermissionsEgress"] = self._permissions(g["GroupId"], True)
        return self._with_tags(out, g["GroupId"])

    @_dry_run
    def op_DescribeSecurityGroups(self, params):
        items = list(self.groups.values())
        if params.get("GroupIds"):
            for gid in params["GroupIds"]:
                self._group(gid)
            items = [g for g in items if g["GroupId"] in params["GroupIds"]]
        if params.get("GroupNames"):
            wanted = [self._group_by_name(n)["GroupId"] for n in params["GroupNames"]]
            items = [g for g in items if g["GroupId"] in wanted]
        fields = {
            "group-id": lambda g: [g["GroupId"]],
            "group-name": lambda g: [g["GroupName"]],
            "vpc-id": lambda g: [g["VpcId"]],
            "description": lambda g: [g["Description"]],
            "owner-id": lambda g: [g["OwnerId"]],
        }
        for egress, prefix in ((False, "ip-permission."), (True, "egress.ip-permission.")):
            for name, get in (
                    ("cidr", lambda r: [r["CidrIpv4"]] if "CidrIpv4" in r else []),
                    ("ipv6-cidr", lambda r: [r["CidrIpv6"]] if "CidrIpv6" in r else []),
                    ("prefix-list-id", lambda r: [r["PrefixListId"]] if "PrefixListId" in r else []),
                    ("group-id", lambda r: [r["ReferencedGroupInfo"]["GroupId"]]
                     if "ReferencedGroupInfo" in r else []),
                    ("user-id", lambda r: [r["ReferencedGroupInfo"]["UserId"]]
                     if "ReferencedGroupInfo" in r else []),
                    ("protocol", lambda r: [r["IpProtocol"]]),
                    ("from-port", lambda r: [str(r["FromPort"])]),
                    ("to-port", lambda r: [str(r["ToPort"])])):
                fields[prefix + name] = (
                    lambda g, get=get, egress=egress: [v for r in self.rules.values()
                                                       if r["GroupId"] == g["GroupId"]
                                                       and r["IsEgress"] == egress for v in get(r)])
        items = self._filter(items, params.get("Filters", []), fields, lambda g: g["GroupId"])
        return self._page([self._group_out(g) for g in items], params, "SecurityGroups")

    @_dry_run
    def op_DeleteSecurityGroup(self, params):
        g = self._target_group(params)
        gid = g["GroupId"]
        if g["GroupName"] == "default":
            raise AwsError("CannotDelete",
                           f"the specified group: \"{gid}\" name: \"default\" cannot be deleted by a user")
        users = self.emu.users_of("security-group", gid)
        refs = [r for r in self.rules.values()
                if r["GroupId"] != gid and r.get("ReferencedGroupInfo", {}).get("GroupId") == gid]
        if users or refs:
            raise AwsError("DependencyViolation", f"resource {gid} has a dependent object")
        self._drop_group(gid)
        return {"Return": True, "GroupId": gid}

    # ---- rules -----------------------------------------------------------------
    def _add_rule(self, gid, egress, proto, from_port, to_port, target, description):
        rid = self.emu.new_id("sgr-")
        rule = {"SecurityGroupRuleId": rid, "GroupId": gid, "GroupOwnerId": self.emu.account_id,
                "IsEgress": egress, "IpProtocol": proto,
                "FromPort": from_port if from_port is not None else -1,
                "ToPort": to_port if to_port is not None else -1,
                "SecurityGroupRuleArn": self._arn("security-group-rule", rid)}
        rule.update(target)
        if description:
            rule["Description"] = description
        self.rules[rid] = rule
        return rule

    @staticmethod
    def _rule_key(egress, proto, fp, tp, target):
        t = tuple(sorted((k, v if not isinstance(v, dict) else v.get("GroupId"))
                         for k, v in target.items()))
        return (egress, proto, fp, tp, t)

    def _existing_key(self, rule):
        target = {k: rule[k] for k in ("CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupInfo")
                  if k in rule}
        return self._rule_key(rule["IsEgress"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"],
                              target)

    def _expand(self, group, params, egress):
        """Turn IpPermissions (or the legacy flat parameters) into
        [(proto, from, to, target, description)]."""
        perms = params.get("IpPermissions")
        legacy = {k: params[k] for k in ("CidrIp", "IpProtocol", "FromPort", "ToPort",
                                         "SourceSecurityGroupName", "SourceSecurityGroupOwnerId")
                  if k in params}
        if perms and legacy:
            raise AwsError("InvalidParameterCombination",
                           "The parameter 'ipPermissions' may not be used in combination with "
                           "'ipProtocol', 'fromPort', 'toPort', 'cidrIp' or 'sourceSecurityGroupName'")
        if not perms:
            if not legacy:
                raise AwsError("MissingParameter",
                               "The request must contain the parameter ipPermissions")
            p = {"IpProtocol": legacy.get("IpProtocol", "-1")}
            if "FromPort" in legacy:
                p["FromPort"] = legacy["FromPort"]
            if "ToPort" in legacy:
                p["ToPort"] = legacy["ToPort"]
            if "CidrIp" in legacy:
                p["IpRanges"] = [{"CidrIp": legacy["CidrIp"]}]
            if "SourceSecurityGroupName" in legacy:
                p["UserIdGroupPairs"] = [{"GroupName": legacy["SourceSecurityGroupName"]}]
            perms = [p]
        out = []
        for p in perms:
            proto = str(p.get("IpProtocol", "")).lower()
            if proto == "":
                raise AwsError("MissingParameter", "The request must contain the parameter ipProtocol")
            proto = _PROTO_NAMES.get(proto, proto)
            if proto not in ("tcp", "udp", "icmp", "icmpv6", "-1"):
                if not (proto.isdigit() and 0 <= int(proto) <= 255):
                    raise AwsError("InvalidParameterValue",
                                   f"Invalid value '{p.get('IpProtocol')}' for IP protocol. "
                                   f"Unknown protocol.")
            fp, tp = p.get("FromPort"), p.get("ToPort")
            if proto in ("tcp", "udp"):
                if fp is None or tp is None:
                    raise AwsError("InvalidParameterValue",
                                   "Invalid value 'Must specify both from and to ports with TCP/UDP.' "
                                   "for portRange")
                if not (0 <= fp <= 65535 and 0 <= tp <= 65535) or fp > tp:
                    raise AwsError("InvalidParameterValue",
                                   f"Invalid value 'Invalid TCP/UDP port range: {fp}-{tp}' for portRange")
            elif proto in ("icmp", "icmpv6"):
                fp = -1 if fp is None else fp
                tp = -1 if tp is None else tp
                if not (-1 <= fp <= 255 and -1 <= tp <= 255):
                    raise AwsError("InvalidParameterValue",
                                   f"Invalid value 'Invalid ICMP type/code: {fp}/{tp}' for portRange")
            elif proto == "-1":
                fp, tp = -1, -1
            else:
                fp = -1 if fp is None else fp
                tp = -1 if tp is None else tp
            targets = []
            for r in p.get("IpRanges", []):
                if "CidrIp" not in r:
                    raise AwsError("MissingParameter", "The request must contain the parameter cidrIp")
                net = self._cidr(r["CidrIp"], "cidrIp")
                if net.version != 4:
                    raise AwsError("InvalidParameterValue",
                                   f"CIDR block {r['CidrIp']} is malformed")
                targets.append(({"CidrIpv4": str(net)}, r.get("Description")))
            for r in p.get("Ipv6Ranges", []):
                if "CidrIpv6" not in r:
                    raise AwsError("MissingParameter", "The request must contain the parameter cidrIpv6")
                net = self._cidr(r["CidrIpv6"], "cidrIpv6")
                if net.version != 6:
                    raise AwsError("InvalidParameterValue", f"CIDR block {r['CidrIpv6']} is malformed")
                targets.append(({"CidrIpv6": str(net)}, r.get("Description")))
            for r in p.get("PrefixListIds", []):
                pl = r.get("PrefixListId", "")
                if not pl.startswith("pl-"):
                    raise AwsError("InvalidPrefixListId.Malformed", f'Invalid id: "{pl}"')
                targets.append(({"PrefixListId": pl}, r.get("Description")))
            for r in p.get("UserIdGroupPairs", []):
                if "GroupId" in r:
                    ref = self._group(r["GroupId"])
                elif "GroupName" in r:
                    ref = self._group_by_name(r["GroupName"], group["VpcId"])
                else:
                    raise AwsError("MissingParameter",
                                   "The request must contain the parameter groupId or groupName")
                if ref["VpcId"] != group["VpcId"]:
                    raise AwsError("InvalidGroup.NotFound",
                                   "You have specified two resources that belong to different "
                                   "networks.")
                targets.append(({"ReferencedGroupInfo": {"GroupId": ref["GroupId"],
                                                         "UserId": r.get("UserId", self.emu.account_id)}},
                                r.get("Description")))
            if not targets:
                if egress:
                    raise AwsError("InvalidParameterValue",
                                   "No destination specified for the egress rule")
                raise AwsError("InvalidParameterValue", "No source specified for the ingress rule")
            for target, desc in targets:
                if desc is not None and (len(desc) > 255 or any(c not in _DESC_CHARS for c in desc)):
                    raise AwsError("InvalidParameterValue",
                                   "Invalid rule description. Valid descriptions are strings less "
                                   "than 256 characters from the following set: "
                                   "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
                out.append((proto, fp, tp, target, desc))
        return out

    @staticmethod
    def _describe_rule_for_error(proto, fp, tp, target):
        peer = (target.get("CidrIpv4") or target.get("CidrIpv6") or target.get("PrefixListId")
                or target.get("ReferencedGroupInfo", {}).get("GroupId"))
        return (f"peer: {peer}, {proto.upper() if proto != '-1' else 'ALL'}, from port: {fp}, "
                f"to port: {tp}, ALLOW")

    def _authorize(self, params, egress):
        group = self._target_group(params)
        wanted = self._expand(group, params, egress)
        existing = {self._existing_key(r) for r in self.rules.values() if r["GroupId"] == group["GroupId"]}
        seen = set()
        for proto, fp, tp, target, _desc in wanted:
            key = self._rule_key(egress, proto, fp, tp, target)
            if key in existing or key in seen:
                raise AwsError("InvalidPermission.Duplicate",
                               f"the specified rule \"{self._describe_rule_for_error(proto, fp, tp, target)}\" "
                               f"already exists")
            seen.add(key)
        count = sum(1 for r in self.rules.values()
                    if r["GroupId"] == group["GroupId"] and r["IsEgress"] == egress)
        if count + len(wanted) > 60:
            raise AwsError("RulesPerSecurityGroupLimitExceeded",
                           "The maximum number of rules per security group has been reached.")
        tags = self._spec_tags(params, "security-group-rule")
        created = []
        for proto, fp, tp, target, desc in wanted:
            rule = self._add_rule(group["GroupId"], egress, proto, fp, tp, target, desc)
            if tags:
                self._set_tags(rule["SecurityGroupRuleId"], tags)
            created.append(self._with_tags(rule, rule["SecurityGroupRuleId"]))
        return {"Return": True, "SecurityGroupRules": created}

    def _revoke(self, params, egress):
        group = self._target_group(params)
        gid = group["GroupId"]
        victims = []
        if params.get("SecurityGroupRuleIds"):
            if params.get("IpPermissions"):
                raise AwsError("InvalidParameterCombination",
                               "The parameter 'ipPermissions' may not be used in combination with "
                               "'securityGroupRuleIds'")
            for rid in params["SecurityGroupRuleIds"]:
                rule = self.rules.get(rid)
                if rule is None or rule["GroupId"] != gid or rule["IsEgress"] != egress:
                    raise AwsError("InvalidSecurityGroupRuleId.NotFound",
                                   f"The security group rule ID '{rid}' does not exist")
                victims.append(rid)
        else:
            wanted = self._expand(group, params, egress)
            by_key = {self._existing_key(r): rid for rid, r in self.rules.items() if r["GroupId"] == gid}
            for proto, fp, tp, target, _desc in wanted:
                rid = by_key.get(self._rule_key(egress, proto, fp, tp, target))
                if rid is None:
                    raise AwsError("InvalidPermission.NotFound",
                                   "The specified rule does not exist in this security group.")
                victims.append(rid)
        revoked = []
        for rid in victims:
            rule = self.rules.pop(rid)
            self.tags.pop(rid, None)
            r = {k: rule[k] for k in ("SecurityGroupRuleId", "GroupId", "IsEgress", "IpProtocol",
                                      "FromPort", "ToPort", "CidrIpv4", "CidrIpv6", "PrefixListId",
                                      "Description") if k in rule}
            if "ReferencedGroupInfo" in rule:
                r["ReferencedGroupId"] = rule["ReferencedGroupInfo"]["GroupId"]
            revoked.append(r)
        return {"Return": True, "RevokedSecurityGroupRules": revoked}

    @_dry_run
    def op_AuthorizeSecurityGroupIngress(self, params):
        return self._authorize(params, False)

    @_dry_run
    def op_AuthorizeSecurityGroupEgress(self, params):
        return self._authorize(params, True)

    @_dry_run
    def op_RevokeSecurityGroupIngress(self, params):
        return self._revoke(params, False)

    @_dry_run
    def op_RevokeSecurityGroupEgress(self, params):
        return self._revoke(params, True)

    @_dry_run
    def op_ModifySecurityGroupRules(self, params):
        group = self._group(params["GroupId"])
        gid = group["GroupId"]
        staged = {}
        for upd in params["SecurityGroupRules"]:
            rid = upd["SecurityGroupRuleId"]
            rule = self.rules.get(rid)
            if rule is None or rule["GroupId"] != gid:
                raise AwsError("InvalidSecurityGroupRuleId.NotFound",
                               f"The security group rule ID '{rid}' does not exist")
            req = upd.get("SecurityGroupRule")
            if not req:
                raise AwsError("MissingParameter",
                               "The request must contain the parameter SecurityGroupRule")
            perm = {"IpProtocol": req.get("IpProtocol", "")}
            for k in ("FromPort", "ToPort"):
                if k in req:
                    perm[k] = req[k]
            targets = [k for k in ("CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupId")
                       if k in req]
            if len(targets) != 1:
                raise AwsError("InvalidParameterCombination",
                               "Exactly one of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId "
                               "must be specified")
            desc = {"Description": req["Description"]} if "Description" in req else {}
            if "CidrIpv4" in req:
                perm["IpRanges"] = [{"CidrIp": req["CidrIpv4"], **desc}]
            elif "CidrIpv6" in req:
                perm["Ipv6Ranges"] = [{"CidrIpv6": req["CidrIpv6"], **desc}]
            elif "PrefixListId" in req:
                perm["PrefixListIds"] = [{"PrefixListId": req["PrefixListId"], **desc}]
            else:
                perm["UserIdGroupPairs"] = [{"GroupId": req["ReferencedGroupId"], **desc}]
            (proto, fp, tp, target, d), = self._expand(group, {"IpPermissions": [perm]},
                                                       rule["IsEgress"])
            staged[rid] = (proto, fp, tp, target, d)
        others = {self._existing_key(r) for r in self.rules.values()
                  if r["GroupId"] == gid and r["SecurityGroupRuleId"] not in staged}
        for rid, (proto, fp, tp, target, _d) in staged.items():
            key = self._rule_key(self.rules[rid]["IsEgress"], proto, fp, tp, target)
            if key in others:
                raise AwsError("InvalidPermission.Duplicate",
                               f"the specified rule \"{self._describe_rule_for_error(proto, fp, tp, target)}\" "
                               f"already exists")
            others.add(key)
        for rid, (proto, fp, tp, target, d) in staged.items():
            rule = self.rules[rid]
            for k in ("CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupInfo", "Description"):
                rule.pop(k, None)
            rule.update({"IpProtocol": proto, "FromPort": fp, "ToPort": tp})
            rule.update(target)
            if d:
                rule["Description"] = d
        return {"Return": True}

    def _update_descriptions(self, params, egress):
        group = self._target_group(params)
        gid = group["GroupId"]
        if params.get("SecurityGroupRuleDescriptions"):
            for item in params["SecurityGroupRuleDescriptions"]:
                rid = item.get("SecurityGroupRuleId")
                rule = self.rules.get(rid)
                if rule is None or rule["GroupId"] != gid or rule["IsEgress"] != egress:
                    raise AwsError("InvalidSecurityGroupRuleId.NotFound",
                                   f"The security group rule ID '{rid}' does not exist")
                if item.get("Description"):
                    rule["Description"] = item["Description"]
                else:
                    rule.pop("Description", None)
            return {"Return": True}
        wanted = self._expand(group, params, egress)
        by_key = {self._existing_key(r): r for r in self.rules.values() if r["GroupId"] == gid}
        for proto, fp, tp, target, desc in wanted:
            rule = by_key.get(self._rule_key(egress, proto, fp, tp, target))
            if rule is None:
                raise AwsError("InvalidPermission.NotFound",
                               "The specified rule does not exist in this security group.")
            if desc:
                rule["Description"] = desc
            else:
                rule.pop("Description", None)
        return {"Return": True}

    @_dry_run
    def op_UpdateSecurityGroupRuleDescriptionsIngress(self, params):
        return self._update_descriptions(params, False)

    @_dry_run
    def op_UpdateSecurityGroupRuleDescriptionsEgress(self, params):
        return self._update_descriptions(params, True)

    @_dry_run
    def op_DescribeSecurityGroupRules(self, params):
        items = list(self.rules.values())
        if params.get("SecurityGroupRuleIds"):
            for rid in params["SecurityGroupRuleIds"]:
                if rid not in self.rules:
                    raise AwsError("InvalidSecurityGroupRuleId.NotFound",
                                   f"The security group rule ID '{rid}' does not exist")
            items = [r for r in items if r["SecurityGroupRuleId"] in params["SecurityGroupRuleIds"]]
        fields = {
            "group-id": lambda r: [r["GroupId"]],
            "security-group-rule-id": lambda r: [r["SecurityGroupRuleId"]],
        }
        items = self._filter(items, params.get("Filters", []), fields,
                             lambda r: r["SecurityGroupRuleId"])
        items = [self._with_tags(r, r["SecurityGroupRuleId"]) for r in items]
        return self._page(items, params, "SecurityGroupRules")

    # ---- tags ------------------------------------------------------------------
    def _resource_type(self, rid):
        if rid in self.vpcs:
            return "vpc"
        if rid in self.subnets:
            return "subnet"
        if rid in self.groups:
            return "security-group"
        if rid in self.rules:
            return "security-group-rule"
        return None

    def _tag_target(self, rid):
        if self._resource_type(rid) is not None:
            return
        prefix = rid.split("-", 1)[0] if "-" in rid else ""
        if prefix == "sg":
            self._group(rid)
        if prefix == "subnet":
            self._subnet(rid)
        if prefix == "vpc":
            self._vpc(rid)
        if prefix == "sgr":
            raise AwsError("InvalidSecurityGroupRuleId.NotFound",
                           f"The security group rule ID '{rid}' does not exist")
        raise AwsError("InvalidID", f"The ID '{rid}' is not valid")

    @_dry_run
    def op_CreateTags(self, params):
        for rid in params["Resources"]:
            self._tag_target(rid)
        self._check_tags(params["Tags"])
        for rid in params["Resources"]:
            self._set_tags(rid, params["Tags"])
        return {}

    @_dry_run
    def op_DeleteTags(self, params):
        for rid in params["Resources"]:
            self._tag_target(rid)
        for rid in params["Resources"]:
            cur = self.tags.get(rid, {})
            if "Tags" not in params:
                cur.clear()
                continue
            for t in params["Tags"]:
                if t.get("Key") in cur and ("Value" not in t or cur[t["Key"]] == t["Value"]):
                    del cur[t["Key"]]
        return {}

    @_dry_run
    def op_DescribeTags(self, params):
        items = []
        for rid in sorted(self.tags):
            rtype = self._resource_type(rid)
            if rtype is None:
                continue
            for k, v in sorted(self.tags[rid].items()):
                items.append({"ResourceId": rid, "ResourceType": rtype, "Key": k, "Value": v})
        fields = {
            "key": lambda t: [t["Key"]],
            "value": lambda t: [t["Value"]],
            "resource-id": lambda t: [t["ResourceId"]],
            "resource-type": lambda t: [t["ResourceType"]],
        }
        filters = params.get("Filters", [])
        items = self._filter(items, filters, fields, lambda t: t["ResourceId"])
        return self._page(items, params, "Tags")

    # ---- AZs -------------------------------------------------------------------
    @_dry_run
    def op_DescribeAvailabilityZones(self, params):
        zones = [{"State": "available", "OptInStatus": "opt-in-not-required", "Messages": [],
                  "RegionName": self.emu.region, "ZoneName": z, "ZoneId": zid,
                  "GroupName": self.emu.region, "NetworkBorderGroup": self.emu.region,
                  "ZoneType": "availability-zone"} for z, zid in self._zones()]
        for name in params.get("ZoneNames", []):
            if name not in [z["ZoneName"] for z in zones]:
                raise AwsError("InvalidParameterValue",
                               f"The zone '{name}' does not exist in region")
        for zid in params.get("ZoneIds", []):
            if zid not in [z["ZoneId"] for z in zones]:
                raise AwsError("InvalidParameterValue",
                               f"The zone ID '{zid}' does not exist in region")
        if params.get("ZoneNames"):
            zones = [z for z in zones if z["ZoneName"] in params["ZoneNames"]]
        if params.get("ZoneIds"):
            zones = [z for z in zones if z["ZoneId"] in params["ZoneIds"]]
        fields = {
            "zone-name": lambda z: [z["ZoneName"]],
            "zone-id": lambda z: [z["ZoneId"]],
            "state": lambda z: [z["State"]],
            "region-name": lambda z: [z["RegionName"]],
            "zone-type": lambda z: [z["ZoneType"]],
            "group-name": lambda z: [z["GroupName"]],
            "opt-in-status": lambda z: [z["OptInStatus"]],
        }
        zones = self._filter(zones, params.get("Filters", []), fields, lambda z: z["ZoneName"])
        return {"AvailabilityZones": zones}

    # ---- cross-service -------------------------------------------------------
    def subnet(self, subnet_id):
        s = self.subnets.get(subnet_id)
        if s is None:
            return None
        return {k: s[k] for k in ("SubnetId", "VpcId", "AvailabilityZone", "CidrBlock")}

    def security_group(self, group_id):
        g = self.groups.get(group_id)
        if g is None:
            return None
        return {k: g[k] for k in ("GroupId", "VpcId", "GroupName")}

    def uses(self, kind, ident):
        return []

    def resources(self):
        out = []
        for v in self.vpcs.values():
            if not v["IsDefault"]:
                out.append({"type": "vpc", "id": v["VpcId"]})
        for s in self.subnets.values():
            if not s["DefaultForAz"]:
                out.append({"type": "subnet", "id": s["SubnetId"]})
        for g in self.groups.values():
            if g["GroupName"] != "default":
                out.append({"type": "security-group", "id": g["GroupId"]})
        return out
