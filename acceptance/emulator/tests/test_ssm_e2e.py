"""SSM Parameter Store service: end-to-end through botocore against the in-process Emulator."""

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from acceptance.emulator.server import Emulator

SECRET = "redis-auth-token-value-77"


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


def err(ei):
    return ei.value.response["Error"]["Code"], ei.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_parameters(emu):
    ssm = client(emu, "ssm")
    key = client(emu, "kms").create_key()["KeyMetadata"]
    out = ssm.put_parameter(Name="/app/redis/auth", Value=SECRET, Type="SecureString", KeyId=key["KeyId"],
                            Tags=[{"Key": "app", "Value": "x"}], Description="auth")
    assert out == {"Version": 1, "Tier": "Standard", "ResponseMetadata": out["ResponseMetadata"]}
    enc = ssm.get_parameter(Name="/app/redis/auth")["Parameter"]
    assert enc["Value"] != SECRET and SECRET not in enc["Value"] and enc["Type"] == "SecureString"
    dec = ssm.get_parameter(Name="/app/redis/auth", WithDecryption=True)["Parameter"]
    assert dec["Value"] == SECRET and dec["Version"] == 1
    assert dec["ARN"] == "arn:aws:ssm:us-east-1:123456789012:parameter/app/redis/auth"
    with pytest.raises(ClientError) as ei:
        ssm.put_parameter(Name="/app/redis/auth", Value="x-other", Type="SecureString")
    assert err(ei) == ("ParameterAlreadyExists", 400)
    with pytest.raises(ClientError) as ei:
        ssm.put_parameter(Name="/app/redis/auth", Value="x-other", Overwrite=True, Tags=[{"Key": "a", "Value": "b"}])
    assert err(ei) == ("ValidationException", 400)
    assert ssm.put_parameter(Name="/app/redis/auth", Value="second-value", Overwrite=True)["Version"] == 2
    v1 = ssm.get_parameter(Name="/app/redis/auth:1", WithDecryption=True)["Parameter"]
    assert v1["Value"] == SECRET and v1["Selector"] == ":1"
    with pytest.raises(ClientError) as ei:
        ssm.get_parameter(Name="/app/redis/auth:9")
    assert err(ei) == ("ParameterVersionNotFound", 400)
    with pytest.raises(ClientError) as ei:
        ssm.put_parameter(Name="/app/x", Value="v", Type="SecureString", KeyId="alias/does-not-exist")
    assert err(ei) == ("InvalidKeyId", 400)
    with pytest.raises(ClientError) as ei:
        ssm.put_parameter(Name="/app/x", Value="v", Type="String", KeyId=key["KeyId"])
    assert err(ei) == ("ValidationException", 400)
    for bad in ("awsthing", "/ssm/x", "a/b", "/a//b", "bad name"):
        with pytest.raises(ClientError) as ei:
            ssm.put_parameter(Name=bad, Value="v", Type="String")
        assert err(ei) == ("ValidationException", 400), bad
    with pytest.raises(ClientError) as ei:
        ssm.put_parameter(Name="/num", Value="abc", Type="String", AllowedPattern=r"^\d+$")
    assert err(ei) == ("ParameterPatternMismatchException", 400)
    ssm.put_parameter(Name="/app/redis/host", Value="h", Type="String")
    ssm.put_parameter(Name="/app/redis/ports", Value="6379,6380", Type="StringList")
    ssm.put_parameter(Name="/app/other/deep/x", Value="d", Type="String")
    ssm.put_parameter(Name="plain", Value="p", Type="String")
    got = ssm.get_parameters(Names=["/app/redis/host", "/nope", "plain"], WithDecryption=True)
    assert [p["Name"] for p in got["Parameters"]] == ["/app/redis/host", "plain"]
    assert got["InvalidParameters"] == ["/nope"]
    with pytest.raises(ClientError) as ei:
        ssm.get_parameter(Name="/nope")
    assert err(ei) == ("ParameterNotFound", 400)
    # describe with filters
    names = lambda **kw: [p["Name"] for p in ssm.describe_parameters(**kw)["Parameters"]]  # noqa: E731
    assert names(ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": ["/app/redis"]}]) == \
        ["/app/redis/auth", "/app/redis/host", "/app/redis/ports"]
    assert names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/app"]}]) == \
        ["/app/other/deep/x", "/app/redis/auth", "/app/redis/host", "/app/redis/ports"]
    assert names(ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]) == ["/app/redis/auth"]
    assert names(ParameterFilters=[{"Key": "tag:app", "Values": ["x"]}]) == ["/app/redis/auth"]
    assert names(Filters=[{"Key": "Name", "Values": ["/app/redis/h"]}]) == ["/app/redis/host"]
    md = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/app/redis/auth"]}])["Parameters"][0]
    assert md["KeyId"] == key["KeyId"] and md["Version"] == 2 and md["Description"] == "auth"
    with pytest.raises(ClientError) as ei:
        ssm.describe_parameters(ParameterFilters=[{"Key": "Path", "Option": "Sideways", "Values": ["/app"]}])
    assert err(ei) == ("InvalidFilterOption", 400)
    page = ssm.describe_parameters(MaxResults=2)
    assert len(page["Parameters"]) == 2 and page["NextToken"]
    # tags
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="plain", Tags=[{"Key": "k", "Value": "v"}])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="plain")["TagList"] == \
        [{"Key": "k", "Value": "v"}]
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="plain", TagKeys=["k"])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="plain")["TagList"] == []
    with pytest.raises(ClientError) as ei:
        ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/nope")
    assert err(ei) == ("InvalidResourceId", 400)
    # delete
    ssm.delete_parameter(Name="plain")
    with pytest.raises(ClientError) as ei:
        ssm.delete_parameter(Name="plain")
    assert err(ei) == ("ParameterNotFound", 400)
    out = ssm.delete_parameters(Names=["/app/redis/host", "/nope"])
    assert out["DeletedParameters"] == ["/app/redis/host"] and out["InvalidParameters"] == ["/nope"]
    assert sorted(r["id"] for r in emu.resources()["ssm"]) == ["/app/other/deep/x", "/app/redis/auth",
                                                               "/app/redis/ports"]
    # the key of a SecureString must stay usable for decryption
    client(emu, "kms").disable_key(KeyId=key["KeyId"])
    with pytest.raises(ClientError) as ei:
        ssm.get_parameter(Name="/app/redis/auth", WithDecryption=True)
    assert err(ei) == ("InvalidKeyId", 400)
    assert ssm.get_parameter(Name="/app/redis/auth")["Parameter"]["Value"] != "second-value"
    log = list(emu.log)
    assert SECRET not in repr(log)
