"""ConfigureProvider against the local AWS emulator: credentials are validated
with a SigV4-signed STS GetCallerIdentity, and every failure is one clear
diagnostic that never repeats a secret."""

import pytest

from acceptance.driver import cty, objchange, plugin
from acceptance.harness import control
from acceptance.tests import support

ACCOUNT = support.Account("AKIDCONFIGURETEST000", "configure-test-secret-key", "eu-west-1")
ACCESS_KEY, SECRET_KEY = ACCOUNT.access_key, ACCOUNT.secret_key


@pytest.fixture(scope="module")
def emu():
    """One emulator for the whole file (the tests only count its STS calls)."""
    e = ACCOUNT.emulator()
    yield e
    e.stop()


def counts(emu):
    return control(emu, "/_emulator/counts")


def configure(binary, env, **settings):
    """Starts the provider, configures it with `settings` (endpoints as a
    dict), returns the diagnostics as (severity, summary, detail, path)."""
    with plugin.start_provider(binary, env=env) as p:
        pb = p.pb
        schema = p.stub.GetProviderSchema(pb.GetProviderSchema.Request())
        block = objchange.block_from_proto(schema.provider.block)
        ty = block.implied_type()
        vals = {}
        for name, attr in block.attributes.items():
            vals[name] = cty.NullVal(attr.implied_type())
        for name, nb in block.block_types.items():
            vals[name] = objchange.empty_block_value(nb)
        for k, v in settings.items():
            if isinstance(v, dict):  # endpoints, or a nested block
                ety = ty.attribute_type(k)
                ev = {n: cty.NullVal(t) for n, t in ety.attrs.items()}
                ev.update({n: cty.StringVal(u) for n, u in v.items()})
                vals[k] = cty.ObjectVal(ev)
            elif isinstance(v, bool):
                vals[k] = cty.BoolVal(v)
            else:
                vals[k] = cty.StringVal(v)
        resp = p.stub.ConfigureProvider(pb.ConfigureProvider.Request(
            terraform_version="1.15.0",
            config=pb.DynamicValue(msgpack=cty.msgpack_marshal(cty.ObjectVal(vals), ty))))
    # read once the provider has exited and its stderr reader has drained
    # every line (a read right after the RPC could miss the last ones)
    logs = "\n".join(p.stderr_lines())
    out = []
    for d in resp.diagnostics:
        path = ".".join(s.attribute_name for s in d.attribute.steps) if d.HasField("attribute") else ""
        out.append((d.severity, d.summary, d.detail, path))
    return out, logs


def base_env(**extra):
    env = {"AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent",
           "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_REGION": None,
           "AWS_DEFAULT_REGION": None, "AWS_PROFILE": None, "TF_LOG": "trace"}
    env.update(extra)
    return env


def test_valid_credentials_call_signed_get_caller_identity(binary, emu):
    before = counts(emu).get("sts:GetCallerIdentity", 0)
    diags, logs = configure(binary, base_env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY),
                            region="eu-west-1", endpoints={"sts": emu.endpoint})
    assert [d for d in diags if d[0] == 1] == []
    assert counts(emu).get("sts:GetCallerIdentity", 0) == before + 1
    assert SECRET_KEY not in logs
    assert "AWS credentials valid: account 123456789012" in logs


def test_wrong_secret_is_one_clear_error(binary, emu):
    diags, logs = configure(binary, base_env(), region="eu-west-1", access_key=ACCESS_KEY,
                            secret_key="wrong-secret-value", endpoints={"sts": emu.endpoint})
    errors = [d for d in diags if d[0] == 1]
    assert len(errors) == 1
    assert errors[0][1] == "Invalid AWS credentials"
    assert "SignatureDoesNotMatch" in errors[0][2]
    assert "wrong-secret-value" not in errors[0][2] and "wrong-secret-value" not in logs


def test_unknown_key_id(binary, emu):
    diags, _ = configure(binary, base_env(), region="eu-west-1", access_key="AKIDNOTKNOWN00000000",
                         secret_key=SECRET_KEY, endpoints={"sts": emu.endpoint})
    errors = [d for d in diags if d[0] == 1]
    assert len(errors) == 1 and "InvalidClientTokenId" in errors[0][2]


def test_no_credentials_lists_where_it_looked(binary, emu):
    diags, _ = configure(binary, base_env(), region="eu-west-1", endpoints={"sts": emu.endpoint})
    errors = [d for d in diags if d[0] == 1]
    assert len(errors) == 1
    assert errors[0][1] == "No valid AWS credentials found"
    for place in ("provider block", "environment", "shared config", "web identity", "ECS", "EC2 instance metadata"):
        assert place in errors[0][2]


def test_missing_region_names_the_attribute(binary, emu):
    diags, _ = configure(binary, base_env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY),
                         endpoints={"sts": emu.endpoint})
    errors = [d for d in diags if d[0] == 1]
    assert len(errors) == 1 and errors[0][1] == "No AWS region" and errors[0][3] == "region"


def test_skip_credentials_validation_makes_no_call(binary, emu):
    before = counts(emu).get("sts:GetCallerIdentity", 0)
    diags, _ = configure(binary, base_env(), region="eu-west-1", skip_credentials_validation=True,
                         endpoints={"sts": emu.endpoint})
    assert [d for d in diags if d[0] == 1] == []
    assert counts(emu).get("sts:GetCallerIdentity", 0) == before


def test_endpoint_from_environment(binary, emu):
    before = counts(emu).get("sts:GetCallerIdentity", 0)
    diags, _ = configure(binary, base_env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                                          AWS_REGION="eu-west-1", AWS_ENDPOINT_URL_STS=emu.endpoint))
    assert [d for d in diags if d[0] == 1] == []
    assert counts(emu).get("sts:GetCallerIdentity", 0) == before + 1


def test_bad_endpoint_url_is_refused(binary, emu):
    diags, _ = configure(binary, base_env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY),
                         region="eu-west-1", endpoints={"sts": "ftp://nope"})
    errors = [d for d in diags if d[0] == 1]
    assert len(errors) == 1 and "endpoints.sts must be an http or https URL" in errors[0][2]


def test_users_see_only_finished_resources(binary):
    """The user-facing build serves the finished resources and never the
    test fixture or a resource whose lifecycle is incomplete."""
    with plugin.start_provider(binary) as p:
        md = p.stub.GetMetadata(p.pb.GetMetadata.Request())
        names = sorted(r.type_name for r in md.resources)
        schema = p.stub.GetProviderSchema(p.pb.GetProviderSchema.Request())
    assert names == ["secure_redis_cluster", "secure_redis_rbac_users"]
    assert sorted(schema.resource_schemas.keys()) == names


def jwt(claims):
    import base64
    import json

    def part(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return part({"alg": "RS256", "typ": "JWT"}) + "." + part(claims) + ".c2lnbmF0dXJl"


def test_web_identity_block_completed_from_the_environment(binary, emu, tmp_path):
    """As GitHub Actions and EKS provide it: the block names only the session,
    AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE give the role and the token."""
    token = tmp_path / "token"
    token.write_text(jwt({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:o/r:ref:main"}))
    before = counts(emu).get("sts:AssumeRoleWithWebIdentity", 0)
    diags, logs = configure(binary, base_env(AWS_ROLE_ARN="arn:aws:iam::123456789012:role/ci",
                                             AWS_WEB_IDENTITY_TOKEN_FILE=str(token)),
                            region="eu-west-1", endpoints={"sts": emu.endpoint},
                            assume_role_with_web_identity={"session_name": "gha"})
    assert [d for d in diags if d[0] == 1] == [], diags
    assert counts(emu).get("sts:AssumeRoleWithWebIdentity", 0) == before + 1
    assert token.read_text() not in logs


@pytest.mark.parametrize("block, env, attr, summary", [
    ({"web_identity_token": "x.y.z"}, {}, "assume_role_with_web_identity.role_arn", "No role to assume"),
    ({"role_arn": "arn:aws:iam::123456789012:role/ci"}, {}, "assume_role_with_web_identity.web_identity_token_file",
     "No web identity token"),
])
def test_web_identity_block_without_a_role_or_token_names_the_attribute(binary, emu, block, env, attr, summary):
    diags, _ = configure(binary, base_env(AWS_ROLE_ARN=None, AWS_WEB_IDENTITY_TOKEN_FILE=None, **env),
                         region="eu-west-1", endpoints={"sts": emu.endpoint},
                         assume_role_with_web_identity=block)
    errors = [d for d in diags if d[0] == 1]
    assert len(errors) == 1 and errors[0][1] == summary and errors[0][3] == attr, errors
