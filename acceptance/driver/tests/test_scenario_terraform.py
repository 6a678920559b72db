"""End-to-end checks of the driver as a real plugin client, and against a real terraform.

* The CLI (``python3 -m acceptance.driver run``) drives the fake provider started as a
  go-plugin process (mTLS handshake via plugin.py), and exits 0 / 1.
* When a ``terraform`` binary is installed, the same scenario directories are run with it
  (dev_overrides CLI config, ``terraform apply -state=<shared>`` per step): terraform must
  accept the *.tf.json files, plan the same actions as the driver, report the same
  provider-bug diagnostics with the same wording, and its state file must be usable by the
  driver.  This checks the driver (and cty.py's msgpack, which the fake speaks) against
  Terraform itself.  Skipped, with the reason, when terraform is absent.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from acceptance.driver import cty
from acceptance.driver import scenario as sc
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the fake, whatever the import mode
from test_scenario import BASIC, ONE, PROVIDER_BLOCK, write_scenario  # noqa: E402
from test_scenario_fakeprovider import RES_BLOCK, RES_TY, Cloud, factory, write_launcher  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TERRAFORM = shutil.which("terraform") or ("/usr/local/bin/terraform" if os.access("/usr/local/bin/terraform", os.X_OK) else None)
needs_terraform = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH or in /usr/local/bin")


@pytest.fixture
def plugin_env(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    launcher = write_launcher(str(bindir))
    sockdir = tmp_path / "sock"
    sockdir.mkdir()
    rc = tmp_path / "terraformrc"
    rc.write_text('provider_installation {\n  dev_overrides {\n    "example/fake" = "%s"\n  }\n  direct {}\n}\n' % bindir)
    env = dict(os.environ)
    env.update({"TF_CLI_CONFIG_FILE": str(rc), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
                "FAKE_CLOUD_FILE": str(tmp_path / "cloud.json"), "TF_DATA_DIR": str(tmp_path / "tfdata"),
                "FAKE_SOCKET_DIR": str(sockdir)})
    env.pop("FAKE_BUGS", None)
    return launcher, env


def _cli(args, env):
    return subprocess.run([sys.executable, "-m", "acceptance.driver", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_end_to_end_with_plugin_process(tmp_path, plugin_env):
    launcher, env = plugin_env
    path = write_scenario(tmp_path / "scn", BASIC)
    state = str(tmp_path / "kept.tfstate")
    r = _cli(["run", path, "--provider", launcher, "--env", "FAKE_CLOUD_FILE=" + env["FAKE_CLOUD_FILE"],
              "--keep-state", state], env)
    assert os.listdir(env["FAKE_SOCKET_DIR"]) == []  # every plugin process was shut down cleanly
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS" in r.stdout and "Plan: 2 to add, 0 to change, 0 to destroy." in r.stdout
    assert json.load(open(state))["resources"] == []
    cloud = Cloud(path=env["FAKE_CLOUD_FILE"])
    assert cloud.objects == {}


def test_cli_reports_violation_and_exits_1(tmp_path, plugin_env):
    launcher, env = plugin_env
    path = write_scenario(tmp_path / "scn", ONE)
    r = _cli(["run", path, "--provider", launcher, "--env", "FAKE_CLOUD_FILE=" + env["FAKE_CLOUD_FILE"],
              "--env", "FAKE_BUGS=apply_changes_known"], env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Error: Provider produced inconsistent result after apply" in r.stdout
    assert "FAIL" in r.stdout


# ------------------------------------------------------------------ terraform

def _tf(env, cwd, *args):
    return subprocess.run([TERRAFORM, *args, "-input=false", "-no-color"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _norm(text):
    return re.sub(r"\s+", " ", re.sub(r"[│╷╵]", " ", text)).strip()


def _plan_lines(text):
    return [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("Plan:", "No changes."))]


@needs_terraform
def test_terraform_runs_the_same_scenario_with_the_same_plans(tmp_path, plugin_env):
    launcher, env = plugin_env
    path = write_scenario(tmp_path / "scn", BASIC)
    tf = sc.run_with_terraform(path, launcher, env={"FAKE_CLOUD_FILE": env["FAKE_CLOUD_FILE"],
                                                    "FAKE_SOCKET_DIR": env["FAKE_SOCKET_DIR"]},
                               terraform=TERRAFORM, workdir=str(tmp_path / "tfwork"))
    assert tf.ok, "\n".join(s.output for s in tf.steps) + tf.destroy_output
    assert all(s.second_plan_rc == 0 for s in tf.steps)
    assert Cloud(path=env["FAKE_CLOUD_FILE"]).objects == {}

    res = sc.run_scenario(path, provider_factory=factory(Cloud()))
    assert res.ok, res.violations
    driver_plans = sc.plan_lines(res)
    assert driver_plans.pop("destroy") == "Plan: 0 to add, 0 to change, 1 to destroy."
    assert driver_plans == {s.name: s.plan for s in tf.steps}


def test_cli_terraform_subcommand(tmp_path, plugin_env):
    launcher, env = plugin_env
    path = write_scenario(tmp_path / "scn", [BASIC[0]])
    if TERRAFORM is None:
        pytest.skip("no terraform binary on PATH or in /usr/local/bin")
    r = _cli(["terraform", path, "--provider", launcher, "--terraform", TERRAFORM,
              "--env", "FAKE_CLOUD_FILE=" + env["FAKE_CLOUD_FILE"]], env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "=== step 01-create: exit 0, Plan: 2 to add, 0 to change, 0 to destroy., second plan exit 0" in r.stdout


@needs_terraform
@pytest.mark.parametrize("bug", [
    "plan_changes_config", "plan_write_only", "plan_other_write_only", "apply_changes_known",
    "apply_breaks_refinement", "apply_returns_secret", "final_plan_differs", "apply_leaves_unknown",
])
def test_terraform_reports_the_same_provider_bugs(tmp_path, plugin_env, bug):
    _, env = plugin_env
    path = write_scenario(tmp_path / "scn", ONE)
    env["FAKE_BUGS"] = bug
    r = _tf(env, os.path.join(path, "01"), "apply", "-auto-approve", "-state=" + str(tmp_path / "tf.tfstate"))
    assert r.returncode != 0
    tf_out = _norm(r.stdout + r.stderr)

    res = sc.run_scenario(path, provider_factory=factory(Cloud([bug])))
    assert not res.ok
    first = [d for s in res.steps for d in s.errors][0]
    assert "Error: " + first.summary in tf_out
    assert _norm(first.detail) in tf_out, "driver said:\n%s\nterraform said:\n%s" % (first.detail, tf_out)


@needs_terraform
def test_driver_continues_from_terraform_state(tmp_path, plugin_env):
    _, env = plugin_env
    path = write_scenario(tmp_path / "scn", BASIC[:2])
    state = str(tmp_path / "tf.tfstate")
    r = _tf(env, os.path.join(path, "01-create"), "apply", "-auto-approve", "-state=" + state)
    assert r.returncode == 0, r.stdout + r.stderr
    cloud = Cloud(path=env["FAKE_CLOUD_FILE"])
    st = sc.State(state, "registry.terraform.io/example/fake")
    assert sorted(st.objects) == ["fake_thing.a", "fake_thing.b"]
    for addr, o in st.objects.items():
        assert o.schema_version == 1
        v = cty.json_unmarshal(o.raw.encode(), RES_TY)
        assert v.raw_equals(cloud.objects[v.get_attr("id").v])
    assert st.objects["fake_thing.b"].deps == ["fake_thing.a"]
    # the driver picks up terraform's state (raw JSON to UpgradeResourceState, private bytes)
    runner = sc.Runner(lambda: factory(cloud)())
    runner.last_provider_body = PROVIDER_BLOCK["fake"]
    sr = runner.run_step(os.path.join(path, "02-update"), st, {"plan": {"fake_thing.a": "update", "fake_thing.b": "no-op"}})
    assert sr.ok, runner.result.transcript
    cloud.save()
    # and terraform agrees afterwards: nothing to do on the driver-written state
    r2 = _tf(env, os.path.join(path, "02-update"), "plan", "-detailed-exitcode", "-state=" + state)
    assert r2.returncode == 0, r2.stdout + r2.stderr
    r3 = _tf(env, os.path.join(path, "02-update"), "destroy", "-auto-approve", "-state=" + state)
    assert r3.returncode == 0, r3.stdout + r3.stderr
    assert Cloud(path=env["FAKE_CLOUD_FILE"]).objects == {}
    assert RES_BLOCK.attributes["secret"].write_only


@needs_terraform
@pytest.mark.parametrize("resources", [
    {"a": {"name": "x", "size": -1}},                                   # provider validation error
    {"a": {"name": "x", "bogus": 1}},                                   # unknown argument
    {"a": {"name": "x", "rule": [{"port": 1, "cidr": "a"}] * 3}},       # max_items
    {"a": {"size": 1}},                                                 # missing required argument
    {"a": {"name": "x", "members": [{"role": "admin"}]}},               # nested attribute missing required
    {"a": {"name": "x", "members": {"user": "u"}}},                     # object where a list is needed
    {"a": {"name": "x", "size": "abc"}},                                # not a number
    {"a": {"name": "x", "tags": ["a"]}},                                # list where a map is needed
], ids=["provider-validation", "extraneous-property", "too-many-blocks", "missing-required",
        "nested-missing-required", "nested-wrong-kind", "not-a-number", "not-a-map"])
def test_terraform_reports_the_same_config_errors(tmp_path, plugin_env, resources):
    _, env = plugin_env
    path = write_scenario(tmp_path / "scn", [("01", resources, None, None)])
    r = _tf(env, os.path.join(path, "01"), "apply", "-auto-approve", "-state=" + str(tmp_path / "tf.tfstate"))
    assert r.returncode != 0
    tf_out = _norm(r.stdout + r.stderr)
    res = sc.run_scenario(path, provider_factory=factory(Cloud()))
    assert not res.ok
    first = [d for s in res.steps for d in s.errors][0]
    assert "Error: " + first.summary in tf_out, tf_out
    assert _norm(first.detail) in tf_out, "driver said:\n%s\nterraform said:\n%s" % (first.detail, tf_out)


@needs_terraform
@pytest.mark.parametrize("bug,commands", [
    ("read_secret", [["apply"], ["apply"]]),                 # caught when refreshing
    ("delete_returns_object", [["apply"], ["destroy"]]),     # caught when destroying
])
def test_terraform_reports_the_same_refresh_and_destroy_bugs(tmp_path, plugin_env, bug, commands):
    _, env = plugin_env
    path = write_scenario(tmp_path / "scn", ONE)
    env["FAKE_BUGS"] = bug
    out = ""
    for cmd in commands:
        r = _tf(env, os.path.join(path, "01"), *cmd, "-auto-approve", "-state=" + str(tmp_path / "tf.tfstate"))
        out = r.stdout + r.stderr
    assert r.returncode != 0, out
    tf_out = _norm(out)
    res = sc.run_scenario(path, provider_factory=factory(Cloud([bug])))
    assert not res.ok
    first = [d for s in res.steps for d in s.errors][0]
    assert "Error: " + first.summary in tf_out
    assert _norm(first.detail) in tf_out, "driver said:\n%s\nterraform said:\n%s" % (first.detail, tf_out)


@needs_terraform
def test_terraform_import_block_plans_like_the_driver(tmp_path, plugin_env):
    _, env = plugin_env
    seed = Cloud(path=env["FAKE_CLOUD_FILE"])
    seed.objects["t-77"] = cty.ObjectVal({**RES_BLOCK.empty_value().v, "id": cty.StringVal("t-77"),
                                          "arn": cty.StringVal("arn:fake:t-77"), "name": cty.StringVal("imp"),
                                          "mode": cty.StringVal("standard"),
                                          "endpoint": cty.ObjectVal({"host": cty.StringVal("h"), "port": cty.NumberVal(1)})})
    seed.next_id = 100
    seed.save()
    steps = [("01-import", {"x": {"name": "imp"}}, {"plan": {"fake_thing.x": "import"}},
              {"import": [{"to": "fake_thing.x", "id": "t-77"}]})]
    path = write_scenario(tmp_path / "scn", steps)
    r = _tf(env, os.path.join(path, "01-import"), "apply", "-auto-approve", "-state=" + str(tmp_path / "tf.tfstate"))
    assert r.returncode == 0, r.stdout + r.stderr
    tf_plan = _plan_lines(r.stdout)[0]
    mem = Cloud()
    mem.objects = dict(Cloud(path=env["FAKE_CLOUD_FILE"]).objects)
    mem.next_id = 100
    res = sc.run_scenario(path, provider_factory=factory(mem))
    assert res.ok, res.violations
    assert tf_plan in _plan_lines(res.transcript)
