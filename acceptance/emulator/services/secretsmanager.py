"""AWS Secrets Manager for the acceptance emulator.

Modelled: secrets with versions and staging labels (AWSCURRENT / AWSPREVIOUS move as on AWS), ClientRequestToken
idempotency, KMS key checks (the key must exist in the emulator's kms service and be enabled), scheduled deletion with
a recovery window (7-30 days; the secret is really gone once emu.now() passes DeletionDate) or immediate forced
deletion, RestoreSecret, tags, ListSecrets with filters.
Error codes are the error shape names of botocore's secretsmanager 2017-10-17 model.
Not modelled: rotation, replication, resource policies.

resources() lists every secret that still exists, including those scheduled for deletion, each with
"state": "live" | "scheduled-deletion" so leak checks can tell them apart.
Secret values never appear in error messages; resources() never shows them.
"""

import datetime
import re
import uuid

import botocore.loaders

from acceptance.emulator.errors import AwsError

_MODEL = botocore.loaders.create_loader().load_service_model("secretsmanager", "service-2", "2017-10-17")

_NAME_RE = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9-]{32,64}$")
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_MAX_VERSIONS = 100
_MARKED = "You can't perform this operation on the secret because it was marked for deletion."


def _fault(shape, message):
    s = _MODEL["shapes"][shape]
    status = s.get("error", {}).get("httpStatusCode", 500 if s.get("fault") else 400)
    return AwsError(shape, message, status, not s.get("fault", False))


def _bad(message):
    return _fault("InvalidParameterException", message)


def _invalid(message):
    return _fault("InvalidRequestException", message)


def _not_found():
    return _fault("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


class Service:
    name = "secretsmanager"

    def __init__(self, emu):
        self.emu = emu
        self.secrets = {}  # name -> dict

    # ------------------------------------------------------------------------------------------------ helpers
    def resources(self):
        self._tick()
        return [{"type": "secret", "id": s["ARN"], "name": s["Name"],
                 "state": "scheduled-deletion" if s["DeletedDate"] else "live"}
                for s in sorted(self.secrets.values(), key=lambda x: x["Name"])]

    def uses(self, kind, ident):
        if kind != "kms-key":
            return []
        kms = self.emu.service("kms")
        key = kms.key(ident) if kms is not None else None
        if key is None:
            return []
        return ["Secrets Manager secret %s" % s["Name"] for s in self.secrets.values()
                if s["_kms_arn"] == key["Arn"]]

    def _tick(self):
        now = self.emu.now()
        for name in list(self.secrets):
            s = self.secrets[name]
            if s["DeletedDate"] is not None and s["_delete_at"] <= now:
                del self.secrets[name]

    def _suffix(self):
        rs = getattr(self.emu, "random_string", None)
        if rs is not None:
            return rs(6, _SUFFIX_ALPHABET)
        return self.emu.new_id("", 6)

    def _arn(self, name):
        return "arn:%s:secretsmanager:%s:%s:secret:%s-%s" % (self.emu.partition, self.emu.region,
                                                              self.emu.account_id, name, self._suffix())

    def _find(self, secret_id):
        """Resolves a name, a full ARN or a partial ARN (without the random suffix)."""
        self._tick()
        if not secret_id:
            raise _bad("You must provide a SecretId.")
        if secret_id.startswith("arn:"):
            for s in self.secrets.values():
                if s["ARN"] == secret_id:
                    return s
            prefix = "arn:%s:secretsmanager:%s:%s:secret:" % (self.emu.partition, self.emu.region,
                                                              self.emu.account_id)
            if secret_id.startswith(prefix) and secret_id[len(prefix):] in self.secrets:
                return self.secrets[secret_id[len(prefix):]]
            raise _not_found()
        s = self.secrets.get(secret_id)
        if s is None:
            raise _not_found()
        return s

    def _check_kms(self, key_id):
        kms = self.emu.service("kms")
        if kms is not None and key_id == "alias/aws/secretsmanager" and hasattr(kms, "aws_managed_key"):
            kms.aws_managed_key("secretsmanager")  # AWS creates the managed key on first use
        key = kms.key(key_id) if kms is not None else None
        if key is None:
            raise _fault("EncryptionFailure", "Secrets Manager can't find the specified KMS key %s." % key_id)
        if not key.get("Enabled") or key.get("KeyState") != "Enabled":
            raise _fault("EncryptionFailure", "The KMS key %s is not enabled (state: %s)." % (key_id,
                                                                                              key.get("KeyState")))
        return key["Arn"]

    def _check_value(self, p, required=False):
        has_s, has_b = p.get("SecretString") is not None, p.get("SecretBinary") is not None
        if has_s and has_b:
            raise _bad("You can't specify both a binary secret value and a string secret value in the same "
                       "secret.")
        if required and not (has_s or has_b):
            raise _bad("You must provide either SecretString or SecretBinary.")
        value = p.get("SecretString") if has_s else p.get("SecretBinary")
        if value is not None and len(value) > 65536:
            raise _bad("The secret value must be at most 65536 bytes.")
        if not (has_s or has_b):
            return None
        return ("string", value) if has_s else ("binary", bytes(value))

    def _check_token(self, token):
        if token is None:
            return str(uuid.uuid4())
        if not _TOKEN_RE.match(token):
            raise _bad("ClientRequestToken must be 32-64 letters, digits or hyphens.")
        return token

    def _check_tags(self, tags):
        out = []
        for t in tags or []:
            k, v = t.get("Key"), t.get("Value", "")
            if not k or len(k) > 128 or k.lower().startswith("aws:"):
                raise _bad("Invalid tag key: tag keys must be 1-128 characters and must not begin with aws:.")
            if v is not None and len(v) > 256:
                raise _bad("Invalid tag value: tag values must be at most 256 characters.")
            out.append({"Key": k, "Value": v or ""})
        return out

    def _merge_tags(self, s, tags):
        d = {t["Key"]: t["Value"] for t in s["Tags"]}
        for t in tags:
            d[t["Key"]] = t["Value"]
        if len(d) > 50:
            raise _bad("A secret can have at most 50 tags.")
        s["Tags"] = [{"Key": k, "Value": v} for k, v in d.items()]

    def _add_version(self, s, token, value, stages=None):
        """Adds a version; returns (version id, created?). Moves AWSCURRENT/AWSPREVIOUS as AWS does."""
        existing = s["Versions"].get(token)
        if existing is not None:
            if existing["Value"] != value:
                raise _fault("ResourceExistsException", "You can't modify an existing version, you can only "
                                                        "create a new version.")
            return token, False
        stages = list(stages) if stages is not None else ["AWSCURRENT"]
        if len(stages) > 20:
            raise _bad("A version can have at most 20 staging labels.")
        now = self.emu.now()
        for label in stages:
            for vid, v in s["Versions"].items():
                if label in v["Stages"]:
                    v["Stages"].remove(label)
                    if label == "AWSCURRENT":
                        for other in s["Versions"].values():
                            if "AWSPREVIOUS" in other["Stages"]:
                                other["Stages"].remove("AWSPREVIOUS")
                        v["Stages"].append("AWSPREVIOUS")
        s["Versions"][token] = {"Value": value, "Stages": stages, "Created": now}
        s["LastChangedDate"] = now
        # AWS drops versions without staging labels beyond its version quota
        unlabeled = [vid for vid, v in s["Versions"].items() if not v["Stages"]]
        while len(s["Versions"]) > _MAX_VERSIONS and unlabeled:
            del s["Versions"][unlabeled.pop(0)]
        return token, True

    def _stages_map(self, s):
        return {vid: list(v["Stages"]) for vid, v in s["Versions"].items() if v["Stages"]}

    def _not_deleted(self, s):
        if s["DeletedDate"] is not None:
            raise _invalid(_MARKED)

    # --------------------------------------------------------------------------------------------- operations
    def op_CreateSecret(self, p):
        self._tick()
        name = p.get("Name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise _bad("Invalid name. Must be a valid name containing alphanumeric characters, or any of the "
                       "following: -/_+=.@!")
        if p.get("AddReplicaRegions"):
            raise _bad("The emulator does not implement secret replication.")
        value = self._check_value(p)
        token = self._check_token(p.get("ClientRequestToken"))
        existing = self.secrets.get(name)
        if existing is not None:
            if existing["DeletedDate"] is not None:
                raise _invalid("You can't create this secret because a secret with this name is already scheduled "
                               "for deletion.")
            if token in existing["Versions"] and existing["Versions"][token]["Value"] == value:
                return {"ARN": existing["ARN"], "Name": name, "VersionId": token}
            raise _fault("ResourceExistsException", "The operation failed because the secret %s already exists."
                         % name)
        kms_arn = self._check_kms(p["KmsKeyId"]) if p.get("KmsKeyId") is not None else None
        desc = p.get("Description")
        if desc is not None and len(desc) > 2048:
            raise _bad("Description must be at most 2048 characters.")
        tags = self._check_tags(p.get("Tags"))
        if len(tags) > 50:
            raise _bad("A secret can have at most 50 tags.")
        now = self.emu.now()
        s = {"Name": name, "ARN": self._arn(name), "Description": desc, "KmsKeyId": p.get("KmsKeyId"),
             "_kms_arn": kms_arn, "Tags": tags, "Versions": {}, "CreatedDate": now, "LastChangedDate": now,
             "LastAccessedDate": None, "DeletedDate": None, "_delete_at": None}
        out = {"ARN": s["ARN"], "Name": name}
        if value is not None:
            out["VersionId"], _ = self._add_version(s, token, value)
        self.secrets[name] = s
        return out

    def op_DescribeSecret(self, p):
        s = self._find(p.get("SecretId"))
        out = {"ARN": s["ARN"], "Name": s["Name"], "LastChangedDate": s["LastChangedDate"],
               "VersionIdsToStages": self._stages_map(s), "CreatedDate": s["CreatedDate"],
               "RotationEnabled": False}
        if s["Description"] is not None:
            out["Description"] = s["Description"]
        if s["KmsKeyId"] is not None:
            out["KmsKeyId"] = s["KmsKeyId"]
        if s["LastAccessedDate"] is not None:
            out["LastAccessedDate"] = s["LastAccessedDate"]
        if s["DeletedDate"] is not None:
            out["DeletedDate"] = s["DeletedDate"]
        if s["Tags"]:
            out["Tags"] = [dict(t) for t in s["Tags"]]
        return out

    def op_GetSecretValue(self, p):
        s = self._find(p.get("SecretId"))
        self._not_deleted(s)
        vid, stage = p.get("VersionId"), p.get("VersionStage")
        if vid is not None:
            v = s["Versions"].get(vid)
            if v is None or (stage is not None and stage not in v["Stages"]):
                raise _fault("ResourceNotFoundException", "Secrets Manager can't find the specified secret value "
                                                          "for VersionId: %s" % vid)
        else:
            stage = stage or "AWSCURRENT"
            found = [(k, x) for k, x in s["Versions"].items() if stage in x["Stages"]]
            if not found:
                raise _fault("ResourceNotFoundException", "Secrets Manager can't find the specified secret value "
                                                          "for staging label: %s" % stage)
            vid, v = found[0]
        if s["_kms_arn"] is not None:
            kms = self.emu.service("kms")
            key = kms.key(s["_kms_arn"]) if kms is not None else None
            if key is None or key.get("KeyState") != "Enabled":
                raise _fault("DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the "
                                                  "provided KMS key: the key is %s."
                             % (key.get("KeyState") if key else "not found"))
        now = self.emu.now()
        s["LastAccessedDate"] = now.replace(hour=0, minute=0, second=0, microsecond=0)
        out = {"ARN": s["ARN"], "Name": s["Name"], "VersionId": vid, "VersionStages": list(v["Stages"]),
               "CreatedDate": v["Created"]}
        kind, value = v["Value"]
        out["SecretString" if kind == "string" else "SecretBinary"] = value
        return out

    def op_PutSecretValue(self, p):
        s = self._find(p.get("SecretId"))
        self._not_deleted(s)
        if p.get("RotationToken") is not None:
            raise _bad("The emulator does not implement rotation.")
        value = self._check_value(p, required=True)
        if s["_kms_arn"] is not None:
            self._check_kms(s["_kms_arn"])
        token = self._check_token(p.get("ClientRequestToken"))
        stages = p.get("VersionStages")
        if stages is not None and not stages:
            stages = []
        vid, _ = self._add_version(s, token, value, stages)
        return {"ARN": s["ARN"], "Name": s["Name"], "VersionId": vid,
                "VersionStages": list(s["Versions"][vid]["Stages"])}

    def op_UpdateSecret(self, p):
        s = self._find(p.get("SecretId"))
        self._not_deleted(s)
        value = self._check_value(p)
        kms_arn = None
        if p.get("KmsKeyId") is not None:
            kms_arn = self._check_kms(p["KmsKeyId"])
        elif value is not None and s["_kms_arn"] is not None:
            self._check_kms(s["_kms_arn"])
        if p.get("Description") is not None and len(p["Description"]) > 2048:
            raise _bad("Description must be at most 2048 characters.")
        token = self._check_token(p.get("ClientRequestToken"))
        out = {"ARN": s["ARN"], "Name": s["Name"]}
        if value is not None:
            out["VersionId"], _ = self._add_version(s, token, value)
        if p.get("Description") is not None:
            s["Description"] = p["Description"]
            s["LastChangedDate"] = self.emu.now()
        if p.get("KmsKeyId") is not None:
            s["KmsKeyId"], s["_kms_arn"] = p["KmsKeyId"], kms_arn
            s["LastChangedDate"] = self.emu.now()
        return out

    def op_DeleteSecret(self, p):
        s = self._find(p.get("SecretId"))
        force = bool(p.get("ForceDeleteWithoutRecovery", False))
        window = p.get("RecoveryWindowInDays")
        if force and window is not None:
            raise _bad("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
        if window is not None and not 7 <= window <= 30:
            raise _bad("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
        now = self.emu.now()
        if force:
            del self.secrets[s["Name"]]
            return {"ARN": s["ARN"], "Name": s["Name"], "DeletionDate": now}
        if s["DeletedDate"] is not None:
            raise _invalid("You can't perform this operation on the secret because it was already scheduled for "
                           "deletion.")
        s["DeletedDate"] = now
        s["_delete_at"] = now + datetime.timedelta(days=window if window is not None else 30)
        return {"ARN": s["ARN"], "Name": s["Name"], "DeletionDate": s["_delete_at"]}

    def op_RestoreSecret(self, p):
        s = self._find(p.get("SecretId"))
        s["DeletedDate"] = s["_delete_at"] = None
        return {"ARN": s["ARN"], "Name": s["Name"]}

    def op_TagResource(self, p):
        s = self._find(p.get("SecretId"))
        self._not_deleted(s)
        self._merge_tags(s, self._check_tags(p.get("Tags")))
        return {}

    def op_UntagResource(self, p):
        s = self._find(p.get("SecretId"))
        self._not_deleted(s)
        keys = set(p.get("TagKeys") or [])
        s["Tags"] = [t for t in s["Tags"] if t["Key"] not in keys]
        return {}

    def op_ListSecrets(self, p):
        self._tick()
        items = list(self.secrets.values())
        if not p.get("IncludePlannedDeletion"):
            items = [s for s in items if s["DeletedDate"] is None]
        for f in p.get("Filters") or []:
            key, values = f.get("Key"), f.get("Values") or []
            if key not in ("description", "name", "tag-key", "tag-value", "primary-region", "owning-service",
                           "all"):
                raise _bad("Invalid filter key %s." % key)

            def match(s, v, key=key):
                neg = v.startswith("!")
                v = v[1:] if neg else v
                lv = v.lower()
                if key == "name":
                    hit = s["Name"].lower().startswith(lv)
                elif key == "description":
                    hit = (s["Description"] or "").lower().startswith(lv)
                elif key == "tag-key":
                    hit = any(t["Key"].lower().startswith(lv) for t in s["Tags"])
                elif key == "tag-value":
                    hit = any(t["Value"].lower().startswith(lv) for t in s["Tags"])
                elif key == "primary-region":
                    hit = False
                elif key == "owning-service":
                    hit = False
                else:
                    hit = any(x.lower().startswith(lv) for x in
                              [s["Name"], s["Description"] or ""] + [t["Key"] for t in s["Tags"]] +
                              [t["Value"] for t in s["Tags"]])
                return hit != neg
            items = [s for s in items if any(match(s, v) for v in values)]
        items.sort(key=lambda s: (s["CreatedDate"], s["Name"]), reverse=p.get("SortOrder", "desc") != "asc")
        limit = p.get("MaxResults", 100)
        if not 1 <= limit <= 100:
            raise _bad("MaxResults must be between 1 and 100.")
        start = 0
        if p.get("NextToken"):
            m = re.match(r"^sm/(\d+)$", p["NextToken"])
            if not m or int(m.group(1)) > len(items):
                raise _fault("InvalidNextTokenException", "The NextToken value is invalid.")
            start = int(m.group(1))
        page = items[start:start + limit]
        out = {"SecretList": []}
        for s in page:
            e = {"ARN": s["ARN"], "Name": s["Name"], "LastChangedDate": s["LastChangedDate"],
                 "SecretVersionsToStages": self._stages_map(s), "CreatedDate": s["CreatedDate"],
                 "RotationEnabled": False}
            for k in ("Description", "KmsKeyId", "LastAccessedDate", "DeletedDate"):
                if s[k] is not None:
                    e[k] = s[k]
            if s["Tags"]:
                e["Tags"] = [dict(t) for t in s["Tags"]]
            out["SecretList"].append(e)
        if start + limit < len(items):
            out["NextToken"] = "sm/%d" % (start + limit)
        return out
