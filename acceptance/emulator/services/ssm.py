"""AWS Systems Manager Parameter Store for the acceptance emulator.

Modelled: String / StringList / SecureString parameters with versions, Overwrite semantics, KMS keys for SecureString
(default alias/aws/ssm; any other KeyId must exist in the emulator's kms service and be enabled), version selectors
(name:3), WithDecryption (without it a SecureString's Value is an opaque ciphertext, as on AWS), AllowedPattern,
tiers, DescribeParameters with Filters / ParameterFilters, deletion, and tags on parameters.
Error codes are the error shape names of botocore's ssm 2014-11-06 model.
Not modelled: labels (a label selector never matches), parameter policies, shared parameters, history APIs.
"""

import base64
import re

import botocore.loaders

from acceptance.emulator.errors import AwsError

_MODEL = botocore.loaders.create_loader().load_service_model("ssm", "service-2", "2014-11-06")

_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-/]+$")
_DEFAULT_KEY = "alias/aws/ssm"
_MAX_VERSIONS = 100
_VALUE_LIMIT = {"Standard": 4096, "Advanced": 8192, "Intelligent-Tiering": 8192}


def _fault(shape, message):
    s = _MODEL["shapes"][shape]
    status = s.get("error", {}).get("httpStatusCode", 500 if s.get("fault") else 400)
    return AwsError(shape, message, status, not s.get("fault", False))


def _validation(message):
    return _fault("ValidationException", message)


class Service:
    name = "ssm"

    def __init__(self, emu):
        self.emu = emu
        self.params = {}  # name -> {"versions": [..], "tags": [..]}

    # --------------------------------------------------------------------------------------------- helpers
    def resources(self):
        return [{"type": "parameter", "id": n} for n in sorted(self.params)]

    def uses(self, kind, ident):
        if kind != "kms-key":
            return []
        kms = self.emu.service("kms")
        key = kms.key(ident) if kms is not None else None
        if key is None:
            return []
        out = []
        for n, prm in sorted(self.params.items()):
            cur = prm["versions"][-1]
            if cur["Type"] == "SecureString" and cur["KeyId"] != _DEFAULT_KEY:
                k = kms.key(cur["KeyId"])
                if k is not None and k["Arn"] == key["Arn"]:
                    out.append("SSM parameter %s" % n)
        return out

    def _arn(self, name):
        return "arn:%s:ssm:%s:%s:parameter/%s" % (self.emu.partition, self.emu.region, self.emu.account_id,
                                                  name.lstrip("/"))

    def _name_from(self, ref):
        """Accepts a parameter name or ARN; returns the name."""
        m = re.match(r"^arn:[a-z-]+:ssm:([a-z0-9-]+):(\d{12}):parameter/(.+)$", ref or "")
        if m:
            rest = m.group(3)
            return rest if rest in self.params else "/" + rest
        return ref

    def _check_name(self, name):
        if not isinstance(name, str) or not name or len(name) > 2048:
            raise _validation("Parameter name must be 1 to 2048 characters long.")
        if not _NAME_RE.match(name):
            raise _validation("Parameter name: can't contain characters other than a-zA-Z0-9_.-/ .")
        first = name.lstrip("/").split("/")[0].lower()
        if first.startswith("aws") or first.startswith("ssm"):
            raise _validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).')
        if "/" in name and not name.startswith("/"):
            raise _validation("Parameter name must be a fully qualified name: a hierarchical name must begin with /.")
        if "//" in name or (name.endswith("/") and len(name) > 1):
            raise _validation("Parameter name contains an empty hierarchy level.")
        if name.count("/") > 15:
            raise _fault("HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels.")
        return name

    def _check_key(self, key_id):
        if key_id == _DEFAULT_KEY:
            return key_id
        kms = self.emu.service("kms")
        key = kms.key(key_id) if kms is not None else None
        if key is None or not key.get("Enabled") or key.get("KeyState") != "Enabled":
            raise _fault("InvalidKeyId", "The KMS key %s is not valid: it does not exist or is not enabled." % key_id)
        return key_id

    def _check_tags(self, tags):
        out = []
        for t in tags or []:
            k, v = t.get("Key"), t.get("Value")
            if not k or len(k) > 128 or k.lower().startswith("aws:"):
                raise _validation("Tag keys must be 1-128 characters and must not begin with aws:.")
            if v is None or len(v) > 256:
                raise _validation("Tag values must be 0-256 characters.")
            out.append({"Key": k, "Value": v})
        return out

    def _ciphertext(self):
        rb = getattr(self.emu, "random_bytes", None)
        raw = rb(48) if rb is not None else bytes.fromhex(self.emu.new_id("", 96))
        return base64.b64encode(b"\x01\x02\x02\x00" + raw).decode("ascii")

    def _caller_arn(self):
        caller = getattr(self.emu, "caller", None)
        ident = caller() if caller is not None else None
        return (ident or {}).get("Arn", "arn:%s:iam::%s:root" % (self.emu.partition, self.emu.account_id))

    def _get(self, name):
        prm = self.params.get(name)
        if prm is None:
            raise _fault("ParameterNotFound", "Parameter %s not found." % name)
        return prm

    def _check_decrypt(self, v):
        """Decrypting a SecureString needs its KMS key to be usable (AWS answers InvalidKeyId otherwise)."""
        if v["Type"] == "SecureString" and v["KeyId"] != _DEFAULT_KEY:
            self._check_key(v["KeyId"])

    def _parameter_out(self, name, v, decrypt, selector=None):
        out = {"Name": name, "Type": v["Type"], "Version": v["Version"], "LastModifiedDate": v["Modified"],
               "ARN": self._arn(name), "DataType": v["DataType"]}
        if v["Type"] == "SecureString" and not decrypt:
            out["Value"] = v["Ciphertext"]
        else:
            out["Value"] = v["Value"]
        if selector:
            out["Selector"] = selector
        return out

    def _resolve(self, ref):
        """ref: name, name:version or ARN; returns (name, version dict, selector)."""
        if not isinstance(ref, str) or not ref:
            raise _validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: "
                              "Member must not be null")
        name = self._name_from(ref)
        selector = None
        m = re.match(r"^(.*):([^:/]+)$", name) if not name.startswith("arn:") else None
        if m and m.group(1) and not self.params.get(name):
            name, selector = m.group(1), ":" + m.group(2)
        prm = self._get(name)
        if selector is None:
            return name, prm["versions"][-1], None
        sel = selector[1:]
        if sel.isdigit():
            for v in prm["versions"]:
                if v["Version"] == int(sel):
                    return name, v, selector
            raise _fault("ParameterVersionNotFound", "Systems Manager could not find version %s of %s." % (sel,
                                                                                                         name))
        raise _fault("ParameterVersionNotFound", "Systems Manager could not find label %s of %s (the emulator does "
                                                 "not implement labels)." % (sel, name))

    # ------------------------------------------------------------------------------------------ operations
    def op_PutParameter(self, p):
        name = self._check_name(p.get("Name"))
        value = p.get("Value")
        if value is None or value == "":
            raise _validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member "
                              "must have length greater than or equal to 1.")
        existing = self.params.get(name)
        overwrite = bool(p.get("Overwrite", False))
        if existing is not None and not overwrite:
            raise _fault("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the "
                                                   "overwrite option in the request to true.")
        if existing is not None and p.get("Tags"):
            raise _validation("Invalid request: tags and overwrite can't be used together. To create a parameter "
                              "with tags, please remove overwrite flag. To update tags for an existing parameter, "
                              "please use AddTagsToResource or RemoveTagsFromResource.")
        prev = existing["versions"][-1] if existing else None
        ptype = p.get("Type") or (prev["Type"] if prev else None)
        if ptype is None:
            raise _validation("A parameter type is required when you create a parameter.")
        if ptype not in ("String", "StringList", "SecureString"):
            raise _fault("UnsupportedParameterType", "Parameter type %s is not supported." % ptype)
        key_id = p.get("KeyId")
        if key_id is not None and ptype != "SecureString":
            raise _validation("KeyId can be specified only for parameters of type SecureString.")
        if ptype == "SecureString":
            if key_id is None:
                key_id = prev["KeyId"] if prev and prev["Type"] == "SecureString" else _DEFAULT_KEY
            key_id = self._check_key(key_id)
        tier = p.get("Tier") or (prev["Tier"] if prev else "Standard")
        if tier == "Intelligent-Tiering":
            tier = "Advanced" if len(value) > 4096 else "Standard"
        if tier not in _VALUE_LIMIT:
            raise _validation("Tier must be Standard, Advanced or Intelligent-Tiering.")
        if prev and prev["Tier"] == "Advanced" and tier == "Standard":
            raise _validation("An Advanced parameter cannot be changed back to the Standard tier.")
        if len(value) > _VALUE_LIMIT[tier]:
            raise _validation("%s tier parameters support a maximum parameter value of %d characters."
                              % (tier, _VALUE_LIMIT[tier]))
        if p.get("Policies"):
            raise _validation("The emulator does not implement parameter policies.")
        data_type = p.get("DataType") or (prev["DataType"] if prev else "text")
        if data_type != "text":
            raise _validation("The emulator supports only DataType text.")
        pattern = p.get("AllowedPattern", prev["AllowedPattern"] if prev else None)
        if pattern is not None:
            if len(pattern) > 1024:
                raise _fault("InvalidAllowedPatternException", "The allowed pattern must be at most 1024 characters.")
            try:
                rx = re.compile(pattern)
            except re.error:
                raise _fault("InvalidAllowedPatternException", "The request does not meet the regular expression "
                                                               "requirement.") from None
            if not rx.fullmatch(value):
                raise _fault("ParameterPatternMismatchException", "Parameter value, cannot be validated against "
                                                                  "allowedPattern: %s" % pattern)
        desc = p.get("Description", prev["Description"] if prev else None)
        if desc is not None and len(desc) > 1024:
            raise _validation("Description must be at most 1024 characters.")
        tags = self._check_tags(p.get("Tags"))
        if len(tags) > 50:
            raise _fault("TooManyTagsError", "A parameter can have at most 50 tags.")
        version = prev["Version"] + 1 if prev else 1
        v = {"Type": ptype, "Value": value, "Version": version, "Modified": self.emu.now(), "KeyId": key_id,
             "Tier": tier, "DataType": data_type, "AllowedPattern": pattern, "Description": desc,
             "User": self._caller_arn(), "Ciphertext": self._ciphertext() if ptype == "SecureString" else None}
        if existing is None:
            self.params[name] = {"versions": [v], "tags": tags}
        else:
            existing["versions"].append(v)
            if len(existing["versions"]) > _MAX_VERSIONS:
                existing["versions"].pop(0)
        return {"Version": version, "Tier": tier}

    def op_GetParameter(self, p):
        name, v, selector = self._resolve(p.get("Name"))
        if p.get("WithDecryption"):
            self._check_decrypt(v)
        return {"Parameter": self._parameter_out(name, v, bool(p.get("WithDecryption")), selector)}

    def op_GetParameters(self, p):
        names = p.get("Names") or []
        if not 1 <= len(names) <= 10:
            raise _validation("Names must contain 1 to 10 parameter names.")
        found, invalid = [], []
        for ref in names:
            try:
                name, v, selector = self._resolve(ref)
            except AwsError:
                if ref not in invalid:
                    invalid.append(ref)
                continue
            if p.get("WithDecryption"):
                self._check_decrypt(v)
            found.append(self._parameter_out(name, v, bool(p.get("WithDecryption")), selector))
        return {"Parameters": found, "InvalidParameters": invalid}

    def _matches(self, name, v, tags, key, option, values):
        if key == "Name":
            option = option or "Equals"
            if option not in ("Equals", "BeginsWith", "Contains"):
                raise _fault("InvalidFilterOption", "The Name filter supports the options Equals, BeginsWith and "
                                                    "Contains.")
            norm = [x if x.startswith("/") or not name.startswith("/") else "/" + x for x in values]
            if option == "Equals":
                return name in values or name in norm
            if option == "BeginsWith":
                return any(name.startswith(x) for x in values + norm)
            return any(x in name for x in values)
        if key == "Path":
            option = option or "OneLevel"
            if option not in ("OneLevel", "Recursive"):
                raise _fault("InvalidFilterOption", "The Path filter supports the options OneLevel and Recursive.")
            for path in values:
                if not path.startswith("/"):
                    raise _fault("InvalidFilterValue", "The Path filter value must begin with /.")
                base = path.rstrip("/") + "/"
                if name.startswith(base) and (option == "Recursive" or "/" not in name[len(base):]):
                    return True
            return False
        if option not in (None, "Equals"):
            raise _fault("InvalidFilterOption", "The %s filter supports only the option Equals." % key)
        if key == "Type":
            return v["Type"] in values
        if key == "KeyId":
            return v["KeyId"] in values
        if key == "Tier":
            return v["Tier"] in values
        if key == "DataType":
            return v["DataType"] in values
        if key == "Label":
            return False
        if key.startswith("tag:"):
            tk = key[4:]
            return any(t["Key"] == tk and (not values or t["Value"] in values) for t in tags)
        raise _fault("InvalidFilterKey", "The filter key %s is not valid." % key)

    def op_DescribeParameters(self, p):
        filters, pfilters = p.get("Filters"), p.get("ParameterFilters")
        if filters and pfilters:
            raise _validation("You can use either Filters or ParameterFilters in a single request, but not both.")
        if p.get("Shared"):
            raise _validation("The emulator does not implement shared parameters.")
        conds = []
        for f in filters or []:
            if f.get("Key") not in ("Name", "Type", "KeyId"):
                raise _fault("InvalidFilterKey", "The filter key %s is not valid." % f.get("Key"))
            conds.append((f["Key"], "BeginsWith" if f["Key"] == "Name" else None, f.get("Values") or []))
        for f in pfilters or []:
            conds.append((f.get("Key"), f.get("Option"), f.get("Values") or []))
        limit = p.get("MaxResults", 50)
        if not 1 <= limit <= 50:
            raise _validation("MaxResults must be between 1 and 50.")
        names = []
        for name in sorted(self.params):
            prm = self.params[name]
            v = prm["versions"][-1]
            if all(self._matches(name, v, prm["tags"], k, o, vals) for k, o, vals in conds):
                names.append(name)
        start = 0
        if p.get("NextToken"):
            m = re.match(r"^ssm/(\d+)$", p["NextToken"])
            if not m or int(m.group(1)) > len(names):
                raise _fault("InvalidNextToken", "The specified token is not valid.")
            start = int(m.group(1))
        out = {"Parameters": []}
        for name in names[start:start + limit]:
            v = self.params[name]["versions"][-1]
            md = {"Name": name, "ARN": self._arn(name), "Type": v["Type"], "LastModifiedDate": v["Modified"],
                  "LastModifiedUser": v["User"], "Version": v["Version"], "Tier": v["Tier"], "Policies": [],
                  "DataType": v["DataType"]}
            if v["KeyId"]:
                md["KeyId"] = v["KeyId"]
            if v["Description"] is not None:
                md["Description"] = v["Description"]
            if v["AllowedPattern"] is not None:
                md["AllowedPattern"] = v["AllowedPattern"]
            out["Parameters"].append(md)
        if start + limit < len(names):
            out["NextToken"] = "ssm/%d" % (start + limit)
        return out

    def op_DeleteParameter(self, p):
        name = self._name_from(p.get("Name"))
        self._get(name)
        del self.params[name]
        return {}

    def op_DeleteParameters(self, p):
        names = p.get("Names") or []
        if not 1 <= len(names) <= 10:
            raise _validation("Names must contain 1 to 10 parameter names.")
        deleted, invalid = [], []
        for ref in names:
            name = self._name_from(ref)
            if name in self.params:
                del self.params[name]
                deleted.append(ref)
            elif ref not in invalid and ref not in deleted:
                invalid.append(ref)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    def _tag_target(self, p):
        rtype = p.get("ResourceType")
        if rtype != "Parameter":
            raise _fault("InvalidResourceType", "The resource type %s is not supported by the emulator; only "
                                                "Parameter is." % rtype)
        rid = p.get("ResourceId")
        prm = self.params.get(rid)
        if prm is None:
            raise _fault("InvalidResourceId", "The resource ID \"%s\" is not valid. Verify the ID and try again."
                         % rid)
        return prm

    def op_AddTagsToResource(self, p):
        prm = self._tag_target(p)
        d = {t["Key"]: t["Value"] for t in prm["tags"]}
        for t in self._check_tags(p.get("Tags")):
            d[t["Key"]] = t["Value"]
        if len(d) > 50:
            raise _fault("TooManyTagsError", "A parameter can have at most 50 tags.")
        prm["tags"] = [{"Key": k, "Value": v} for k, v in d.items()]
        return {}

    def op_RemoveTagsFromResource(self, p):
        prm = self._tag_target(p)
        keys = set(p.get("TagKeys") or [])
        prm["tags"] = [t for t in prm["tags"] if t["Key"] not in keys]
        return {}

    def op_ListTagsForResource(self, p):
        prm = self._tag_target(p)
        return {"TagList": [dict(t) for t in prm["tags"]]}
