"""IAM managed policies through real botocore clients."""

import json
import urllib.parse

import botocore.exceptions
import pytest

from emuhelpers import signed_raw

DOC = {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": ["elasticache:Describe*"], "Resource": "*"}]}


def _err(fn, *a, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        fn(*a, **kw)
    r = ei.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def iam(client):
    return client("iam")


def test_create_get_policy(iam, emu):
    p = iam.create_policy(PolicyName="cache-read", Path="/app/", PolicyDocument=json.dumps(DOC),
                          Description="read caches", Tags=[{"Key": "team", "Value": "a"}])["Policy"]
    assert p["Arn"] == "arn:aws:iam::123456789012:policy/app/cache-read"
    assert p["DefaultVersionId"] == "v1" and p["AttachmentCount"] == 0 and p["IsAttachable"] is True
    assert p["PolicyId"].startswith("ANPA") and "Description" not in p
    got = iam.get_policy(PolicyArn=p["Arn"])["Policy"]
    assert got["Description"] == "read caches" and got["Tags"] == [{"Key": "team", "Value": "a"}]
    v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
    assert v["Document"] == DOC and v["IsDefaultVersion"] is True
    assert emu.resources()["iam"] == [{"type": "iam-policy", "id": p["Arn"]}]
    code, msg, status = _err(iam.create_policy, PolicyName="cache-read", PolicyDocument=json.dumps(DOC))
    assert (code, status) == ("EntityAlreadyExists", 409)


def test_document_is_url_encoded_on_the_wire(iam, emu):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    body = urllib.parse.urlencode({"Action": "GetPolicyVersion", "Version": "2010-05-08",
                                   "PolicyArn": arn, "VersionId": "v1"}).encode()
    status, _, out = signed_raw(emu, "iam", body,
                                {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert status == 200
    assert b"<Document>%7B%22Version%22" in out


def test_malformed_documents(iam):
    bad_docs = ["{not json", "[]", json.dumps({"Version": "2012-10-17"}),
                json.dumps({"Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}),
                json.dumps({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
                json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                           "Principal": "*"}]})]
    for doc in bad_docs:
        code, _, status = _err(iam.create_policy, PolicyName="bad", PolicyDocument=doc)
        assert (code, status) == ("MalformedPolicyDocument", 400), doc
    big = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i:05d}/*"}
        for i in range(200)]}
    assert _err(iam.create_policy, PolicyName="big", PolicyDocument=json.dumps(big))[0] == "LimitExceeded"


def test_versions_limit_and_delete_rules(iam):
    arn = iam.create_policy(PolicyName="v", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    for i in range(4):
        out = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC),
                                        SetAsDefault=(i == 1))["PolicyVersion"]
        assert out["VersionId"] == f"v{i + 2}" and "Document" not in out
    code, msg, status = _err(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    assert (code, status) == ("LimitExceeded", 409) and "5 versions" in msg
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == \
        [("v5", False), ("v4", False), ("v3", True), ("v2", False), ("v1", False)]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    code, _, status = _err(iam.delete_policy_version, PolicyArn=arn, VersionId="v3")
    assert (code, status) == ("DeleteConflict", 409)
    code, _, status = _err(iam.delete_policy, PolicyArn=arn)
    assert (code, status) == ("DeleteConflict", 409)
    for vid in ("v1", "v2", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=vid)
    code, _, status = _err(iam.get_policy_version, PolicyArn=arn, VersionId="v1")
    assert (code, status) == ("NoSuchEntity", 404)
    # Version numbers are never reused.
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))["PolicyVersion"][
        "VersionId"] == "v6"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v6")
    iam.delete_policy(PolicyArn=arn)
    code, _, status = _err(iam.get_policy, PolicyArn=arn)
    assert (code, status) == ("NoSuchEntity", 404)


def test_tags(iam):
    arn = iam.create_policy(PolicyName="t", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "3"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "a", "Value": "3"},
                                                           {"Key": "b", "Value": "2"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    assert _err(iam.tag_policy, PolicyArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}])[0] == "InvalidInput"
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert _err(iam.tag_policy, PolicyArn=arn, Tags=too_many)[0] == "LimitExceeded"


def test_validation_and_bad_arns(iam):
    code, msg, status = _err(iam.create_policy, PolicyName="bad name", PolicyDocument=json.dumps(DOC))
    assert (code, status) == ("ValidationError", 400) and "policyName" in msg
    assert _err(iam.get_policy, PolicyArn="arn:aws:s3:::not-a-policy-arn")[0] == "InvalidInput"


def test_get_user(iam):
    assert iam.get_user()["User"]["Arn"] == "arn:aws:iam::123456789012:user/emulator"
    assert _err(iam.get_user, UserName="someone")[0] == "NoSuchEntity"


def test_tag_patterns_use_unicode_classes(iam):
    arn = iam.create_policy(PolicyName="u", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "équipe", "Value": "données 2 @x"}])
    code, msg, status = _err(iam.tag_policy, PolicyArn=arn, Tags=[{"Key": "bad#key", "Value": "v"}])
    assert (code, status) == ("ValidationError", 400) and "tags.1.member.key" in msg


def test_list_entities_for_policy(iam):
    arn = iam.create_policy(PolicyName="e", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    out = iam.list_entities_for_policy(PolicyArn=arn)
    assert (out["PolicyGroups"], out["PolicyUsers"], out["PolicyRoles"]) == ([], [], [])
    assert _err(iam.list_entities_for_policy, PolicyArn=arn + "x")[0] == "NoSuchEntity"


def test_policy_statement_checks(iam):
    def doc(**st):
        base = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        base.update(st)
        return json.dumps({"Version": "2012-10-17", "Statement": [base]})
    for bad, needle in [(doc(Resource="bucket/*"), "must be in ARN format"),
                        (doc(Sid="has space"), "alpha-numeric"),
                        (doc(Condition={"StringEquals": "x"}), "Syntax errors"),
                        (doc(Extra=1), "Syntax errors")]:
        code, msg, _ = _err(iam.create_policy, PolicyName="s", PolicyDocument=bad)
        assert code == "MalformedPolicyDocument" and needle in msg
    dup = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    assert "unique" in _err(iam.create_policy, PolicyName="s", PolicyDocument=dup)[1]
    ok = doc(Sid="Read1", Resource=["arn:aws:elasticache:us-east-1:123456789012:replicationgroup:x"],
             Condition={"Bool": {"aws:SecureTransport": "true"}})
    iam.create_policy(PolicyName="s", PolicyDocument=ok)
