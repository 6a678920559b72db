"""CloudWatch Logs service: end-to-end through botocore against the in-process Emulator."""

import json

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from acceptance.emulator.server import Emulator


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


def logs_key(emu, condition=None, actions=("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                                           "kms:GenerateDataKey*", "kms:Describe*")):
    """A KMS key whose policy lets CloudWatch Logs use it, as AWS requires."""
    stmt = {"Sid": "logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
            "Action": list(actions), "Resource": "*"}
    if condition:
        stmt["Condition"] = condition
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"}, stmt]}
    return client(emu, "kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]


def err(ei):
    return ei.value.response["Error"]["Code"], ei.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_log_group_lifecycle(emu):
    logs = client(emu, "logs")
    key = logs_key(emu)
    logs.create_log_group(logGroupName="/elasticache/app/slow", kmsKeyId=key["Arn"], tags={"app": "x"})
    with pytest.raises(ClientError) as ei:
        logs.create_log_group(logGroupName="/elasticache/app/slow")
    assert err(ei) == ("ResourceAlreadyExistsException", 400)
    logs.create_log_group(logGroupName="/elasticache/app/engine")
    logs.create_log_group(logGroupName="/other")
    groups = logs.describe_log_groups(logGroupNamePrefix="/elasticache/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/elasticache/app/engine", "/elasticache/app/slow"]
    slow = groups[1]
    assert slow["kmsKeyId"] == key["Arn"] and "retentionInDays" not in slow
    assert slow["arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/elasticache/app/slow:*"
    assert slow["logGroupArn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/elasticache/app/slow"
    assert isinstance(slow["creationTime"], int)
    for bad in (0, 2, 10, 4000):
        with pytest.raises(ClientError) as ei:
            logs.put_retention_policy(logGroupName="/other", retentionInDays=bad)
        assert err(ei) == ("InvalidParameterException", 400)
    logs.put_retention_policy(logGroupName="/other", retentionInDays=14)
    assert logs.describe_log_groups(logGroupNamePrefix="/other")["logGroups"][0]["retentionInDays"] == 14
    logs.delete_retention_policy(logGroupName="/other")
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix="/other")["logGroups"][0]
    with pytest.raises(ClientError) as ei:
        logs.put_retention_policy(logGroupName="/missing", retentionInDays=7)
    assert err(ei) == ("ResourceNotFoundException", 400)
    # KMS association
    with pytest.raises(ClientError) as ei:
        logs.associate_kms_key(logGroupName="/other", kmsKeyId=key["KeyId"])
    assert err(ei) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as ei:
        logs.associate_kms_key(logGroupName="/other",
                               kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000")
    assert err(ei) == ("AccessDeniedException", 400)  # AWS: "does not exist or is not allowed to be used with ..."
    logs.associate_kms_key(logGroupName="/other", kmsKeyId=key["Arn"])
    assert logs.describe_log_groups(logGroupNamePrefix="/other")["logGroups"][0]["kmsKeyId"] == key["Arn"]
    logs.disassociate_kms_key(logGroupName="/other")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/other")["logGroups"][0]
    # tags, both APIs
    logs.tag_log_group(logGroupName="/other", tags={"a": "1", "b": "2"})
    logs.untag_log_group(logGroupName="/other", tags=["a"])
    assert logs.list_tags_log_group(logGroupName="/other")["tags"] == {"b": "2"}
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/other"
    logs.tag_resource(resourceArn=arn, tags={"c": "3"})
    logs.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"c": "3"}
    with pytest.raises(ClientError) as ei:
        logs.list_tags_for_resource(resourceArn=arn + ":*")  # '*' fails the model's ARN pattern
    assert err(ei) == ("ValidationException", 400)
    with pytest.raises(ClientError) as ei:
        logs.tag_log_group(logGroupName="/other", tags={"aws:x": "1"})
    assert err(ei) == ("InvalidParameterException", 400)
    # paging
    page = logs.describe_log_groups(limit=2)
    assert len(page["logGroups"]) == 2 and page["nextToken"]
    rest = logs.describe_log_groups(limit=2, nextToken=page["nextToken"])
    assert [g["logGroupName"] for g in rest["logGroups"]] == ["/other"] and "nextToken" not in rest
    assert {r["id"] for r in emu.resources()["logs"]} == {"/elasticache/app/slow", "/elasticache/app/engine",
                                                          "/other"}
    for name in ("/elasticache/app/slow", "/elasticache/app/engine", "/other"):
        logs.delete_log_group(logGroupName=name)
    with pytest.raises(ClientError) as ei:
        logs.delete_log_group(logGroupName="/other")
    assert err(ei) == ("ResourceNotFoundException", 400)
    assert emu.resources()["logs"] == []


def test_kms_key_policy_must_admit_cloudwatch_logs(emu):
    logs = client(emu, "logs")
    plain = client(emu, "kms").create_key()["KeyMetadata"]  # default policy: account root only
    with pytest.raises(ClientError) as ei:
        logs.create_log_group(logGroupName="/enc", kmsKeyId=plain["Arn"])
    assert err(ei) == ("AccessDeniedException", 400)
    assert "arn:aws:logs:us-east-1:123456789012:log-group:/enc" in ei.value.response["Error"]["Message"]
    assert emu.resources()["logs"] == []
    narrow = logs_key(emu, actions=("kms:Decrypt*",))
    with pytest.raises(ClientError) as ei:
        logs.create_log_group(logGroupName="/enc", kmsKeyId=narrow["Arn"])
    assert err(ei) == ("AccessDeniedException", 400)
    scoped = logs_key(emu, condition={"ArnLike": {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:/app/*"}})
    with pytest.raises(ClientError) as ei:
        logs.create_log_group(logGroupName="/other/x", kmsKeyId=scoped["Arn"])
    assert err(ei) == ("AccessDeniedException", 400)
    logs.create_log_group(logGroupName="/app/x", kmsKeyId=scoped["Arn"])
    logs.create_log_group(logGroupName="/plain")
    with pytest.raises(ClientError) as ei:
        logs.associate_kms_key(logGroupName="/plain", kmsKeyId=plain["Arn"])
    assert err(ei) == ("AccessDeniedException", 400)
    wide = logs_key(emu, actions=("kms:*",))
    logs.associate_kms_key(logGroupName="/plain", kmsKeyId=wide["Arn"])
    client(emu, "kms").disable_key(KeyId=wide["KeyId"])
    with pytest.raises(ClientError) as ei:
        logs.create_log_group(logGroupName="/enc", kmsKeyId=wide["Arn"])
    assert err(ei) == ("InvalidParameterException", 400)
