"""Amazon CloudWatch Logs (log groups only) for the acceptance emulator.

Modelled: log groups with KMS association, retention policies (only the values AWS accepts), tags through both the
legacy TagLogGroup/UntagLogGroup/ListTagsLogGroup calls and TagResource/UntagResource/ListTagsForResource by ARN.
Error codes are the error shape names of botocore's logs 2014-03-28 model (JSON protocol: __type is the shape name).
Not modelled: log streams and events, metric filters, subscriptions, data protection, anomaly detection.

KMS keys: as on AWS, kmsKeyId must be a key ARN, and the key's policy must let the CloudWatch Logs service principal
(logs.<region>.amazonaws.com) use it (kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, e.g. via "kms:Encrypt*" or
"kms:*"); otherwise CreateLogGroup / AssociateKmsKey fail with AccessDeniedException "The specified KMS key does not
exist or is not allowed to be used with Arn '<log group arn>'". Conditions on kms:EncryptionContext:aws:logs:arn,
aws:SourceArn and aws:SourceAccount are evaluated (StringEquals/StringLike/ArnEquals/ArnLike); other condition keys
are treated as satisfied.

Cross-service helper: log_group(name) -> dict|None (used by ElastiCache log delivery).
"""

import fnmatch
import json
import re

import botocore.loaders

from acceptance.emulator.errors import AwsError

_MODEL = botocore.loaders.create_loader().load_service_model("logs", "service-2", "2014-03-28")

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)
_NAME_RE = re.compile(r"^[\.\-_/#A-Za-z0-9]{1,512}$")
_KEY_ARN_RE = re.compile(r"^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
_TAG_RE = re.compile(r"^[\w\s_.:/=+\-@]*$", re.UNICODE)


def _fault(shape, message):
    s = _MODEL["shapes"][shape]
    status = s.get("error", {}).get("httpStatusCode", 500 if s.get("fault") else 400)
    return AwsError(shape, message, status, not s.get("fault", False))


def _bad(message):
    return _fault("InvalidParameterException", message)


class Service:
    name = "logs"

    def __init__(self, emu):
        self.emu = emu
        self.groups = {}  # name -> dict

    # ---------------------------------------------------------------- helpers for other services and leak checks
    def log_group(self, name):
        g = self.groups.get(name)
        if g is None:
            return None
        return {"logGroupName": g["name"], "arn": self._arn(name), "kmsKeyId": g["kmsKeyId"]}

    def resources(self):
        return [{"type": "log-group", "id": name} for name in sorted(self.groups)]

    def uses(self, kind, ident):
        if kind != "kms-key":
            return []
        kms = self.emu.service("kms")
        key = kms.key(ident) if kms is not None else None
        if key is None:
            return []
        return ["CloudWatch Logs log group %s" % n for n, g in sorted(self.groups.items())
                if g["kmsKeyId"] == key["Arn"]]

    # ---------------------------------------------------------------------------------------------- internals
    def _arn(self, name):
        return "arn:%s:logs:%s:%s:log-group:%s" % (self.emu.partition, self.emu.region, self.emu.account_id, name)

    def _check_name(self, name):
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise _bad("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+" % (name or "")[:512])
        return name

    def _get(self, name):
        self._check_name(name)
        g = self.groups.get(name)
        if g is None:
            raise _fault("ResourceNotFoundException", "The specified log group does not exist.")
        return g

    def _check_kms(self, key_id, group_name):
        group_arn = self._arn(group_name)
        denied = _fault("AccessDeniedException", "The specified KMS key does not exist or is not allowed to be used "
                                                 "with Arn '%s'" % group_arn)
        if not _KEY_ARN_RE.match(key_id or ""):
            raise _bad("The specified KMS Key Id could not be found: kmsKeyId must be the ARN of a KMS key.")
        kms = self.emu.service("kms")
        key = kms.key(key_id) if kms is not None else None
        if key is None or key["Arn"] != key_id:
            raise denied
        if not key.get("Enabled") or key.get("KeyState") != "Enabled":
            raise _bad("The specified KMS key %s is not enabled (state: %s)." % (key_id, key.get("KeyState")))
        try:
            policy = kms.op_GetKeyPolicy({"KeyId": key["Arn"], "PolicyName": "default"})["Policy"]
        except AwsError:
            raise denied from None
        if not self._policy_allows_logs(policy, group_arn):
            raise denied
        return key["Arn"]

    def _policy_allows_logs(self, policy, group_arn):
        try:
            doc = json.loads(policy)
        except ValueError:
            return False
        stmts = doc.get("Statement", []) if isinstance(doc, dict) else []
        if isinstance(stmts, dict):
            stmts = [stmts]
        principal = "logs.%s.amazonaws.com" % self.emu.region
        needed = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")
        context = {"kms:encryptioncontext:aws:logs:arn": group_arn, "aws:sourcearn": group_arn,
                   "aws:sourceaccount": self.emu.account_id}

        def as_list(v):
            return v if isinstance(v, list) else [v]

        def principal_ok(st):
            pr = st.get("Principal")
            if pr == "*":
                return True
            if not isinstance(pr, dict):
                return False
            return principal in as_list(pr.get("Service", [])) or "*" in as_list(pr.get("AWS", []))

        def actions_of(st, action):
            pats = as_list(st.get("Action", []))
            return any(fnmatch.fnmatchcase(action.lower(), str(x).lower()) for x in pats)

        def conditions_ok(st):
            for op, block in (st.get("Condition") or {}).items():
                if not isinstance(block, dict):
                    return False
                base = op.replace("IfExists", "")
                for k, vals in block.items():
                    actual = context.get(k.lower())
                    if actual is None:
                        continue
                    vals = [str(v) for v in as_list(vals)]
                    if base in ("StringEquals", "ArnEquals"):
                        ok = actual in vals
                    elif base in ("StringLike", "ArnLike"):
                        ok = any(fnmatch.fnmatchcase(actual, v) for v in vals)
                    else:
                        ok = True
                    if not ok:
                        return False
            return True

        granted = set()
        for st in stmts:
            if not isinstance(st, dict) or not principal_ok(st) or not conditions_ok(st):
                continue
            for action in needed:
                if actions_of(st, action):
                    if st.get("Effect") == "Deny":
                        return False
                    if st.get("Effect") == "Allow":
                        granted.add(action)
        return granted == set(needed)

    def _check_tags(self, tags):
        tags = tags or {}
        for k, v in tags.items():
            if not k or len(k) > 128 or not _TAG_RE.match(k) or k.lower().startswith("aws:"):
                raise _bad("Invalid tag key %r: tag keys must be 1-128 characters and must not begin with aws:." % k)
            if v is None or len(v) > 256 or not _TAG_RE.match(v):
                raise _bad("Invalid value for tag key %r: tag values must be at most 256 characters." % k)
        return dict(tags)

    def _merge_tags(self, g, tags):
        merged = dict(g["tags"])
        merged.update(self._check_tags(tags))
        if len(merged) > 50:
            raise _fault("TooManyTagsException", "A resource can have no more than 50 tags.")
        g["tags"] = merged

    def _group_from_arn(self, arn):
        m = re.match(r"^arn:[a-z-]+:logs:([a-z0-9-]+):(\d{12}):log-group:(.+)$", arn or "")
        if not m:
            raise _bad("Invalid ARN %s: expected arn:aws:logs:<region>:<account>:log-group:<name>." % arn)
        region, account, name = m.groups()
        if name.endswith(":*"):
            raise _bad("The log group ARN must not end with ':*' for tagging operations.")
        if region != self.emu.region or account != self.emu.account_id:
            raise _fault("ResourceNotFoundException", "The specified log group does not exist.")
        return self._get(name)

    def _out(self, g):
        out = {"logGroupName": g["name"], "creationTime": g["creationTime"], "metricFilterCount": 0,
               "arn": self._arn(g["name"]) + ":*", "storedBytes": 0, "logGroupClass": g["class"],
               "logGroupArn": self._arn(g["name"])}
        if g["retentionInDays"] is not None:
            out["retentionInDays"] = g["retentionInDays"]
        if g["kmsKeyId"]:
            out["kmsKeyId"] = g["kmsKeyId"]
        return out

    # ---------------------------------------------------------------------------------------------- operations
    def op_CreateLogGroup(self, p):
        name = self._check_name(p.get("logGroupName"))
        if name in self.groups:
            raise _fault("ResourceAlreadyExistsException", "The specified log group already exists")
        kms = self._check_kms(p["kmsKeyId"], name) if p.get("kmsKeyId") is not None else None
        cls = p.get("logGroupClass", "STANDARD")
        if cls not in ("STANDARD", "INFREQUENT_ACCESS"):
            raise _bad("logGroupClass must be STANDARD or INFREQUENT_ACCESS.")
        tags = self._check_tags(p.get("tags"))
        if len(tags) > 50:
            raise _bad("A log group can have no more than 50 tags.")
        created = int(self.emu.now().timestamp() * 1000)
        self.groups[name] = {"name": name, "creationTime": created, "retentionInDays": None, "kmsKeyId": kms,
                             "class": cls, "tags": tags}
        return {}

    def op_DescribeLogGroups(self, p):
        prefix, pattern = p.get("logGroupNamePrefix"), p.get("logGroupNamePattern")
        if prefix is not None and pattern is not None:
            raise _bad("logGroupNamePrefix and logGroupNamePattern are mutually exclusive.")
        if p.get("accountIdentifiers") or p.get("includeLinkedAccounts"):
            raise _bad("The emulator has no linked accounts.")
        limit = p.get("limit", 50)
        if not 1 <= limit <= 50:
            raise _bad("limit must be between 1 and 50.")
        names = sorted(self.groups)
        if prefix is not None:
            names = [n for n in names if n.startswith(prefix)]
        if pattern:
            names = [n for n in names if pattern.lower() in n.lower()]
        if p.get("logGroupClass"):
            names = [n for n in names if self.groups[n]["class"] == p["logGroupClass"]]
        start = 0
        token = p.get("nextToken")
        if token:
            m = re.match(r"^lg/(\d+)$", token)
            if not m or int(m.group(1)) > len(names):
                raise _bad("The specified nextToken is invalid.")
            start = int(m.group(1))
        page = names[start:start + limit]
        out = {"logGroups": [self._out(self.groups[n]) for n in page]}
        if start + limit < len(names):
            out["nextToken"] = "lg/%d" % (start + limit)
        return out

    def op_DeleteLogGroup(self, p):
        g = self._get(p.get("logGroupName"))
        del self.groups[g["name"]]
        return {}

    def op_PutRetentionPolicy(self, p):
        g = self._get(p.get("logGroupName"))
        days = p.get("retentionInDays")
        if days not in RETENTION_DAYS:
            raise _bad("1 validation error detected: Value '%s' at 'retentionInDays' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [%s]" % (days, ", ".join(str(d) for d in RETENTION_DAYS)))
        g["retentionInDays"] = days
        return {}

    def op_DeleteRetentionPolicy(self, p):
        g = self._get(p.get("logGroupName"))
        g["retentionInDays"] = None
        return {}

    def op_AssociateKmsKey(self, p):
        if p.get("resourceIdentifier") is not None:
            raise _bad("The emulator supports AssociateKmsKey for log groups only (logGroupName).")
        g = self._get(p.get("logGroupName"))
        g["kmsKeyId"] = self._check_kms(p.get("kmsKeyId"), g["name"])
        return {}

    def op_DisassociateKmsKey(self, p):
        if p.get("resourceIdentifier") is not None:
            raise _bad("The emulator supports DisassociateKmsKey for log groups only (logGroupName).")
        g = self._get(p.get("logGroupName"))
        g["kmsKeyId"] = None
        return {}

    def op_TagLogGroup(self, p):
        g = self._get(p.get("logGroupName"))
        self._merge_tags(g, p.get("tags"))
        return {}

    def op_UntagLogGroup(self, p):
        g = self._get(p.get("logGroupName"))
        for k in p.get("tags") or []:
            g["tags"].pop(k, None)
        return {}

    def op_ListTagsLogGroup(self, p):
        g = self._get(p.get("logGroupName"))
        return {"tags": dict(g["tags"])}

    def op_TagResource(self, p):
        g = self._group_from_arn(p.get("resourceArn"))
        self._merge_tags(g, p.get("tags"))
        return {}

    def op_UntagResource(self, p):
        g = self._group_from_arn(p.get("resourceArn"))
        for k in p.get("tagKeys") or []:
            g["tags"].pop(k, None)
        return {}

    def op_ListTagsForResource(self, p):
        g = self._group_from_arn(p.get("resourceArn"))
        return {"tags": dict(g["tags"])}
