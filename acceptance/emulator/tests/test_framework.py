"""Framework tests: protocol parsing/serialization against botocore's own
serializers and parsers, SigV4 verification, faults, control endpoint,
robustness."""

import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.exceptions
import botocore.parsers
import botocore.serialize
import pytest
from botocore.utils import percent_encode_sequence

from acceptance.emulator import protocols
from acceptance.emulator.errors import AwsError
from acceptance.emulator.server import DEFAULT_SECRET_KEY, MAX_BODY, Emulator

from emuhelpers import control, make_client, raw, signed_raw
from shapegen import Gen

SERVICES = ["sts", "iam", "ec2", "kms", "elasticache", "secretsmanager", "logs", "ssm"]
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def _ops(service):
    model = protocols.service_model(service)
    return model, list(model.operation_names)


# ---------------------------------------------------------------------------
# Request parsing == inverse of botocore's serializers
# ---------------------------------------------------------------------------

def _roundtrip_request(model, op_name, params):
    op = model.operation_model(op_name)
    protocol = model.metadata["protocol"]
    ser = botocore.serialize.create_serializer(protocol, include_validation=False)
    req = ser.serialize_to_request(params, op)
    if protocol == "json":
        body = req["body"] if isinstance(req["body"], bytes) else req["body"].encode()
        return protocols.parse_json_params(body, op, validate=False)
    encoded = percent_encode_sequence(req["body"])
    pairs = urllib.parse.parse_qsl(encoded, keep_blank_values=True)
    action = dict(pairs)["Action"]
    assert action == op_name
    rest = [(k, v) for k, v in pairs if k not in ("Action", "Version")]
    return protocols.parse_query_params(rest, op, protocol == "ec2", validate=False)


@pytest.mark.parametrize("service", SERVICES)
def test_request_parser_inverts_botocore_serializer(service):
    model, ops = _ops(service)
    gen = Gen()
    checked = 0
    for op_name in ops:
        op = model.operation_model(op_name)
        if op.input_shape is None:
            continue
        params = gen.value(op.input_shape) or {}
        got = _roundtrip_request(model, op_name, params)
        assert got == params, f"{service}:{op_name}"
        checked += 1
    assert checked >= min(len(ops), 10)


def test_request_parser_specific_wire_names():
    ec2 = protocols.service_model("ec2")
    op = ec2.operation_model("DescribeSecurityGroups")
    pairs = [("Filter.1.Name", "group-name"), ("Filter.1.Value.1", "a"), ("Filter.1.Value.2", "b"),
             ("GroupId.1", "sg-1"), ("GroupId.2", "sg-2")]
    got = protocols.parse_query_params(pairs, op, True)
    assert got == {"Filters": [{"Name": "group-name", "Values": ["a", "b"]}],
                   "GroupIds": ["sg-1", "sg-2"]}
    ec = protocols.service_model("elasticache")
    op = ec.operation_model("CreateReplicationGroup")
    pairs = [("ReplicationGroupId", "rg"), ("ReplicationGroupDescription", "d"),
             ("SecurityGroupIds.SecurityGroupId.1", "sg-1"), ("UserGroupIds.member.1", "ug"),
             ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"), ("NumCacheClusters", "2"),
             ("TransitEncryptionEnabled", "true")]
    got = protocols.parse_query_params(pairs, op, False)
    assert got["SecurityGroupIds"] == ["sg-1"]
    assert got["UserGroupIds"] == ["ug"]
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert got["NumCacheClusters"] == 2 and got["TransitEncryptionEnabled"] is True


# ---------------------------------------------------------------------------
# Response serialization == what botocore's parsers read back
# ---------------------------------------------------------------------------

def _strip(d):
    d = dict(d)
    d.pop("ResponseMetadata", None)
    return d


@pytest.mark.parametrize("service", SERVICES)
def test_response_serializer_parses_back_with_botocore(service):
    model, ops = _ops(service)
    protocol = model.metadata["protocol"]
    parser = botocore.parsers.create_parser(protocol)
    gen = Gen(7)
    checked = 0
    for op_name in ops:
        op = model.operation_model(op_name)
        if op.output_shape is None or op.has_event_stream_output:
            continue  # event streams are not emulated
        result = gen.value(op.output_shape) or {}
        if protocol == "json":
            body = protocols.serialize_json_response(op, result)
        elif protocol == "ec2":
            body = protocols.serialize_ec2_response(op, result, "rid-1")
        else:
            body = protocols.serialize_query_response(op, result, "rid-1")
        parsed = parser.parse({"body": body, "headers": {}, "status_code": 200}, op.output_shape)
        assert _strip(parsed) == result, f"{service}:{op_name}"
        if protocol != "json":
            assert parsed["ResponseMetadata"]["RequestId"] == "rid-1"
        checked += 1
    assert checked >= min(len(ops), 10)


@pytest.mark.parametrize("protocol,service", [("query", "iam"), ("ec2", "ec2"), ("json", "kms")])
def test_error_serializer_parses_back_with_botocore(protocol, service):
    model = protocols.service_model(service)
    ns = model.metadata.get("xmlNamespace", "")
    ctype, body = protocols.serialize_error(protocol, ns, AwsError("SomeCode", "some <message> & more", 409),
                                            "rid-9")
    parser = botocore.parsers.create_parser(protocol)
    headers = {"x-amzn-requestid": "rid-9"} if protocol == "json" else {}
    parsed = parser.parse({"body": body, "headers": headers, "status_code": 409}, None)
    assert parsed["Error"]["Code"] == "SomeCode"
    assert parsed["Error"]["Message"] == "some <message> & more"
    assert parsed["ResponseMetadata"]["RequestId"] == "rid-9"


def test_serializer_rejects_result_not_matching_shape():
    op = protocols.service_model("sts").operation_model("GetCallerIdentity")
    with pytest.raises(protocols.SerializationError):
        protocols.serialize_query_response(op, {"NoSuchMember": "x"}, "r")
    op = protocols.service_model("kms").operation_model("CreateKey")
    with pytest.raises(protocols.SerializationError):
        protocols.serialize_json_response(op, {"KeyMetadata": {"KeyId": 5}})


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------

def _code(exc):
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def test_valid_signature_accepted_for_all_protocols(client):
    assert client("sts").get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/emulator"
    assert "Vpcs" in client("ec2").describe_vpcs()
    assert "Aliases" in client("kms").list_aliases()


@pytest.mark.parametrize("service,call,code,status", [
    ("sts", lambda c: c.get_caller_identity(), "SignatureDoesNotMatch", 403),
    ("iam", lambda c: c.list_policies(), "SignatureDoesNotMatch", 403),
    ("kms", lambda c: c.list_aliases(), "InvalidSignatureException", 400),
    ("ec2", lambda c: c.describe_vpcs(), "AuthFailure", 401),
])
def test_wrong_secret_rejected(client, service, call, code, status):
    c = client(service, secret_key="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        call(c)
    assert _code(ei.value) == (code, status)
    if code in ("SignatureDoesNotMatch", "InvalidSignatureException"):
        assert ei.value.response["Error"]["Message"].startswith(
            "The request signature we calculated does not match the signature you provided.")
        assert "not-the-secret" not in str(ei.value)


@pytest.mark.parametrize("service,call,code,status", [
    ("sts", lambda c: c.get_caller_identity(), "InvalidClientTokenId", 403),
    ("kms", lambda c: c.list_aliases(), "UnrecognizedClientException", 400),
    ("ec2", lambda c: c.describe_vpcs(), "AuthFailure", 401),
])
def test_unknown_access_key_rejected(client, service, call, code, status):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        call(client(service, access_key="AKIDUNKNOWN000000000"))
    assert _code(ei.value) == (code, status)


def test_tampered_body_rejected(emu):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    hdr = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    status, _, out = signed_raw(emu, "sts", body, hdr)
    assert status == 200, out
    status, _, out = signed_raw(emu, "sts", body, hdr,
                                tamper=lambda h, b: (h, b.replace(b"2011", b"2012")))
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in out
    # A signed header altered after signing also breaks the signature.
    status, _, out = signed_raw(emu, "sts", body, hdr,
                                tamper=lambda h, b: ({**h, "Content-Type": "text/plain"}, b))
    assert status == 403 and b"SignatureDoesNotMatch" in out


def test_unsigned_requests(emu):
    status, _, out = raw(emu, "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and b"<Code>MissingAuthenticationToken</Code>" in out
    status, _, out = raw(emu, "POST", "/", b"{}", {"X-Amz-Target": "TrentService.ListAliases",
                                                   "Content-Type": "application/x-amz-json-1.1"})
    assert status == 400
    assert json.loads(out)["__type"] == "MissingAuthenticationTokenException"


def test_clock_skew_is_rejected_and_offset_settable(emu, client):
    now = datetime.datetime.now(datetime.timezone.utc)
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    hdr = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    status, _, out = signed_raw(emu, "sts", body, hdr, when=now - datetime.timedelta(minutes=20))
    assert status == 403 and b"SignatureDoesNotMatch" in out and b"Signature expired" in out
    status, _, out = signed_raw(emu, "sts", body, hdr, when=now + datetime.timedelta(minutes=20))
    assert status == 403 and b"Signature not yet current" in out
    status, _, _ = signed_raw(emu, "sts", body, hdr, when=now - datetime.timedelta(minutes=10))
    assert status == 200
    # Move the emulator's clock one hour ahead: a correct client now looks skewed.
    assert control(emu, "POST", "/_emulator/settings", {"clock_offset_s": 3600})[0] == 200
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("kms").list_aliases()
    assert ei.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert "Signature expired" in ei.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("ec2").describe_vpcs()
    assert _code(ei.value) == ("RequestExpired", 400)
    status, _, _ = signed_raw(emu, "sts", body, hdr, when=now + datetime.timedelta(hours=1))
    assert status == 200


def test_presigned_query_auth(emu, client):
    url = client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60)
    parts = urllib.parse.urlsplit(url)
    # botocore presigns with the operation's HTTP method (POST for STS).
    status, _, out = raw(emu, "POST", parts.path + "?" + parts.query)
    assert status == 200, out
    assert b"arn:aws:iam::123456789012:user/emulator" in out
    bad = parts.query.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    status, _, out = raw(emu, "GET", parts.path + "?" + parts.query)
    assert status == 403 and b"SignatureDoesNotMatch" in out  # method is signed
    status, _, out = raw(emu, "POST", parts.path + "?" + bad[:-1])
    assert status == 403 and b"SignatureDoesNotMatch" in out


def test_region_and_scope_checks(emu, client):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("kms", region="eu-west-1").list_aliases()
    assert ei.value.response["Error"]["Code"] == "InvalidSignatureException"


# ---------------------------------------------------------------------------
# Validation through the wire
# ---------------------------------------------------------------------------

def _form(d):
    return urllib.parse.urlencode(d).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
JSON11 = {"Content-Type": "application/x-amz-json-1.1"}


def test_query_validation_errors(emu):
    status, _, out = signed_raw(emu, "sts", _form({"Action": "AssumeRole", "Version": "2011-06-15",
                                                   "RoleSessionName": "s1"}), FORM)
    assert status == 400
    assert b"<Code>ValidationError</Code>" in out
    assert b"Value null at &apos;roleArn&apos;" in out or b"Value null at 'roleArn'" in out
    status, _, out = signed_raw(emu, "sts", _form({"Action": "AssumeRole", "Version": "2011-06-15",
                                                   "RoleArn": "arn:aws:iam::123456789012:role/r",
                                                   "RoleSessionName": "s1",
                                                   "DurationSeconds": "abc"}), FORM)
    assert status == 400 and b"InvalidParameterValue" in out
    status, _, out = signed_raw(emu, "sts", _form({"Action": "AssumeRole", "Version": "2011-06-15",
                                                   "RoleArn": "arn:aws:iam::123456789012:role/r",
                                                   "RoleSessionName": "s1",
                                                   "DurationSeconds": "60"}), FORM)
    assert status == 400 and b"greater than or equal to 900" in out
    status, _, out = signed_raw(emu, "sts", _form({"Action": "NoSuchThing", "Version": "2011-06-15"}),
                                FORM)
    assert status == 400 and b"<Code>InvalidAction</Code>" in out
    status, _, out = signed_raw(emu, "iam", _form({"Action": "GetPolicy", "Version": "2010-05-08",
                                                   "PolicyArn": "arn:aws:iam::123456789012:policy/x",
                                                   "Bogus": "1"}), FORM)
    assert status == 400 and b"Bogus" in out


def test_ec2_validation_errors(emu):
    status, _, out = signed_raw(emu, "ec2", _form({"Action": "DescribeVpcs", "Version": "2016-11-15",
                                                   "NotAParam": "x"}), FORM)
    assert status == 400 and b"<Code>UnknownParameter</Code>" in out and b"NotAParam" in out
    status, _, out = signed_raw(emu, "ec2", _form({"Action": "DeleteVpc", "Version": "2016-11-15"}),
                                FORM)
    assert status == 400 and b"<Code>MissingParameter</Code>" in out and b"VpcId" in out
    status, _, out = signed_raw(emu, "ec2", _form({"Action": "DescribeVpcs", "Version": "2016-11-15",
                                                   "MaxResults": "2"}), FORM)
    assert status == 400 and b"<Code>InvalidParameterValue</Code>" in out
    root = ET.fromstring(out)
    assert root.tag == "Response" and root.find("RequestID") is not None


def test_json_validation_errors(emu):
    def call(target, body):
        return signed_raw(emu, "kms", body, {**JSON11, "X-Amz-Target": target})
    status, _, out = call("TrentService.DescribeKey", b"{}")
    assert status == 400
    err = json.loads(out)
    assert err["__type"] == "ValidationException"
    assert err["message"] == ("1 validation error detected: Value null at 'keyId' failed to satisfy "
                              "constraint: Member must not be null")
    status, _, out = call("TrentService.ScheduleKeyDeletion", b'{"KeyId": "k", "PendingWindowInDays": "x"}')
    assert status == 400 and json.loads(out)["__type"] == "SerializationException"
    status, _, out = call("TrentService.CreateKey", b'{"KeyUsage": "NOPE"}')
    assert status == 400 and "enum value set" in json.loads(out)["message"]
    status, _, out = call("TrentService.CreateKey", b'{not json')
    assert status == 400 and json.loads(out)["__type"] == "SerializationException"
    status, _, out = call("TrentService.NoSuchOp", b"{}")
    assert status == 400 and json.loads(out)["__type"] == "UnknownOperationException"
    status, _, out = call("TrentService.CreateKey", '{"Description": "\udcff"}'.encode("utf-8", "surrogatepass"))
    assert status == 400 and json.loads(out)["__type"] == "SerializationException"


def test_bad_utf8_form_body(emu):
    status, _, out = signed_raw(emu, "sts", b"Action=GetCallerIdentity&Version=2011-06-15&X=%ff%fe",
                                FORM)
    assert status == 400 and out.startswith(b"<?xml")


def test_huge_body_gets_413(emu):
    status, _, out = raw(emu, "POST", "/", b"", {"Content-Length": str(MAX_BODY + 1)})
    assert status == 413 and b"RequestEntityTooLarge" in out


def test_garbage_requests_never_crash(emu):
    for body, hdrs in [
        (b"\x00\xff" * 100, {}),
        (b"", {"Authorization": "AWS4-HMAC-SHA256 garbage"}),
        (b"", {"Authorization": "Basic Zm9vOmJhcg=="}),
        (b"Action=GetCallerIdentity", {"Authorization": "AWS4-HMAC-SHA256 Credential=a/b/c, "
                                                        "SignedHeaders=host, Signature=00"}),
        (b"{}", {"X-Amz-Target": "Nope.Nope", "Authorization":
                 "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR00000000/20200101/us-east-1/kms/aws4_request, "
                 "SignedHeaders=host;x-amz-date, Signature=abcd", "X-Amz-Date": "garbage"}),
    ]:
        status, _, out = raw(emu, "POST", "/", body, hdrs)
        assert 400 <= status < 500, (status, out)
        assert b"Traceback" not in out
    assert control(emu, "GET", "/_emulator/health")[1] == {"ok": True}


def test_chunked_body_accepted(emu):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"

    def chunk(h, b):
        h = {k: v for k, v in h.items() if k.lower() != "content-length"}
        h["Transfer-Encoding"] = "chunked"
        return h, b"%x\r\n%s\r\n0\r\n\r\n" % (len(b), b)
    status, _, out = signed_raw(emu, "sts", body, FORM, tamper=chunk)
    assert status == 200, out


# ---------------------------------------------------------------------------
# Faults, counts, log, reset
# ---------------------------------------------------------------------------

def test_fault_throttle_per_protocol(emu, client):
    fid = control(emu, "POST", "/_emulator/faults", {"service": "*", "operation": "*", "action": "throttle"})
    assert fid[0] == 200 and fid[1]["id"].startswith("f")
    for svc, call, code, status in [
        ("sts", lambda c: c.get_caller_identity(), "Throttling", 400),
        ("kms", lambda c: c.list_aliases(), "ThrottlingException", 400),
        ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded", 503),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            call(client(svc))
        assert _code(ei.value) == (code, status)
    assert control(emu, "DELETE", "/_emulator/faults")[0] == 200
    client("sts").get_caller_identity()


def test_fault_has_no_effect_and_nth_times(emu, client):
    control(emu, "POST", "/_emulator/faults", {"service": "kms", "operation": "CreateKey",
                                               "action": "error500", "nth": 2})
    kms = client("kms")
    kms.create_key()
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.create_key()
    assert _code(ei.value) == ("InternalFailure", 500)
    kms.create_key()
    kms.create_key()  # times defaults to 1 for nth: the 4th call is not failed
    # The failed call had no effect.
    assert len([r for r in emu.resources()["kms"] if r["type"] == "kms-key"]) == 3
    counts = control(emu, "GET", "/_emulator/counts")[1]
    assert counts["kms:CreateKey"] == 4


def test_fault_error_custom_and_503(emu, client):
    control(emu, "POST", "/_emulator/faults", {"service": "sts", "operation": "GetCallerIdentity",
                                               "action": "error", "code": "AccessDenied",
                                               "message": "nope", "status": 403, "times": 1})
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("sts").get_caller_identity()
    assert _code(ei.value) == ("AccessDenied", 403)
    assert ei.value.response["Error"]["Message"] == "nope"
    client("sts").get_caller_identity()
    control(emu, "POST", "/_emulator/faults", {"service": "ec2", "action": "error503", "times": 1})
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("ec2").describe_vpcs()
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_fault_drop_and_latency(emu, client):
    control(emu, "POST", "/_emulator/faults", {"service": "sts", "action": "drop", "times": 1})
    with pytest.raises((botocore.exceptions.ConnectionClosedError,
                        botocore.exceptions.EndpointConnectionError,
                        botocore.exceptions.HTTPClientError)):
        client("sts").get_caller_identity()
    client("sts").get_caller_identity()
    control(emu, "POST", "/_emulator/faults", {"service": "sts", "action": "latency",
                                               "latency_ms": 300, "times": 1})
    t0 = time.monotonic()
    client("sts").get_caller_identity()
    assert time.monotonic() - t0 >= 0.3


def test_fault_rate_is_seeded(emu, client):
    control(emu, "POST", "/_emulator/faults", {"service": "sts", "action": "throttle", "rate": 0.5})
    sts = client("sts")
    outcomes = []
    for _ in range(30):
        try:
            sts.get_caller_identity()
            outcomes.append(True)
        except botocore.exceptions.ClientError:
            outcomes.append(False)
    assert 3 < outcomes.count(False) < 27
    emu.reset()
    control(emu, "POST", "/_emulator/faults", {"service": "sts", "action": "throttle", "rate": 0.5})
    again = []
    for _ in range(30):
        try:
            sts.get_caller_identity()
            again.append(True)
        except botocore.exceptions.ClientError:
            again.append(False)
    assert again == outcomes


def test_bad_fault_specs_rejected(emu):
    for spec in [{"action": "explode"}, {"service": "nope", "action": "throttle"},
                 {"service": "kms", "operation": "NoSuchOp", "action": "throttle"},
                 {"action": "throttle", "rate": 2}, {"action": "error"}]:
        status, body = control(emu, "POST", "/_emulator/faults", spec)
        assert status == 400 and "error" in body


def test_control_endpoint_and_reset(emu, client):
    assert control(emu, "GET", "/_emulator/health") == (200, {"ok": True})
    client("kms").create_key()
    res = control(emu, "GET", "/_emulator/resources")[1]
    assert [r["type"] for r in res["kms"]] == ["kms-key"]
    log = control(emu, "GET", "/_emulator/log")[1]
    last = dict(log[-1])
    assert re.fullmatch(r"[0-9a-f-]{36}", last.pop("request_id"))
    assert last == {"service": "kms", "operation": "CreateKey", "status": 200, "code": None}
    assert DEFAULT_SECRET_KEY not in json.dumps(log)
    status, settings = control(emu, "POST", "/_emulator/settings", {"create_delay_s": 0.5})
    assert status == 200 and settings["create_delay_s"] == 0.5
    assert control(emu, "POST", "/_emulator/reset")[0] == 200
    assert control(emu, "GET", "/_emulator/resources")[1]["kms"] == []
    assert control(emu, "GET", "/_emulator/counts")[1] == {}
    assert emu.settings["create_delay_s"] == 0.0
    assert control(emu, "GET", "/_emulator/nope")[0] == 404


def test_failed_requests_are_counted(emu, client):
    with pytest.raises(botocore.exceptions.ClientError):
        client("kms", secret_key="wrong").list_aliases()
    with pytest.raises(botocore.exceptions.ClientError):
        client("kms").describe_key(KeyId="alias/none")
    counts = control(emu, "GET", "/_emulator/counts")[1]
    assert counts == {"kms:ListAliases": 1, "kms:DescribeKey": 1}


def test_unimplemented_operation(emu, client):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("ec2").describe_instances()
    assert ei.value.response["Error"]["Code"] == "InvalidAction"
    assert "does not implement" in ei.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client("kms").list_grants(KeyId="x")
    assert ei.value.response["Error"]["Code"] == "UnknownOperationException"


def test_handler_crash_is_internal_failure(emu, client, capsys):
    svc = emu.service("sts")
    orig = svc.op_GetCallerIdentity
    svc.op_GetCallerIdentity = lambda params: 1 / 0
    try:
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            client("sts").get_caller_identity()
    finally:
        svc.op_GetCallerIdentity = orig
    assert _code(ei.value) == ("InternalFailure", 500)
    assert "ZeroDivisionError" not in ei.value.response["Error"]["Message"]


def test_command_line_prints_endpoint_and_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "acceptance.emulator", "--port", "0", "--seed", "3"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("EMULATOR_ENDPOINT=http://127.0.0.1:")
        endpoint = line.split("=", 1)[1]

        class E:
            pass
        e = E()
        e.endpoint = endpoint
        assert control(e, "GET", "/_emulator/health") == (200, {"ok": True})
        c = make_client(e, "sts")
        assert c.get_caller_identity()["Account"] == "123456789012"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    assert proc.stdout.read() == ""


def test_two_emulators_are_independent():
    a = Emulator(seed=5).start()
    b = Emulator(seed=5, access_key="AKIDOTHER00000000000", secret_key="other-secret").start()
    try:
        ca = make_client(a, "ec2")
        cb = make_client(b, "ec2", access_key="AKIDOTHER00000000000", secret_key="other-secret")
        va = ca.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        assert [v["VpcId"] for v in cb.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
        # Same seed -> same ids.
        assert cb.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"] == va
        with pytest.raises(botocore.exceptions.ClientError):
            make_client(b, "ec2").describe_vpcs()
    finally:
        a.stop()
        b.stop()


# ---------------------------------------------------------------------------
# The AWS SigV4 test suite (reference data outside the repository)
# ---------------------------------------------------------------------------

SUITE = os.path.join(REPO, "..", "shared", "reference", "aws-sigv4-test-suite")


def _suite_cases():
    if not os.path.isdir(SUITE):
        return []
    out = []
    for case in sorted(os.listdir(SUITE)):
        d = os.path.join(SUITE, case)
        if not os.path.isdir(d):
            continue
        for kind in ("header", "query"):
            if os.path.exists(os.path.join(d, f"{kind}-signed-request.txt")):
                out.append((case, kind))
    return out


def _parse_signed_request(path):
    text = open(path, "rb").read().decode("utf-8")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" HTTP/1.1", 1)[0]
    headers = []
    for ln in lines[1:]:
        if ln[:1] in (" ", "\t") and headers:  # folded (multi-line) value
            k, v = headers[-1]
            headers[-1] = (k, v + "\n" + ln)
            continue
        k, _, v = ln.partition(":")
        headers.append((k, v))
    return method, target, headers, body.encode("utf-8")


@pytest.mark.skipif(not os.path.isdir(SUITE),
                    reason="../shared/reference/aws-sigv4-test-suite not present (reference data "
                           "lives outside the repository)")
@pytest.mark.parametrize("case,kind", _suite_cases() or [("none", "header")])
def test_sigv4_verifier_against_aws_test_suite(case, kind):
    from acceptance.emulator import sigv4
    ctx = json.load(open(os.path.join(SUITE, case, "context.json")))
    if not ctx.get("normalize", True):
        pytest.skip("unnormalized paths are S3's variant; the emulated services normalize")
    if ctx.get("omit_session_token") and kind == "query":
        pytest.skip("token appended after signing is IoT's variant; AWS services sign it")
    method, target, headers, body = _parse_signed_request(
        os.path.join(SUITE, case, f"{kind}-signed-request.txt"))
    q = urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query, keep_blank_values=True)
    info = sigv4.parse_auth(headers, q)
    assert info is not None and info.presigned == (kind == "query")
    secret = ctx["credentials"]["secret_access_key"]
    good = sigv4.expected_signature(info, secret, method, target, headers, body)
    assert good == info.signature
    assert sigv4.expected_signature(info, secret + "x", method, target, headers, body) != info.signature


def test_expect_100_continue_and_keep_alive(emu):
    """libcurl-style requests: Expect: 100-continue, several requests on one
    persistent connection."""
    import socket

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    host = emu.endpoint.split("//", 1)[1]
    ip, port = host.split(":")

    def signed(body):
        req = AWSRequest(method="POST", url=emu.endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                                  "Host": host})
        SigV4Auth(Credentials("AKIDEMULATOR00000000", DEFAULT_SECRET_KEY), "sts", "us-east-1").add_auth(req)
        return req

    s = socket.create_connection((ip, int(port)), timeout=10)
    f = s.makefile("rb")
    try:
        for i in range(3):
            body = b"Action=GetCallerIdentity&Version=2011-06-15"
            req = signed(body)
            head = "POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
            head += f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
            s.sendall(head.encode())
            line = f.readline()
            assert line.startswith(b"HTTP/1.1 100"), line
            while f.readline() not in (b"\r\n", b""):
                pass
            s.sendall(body)
            status = f.readline()
            assert status.startswith(b"HTTP/1.1 200"), status
            length = None
            while True:
                h = f.readline()
                if h in (b"\r\n", b""):
                    break
                k, _, v = h.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
            assert b"GetCallerIdentityResult" in f.read(length)
    finally:
        f.close()
        s.close()


def test_numeric_type_limits(emu):
    status, _, out = signed_raw(emu, "ec2", _form({"Action": "DescribeVpcs", "Version": "2016-11-15",
                                                   "MaxResults": "99999999999"}), FORM)
    assert status == 400 and b"InvalidParameterValue" in out and b"32-bit" in out
    status, _, out = signed_raw(emu, "kms", b'{"Limit": 1e400}',
                                {**JSON11, "X-Amz-Target": "TrentService.ListAliases"})
    assert status == 400 and json.loads(out)["__type"] == "SerializationException"
    status, _, out = signed_raw(emu, "kms", b'{"Limit": NaN}',
                                {**JSON11, "X-Amz-Target": "TrentService.ListAliases"})
    assert status == 400 and json.loads(out)["__type"] == "SerializationException"
    status, _, out = signed_raw(emu, "kms", b'{"Limit": 5.0}',
                                {**JSON11, "X-Amz-Target": "TrentService.ListAliases"})
    assert status == 200, out


def test_control_characters_rejected_in_xml_protocols(emu):
    status, _, out = signed_raw(emu, "ec2", _form({"Action": "CreateSecurityGroup", "Version": "2016-11-15",
                                                   "GroupName": "a\x01b", "GroupDescription": "d"}), FORM)
    assert status == 400 and b"InvalidParameterValue" in out
    ET.fromstring(out)  # the error itself is well-formed XML
    op = protocols.service_model("sts").operation_model("GetCallerIdentity")
    body = protocols.serialize_query_response(op, {"UserId": "x\x00y", "Account": "1", "Arn": "a"}, "r")
    ET.fromstring(body)


def test_date_header_follows_emulator_clock(emu):
    import email.utils
    emu.settings["clock_offset_s"] = 3600
    status, headers, _ = raw(emu, "GET", "/_emulator/health")
    date = email.utils.parsedate_to_datetime(headers["date"])
    delta = (date - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 3590 < delta < 3610
    # A client that corrects its clock from the Date header (as SDKs do) then succeeds.
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    status, _, _ = signed_raw(emu, "sts", body, FORM, when=date)
    assert status == 200


def test_concurrent_clients(emu):
    import concurrent.futures

    def work(i):
        ec2 = make_client(emu, "ec2")
        kms = make_client(emu, "kms")
        vid = ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"]
        for j in range(5):
            ec2.create_security_group(GroupName=f"g{i}-{j}", Description="d", VpcId=vid)
        kid = kms.create_key()["KeyMetadata"]["KeyId"]
        ct = kms.encrypt(KeyId=kid, Plaintext=b"p%d" % i)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=ct)["Plaintext"] == b"p%d" % i
        return vid

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        vids = list(pool.map(work, range(16)))
    assert len(set(vids)) == 16
    counts = control(emu, "GET", "/_emulator/counts")[1]
    assert counts["ec2:CreateVpc"] == 16 and counts["ec2:CreateSecurityGroup"] == 80
    assert counts["kms:Decrypt"] == 16
    res = emu.resources()
    assert len([r for r in res["ec2"] if r["type"] == "security-group"]) == 80


def test_bad_settings_rejected(emu, client):
    assert control(emu, "POST", "/_emulator/settings", {"clock_offset_s": "soon"})[0] == 400
    assert control(emu, "POST", "/_emulator/settings", {"create_delay_s": True})[0] == 400
    assert control(emu, "POST", "/_emulator/settings", [1])[0] == 400
    client("sts").get_caller_identity()


def test_authorization_fields_in_any_order(emu):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"

    def reorder(h, b):
        algo, rest = h["Authorization"].split(" ", 1)
        parts = [p.strip() for p in rest.split(",")]
        h = dict(h)
        h["Authorization"] = algo + " " + ",".join(reversed(parts))
        return h, b
    status, _, out = signed_raw(emu, "sts", body, FORM, tamper=reorder)
    assert status == 200, out
    status, _, out = signed_raw(emu, "sts", body, FORM, tamper=lambda h, b: (
        {**h, "Authorization": h["Authorization"].replace("Signature=", "Signature=zz")}, b))
    assert status == 403 and b"IncompleteSignature" in out


def test_deeply_nested_input_is_a_client_error(emu):
    deep = "Filter" + ".1" * 3000
    status, _, out = signed_raw(emu, "ec2", _form({"Action": "DescribeVpcs", "Version": "2016-11-15",
                                                   deep: "x"}), FORM)
    assert status == 400 and b"UnknownParameter" in out
    status, _, out = signed_raw(emu, "kms", b"[" * 100000 + b"]" * 100000,
                                {**JSON11, "X-Amz-Target": "TrentService.ListAliases"})
    assert status == 400 and json.loads(out)["__type"] == "SerializationException"


def _curl_has_sigv4():
    import shutil
    if not shutil.which("curl"):
        return False
    out = subprocess.run(["curl", "--help", "all"], capture_output=True, text=True).stdout
    return "--aws-sigv4" in out


@pytest.mark.skipif(not _curl_has_sigv4(), reason="curl with --aws-sigv4 (>= 7.75) not installed")
@pytest.mark.parametrize("service,data,headers,expect", [
    ("sts", "Action=GetCallerIdentity&Version=2011-06-15",
     ["Content-Type: application/x-www-form-urlencoded"], "user/emulator"),
    ("kms", "{}", ["X-Amz-Target: TrentService.ListAliases", "Content-Type: application/x-amz-json-1.1"],
     '"Aliases"'),
    ("ec2", "Action=DescribeAvailabilityZones&Version=2016-11-15",
     ["Content-Type: application/x-www-form-urlencoded"], "availabilityZoneInfo"),
])
def test_independent_signer_curl(emu, service, data, headers, expect):
    """libcurl's own SigV4 implementation (not botocore) is accepted, and a
    wrong secret is refused."""
    def run(secret):
        cmd = ["curl", "-s", "-w", "\n%{http_code}", "--aws-sigv4", f"aws:amz:us-east-1:{service}",
               "--user", f"AKIDEMULATOR00000000:{secret}", "--data", data, emu.endpoint + "/"]
        for h in headers:
            cmd[1:1] = ["-H", h]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
        body, _, status = out.rpartition("\n")
        return int(status), body
    status, body = run(DEFAULT_SECRET_KEY)
    assert status == 200 and expect in body
    status, body = run("wrong-secret")
    assert status in (400, 401, 403) and "wrong-secret" not in body
