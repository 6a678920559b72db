"""secure_redis_rbac_users end to end against the local AWS emulator, through
the protocol driver and the test provider binary ($PROVIDER_TEST_BIN, default
build/terraform-provider-secure-test, which serves the resource while it has
no update in place).

1. acceptance/scenarios/rbac_users_basic: admin, read-only and service users
   with passwords plus one IAM user -> no-change plan -> destroy.  The users
   exist in ElastiCache with the planned access strings, the default user is
   locked, each password user's secret holds the password ElastiCache
   accepts; no password appears in any state file, the transcript or the
   trace logs; afterwards nothing is left but the key pending deletion.
2. A custom access string with a password is refused at validate.
3. A fault injected on CreateUserGroup fails the apply with partial state
   (users, secrets, key; no group), and the destroy removes it all.
4. Read: out-of-band drift (access string widened, user removed from the
   group, default user enabled) shows as differences; a deleted group
   removes the resource; a group attached to a replication group refuses
   to be destroyed, naming it.
5. Import by user group id adopts the users, secrets and key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from acceptance import harness
from acceptance.driver.scenario import run_scenario
from acceptance.harness import baseline, control, new_leftovers
from acceptance.tests import support
from acceptance.tests.support import StateWatcher

SCENARIO = support.SCENARIOS / "rbac_users_basic"
ACCOUNT = support.Account("AKIDRBACUSERS0000000", "rbac-users-test-secret-key")
TYPE = "secure_redis_rbac_users"
GROUP = "acc-users"
PASSWORD_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!&#$^<>-")
env = ACCOUNT.env
botocore_client = ACCOUNT.client


def materialise(emu, dst, edit=None):
    """Copies the scenario with the endpoints filled in; edit(resource body)
    may change the configuration of step 01."""
    return harness.materialise(SCENARIO, dst, emu, edit=edit and (lambda doc: edit(doc["resource"][TYPE]["main"])))


def resource_attrs(state):
    return support.resource_attrs(state, TYPE)


def add_step(scen: Path, name: str, edit=None, expect=None):
    """A further step: step 01's configuration, changed by edit(body)."""
    doc = json.loads((scen / "01-create" / "main.tf.json").read_text())
    if edit:
        edit(doc["resource"][TYPE]["main"])
    (scen / name).mkdir()
    (scen / name / "main.tf.json").write_text(json.dumps(doc, indent=1))
    if expect is not None:
        (scen / name / "expect.json").write_text(json.dumps(expect))


def run(emu, tmp_path, test_binary, name, edit=None, expect=None, hook=None, steps=()):
    scen = materialise(emu, tmp_path / name, edit)
    if expect is not None:
        (scen / "01-create" / "expect.json").write_text(json.dumps(expect))
    for step in steps:
        add_step(scen, *step)
    state = tmp_path / f"{name}.tfstate"
    sink = StateWatcher(state, TYPE, {"destroy": hook} if hook else None)
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    return result, sink


def spy_passwords(emu):
    """Records every password the provider sends to CreateUser (no API ever
    returns one)."""
    ec = emu.service("elasticache")
    orig = ec.op_CreateUser
    seen = {}

    def spy(p):
        out = orig(p)
        seen[p["UserId"]] = ec.valid_passwords(p["UserId"])
        return out
    ec.op_CreateUser = spy
    return seen


def test_basic_lifecycle(emu, tmp_path, test_binary):
    passwords = spy_passwords(emu)
    before = baseline(emu)
    observed = {}

    def look(attrs):
        ec = botocore_client(emu, "elasticache")
        sm = botocore_client(emu, "secretsmanager")
        observed["group"] = ec.describe_user_groups(UserGroupId=GROUP)["UserGroups"][0]
        observed["users"] = {u["UserId"]: u for u in ec.describe_users()["Users"]}
        observed["secrets"] = {k: json.loads(sm.get_secret_value(SecretId=u["secret_arn"])["SecretString"])
                               for k, u in attrs["users"].items() if u["secret_arn"]}
        observed["tags"] = ec.list_tags_for_resource(ResourceName=attrs["arn"])["TagList"]
        return attrs
    result, sink = run(emu, tmp_path, test_binary, "basic", hook=look)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    attrs = sink.hooked["destroy"]

    # state
    assert attrs["id"] == attrs["user_group_id"] == GROUP
    assert attrs["arn"].endswith(":usergroup:" + GROUP)
    assert attrs["default_user_id"] == GROUP + "-default"
    assert attrs["kms_key_arn"].startswith("arn:aws:kms:")
    assert attrs["tags_all"] == {"owner": "acceptance", "team": "platform", "secure:redis-rbac-users": GROUP}
    users = attrs["users"]
    assert set(users) == {"ops", "reporting", "orders-svc", "analytics"}
    for name in ("ops", "reporting", "orders-svc"):
        u = users[name]
        assert u["user_id"] == f"{GROUP}-{name}" and u["arn"].endswith(":user:" + u["user_id"])
        assert u["secret_arn"].startswith("arn:aws:secretsmanager:") and u["iam_policy_json"] is None
        assert u["password_rotation_phase"] == "created"
    iam = users["analytics"]
    assert iam["user_id"] == "analytics" and iam["secret_arn"] is None and iam["password_rotation_phase"] is None
    doc = json.loads(iam["iam_policy_json"])
    assert doc["Statement"][0]["Action"] == "elasticache:Connect"
    assert iam["arn"] in doc["Statement"][0]["Resource"]

    # AWS: the group holds exactly the users and the locked default user
    g = observed["group"]
    want_ids = {u["user_id"] for u in users.values()} | {GROUP + "-default"}
    assert set(g["UserIds"]) == want_ids and g["Status"] == "active"
    aws_users = observed["users"]
    for u in users.values():
        assert aws_users[u["user_id"]]["AccessString"] == u["effective_access_string"]
    assert aws_users["analytics"]["Authentication"]["Type"] == "iam"
    d = aws_users[GROUP + "-default"]
    assert d["UserName"] == "default" and d["AccessString"] == "off -@all"
    assert {"Key": "secure:redis-rbac-users", "Value": GROUP} in observed["tags"]

    # the passwords: 32 characters from the allowed set, one per user, in
    # the user's secret, and nowhere else
    assert set(passwords) == {f"{GROUP}-ops", f"{GROUP}-reporting", f"{GROUP}-orders-svc", GROUP + "-default",
                              "analytics"}
    assert passwords["analytics"] == []
    secrets = observed["secrets"]
    for name in ("ops", "reporting", "orders-svc"):
        pw = passwords[f"{GROUP}-{name}"]
        assert len(pw) == 1 and len(pw[0]) == 32 and set(pw[0]) <= PASSWORD_CHARS
        assert secrets[name] == {"username": name, "password": pw[0]}
    all_pw = [p for ps in passwords.values() for p in ps]
    assert len(set(all_pw)) == len(all_pw) == 4
    logs = "\n".join(result.provider_stderr)
    assert "CreateUser" in logs, "trace logs were not captured"
    for pw in all_pw:
        assert pw not in "".join(sink.snapshots)
        assert pw not in result.transcript
        assert pw not in logs

    # destroy leaves nothing but the key pending deletion (not listed)
    assert new_leftovers(emu, before) == []


def test_custom_access_string_with_a_password_is_refused_at_validate(emu, tmp_path, test_binary):
    def edit(body):
        body["users"]["ops"] = {"role": "custom", "access_string": "on ~* +@all >hunter2hunter2hunter2"}
    result, _ = run(emu, tmp_path, test_binary, "refused", edit=edit,
                    expect={"validate_error": {"attribute": 'users["ops"].access_string'}})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert "hunter2hunter2hunter2" not in result.transcript
    assert control(emu, "/_emulator/resources").get("elasticache", []) == []


def test_failure_at_create_user_group_leaves_partial_state_destroy_cleans(emu, tmp_path, test_binary):
    before = baseline(emu)
    control(emu, "/_emulator/faults", {"service": "elasticache", "operation": "CreateUserGroup",
                                       "action": "error", "code": "InjectedFault", "message": "Injected fault",
                                       "status": 400})
    result, sink = run(emu, tmp_path, test_binary, "fault",
                       expect={"plan": {TYPE + ".main": "create"}, "apply_error": "Injected fault",
                               "after_no_change_plan": False})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert "ElastiCache CreateUserGroup failed" in result.transcript
    states = sink.states()
    partial = [r["instances"][0] for st in states for r in st.get("resources", [])
               if r["type"] == TYPE and r.get("instances")]
    assert partial, "the failed create recorded no state"
    inst = partial[-1]
    assert inst.get("status") == "tainted"
    at = inst["attributes"]
    assert at["arn"] is None and at["user_group_id"] is None
    assert at["kms_key_arn"] and at["default_user_id"] == GROUP + "-default"
    assert set(at["users"]) == {"ops", "reporting", "orders-svc", "analytics"}
    assert all(u["arn"] for u in at["users"].values())
    left = new_leftovers(emu, before)
    assert left == [], left


def test_failure_at_the_second_user_keeps_only_what_exists(emu, tmp_path, test_binary):
    """CreateUser fails once the first user exists: the state lists the
    users that exist (with their secrets), and destroy removes them."""
    before = baseline(emu)
    ec = emu.service("elasticache")
    orig = ec.op_CreateUser
    calls = []

    def flaky(p):
        calls.append(p["UserId"])
        if len(calls) == 2:
            from acceptance.emulator.errors import AwsError
            raise AwsError("InjectedFault", "Injected fault", 400, True)
        return orig(p)
    ec.op_CreateUser = flaky
    result, sink = run(emu, tmp_path, test_binary, "user-fault",
                       expect={"plan": {TYPE + ".main": "create"}, "apply_error": "Injected fault",
                               "after_no_change_plan": False})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    states = sink.states()
    at = [a for st in states for a in resource_attrs(st)][-1]
    assert at["default_user_id"] is None and at["arn"] is None
    created = [k for k, u in at["users"].items() if u["arn"]]
    assert len(created) == 1
    # the second user's secret was made before its CreateUser failed
    assert len([k for k, u in at["users"].items() if u["secret_arn"]]) in (1, 2)
    assert new_leftovers(emu, before) == []


class Configured(support.Configured):
    """A provider process configured against the emulator like the
    scenario's provider block."""

    def __init__(self, binary, emu):
        super().__init__(binary, emu, ACCOUNT, TYPE)


def read_state(binary, emu, attrs):
    return support.read_state(binary, emu, ACCOUNT, TYPE, attrs)


def import_state(binary, emu, gid):
    return support.import_state(binary, emu, ACCOUNT, TYPE, gid)


def wait_active(ec, gid):
    import time
    for _ in range(100):
        if ec.describe_user_groups(UserGroupId=gid)["UserGroups"][0]["Status"] == "active":
            return
        time.sleep(0.1)
    raise AssertionError("group never became active")


def test_read_shows_drift(emu, tmp_path, test_binary):
    def drift(attrs):
        ec = botocore_client(emu, "elasticache")
        ec.modify_user(UserId=f"{GROUP}-reporting", AccessString="on ~* +@all")
        wait_active(ec, GROUP)
        ec.modify_user_group(UserGroupId=GROUP, UserIdsToRemove=[f"{GROUP}-ops"])
        wait_active(ec, GROUP)
        ec.modify_user(UserId=GROUP + "-default", AccessString="on ~* +@all")
        wait_active(ec, GROUP)
        import time
        time.sleep(0.7)  # the users' own modifications complete
        drifted = read_state(test_binary, emu, attrs)
        gone = read_state(test_binary, emu, dict(attrs, id="acc-nothing", name="acc-nothing"))
        return drifted, gone
    result, sink = run(emu, tmp_path, test_binary, "drift", hook=drift)
    # the final destroy still works: the ops user is no longer in the
    # group, but the provider knows it made it
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    (new, diags), (gone, gone_diags) = sink.hooked["destroy"]
    assert new["users"]["reporting"]["effective_access_string"] == "on ~* +@all"
    assert new["users"]["ops"]["effective_access_string"] is None
    assert new["users"]["orders-svc"]["effective_access_string"] is not None
    assert new["default_user_id"] is None
    assert any(d[1] == "Default user changed outside Terraform" for d in diags), diags
    assert not [d for d in diags if d[0] == 1], diags
    assert gone is None and not [d for d in gone_diags if d[0] == 1], gone_diags


def test_destroy_of_an_attached_group_names_the_cluster(emu, tmp_path, test_binary):
    """The group attached to a replication group: destroy fails with a clear
    error naming it; once detached, destroy succeeds."""
    before = baseline(emu)
    attached = {}

    def attach(attrs):
        ec = botocore_client(emu, "elasticache")
        ec.create_replication_group(ReplicationGroupId="acc-cache", ReplicationGroupDescription="x",
                                    Engine="redis", EngineVersion="7.1", CacheNodeType="cache.t4g.small",
                                    TransitEncryptionEnabled=True, UserGroupIds=[GROUP])
        attached["arn"] = attrs["arn"]
        return attrs
    scen = materialise(emu, tmp_path / "attached")
    state = tmp_path / "attached.tfstate"
    sink = StateWatcher(state, TYPE, {"destroy": attach})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert not result.ok
    assert "User group still attached" in result.transcript and "acc-cache" in result.transcript
    # detach (delete the cluster) and destroy again from the kept state
    ec = botocore_client(emu, "elasticache")
    import time
    for _ in range(100):
        if ec.describe_replication_groups(ReplicationGroupId="acc-cache")["ReplicationGroups"][0]["Status"] \
                == "available":
            break
        time.sleep(0.1)
    ec.delete_replication_group(ReplicationGroupId="acc-cache")
    for _ in range(100):
        try:
            ec.describe_replication_groups(ReplicationGroupId="acc-cache")
        except ec.exceptions.ReplicationGroupNotFoundFault:
            break
        time.sleep(0.1)
    attrs = resource_attrs(json.loads(state.read_text()))[-1]
    p = Configured(test_binary, emu)
    try:
        resp = p.stub.ApplyResourceChange(p.pb.ApplyResourceChange.Request(
            type_name=TYPE, prior_state=p.dv(attrs), planned_state=p.dv(None), config=p.dv(None),
            planned_private=private_of(state)))
        assert not [d for d in resp.diagnostics if d.severity == 1], resp.diagnostics
    finally:
        p.close()
    left = new_leftovers(emu, before)
    assert left == [], left


def private_of(state_path):
    import base64
    st = json.loads(state_path.read_text())
    inst = [r["instances"][0] for r in st["resources"] if r["type"] == TYPE][0]
    return base64.b64decode(inst.get("private", "")) if inst.get("private") else b""


def test_import_adopts_users_and_secrets(emu, tmp_path, test_binary):
    def imp(attrs):
        return attrs, import_state(test_binary, emu, GROUP)
    result, sink = run(emu, tmp_path, test_binary, "import", hook=imp)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    created, imported = sink.hooked["destroy"]
    for k in ("id", "arn", "user_group_id", "default_user_id", "kms_key_arn", "engine", "tags", "tags_all"):
        assert imported[k] == created[k], (k, imported[k], created[k])
    assert set(imported["users"]) == set(created["users"])
    for name, u in created["users"].items():
        iu = imported["users"][name]
        for k in ("user_id", "arn", "secret_arn", "effective_access_string", "authentication"):
            assert iu[k] == u[k], (name, k, iu[k], u[k])
    assert imported["users"]["ops"]["role"] == "admin"


def test_update_adds_removes_and_changes_users(emu, tmp_path, test_binary):
    """Step 02 removes `reporting`, adds a custom `batch` user, narrows
    `orders-svc` and switches `analytics` to a password: one in-place
    update, then no change."""
    before = baseline(emu)
    passwords = spy_passwords(emu)

    def change(body):
        users = body["users"]
        del users["reporting"]
        users["batch"] = {"role": "custom", "access_string": "on ~jobs:* -@all +get +set"}
        users["orders-svc"]["keys"] = ["orders:*"]
        users["analytics"] = {"role": "readonly", "keys": ["orders:*"]}

    def look(attrs):
        ec = botocore_client(emu, "elasticache")
        g = ec.describe_user_groups(UserGroupId=GROUP)["UserGroups"][0]
        aws = {u["UserId"]: u for u in ec.describe_users()["Users"]}
        return attrs, g, aws
    result, sink = run(emu, tmp_path, test_binary, "update", hook=look,
                       steps=[("02-change", change, {"plan": {TYPE + ".main": "update"}})])
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    attrs, g, aws = sink.hooked["destroy"]
    ids = {u["user_id"] for u in attrs["users"].values()}
    assert ids == {f"{GROUP}-ops", f"{GROUP}-orders-svc", f"{GROUP}-batch", f"{GROUP}-analytics"}
    assert set(g["UserIds"]) == ids | {GROUP + "-default"} and g["Status"] == "active"
    assert f"{GROUP}-reporting" not in aws and "analytics" not in aws
    assert aws[f"{GROUP}-batch"]["AccessString"] == "on ~jobs:* -@all +get +set"
    assert aws[f"{GROUP}-orders-svc"]["AccessString"] == attrs["users"]["orders-svc"]["effective_access_string"]
    assert "carts" not in aws[f"{GROUP}-orders-svc"]["AccessString"]
    assert attrs["users"]["analytics"]["secret_arn"] and attrs["users"]["analytics"]["iam_policy_json"] is None
    logs = "\n".join(result.provider_stderr)
    for pw in [p for ps in passwords.values() for p in ps]:
        assert pw not in "".join(sink.snapshots) and pw not in result.transcript and pw not in logs
    assert new_leftovers(emu, before) == []


def test_apply_restores_drift(emu, tmp_path, test_binary):
    """Out-of-band drift before step 02 (same configuration): the plan shows
    an update and the apply restores the access string, the membership and
    the locked default user."""
    def drift(attrs):
        ec = botocore_client(emu, "elasticache")
        ec.modify_user(UserId=f"{GROUP}-reporting", AccessString="on ~* +@all")
        wait_active(ec, GROUP)
        ec.modify_user_group(UserGroupId=GROUP, UserIdsToRemove=[f"{GROUP}-ops"])
        wait_active(ec, GROUP)
        ec.modify_user(UserId=GROUP + "-default", AccessString="on ~* +@all")
        wait_active(ec, GROUP)
        import time
        time.sleep(0.7)
        return attrs

    def look(attrs):
        ec = botocore_client(emu, "elasticache")
        g = ec.describe_user_groups(UserGroupId=GROUP)["UserGroups"][0]
        aws = {u["UserId"]: u for u in ec.describe_users()["Users"]}
        return attrs, g, aws
    scen = materialise(emu, tmp_path / "restore")
    add_step(scen, "02-restore", None, {"plan": {TYPE + ".main": "update"}})
    state = tmp_path / "restore.tfstate"
    sink = StateWatcher(state, TYPE, {"02-restore": drift, "destroy": look})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert "02-restore" in sink.hooked and "destroy" in sink.hooked
    attrs, g, aws = sink.hooked["destroy"]
    assert attrs["default_user_id"] == GROUP + "-default"
    assert f"{GROUP}-ops" in g["UserIds"] and GROUP + "-default" in g["UserIds"]
    assert aws[GROUP + "-default"]["AccessString"] == "off -@all"
    assert aws[f"{GROUP}-reporting"]["AccessString"] == attrs["users"]["reporting"]["effective_access_string"]
    assert "Default user changed outside Terraform" in result.transcript


def test_password_rotation_then_retirement(emu, tmp_path, test_binary):
    """Step 02 raises orders-svc's password_version: both the old and a new
    password work and the secret holds the new one.  Step 03 retires the
    old one.  The other users keep their single password."""
    uid = f"{GROUP}-orders-svc"
    ec = emu.service("elasticache")

    def secret_of(attrs, name):
        sm = botocore_client(emu, "secretsmanager")
        return json.loads(sm.get_secret_value(SecretId=attrs["users"][name]["secret_arn"])["SecretString"])

    def bump(body):
        body["users"]["orders-svc"]["password_version"] = 2

    def retire(body):
        bump(body)
        body["retire_previous_passwords"] = True
    scen = materialise(emu, tmp_path / "rotate")
    add_step(scen, "02-rotate", bump, {"plan": {TYPE + ".main": "update"}})
    add_step(scen, "03-retire", retire, {"plan": {TYPE + ".main": "update"}})
    state = tmp_path / "rotate.tfstate"

    def look(attrs):
        return attrs, ec.valid_passwords(uid), secret_of(attrs, "orders-svc"), ec.valid_passwords(f"{GROUP}-ops")
    sink = StateWatcher(state, TYPE, {"02-rotate": look, "03-retire": look, "destroy": look})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    a1, pw1, sec1, ops1 = sink.hooked["02-rotate"]
    a2, pw2, sec2, ops2 = sink.hooked["03-retire"]
    a3, pw3, sec3, ops3 = sink.hooked["destroy"]
    assert a1["users"]["orders-svc"]["password_rotation_phase"] == "created" and pw1 == [sec1["password"]]
    assert a2["users"]["orders-svc"]["password_rotation_phase"] == "rotated"
    assert len(pw2) == 2 and pw2[0] == pw1[0] and pw2[1] == sec2["password"] != pw1[0]
    assert len(sec2["password"]) == 32 and set(sec2["password"]) <= PASSWORD_CHARS
    assert a3["users"]["orders-svc"]["password_rotation_phase"] == "retired"
    assert pw3 == [sec2["password"]] == [sec3["password"]]
    assert ops1 == ops2 == ops3 and len(ops1) == 1
    logs = "\n".join(result.provider_stderr)
    for pw in (pw1[0], pw2[1]):
        assert pw not in "".join(sink.snapshots) and pw not in result.transcript and pw not in logs


def test_recreate_within_the_secret_recovery_window(emu, tmp_path, test_binary):
    """Destroy schedules the secrets for deletion (7 days); creating the
    same group again restores them with new passwords instead of failing on
    the taken names."""
    def seven(body):
        body["secret_recovery_window_days"] = 7
    for i in range(2):
        result, _ = run(emu, tmp_path, test_binary, f"again{i}", edit=seven)
        assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    secrets = control(emu, "/_emulator/resources")["secretsmanager"]
    assert sorted(s["state"] for s in secrets) == ["scheduled-deletion"] * 3


def test_tags_and_key_change_in_place(emu, tmp_path, test_binary):
    """Step 02 changes the tags: the group, users, secrets and key carry the
    new set.  Step 03 brings a key of the user's own: the secrets are
    re-encrypted with it and the key the resource made is scheduled for
    deletion."""
    kms = botocore_client(emu, "kms")
    own_key = kms.create_key(Description="own")["KeyMetadata"]["Arn"]

    def retag(body):
        body["tags"] = {"team": "data", "cost-center": "42"}

    def rekey(body):
        retag(body)
        body["kms_key_arn"] = own_key

    def look(attrs):
        ec = botocore_client(emu, "elasticache")
        sm = botocore_client(emu, "secretsmanager")
        out = {"group": ec.list_tags_for_resource(ResourceName=attrs["arn"])["TagList"],
               "user": ec.list_tags_for_resource(ResourceName=attrs["users"]["ops"]["arn"])["TagList"],
               "secret": sm.describe_secret(SecretId=attrs["users"]["ops"]["secret_arn"]),
               "key": kms.describe_key(KeyId=attrs["kms_key_arn"])["KeyMetadata"]}
        out["key_tags"] = kms.list_resource_tags(KeyId=attrs["kms_key_arn"])["Tags"]
        return attrs, out
    scen = materialise(emu, tmp_path / "retag")
    add_step(scen, "02-retag", retag, {"plan": {TYPE + ".main": "update"}})
    add_step(scen, "03-rekey", rekey, {"plan": {TYPE + ".main": "update"}})
    state = tmp_path / "retag.tfstate"
    sink = StateWatcher(state, TYPE, {"03-rekey": look, "destroy": look})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    a2, t2 = sink.hooked["03-rekey"]
    want = {"owner": "acceptance", "team": "data", "cost-center": "42", "secure:redis-rbac-users": GROUP}
    assert a2["tags_all"] == want
    for k in ("group", "user"):
        assert {t["Key"]: t["Value"] for t in t2[k]} == want, k
    assert {t["Key"]: t["Value"] for t in t2["secret"]["Tags"]} == want
    assert {t["TagKey"]: t["TagValue"] for t in t2["key_tags"]} == want
    made_key = a2["kms_key_arn"]
    a3, t3 = sink.hooked["destroy"]
    assert a3["kms_key_arn"] == own_key and t3["secret"]["KmsKeyId"] == own_key
    assert kms.describe_key(KeyId=made_key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    # destroy leaves the user's own key alone
    assert kms.describe_key(KeyId=own_key)["KeyMetadata"]["KeyState"] == "Enabled"


def test_attached_to_a_secure_redis_cluster(emu, tmp_path, test_binary):
    """The users and a secure_redis_cluster in one configuration, the
    cluster authenticating with the group (user_group_id): create, no-change
    plan, destroy (the cluster goes first, detaching the group)."""
    ec2 = botocore_client(emu, "ec2")
    by_az = {}
    for sn in ec2.describe_subnets()["Subnets"]:
        by_az.setdefault(sn["AvailabilityZone"], sn)
    a, b = [sn["SubnetId"] for sn in list(by_az.values())[:2]]
    sg = ec2.create_security_group(GroupName="app", Description="application",
                                   VpcId=list(by_az.values())[0]["VpcId"])["GroupId"]
    before = baseline(emu)
    scen = materialise(emu, tmp_path / "attached-cluster")
    f = scen / "01-create" / "main.tf.json"
    doc = json.loads(f.read_text())
    doc["resource"]["secure_redis_cluster"] = {"main": {
        "name": "acc-rbac-cache", "node_type": "cache.t4g.small", "engine_version": "7.1",
        "subnet_ids": [a, b], "allowed_security_group_ids": [sg],
        "user_group_id": "${secure_redis_rbac_users.main.user_group_id}",
        "kms_deletion_window_days": 7, "secret_recovery_window_days": 0,
        "timeouts": {"create": "10m", "delete": "10m"}}}
    f.write_text(json.dumps(doc, indent=1))
    (scen / "01-create" / "expect.json").write_text(json.dumps(
        {"plan": {TYPE + ".main": "create", "secure_redis_cluster.main": "create"}, "after_no_change_plan": True}))
    state = tmp_path / "attached-cluster.tfstate"
    seen = {}

    def look(attrs):
        ec = botocore_client(emu, "elasticache")
        seen["rg"] = ec.describe_replication_groups(ReplicationGroupId="acc-rbac-cache")["ReplicationGroups"][0]
        seen["ug"] = ec.describe_user_groups(UserGroupId=GROUP)["UserGroups"][0]
        return attrs
    sink = StateWatcher(state, TYPE, {"destroy": look})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    assert seen["rg"]["UserGroupIds"] == [GROUP]
    assert seen["ug"]["ReplicationGroups"] == ["acc-rbac-cache"]
    left = new_leftovers(emu, before)
    assert left == [], left


@pytest.mark.parametrize("service,operation,nth", [
    ("kms", "CreateKey", 1), ("kms", "EnableKeyRotation", 1), ("kms", "CreateAlias", 1),
    ("secretsmanager", "CreateSecret", 1), ("secretsmanager", "CreateSecret", 3),
    ("elasticache", "CreateUser", 1), ("elasticache", "CreateUser", 5),
])
def test_failure_at_each_create_step_is_cleaned_by_destroy(emu, tmp_path, test_binary, service, operation, nth):
    """CreateUser 5 is the locked default user (after the four users)."""
    before = baseline(emu)
    control(emu, "/_emulator/faults", {"service": service, "operation": operation, "action": "error",
                                       "code": "InjectedFault", "message": "Injected fault", "status": 400,
                                       "nth": nth})
    result, sink = run(emu, tmp_path, test_binary, f"fault-{operation}-{nth}",
                       expect={"plan": {TYPE + ".main": "create"}, "apply_error": "Injected fault",
                               "after_no_change_plan": False})
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    states = sink.states()
    at = [a for st in states for a in resource_attrs(st)][-1]
    assert at["arn"] is None and at["user_group_id"] is None
    made = control(emu, "/_emulator/counts")
    assert made.get(f"{service}:{operation}", 0) >= nth
    assert new_leftovers(emu, before) == []


def test_refresh_makes_two_plus_n_calls(emu, tmp_path, test_binary):
    def count(attrs):
        c0 = control(emu, "/_emulator/counts")
        new, _ = read_state(test_binary, emu, attrs)
        c1 = control(emu, "/_emulator/counts")
        calls = {k: c1[k] - c0.get(k, 0) for k in c1 if c1[k] != c0.get(k, 0) and not k.startswith("sts:")}
        return new, calls
    result, sink = run(emu, tmp_path, test_binary, "bench", hook=count)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    new, calls = sink.hooked["destroy"]
    assert new is not None
    assert sum(calls.values()) == 2 + len(new["users"]), calls


def test_failed_update_keeps_the_new_user_for_destroy(emu, tmp_path, test_binary):
    """ModifyUserGroup fails while step 02 adds a user: the apply fails, the
    state keeps the user that was created (with its secret), and destroy
    removes everything."""
    before = baseline(emu)

    def add(body):
        body["users"]["batch"] = {"role": "custom", "access_string": "on ~jobs:* -@all +get"}
    scen = materialise(emu, tmp_path / "update-fault")
    add_step(scen, "02-add", add, {"plan": {TYPE + ".main": "update"}, "apply_error": "Injected fault",
                                   "after_no_change_plan": False})
    state = tmp_path / "update-fault.tfstate"

    def arm(attrs):
        return control(emu, "/_emulator/faults", {
            "service": "elasticache", "operation": "ModifyUserGroup", "action": "error",
            "code": "InjectedFault", "message": "Injected fault", "status": 400})

    def disarm(attrs):
        control(emu, "/_emulator/faults", method="DELETE")
        return attrs
    sink = StateWatcher(state, TYPE, {"02-add": arm, "destroy": disarm})
    result = run_scenario(str(scen), test_binary, env=env(), keep_state=str(state), out=sink)
    assert result.ok, "\n".join(result.violations) + "\n\n" + result.transcript
    at = sink.hooked["destroy"]
    assert at["users"]["batch"]["arn"] and at["users"]["batch"]["secret_arn"]
    assert new_leftovers(emu, before) == []
