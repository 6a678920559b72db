"""Amazon ElastiCache (Redis OSS / Valkey) for the acceptance emulator.

Faithfulness notes (what this module models and where it deliberately differs from AWS):
- Shapes, member names and error codes/HTTP statuses come from botocore's elasticache 2015-02-02 model:
  `_fault(<error shape name>, message)` looks the code and status up in the model, so a typo cannot invent a code.
- Status transitions are computed lazily from emu.now(): creating -> available after settings["create_delay_s"],
  modifying -> available after settings["modify_delay_s"], deleting -> gone after settings["delete_delay_s"].
  Changes to CacheNodeType, EngineVersion, AUTH tokens, user groups, log delivery and in-transit encryption become
  visible when the modification completes (PendingModifiedValues shows them meanwhile), as on AWS.
  With ApplyImmediately=false, CacheNodeType/EngineVersion stay pending (per-cluster PendingModifiedValues) until the
  next maintenance window, which in the emulator only happens through the test helper apply_maintenance(rgid).
- Endpoints use AWS's real naming scheme, e.g. master.<rgid>.<hash>.use1.cache.amazonaws.com (with in-transit
  encryption) or <rgid>.<hash>.ng.0001.use1.cache.amazonaws.com (without). Nothing listens at these names.
- Every account has AWS's built-in user "default" (UserName "default", no password, "on ~* +@all"). It is listed by
  DescribeUsers but not by resources(), since nobody creates it and it cannot leak.
- Every node is placed in one subnet of its subnet group (the first subnet of the group in the node's zone, when the
  node is made). ModifyCacheSubnetGroup refuses with SubnetInUse, changing nothing, to drop a subnet that holds a node;
  other subnets may go, even in a zone that has nodes elsewhere. Nodes made later use the subnets the group has then.
- Parameter groups: ModifyCacheParameterGroup takes at most 20 ParameterNameValues; ResetCacheParameterGroup resets
  the named parameters (or all); cluster-enabled of a group in use can be neither changed nor reset. A custom group
  of another family cannot go with a version change (InvalidParameterCombination); defaults are named
  default.<family>[.cluster.on].
- Emulator restriction asked for by the project: a user group can be attached to only one replication group at a time.
- AUTH tokens follow the API reference and the AUTH guide (and AWS's observed "Invalid AuthToken provided."):
  16-128 characters, letters, digits and only the special characters ! & # $ ^ < > -. User passwords follow the RBAC guide: 16-128 printable ASCII characters, no space, ',', '"', '/', '@'.
- Secrets (AUTH tokens, passwords) never appear in responses or error messages; tests read them through
  valid_auth_tokens(rgid) / valid_passwords(user_id).
"""

import contextlib
import copy
import datetime
import re

import botocore.loaders

from acceptance.emulator.errors import AwsError

_MODEL = botocore.loaders.create_loader().load_service_model("elasticache", "service-2", "2015-02-02")


def _fault(shape, message):
    meta = _MODEL["shapes"][shape]["error"]
    return AwsError(meta["code"], message, meta.get("httpStatusCode", 400), meta.get("senderFault", True))


def _ipv(message):
    return _fault("InvalidParameterValueException", message)


def _ipc(message):
    return _fault("InvalidParameterCombinationException", message)


# ----------------------------------------------------------------------------------------------------------- catalog

# requested EngineVersion -> actual engine version reported by DescribeCacheClusters
ENGINE_VERSIONS = {
    "redis": {"4.0.10": "4.0.10", "5.0.6": "5.0.6", "6.0": "6.0.5", "6.2": "6.2.6", "6.x": "6.2.6",
              "7.0": "7.0.7", "7.1": "7.1.0"},
    "valkey": {"7.2": "7.2.6", "8.0": "8.0.1", "8.1": "8.1.0"},
}
DEFAULT_ENGINE_VERSION = {"redis": "7.1", "valkey": "8.0"}

NODE_FAMILIES = {"t2", "t3", "t4g", "m4", "m5", "m6g", "m7g", "r4", "r5", "r6g", "r6gd", "r7g", "c7gn"}
NODE_TYPE_RE = re.compile(r"^cache\.([a-z0-9]+)\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$")

FAMILIES = {"redis6.x", "redis7", "valkey7", "valkey8"}

_ANY = object()
# name -> (default, data type, allowed values, change type, description)
_REDIS_PARAMS = [
    ("activedefrag", "no", "string", "yes,no", "immediate", "Enabled active memory defragmentation"),
    ("cluster-enabled", "no", "string", "yes,no", "requires-reboot", "Enable cluster mode"),
    ("databases", "16", "integer", "1-1200000", "requires-reboot", "Set the number of databases."),
    ("lazyfree-lazy-eviction", "no", "string", "yes,no", "immediate", "Perform an asynchronous delete on evictions"),
    ("maxmemory-policy", "volatile-lru", "string",
     "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
     "immediate", "Max memory policy."),
    ("maxmemory-samples", "3", "integer", "1-", "immediate", "Max memory samples."),
    ("notify-keyspace-events", "", "string", None, "immediate", "The keyspace events for Redis to notify Pub/Sub "
     "clients about. By default all notifications are disabled"),
    ("reserved-memory-percent", "25", "integer", "0-100", "immediate",
     "The percent of memory reserved for non-cache memory usage."),
    ("slowlog-log-slower-than", "10000", "integer", "-", "immediate",
     "The execution time, in microseconds, to exceed in order for the command to get logged."),
    ("slowlog-max-len", "128", "integer", "0-", "immediate", "The length of the slow log."),
    ("tcp-keepalive", "300", "integer", "0-", "immediate",
     "If non-zero, send ACKs every given number of seconds."),
    ("timeout", "0", "integer", "0,20-", "immediate",
     "Close connection if client is idle for a given number of seconds, or never if 0."),
]
_KEYSPACE_CHARS = set("KEg$lshzxetmAnd")

WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_MAINT_RE = re.compile(r"^(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)-"
                       r"(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)$")
_SNAP_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_RG_ID_RE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$")
_AUTH_TOKEN_RE = re.compile(r"^[A-Za-z0-9!&#$^<>-]{16,128}$")
_PASSWORD_RE = re.compile(r'^[\x21-\x7e]{16,128}$')
_PASSWORD_FORBIDDEN = set(',"/@')
_DEFAULT_USER_ID = "default"


def _region_short(region):
    parts = region.split("-")
    dirs = {"east": "e", "west": "w", "north": "n", "south": "s", "central": "c", "southeast": "se",
            "northeast": "ne", "southwest": "sw", "northwest": "nw"}
    if len(parts) == 3:
        return parts[0] + dirs.get(parts[1], parts[1][:1]) + parts[2]
    return region.replace("-", "")


def _family_for(engine, version):
    major = int(version.split(".")[0])
    if engine == "valkey":
        return "valkey7" if major == 7 else "valkey8"
    if major >= 7:
        return "redis7"
    if major == 6:
        return "redis6.x"
    return "redis%d.0" % major


def _vtuple(actual):
    return tuple(int(x) for x in actual.split("."))


def _check_id(value, what, max_len=40):
    """AWS identifier rules: 1-max_len letters/digits/hyphens, starts with a letter, no -- and no trailing -."""
    if not isinstance(value, str) or not value:
        raise _ipv("The parameter %s must be provided and must not be blank." % what)
    if len(value) > max_len:
        raise _ipv("The parameter %s must be no more than %d characters long." % (what, max_len))
    if not value[0].isalpha() or not value.isascii():
        raise _ipv("The parameter %s must begin with a letter." % what)
    if value.endswith("-") or "--" in value or not _RG_ID_RE.match(value):
        raise _ipv("The parameter %s must contain only ASCII letters, digits, and hyphens; it must not end "
                   "with a hyphen or contain two consecutive hyphens." % what)
    return value.lower()


def _parse_maint(window):
    m = _MAINT_RE.match(window or "")
    if not m:
        raise _ipv("Invalid maintenance window: the format must be ddd:hh24:mi-ddd:hh24:mi, e.g. sun:05:00-sun:06:00.")
    d1, h1, m1, d2, h2, m2 = m.groups()
    start = WEEKDAYS.index(d1) * 1440 + int(h1) * 60 + int(m1)
    end = WEEKDAYS.index(d2) * 1440 + int(h2) * 60 + int(m2)
    length = (end - start) % (7 * 1440)
    if length < 60:
        raise _ipv("The maintenance window must be at least 60 minutes long.")
    if length > 24 * 60:
        raise _ipv("The maintenance window must be less than 24 hours long.")
    return start, length


def _parse_snap(window):
    m = _SNAP_RE.match(window or "")
    if not m:
        raise _ipv("Invalid snapshot window: the format must be hh24:mi-hh24:mi, e.g. 05:00-09:00.")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    start = h1 * 60 + m1
    length = (h2 * 60 + m2 - start) % 1440
    if length < 60:
        raise _ipv("The snapshot window must be at least 60 minutes long.")
    return start, length


def _windows_overlap(maint, snap):
    ms, ml = _parse_maint(maint)
    ss, sl = _parse_snap(snap)
    week = 7 * 1440
    for day in range(7):
        s = day * 1440 + ss
        for shift in (-week, 0, week):
            a0, a1 = ms + shift, ms + shift + ml
            if s < a1 and a0 < s + sl:
                return True
    return False


def _check_tags(tags):
    if tags is None:
        return []
    if len(tags) > 50:
        raise _fault("TagQuotaPerResourceExceeded", "The number of tags on the resource would exceed the limit of 50.")
    out = []
    for t in tags:
        key = t.get("Key")
        if not key or len(key) > 128:
            raise _ipv("Tag keys must be 1 to 128 characters long.")
        if key.lower().startswith("aws:"):
            raise _ipv("Tag keys must not begin with the reserved prefix 'aws:'.")
        val = t.get("Value", "")
        if val is not None and len(val) > 256:
            raise _ipv("Tag values must be at most 256 characters long.")
        out.append({"Key": key, "Value": val or ""})
    return out


def _merge_tags(existing, new):
    d = {t["Key"]: t["Value"] for t in existing}
    for t in new:
        d[t["Key"]] = t["Value"]
    if len(d) > 50:
        raise _fault("TagQuotaPerResourceExceeded", "The number of tags on the resource would exceed the limit of 50.")
    return [{"Key": k, "Value": v} for k, v in d.items()]


def _paginate(items, params, default=100, lo=20, hi=100):
    max_records = params.get("MaxRecords")
    if max_records is None:
        max_records = default
    elif max_records < lo or max_records > hi:
        raise _ipv("MaxRecords must be between %d and %d." % (lo, hi))
    start = 0
    marker = params.get("Marker")
    if marker:
        if not re.match(r"^ec-\d+$", marker) or int(marker[3:]) > len(items):
            raise _ipv("Invalid marker: %s" % marker[:64])
        start = int(marker[3:])
    page = items[start:start + max_records]
    nxt = "ec-%d" % (start + max_records) if start + max_records < len(items) else None
    return page, nxt


# ---------------------------------------------------------------------------------------------------------- service

class Service:
    name = "elasticache"

    def __init__(self, emu):
        self.emu = emu
        self.rgs = {}            # id -> dict
        self.standalone = {}     # cluster id -> dict (primaries retained by DeleteReplicationGroup)
        self.subnet_groups = {}  # name -> dict
        self.param_groups = {}   # name -> dict (custom only)
        self.users = {}          # id -> dict (custom users; "default" is synthesized)
        self.user_groups = {}    # id -> dict
        self.snapshots = {}      # name -> dict (final snapshots)
        self._hash = None

    # ------------------------------------------------------------------------------------------------- helpers
    def _s(self, key, default):
        try:
            return float(self.emu.settings.get(key, default))
        except (TypeError, ValueError):
            return default

    def _arn(self, kind, ident):
        return "arn:%s:elasticache:%s:%s:%s:%s" % (self.emu.partition, self.emu.region, self.emu.account_id, kind,
                                                    ident)

    def _domain(self):
        if self._hash is None:
            self._hash = self.emu.new_id("", 6)[-6:].lower()
        return "%s.%s.cache.amazonaws.com" % (self._hash, _region_short(self.emu.region)), self._hash

    def _begin(self, obj, status, delay_key, default_delay, final, on_done=None):
        obj["Status"] = status
        obj["_until"] = self.emu.now() + datetime.timedelta(seconds=self._s(delay_key, default_delay))
        obj["_final"] = final
        obj["_on_done"] = on_done

    def _tick(self):
        now = self.emu.now()
        progressed = True
        while progressed:
            progressed = False
            for store in (self.user_groups, self.users, self.rgs, self.standalone):
                for key in list(store.keys()):
                    obj = store.get(key)
                    if obj is None or obj.get("_until") is None or obj["_until"] > now:
                        continue
                    final, on_done = obj["_final"], obj["_on_done"]
                    obj["_until"] = obj["_final"] = obj["_on_done"] = None
                    if final is None:
                        del store[key]
                    else:
                        obj["Status"] = final
                    if on_done:
                        on_done()
                    progressed = True

    # -------------------------------------------------------------------- cross-service & test helpers
    def uses(self, kind, ident):
        self._tick()
        out = []
        if kind == "security-group":
            for rg in self.rgs.values():
                if ident in rg["SecurityGroupIds"]:
                    out.append("ElastiCache replication group %s" % rg["Id"])
            for c in self.standalone.values():
                if ident in c["SecurityGroupIds"]:
                    out.append("ElastiCache cache cluster %s" % c["CacheClusterId"])
        elif kind == "subnet":
            for sg in self.subnet_groups.values():
                if ident in sg["SubnetIds"]:
                    out.append("ElastiCache cache subnet group %s" % sg["Name"])
        elif kind == "subnet-group":
            out = ["ElastiCache replication group %s" % rg["Id"] for rg in self.rgs.values()
                   if rg["CacheSubnetGroupName"] == ident]
            out += ["ElastiCache cache cluster %s" % c["CacheClusterId"] for c in self.standalone.values()
                    if c["CacheSubnetGroupName"] == ident]
        elif kind == "parameter-group":
            out = ["ElastiCache replication group %s" % rg["Id"] for rg in self.rgs.values()
                   if rg["CacheParameterGroupName"] == ident]
            out += ["ElastiCache cache cluster %s" % c["CacheClusterId"] for c in self.standalone.values()
                    if c["CacheParameterGroupName"] == ident]
        elif kind == "user-group":
            ug = self.user_groups.get(ident)
            if ug:
                out = ["ElastiCache replication group %s" % r for r in ug["ReplicationGroups"]]
        elif kind == "user":
            out = ["ElastiCache user group %s" % g["UserGroupId"] for g in self.user_groups.values()
                   if ident in g["UserIds"]]
        elif kind == "kms-key":
            kms = self._kms()
            key = kms.key(ident) if kms is not None else None
            for rg in self.rgs.values():
                if rg["KmsKeyId"] and key and rg["KmsKeyId"] == key["Arn"]:
                    out.append("ElastiCache replication group %s" % rg["Id"])
        return out

    def _locked(self):
        """Test helpers run outside the framework's per-request lock: take it (it is re-entrant)."""
        lock = getattr(self.emu, "lock", None)
        return lock if lock is not None else contextlib.nullcontext()

    def valid_auth_tokens(self, rgid):
        """Test helper: the AUTH tokens the replication group currently accepts (never exposed by any API)."""
        with self._locked():
            self._tick()
            rg = self.rgs.get(rgid.lower())
            return list(rg["_tokens"]) if rg else []

    def valid_passwords(self, user_id):
        """Test helper: the passwords the user currently accepts (never exposed by any API)."""
        with self._locked():
            self._tick()
            u = self.users.get(user_id.lower())
            return list(u["_passwords"]) if u else []

    def apply_maintenance(self, rgid):
        """Test helper: run the maintenance window now, applying changes made with ApplyImmediately=false."""
        with self._locked():
            self._tick()
            rg = self._get_rg(rgid)
            self._require_available(rg)
            if rg["_deferred"]:
                deferred, rg["_deferred"] = rg["_deferred"], {}
                rg["_pending_cluster"] = {k: v for k, v in deferred.items() if k in ("CacheNodeType",
                                                                                     "EngineVersion")}
                self._begin(rg, "modifying", "modify_delay_s", 1.0, "available",
                            lambda: self._apply_node_changes(rg, deferred))

    def resources(self):
        self._tick()
        out = []
        for rg in self.rgs.values():
            out.append({"type": "replication-group", "id": rg["Id"], "status": rg["Status"]})
        for c in self.standalone.values():
            out.append({"type": "cache-cluster", "id": c["CacheClusterId"], "status": c["Status"]})
        for u in self.users.values():
            out.append({"type": "user", "id": u["UserId"], "status": u["Status"]})
        for g in self.user_groups.values():
            out.append({"type": "user-group", "id": g["UserGroupId"], "status": g["Status"]})
        for sg in self.subnet_groups.values():
            out.append({"type": "cache-subnet-group", "id": sg["Name"]})
        for pg in self.param_groups.values():
            out.append({"type": "cache-parameter-group", "id": pg["Name"]})
        for sn in self.snapshots.values():
            out.append({"type": "snapshot", "id": sn["SnapshotName"]})
        return out

    def _ec2(self):
        try:
            return self.emu.service("ec2")
        except Exception:  # the ec2 service is not loaded: nothing can be validated against it
            return None

    def _kms(self):
        try:
            return self.emu.service("kms")
        except Exception:
            return None

    def _logs(self):
        try:
            return self.emu.service("logs")
        except Exception:
            return None

    # =========================================================================================== subnet groups
    def _subnet_group_out(self, sg):
        ec2 = self._ec2()
        subnets = []
        for sid in sg["SubnetIds"]:
            info = ec2.subnet(sid) if ec2 is not None else None
            subnets.append({"SubnetIdentifier": sid,
                            "SubnetAvailabilityZone": {"Name": info["AvailabilityZone"] if info else "unknown"},
                            "SupportedNetworkTypes": ["ipv4"]})
        return {"CacheSubnetGroupName": sg["Name"], "CacheSubnetGroupDescription": sg["Description"],
                "VpcId": sg["VpcId"], "Subnets": subnets, "ARN": self._arn("subnetgroup", sg["Name"]),
                "SupportedNetworkTypes": ["ipv4"]}

    def _resolve_subnets(self, subnet_ids):
        if not subnet_ids:
            raise _ipv("The parameter SubnetIds must be provided and must contain at least one subnet.")
        ec2 = self._ec2()
        vpc = None
        seen = []
        for sid in subnet_ids:
            info = ec2.subnet(sid) if ec2 is not None else None
            if info is None:
                raise _fault("InvalidSubnet", "The subnet ID %s does not exist" % sid)
            if vpc is None:
                vpc = info["VpcId"]
            elif info["VpcId"] != vpc:
                raise _fault("InvalidSubnet", "Subnets %s and %s are in different VPCs; all subnets of a cache "
                                              "subnet group must be in the same VPC." % (seen[0], sid))
            if sid not in seen:
                seen.append(sid)
        return seen, vpc

    def _subnet_group_name(self, name):
        if not name:
            raise _ipv("The parameter CacheSubnetGroupName must be provided and must not be blank.")
        if len(name) > 255 or not re.match(r"^[A-Za-z0-9-]+$", name):
            raise _ipv("The parameter CacheSubnetGroupName must be 1-255 letters, digits or hyphens.")
        return name.lower()

    def op_CreateCacheSubnetGroup(self, p):
        self._tick()
        name = self._subnet_group_name(p.get("CacheSubnetGroupName"))
        if name == "default":
            raise _ipv("CacheSubnetGroupName 'default' is reserved.")
        if name in self.subnet_groups:
            raise _fault("CacheSubnetGroupAlreadyExistsFault", "Cache subnet group %s already exists." % name)
        desc = p.get("CacheSubnetGroupDescription")
        if desc is None:
            raise _ipv("The parameter CacheSubnetGroupDescription must be provided.")
        subnets, vpc = self._resolve_subnets(p.get("SubnetIds"))
        tags = _check_tags(p.get("Tags"))
        sg = {"Name": name, "Description": desc, "SubnetIds": subnets, "VpcId": vpc, "Tags": tags}
        self.subnet_groups[name] = sg
        return {"CacheSubnetGroup": self._subnet_group_out(sg)}

    def _get_subnet_group(self, name):
        sg = self.subnet_groups.get((name or "").lower())
        if sg is None:
            raise _fault("CacheSubnetGroupNotFoundFault", "Cache subnet group %s not found." % name)
        return sg

    def op_DescribeCacheSubnetGroups(self, p):
        self._tick()
        if p.get("CacheSubnetGroupName"):
            items = [self._get_subnet_group(p["CacheSubnetGroupName"])]
        else:
            items = [self.subnet_groups[k] for k in sorted(self.subnet_groups)]
        page, nxt = _paginate(items, p)
        out = {"CacheSubnetGroups": [self._subnet_group_out(sg) for sg in page]}
        if nxt:
            out["Marker"] = nxt
        return out

    def op_ModifyCacheSubnetGroup(self, p):
        self._tick()
        sg = self._get_subnet_group(p.get("CacheSubnetGroupName"))
        if "SubnetIds" in p:
            subnets, vpc = self._resolve_subnets(p["SubnetIds"])
            users = [rg for rg in self.rgs.values() if rg["CacheSubnetGroupName"] == sg["Name"]]
            if users and vpc != sg["VpcId"]:
                raise _fault("InvalidSubnet", "The new subnets are in %s but cache subnet group %s is in use in %s."
                             % (vpc, sg["Name"], sg["VpcId"]))
            # Every node has its network interface in one subnet of the group: AWS refuses to take such a
            # subnet out of the group (SubnetInUse) and changes nothing; other subnets may go.
            in_use = self._subnets_in_use(sg["Name"])
            busy = [s for s in sg["SubnetIds"] if s not in subnets and s in in_use]
            if busy:
                raise _fault("SubnetInUse", "The subnet ID %s is in use by cache cluster %s." % (
                    ", ".join(busy), ", ".join(sorted({c for s in busy for c in in_use[s]}))))
            sg["SubnetIds"], sg["VpcId"] = subnets, vpc
        if "CacheSubnetGroupDescription" in p:
            sg["Description"] = p["CacheSubnetGroupDescription"]
        return {"CacheSubnetGroup": self._subnet_group_out(sg)}

    def _subnets_in_use(self, group_name):
        """{subnet id: [cache cluster ids]} of the nodes placed in subnets of the group."""
        out = {}
        clusters = [c for rg in self.rgs.values() if rg["CacheSubnetGroupName"] == group_name
                    for c in rg["Clusters"].values()]
        clusters += [c for c in self.standalone.values() if c.get("CacheSubnetGroupName") == group_name]
        for c in clusters:
            if c.get("SubnetId"):
                out.setdefault(c["SubnetId"], []).append(c["CacheClusterId"])
        return out

    def op_DeleteCacheSubnetGroup(self, p):
        self._tick()
        sg = self._get_subnet_group(p.get("CacheSubnetGroupName"))
        users = self.uses("subnet-group", sg["Name"])
        if users:
            raise _fault("CacheSubnetGroupInUse", "Cache subnet group %s is currently in use by %s."
                         % (sg["Name"], ", ".join(users)))
        del self.subnet_groups[sg["Name"]]
        return {}

    # ======================================================================================== parameter groups
    def _default_param_group(self, name):
        m = re.match(r"^default\.(redis6\.x|redis7|valkey7|valkey8)(\.cluster\.on)?$", name)
        if not m:
            return None
        values = {"cluster-enabled": "yes"} if m.group(2) else {}
        return {"Name": name, "Family": m.group(1), "Description": "Default parameter group for %s" % m.group(1),
                "Values": values, "Tags": [], "Default": True}

    def _get_param_group(self, name):
        pg = self.param_groups.get((name or "").lower()) or self._default_param_group((name or "").lower())
        if pg is None:
            raise _fault("CacheParameterGroupNotFoundFault", "CacheParameterGroup %s not found." % name)
        return pg

    def _pg_out(self, pg):
        return {"CacheParameterGroupName": pg["Name"], "CacheParameterGroupFamily": pg["Family"],
                "Description": pg["Description"], "IsGlobal": False, "ARN": self._arn("parametergroup", pg["Name"])}

    def _pg_cluster_enabled(self, pg):
        return pg["Values"].get("cluster-enabled", "no") == "yes"

    def op_CreateCacheParameterGroup(self, p):
        self._tick()
        name = _check_id(p.get("CacheParameterGroupName"), "CacheParameterGroupName", 255)
        if name.startswith("default."):
            raise _ipv("Parameter group names starting with 'default.' are reserved.")
        fam = p.get("CacheParameterGroupFamily")
        if fam not in FAMILIES:
            raise _ipv("The parameter CacheParameterGroupFamily %s is not a valid family; valid families are %s."
                       % (fam, ", ".join(sorted(FAMILIES))))
        if name in self.param_groups:
            raise _fault("CacheParameterGroupAlreadyExistsFault", "Parameter group %s already exists." % name)
        if p.get("Description") is None:
            raise _ipv("The parameter Description must be provided.")
        pg = {"Name": name, "Family": fam, "Description": p["Description"], "Values": {},
              "Tags": _check_tags(p.get("Tags")), "Default": False}
        self.param_groups[name] = pg
        return {"CacheParameterGroup": self._pg_out(pg)}

    def op_DescribeCacheParameterGroups(self, p):
        self._tick()
        if p.get("CacheParameterGroupName"):
            items = [self._get_param_group(p["CacheParameterGroupName"])]
        else:
            defaults = [self._default_param_group("default.%s%s" % (f, s)) for f in sorted(FAMILIES)
                        for s in ("", ".cluster.on")]
            items = defaults + [self.param_groups[k] for k in sorted(self.param_groups)]
        page, nxt = _paginate(items, p)
        out = {"CacheParameterGroups": [self._pg_out(pg) for pg in page]}
        if nxt:
            out["Marker"] = nxt
        return out

    def op_DeleteCacheParameterGroup(self, p):
        self._tick()
        pg = self._get_param_group(p.get("CacheParameterGroupName"))
        if pg["Default"]:
            raise _fault("InvalidCacheParameterGroupStateFault", "Default parameter group %s cannot be deleted."
                         % pg["Name"])
        users = self.uses("parameter-group", pg["Name"])
        if users:
            raise _fault("InvalidCacheParameterGroupStateFault", "Parameter group %s is currently in use by %s."
                         % (pg["Name"], ", ".join(users)))
        del self.param_groups[pg["Name"]]
        return {}

    def _check_param_value(self, name, value):
        spec = {s[0]: s for s in _REDIS_PARAMS}.get(name)
        if spec is None:
            raise _ipv("Unknown parameter: %s" % name)
        _, _, dtype, allowed, _, _ = spec
        if value is None:
            raise _ipv("A value must be provided for parameter %s." % name)
        if name == "notify-keyspace-events":
            if any(ch not in _KEYSPACE_CHARS for ch in value):
                raise _ipv("Invalid value %r for parameter notify-keyspace-events." % value)
            return
        if dtype == "integer":
            if not re.match(r"^-?\d+$", value):
                raise _ipv("Value %s for parameter %s is not an integer." % (value, name))
            n = int(value)
            ok = False
            for rng in allowed.split(","):
                lo, _, hi = rng.partition("-") if not rng.startswith("-") else ("", "-", rng[1:])
                if "-" not in rng:
                    ok = ok or n == int(rng)
                    continue
                if (lo == "" or n >= int(lo)) and (hi == "" or n <= int(hi)):
                    ok = True
            if not ok:
                raise _ipv("Value %s for parameter %s is out of range (allowed: %s)." % (value, name, allowed))
        elif allowed and value not in allowed.split(","):
            raise _ipv("Invalid value %s for parameter %s; allowed values are %s." % (value, name, allowed))

    def op_ModifyCacheParameterGroup(self, p):
        self._tick()
        pg = self._get_param_group(p.get("CacheParameterGroupName"))
        if pg["Default"]:
            raise _fault("InvalidCacheParameterGroupStateFault", "Default parameter group %s cannot be modified."
                         % pg["Name"])
        pairs = p.get("ParameterNameValues") or []
        if not pairs:
            raise _ipv("At least one parameter name and value must be provided.")
        if len(pairs) > 20:
            raise _ipv("At most 20 parameters can be modified in one request.")
        for pv in pairs:
            self._check_param_value(pv.get("ParameterName"), pv.get("ParameterValue"))
        if any(pv["ParameterName"] == "cluster-enabled" for pv in pairs) and self.uses("parameter-group", pg["Name"]):
            raise _fault("InvalidCacheParameterGroupStateFault",
                         "cluster-enabled cannot be changed while parameter group %s is in use." % pg["Name"])
        for pv in pairs:
            pg["Values"][pv["ParameterName"]] = pv["ParameterValue"]
        return {"CacheParameterGroupName": pg["Name"]}

    def op_ResetCacheParameterGroup(self, p):
        self._tick()
        pg = self._get_param_group(p.get("CacheParameterGroupName"))
        if pg["Default"]:
            raise _fault("InvalidCacheParameterGroupStateFault", "Default parameter group %s cannot be modified."
                         % pg["Name"])
        pairs = p.get("ParameterNameValues") or []
        if p.get("ResetAllParameters"):
            if pairs:
                raise _ipc("ResetAllParameters and ParameterNameValues cannot be specified together.")
            keep = {}
            if "cluster-enabled" in pg["Values"] and self.uses("parameter-group", pg["Name"]):
                keep["cluster-enabled"] = pg["Values"]["cluster-enabled"]
            pg["Values"] = keep
        else:
            if not pairs:
                raise _ipc("Either ResetAllParameters or ParameterNameValues must be specified.")
            known = {s[0] for s in _REDIS_PARAMS}
            for pv in pairs:
                if pv.get("ParameterName") not in known:
                    raise _ipv("Unknown parameter: %s" % pv.get("ParameterName"))
            if any(pv["ParameterName"] == "cluster-enabled" for pv in pairs) and \
                    "cluster-enabled" in pg["Values"] and self.uses("parameter-group", pg["Name"]):
                raise _fault("InvalidCacheParameterGroupStateFault",
                             "cluster-enabled cannot be changed while parameter group %s is in use." % pg["Name"])
            for pv in pairs:
                pg["Values"].pop(pv["ParameterName"], None)
        return {"CacheParameterGroupName": pg["Name"]}

    def op_DescribeCacheParameters(self, p):
        self._tick()
        pg = self._get_param_group(p.get("CacheParameterGroupName"))
        source = p.get("Source")
        if source is not None and source not in ("user", "system", "engine-default"):
            raise _ipv("Source must be one of user, system, engine-default.")
        params = []
        for name, default, dtype, allowed, change, desc in _REDIS_PARAMS:
            if name in pg["Values"]:
                value, src = pg["Values"][name], ("system" if pg["Default"] else "user")
            else:
                value, src = default, "engine-default"
            if source is not None and src != source:
                continue
            entry = {"ParameterName": name, "ParameterValue": value, "Description": desc, "Source": src,
                     "DataType": dtype, "IsModifiable": True, "MinimumEngineVersion": "2.8.6",
                     "ChangeType": change}
            if allowed is not None:
                entry["AllowedValues"] = allowed
            if value == "":
                del entry["ParameterValue"]
            params.append(entry)
        page, nxt = _paginate(params, p)
        out = {"Parameters": page, "CacheNodeTypeSpecificParameters": []}
        if nxt:
            out["Marker"] = nxt
        return out

    # ================================================================================================== users
    def _default_user(self):
        return {"UserId": _DEFAULT_USER_ID, "UserName": "default", "Status": "active", "Engine": "redis",
                "AccessString": "on ~* +@all", "_auth": "no-password", "_passwords": [], "Tags": [],
                "_builtin": True, "_until": None}

    def _get_user(self, uid, fault="UserNotFoundFault"):
        key = (uid or "").lower()
        if key == _DEFAULT_USER_ID and key not in self.users:
            return self._default_user()
        u = self.users.get(key)
        if u is None:
            raise _fault(fault, "User %s not found." % uid)
        return u

    def _user_out(self, u):
        groups = sorted(g["UserGroupId"] for g in self.user_groups.values() if u["UserId"] in g["UserIds"])
        auth = {"Type": u["_auth"]}
        if u["_auth"] == "password":
            auth["PasswordCount"] = len(u["_passwords"])
        return {"UserId": u["UserId"], "UserName": u["UserName"], "Status": u["Status"], "Engine": u["Engine"],
                "MinimumEngineVersion": "6.0", "AccessString": u["AccessString"], "UserGroupIds": groups,
                "Authentication": auth, "ARN": self._arn("user", u["UserId"])}

    def _check_engine(self, engine):
        e = (engine or "").lower()
        if e not in ("redis", "valkey"):
            raise _ipv("Invalid engine %s: the supported engines are redis and valkey." % engine)
        return e

    def _check_passwords(self, pw, what="Passwords"):
        if not pw:
            raise _ipv("%s must contain at least one password." % what)
        if len(pw) > 2:
            raise _ipv("A user can have at most two passwords.")
        for x in pw:
            if not isinstance(x, str) or not _PASSWORD_RE.match(x) or any(ch in _PASSWORD_FORBIDDEN for ch in x):
                raise _ipv("Passwords must be 16 to 128 printable ASCII characters and must not contain spaces or "
                           "any of , \" / @.")
        return list(pw)

    def _auth_from(self, p, uid, uname, current=None):
        """Returns (auth type, passwords) from Passwords / NoPasswordRequired / AuthenticationMode."""
        mode = p.get("AuthenticationMode")
        pw = p.get("Passwords")
        npr = p.get("NoPasswordRequired")
        if mode is not None:
            if pw is not None or npr is not None:
                raise _ipc("AuthenticationMode cannot be combined with Passwords or NoPasswordRequired.")
            mtype = mode.get("Type")
            mpw = mode.get("Passwords")
            if mtype == "password":
                return "password", self._check_passwords(mpw, "AuthenticationMode.Passwords")
            if mtype in ("no-password-required", "iam") and mpw:
                raise _ipc("Passwords cannot be provided with authentication type %s." % mtype)
            if mtype == "iam":
                if uid != uname:
                    raise _ipc("For IAM authentication the UserId and UserName must be identical.")
                return "iam", []
            if mtype == "no-password-required":
                return "no-password", []
            raise _ipv("AuthenticationMode.Type must be password, no-password-required or iam.")
        if npr and pw:
            raise _ipc("Passwords cannot be provided when NoPasswordRequired is true.")
        if pw is not None:
            return "password", self._check_passwords(pw)
        if npr:
            return "no-password", []
        if current is not None:
            if npr is False and current[0] == "no-password":
                raise _ipc("Passwords must be provided when NoPasswordRequired is false.")
            return current
        raise _ipc("No password was provided: specify Passwords, NoPasswordRequired or AuthenticationMode.")

    def op_CreateUser(self, p):
        self._tick()
        uid_in = p.get("UserId") or ""
        if not re.match(r"^[A-Za-z][A-Za-z0-9-]*$", uid_in) or len(uid_in) > 40 or "--" in uid_in or \
                uid_in.endswith("-"):
            raise _ipv("UserId must be 1-40 letters, digits or hyphens, begin with a letter, and must not end with a "
                       "hyphen or contain two consecutive hyphens.")
        uid = uid_in.lower()
        uname = p.get("UserName") or ""
        if not uname or len(uname) > 120 or not uname.isascii() or any(c.isspace() for c in uname):
            raise _ipv("UserName must be 1-120 printable ASCII characters without whitespace.")
        engine = self._check_engine(p.get("Engine"))
        access = p.get("AccessString")
        if not access or not access.strip():
            raise _ipv("The parameter AccessString must be provided and must not be blank.")
        if uid == _DEFAULT_USER_ID or uid in self.users:
            raise _fault("UserAlreadyExistsFault", "User %s already exists." % uid)
        auth, pws = self._auth_from(p, uid, uname)
        if auth == "iam" and uid != uname:
            raise _ipc("For IAM authentication the UserId and UserName must be identical.")
        u = {"UserId": uid, "UserName": uname, "Status": "active", "Engine": engine, "AccessString": access,
             "_auth": auth, "_passwords": pws, "Tags": _check_tags(p.get("Tags")), "_until": None}
        self.users[uid] = u
        return self._user_out(u)

    def op_DescribeUsers(self, p):
        self._tick()
        if p.get("UserId"):
            items = [self._get_user(p["UserId"])]
        else:
            items = [self._default_user()] if _DEFAULT_USER_ID not in self.users else []
            items += [self.users[k] for k in sorted(self.users)]
        if p.get("Engine"):
            items = [u for u in items if u["Engine"] == p["Engine"].lower()]
        for f in p.get("Filters") or []:
            if f.get("Name") != "user-id":
                raise _ipc("Unsupported filter name %s; the supported filter is user-id." % f.get("Name"))
            wanted = {v.lower() for v in f.get("Values") or []}
            items = [u for u in items if u["UserId"] in wanted]
        page, nxt = _paginate(items, p, lo=1)  # no documented minimum for users
        out = {"Users": [self._user_out(u) for u in page]}
        if nxt:
            out["Marker"] = nxt
        return out

    def _require_user_active(self, u, action):
        if u.get("_builtin"):
            raise _ipv("The default user cannot be %s." % action)
        if u["Status"] != "active":
            raise _fault("InvalidUserStateFault", "User %s is not in active state (status: %s)."
                         % (u["UserId"], u["Status"]))

    def op_ModifyUser(self, p):
        self._tick()
        u = self._get_user(p.get("UserId"))
        self._require_user_active(u, "modified")
        if p.get("AccessString") is not None and p.get("AppendAccessString") is not None:
            raise _ipc("AccessString and AppendAccessString cannot be specified together.")
        changes = {}
        if p.get("AccessString") is not None:
            if not p["AccessString"].strip():
                raise _ipv("AccessString must not be blank.")
            changes["AccessString"] = p["AccessString"]
        if p.get("AppendAccessString") is not None:
            if not p["AppendAccessString"].strip():
                raise _ipv("AppendAccessString must not be blank.")
            changes["AccessString"] = u["AccessString"] + " " + p["AppendAccessString"]
        if p.get("Engine") is not None:
            eng = self._check_engine(p["Engine"])
            if eng == "redis" and u["Engine"] == "valkey":
                raise _ipc("A valkey user cannot be changed back to engine redis.")
            changes["Engine"] = eng
        if any(k in p for k in ("Passwords", "NoPasswordRequired", "AuthenticationMode")):
            auth, pws = self._auth_from(p, u["UserId"], u["UserName"], (u["_auth"], u["_passwords"]))
            changes["_auth"], changes["_passwords"] = auth, pws
        if not changes:
            raise _ipc("No modifications were requested.")

        def done():
            u.update(changes)
        self._begin(u, "modifying", "modify_delay_s", 1.0, "active", done)
        for g in self.user_groups.values():
            if u["UserId"] in g["UserIds"] and g["Status"] == "active":
                self._begin(g, "modifying", "modify_delay_s", 1.0, "active")
        return self._user_out(u)

    def op_DeleteUser(self, p):
        self._tick()
        u = self._get_user(p.get("UserId"))
        if u.get("_builtin"):
            raise _ipv("The default user cannot be deleted.")
        if u["Status"] != "active":
            raise _fault("InvalidUserStateFault", "User %s is not in active state (status: %s)."
                         % (u["UserId"], u["Status"]))
        for g in self.user_groups.values():
            if g["Status"] == "deleting":
                continue  # a group on its way out does not hold its members
            if u["UserId"] in g["UserIds"] and u["UserName"] == "default":
                raise _fault("DefaultUserAssociatedToUserGroupFault",
                             "User %s is the default user of user group %s; remove it from the group first."
                             % (u["UserId"], g["UserGroupId"]))
            if u["UserId"] in g["UserIds"] and g["Status"] != "active":
                raise _fault("InvalidUserStateFault", "User %s belongs to user group %s which is %s."
                             % (u["UserId"], g["UserGroupId"], g["Status"]))
        for g in self.user_groups.values():
            if u["UserId"] in g["UserIds"]:
                g["UserIds"].remove(u["UserId"])
                if g["Status"] == "active":
                    self._begin(g, "modifying", "modify_delay_s", 1.0, "active")
        self._begin(u, "deleting", "delete_delay_s", 1.0, None)
        return self._user_out(u)

    # ============================================================================================ user groups
    def _get_user_group(self, gid):
        g = self.user_groups.get((gid or "").lower())
        if g is None:
            raise _fault("UserGroupNotFoundFault", "User group %s not found." % gid)
        return g

    def _ug_out(self, g):
        out = {"UserGroupId": g["UserGroupId"], "Status": g["Status"], "Engine": g["Engine"],
               "UserIds": list(g["UserIds"]), "MinimumEngineVersion": "6.0",
               "ReplicationGroups": list(g["ReplicationGroups"]), "ServerlessCaches": [],
               "ARN": self._arn("usergroup", g["UserGroupId"])}
        if g.get("_pending_add") or g.get("_pending_remove"):
            out["PendingChanges"] = {}
            if g.get("_pending_add"):
                out["PendingChanges"]["UserIdsToAdd"] = list(g["_pending_add"])
            if g.get("_pending_remove"):
                out["PendingChanges"]["UserIdsToRemove"] = list(g["_pending_remove"])
        return out

    def _check_members(self, engine, user_ids):
        users = []
        for uid in user_ids:
            u = self._get_user(uid)
            if u["Status"] == "deleting":
                raise _fault("UserNotFoundFault", "User %s not found." % uid)
            if engine == "redis" and u["Engine"] != "redis":
                raise _ipv("User %s has engine %s and cannot be added to a redis user group." % (u["UserId"],
                                                                                                 u["Engine"]))
            users.append(u)
        names = {}
        for u in users:
            if u["UserName"] in names and names[u["UserName"]] != u["UserId"]:
                raise _fault("DuplicateUserNameFault", "Users %s and %s have the same user name %s."
                             % (names[u["UserName"]], u["UserId"], u["UserName"]))
            names[u["UserName"]] = u["UserId"]
        if "default" not in names:
            raise _fault("DefaultUserRequired", "A user with the user name 'default' must be included in the user "
                                                "group.")
        return [u["UserId"] for u in users]

    def op_CreateUserGroup(self, p):
        self._tick()
        gid_in = p.get("UserGroupId") or ""
        gid = _check_id(gid_in, "UserGroupId", 40)
        engine = self._check_engine(p.get("Engine"))
        if gid in self.user_groups:
            raise _fault("UserGroupAlreadyExistsFault", "User group %s already exists." % gid)
        ids = []
        for uid in p.get("UserIds") or []:
            if uid.lower() not in ids:
                ids.append(uid.lower())
        ids = self._check_members(engine, ids)
        g = {"UserGroupId": gid, "Engine": engine, "UserIds": ids, "ReplicationGroups": [],
             "Tags": _check_tags(p.get("Tags")), "_until": None}
        self._begin(g, "creating", "create_delay_s", 2.0, "active")
        self.user_groups[gid] = g
        return self._ug_out(g)

    def op_DescribeUserGroups(self, p):
        self._tick()
        if p.get("UserGroupId"):
            items = [self._get_user_group(p["UserGroupId"])]
        else:
            items = [self.user_groups[k] for k in sorted(self.user_groups)]
        page, nxt = _paginate(items, p, lo=1)  # no documented minimum for user groups
        out = {"UserGroups": [self._ug_out(g) for g in page]}
        if nxt:
            out["Marker"] = nxt
        return out

    def op_ModifyUserGroup(self, p):
        self._tick()
        g = self._get_user_group(p.get("UserGroupId"))
        if g["Status"] != "active":
            raise _fault("InvalidUserGroupStateFault", "User group %s is not in active state (status: %s)."
                         % (g["UserGroupId"], g["Status"]))
        add = [x.lower() for x in p.get("UserIdsToAdd") or []]
        remove = [x.lower() for x in p.get("UserIdsToRemove") or []]
        if p.get("Engine") is not None:
            eng = self._check_engine(p["Engine"])
            if eng == "redis" and g["Engine"] == "valkey":
                raise _ipc("A valkey user group cannot be changed back to engine redis.")
        else:
            eng = g["Engine"]
        if not add and not remove and eng == g["Engine"]:
            raise _ipc("No modifications were requested.")
        if set(add) & set(remove):
            raise _ipc("The same user cannot be both added and removed.")
        for uid in remove:
            if uid not in g["UserIds"]:
                raise _fault("UserNotFoundFault", "User %s is not a member of user group %s." % (uid,
                                                                                                g["UserGroupId"]))
        new_ids = [u for u in g["UserIds"] if u not in remove] + [u for u in add if u not in g["UserIds"]]
        new_ids = self._check_members(eng, new_ids)
        g["_pending_add"] = [u for u in add if u not in g["UserIds"]]
        g["_pending_remove"] = remove

        def done():
            g["UserIds"] = new_ids
            g["Engine"] = eng
            g["_pending_add"] = g["_pending_remove"] = []
        self._begin(g, "modifying", "modify_delay_s", 1.0, "active", done)
        return self._ug_out(g)

    def op_DeleteUserGroup(self, p):
        self._tick()
        g = self._get_user_group(p.get("UserGroupId"))
        if g["ReplicationGroups"]:
            raise _fault("InvalidUserGroupStateFault", "User group %s is associated with replication group(s) %s; "
                         "disassociate it before deleting it." % (g["UserGroupId"], ", ".join(g["ReplicationGroups"])))
        if g["Status"] != "active":
            raise _fault("InvalidUserGroupStateFault", "User group %s is not in active state (status: %s)."
                         % (g["UserGroupId"], g["Status"]))
        self._begin(g, "deleting", "delete_delay_s", 1.0, None)
        return self._ug_out(g)

    # ====================================================================================== replication groups
    def _get_rg(self, rgid):
        rg = self.rgs.get((rgid or "").lower())
        if rg is None:
            raise _fault("ReplicationGroupNotFoundFault", "ReplicationGroup %s not found." % rgid)
        return rg

    def _require_available(self, rg):
        if rg["Status"] != "available":
            raise _fault("InvalidReplicationGroupStateFault", "Replication group %s is not in available state "
                         "(status: %s)." % (rg["Id"], rg["Status"]))

    def _check_node_type(self, node_type):
        m = NODE_TYPE_RE.match(node_type or "")
        if not m or m.group(1) not in NODE_FAMILIES:
            raise _ipv("Invalid or unsupported node type: %s" % node_type)
        return node_type

    def _check_engine_version(self, engine, version):
        table = ENGINE_VERSIONS[engine]
        if version is None:
            version = DEFAULT_ENGINE_VERSION[engine]
        if version in table:
            return version, table[version]
        for req, actual in table.items():
            if actual == version:
                return req, actual
        raise _ipv("Cannot find version %s for %s" % (version, engine))

    def _check_auth_token(self, token):
        if not isinstance(token, str) or not _AUTH_TOKEN_RE.match(token):
            # AWS's exact wording; the rule: 16-128 characters, letters, digits and ! & # $ ^ < > - only
            raise _ipv("Invalid AuthToken provided.")
        return token

    def _check_security_groups(self, ids, vpc):
        if ids is None:
            return []
        ec2 = self._ec2()
        out = []
        for gid in ids:
            info = ec2.security_group(gid) if ec2 is not None else None
            if info is None:
                raise _ipv("Some security group Id(s) are not valid: [%s]" % gid)
            if vpc is not None and info["VpcId"] != vpc:
                raise _fault("InvalidVPCNetworkStateFault", "The security group %s belongs to %s, but the cache "
                             "subnet group is in %s." % (gid, info["VpcId"], vpc))
            if gid not in out:
                out.append(gid)
        return out

    def _check_kms(self, key_id, fault="InvalidParameterValueException"):
        kms = self._kms()
        key = kms.key(key_id) if kms is not None else None
        if key is None:
            raise _fault(fault, "The KMS key %s does not exist or is not accessible." % key_id)
        if not key.get("Enabled") or key.get("KeyState") not in (None, "Enabled"):
            raise _fault(fault, "The KMS key %s is not enabled (state: %s)." % (key_id, key.get("KeyState")))
        return key["Arn"]

    def _check_log_delivery(self, confs, existing=None, modify=False):
        """Returns {LogType: config or None(=disable)}."""
        out = {}
        for c in confs or []:
            lt = c.get("LogType")
            if lt not in ("slow-log", "engine-log"):
                raise _ipv("LogType must be slow-log or engine-log.")
            if lt in out:
                raise _ipv("Duplicate LogDeliveryConfiguration for LogType %s." % lt)
            if c.get("Enabled") is False:
                if not modify:
                    continue
                if not existing or lt not in existing:
                    raise _ipv("Log delivery for %s is not enabled, so it cannot be disabled." % lt)
                out[lt] = None
                continue
            dt = c.get("DestinationType")
            det = c.get("DestinationDetails") or {}
            fmt = c.get("LogFormat")
            if dt not in ("cloudwatch-logs", "kinesis-firehose"):
                raise _ipv("DestinationType must be cloudwatch-logs or kinesis-firehose.")
            if fmt not in ("text", "json"):
                raise _ipv("LogFormat must be text or json.")
            if dt == "cloudwatch-logs":
                lg = (det.get("CloudWatchLogsDetails") or {}).get("LogGroup")
                if not lg or det.get("KinesisFirehoseDetails"):
                    raise _ipc("DestinationDetails.CloudWatchLogsDetails.LogGroup is required for destination type "
                               "cloudwatch-logs.")
                details = {"CloudWatchLogsDetails": {"LogGroup": lg}}
            else:
                ds = (det.get("KinesisFirehoseDetails") or {}).get("DeliveryStream")
                if not ds or det.get("CloudWatchLogsDetails"):
                    raise _ipc("DestinationDetails.KinesisFirehoseDetails.DeliveryStream is required for destination "
                               "type kinesis-firehose.")
                details = {"KinesisFirehoseDetails": {"DeliveryStream": ds}}
            out[lt] = {"LogType": lt, "DestinationType": dt, "DestinationDetails": details, "LogFormat": fmt}
        return out

    def _check_log_engine(self, logs, actual):
        """Slow-log delivery needs engine 6.0+, engine-log delivery 6.2+."""
        need = {"slow-log": (6, 0), "engine-log": (6, 2)}
        for lt, conf in logs.items():
            if conf is not None and _vtuple(actual) < need[lt]:
                raise _ipc("Log delivery of %s requires engine version %s or later." % (lt, "%d.%d" % need[lt]))

    def _log_status(self, conf):
        """Delivery to a CloudWatch log group that does not exist ends in status error, as on AWS."""
        if conf["DestinationType"] == "cloudwatch-logs":
            logs = self._logs()
            lg = conf["DestinationDetails"]["CloudWatchLogsDetails"]["LogGroup"]
            if logs is not None and hasattr(logs, "log_group") and logs.log_group(lg) is None:
                return "error", "The log group %s does not exist." % lg
        return "active", None

    def _azs(self, subnet_group_name):
        if subnet_group_name:
            sg = self.subnet_groups[subnet_group_name]
            ec2 = self._ec2()
            azs = []
            for sid in sg["SubnetIds"]:
                info = ec2.subnet(sid) if ec2 is not None else None
                if info and info["AvailabilityZone"] not in azs:
                    azs.append(info["AvailabilityZone"])
            if azs:
                return sorted(azs)
        return [self.emu.region + s for s in ("a", "b", "c")]

    def _new_cluster(self, rg, cid, az, role):
        """A node in `az`, placed in the first subnet of the group's subnets in that zone (its network
        interface stays there: see SubnetInUse in ModifyCacheSubnetGroup)."""
        now = self.emu.now()
        subnet = None
        sg = self.subnet_groups.get(rg["CacheSubnetGroupName"] or "")
        ec2 = self._ec2()
        if sg is not None and ec2 is not None:
            subnet = next((s for s in sg["SubnetIds"] if (ec2.subnet(s) or {}).get("AvailabilityZone") == az), None)
        return {"CacheClusterId": cid, "AZ": az, "SubnetId": subnet, "Role": role, "Created": now,
                "Status": rg["Status"]}

    def _slots(self, n):
        """Even split of the 16384 hash slots; the first shards take the remainder (as AWS does)."""
        base, rem = divmod(16384, n)
        out, lo = [], 0
        for i in range(n):
            size = base + (1 if i < rem else 0)
            out.append("%d-%d" % (lo, lo + size - 1))
            lo += size
        return out

    def _build_topology(self, rg, shard_specs):
        """shard_specs: list of (replica_count, [azs] or None). Creates node groups and member clusters."""
        azs = self._azs(rg["CacheSubnetGroupName"])
        rg["NodeGroups"] = []
        rg["Clusters"] = {}
        slots = self._slots(len(shard_specs))
        for i, (replicas, want_azs) in enumerate(shard_specs):
            ng_id = "%04d" % (i + 1)
            members = []
            for j in range(replicas + 1):
                if rg["ClusterEnabled"]:
                    cid = "%s-%s-%03d" % (rg["Id"], ng_id, j + 1)
                else:
                    cid = "%s-%03d" % (rg["Id"], j + 1)
                az = want_azs[j] if want_azs and j < len(want_azs) else azs[(i + j) % len(azs)]
                rg["Clusters"][cid] = self._new_cluster(rg, cid, az, "primary" if j == 0 else "replica")
                members.append(cid)
            rg["NodeGroups"].append({"NodeGroupId": ng_id, "Members": members,
                                     "Slots": slots[i] if rg["ClusterEnabled"] else None})
            rg["_ng_seq"] = i + 1

    def _next_member_id(self, rg, ng):
        n = 1
        while True:
            if rg["ClusterEnabled"]:
                cid = "%s-%s-%03d" % (rg["Id"], ng["NodeGroupId"], n)
            else:
                cid = "%s-%03d" % (rg["Id"], n)
            if cid not in rg["Clusters"]:
                return cid
            n += 1

    def _endpoint(self, rg, kind, ng=None, cid=None):
        dom, h = self._domain()
        region = _region_short(self.emu.region)
        tls = rg["TransitEncryptionEnabled"]
        if kind == "config":
            addr = ("clustercfg.%s.%s" % (rg["Id"], dom)) if tls else \
                ("%s.%s.clustercfg.%s.cache.amazonaws.com" % (rg["Id"], h, region))
        elif kind == "primary":
            addr = ("master.%s.%s" % (rg["Id"], dom)) if tls else \
                ("%s.%s.ng.%s.%s.cache.amazonaws.com" % (rg["Id"], h, ng, region))
        elif kind == "reader":
            addr = ("replica.%s.%s" % (rg["Id"], dom)) if tls else \
                ("%s-ro.%s.ng.%s.%s.cache.amazonaws.com" % (rg["Id"], h, ng, region))
        else:
            addr = ("%s.%s.%s" % (cid, rg["Id"], dom)) if tls else \
                ("%s.%s.0001.%s.cache.amazonaws.com" % (cid, h, region))
        return {"Address": addr, "Port": rg["Port"]}

    def _rg_out(self, rg):
        creating = rg["Status"] == "creating"
        node_groups = []
        for ng in rg["NodeGroups"]:
            entry = {"NodeGroupId": ng["NodeGroupId"], "Status": "creating" if creating else
                     ("modifying" if rg["Status"] == "modifying" else "available")}
            if rg["ClusterEnabled"]:
                entry["Slots"] = ng["Slots"]
            elif not creating:
                entry["PrimaryEndpoint"] = self._endpoint(rg, "primary", ng["NodeGroupId"])
                entry["ReaderEndpoint"] = self._endpoint(rg, "reader", ng["NodeGroupId"])
            members = []
            for cid in ng["Members"]:
                c = rg["Clusters"][cid]
                m = {"CacheClusterId": cid, "CacheNodeId": "0001", "PreferredAvailabilityZone": c["AZ"]}
                if not rg["ClusterEnabled"] and not creating:
                    m["ReadEndpoint"] = self._endpoint(rg, "node", cid=cid)
                    m["CurrentRole"] = c["Role"]
                members.append(m)
            entry["NodeGroupMembers"] = members
            node_groups.append(entry)
        out = {
            "ReplicationGroupId": rg["Id"], "Description": rg["Description"], "Status": rg["Status"],
            "PendingModifiedValues": copy.deepcopy(rg["_pmv"]),
            "MemberClusters": [cid for ng in rg["NodeGroups"] for cid in ng["Members"]],
            "NodeGroups": node_groups,
            "AutomaticFailover": {"enabled": "enabling", "disabled": "disabling"}.get(
                rg["_pmv"].get("AutomaticFailoverStatus"), "enabled" if rg["AutomaticFailover"] else "disabled"),
            "MultiAZ": "enabled" if rg["MultiAZ"] else "disabled",
            "SnapshotRetentionLimit": rg["SnapshotRetentionLimit"], "SnapshotWindow": rg["SnapshotWindow"],
            "ClusterEnabled": rg["ClusterEnabled"], "CacheNodeType": rg["CacheNodeType"],
            "AuthTokenEnabled": bool(rg["_tokens"]),
            "TransitEncryptionEnabled": rg["TransitEncryptionEnabled"],
            "AtRestEncryptionEnabled": rg["AtRestEncryptionEnabled"],
            "ARN": self._arn("replicationgroup", rg["Id"]),
            "UserGroupIds": list(rg["UserGroupIds"]),
            "LogDeliveryConfigurations": [self._log_out(c) for c in rg["Logs"].values()],
            "ReplicationGroupCreateTime": rg["Created"],
            "DataTiering": "enabled" if rg["DataTiering"] else "disabled",
            "AutoMinorVersionUpgrade": rg["AutoMinorVersionUpgrade"],
            "NetworkType": rg["NetworkType"], "IpDiscovery": rg["IpDiscovery"],
            "ClusterMode": rg["ClusterMode"], "Engine": rg["Engine"],
            "MemberClustersOutpostArns": [],
        }
        if rg["SnapshottingClusterId"]:
            out["SnapshottingClusterId"] = rg["SnapshottingClusterId"]
        if rg["_tokens"] and rg["AuthTokenLastModifiedDate"]:
            out["AuthTokenLastModifiedDate"] = rg["AuthTokenLastModifiedDate"]
        if rg["TransitEncryptionEnabled"]:
            out["TransitEncryptionMode"] = rg["TransitEncryptionMode"]
        if rg["KmsKeyId"]:
            out["KmsKeyId"] = rg["KmsKeyId"]
        if rg["ClusterEnabled"] and not creating:
            out["ConfigurationEndpoint"] = self._endpoint(rg, "config")
        return out

    def _log_out(self, conf):
        out = {k: copy.deepcopy(v) for k, v in conf.items() if not k.startswith("_")}
        return out

    def op_CreateReplicationGroup(self, p):
        self._tick()
        rgid = _check_id(p.get("ReplicationGroupId"), "ReplicationGroupId", 40)
        if p.get("ReplicationGroupDescription") is None:
            raise _ipv("The parameter ReplicationGroupDescription must be provided.")
        if rgid in self.rgs:
            raise _fault("ReplicationGroupAlreadyExistsFault", "Replication group %s already exists." % rgid)
        if p.get("GlobalReplicationGroupId") or p.get("SnapshotArns") or p.get("SnapshotName") or \
                p.get("PrimaryClusterId") or p.get("ServerlessCacheSnapshotName") or p.get("CacheSecurityGroupNames"):
            raise _ipv("The emulator does not implement global datastores, seeding from snapshots, PrimaryClusterId "
                       "or EC2-Classic cache security groups.")
        engine = self._check_engine(p.get("Engine", "redis"))
        version, actual = self._check_engine_version(engine, p.get("EngineVersion"))
        if not p.get("CacheNodeType"):
            raise _ipv("The parameter CacheNodeType must be provided and must not be blank.")
        node_type = self._check_node_type(p["CacheNodeType"])

        # ---- topology
        ncc, nng, rpng = p.get("NumCacheClusters"), p.get("NumNodeGroups"), p.get("ReplicasPerNodeGroup")
        ngc = p.get("NodeGroupConfiguration")
        cmode = p.get("ClusterMode")
        if ncc is not None and (rpng is not None or (nng is not None and nng > 1)):
            raise _ipc("NumCacheClusters cannot be combined with ReplicasPerNodeGroup or NumNodeGroups > 1.")
        pg_name = p.get("CacheParameterGroupName")
        pg = self._get_param_group(pg_name) if pg_name else None
        if pg is not None and pg["Family"] != _family_for(engine, actual):
            raise _ipc("The parameter group %s (family %s) does not match engine %s %s (family %s)."
                       % (pg["Name"], pg["Family"], engine, version, _family_for(engine, actual)))
        if nng is not None and not 1 <= nng <= 500:
            raise _ipv("NumNodeGroups must be between 1 and 500.")
        if ngc and nng is not None and len(ngc) != nng:
            raise _ipc("NodeGroupConfiguration must contain NumNodeGroups (%d) entries." % nng)
        shards = nng if nng is not None else (len(ngc) if ngc else 1)
        if cmode == "disabled" and shards > 1:
            raise _ipc("ClusterMode disabled cannot be combined with more than one node group.")
        if pg is not None:
            enabled = self._pg_cluster_enabled(pg)
            if enabled and cmode == "disabled" or not enabled and (cmode == "enabled" or shards > 1):
                raise _ipc("Cluster mode and the parameter group's cluster-enabled setting (%s) do not match."
                           % ("yes" if enabled else "no"))
        else:
            enabled = cmode in ("enabled", "compatible") or shards > 1
        if cmode == "compatible":
            raise _ipv("ClusterMode compatible can only be set by ModifyReplicationGroup.")
        if enabled and ncc is not None:
            raise _ipc("NumCacheClusters cannot be used with cluster mode enabled; use NumNodeGroups and "
                       "ReplicasPerNodeGroup.")
        if enabled:
            if rpng is None:
                rpng = 0 if not ngc else None
            specs = []
            for i in range(shards):
                conf = ngc[i] if ngc else {}
                rc = conf.get("ReplicaCount", rpng if rpng is not None else 0)
                azs = ([conf["PrimaryAvailabilityZone"]] if conf.get("PrimaryAvailabilityZone") else []) + \
                    (conf.get("ReplicaAvailabilityZones") or [])
                specs.append((rc, azs or None))
        else:
            if ngc and len(ngc) > 1:
                raise _ipc("Only one NodeGroupConfiguration is allowed when cluster mode is disabled.")
            if ncc is not None:
                if not 1 <= ncc <= 6:
                    raise _ipv("NumCacheClusters must be between 1 and 6.")
                replicas = ncc - 1
            elif rpng is not None:
                replicas = rpng
            elif ngc and ngc[0].get("ReplicaCount") is not None:
                replicas = ngc[0]["ReplicaCount"]
            else:
                replicas = 0
            azs = p.get("PreferredCacheClusterAZs")
            if azs is not None and len(azs) != replicas + 1:
                raise _ipc("The number of PreferredCacheClusterAZs (%d) must equal NumCacheClusters (%d)."
                           % (len(azs), replicas + 1))
            specs = [(replicas, azs)]
        for rc, _ in specs:
            if rc is None or not 0 <= rc <= 5:
                raise _ipv("The number of replicas per node group must be between 0 and 5.")
        failover = bool(p.get("AutomaticFailoverEnabled", False))
        multi_az = bool(p.get("MultiAZEnabled", False))
        if enabled and p.get("AutomaticFailoverEnabled") is False:
            raise _ipv("Redis with cluster mode enabled cannot be created with auto failover turned off.")
        if enabled:
            failover = True
        if failover and not enabled and specs[0][0] < 1:
            raise _ipv("Automatic failover requires at least one read replica (NumCacheClusters >= 2).")
        if multi_az and not failover:
            raise _ipc("Multi-AZ can be enabled only when automatic failover is enabled.")
        if multi_az and any(rc < 1 for rc, _ in specs):
            raise _ipc("Multi-AZ requires at least one replica in every node group.")

        # ---- network
        sgn = p.get("CacheSubnetGroupName")
        vpc = None
        if sgn:
            sgrp = self._get_subnet_group(sgn)
            sgn, vpc = sgrp["Name"], sgrp["VpcId"]
            if p.get("PreferredCacheClusterAZs"):
                valid = set(self._azs(sgn))
                for az in p["PreferredCacheClusterAZs"]:
                    if az not in valid:
                        raise _fault("InvalidVPCNetworkStateFault", "Availability zone %s is not covered by cache "
                                     "subnet group %s." % (az, sgn))
        sec = self._check_security_groups(p.get("SecurityGroupIds"), vpc)
        port = p.get("Port", 6379)
        if not 1024 <= port <= 65535:
            raise _ipv("Port must be between 1024 and 65535.")

        # ---- security
        tls = bool(p.get("TransitEncryptionEnabled", False))
        mode = p.get("TransitEncryptionMode")
        if mode is not None and mode not in ("preferred", "required"):
            raise _ipv("TransitEncryptionMode must be preferred or required.")
        if mode is not None and not tls:
            raise _ipc("TransitEncryptionMode requires TransitEncryptionEnabled to be true.")
        mode = mode or ("required" if tls else None)
        token = p.get("AuthToken")
        ugs = p.get("UserGroupIds") or []
        if token is not None:
            if not tls:
                raise _ipc("AuthToken can be specified only when TransitEncryptionEnabled is true.")
            self._check_auth_token(token)
        if token is not None and ugs:
            raise _ipc("AuthToken and UserGroupIds cannot be specified together.")
        if len(ugs) > 1:
            raise _ipv("At most one user group can be associated with a replication group.")
        ug_objs = []
        for gid in ugs:
            ug_objs.append(self._check_attachable_user_group(gid, engine, actual, None))
        if ugs and not tls:
            raise _ipc("In-transit encryption must be enabled to use user groups (RBAC).")
        at_rest = bool(p.get("AtRestEncryptionEnabled", False))
        kms_arn = None
        if p.get("KmsKeyId") is not None:
            if not at_rest:
                raise _ipc("KmsKeyId requires AtRestEncryptionEnabled to be true.")
            kms_arn = self._check_kms(p["KmsKeyId"])

        # ---- maintenance
        # AWS picks the windows it is not given so that they do not overlap the ones it is given
        maint = p.get("PreferredMaintenanceWindow")
        snap = p.get("SnapshotWindow")
        if maint:
            maint = maint.lower()
            _parse_maint(maint)
        if snap:
            _parse_snap(snap)
        if not snap:
            snap = next((c for c in ("06:30-07:30", "03:00-04:00", "10:00-11:00", "20:00-21:00")
                         if not maint or not _windows_overlap(maint, c)), "06:30-07:30")
        if not maint:
            maint = next((c for c in ("sun:05:00-sun:06:00", "wed:09:00-wed:10:00", "sat:22:00-sat:23:00")
                          if not _windows_overlap(c, snap)), "sun:05:00-sun:06:00")
        if _windows_overlap(maint, snap):
            raise _ipc("The snapshot window %s and the maintenance window %s must not overlap." % (snap, maint))
        retention = p.get("SnapshotRetentionLimit", 0)
        if not 0 <= retention <= 35:
            raise _ipv("SnapshotRetentionLimit must be between 0 and 35.")
        logs = self._check_log_delivery(p.get("LogDeliveryConfigurations"))
        self._check_log_engine(logs, actual)
        tags = _check_tags(p.get("Tags"))
        data_tiering = bool(p.get("DataTieringEnabled", False))
        if data_tiering and ".r6gd." not in node_type:
            raise _ipc("Data tiering is supported only on cache.r6gd node types.")
        if p.get("NetworkType", "ipv4") != "ipv4" or p.get("IpDiscovery", "ipv4") != "ipv4":
            raise _ipv("The emulator supports only NetworkType ipv4 and IpDiscovery ipv4.")

        if pg is None:
            pg_name = "default.%s%s" % (_family_for(engine, actual), ".cluster.on" if enabled else "")
        else:
            pg_name = pg["Name"]
        now = self.emu.now()
        rg = {
            "Id": rgid, "Description": p["ReplicationGroupDescription"], "Status": "creating", "Created": now,
            "Engine": engine, "EngineVersion": version, "EngineVersionActual": actual, "CacheNodeType": node_type,
            "ClusterEnabled": enabled, "ClusterMode": "enabled" if enabled else "disabled",
            "CacheParameterGroupName": pg_name, "CacheSubnetGroupName": sgn, "SecurityGroupIds": sec,
            "Port": port, "PreferredMaintenanceWindow": maint, "SnapshotWindow": snap,
            "SnapshotRetentionLimit": retention, "AutoMinorVersionUpgrade": bool(p.get("AutoMinorVersionUpgrade",
                                                                                        True)),
            "NotificationTopicArn": p.get("NotificationTopicArn"),
            "TransitEncryptionEnabled": tls, "TransitEncryptionMode": mode, "AtRestEncryptionEnabled": at_rest,
            "KmsKeyId": kms_arn, "_tokens": [token] if token else [],
            "AuthTokenLastModifiedDate": now if token else None,
            "UserGroupIds": [g["UserGroupId"] for g in ug_objs],
            "Logs": {}, "AutomaticFailover": failover, "MultiAZ": multi_az, "DataTiering": data_tiering,
            "NetworkType": "ipv4", "IpDiscovery": "ipv4", "SnapshottingClusterId": None, "Tags": tags,
            "_pmv": {}, "_deferred": {}, "_pending_cluster": {}, "_until": None,
        }
        self._build_topology(rg, specs)
        if rg["AutomaticFailover"] is False and len(rg["NodeGroups"][0]["Members"]) > 1 and not enabled:
            rg["SnapshottingClusterId"] = rg["NodeGroups"][0]["Members"][1]
        for g in ug_objs:
            g["ReplicationGroups"].append(rgid)
        for lt, conf in logs.items():
            rg["Logs"][lt] = dict(conf, Status="enabling")

        def done():
            for c in rg["Clusters"].values():
                c["Status"] = "available"
            for conf in rg["Logs"].values():
                st, msg = self._log_status(conf)
                conf["Status"] = st
                if msg:
                    conf["Message"] = msg
        self._begin(rg, "creating", "create_delay_s", 2.0, "available", done)
        self.rgs[rgid] = rg
        return {"ReplicationGroup": self._rg_out(rg)}

    def _check_attachable_user_group(self, gid, engine, actual, rgid):
        g = self._get_user_group(gid)
        if g["Status"] != "active":
            raise _fault("InvalidUserGroupStateFault", "User group %s is not in active state (status: %s)."
                         % (g["UserGroupId"], g["Status"]))
        if _vtuple(actual) < (6, 0):
            raise _ipc("User groups (RBAC) require engine version 6.0 or later; the replication group runs %s."
                       % actual)
        if engine == "redis" and g["Engine"] != "redis":
            raise _ipc("User group %s has engine %s and cannot be used with engine redis." % (g["UserGroupId"],
                                                                                              g["Engine"]))
        others = [r for r in g["ReplicationGroups"] if r != rgid]
        if others:
            raise _fault("InvalidUserGroupStateFault", "User group %s is already associated with replication group "
                         "%s (the emulator allows one replication group per user group)." % (g["UserGroupId"],
                                                                                               others[0]))
        return g

    def op_DescribeReplicationGroups(self, p):
        self._tick()
        if p.get("ReplicationGroupId"):
            items = [self._get_rg(p["ReplicationGroupId"])]
        else:
            items = [self.rgs[k] for k in sorted(self.rgs)]
        page, nxt = _paginate(items, p)
        out = {"ReplicationGroups": [self._rg_out(rg) for rg in page]}
        if nxt:
            out["Marker"] = nxt
        return out

    def _apply_node_changes(self, rg, changes):
        rg["_pending_cluster"] = {}
        if "CacheNodeType" in changes:
            rg["CacheNodeType"] = changes["CacheNodeType"]
        if "EngineVersion" in changes:
            rg["EngineVersion"], rg["EngineVersionActual"] = changes["EngineVersion"]
            rg["Engine"] = changes.get("Engine", rg["Engine"])
            if "CacheParameterGroupName" in changes:
                rg["CacheParameterGroupName"] = changes["CacheParameterGroupName"]

    def op_ModifyReplicationGroup(self, p):
        self._tick()
        rg = self._get_rg(p.get("ReplicationGroupId"))
        self._require_available(rg)
        apply_now = bool(p.get("ApplyImmediately", False))
        now_changes = []      # closures applied right away (after all validation)
        done_changes = []     # closures applied when modifying -> available
        pmv = {}
        node_changes = {}

        # ---- engine, version, node type, parameter group
        engine = rg["Engine"]
        if p.get("Engine") is not None:
            engine = self._check_engine(p["Engine"])
            if engine == "redis" and rg["Engine"] == "valkey":
                raise _ipc("Cannot change the engine of a valkey replication group to redis.")
        version, actual = rg["EngineVersion"], rg["EngineVersionActual"]
        if p.get("EngineVersion") is not None or engine != rg["Engine"]:
            if p.get("EngineVersion") is None:
                raise _ipc("EngineVersion must be specified when changing the engine.")
            version, actual = self._check_engine_version(engine, p["EngineVersion"])
            if engine == rg["Engine"] and _vtuple(actual) < _vtuple(rg["EngineVersionActual"]):
                raise _ipc("Cannot downgrade %s from %s to %s: engine versions can only be upgraded."
                           % (rg["Engine"], rg["EngineVersionActual"], actual))
            if engine != rg["Engine"] and _vtuple(actual) < (7, 2):
                raise _ipc("Migrating to valkey requires engine version 7.2 or later.")
        new_family = _family_for(engine, actual)
        pg_name = rg["CacheParameterGroupName"]
        if p.get("CacheParameterGroupName") is not None:
            pg = self._get_param_group(p["CacheParameterGroupName"])
            if pg["Family"] != new_family:
                raise _ipc("Parameter group %s (family %s) does not match %s %s (family %s)."
                           % (pg["Name"], pg["Family"], engine, actual, new_family))
            if self._pg_cluster_enabled(pg) != rg["ClusterEnabled"]:
                raise _ipc("Parameter group %s has cluster-enabled %s, which does not match the replication group."
                           % (pg["Name"], "yes" if self._pg_cluster_enabled(pg) else "no"))
            pg_name = pg["Name"]
        elif (version, engine) != (rg["EngineVersion"], rg["Engine"]):
            current = self._get_param_group(rg["CacheParameterGroupName"])
            if current["Family"] != new_family:
                if not current["Default"]:
                    raise _ipc("Parameter group %s (family %s) is not compatible with %s %s; specify a "
                               "CacheParameterGroupName of family %s." % (current["Name"], current["Family"], engine,
                                                                         actual, new_family))
                pg_name = "default.%s%s" % (new_family, ".cluster.on" if rg["ClusterEnabled"] else "")
        if (version, engine) != (rg["EngineVersion"], rg["Engine"]):
            node_changes["EngineVersion"] = (version, actual)
            node_changes["Engine"] = engine
            node_changes["CacheParameterGroupName"] = pg_name
        elif pg_name != rg["CacheParameterGroupName"]:
            now_changes.append(lambda: rg.__setitem__("CacheParameterGroupName", pg_name))
        if p.get("CacheNodeType") is not None and p["CacheNodeType"] != rg["CacheNodeType"]:
            node_changes["CacheNodeType"] = self._check_node_type(p["CacheNodeType"])

        # ---- failover / multi-AZ
        failover = rg["AutomaticFailover"] if p.get("AutomaticFailoverEnabled") is None else \
            p["AutomaticFailoverEnabled"]
        multi_az = rg["MultiAZ"] if p.get("MultiAZEnabled") is None else p["MultiAZEnabled"]
        if rg["ClusterEnabled"] and not failover:
            raise _ipc("Automatic failover cannot be disabled for cluster mode enabled replication groups.")
        if failover and not rg["ClusterEnabled"] and len(rg["NodeGroups"][0]["Members"]) < 2:
            raise _ipv("Automatic failover requires at least one read replica.")
        if multi_az and not failover:
            raise _ipc("Multi-AZ can be enabled only when automatic failover is enabled.")
        if failover != rg["AutomaticFailover"]:
            pmv["AutomaticFailoverStatus"] = "enabled" if failover else "disabled"
            done_changes.append(lambda: rg.__setitem__("AutomaticFailover", failover))
        if multi_az != rg["MultiAZ"]:
            done_changes.append(lambda: rg.__setitem__("MultiAZ", multi_az))

        if p.get("PrimaryClusterId") is not None:
            if rg["ClusterEnabled"]:
                raise _ipc("PrimaryClusterId is not supported for cluster mode enabled replication groups.")
            target = p["PrimaryClusterId"].lower()
            if target not in rg["Clusters"]:
                raise _fault("CacheClusterNotFoundFault", "Cache cluster %s is not a member of replication group "
                                                          "%s." % (p["PrimaryClusterId"], rg["Id"]))
            if rg["Clusters"][target]["Role"] != "primary":
                def promote():
                    for c in rg["Clusters"].values():
                        c["Role"] = "primary" if c["CacheClusterId"] == target else "replica"
                done_changes.append(promote)
        if p.get("SnapshottingClusterId") is not None:
            sc = p["SnapshottingClusterId"].lower()
            if sc not in rg["Clusters"]:
                raise _fault("CacheClusterNotFoundFault", "Cache cluster %s is not a member of replication group "
                                                          "%s." % (p["SnapshottingClusterId"], rg["Id"]))
            now_changes.append(lambda: rg.__setitem__("SnapshottingClusterId", sc))
        if p.get("NodeGroupId") is not None and not any(ng["NodeGroupId"] == p["NodeGroupId"]
                                                        for ng in rg["NodeGroups"]):
            raise _ipv("Node group %s not found in replication group %s." % (p["NodeGroupId"], rg["Id"]))
        if p.get("CacheSecurityGroupNames"):
            raise _ipv("Cache security groups are EC2-Classic only; use SecurityGroupIds.")

        # ---- network
        if p.get("SecurityGroupIds") is not None:
            vpc = self.subnet_groups[rg["CacheSubnetGroupName"]]["VpcId"] if rg["CacheSubnetGroupName"] else None
            if not p["SecurityGroupIds"]:
                raise _ipv("SecurityGroupIds must contain at least one security group.")
            sec = self._check_security_groups(p["SecurityGroupIds"], vpc)
            if sec != rg["SecurityGroupIds"]:
                now_changes.append(lambda: rg.__setitem__("SecurityGroupIds", sec))
        if p.get("IpDiscovery") not in (None, "ipv4"):
            raise _ipv("The emulator supports only IpDiscovery ipv4.")

        # ---- windows, snapshots, description, misc
        maint = p["PreferredMaintenanceWindow"].lower() if p.get("PreferredMaintenanceWindow") else \
            rg["PreferredMaintenanceWindow"]
        _parse_maint(maint)
        snap = p.get("SnapshotWindow") or rg["SnapshotWindow"]
        _parse_snap(snap)
        if (maint, snap) != (rg["PreferredMaintenanceWindow"], rg["SnapshotWindow"]) and \
                _windows_overlap(maint, snap):
            raise _ipc("The snapshot window %s and the maintenance window %s must not overlap." % (snap, maint))
        simple = {"PreferredMaintenanceWindow": maint, "SnapshotWindow": snap}
        if p.get("SnapshotRetentionLimit") is not None:
            if not 0 <= p["SnapshotRetentionLimit"] <= 35:
                raise _ipv("SnapshotRetentionLimit must be between 0 and 35.")
            simple["SnapshotRetentionLimit"] = p["SnapshotRetentionLimit"]
        if p.get("ReplicationGroupDescription") is not None:
            simple["Description"] = p["ReplicationGroupDescription"]
        if p.get("AutoMinorVersionUpgrade") is not None:
            simple["AutoMinorVersionUpgrade"] = p["AutoMinorVersionUpgrade"]
        if p.get("NotificationTopicArn") is not None:
            simple["NotificationTopicArn"] = p["NotificationTopicArn"]
        simple = {k: v for k, v in simple.items() if rg.get(k) != v}

        # ---- in-transit encryption
        tls, mode = rg["TransitEncryptionEnabled"], rg["TransitEncryptionMode"]
        req_tls, req_mode = p.get("TransitEncryptionEnabled"), p.get("TransitEncryptionMode")
        if req_mode is not None and req_mode not in ("preferred", "required"):
            raise _ipv("TransitEncryptionMode must be preferred or required.")
        if req_tls is True and not tls:
            if _vtuple(rg["EngineVersionActual"]) < (7, 0):
                raise _ipc("Enabling in-transit encryption on an existing replication group requires engine "
                           "version 7.0 or later.")
            if req_mode != "preferred":
                raise _ipc("To enable in-transit encryption on an existing replication group, TransitEncryptionMode "
                           "must be set to preferred in the same request.")
            tls, mode = True, "preferred"
        elif req_tls is False and tls:
            if rg["_tokens"] or rg["UserGroupIds"]:
                raise _ipc("In-transit encryption cannot be disabled while an AUTH token or user group is in use.")
            if rg["TransitEncryptionMode"] != "preferred":
                raise _ipc("TransitEncryptionMode must be preferred before in-transit encryption can be disabled.")
            if req_mode is not None:
                raise _ipc("TransitEncryptionMode cannot be set when disabling in-transit encryption.")
            tls, mode = False, None
        elif req_mode is not None:
            if not tls:
                raise _ipc("TransitEncryptionMode requires in-transit encryption to be enabled.")
            if req_mode != mode:
                mode = req_mode
        tls_changed = (tls, mode) != (rg["TransitEncryptionEnabled"], rg["TransitEncryptionMode"])
        if tls_changed:
            pmv["TransitEncryptionEnabled"] = tls
            if mode:
                pmv["TransitEncryptionMode"] = mode

            def set_tls():
                rg["TransitEncryptionEnabled"], rg["TransitEncryptionMode"] = tls, mode
            done_changes.append(set_tls)

        # ---- user groups
        current_ugs = list(rg["UserGroupIds"])
        to_add = [g.lower() for g in p.get("UserGroupIdsToAdd") or []]
        to_remove = [g.lower() for g in p.get("UserGroupIdsToRemove") or []]
        if p.get("RemoveUserGroups"):
            if to_add:
                raise _ipc("RemoveUserGroups cannot be combined with UserGroupIdsToAdd.")
            to_remove = list(current_ugs)
        for gid in to_remove:
            if gid not in current_ugs:
                self._get_user_group(gid)
                raise _ipv("User group %s is not associated with replication group %s." % (gid, rg["Id"]))
        add_objs = []
        for gid in to_add:
            if gid in current_ugs:
                raise _ipv("User group %s is already associated with replication group %s." % (gid, rg["Id"]))
            add_objs.append(self._check_attachable_user_group(gid, engine, actual, rg["Id"]))
        new_ugs = [g for g in current_ugs if g not in to_remove] + [g["UserGroupId"] for g in add_objs]
        if len(new_ugs) > 1:
            raise _ipv("At most one user group can be associated with a replication group.")
        if add_objs and not tls:
            raise _ipc("In-transit encryption must be enabled to use user groups (RBAC).")

        # ---- AUTH token
        token = p.get("AuthToken")
        strategy = p.get("AuthTokenUpdateStrategy")
        tokens = list(rg["_tokens"])
        auth_status = None
        if strategy is not None and strategy not in ("SET", "ROTATE", "DELETE"):
            raise _ipv("AuthTokenUpdateStrategy must be SET, ROTATE or DELETE.")
        if token is not None:
            self._check_auth_token(token)
            if not tls:
                raise _ipc("AuthToken can be specified only when in-transit encryption is enabled.")
            if new_ugs:
                raise _ipc("AuthToken cannot be used on a replication group that uses user groups.")
            strategy = strategy or "ROTATE"
            if strategy == "DELETE":
                raise _ipc("AuthTokenUpdateStrategy DELETE cannot be combined with a new AuthToken.")
            if strategy == "ROTATE":
                tokens = (tokens[-1:] if tokens else []) + [token]
                auth_status = "ROTATING"
            else:
                if not rg["_tokens"]:
                    raise _ipc("AuthTokenUpdateStrategy SET is allowed only after ROTATE: the replication group has "
                               "no AUTH token.")
                tokens = [token]
                auth_status = "SETTING"
        elif strategy in ("SET", "ROTATE"):
            raise _ipc("AuthTokenUpdateStrategy %s requires AuthToken." % strategy)
        elif strategy == "DELETE":
            if not rg["_tokens"]:
                raise _ipc("The replication group has no AUTH token to delete.")
            if not add_objs:
                raise _ipc("AuthTokenUpdateStrategy DELETE is allowed only when migrating to RBAC: specify "
                           "UserGroupIdsToAdd in the same request.")
            tokens = []
            auth_status = "SETTING"
        if add_objs and tokens:
            raise _ipc("A replication group with an AUTH token can be moved to RBAC only with "
                       "AuthTokenUpdateStrategy DELETE.")
        if auth_status:
            pmv["AuthTokenStatus"] = auth_status

            def set_tokens():
                rg["_tokens"] = tokens
                rg["AuthTokenLastModifiedDate"] = self.emu.now() if tokens else None
            done_changes.append(set_tokens)
        if new_ugs != current_ugs:
            ugp = {}
            if add_objs:
                ugp["UserGroupIdsToAdd"] = [g["UserGroupId"] for g in add_objs]
            if to_remove:
                ugp["UserGroupIdsToRemove"] = list(to_remove)
            pmv["UserGroups"] = ugp

            def attach_now():
                for g in add_objs:
                    g["ReplicationGroups"].append(rg["Id"])
                    if g["Status"] == "active":
                        self._begin(g, "modifying", "modify_delay_s", 1.0, "active")
            now_changes.append(attach_now)

            def finish_ugs():
                rg["UserGroupIds"] = new_ugs
                for gid in to_remove:
                    g = self.user_groups.get(gid)
                    if g and rg["Id"] in g["ReplicationGroups"]:
                        g["ReplicationGroups"].remove(rg["Id"])
            done_changes.append(finish_ugs)

        # ---- log delivery
        logs = self._check_log_delivery(p.get("LogDeliveryConfigurations"), rg["Logs"], modify=True)
        self._check_log_engine(logs, actual)
        log_changes = {}
        for lt, conf in logs.items():
            old = rg["Logs"].get(lt)
            if conf is None:
                log_changes[lt] = None
            elif old is None or any(old.get(k) != conf[k] for k in conf):
                log_changes[lt] = conf
        if log_changes:
            pend = []
            for lt, conf in log_changes.items():
                if conf is not None:
                    pend.append(copy.deepcopy(conf))
            if pend:
                pmv["LogDeliveryConfigurations"] = pend

            def mark_logs():
                for lt, conf in log_changes.items():
                    if conf is None:
                        rg["Logs"][lt]["Status"] = "disabling"
                    elif lt in rg["Logs"]:
                        rg["Logs"][lt]["Status"] = "modifying"
                    else:
                        rg["Logs"][lt] = dict(conf, Status="enabling")
            now_changes.append(mark_logs)

            def finish_logs():
                for lt, conf in log_changes.items():
                    if conf is None:
                        rg["Logs"].pop(lt, None)
                    else:
                        entry = dict(conf)
                        st, msg = self._log_status(entry)
                        entry["Status"] = st
                        if msg:
                            entry["Message"] = msg
                        rg["Logs"][lt] = entry
            done_changes.append(finish_logs)

        # ---- cluster mode
        if p.get("ClusterMode") is not None and p["ClusterMode"] != rg["ClusterMode"]:
            allowed = {("disabled", "compatible"), ("compatible", "enabled"), ("compatible", "disabled")}
            if (rg["ClusterMode"], p["ClusterMode"]) not in allowed:
                raise _ipc("ClusterMode can change only disabled -> compatible -> enabled (or back to disabled from "
                           "compatible); current mode is %s." % rg["ClusterMode"])
            pmv["ClusterMode"] = p["ClusterMode"]
            cm = p["ClusterMode"]
            done_changes.append(lambda: rg.__setitem__("ClusterMode", cm))

        # ---- commit
        deferred = {}
        if apply_now and rg["_deferred"]:
            # ApplyImmediately also applies the modifications still pending for the maintenance window
            node_changes = dict(rg["_deferred"], **node_changes)
            rg["_deferred"] = {}
        if node_changes:
            if apply_now:
                rg["_pending_cluster"] = {k: v for k, v in node_changes.items() if k in ("CacheNodeType",
                                                                                        "EngineVersion")}
                nc = dict(node_changes)
                done_changes.append(lambda: self._apply_node_changes(rg, nc))
            else:
                deferred = node_changes
        for k, v in simple.items():
            rg[k] = v
        for fn in now_changes:
            fn()
        if deferred:
            rg["_deferred"].update(deferred)
            rg["_pending_cluster"] = {k: v for k, v in rg["_deferred"].items() if k in ("CacheNodeType",
                                                                                      "EngineVersion")}
        if done_changes or simple or now_changes:
            rg["_pmv"] = pmv

            def finish():
                for fn in done_changes:
                    fn()
                rg["_pmv"] = {}
            self._begin(rg, "modifying", "modify_delay_s", 1.0, "available", finish)
        return {"ReplicationGroup": self._rg_out(rg)}

    def _replica_targets(self, rg, p, increase):
        """Returns {node group id: new replica count} from NewReplicaCount / ReplicaConfiguration."""
        if not p.get("ApplyImmediately", False):
            raise _ipv("ApplyImmediately must be true: changing the replica count is always applied immediately.")
        new = p.get("NewReplicaCount")
        confs = p.get("ReplicaConfiguration")
        targets = {}
        if new is not None and confs:
            raise _ipc("NewReplicaCount and ReplicaConfiguration cannot be specified together.")
        if new is not None:
            for ng in rg["NodeGroups"]:
                targets[ng["NodeGroupId"]] = new
        elif confs:
            ids = {ng["NodeGroupId"] for ng in rg["NodeGroups"]}
            for c in confs:
                if c.get("NodeGroupId") not in ids:
                    raise _ipv("Node group %s not found in replication group %s." % (c.get("NodeGroupId"), rg["Id"]))
                targets[c["NodeGroupId"]] = c.get("NewReplicaCount")
        elif not (not increase and p.get("ReplicasToRemove")):
            raise _ipc("Either NewReplicaCount or ReplicaConfiguration must be specified.")
        for ngid, n in targets.items():
            if n is None or not 0 <= n <= 5:
                raise _ipv("The replica count must be between 0 and 5.")
            cur = len(next(ng for ng in rg["NodeGroups"] if ng["NodeGroupId"] == ngid)["Members"]) - 1
            if increase and n <= cur:
                raise _ipv("The new replica count %d for node group %s must be greater than the current count %d."
                           % (n, ngid, cur))
            if not increase and n >= cur:
                raise _ipv("The new replica count %d for node group %s must be less than the current count %d."
                           % (n, ngid, cur))
            if not increase and rg["AutomaticFailover"] and n < 1 and not rg["ClusterEnabled"]:
                raise _ipc("Cannot remove all replicas while automatic failover is enabled.")
        return targets

    def op_IncreaseReplicaCount(self, p):
        self._tick()
        rg = self._get_rg(p.get("ReplicationGroupId"))
        self._require_available(rg)
        targets = self._replica_targets(rg, p, True)
        azs = self._azs(rg["CacheSubnetGroupName"])
        for ng in rg["NodeGroups"]:
            n = targets.get(ng["NodeGroupId"])
            while n is not None and len(ng["Members"]) - 1 < n:
                cid = self._next_member_id(rg, ng)
                c = self._new_cluster(rg, cid, azs[len(ng["Members"]) % len(azs)], "replica")
                c["Status"] = "creating"
                rg["Clusters"][cid] = c
                ng["Members"].append(cid)

        def finish():
            for c in rg["Clusters"].values():
                c["Status"] = "available"
        self._begin(rg, "modifying", "modify_delay_s", 1.0, "available", finish)
        return {"ReplicationGroup": self._rg_out(rg)}

    def op_DecreaseReplicaCount(self, p):
        self._tick()
        rg = self._get_rg(p.get("ReplicationGroupId"))
        self._require_available(rg)
        remove = [c.lower() for c in p.get("ReplicasToRemove") or []]
        if remove and (p.get("NewReplicaCount") is not None or p.get("ReplicaConfiguration")):
            raise _ipc("ReplicasToRemove cannot be combined with NewReplicaCount or ReplicaConfiguration.")
        targets = self._replica_targets(rg, p, False)
        doomed = []
        if remove:
            for cid in remove:
                c = rg["Clusters"].get(cid)
                if c is None:
                    raise _fault("CacheClusterNotFoundFault", "Cache cluster %s not found in replication group %s."
                                 % (cid, rg["Id"]))
                if c["Role"] == "primary":
                    raise _ipv("Cache cluster %s is a primary and cannot be removed." % cid)
            for ng in rg["NodeGroups"]:
                left = len([m for m in ng["Members"] if m not in remove]) - 1
                if rg["AutomaticFailover"] and left < 1 and not rg["ClusterEnabled"]:
                    raise _ipc("Cannot remove all replicas while automatic failover is enabled.")
            doomed = remove
        else:
            for ng in rg["NodeGroups"]:
                n = targets.get(ng["NodeGroupId"])
                if n is None:
                    continue
                replicas = [m for m in ng["Members"] if rg["Clusters"][m]["Role"] != "primary"]
                doomed += replicas[n:] if n else replicas
        for cid in doomed:
            rg["Clusters"][cid]["Status"] = "deleting"

        def finish():
            for ng in rg["NodeGroups"]:
                ng["Members"] = [m for m in ng["Members"] if m not in doomed]
            for cid in doomed:
                rg["Clusters"].pop(cid, None)
            if rg["SnapshottingClusterId"] in doomed:
                rg["SnapshottingClusterId"] = None
        self._begin(rg, "modifying", "modify_delay_s", 1.0, "available", finish)
        return {"ReplicationGroup": self._rg_out(rg)}

    def op_ModifyReplicationGroupShardConfiguration(self, p):
        self._tick()
        rg = self._get_rg(p.get("ReplicationGroupId"))
        self._require_available(rg)
        if not rg["ClusterEnabled"]:
            raise _ipv("Shard configuration can be modified only for cluster mode enabled replication groups.")
        if not p.get("ApplyImmediately", False):
            raise _ipv("ApplyImmediately must be true for online resharding.")
        count = p.get("NodeGroupCount")
        cur = len(rg["NodeGroups"])
        if count is None or not 1 <= count <= 500:
            raise _ipv("NodeGroupCount must be between 1 and 500.")
        if count == cur:
            raise _ipv("NodeGroupCount %d equals the current number of node groups." % count)
        ids = [ng["NodeGroupId"] for ng in rg["NodeGroups"]]
        to_remove = []
        if count < cur:
            rem, ret = p.get("NodeGroupsToRemove"), p.get("NodeGroupsToRetain")
            if bool(rem) == bool(ret):
                raise _ipc("Exactly one of NodeGroupsToRemove or NodeGroupsToRetain is required when reducing the "
                           "number of node groups.")
            for x in (rem or ret):
                if x not in ids:
                    raise _ipv("Node group %s not found in replication group %s." % (x, rg["Id"]))
            to_remove = list(rem) if rem else [i for i in ids if i not in ret]
            if cur - len(to_remove) != count:
                raise _ipc("NodeGroupCount %d does not match the node groups removed or retained." % count)
        elif p.get("NodeGroupsToRemove") or p.get("NodeGroupsToRetain"):
            raise _ipc("NodeGroupsToRemove/NodeGroupsToRetain are only valid when reducing the number of node "
                       "groups.")
        replicas = len(rg["NodeGroups"][0]["Members"]) - 1
        azs = self._azs(rg["CacheSubnetGroupName"])

        def finish():
            rg["NodeGroups"] = [ng for ng in rg["NodeGroups"] if ng["NodeGroupId"] not in to_remove]
            for cid in list(rg["Clusters"]):
                if not any(cid in ng["Members"] for ng in rg["NodeGroups"]):
                    del rg["Clusters"][cid]
            while len(rg["NodeGroups"]) < count:
                rg["_ng_seq"] += 1
                ng = {"NodeGroupId": "%04d" % rg["_ng_seq"], "Members": [], "Slots": None}
                for j in range(replicas + 1):
                    cid = "%s-%s-%03d" % (rg["Id"], ng["NodeGroupId"], j + 1)
                    rg["Clusters"][cid] = self._new_cluster(rg, cid, azs[(len(rg["NodeGroups"]) + j) % len(azs)],
                                                            "primary" if j == 0 else "replica")
                    rg["Clusters"][cid]["Status"] = "available"
                    ng["Members"].append(cid)
                rg["NodeGroups"].append(ng)
            for ng, slots in zip(rg["NodeGroups"], self._slots(len(rg["NodeGroups"]))):
                ng["Slots"] = slots
            rg["_pmv"] = {}
        rg["_pmv"] = {"Resharding": {"SlotMigration": {"ProgressPercentage": 0.0}}}
        self._begin(rg, "modifying", "modify_delay_s", 1.0, "available", finish)
        return {"ReplicationGroup": self._rg_out(rg)}

    def op_DeleteReplicationGroup(self, p):
        self._tick()
        rg = self._get_rg(p.get("ReplicationGroupId"))
        if rg["Status"] not in ("available", "create-failed", "snapshotting"):
            raise _fault("InvalidReplicationGroupStateFault", "Replication group %s has status %s which is not "
                         "valid for deletion." % (rg["Id"], rg["Status"]))
        retain = bool(p.get("RetainPrimaryCluster", False))
        if retain and rg["ClusterEnabled"]:
            raise _ipc("RetainPrimaryCluster is not supported for cluster mode enabled replication groups.")
        snap = p.get("FinalSnapshotIdentifier")
        if snap is not None:
            snap_id = _check_id(snap, "FinalSnapshotIdentifier", 255)
            if snap_id in self.snapshots:
                raise _fault("SnapshotAlreadyExistsFault", "Snapshot %s already exists." % snap_id)
            self.snapshots[snap_id] = {"SnapshotName": snap_id, "ReplicationGroupId": rg["Id"],
                                       "Created": self.emu.now(), "Engine": rg["Engine"],
                                       "EngineVersion": rg["EngineVersionActual"],
                                       "CacheNodeType": rg["CacheNodeType"], "NumNodeGroups": len(rg["NodeGroups"])}
        primary = None
        if retain:
            primary = next(c for c in rg["Clusters"].values() if c["Role"] == "primary")

        def finish():
            for gid in rg["UserGroupIds"]:
                g = self.user_groups.get(gid)
                if g and rg["Id"] in g["ReplicationGroups"]:
                    g["ReplicationGroups"].remove(rg["Id"])
            if primary is not None:
                c = dict(primary, Status="available", Standalone=True, Engine=rg["Engine"],
                         EngineVersionActual=rg["EngineVersionActual"], CacheNodeType=rg["CacheNodeType"],
                         CacheParameterGroupName=rg["CacheParameterGroupName"],
                         CacheSubnetGroupName=rg["CacheSubnetGroupName"],
                         SecurityGroupIds=list(rg["SecurityGroupIds"]), Port=rg["Port"],
                         PreferredMaintenanceWindow=rg["PreferredMaintenanceWindow"],
                         SnapshotWindow=rg["SnapshotWindow"], SnapshotRetentionLimit=rg["SnapshotRetentionLimit"],
                         AtRestEncryptionEnabled=rg["AtRestEncryptionEnabled"],
                         TransitEncryptionEnabled=rg["TransitEncryptionEnabled"],
                         AutoMinorVersionUpgrade=rg["AutoMinorVersionUpgrade"], _until=None)
                self.standalone[c["CacheClusterId"]] = c
        for c in rg["Clusters"].values():
            c["Status"] = "deleting"
        rg["_pmv"] = {}
        self._begin(rg, "deleting", "delete_delay_s", 1.0, None, finish)
        return {"ReplicationGroup": self._rg_out(rg)}

    # ========================================================================================= cache clusters
    def _cluster_out(self, rg, c, show_nodes):
        if rg is None:
            st = c["Status"]
            out = {"CacheClusterId": c["CacheClusterId"], "CacheNodeType": c["CacheNodeType"],
                   "Engine": c["Engine"], "EngineVersion": c["EngineVersionActual"], "CacheClusterStatus": st,
                   "NumCacheNodes": 1, "PreferredAvailabilityZone": c["AZ"], "CacheClusterCreateTime": c["Created"],
                   "PreferredMaintenanceWindow": c["PreferredMaintenanceWindow"], "PendingModifiedValues": {},
                   "CacheSecurityGroups": [],
                   "CacheParameterGroup": {"CacheParameterGroupName": c["CacheParameterGroupName"],
                                           "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []},
                   "AutoMinorVersionUpgrade": c["AutoMinorVersionUpgrade"],
                   "SecurityGroups": [{"SecurityGroupId": s, "Status": "active"} for s in c["SecurityGroupIds"]],
                   "SnapshotRetentionLimit": c["SnapshotRetentionLimit"], "SnapshotWindow": c["SnapshotWindow"],
                   "AuthTokenEnabled": False, "TransitEncryptionEnabled": c["TransitEncryptionEnabled"],
                   "AtRestEncryptionEnabled": c["AtRestEncryptionEnabled"],
                   "ARN": self._arn("cluster", c["CacheClusterId"]), "ReplicationGroupLogDeliveryEnabled": False,
                   "LogDeliveryConfigurations": [], "NetworkType": "ipv4", "IpDiscovery": "ipv4"}
            if c["CacheSubnetGroupName"]:
                out["CacheSubnetGroupName"] = c["CacheSubnetGroupName"]
            if show_nodes:
                dom, _ = self._domain()
                out["CacheNodes"] = [{"CacheNodeId": "0001", "CacheNodeStatus": st, "CacheNodeCreateTime":
                                      c["Created"], "Endpoint": {"Address": "%s.%s" % (c["CacheClusterId"], dom),
                                                                 "Port": c["Port"]},
                                      "ParameterGroupStatus": "in-sync", "CustomerAvailabilityZone": c["AZ"]}]
            return out
        if rg["Status"] in ("creating", "deleting"):
            st = rg["Status"]
        else:
            st = c["Status"] if c["Status"] in ("creating", "deleting") else rg["Status"]
        pend = {}
        if rg["_pending_cluster"].get("CacheNodeType"):
            pend["CacheNodeType"] = rg["_pending_cluster"]["CacheNodeType"]
        if rg["_pending_cluster"].get("EngineVersion"):
            pend["EngineVersion"] = rg["_pending_cluster"]["EngineVersion"][1]
        if rg["_pmv"].get("AuthTokenStatus"):
            pend["AuthTokenStatus"] = rg["_pmv"]["AuthTokenStatus"]
        if "TransitEncryptionEnabled" in rg["_pmv"]:
            pend["TransitEncryptionEnabled"] = rg["_pmv"]["TransitEncryptionEnabled"]
        if rg["_pmv"].get("TransitEncryptionMode"):
            pend["TransitEncryptionMode"] = rg["_pmv"]["TransitEncryptionMode"]
        out = {"CacheClusterId": c["CacheClusterId"], "CacheNodeType": rg["CacheNodeType"], "Engine": rg["Engine"],
               "EngineVersion": rg["EngineVersionActual"], "CacheClusterStatus": st, "NumCacheNodes": 1,
               "PreferredAvailabilityZone": c["AZ"], "CacheClusterCreateTime": c["Created"],
               "PreferredMaintenanceWindow": rg["PreferredMaintenanceWindow"], "PendingModifiedValues": pend,
               "CacheSecurityGroups": [],
               "CacheParameterGroup": {"CacheParameterGroupName": rg["CacheParameterGroupName"],
                                       "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []},
               "AutoMinorVersionUpgrade": rg["AutoMinorVersionUpgrade"],
               "SecurityGroups": [{"SecurityGroupId": s, "Status": "active"} for s in rg["SecurityGroupIds"]],
               "ReplicationGroupId": rg["Id"], "SnapshotRetentionLimit": rg["SnapshotRetentionLimit"],
               "SnapshotWindow": rg["SnapshotWindow"], "AuthTokenEnabled": bool(rg["_tokens"]),
               "TransitEncryptionEnabled": rg["TransitEncryptionEnabled"],
               "AtRestEncryptionEnabled": rg["AtRestEncryptionEnabled"],
               "ARN": self._arn("cluster", c["CacheClusterId"]),
               "ReplicationGroupLogDeliveryEnabled": bool(rg["Logs"]),
               "LogDeliveryConfigurations": [self._log_out(x) for x in rg["Logs"].values()],
               "NetworkType": rg["NetworkType"], "IpDiscovery": rg["IpDiscovery"]}
        if rg["NotificationTopicArn"]:
            out["NotificationConfiguration"] = {"TopicArn": rg["NotificationTopicArn"], "TopicStatus": "active"}
        if rg["CacheSubnetGroupName"]:
            out["CacheSubnetGroupName"] = rg["CacheSubnetGroupName"]
        if rg["_tokens"] and rg["AuthTokenLastModifiedDate"]:
            out["AuthTokenLastModifiedDate"] = rg["AuthTokenLastModifiedDate"]
        if rg["TransitEncryptionEnabled"]:
            out["TransitEncryptionMode"] = rg["TransitEncryptionMode"]
        if show_nodes:
            node = {"CacheNodeId": "0001", "CacheNodeStatus": st, "CacheNodeCreateTime": c["Created"],
                    "ParameterGroupStatus": "in-sync", "CustomerAvailabilityZone": c["AZ"]}
            if st != "creating":
                node["Endpoint"] = self._endpoint(rg, "node", cid=c["CacheClusterId"])
            out["CacheNodes"] = [node]
        return out

    def op_DescribeCacheClusters(self, p):
        self._tick()
        pairs = []
        for rid in sorted(self.rgs):
            rg = self.rgs[rid]
            for ng in rg["NodeGroups"]:
                for cid in ng["Members"]:
                    pairs.append((rg, rg["Clusters"][cid]))
        pairs += [(None, self.standalone[k]) for k in sorted(self.standalone)]
        if p.get("ShowCacheClustersNotInReplicationGroups"):
            pairs = [x for x in pairs if x[0] is None]
        if p.get("CacheClusterId"):
            want = p["CacheClusterId"].lower()
            pairs = [x for x in pairs if x[1]["CacheClusterId"] == want]
            if not pairs:
                raise _fault("CacheClusterNotFoundFault", "CacheCluster not found: %s" % p["CacheClusterId"])
        page, nxt = _paginate(pairs, p)
        out = {"CacheClusters": [self._cluster_out(rg, c, bool(p.get("ShowCacheNodeInfo"))) for rg, c in page]}
        if nxt:
            out["Marker"] = nxt
        return out

    def op_DeleteCacheCluster(self, p):
        """Only for clusters retained by DeleteReplicationGroup(RetainPrimaryCluster=true)."""
        self._tick()
        cid = (p.get("CacheClusterId") or "").lower()
        for rg in self.rgs.values():
            if cid in rg["Clusters"]:
                raise _fault("InvalidCacheClusterStateFault", "Cache cluster %s is a member of replication group %s;"
                             " it cannot be deleted on its own." % (cid, rg["Id"]))
        c = self.standalone.get(cid)
        if c is None:
            raise _fault("CacheClusterNotFoundFault", "CacheCluster not found: %s" % p.get("CacheClusterId"))
        if c["Status"] != "available":
            raise _fault("InvalidCacheClusterStateFault", "Cache cluster %s is not in available state (status: %s)."
                         % (cid, c["Status"]))
        if p.get("FinalSnapshotIdentifier"):
            raise _ipv("The emulator does not implement final snapshots for standalone cache clusters.")
        self._begin(c, "deleting", "delete_delay_s", 1.0, None)
        return {"CacheCluster": self._cluster_out(None, c, False)}

    # ========================================================================================= engine versions
    def op_DescribeCacheEngineVersions(self, p):
        """AWS lists actual versions (e.g. 7.1.0) here; CreateReplicationGroup accepts them or major.minor."""
        items = []
        for engine in ("redis", "valkey"):
            for req, actual in sorted(set(ENGINE_VERSIONS[engine].items()), key=lambda kv: _vtuple(kv[1])):
                if req == "6.x":
                    continue
                items.append({"Engine": engine, "EngineVersion": actual,
                              "CacheParameterGroupFamily": _family_for(engine, actual),
                              "CacheEngineDescription": "Redis" if engine == "redis" else "Valkey",
                              "CacheEngineVersionDescription": "%s %s" % ("Redis" if engine == "redis" else "Valkey",
                                                                          actual)})
        if p.get("Engine"):
            items = [x for x in items if x["Engine"] == p["Engine"].lower()]
        if p.get("EngineVersion"):
            want = p["EngineVersion"]
            items = [x for x in items if x["EngineVersion"] == want or
                     ENGINE_VERSIONS[x["Engine"]].get(want) == x["EngineVersion"]]
        if p.get("CacheParameterGroupFamily"):
            items = [x for x in items if x["CacheParameterGroupFamily"] == p["CacheParameterGroupFamily"]]
        if p.get("DefaultOnly"):
            defaults = {ENGINE_VERSIONS[e][DEFAULT_ENGINE_VERSION[e]] for e in ENGINE_VERSIONS}
            items = [x for x in items if x["EngineVersion"] in defaults]
        page, nxt = _paginate(items, p)
        out = {"CacheEngineVersions": page}
        if nxt:
            out["Marker"] = nxt
        return out

    # ============================================================================================== snapshots
    def op_DescribeSnapshots(self, p):
        self._tick()
        items = [self.snapshots[k] for k in sorted(self.snapshots)]
        if p.get("SnapshotName"):
            items = [s for s in items if s["SnapshotName"] == p["SnapshotName"].lower()]
            if not items:
                raise _fault("SnapshotNotFoundFault", "Snapshot %s not found." % p["SnapshotName"])
        if p.get("ReplicationGroupId"):
            items = [s for s in items if s["ReplicationGroupId"] == p["ReplicationGroupId"].lower()]
        page, nxt = _paginate(items, p, default=50, lo=20, hi=50)
        out = {"Snapshots": [self._snap_out(s) for s in page]}
        if nxt:
            out["Marker"] = nxt
        return out

    def _snap_out(self, s):
        return {"SnapshotName": s["SnapshotName"], "ReplicationGroupId": s["ReplicationGroupId"],
                "SnapshotStatus": "available", "SnapshotSource": "manual", "CacheNodeType": s["CacheNodeType"],
                "Engine": s["Engine"], "EngineVersion": s["EngineVersion"], "NumNodeGroups": s["NumNodeGroups"],
                "ARN": self._arn("snapshot", s["SnapshotName"])}

    def op_DeleteSnapshot(self, p):
        self._tick()
        name = (p.get("SnapshotName") or "").lower()
        s = self.snapshots.get(name)
        if s is None:
            raise _fault("SnapshotNotFoundFault", "Snapshot %s not found." % p.get("SnapshotName"))
        del self.snapshots[name]
        out = self._snap_out(s)
        out["SnapshotStatus"] = "deleting"
        return {"Snapshot": out}

    # =================================================================================================== tags
    def _tag_target(self, arn):
        m = re.match(r"^arn:[a-z-]+:elasticache:([a-z0-9-]+):(\d{12}):([a-z]+):(.+)$", arn or "")
        if not m:
            raise _fault("InvalidARNFault", "The ARN %s is not a valid ElastiCache ARN." % arn)
        region, acct, kind, ident = m.groups()
        if region != self.emu.region or acct != self.emu.account_id:
            raise _fault("InvalidARNFault", "The ARN %s does not belong to this account and region." % arn)
        ident = ident.lower()
        if kind == "replicationgroup":
            rg = self.rgs.get(ident)
            if rg is None:
                raise _fault("ReplicationGroupNotFoundFault", "ReplicationGroup %s not found." % ident)
            return rg
        if kind == "user":
            u = self.users.get(ident)
            if u is None:
                raise _fault("UserNotFoundFault", "User %s not found." % ident)
            return u
        if kind == "usergroup":
            return self._get_user_group(ident)
        if kind == "subnetgroup":
            return self._get_subnet_group(ident)
        if kind == "parametergroup":
            pg = self._get_param_group(ident)
            if pg["Default"]:
                raise _ipv("Default parameter groups cannot be tagged.")
            return pg
        if kind == "cluster":
            c = self.standalone.get(ident)
            for rg in self.rgs.values():
                c = c or rg["Clusters"].get(ident)
            if c is None:
                raise _fault("CacheClusterNotFoundFault", "CacheCluster not found: %s" % ident)
            c.setdefault("Tags", [])
            return c
        if kind == "snapshot":
            s = self.snapshots.get(ident)
            if s is None:
                raise _fault("SnapshotNotFoundFault", "Snapshot %s not found." % ident)
            s.setdefault("Tags", [])
            return s
        raise _fault("InvalidARNFault", "The ARN %s does not name a taggable ElastiCache resource." % arn)

    def op_AddTagsToResource(self, p):
        self._tick()
        obj = self._tag_target(p.get("ResourceName"))
        if obj.get("Status") == "deleting":
            raise _fault("InvalidReplicationGroupStateFault", "The resource is being deleted.")
        obj["Tags"] = _merge_tags(obj.get("Tags", []), _check_tags(p.get("Tags") or []))
        return {"TagList": [dict(t) for t in obj["Tags"]]}

    def op_RemoveTagsFromResource(self, p):
        self._tick()
        obj = self._tag_target(p.get("ResourceName"))
        keys = set(p.get("TagKeys") or [])
        obj["Tags"] = [t for t in obj.get("Tags", []) if t["Key"] not in keys]
        return {"TagList": [dict(t) for t in obj["Tags"]]}

    def op_ListTagsForResource(self, p):
        self._tick()
        obj = self._tag_target(p.get("ResourceName"))
        return {"TagList": [dict(t) for t in obj.get("Tags", [])]}
