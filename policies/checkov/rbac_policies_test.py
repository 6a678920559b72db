"""Checks of the Checkov custom policies for secure_redis_rbac_users
(rbac_*.yml).

Checkov is not installable here, so this test evaluates the policies the
way Checkov's graph does, re-implemented from its source
(checkov/common/graph/graph_builder/graph_components/blocks.py
get_inner_attributes, and checks_infra/solvers/attribute_solvers/
base_attribute_solver.py get_attribute_patterns / get_operation):
  - a resource's attributes are flattened: users = {"a-svc" = {role = ..}}
    also gives users.a-svc and users.a-svc.role; a one-element list is
    unwrapped;
  - an attribute path containing a ".*" part is matched per part as a
    regular expression against the flattened keys (with and without the
    "*" part), and the condition holds when ANY matching key satisfies
    the operator; without a match the literal path is looked up;
  - regex_match / not_regex_match use re.match on str(value).
It also checks the files against Checkov's custom policy schema and the
attributes against the resource schema in resources/redis_rbac_users.c.

Run:  /usr/bin/python3 -m pytest -q policies/checkov
"""

import pathlib
import re

import pytest

yaml = pytest.importorskip("yaml")

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
POLICIES = sorted(HERE.glob("rbac_*.yml"))
WILDCARD_PATTERN = re.compile(r"(\S+[.][*][.]*)+")


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def schema_args():
    """Top-level arguments and user arguments from resources/redis_rbac_users.c."""
    src = (REPO / "resources" / "redis_rbac_users.c").read_text()

    def table(name):
        t = src[src.index(name):]
        t = t[:t.index("};")]
        return {m.group(1): m.group(2) for m in
                re.finditer(r'\.name = "([a-z_]+)",.*?\.flags = ([A-Z_ |]+)', t, re.S)}

    top = table("static const struct schema_attr rbac_attrs[]")
    users = table("static const struct schema_attr user_attrs[]")
    assert "users" in top and "role" in users, "could not read the schema tables"
    is_arg = lambda f: "OPT" in f or "REQUIRED" in f  # noqa: E731
    return {n for n, f in top.items() if is_arg(f)}, {n for n, f in users.items() if is_arg(f)}


# ---- Checkov's evaluation, re-implemented ----

def inner_attributes(key, value):
    out = {}
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, (dict, list)):
        out[key] = [None] * len(value) if isinstance(value, list) else {}
        keys = range(len(value)) if isinstance(value, list) else list(value.keys())
        for k in keys:
            inner = "%s.%s" % (key, k)
            out.update(inner_attributes(inner, value[k]))
            out[key][k] = out[inner]
    else:
        out[key] = value
    return out


def vertex(conf):
    """The attributes of a resource vertex for an HCL configuration (the
    parser wraps each attribute value in a list)."""
    attrs = {k: [v] for k, v in conf.items()}
    for k, v in list(attrs.items()):
        if isinstance(v[0], dict) or (isinstance(v[0], list) and v[0] and isinstance(v[0][0], dict)):
            attrs.update(inner_attributes(k, v))
    return attrs


def attribute_patterns(attribute):
    parts = attribute.split(".")
    with_index = "^" + "[.]".join(r"[\d]+" if p == "*" else "(%s)" % p for p in parts) + "$"
    without = "^" + "[.]".join("(%s)" % p for p in parts if p != "*") + "$"
    return re.compile(with_index), re.compile(without)


def operation(op, got, want):
    if op == "equals":
        return got == want
    if op == "regex_match":
        return re.match(str(want), str(got)) is not None
    if op == "not_regex_match":
        return re.match(str(want), str(got)) is None
    raise AssertionError("evaluator does not implement %s" % op)


def evaluate(defn, v):
    if "and" in defn:
        return all(evaluate(d, v) for d in defn["and"])
    if "or" in defn:
        return any(evaluate(d, v) for d in defn["or"])
    if "not" in defn:
        inner = defn["not"]
        return not evaluate(inner[0] if isinstance(inner, list) else inner, v)
    attribute, op, want = defn["attribute"], defn["operator"], defn.get("value")
    if re.match(WILDCARD_PATTERN, attribute):
        pats = attribute_patterns(attribute)
        matches = [k for k in v if any(p.match(k) for p in pats)]
        if matches:
            return any(operation(op, v.get(k), want) for k in matches)
    got = v.get(attribute)
    if isinstance(got, list) and len(got) == 1:
        got = got[0]
    return operation(op, got, want)


def passes(pid, conf):
    pol = {load(p)["metadata"]["id"]: load(p) for p in POLICIES}[pid]
    return evaluate(pol["definition"], vertex(conf))


# ---- tests ----

def test_policy_files():
    assert len(POLICIES) == 3
    top, users = schema_args()
    ids = set()
    for path in POLICIES:
        doc = load(path)
        assert set(doc) == {"metadata", "definition"}
        md = doc["metadata"]
        assert re.fullmatch(r"CKV2_SECURE_1\d\d", md["id"])
        assert md["name"].startswith("Ensure secure_redis_rbac_users")
        assert md["category"] == "IAM"
        assert md["severity"] in {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
        ids.add(md["id"])
        defn = doc["definition"]
        block = defn.get("not", defn)
        assert block["cond_type"] == "attribute"
        assert block["resource_types"] == ["secure_redis_rbac_users"]
        parts = block["attribute"].split(".")
        assert parts[0] in top
        if len(parts) > 2:
            assert parts[2] in users
        if "regex" in block["operator"]:
            re.compile(block["value"])
    assert len(ids) == 3
    # no clash with the other policies of the folder
    others = {load(p)["metadata"]["id"] for p in HERE.glob("*.yaml")}
    assert not ids & others


def u(role, **kw):
    return dict(role=role, **kw)


GOOD = {
    "name": "orders-users",
    "engine_version": "7.1",
    "users": {
        "ops": u("admin", authentication="iam"),
        "reporting": u("readonly", keys=["orders:*"], authentication="iam"),
        "orders-svc": u("service", keys=["orders:*"], authentication="iam"),
        "jobs": u("custom", access_string="on ~jobs:* -@all +get +set", authentication="iam"),
        "cleanup-worker": u("custom", access_string="on ~* +@all -@dangerous", authentication="iam"),
    },
}


def test_good_config_passes_all():
    for pid in ("CKV2_SECURE_101", "CKV2_SECURE_102", "CKV2_SECURE_103"):
        assert passes(pid, GOOD), pid


@pytest.mark.parametrize("name", ["orders-svc", "orders-service", "web-app", "queue-worker", "svc", "app",
                                  '"billing-svc"'])
def test_admin_for_service_fails(name):
    conf = dict(GOOD, users=dict(GOOD["users"], **{name: u("admin", authentication="iam")}))
    assert not passes("CKV2_SECURE_101", conf)


@pytest.mark.parametrize("name", ["ops", "svc-team", "application", "apps", "worker-pool"])
def test_admin_for_people_passes(name):
    conf = dict(GOOD, users={name: u("admin", authentication="iam")})
    assert passes("CKV2_SECURE_101", conf)


def test_no_users_passes():
    assert passes("CKV2_SECURE_101", {"name": "g", "users": {}})
    assert passes("CKV2_SECURE_102", {"name": "g", "users": {}})
    assert passes("CKV2_SECURE_103", {"name": "g", "users": {}})


@pytest.mark.parametrize("access", [
    "on ~* +@all",
    "on ~* allcommands",
    "on ~* -@all +@dangerous",
    "on ~* -@all +@ADMIN",
    "on ~* +@all -@dangerous +@dangerous",
    "+@admin",
    "on ~* +@all -@write",
])
def test_dangerous_categories_fail(access):
    conf = dict(GOOD, users=dict(GOOD["users"], jobs=u("custom", access_string=access, authentication="iam")))
    assert not passes("CKV2_SECURE_102", conf)


@pytest.mark.parametrize("access", [
    "on ~* +@all -@dangerous",
    "on ~* allcommands -@dangerous -flushall",
    "on ~* -@all +@read -@dangerous",
    "on ~* -@all +get -@admin",
    "on ~admin:* -@all +get",
])
def test_narrow_access_strings_pass(access):
    conf = dict(GOOD, users=dict(GOOD["users"], jobs=u("custom", access_string=access, authentication="iam")))
    assert passes("CKV2_SECURE_102", conf)


@pytest.mark.parametrize("user", [
    u("service"),                              # password is the default
    u("service", authentication="password"),
    u("readonly", keys=["a:*"], password_version=2),
])
def test_password_users_fail_iam_preference(user):
    conf = dict(GOOD, users=dict(GOOD["users"], extra=user))
    assert not passes("CKV2_SECURE_103", conf)
    # one password user among many is enough, wherever it is
    conf = dict(GOOD, users=dict(extra=user, **GOOD["users"]))
    assert not passes("CKV2_SECURE_103", conf)


def test_flattening_is_checkov_like():
    v = vertex({"users": {"a-svc": {"role": "admin", "keys": ["x"]}}})
    assert v["users.a-svc.role"] == "admin"
    assert v["users.a-svc.keys"] == "x"  # one-element lists are unwrapped
    assert v["users"] == {"a-svc": {"role": "admin", "keys": "x"}}
