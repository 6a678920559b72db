"""IAM customer-managed policies (versions, tags) and GetUser for the
configured user.

IAM returns policy documents URL-encoded (botocore's json_decode_policies
handler url-decodes and JSON-decodes them), so documents are sent that way.
"""

import json
import re
from urllib.parse import quote

from ..errors import AwsError

_POLICY_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}|aws):policy(/(?:[^/]+/)*)([^/]+)$")
MAX_VERSIONS = 5
MAX_POLICY_SIZE = 6144


def _malformed(msg):
    return AwsError("MalformedPolicyDocument", msg, 400)


def check_identity_policy(text):
    """Validate an identity-based policy document like IAM does (subset)."""
    try:
        doc = json.loads(text)
    except ValueError:
        raise _malformed("Syntax errors in policy.")
    if not isinstance(doc, dict):
        raise _malformed("Syntax errors in policy.")
    if len("".join(text.split())) > MAX_POLICY_SIZE:
        raise AwsError("LimitExceeded", f"Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}", 409)
    version = doc.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        raise _malformed("The policy failed legacy parsing")
    for key in doc:
        if key not in ("Version", "Id", "Statement"):
            raise _malformed(f"Syntax errors in policy. Unknown field {key}")
    if "Statement" not in doc:
        raise _malformed("Missing required field Statement")
    stmts = doc["Statement"]
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list) or not stmts:
        raise _malformed("Syntax errors in policy.")
    sids = set()
    for st in stmts:
        if not isinstance(st, dict):
            raise _malformed("Syntax errors in policy.")
        for key in st:
            if key not in ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
                           "Condition", "Principal", "NotPrincipal"):
                raise _malformed(f"Syntax errors in policy. Unknown field {key}")
        if "Sid" in st:
            sid = st["Sid"]
            if not isinstance(sid, str) or not re.fullmatch(r"[0-9A-Za-z]*", sid):
                raise _malformed("Statement IDs (SID) must be alpha-numeric. Check that your input "
                                 "satisfies the regular expression [0-9A-Za-z]*")
            if sid and sid in sids:
                raise _malformed("Statement IDs (SID) in a single policy must be unique.")
            sids.add(sid)
        cond = st.get("Condition")
        if cond is not None and (not isinstance(cond, dict) or
                                 not all(isinstance(v, dict) for v in cond.values())):
            raise _malformed("Syntax errors in policy.")
        if "Effect" not in st:
            raise _malformed("Missing required field Effect")
        if st["Effect"] not in ("Allow", "Deny"):
            raise _malformed(f"Invalid effect: {st['Effect']}")
        if "Principal" in st or "NotPrincipal" in st:
            raise _malformed("Policy document should not specify a principal.")
        if "Action" not in st and "NotAction" not in st:
            raise _malformed("Policy statement must contain actions.")
        if "Resource" not in st and "NotResource" not in st:
            raise _malformed("Policy statement must contain resources.")
        for field in ("Resource", "NotResource"):
            res = st.get(field)
            if res is None:
                continue
            res = [res] if isinstance(res, str) else res
            if not isinstance(res, list) or not all(isinstance(r, str) for r in res):
                raise _malformed("Syntax errors in policy.")
            for r in res:
                if r != "*" and not (r.startswith("arn:") and len(r.split(":", 5)) == 6):
                    raise _malformed(f'Resource {r} must be in ARN format or "*".')
        for field in ("Action", "NotAction"):
            acts = st.get(field)
            if acts is None:
                continue
            acts = [acts] if isinstance(acts, str) else acts
            if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
                raise _malformed("Syntax errors in policy.")
            for a in acts:
                if a != "*" and not re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9*?]*", a):
                    raise _malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, "
                                     "sdb, ec2, etc.")
    return doc


class Service:
    name = "iam"

    def __init__(self, emu):
        self.emu = emu
        self.policies = {}  # arn -> policy dict

    def _arn_for(self, path, name):
        return f"arn:{self.emu.partition}:iam::{self.emu.account_id}:policy{path}{name}"

    def _policy(self, arn):
        m = _POLICY_ARN.match(arn)
        if not m:
            raise AwsError("InvalidInput", f"ARN {arn} is not valid.", 400)
        p = self.policies.get(arn)
        if p is None:
            raise AwsError("NoSuchEntity", f"Policy {arn} was not found.", 404)
        return p

    def _out(self, p, with_description=True):
        out = {k: p[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId",
                                 "AttachmentCount", "PermissionsBoundaryUsageCount", "IsAttachable",
                                 "CreateDate", "UpdateDate")}
        if with_description and p.get("Description"):
            out["Description"] = p["Description"]
        if p["Tags"]:
            out["Tags"] = [dict(t) for t in p["Tags"]]
        return out

    def _check_tags(self, tags):
        for t in tags:
            if t["Key"].lower().startswith("aws:"):
                raise AwsError("InvalidInput", "User-defined tag keys can't start with aws:", 400)

    def _merge_tags(self, p, tags):
        cur = list(p["Tags"])
        for t in tags:
            for c in cur:
                if c["Key"] == t["Key"]:
                    c["Value"] = t["Value"]
                    break
            else:
                cur.append({"Key": t["Key"], "Value": t["Value"]})
        if len(cur) > 50:
            raise AwsError("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
        p["Tags"] = cur

    # ---- operations ------------------------------------------------------
    def op_CreatePolicy(self, params):
        name = params["PolicyName"]
        path = params.get("Path", "/")
        for p in self.policies.values():
            if p["PolicyName"] == name:
                raise AwsError("EntityAlreadyExists",
                               f"A policy called {name} already exists. Duplicate names are not allowed.",
                               409)
        check_identity_policy(params["PolicyDocument"])
        tags = params.get("Tags", [])
        self._check_tags(tags)
        now = self.emu.now().replace(microsecond=0)
        arn = self._arn_for(path, name)
        p = {
            "PolicyName": name, "PolicyId": "ANPA" + self.emu.random_string(17), "Arn": arn,
            "Path": path, "DefaultVersionId": "v1", "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "Description": params.get("Description", ""), "CreateDate": now, "UpdateDate": now,
            "Tags": [], "Versions": [{"VersionId": "v1", "Document": params["PolicyDocument"],
                                      "CreateDate": now}],
            "NextVersion": 2,
        }
        self._merge_tags(p, tags)
        self.policies[arn] = p
        # CreatePolicy's response does not include the description.
        return {"Policy": self._out(p, with_description=False)}

    def op_GetPolicy(self, params):
        return {"Policy": self._out(self._policy(params["PolicyArn"]))}

    def _version(self, p, vid):
        for v in p["Versions"]:
            if v["VersionId"] == vid:
                return v
        raise AwsError("NoSuchEntity",
                       f"Policy {p['Arn']} version {vid} does not exist or is not attachable.", 404)

    def _version_out(self, p, v, document=True):
        out = {"VersionId": v["VersionId"], "IsDefaultVersion": v["VersionId"] == p["DefaultVersionId"],
               "CreateDate": v["CreateDate"]}
        if document:
            out["Document"] = quote(v["Document"], safe="")
        return out

    def op_GetPolicyVersion(self, params):
        p = self._policy(params["PolicyArn"])
        return {"PolicyVersion": self._version_out(p, self._version(p, params["VersionId"]))}

    def _page(self, items, params, field):
        start = 0
        if "Marker" in params:
            try:
                start = int(params["Marker"])
                if not 0 <= start <= len(items):
                    raise ValueError
            except ValueError:
                raise AwsError("InvalidInput", "Invalid Marker.", 400)
        limit = params.get("MaxItems", 100)
        out = {field: items[start:start + limit], "IsTruncated": start + limit < len(items)}
        if out["IsTruncated"]:
            out["Marker"] = str(start + limit)
        return out

    def op_ListPolicyVersions(self, params):
        p = self._policy(params["PolicyArn"])
        versions = sorted(p["Versions"], key=lambda v: int(v["VersionId"][1:]), reverse=True)
        items = [self._version_out(p, v, document=False) for v in versions]
        return self._page(items, params, "Versions")

    def op_CreatePolicyVersion(self, params):
        p = self._policy(params["PolicyArn"])
        if len(p["Versions"]) >= MAX_VERSIONS:
            raise AwsError("LimitExceeded",
                           f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create "
                           f"a new version, you must delete an existing version.", 409)
        check_identity_policy(params["PolicyDocument"])
        now = self.emu.now().replace(microsecond=0)
        v = {"VersionId": f"v{p['NextVersion']}", "Document": params["PolicyDocument"],
             "CreateDate": now}
        p["NextVersion"] += 1
        p["Versions"].append(v)
        if params.get("SetAsDefault"):
            p["DefaultVersionId"] = v["VersionId"]
            p["UpdateDate"] = now
        return {"PolicyVersion": self._version_out(p, v, document=False)}

    def op_DeletePolicyVersion(self, params):
        p = self._policy(params["PolicyArn"])
        v = self._version(p, params["VersionId"])
        if v["VersionId"] == p["DefaultVersionId"]:
            raise AwsError("DeleteConflict", "Cannot delete the default version of a policy.", 409)
        p["Versions"].remove(v)
        return {}

    def op_SetDefaultPolicyVersion(self, params):
        p = self._policy(params["PolicyArn"])
        v = self._version(p, params["VersionId"])
        p["DefaultVersionId"] = v["VersionId"]
        p["UpdateDate"] = self.emu.now().replace(microsecond=0)
        return {}

    def op_DeletePolicy(self, params):
        p = self._policy(params["PolicyArn"])
        if len(p["Versions"]) > 1:
            raise AwsError("DeleteConflict",
                           "This policy has more than one version. Before you delete a policy, you "
                           "must delete the policy's versions. The default version is deleted with "
                           "the policy.", 409)
        users = self.emu.users_of("iam-policy", p["Arn"])
        if p["AttachmentCount"] or users:
            raise AwsError("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
        del self.policies[p["Arn"]]
        return {}

    def op_TagPolicy(self, params):
        p = self._policy(params["PolicyArn"])
        self._check_tags(params["Tags"])
        self._merge_tags(p, params["Tags"])
        return {}

    def op_UntagPolicy(self, params):
        p = self._policy(params["PolicyArn"])
        drop = set(params["TagKeys"])
        p["Tags"] = [t for t in p["Tags"] if t["Key"] not in drop]
        return {}

    def op_ListPolicyTags(self, params):
        p = self._policy(params["PolicyArn"])
        return self._page([dict(t) for t in p["Tags"]], params, "Tags")

    def op_ListEntitiesForPolicy(self, params):
        self._policy(params["PolicyArn"])
        # The emulator has no users/groups/roles to attach policies to.
        out = self._page([], params, "PolicyGroups")
        out["PolicyUsers"] = []
        out["PolicyRoles"] = []
        return out

    def op_ListPolicies(self, params):
        scope = params.get("Scope", "All")
        items = []
        if scope in ("All", "Local"):
            prefix = params.get("PathPrefix", "/")
            items = [self._out(p, with_description=False) for _, p in sorted(self.policies.items())
                     if p["Path"].startswith(prefix)]
        return self._page(items, params, "Policies")

    def op_GetUser(self, params):
        ident = self.emu.configured_identity()
        name = params.get("UserName", self.emu.user_name)
        caller = self.emu.caller()
        if "UserName" not in params and caller["Arn"] != ident["Arn"]:
            raise AwsError("ValidationError",
                           "Must specify userName when calling with non-User credentials", 400)
        if name != self.emu.user_name:
            raise AwsError("NoSuchEntity", f"The user with name {name} cannot be found.", 404)
        return {"User": {"Path": "/", "UserName": name, "UserId": ident["UserId"], "Arn": ident["Arn"],
                         "CreateDate": self.emu.now().replace(hour=0, minute=0, second=0,
                                                              microsecond=0)}}

    def resources(self):
        return [{"type": "iam-policy", "id": arn} for arn in sorted(self.policies)]
