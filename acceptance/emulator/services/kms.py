"""KMS (JSON 1.1, TrentService).

Keys have real (emulator-local) AES-256 key material; Encrypt/Decrypt/
GenerateDataKey use AES-GCM from python3-cryptography with the encryption
context as associated data, so ciphertexts are consistent, bound to their key
and context, and tamper-evident (InvalidCiphertextException).

Ciphertext layout (opaque to clients): b"EMUKMS1" | key id (36 ascii) |
12-byte nonce | AES-GCM ciphertext+tag.

Cross-service helpers (for secretsmanager/ssm):
    key(ref) -> dict|None             KeyId, Arn, KeyState, Enabled (+ KeyManager)
    encrypt(ref, plaintext, context=None) -> bytes   raises AwsError like Encrypt
    decrypt(blob, context=None) -> (key_arn, plaintext) raises AwsError like Decrypt
    aws_managed_key(service) -> dict   e.g. aws_managed_key("secretsmanager") for alias/aws/secretsmanager
"""

import datetime
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import AwsError

MAGIC = b"EMUKMS1"

SYMMETRIC_ALGS = ["SYMMETRIC_DEFAULT"]
ASYM_ENC_ALGS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]


def _json_ok(text):
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return isinstance(doc, dict)


def _as_list(v):
    return [v] if isinstance(v, str) else (v if isinstance(v, list) else [])


def check_key_policy(text, account, caller_arn, bypass):
    """Validate a key policy like KMS: JSON with Statement entries that have
    Effect, Principal and Action; unless bypassed, the policy must still let
    the account root or the caller call kms:PutKeyPolicy (lockout check)."""
    bad = AwsError("MalformedPolicyDocumentException", "The policy document is not valid JSON "
                   "or is missing required elements.")
    if not _json_ok(text):
        raise bad
    doc = json.loads(text)
    stmts = doc.get("Statement")
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list) or not stmts:
        raise bad
    allowed = False
    for st in stmts:
        if not isinstance(st, dict) or st.get("Effect") not in ("Allow", "Deny"):
            raise bad
        if "Principal" not in st and "NotPrincipal" not in st:
            raise AwsError("MalformedPolicyDocumentException",
                           "Policy contains a statement with no principal.")
        if "Action" not in st and "NotAction" not in st:
            raise bad
        if st["Effect"] != "Allow" or "Condition" in st:
            continue
        acts = _as_list(st.get("Action"))
        if not any(a in ("*", "kms:*", "kms:PutKeyPolicy", "kms:Put*") for a in acts):
            continue
        pr = st.get("Principal")
        principals = ["*"] if pr == "*" else _as_list(pr.get("AWS")) if isinstance(pr, dict) else []
        root = (f"arn:aws:iam::{account}:root", account)
        if any(p == "*" or p in root or p == caller_arn for p in principals):
            allowed = True
    if not bypass and not allowed:
        raise AwsError("MalformedPolicyDocumentException",
                       "The new key policy will not allow you to update the key policy in the future.")


class Service:
    name = "kms"

    def __init__(self, emu):
        self.emu = emu
        self.keys = {}      # key id -> key dict
        self.aliases = {}   # alias name -> {"AliasName", "TargetKeyId", "CreationDate", "LastUpdatedDate"}

    # ---- identifiers ---------------------------------------------------
    def _arn(self, kind, rest):
        return f"arn:{self.emu.partition}:kms:{self.emu.region}:{self.emu.account_id}:{kind}/{rest}"

    def _new_key_id(self):
        h = self.emu.new_id("", 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def _default_policy(self):
        return json.dumps({
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [{
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{self.emu.partition}:iam::{self.emu.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }],
        }, indent=2)

    # ---- lazy state ----------------------------------------------------
    def _advance(self):
        now = self.emu.now()
        for kid in list(self.keys):
            k = self.keys[kid]
            if k["KeyState"] == "PendingDeletion" and now >= k["DeletionDate"]:
                del self.keys[kid]
                for name in [a for a, v in self.aliases.items() if v["TargetKeyId"] == kid]:
                    del self.aliases[name]

    def _resolve(self, ref, allow_alias=True):
        """Key dict for a key id / key ARN / alias name / alias ARN."""
        self._advance()
        if not isinstance(ref, str) or not ref:
            raise AwsError("NotFoundException", f"Invalid keyId '{ref}'")
        alias = None
        if ref.startswith("alias/"):
            alias = ref
        elif ref.startswith("arn:") and ":alias/" in ref:
            alias = "alias/" + ref.split(":alias/", 1)[1]
        if alias is not None:
            if not allow_alias:
                raise AwsError("NotFoundException", f"Invalid keyId '{ref}'")
            if alias.startswith("alias/aws/") and alias not in self.aliases:
                self.aws_managed_key(alias[len("alias/aws/"):])
            entry = self.aliases.get(alias)
            if entry is None:
                raise AwsError("NotFoundException",
                               f"Alias {self._arn('alias', alias[len('alias/'):])} is not found.")
            return self.keys[entry["TargetKeyId"]]
        kid = ref
        if ref.startswith("arn:"):
            prefix = self._arn("key", "")
            if not ref.startswith(prefix):
                if ":key/" in ref:
                    raise AwsError("NotFoundException", f"Key '{ref}' does not exist")
                raise AwsError("NotFoundException", f"Invalid arn {ref}")
            kid = ref[len(prefix):]
        key = self.keys.get(kid)
        if key is None:
            if len(kid) == 36 and kid.count("-") == 4:
                raise AwsError("NotFoundException", f"Key '{self._arn('key', kid)}' does not exist")
            raise AwsError("NotFoundException", f"Invalid keyId '{ref}'")
        return key

    def _usable(self, key, allow_disabled=False):
        if key["KeyState"] == "PendingDeletion":
            raise AwsError("KMSInvalidStateException", f"{key['Arn']} is pending deletion.")
        if key["KeyState"] == "Disabled" and not allow_disabled:
            raise AwsError("DisabledException", f"{key['Arn']} is disabled.")

    def _not_pending(self, key):
        if key["KeyState"] == "PendingDeletion":
            raise AwsError("KMSInvalidStateException", f"{key['Arn']} is pending deletion.")

    def _customer(self, key):
        if key["KeyManager"] != "CUSTOMER":
            raise AwsError("UnsupportedOperationException",
                           f"{key['Arn']} is an AWS managed key and cannot be modified.")

    def _metadata(self, key):
        md = {k: key[k] for k in ("AWSAccountId", "KeyId", "Arn", "CreationDate", "Enabled",
                                  "Description", "KeyUsage", "KeyState", "Origin", "KeyManager",
                                  "CustomerMasterKeySpec", "KeySpec", "MultiRegion")}
        if key["KeyUsage"] == "ENCRYPT_DECRYPT":
            md["EncryptionAlgorithms"] = list(key["EncryptionAlgorithms"])
        if key["KeyState"] == "PendingDeletion":
            md["DeletionDate"] = key["DeletionDate"]
            md["PendingDeletionWindowInDays"] = key["PendingWindowInDays"]
        return md

    def _make_key(self, params, manager="CUSTOMER", description=""):
        spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        if "KeySpec" in params and "CustomerMasterKeySpec" in params:
            raise AwsError("ValidationException",
                           "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                           "CustomerMasterKeySpec is deprecated.")
        usage = params.get("KeyUsage", "ENCRYPT_DECRYPT")
        if spec == "SYMMETRIC_DEFAULT" and usage != "ENCRYPT_DECRYPT":
            raise AwsError("ValidationException",
                           f"KeyUsage {usage} is not compatible with KeySpec SYMMETRIC_DEFAULT")
        if spec.startswith("HMAC") and usage != "GENERATE_VERIFY_MAC":
            raise AwsError("ValidationException",
                           f"KeyUsage {usage} is not compatible with KeySpec {spec}")
        origin = params.get("Origin", "AWS_KMS")
        if origin != "AWS_KMS":
            raise AwsError("UnsupportedOperationException",
                           f"The emulator only supports Origin AWS_KMS, not {origin}")
        policy = params.get("Policy")
        if policy is not None:
            check_key_policy(policy, self.emu.account_id, self.emu.caller()["Arn"],
                             params.get("BypassPolicyLockoutSafetyCheck", False))
        kid = self._new_key_id()
        now = self.emu.now()
        key = {
            "AWSAccountId": self.emu.account_id, "KeyId": kid, "Arn": self._arn("key", kid),
            "CreationDate": now, "Enabled": True,
            "Description": params.get("Description", description),
            "KeyUsage": usage, "KeyState": "Enabled", "Origin": origin, "KeyManager": manager,
            "CustomerMasterKeySpec": spec, "KeySpec": spec,
            "MultiRegion": bool(params.get("MultiRegion", False)),
            "EncryptionAlgorithms": SYMMETRIC_ALGS if spec == "SYMMETRIC_DEFAULT" else ASYM_ENC_ALGS,
            "Policy": policy if policy is not None else self._default_policy(),
            "Rotation": manager == "AWS", "RotationPeriodInDays": 365,
            "Tags": [], "Material": os.urandom(32),
            "DeletionDate": None, "PendingWindowInDays": None,
        }
        self._apply_tags(key, params.get("Tags", []))
        self.keys[kid] = key
        return key

    def _apply_tags(self, key, tags):
        for t in tags:
            if t["TagKey"].startswith("aws:"):
                raise AwsError("TagException", "Tags beginning with aws: are reserved.")
        for t in tags:
            for existing in key["Tags"]:
                if existing["TagKey"] == t["TagKey"]:
                    existing["TagValue"] = t["TagValue"]
                    break
            else:
                key["Tags"].append({"TagKey": t["TagKey"], "TagValue": t["TagValue"]})
        if len(key["Tags"]) > 50:
            raise AwsError("LimitExceededException", "Tag limit (50) exceeded for the key.")

    # ---- cross-service helpers -------------------------------------------
    def aws_managed_key(self, service):
        name = f"alias/aws/{service}"
        entry = self.aliases.get(name)
        if entry is not None:
            return self.keys[entry["TargetKeyId"]]
        key = self._make_key({}, manager="AWS",
                             description=f"Default key that protects my {service} data when no other "
                                         f"key is defined")
        now = self.emu.now()
        self.aliases[name] = {"AliasName": name, "TargetKeyId": key["KeyId"],
                              "CreationDate": now, "LastUpdatedDate": now}
        return key

    def key(self, ref):
        try:
            k = self._resolve(ref)
        except AwsError:
            return None
        return {"KeyId": k["KeyId"], "Arn": k["Arn"], "KeyState": k["KeyState"],
                "Enabled": k["Enabled"], "KeyManager": k["KeyManager"], "KeyUsage": k["KeyUsage"],
                "KeySpec": k["KeySpec"]}

    def encrypt(self, ref, plaintext, context=None):
        key = self._resolve(ref)
        self._usable(key)
        if key["KeyUsage"] != "ENCRYPT_DECRYPT" or key["KeySpec"] != "SYMMETRIC_DEFAULT":
            raise AwsError("InvalidKeyUsageException",
                           f"{key['Arn']} key usage is {key['KeyUsage']} which is not valid for Encrypt.")
        nonce = os.urandom(12)
        ct = AESGCM(key["Material"]).encrypt(nonce, plaintext, self._aad(context))
        return MAGIC + key["KeyId"].encode("ascii") + nonce + ct

    def decrypt(self, blob, context=None, key_ref=None):
        if len(blob) < len(MAGIC) + 36 + 12 + 16 or not blob.startswith(MAGIC):
            raise AwsError("InvalidCiphertextException", "")
        kid = blob[len(MAGIC):len(MAGIC) + 36].decode("ascii", "replace")
        self._advance()
        key = self.keys.get(kid)
        if key is None:
            raise AwsError("InvalidCiphertextException", "")
        if key_ref is not None:
            wanted = self._resolve(key_ref)
            if wanted["KeyId"] != kid:
                raise AwsError("IncorrectKeyException",
                               "The key ID in the request does not identify a CMK that can "
                               "perform this operation.")
        self._usable(key)
        nonce = blob[len(MAGIC) + 36:len(MAGIC) + 48]
        try:
            pt = AESGCM(key["Material"]).decrypt(nonce, blob[len(MAGIC) + 48:], self._aad(context))
        except InvalidTag:
            raise AwsError("InvalidCiphertextException", "")
        return key["Arn"], pt

    @staticmethod
    def _aad(context):
        if not context:
            return None
        return json.dumps(context, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def uses(self, kind, ident):
        return []

    def resources(self):
        self._advance()
        out = [{"type": "kms-key", "id": k["KeyId"], "state": k["KeyState"]}
               for k in self.keys.values()
               if k["KeyManager"] == "CUSTOMER" and k["KeyState"] != "PendingDeletion"]
        out += [{"type": "kms-alias", "id": a} for a in self.aliases if not a.startswith("alias/aws/")]
        return out

    # ---- operations ------------------------------------------------------
    def op_CreateKey(self, params):
        key = self._make_key(params)
        return {"KeyMetadata": self._metadata(key)}

    def op_DescribeKey(self, params):
        return {"KeyMetadata": self._metadata(self._resolve(params["KeyId"]))}

    def op_GetKeyPolicy(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        name = params.get("PolicyName", "default")
        if name != "default":
            raise AwsError("NotFoundException", f"No such policy exists: {name}")
        return {"Policy": key["Policy"], "PolicyName": "default"}

    def op_PutKeyPolicy(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._not_pending(key)
        self._customer(key)
        name = params.get("PolicyName", "default")
        if name != "default":
            raise AwsError("NotFoundException", f"No such policy exists: {name}")
        check_key_policy(params["Policy"], self.emu.account_id, self.emu.caller()["Arn"],
                         params.get("BypassPolicyLockoutSafetyCheck", False))
        key["Policy"] = params["Policy"]
        return {}

    def _rotatable(self, key):
        self._not_pending(key)
        if key["KeyState"] == "Disabled":
            raise AwsError("DisabledException", f"{key['Arn']} is disabled.")
        if key["KeySpec"] != "SYMMETRIC_DEFAULT":
            raise AwsError("UnsupportedOperationException",
                           f"{key['Arn']} key spec {key['KeySpec']} does not support automatic rotation.")

    def op_EnableKeyRotation(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._customer(key)
        self._rotatable(key)
        key["Rotation"] = True
        key["RotationPeriodInDays"] = params.get("RotationPeriodInDays", 365)
        return {}

    def op_DisableKeyRotation(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._customer(key)
        self._rotatable(key)
        key["Rotation"] = False
        return {}

    def op_GetKeyRotationStatus(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._not_pending(key)
        out = {"KeyRotationEnabled": key["Rotation"], "KeyId": key["KeyId"]}
        if key["Rotation"]:
            out["RotationPeriodInDays"] = key["RotationPeriodInDays"]
            out["NextRotationDate"] = (key["CreationDate"]
                                       + datetime.timedelta(days=key["RotationPeriodInDays"]))
        return out

    def _check_alias_name(self, name):
        if not name.startswith("alias/"):
            raise AwsError("ValidationException",
                           "1 validation error detected: Value '%s' at 'aliasName' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$"
                           % name)
        if name.startswith("alias/aws/"):
            raise AwsError("InvalidAliasNameException",
                           "Alias names cannot begin with alias/aws/. That alias name prefix is "
                           "reserved for AWS managed keys.")

    def op_CreateAlias(self, params):
        name = params["AliasName"]
        self._check_alias_name(name)
        self._advance()
        if name in self.aliases:
            raise AwsError("AlreadyExistsException",
                           f"An alias with the name {self._arn('alias', name[6:])} already exists")
        key = self._resolve(params["TargetKeyId"], allow_alias=False)
        self._not_pending(key)
        self._customer(key)
        now = self.emu.now()
        self.aliases[name] = {"AliasName": name, "TargetKeyId": key["KeyId"],
                              "CreationDate": now, "LastUpdatedDate": now}
        return {}

    def op_UpdateAlias(self, params):
        name = params["AliasName"]
        self._check_alias_name(name)
        self._advance()
        entry = self.aliases.get(name)
        if entry is None:
            raise AwsError("NotFoundException", f"Alias {self._arn('alias', name[6:])} is not found.")
        key = self._resolve(params["TargetKeyId"], allow_alias=False)
        self._not_pending(key)
        old = self.keys[entry["TargetKeyId"]]
        if old["KeyUsage"] != key["KeyUsage"] or old["KeySpec"] != key["KeySpec"]:
            raise AwsError("ValidationException",
                           "The new target key must have the same key type and key usage as the "
                           "current target key.")
        entry["TargetKeyId"] = key["KeyId"]
        entry["LastUpdatedDate"] = self.emu.now()
        return {}

    def op_DeleteAlias(self, params):
        name = params["AliasName"]
        self._check_alias_name(name)
        self._advance()
        if name not in self.aliases:
            raise AwsError("NotFoundException", f"Alias {self._arn('alias', name[6:])} is not found.")
        del self.aliases[name]
        return {}

    def _page(self, items, params, field):
        limit = min(params.get("Limit", 100), 100 if field in ("Aliases", "Keys") else 50)
        start = 0
        if "Marker" in params:
            try:
                start = int(params["Marker"])
                if start < 0 or start > len(items):
                    raise ValueError
            except ValueError:
                raise AwsError("InvalidMarkerException", "Invalid marker")
        page = items[start:start + limit]
        out = {field: page, "Truncated": start + limit < len(items)}
        if out["Truncated"]:
            out["NextMarker"] = str(start + limit)
        return out

    def op_ListAliases(self, params):
        self._advance()
        target = None
        if "KeyId" in params:
            target = self._resolve(params["KeyId"], allow_alias=False)["KeyId"]
        items = []
        for name in sorted(self.aliases):
            a = self.aliases[name]
            if target is not None and a["TargetKeyId"] != target:
                continue
            items.append({"AliasName": name, "AliasArn": self._arn("alias", name[6:]),
                          "TargetKeyId": a["TargetKeyId"], "CreationDate": a["CreationDate"],
                          "LastUpdatedDate": a["LastUpdatedDate"]})
        return self._page(items, params, "Aliases")

    def op_ListKeys(self, params):
        self._advance()
        items = [{"KeyId": k["KeyId"], "KeyArn": k["Arn"]}
                 for k in sorted(self.keys.values(), key=lambda k: k["KeyId"])]
        out = self._page(items, params, "Keys")
        return out

    def op_ListKeyPolicies(self, params):
        self._resolve(params["KeyId"], allow_alias=False)
        return {"PolicyNames": ["default"], "Truncated": False}

    def op_ScheduleKeyDeletion(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._customer(key)
        days = params.get("PendingWindowInDays", 30)
        if days < 7 or days > 30:
            bound = ("greater than or equal to 7" if days < 7 else "less than or equal to 30")
            raise AwsError("ValidationException",
                           f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' "
                           f"failed to satisfy constraint: Member must have value {bound}")
        self._not_pending(key)
        key["KeyState"] = "PendingDeletion"
        key["Enabled"] = False
        key["DeletionDate"] = self.emu.now() + datetime.timedelta(days=days)
        key["PendingWindowInDays"] = days
        return {"KeyId": key["Arn"], "DeletionDate": key["DeletionDate"],
                "KeyState": "PendingDeletion", "PendingWindowInDays": days}

    def op_CancelKeyDeletion(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        if key["KeyState"] != "PendingDeletion":
            raise AwsError("KMSInvalidStateException",
                           f"{key['Arn']} is not pending deletion (current state: {key['KeyState']}).")
        key["KeyState"] = "Disabled"
        key["DeletionDate"] = None
        key["PendingWindowInDays"] = None
        return {"KeyId": key["Arn"]}

    def op_EnableKey(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._customer(key)
        self._not_pending(key)
        key["KeyState"] = "Enabled"
        key["Enabled"] = True
        return {}

    def op_DisableKey(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._customer(key)
        self._not_pending(key)
        key["KeyState"] = "Disabled"
        key["Enabled"] = False
        return {}

    def op_TagResource(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._not_pending(key)
        self._customer(key)
        self._apply_tags(key, params["Tags"])
        return {}

    def op_UntagResource(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        self._not_pending(key)
        self._customer(key)
        drop = set(params["TagKeys"])
        key["Tags"] = [t for t in key["Tags"] if t["TagKey"] not in drop]
        return {}

    def op_ListResourceTags(self, params):
        key = self._resolve(params["KeyId"], allow_alias=False)
        tags = sorted(key["Tags"], key=lambda t: t["TagKey"])
        return self._page([dict(t) for t in tags], params, "Tags")

    def _check_alg(self, params):
        alg = params.get("EncryptionAlgorithm", "SYMMETRIC_DEFAULT")
        if alg != "SYMMETRIC_DEFAULT":
            raise AwsError("InvalidKeyUsageException",
                           f"The emulator's symmetric keys do not support {alg}")
        return alg

    def op_Encrypt(self, params):
        self._check_alg(params)
        if len(params["Plaintext"]) > 4096:
            raise AwsError("ValidationException",
                           "1 validation error detected: Value at 'plaintext' failed to satisfy "
                           "constraint: Member must have length less than or equal to 4096")
        blob = self.encrypt(params["KeyId"], params["Plaintext"], params.get("EncryptionContext"))
        key = self._resolve(params["KeyId"])
        return {"CiphertextBlob": blob, "KeyId": key["Arn"], "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}

    def op_Decrypt(self, params):
        self._check_alg(params)
        arn, pt = self.decrypt(params["CiphertextBlob"], params.get("EncryptionContext"),
                               params.get("KeyId"))
        return {"KeyId": arn, "Plaintext": pt, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}

    def op_GenerateDataKey(self, params):
        spec = params.get("KeySpec")
        nbytes = params.get("NumberOfBytes")
        if (spec is None) == (nbytes is None):
            raise AwsError("ValidationException",
                           "Please specify either number of bytes or key spec.")
        n = nbytes if nbytes is not None else (32 if spec == "AES_256" else 16)
        plaintext = os.urandom(n)
        blob = self.encrypt(params["KeyId"], plaintext, params.get("EncryptionContext"))
        key = self._resolve(params["KeyId"])
        return {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": key["Arn"]}
