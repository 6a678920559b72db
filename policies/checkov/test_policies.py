"""Checks of the Checkov custom policies for secure_redis_cluster.

Checkov is not installable here, so this test does what it can without it:
  - every policy parses as YAML and follows Checkov's documented custom policy
    schema (metadata id/name/category/severity, one definition object,
    cond_type attribute blocks, known operators, compilable regexes);
  - every attribute a policy reads is an argument of the resource schema,
    taken from resources/redis_cluster.c (and the docs agree with it);
  - a small evaluator of the operators used here (Checkov semantics as
    documented: "attr.*" matches when ANY element matches) runs each policy on
    configurations that must pass and ones that must fail.

Run:  /usr/bin/python3 -m pytest -q policies/checkov
"""

import pathlib
import re

import pytest

yaml = pytest.importorskip("yaml")

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
POLICIES = sorted(HERE.glob("*.yaml"))

CATEGORIES = {"GENERAL_SECURITY", "LOGGING", "ENCRYPTION", "NETWORKING", "IAM", "BACKUP_AND_RECOVERY",
              "CONVENTION", "SECRETS", "KUBERNETES", "APPLICATION_SECURITY", "SUPPLY_CHAIN", "API_SECURITY"}
SEVERITIES = {"NONE", "INFO", "LOW", "MEDIUM", "MODERATE", "HIGH", "IMPORTANT", "CRITICAL", "OFF"}
OPERATORS = {"equals", "not_equals", "regex_match", "not_regex_match", "exists", "not_exists", "any", "contains",
             "not_contains", "within", "not_within", "starting_with", "not_starting_with", "ending_with",
             "not_ending_with", "greater_than", "greater_than_or_equal", "less_than", "less_than_or_equal",
             "subset", "not_subset", "is_empty", "is_not_empty", "length_equals", "length_not_equals",
             "length_less_than", "length_less_than_or_equal", "length_greater_than",
             "length_greater_than_or_equal", "is_false", "is_true", "intersects", "not_intersects",
             "equals_ignore_case", "not_equals_ignore_case"}
NO_VALUE = {"exists", "not_exists", "is_empty", "is_not_empty", "is_true", "is_false"}


def schema_attrs():
    """name -> flags text, from the redis_attrs table of resources/redis_cluster.c."""
    src = (REPO / "resources" / "redis_cluster.c").read_text()
    table = src[src.index("static const struct schema_attr redis_attrs[]"):]
    table = table[:table.index("};")]
    out = {}
    for m in re.finditer(r'\.name = "([a-z_]+)",.*?\.flags = ([A-Z_ |]+)', table, re.S):
        out[m.group(1)] = m.group(2)
    assert len(out) > 30, "could not read the schema table"
    return out


def arguments():
    return {n for n, f in schema_attrs().items() if "OPT" in f or "REQUIRED" in f}


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def blocks(defn):
    """Every condition block under a definition."""
    if isinstance(defn, list):
        for d in defn:
            yield from blocks(d)
        return
    assert isinstance(defn, dict), defn
    for key in ("and", "or", "not"):
        if key in defn:
            assert len(defn) == 1, "a logical operator stands alone: %r" % defn
            yield from blocks(defn[key])
            return
    yield defn


# ---- a small evaluator (the subset of Checkov used here) ----

def lookup(conf, attribute):
    """Values at an attribute path; '*' expands every list element."""
    vals = [conf]
    for part in attribute.split("."):
        nxt = []
        for v in vals:
            if part == "*" and isinstance(v, list):
                nxt.extend(v)
            elif isinstance(v, dict) and part in v:
                nxt.append(v[part])
        vals = nxt
    return vals


def number(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def check_value(op, got, want):
    if op == "exists":
        return True
    if op == "contains":
        return want in got if isinstance(got, (list, str)) else False
    if op == "not_contains":
        return want not in got if isinstance(got, (list, str)) else True
    if op == "regex_match":
        return re.match(want, str(got)) is not None
    if op == "not_regex_match":
        return re.match(want, str(got)) is None
    if op == "equals":
        return str(got) == str(want)
    if op == "not_equals":
        return str(got) != str(want)
    if op in ("greater_than_or_equal", "greater_than", "less_than", "less_than_or_equal"):
        g, w = number(got), number(want)
        if g is None or w is None:
            return False
        return {"greater_than_or_equal": g >= w, "greater_than": g > w,
                "less_than": g < w, "less_than_or_equal": g <= w}[op]
    raise AssertionError("evaluator does not implement %s" % op)


def evaluate(defn, conf):
    if isinstance(defn, list):
        assert len(defn) == 1
        return evaluate(defn[0], conf)
    if "and" in defn:
        return all(evaluate(d, conf) for d in defn["and"])
    if "or" in defn:
        return any(evaluate(d, conf) for d in defn["or"])
    if "not" in defn:
        return not evaluate(defn["not"], conf)
    op = defn["operator"]
    vals = lookup(conf, defn["attribute"])
    if op == "not_exists":
        return not vals
    return any(check_value(op, v, defn.get("value")) for v in vals)


# ---- tests ----

def test_policies_exist():
    assert len(POLICIES) >= 8


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_policy_schema(path):
    doc = load(path)
    assert set(doc) == {"metadata", "definition"}
    md = doc["metadata"]
    assert re.fullmatch(r"CKV2_SECURE_\d+", md["id"])
    assert md["name"].startswith("Ensure secure_redis_cluster")
    assert md["category"] in CATEGORIES
    assert md["severity"] in SEVERITIES
    assert isinstance(doc["definition"], dict), "the top-level definition must be one object"
    args = arguments()
    for b in blocks(doc["definition"]):
        assert b["cond_type"] == "attribute"
        assert b["resource_types"] == ["secure_redis_cluster"]
        assert b["operator"] in OPERATORS
        assert ("value" in b) == (b["operator"] not in NO_VALUE)
        root = b["attribute"].split(".")[0]
        assert root in args, "%s is not an argument of secure_redis_cluster" % root
        if "regex" in b["operator"]:
            re.compile(b["value"])


def test_ids_unique():
    ids = [load(p)["metadata"]["id"] for p in POLICIES]
    assert len(ids) == len(set(ids))


def test_docs_list_every_attribute():
    doc = (REPO / "docs" / "resources" / "secure_redis_cluster.md").read_text()
    for name in schema_attrs():
        assert "- `%s` (" % name in doc, "docs miss %s" % name


GOOD = {
    "name": "orders-cache",
    "node_type": "cache.r7g.large",
    "engine_version": "7.1",
    "replicas_per_shard": 2,
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "allowed_security_group_ids": ["sg-0123456789abcdef0"],
    "allowed_cidr_blocks": ["10.0.0.0/16", "172.20.0.0/16", "192.168.1.0/24", "100.64.0.0/10", "fd00:1::/64"],
    "snapshot_retention_days": 7,
    "log_retention_days": 365,
    "secret_recovery_window_days": 30,
    "kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
}
MINIMAL = {"name": "c", "node_type": "cache.t4g.micro", "subnet_ids": ["subnet-01234567", "subnet-89abcdef"]}

BAD = [
    ("CKV2_SECURE_1", {"allowed_cidr_blocks": ["10.0.0.0/8", "0.0.0.0/0"]}),
    ("CKV2_SECURE_1", {"allowed_cidr_blocks": ["::/0"]}),
    ("CKV2_SECURE_2", {"allowed_cidr_blocks": ["10.0.0.0/8", "8.8.8.0/24"]}),
    ("CKV2_SECURE_2", {"allowed_cidr_blocks": ["172.32.0.0/16"]}),
    ("CKV2_SECURE_2", {"allowed_cidr_blocks": ["100.128.0.0/16"]}),
    ("CKV2_SECURE_2", {"allowed_cidr_blocks": ["2001:db8::/32"]}),
    ("CKV2_SECURE_2", {"allowed_cidr_blocks": ["10.0.0.0/7"]}),
    ("CKV2_SECURE_2", {"allowed_cidr_blocks": ["0.0.0.0/0"]}),
    ("CKV2_SECURE_3", {"snapshot_retention_days": 1}),
    ("CKV2_SECURE_4", {"log_retention_days": 30}),
    ("CKV2_SECURE_5", {"secret_recovery_window_days": 0}),
    ("CKV2_SECURE_6", {"engine_version": "6.0"}),
    ("CKV2_SECURE_6", {"engine_version": "5.0.6"}),
    ("CKV2_SECURE_6", {"engine_version": "7.0.7"}),
    ("CKV2_SECURE_7", {"replicas_per_shard": 0}),
    ("CKV2_SECURE_8", {"kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:alias/cache"}),
    ("CKV2_SECURE_8", {"kms_key_arn": "aws_kms_alias.cache.arn"}),
]


def policies_by_id():
    return {load(p)["metadata"]["id"]: load(p) for p in POLICIES}


@pytest.mark.parametrize("conf", [GOOD, MINIMAL], ids=["good", "minimal"])
def test_good_configs_pass(conf):
    for pid, pol in policies_by_id().items():
        assert evaluate(pol["definition"], conf), "%s fails a good configuration" % pid


@pytest.mark.parametrize("pid,change", BAD, ids=["%s-%d" % (b[0], i) for i, b in enumerate(BAD)])
def test_bad_configs_fail(pid, change):
    pols = policies_by_id()
    conf = dict(GOOD, **change)
    assert not evaluate(pols[pid]["definition"], conf), "%s passes %r" % (pid, change)
    # and only the policy meant to catch it (CIDR policies overlap on 0.0.0.0/0)
    others = [p for p, pol in pols.items() if p != pid and not evaluate(pol["definition"], conf)]
    assert set(others) <= {"CKV2_SECURE_1", "CKV2_SECURE_2"}


def test_example_resource_passes():
    """The registry example's literal arguments pass every policy."""
    tf = (REPO / "examples" / "resources" / "secure_redis_cluster" / "resource.tf").read_text()
    conf = {}
    for m in re.finditer(r'^\s*([a-z_]+)\s*=\s*("([^"]*)"|(\d+))\s*$', tf, re.M):
        conf[m.group(1)] = m.group(3) if m.group(3) is not None else int(m.group(4))
    assert conf.get("name") == "orders-cache"
    for pid, pol in policies_by_id().items():
        assert evaluate(pol["definition"], conf), pid
