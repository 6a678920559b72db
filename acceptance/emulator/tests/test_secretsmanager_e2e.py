"""Secrets Manager service: end-to-end through botocore against the in-process Emulator."""

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from acceptance.emulator.server import Emulator

SECRET1 = "first-secret-value-Q9"
SECRET2 = "second-secret-value-Z7"
SECRET3 = "third-secret-value-K4"


@pytest.fixture
def emu():
    e = Emulator(region="us-east-1")
    e.start()
    try:
        yield e
    finally:
        e.stop()


def client(emu, name):
    return botocore.session.get_session().create_client(
        name, region_name="us-east-1", endpoint_url=emu.endpoint, aws_access_key_id="AKIDEMULATOR00000000",
        aws_secret_access_key="emulator-secret-key", config=Config(retries={"max_attempts": 1}))


def advance(emu, seconds):
    emu.settings["clock_offset_s"] = float(emu.settings.get("clock_offset_s", 0)) + seconds


def err(ei):
    return ei.value.response["Error"]["Code"], ei.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_versions_and_stages(emu):
    sm = client(emu, "secretsmanager")
    key = client(emu, "kms").create_key()["KeyMetadata"]
    out = sm.create_secret(Name="app/redis-auth", SecretString=SECRET1, KmsKeyId=key["Arn"],
                           Description="redis auth", Tags=[{"Key": "app", "Value": "x"}])
    arn = out["ARN"]
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/redis-auth-")
    assert len(arn.rsplit("-", 1)[1]) == 6
    v1 = out["VersionId"]
    with pytest.raises(ClientError) as ei:
        sm.create_secret(Name="app/redis-auth", SecretString=SECRET1)
    assert err(ei) == ("ResourceExistsException", 400)
    assert SECRET1 not in ei.value.response["Error"]["Message"]
    got = sm.get_secret_value(SecretId="app/redis-auth")
    assert got["SecretString"] == SECRET1 and got["VersionStages"] == ["AWSCURRENT"]
    v2 = sm.put_secret_value(SecretId=arn, SecretString=SECRET2)["VersionId"]
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == SECRET2
    prev = sm.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")
    assert prev["SecretString"] == SECRET1 and prev["VersionId"] == v1
    v3 = sm.update_secret(SecretId="app/redis-auth", SecretString=SECRET3)["VersionId"]
    stages = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
    assert stages == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    assert v1 not in stages
    assert sm.get_secret_value(SecretId=arn, VersionId=v1)["SecretString"] == SECRET1
    # idempotent retry with the same token; a different value under the same token is refused
    tok = "a" * 32
    r1 = sm.put_secret_value(SecretId=arn, SecretString="retry-value-0000001", ClientRequestToken=tok)
    r2 = sm.put_secret_value(SecretId=arn, SecretString="retry-value-0000001", ClientRequestToken=tok)
    assert r1["VersionId"] == r2["VersionId"] == tok
    with pytest.raises(ClientError) as ei:
        sm.put_secret_value(SecretId=arn, SecretString="other-value-0000002", ClientRequestToken=tok)
    assert err(ei) == ("ResourceExistsException", 400)
    d = sm.describe_secret(SecretId=arn)
    assert d["KmsKeyId"] == key["Arn"] and d["Description"] == "redis auth"
    assert d["Tags"] == [{"Key": "app", "Value": "x"}]
    sm.tag_resource(SecretId=arn, Tags=[{"Key": "team", "Value": "core"}])
    sm.untag_resource(SecretId=arn, TagKeys=["app"])
    assert sm.describe_secret(SecretId=arn)["Tags"] == [{"Key": "team", "Value": "core"}]
    with pytest.raises(ClientError) as ei:
        sm.get_secret_value(SecretId="nope")
    assert err(ei) == ("ResourceNotFoundException", 400)


def test_kms_and_validation(emu):
    sm = client(emu, "secretsmanager")
    kms = client(emu, "kms")
    with pytest.raises(ClientError) as ei:
        sm.create_secret(Name="s", SecretString=SECRET1, KmsKeyId="alias/nope")
    assert err(ei)[0] == "EncryptionFailure"
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as ei:
        sm.create_secret(Name="s", SecretString=SECRET1, KmsKeyId=key)
    assert err(ei)[0] == "EncryptionFailure"
    with pytest.raises(ClientError) as ei:
        sm.create_secret(Name="s", SecretString=SECRET1, SecretBinary=b"x")
    assert err(ei) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as ei:
        sm.create_secret(Name="bad name!", SecretString=SECRET1)
    assert err(ei)[0] in ("InvalidParameterException", "ValidationException")
    sm.create_secret(Name="empty")
    with pytest.raises(ClientError) as ei:
        sm.get_secret_value(SecretId="empty")
    assert err(ei) == ("ResourceNotFoundException", 400)
    # a secret whose key gets disabled can no longer be read or written
    key2 = kms.create_key()["KeyMetadata"]["KeyId"]
    arn = sm.create_secret(Name="locked", SecretString=SECRET1, KmsKeyId=key2)["ARN"]
    kms.disable_key(KeyId=key2)
    with pytest.raises(ClientError) as ei:
        sm.get_secret_value(SecretId=arn)
    assert err(ei) == ("DecryptionFailure", 400)
    with pytest.raises(ClientError) as ei:
        sm.put_secret_value(SecretId=arn, SecretString=SECRET2)
    assert err(ei) == ("EncryptionFailure", 400)
    kms.enable_key(KeyId=key2)
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == SECRET1
    out = sm.create_secret(Name="bin", SecretBinary=b"\x00\x01binary")
    assert sm.get_secret_value(SecretId=out["ARN"])["SecretBinary"] == b"\x00\x01binary"


def test_delete_restore_and_listing(emu):
    sm = client(emu, "secretsmanager")
    arn = sm.create_secret(Name="doomed", SecretString=SECRET1)["ARN"]
    sm.create_secret(Name="kept", SecretString=SECRET2)
    for bad in ({"RecoveryWindowInDays": 6}, {"RecoveryWindowInDays": 31},
                {"RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": True}):
        with pytest.raises(ClientError) as ei:
            sm.delete_secret(SecretId=arn, **bad)
        assert err(ei) == ("InvalidParameterException", 400)
    out = sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    assert (out["DeletionDate"] - sm.describe_secret(SecretId=arn)["DeletedDate"]).days == 7
    for call in (lambda: sm.get_secret_value(SecretId=arn),
                 lambda: sm.put_secret_value(SecretId=arn, SecretString=SECRET3),
                 lambda: sm.update_secret(SecretId=arn, Description="x"),
                 lambda: sm.tag_resource(SecretId=arn, Tags=[{"Key": "a", "Value": "b"}]),
                 lambda: sm.delete_secret(SecretId=arn)):
        with pytest.raises(ClientError) as ei:
            call()
        assert err(ei) == ("InvalidRequestException", 400)
    with pytest.raises(ClientError) as ei:
        sm.create_secret(Name="doomed", SecretString=SECRET1)
    assert err(ei) == ("InvalidRequestException", 400)
    assert [s["Name"] for s in sm.list_secrets()["SecretList"]] == ["kept"]
    listed = sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    assert sorted(s["Name"] for s in listed) == ["doomed", "kept"]
    res = {r["name"]: r["state"] for r in emu.resources()["secretsmanager"]}
    assert res == {"doomed": "scheduled-deletion", "kept": "live"}
    sm.restore_secret(SecretId="doomed")
    assert sm.get_secret_value(SecretId="doomed")["SecretString"] == SECRET1
    sm.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
    advance(emu, 7 * 86400 - 60)
    assert [r["name"] for r in emu.resources()["secretsmanager"]] == ["doomed", "kept"]
    # a week later SigV4 would reject requests signed with the real clock: look at the state directly
    advance(emu, 61)
    assert [r["name"] for r in emu.resources()["secretsmanager"]] == ["kept"]
    emu.settings["clock_offset_s"] = 0
    with pytest.raises(ClientError) as ei:
        sm.describe_secret(SecretId="doomed")
    assert err(ei) == ("ResourceNotFoundException", 400)
    sm.delete_secret(SecretId="kept", ForceDeleteWithoutRecovery=True)
    assert emu.resources()["secretsmanager"] == []
    # filters and paging
    for i in range(5):
        sm.create_secret(Name="svc/item%d" % i, SecretString=SECRET1, Tags=[{"Key": "n", "Value": str(i)}])
    sm.create_secret(Name="other", SecretString=SECRET1)
    names = [s["Name"] for s in sm.list_secrets(Filters=[{"Key": "name", "Values": ["svc/"]}])["SecretList"]]
    assert sorted(names) == ["svc/item%d" % i for i in range(5)]
    page = sm.list_secrets(MaxResults=4)
    assert len(page["SecretList"]) == 4 and page["NextToken"]
    rest = sm.list_secrets(MaxResults=4, NextToken=page["NextToken"])
    assert len(rest["SecretList"]) == 2 and "NextToken" not in rest
    assert SECRET1 not in repr(page)
