"""Randomised wire-level robustness: signed requests carrying mutated
parameters for every operation of every emulated service must be answered
with a 2xx or a 4xx in the protocol's format - never a 5xx (which would mean
a crash in the framework or a service) and never a dropped connection."""

import json
import random
import urllib.parse

import botocore.serialize
import pytest
from botocore.utils import percent_encode_sequence

from acceptance.emulator import protocols

from emuhelpers import control, signed_raw
from shapegen import Gen

SERVICES = ["sts", "iam", "ec2", "kms", "elasticache", "secretsmanager", "logs", "ssm"]
WEIRD = ["", " ", "-1", "0", "99999999999", "true", "nope", "\u00e9\u00e8", "a" * 3000, "%", "..",
         "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-a000-000000000000",
         "sg-0123456789abcdef0", "subnet-x", "alias/aws/x", "{}", "[]", "null", "1e9", "\t\n"]


def _mutate_pairs(rng, pairs):
    pairs = list(pairs)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if pairs and choice < 0.3:
            i = rng.randrange(len(pairs))
            pairs[i] = (pairs[i][0], rng.choice(WEIRD))
        elif pairs and choice < 0.5:
            pairs.pop(rng.randrange(len(pairs)))
        elif pairs and choice < 0.7:
            k, v = rng.choice(pairs)
            pairs.append((k + rng.choice([".1", ".member.1", ".x", "", ".2.Value"]), v))
        else:
            pairs.append((rng.choice(["Foo", "Tags.member.1.Key", "Filter.1.Name", "X.Y.Z"]),
                          rng.choice(WEIRD)))
    return pairs


def _mutate_json(rng, obj):
    if not isinstance(obj, dict):
        return obj
    obj = dict(obj)
    for _ in range(rng.randint(1, 3)):
        c = rng.random()
        if obj and c < 0.4:
            k = rng.choice(list(obj))
            obj[k] = rng.choice(WEIRD + [None, 1, -5, 2 ** 40, True, [], {}, [1, "a"], {"a": 1}])
        elif obj and c < 0.6:
            obj.pop(rng.choice(list(obj)))
        else:
            obj[rng.choice(["Foo", "KeyId", "Name", "SecretId", "logGroupName"])] = rng.choice(WEIRD)
    return obj


@pytest.mark.parametrize("service", SERVICES)
def test_mutated_requests_never_5xx(emu, service):
    rng = random.Random(hash(service) & 0xFFFF)
    model = protocols.service_model(service)
    protocol = model.metadata["protocol"]
    ser = botocore.serialize.create_serializer(protocol, include_validation=False)
    gen = Gen(3)
    svc = emu.service(service)
    ops = [op for op in model.operation_names if hasattr(svc, f"op_{op}")]
    assert ops, service
    bad = []
    for _ in range(3):
        for op_name in ops:
            op = model.operation_model(op_name)
            params = gen.value(op.input_shape) if op.input_shape is not None else {}
            req = ser.serialize_to_request(params or {}, op)
            if protocol == "json":
                body = json.dumps(_mutate_json(rng, json.loads(req["body"] or b"{}"))).encode()
                headers = {"Content-Type": "application/x-amz-json-1.1",
                           "X-Amz-Target": req["headers"]["X-Amz-Target"]}
            else:
                pairs = [(k, v) for k, v in urllib.parse.parse_qsl(
                    percent_encode_sequence(req["body"]), keep_blank_values=True)]
                head = [p for p in pairs if p[0] in ("Action", "Version")]
                rest = _mutate_pairs(rng, [p for p in pairs if p[0] not in ("Action", "Version")])
                body = urllib.parse.urlencode(head + rest).encode()
                headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
            status, _, out = signed_raw(emu, service, body, headers)
            if status >= 500:
                bad.append((op_name, status, out[:300]))
    assert control(emu, "GET", "/_emulator/health")[1] == {"ok": True}
    assert not bad, bad
