"""STS through real botocore clients."""

import base64
import datetime
import json
import urllib.parse

import botocore.exceptions
import pytest

from emuhelpers import DEFAULT_SECRET_KEY, control, raw, signed_raw

ROLE = "arn:aws:iam::123456789012:role/deployer"


def _jwt(claims, header=None):
    def enc(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{enc(header or {'alg': 'RS256', 'typ': 'JWT'})}.{enc(claims)}.c2lnbmF0dXJl"


def test_get_caller_identity(client):
    out = client("sts").get_caller_identity()
    assert out["Account"] == "123456789012"
    assert out["Arn"] == "arn:aws:iam::123456789012:user/emulator"
    assert out["UserId"].startswith("AIDA") and len(out["UserId"]) == 21


def test_assume_role_issues_working_temporary_credentials(emu, client):
    out = client("sts").assume_role(RoleArn=ROLE, RoleSessionName="tf-run", DurationSeconds=900)
    cred = out["Credentials"]
    assert cred["AccessKeyId"].startswith("ASIA") and len(cred["AccessKeyId"]) == 20
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/tf-run"
    assert out["AssumedRoleUser"]["AssumedRoleId"].endswith(":tf-run")
    remaining = cred["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(seconds=880) < remaining <= datetime.timedelta(seconds=900)
    temp = client("sts", access_key=cred["AccessKeyId"], secret_key=cred["SecretAccessKey"],
                  token=cred["SessionToken"])
    assert temp.get_caller_identity()["Arn"] == out["AssumedRoleUser"]["Arn"]
    # Temporary credentials work for other services too.
    kms = client("kms", access_key=cred["AccessKeyId"], secret_key=cred["SecretAccessKey"],
                 token=cred["SessionToken"])
    assert "Aliases" in kms.list_aliases()
    # No secrets in the request log.
    log = json.dumps(control(emu, "GET", "/_emulator/log")[1])
    assert cred["SecretAccessKey"] not in log and cred["SessionToken"] not in log


def test_temporary_credentials_need_the_right_token(client):
    cred = client("sts").assume_role(RoleArn=ROLE, RoleSessionName="s1")["Credentials"]
    for token in (None, "bogus-token"):
        c = client("sts", access_key=cred["AccessKeyId"], secret_key=cred["SecretAccessKey"],
                   token=token)
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            c.get_caller_identity()
        assert ei.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_temporary_credentials_expire(emu, client):
    cred = client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    hdr = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    kw = dict(access_key=cred["AccessKeyId"], secret_key=cred["SecretAccessKey"],
              token=cred["SessionToken"])
    status, _, out = signed_raw(emu, "sts", body, hdr, **kw)
    assert status == 200, out
    # Advance the emulator clock past expiry and sign at the emulator's time.
    emu.settings["clock_offset_s"] = 901
    status, _, out = signed_raw(emu, "sts", body, hdr, when=emu.now(), **kw)
    assert status == 403 and b"<Code>ExpiredToken</Code>" in out
    status, _, out = signed_raw(emu, "kms", b"{}", {"Content-Type": "application/x-amz-json-1.1",
                                                     "X-Amz-Target": "TrentService.ListAliases"},
                                when=emu.now(), **kw)
    assert status == 400 and json.loads(out)["__type"] == "ExpiredTokenException"
    assert cred["SessionToken"].encode() not in out


def test_get_session_token_keeps_identity_and_rejects_session_callers(client):
    cred = client("sts").get_session_token()["Credentials"]
    left = cred["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=11, minutes=59) < left <= datetime.timedelta(hours=12)
    temp = client("sts", access_key=cred["AccessKeyId"], secret_key=cred["SecretAccessKey"],
                  token=cred["SessionToken"])
    assert temp.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/emulator"
    role = client("sts").assume_role(RoleArn=ROLE, RoleSessionName="x1")["Credentials"]
    rc = client("sts", access_key=role["AccessKeyId"], secret_key=role["SecretAccessKey"],
                token=role["SessionToken"])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        rc.get_session_token()
    assert ei.value.response["Error"]["Code"] == "AccessDenied"


def test_assume_role_with_web_identity_is_unsigned_and_checks_jwt(emu, client):
    token = _jwt({"iss": "https://token.actions.example.com", "sub": "repo:x", "aud": "sts.amazonaws.com",
                  "exp": int(datetime.datetime.now().timestamp()) + 600})
    out = client("sts").assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="ci",
                                                      WebIdentityToken=token)
    assert out["SubjectFromWebIdentityToken"] == "repo:x"
    assert out["Provider"] == "token.actions.example.com"
    assert out["Audience"] == "sts.amazonaws.com"
    # botocore sends this operation unsigned; a raw unsigned request works too.
    body = urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                   "RoleArn": ROLE, "RoleSessionName": "ci2",
                                   "WebIdentityToken": token}).encode()
    status, _, resp = raw(emu, "POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and b"<AssumeRoleWithWebIdentityResult>" in resp
    # But other STS operations are not served unsigned.
    status, _, resp = raw(emu, "POST", "/", b"Action=AssumeRole&Version=2011-06-15",
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    for bad in ("not-a-jwt", "a.b.c", _jwt({"sub": "x"}).split(".")[0] + "..x"):
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            client("sts").assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="ci",
                                                        WebIdentityToken=bad)
        assert ei.value.response["Error"]["Code"] == "InvalidIdentityToken"
    expired = _jwt({"sub": "x", "exp": 1000})
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("sts").assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="ci",
                                                    WebIdentityToken=expired)
    assert ei.value.response["Error"]["Code"] == "ExpiredTokenException"


def test_role_max_session_duration_setting(emu, client):
    emu.settings["role_max_session_s"] = 43200
    out = client("sts").assume_role(RoleArn=ROLE, RoleSessionName="long", DurationSeconds=43200)
    left = out["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert left > datetime.timedelta(hours=11, minutes=59)


def test_assume_role_validation(client):
    sts = client("sts")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        sts.assume_role(RoleArn="arn:aws:iam::123456789012:user/not-a-role", RoleSessionName="s1")
    assert ei.value.response["Error"]["Code"] == "AccessDenied"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        sts.assume_role(RoleArn="this-is-not-an-arn-at-all", RoleSessionName="s1")
    assert ei.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="bad name!")
    assert ei.value.response["Error"]["Code"] == "ValidationError"
    assert "roleSessionName" in ei.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="s1", Policy="{nope")
    assert ei.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="s1", DurationSeconds=50000)
    assert "less than or equal to 43200" in ei.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="s1", DurationSeconds=7200)
    assert "MaxSessionDuration" in ei.value.response["Error"]["Message"]
    out = sts.assume_role(RoleArn=ROLE, RoleSessionName="s1",
                          Policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
    assert 1 <= out["PackedPolicySize"] <= 100


def test_secret_never_in_error(client):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("sts", secret_key="super-secret-value").get_caller_identity()
    assert "super-secret-value" not in json.dumps(ei.value.response, default=str)
    assert DEFAULT_SECRET_KEY not in json.dumps(ei.value.response, default=str)
