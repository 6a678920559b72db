"""KMS through real botocore clients."""

import datetime
import json

import botocore.exceptions
import pytest


def _err(fn, *a, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        fn(*a, **kw)
    return ei.value.response["Error"]["Code"], ei.value.response["Error"]["Message"]


@pytest.fixture
def kms(client):
    return client("kms")


def test_create_describe_key(kms):
    md = kms.create_key(Description="cache key", Tags=[{"TagKey": "team", "TagValue": "a"}])["KeyMetadata"]
    assert md["KeyState"] == "Enabled" and md["Enabled"] is True
    assert md["KeySpec"] == "SYMMETRIC_DEFAULT" and md["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert md["Arn"] == f"arn:aws:kms:us-east-1:123456789012:key/{md['KeyId']}"
    assert len(md["KeyId"]) == 36
    assert kms.describe_key(KeyId=md["Arn"])["KeyMetadata"]["Description"] == "cache key"
    assert kms.list_resource_tags(KeyId=md["KeyId"])["Tags"] == [{"TagKey": "team", "TagValue": "a"}]
    code, msg = _err(kms.describe_key, KeyId="00000000-0000-4000-a000-000000000000")
    assert code == "NotFoundException" and "does not exist" in msg


def test_encrypt_decrypt_roundtrip_and_context(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=kid)
    ct = kms.encrypt(KeyId="alias/app", Plaintext=b"s3cr3t", EncryptionContext={"a": "1"})
    assert ct["KeyId"].endswith(kid) and b"s3cr3t" not in ct["CiphertextBlob"]
    out = kms.decrypt(CiphertextBlob=ct["CiphertextBlob"], EncryptionContext={"a": "1"})
    assert out["Plaintext"] == b"s3cr3t" and out["KeyId"].endswith(kid)
    assert _err(kms.decrypt, CiphertextBlob=ct["CiphertextBlob"])[0] == "InvalidCiphertextException"
    assert _err(kms.decrypt, CiphertextBlob=ct["CiphertextBlob"][:-1] + b"x",
                EncryptionContext={"a": "1"})[0] == "InvalidCiphertextException"
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    assert _err(kms.decrypt, CiphertextBlob=ct["CiphertextBlob"], EncryptionContext={"a": "1"},
                KeyId=other)[0] == "IncorrectKeyException"
    dk = kms.generate_data_key(KeyId=kid, KeySpec="AES_256")
    assert len(dk["Plaintext"]) == 32
    assert kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"] == dk["Plaintext"]
    assert len(kms.generate_data_key(KeyId=kid, NumberOfBytes=7)["Plaintext"]) == 7
    assert _err(kms.generate_data_key, KeyId=kid)[0] == "ValidationException"


def test_disable_enable_key(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=kid)
    assert kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"] == "Disabled"
    assert _err(kms.encrypt, KeyId=kid, Plaintext=b"x")[0] == "DisabledException"
    kms.enable_key(KeyId=kid)
    kms.encrypt(KeyId=kid, Plaintext=b"x")


def test_key_policy(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    pol = json.loads(kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"])
    assert pol["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    new = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                              "Action": "kms:*", "Resource": "*"}]})
    kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=new)
    assert kms.get_key_policy(KeyId=kid)["Policy"] == new
    assert _err(kms.put_key_policy, KeyId=kid, Policy="{broken")[0] == "MalformedPolicyDocumentException"
    assert _err(kms.create_key, Policy="[1,2]")[0] == "MalformedPolicyDocumentException"


def test_rotation(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=kid, RotationPeriodInDays=180)
    st = kms.get_key_rotation_status(KeyId=kid)
    assert st["KeyRotationEnabled"] is True and st["RotationPeriodInDays"] == 180
    kms.disable_key_rotation(KeyId=kid)
    assert kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"] is False


def test_aliases(kms):
    k1 = kms.create_key()["KeyMetadata"]["KeyId"]
    k2 = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/one", TargetKeyId=k1)
    assert _err(kms.create_alias, AliasName="alias/one", TargetKeyId=k2)[0] == "AlreadyExistsException"
    assert _err(kms.create_alias, AliasName="alias/aws/mine", TargetKeyId=k2)[0] == "InvalidAliasNameException"
    assert _err(kms.create_alias, AliasName="noprefix", TargetKeyId=k2)[0] == "ValidationException"
    kms.update_alias(AliasName="alias/one", TargetKeyId=k2)
    aliases = kms.list_aliases(KeyId=k2)["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/one"]
    assert aliases[0]["AliasArn"] == "arn:aws:kms:us-east-1:123456789012:alias/one"
    assert kms.describe_key(KeyId="alias/one")["KeyMetadata"]["KeyId"] == k2
    kms.delete_alias(AliasName="alias/one")
    assert _err(kms.delete_alias, AliasName="alias/one")[0] == "NotFoundException"
    assert _err(kms.describe_key, KeyId="alias/one")[0] == "NotFoundException"


def test_list_aliases_paginates(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    for i in range(5):
        kms.create_alias(AliasName=f"alias/a{i}", TargetKeyId=kid)
    page = kms.list_aliases(Limit=2)
    assert page["Truncated"] is True and len(page["Aliases"]) == 2
    names = [a["AliasName"] for a in kms.get_paginator("list_aliases").paginate(
        PaginationConfig={"PageSize": 2}).build_full_result()["Aliases"]]
    assert names == [f"alias/a{i}" for i in range(5)]


def test_schedule_and_cancel_deletion(emu, kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    code, msg = _err(kms.schedule_key_deletion, KeyId=kid, PendingWindowInDays=6)
    assert code == "ValidationException" and "greater than or equal to 7" in msg
    assert _err(kms.schedule_key_deletion, KeyId=kid, PendingWindowInDays=31)[0] == "ValidationException"
    out = kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
    assert out["KeyState"] == "PendingDeletion" and out["PendingWindowInDays"] == 7
    left = out["DeletionDate"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=6, hours=23) < left <= datetime.timedelta(days=7, seconds=1)
    md = kms.describe_key(KeyId=kid)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion" and md["Enabled"] is False
    for call in (lambda: kms.encrypt(KeyId=kid, Plaintext=b"x"),
                 lambda: kms.enable_key(KeyId=kid),
                 lambda: kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "a", "TagValue": "b"}]),
                 lambda: kms.schedule_key_deletion(KeyId=kid)):
        assert _err(call)[0] == "KMSInvalidStateException"
    assert emu.resources()["kms"] == []
    kms.cancel_key_deletion(KeyId=kid)
    assert kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"] == "Disabled"
    # After the window passes, the key is gone.
    kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
    svc = emu.service("kms")
    emu.settings["clock_offset_s"] = 6 * 86400
    assert svc.key(kid)["KeyState"] == "PendingDeletion"
    emu.settings["clock_offset_s"] = 8 * 86400
    assert svc.key(kid) is None
    emu.settings["clock_offset_s"] = 0
    assert _err(kms.describe_key, KeyId=kid)[0] == "NotFoundException"


def test_tags(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "b", "TagValue": "2"}, {"TagKey": "a", "TagValue": "1"}])
    kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "a", "TagValue": "9"}])
    assert kms.list_resource_tags(KeyId=kid)["Tags"] == [{"TagKey": "a", "TagValue": "9"},
                                                         {"TagKey": "b", "TagValue": "2"}]
    kms.untag_resource(KeyId=kid, TagKeys=["a"])
    assert kms.list_resource_tags(KeyId=kid)["Tags"] == [{"TagKey": "b", "TagValue": "2"}]
    assert _err(kms.tag_resource, KeyId=kid, Tags=[{"TagKey": "aws:x", "TagValue": "1"}])[0] == "TagException"


def test_cross_service_helpers(emu, kms):
    svc = emu.service("kms")
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/x", TargetKeyId=kid)
    for ref in (kid, f"arn:aws:kms:us-east-1:123456789012:key/{kid}", "alias/x",
                "arn:aws:kms:us-east-1:123456789012:alias/x"):
        assert svc.key(ref)["KeyId"] == kid
    assert svc.key("alias/missing") is None
    managed = svc.key("alias/aws/secretsmanager")
    assert managed["KeyManager"] == "AWS"
    blob = svc.encrypt("alias/aws/secretsmanager", b"pw", {"SecretARN": "x"})
    assert svc.decrypt(blob, {"SecretARN": "x"}) == (managed["Arn"], b"pw")
    # AWS managed keys are not user resources.
    assert [r["type"] for r in emu.resources()["kms"]] == ["kms-key", "kms-alias"]


def test_list_keys_and_key_policies(kms):
    ids = sorted(kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3))
    keys = kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 2}).build_full_result()["Keys"]
    assert [k["KeyId"] for k in keys] == ids
    assert keys[0]["KeyArn"].endswith(ids[0])
    assert kms.list_key_policies(KeyId=ids[0])["PolicyNames"] == ["default"]


def test_key_policy_lockout_and_principal_checks(kms):
    def pol(*stmts):
        return json.dumps({"Version": "2012-10-17", "Statement": list(stmts)})
    root = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*", "Resource": "*"}
    other = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
             "Action": ["kms:Decrypt"], "Resource": "*"}
    kid = kms.create_key(Policy=pol(root, other))["KeyMetadata"]["KeyId"]
    code, msg = _err(kms.put_key_policy, KeyId=kid, PolicyName="default", Policy=pol(other))
    assert code == "MalformedPolicyDocumentException" and "will not allow you" in msg
    kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=pol(other),
                       BypassPolicyLockoutSafetyCheck=True)
    code, msg = _err(kms.create_key, Policy=pol({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))
    assert code == "MalformedPolicyDocumentException" and "no principal" in msg
    # The configured user (the caller) may also keep control.
    me = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/emulator"},
          "Action": "kms:PutKeyPolicy", "Resource": "*"}
    kms.create_key(Policy=pol(me))
