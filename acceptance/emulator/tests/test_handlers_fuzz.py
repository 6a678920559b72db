"""Randomised robustness: every operation implemented by the sts/iam/ec2/kms
services, fed shape-conforming but arbitrary parameters, either succeeds with a
result that serializes per the output shape or raises AwsError - never any
other exception."""

import random

import pytest

from acceptance.emulator import protocols
from acceptance.emulator.errors import AwsError
from acceptance.emulator.server import Emulator

from shapegen import Gen

SERVICES = ["sts", "iam", "ec2", "kms"]


class RandomGen(Gen):
    """Shape values with a random choice of which optional members appear and
    some realistic strings mixed in."""

    def __init__(self, rng, pool):
        super().__init__(rng.randrange(1000))
        self.rng = rng
        self.pool = pool

    def value(self, shape, depth=0, name="v"):
        if shape.type_name == "structure" and depth > 0 and self.rng.random() < 0.3:
            return None
        if shape.type_name == "string" and not shape.enum and self.rng.random() < 0.6:
            return self.rng.choice(self.pool)
        if shape.type_name in ("integer", "long") and self.rng.random() < 0.3:
            return self.rng.choice([0, 1, 7, 30, 90, 365, 900, 3600, 65535, -1])
        v = super().value(shape, depth, name)
        if shape.type_name == "structure" and isinstance(v, dict):
            for k in list(v):
                if k not in shape.required_members and self.rng.random() < 0.5:
                    del v[k]
        return v


def _serialize(model, op, result):
    protocol = model.metadata["protocol"]
    if protocol == "json":
        return protocols.serialize_json_response(op, result)
    if protocol == "ec2":
        return protocols.serialize_ec2_response(op, result, "r")
    return protocols.serialize_query_response(op, result, "r")


@pytest.mark.parametrize("seed", range(6))
def test_handlers_never_crash(seed):
    rng = random.Random(seed)
    emu = Emulator(seed=seed)
    # Seed some real resources so that ids in the pool refer to something.
    ec2 = emu.service("ec2")
    kms = emu.service("kms")
    iam = emu.service("iam")
    vpc = ec2.op_CreateVpc({"CidrBlock": "10.0.0.0/16"})["Vpc"]["VpcId"]
    subnet = ec2.op_CreateSubnet({"VpcId": vpc, "CidrBlock": "10.0.1.0/24"})["Subnet"]["SubnetId"]
    sg = ec2.op_CreateSecurityGroup({"GroupName": "g", "Description": "d", "VpcId": vpc})["GroupId"]
    key = kms.op_CreateKey({})["KeyMetadata"]
    kms.op_CreateAlias({"AliasName": "alias/k", "TargetKeyId": key["KeyId"]})
    pol = iam.op_CreatePolicy({"PolicyName": "p", "PolicyDocument":
                               '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                               '"Action":"s3:*","Resource":"*"}]}'})["Policy"]["Arn"]
    pool = [vpc, subnet, sg, key["KeyId"], key["Arn"], "alias/k", "alias/aws/ssm", pol, "v1", "v2",
            "10.0.2.0/24", "0.0.0.0/0", "tcp", "-1", "us-east-1a", "default", "g", "",
            "arn:aws:iam::123456789012:role/r", "{}", "not json", "sg-0123456789abcdef0",
            "Name", "tag:Name", "vpc-id", "group-id", "x" * 300]
    gen = RandomGen(rng, pool)
    calls = 0
    for name in SERVICES:
        svc = emu.service(name)
        model = protocols.service_model(name)
        for op_name in model.operation_names:
            fn = getattr(svc, f"op_{op_name}", None)
            if fn is None:
                continue
            op = model.operation_model(op_name)
            for _ in range(16):
                params = gen.value(op.input_shape) if op.input_shape is not None else {}
                params = params or {}
                if op.input_shape is not None:
                    problems = []
                    protocols._validate(op.input_shape, params, "", "", problems,
                                        model.metadata["protocol"] == "ec2", top=True)
                    if problems:
                        continue  # the framework would have answered a validation error
                with emu.lock:
                    try:
                        result = fn(params)
                    except AwsError as e:
                        assert e.code and 400 <= e.status < 600
                        continue
                _serialize(model, op, result)
                calls += 1
    assert calls > 30
