"""`make bench`: the provider's performance figures (printed, never asserted).

- process start to handshake line (ms, median of 21 starts, AutoMTLS on),
  with the provider's RSS right after the handshake (idle, before any RPC),
- process start to exit for `-version` (ms, median of 21): the cost of
  loading the binary, which every start pays,
- instructions from exec to the handshake line and exit (valgrind's
  callgrind, when installed): the same work counted, whatever else the
  machine is doing (the timings move by 10-20 % on a busy VM),
- GetProviderSchema (ms, median of 50 calls),
- PlanResourceChange at 10-way concurrency: client-observed time per call and
  the provider's own CPU time per call (µs), over a fixture resource,
- the provider's peak RSS (MB, VmHWM) after all of the above, and the largest
  peak RSS of the provider processes of the README's main job.

Run by the Makefile with PROVIDER_BIN (release build) and PROVIDER_TEST_BIN
(release build with the test fixture).
"""

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from acceptance import harness
from acceptance.driver import certs, cty, objchange, plugin

FIXTURE = "secure_test_fixture"


def handshake_ms(binary, runs=21):
    """Median start-to-handshake time (ms) and median RSS at that point (MB)."""
    cert = certs.generate_client_cert()
    env = plugin.plugin_environment(client_cert_pem=cert.cert_pem)
    env.pop("TF_LOG", None)
    times, rss = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen([binary], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env)
        line = p.stdout.readline()
        times.append((time.perf_counter() - t0) * 1000.0)
        rss.append(peak_rss_mb(p.pid))
        p.terminate()
        p.wait(timeout=10)
        if not line.startswith(b"1|6|"):
            raise SystemExit(f"bad handshake line: {line!r}")
    return statistics.median(times), statistics.median(rss)


def version_ms(binary, runs=21):
    """Median time (ms) of `binary -version`: exec, loading (relocation) and
    library constructors, nothing of the provider's own start-up."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([binary, "-version"], stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def handshake_instructions(binary):
    """Instructions (millions) the provider executes from exec to its exit
    after the handshake line (SIGTERM as soon as the line is read; the
    graceful stop is about 1 % of it), counted by callgrind.  None without
    valgrind."""
    if shutil.which("valgrind") is None:
        return None
    cert = certs.generate_client_cert()
    env = plugin.plugin_environment(client_cert_pem=cert.cert_pem)
    env.pop("TF_LOG", None)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        p = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        line = p.stdout.readline()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        if not line.startswith(b"1|6|"):
            raise SystemExit(f"bad handshake line under valgrind: {line!r}")
        with open(out) as f:
            for text in f:
                if text.startswith("totals:"):
                    return int(text.split()[1]) / 1e6
    return None


# Runs the provider as its child and notes the child's VmHWM, read every
# 5 ms until it exits (the high-water mark only grows, so the last read
# holds every peak before it).  Not getrusage(RUSAGE_CHILDREN): Linux
# counts the launcher's own memory image before exec in ru_maxrss.
RSS_WRAPPER = """#!{python}
import subprocess, sys, threading, time
p = subprocess.Popen([{binary!r}] + sys.argv[1:])
hwm = [0]
def watch():
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm[0] = max(hwm[0], int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
t = threading.Thread(target=watch)
t.start()
rc = p.wait()
t.join()
with open({out!r}, "a") as f:
    f.write("%d\\n" % hwm[0])
sys.exit(rc)
"""


def main_job_peak_rss_mb(binary):
    """The largest peak RSS (MB) of the provider processes of the README's
    main job (each terraform command starts one; they make the real AWS
    calls through libcurl), each watched by RSS_WRAPPER."""
    from acceptance import main as main_job

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "maxrss")
        wrapper = harness.write_executable(
            os.path.join(tmp, "provider"),
            RSS_WRAPPER.format(python=sys.executable, binary=os.path.abspath(binary), out=out))
        main_job.run_quietly(wrapper, "peak RSS")
        with open(out) as f:
            peaks = [int(line) for line in f if line.strip()]
    return max(peaks) / 1024.0, len(peaks)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def sample_value(attr):
    t = attr.implied_type()
    if t == cty.STRING:
        return cty.StringVal("bench")
    if t == cty.NUMBER:
        return cty.NumberVal(1)
    if t == cty.BOOL:
        return cty.BoolVal(True)
    return cty.NullVal(t)


def plan_figures(binary, calls=2000, parallel=10):
    with plugin.start_provider(binary) as p:
        pb = p.pb
        t_schema = []
        for _ in range(50):
            t0 = time.perf_counter()
            resp = p.stub.GetProviderSchema(pb.GetProviderSchema.Request())
            t_schema.append((time.perf_counter() - t0) * 1000.0)
        if FIXTURE not in resp.resource_schemas:
            raise SystemExit(f"{binary} has no {FIXTURE}: build it with fixtures")
        schema = objchange.block_from_proto(resp.resource_schemas[FIXTURE].block)
        ty = schema.implied_type()
        pty = objchange.block_from_proto(resp.provider.block).implied_type()
        vals = {}
        for name, attr in schema.attributes.items():
            vals[name] = sample_value(attr) if attr.required else cty.NullVal(attr.implied_type())
        for name, nb in schema.block_types.items():
            vals[name] = objchange.empty_block_value(nb)
        config = cty.ObjectVal(vals)
        prior = cty.NullVal(ty)
        proposed = objchange.proposed_new(schema, prior, config)
        pconf = {n: cty.NullVal(t) for n, t in pty.attrs.items()}
        pconf["region"] = cty.StringVal("us-east-1")
        pconf["skip_credentials_validation"] = cty.BoolVal(True)
        r = p.stub.ConfigureProvider(pb.ConfigureProvider.Request(
            terraform_version="1.15.0",
            config=pb.DynamicValue(msgpack=cty.msgpack_marshal(cty.ObjectVal(pconf), pty))))
        if any(d.severity == 1 for d in r.diagnostics):
            raise SystemExit(f"ConfigureProvider failed: {r.diagnostics}")
        req = pb.PlanResourceChange.Request(
            type_name=FIXTURE,
            prior_state=pb.DynamicValue(msgpack=cty.msgpack_marshal(prior, ty)),
            proposed_new_state=pb.DynamicValue(msgpack=cty.msgpack_marshal(proposed, ty)),
            config=pb.DynamicValue(msgpack=cty.msgpack_marshal(config, ty)))
        first = p.stub.PlanResourceChange(req)
        if any(d.severity == 1 for d in first.diagnostics):
            raise SystemExit(f"PlanResourceChange failed: {first.diagnostics}")
        pid = p.process.pid
        cpu0 = cpu_seconds(pid)
        lock = threading.Lock()
        done = [0]

        def worker(n):
            for _ in range(n):
                p.stub.PlanResourceChange(req)
            with lock:
                done[0] += n

        t0 = time.perf_counter()
        with ThreadPoolExecutor(parallel) as ex:
            list(ex.map(worker, [calls // parallel] * parallel))
        wall = time.perf_counter() - t0
        cpu = cpu_seconds(pid) - cpu0
        rss = peak_rss_mb(pid)
        return (statistics.median(t_schema), wall / done[0] * 1e6,
                cpu / done[0] * 1e6, done[0], rss)


class CallCounter:
    """A transcript sink that notes the emulator's request count at every
    line the driver prints, so the AWS calls between two lines (an apply, a
    refresh, a destroy of one resource) can be told apart."""

    def __init__(self, emu):
        self.emu = emu
        self.marks = []  # (line, total calls so far)

    def total(self):
        """Calls so far, not counting the STS GetCallerIdentity every
        provider process makes when it is configured."""
        counts = harness.control(self.emu, "/_emulator/counts")
        return sum(counts.values()) - counts.get("sts:GetCallerIdentity", 0)

    def write(self, s):
        for line in s.splitlines():
            if line.strip():
                self.marks.append((line.strip(), self.total()))
        return len(s)

    def flush(self):
        pass

    def between(self, start, end_prefix):
        """Calls from the line `start` to the next line starting with end_prefix."""
        for i, (line, n) in enumerate(self.marks):
            if line == start:
                for line2, n2 in self.marks[i + 1:]:
                    if line2.startswith(end_prefix):
                        return n2 - n
        return None

    def refreshes(self, start):
        """{address: calls} of each "Refreshing state..." line after the
        line `start` (the driver prints it once the read is done), up to
        the next plan result."""
        out, prev = {}, None
        for line, n in self.marks:
            if prev is None:
                if line == start:
                    prev = n
                continue
            if ": Refreshing state..." in line:
                out[line.split(":")[0]] = n - prev
                prev = n
            elif line.startswith("No changes.") or line.startswith("Plan:"):
                break
        return out


def add_update_step(scen):
    """A second step of the main example: the cluster scales to the next
    node size at once and gets one more tag (one in-place update)."""
    import json
    import shutil

    first = os.path.join(scen, "01-apply")
    step = os.path.join(scen, "02-scale")
    shutil.copytree(first, step)
    path = os.path.join(step, "main.tf.json")
    with open(path) as f:
        doc = json.load(f)
    cluster = doc["resource"]["secure_redis_cluster"]["orders"]
    cluster["node_type"] = "cache.t4g.medium"
    cluster["apply_immediately"] = True
    cluster["tags"] = dict(cluster.get("tags", {}), tier="gold")
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    with open(os.path.join(step, "expect.json"), "w") as f:
        json.dump({"plan": {"secure_redis_cluster.orders": "update"}, "after_no_change_plan": True}, f)


def aws_call_figures(test_binary):
    """AWS calls per operation of the README's main example (a cluster with
    an RBAC group of 4 users), from the emulator's own counts."""
    import shutil
    import tempfile

    from acceptance import main as main_job
    from acceptance.driver.scenario import run_scenario
    from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator

    emu = Emulator(access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY, region="us-east-1",
                   settings={"create_delay_s": 0.2, "modify_delay_s": 0.2, "delete_delay_s": 0.2})
    emu.start()
    work = tempfile.mkdtemp(prefix="bench-calls-")
    try:
        subs = main_job.network(emu, "us-east-1")
        scen = os.path.join(work, "s")
        main_job.materialise(scen, emu, subs)
        add_update_step(scen)
        sink = CallCounter(emu)
        env = {"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
               "AWS_EC2_METADATA_DISABLED": "true"}
        result = run_scenario(scen, provider_binary=test_binary, env=env, out=sink)
        if not result.ok:
            print("aws calls: the scenario failed:\n" + "\n".join(result.violations))
            return
        for addr, what in (("secure_redis_cluster.orders", "cluster"),
                           ("secure_redis_rbac_users.app", "RBAC group with 4 users")):
            create = sink.between(f"{addr}: Creating...", f"{addr}: Creation complete")
            destroy = sink.between(f"{addr}: Destroying...", f"{addr}: Destruction complete")
            print(f"aws calls: {what}: create {create}, destroy {destroy} (including polling while AWS works)")
        refresh = sink.between("--- second plan (must be empty)", "No changes.")
        each = sink.refreshes("--- second plan (must be empty)")
        print(f"aws calls: a no-change plan of both (refresh of the cluster and of the group with 4 users, "
              f"then PlanResourceChange, which makes none): {refresh}")
        print(f"aws calls: refresh of the cluster {each.get('secure_redis_cluster.orders')} (target <= 12), "
              f"of the group with 4 users {each.get('secure_redis_rbac_users.app')} (2 + n = 6)")
        update = sink.between("secure_redis_cluster.orders: Modifying...",
                              "secure_redis_cluster.orders: Modifications complete")
        print(f"aws calls: cluster update (node type scaled at once and one tag added, on every "
              f"sub-resource): {update} (including polling while AWS works)")
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


def no_change_plan_of_many(test_binary, n=50, parallel=10):
    """Issue 4's figure: a no-change plan of n clusters (refresh, then
    PlanResourceChange), 10 at a time, as Terraform runs it; reports the
    provider's own CPU time, which excludes waiting for AWS (the emulator)."""
    import json
    import shutil
    import tempfile

    from acceptance import main as main_job
    from acceptance.driver import config as cfgmod
    from acceptance.emulator.server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator

    emu = Emulator(access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY, region="us-east-1",
                   settings={"create_delay_s": 0.05, "modify_delay_s": 0.05, "delete_delay_s": 0.05})
    emu.start()
    work = tempfile.mkdtemp(prefix="bench-many-")
    env = {"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
           "AWS_EC2_METADATA_DISABLED": "true", "TF_LOG": None}
    try:
        subs = main_job.network(emu, "us-east-1")
        with plugin.start_provider(test_binary, env=env) as p:
            pb = p.pb
            schema = p.stub.GetProviderSchema(pb.GetProviderSchema.Request())
            pblock = objchange.block_from_proto(schema.provider.block)
            pty = pblock.implied_type()
            pvals = {k: cty.NullVal(a.implied_type()) for k, a in pblock.attributes.items()}
            for k, nb in pblock.block_types.items():
                pvals[k] = objchange.empty_block_value(nb)
            pvals["region"] = cty.StringVal("us-east-1")
            ety = pty.attribute_type("endpoints")
            ev = {k: cty.NullVal(t) for k, t in ety.attrs.items()}
            ev.update({k: cty.StringVal(emu.endpoint) for k in harness.SERVICES})
            pvals["endpoints"] = cty.ObjectVal(ev)
            r = p.stub.ConfigureProvider(pb.ConfigureProvider.Request(
                terraform_version="1.15.0",
                config=pb.DynamicValue(msgpack=cty.msgpack_marshal(cty.ObjectVal(pvals), pty))))
            if any(d.severity == 1 for d in r.diagnostics):
                print(f"many clusters: ConfigureProvider failed: {r.diagnostics}")
                return
            block = objchange.block_from_proto(schema.resource_schemas["secure_redis_cluster"].block)
            ty = block.implied_type()
            ev0 = cfgmod.Evaluator(lambda addr: None)
            states = []

            def dv(v):
                return pb.DynamicValue(msgpack=cty.msgpack_marshal(v, ty))

            for i in range(n):
                body = {"name": f"bench-{i:02d}", "node_type": "cache.t4g.small", "engine_version": "7.1",
                        "subnet_ids": [subs["SUBNET_A"], subs["SUBNET_B"]],
                        "allowed_security_group_ids": [subs["APP_SG"]],
                        "kms_deletion_window_days": 7, "secret_recovery_window_days": 0}
                config = cfgmod.decode_body(block, json.loads(json.dumps(body)), ev0)
                prior = cty.NullVal(ty)
                proposed = objchange.proposed_new(block, prior, config)
                plan = p.stub.PlanResourceChange(pb.PlanResourceChange.Request(
                    type_name="secure_redis_cluster", prior_state=dv(prior),
                    proposed_new_state=dv(proposed), config=dv(config)))
                applied = p.stub.ApplyResourceChange(pb.ApplyResourceChange.Request(
                    type_name="secure_redis_cluster", prior_state=dv(prior),
                    planned_state=plan.planned_state, config=dv(config),
                    planned_private=plan.planned_private))
                if any(d.severity == 1 for d in applied.diagnostics):
                    print(f"many clusters: create failed: {applied.diagnostics[0].summary}: "
                          f"{applied.diagnostics[0].detail}")
                    return
                states.append((config, applied.new_state, applied.private))

            def one(item):
                config, state, private = item
                read = p.stub.ReadResource(pb.ReadResource.Request(
                    type_name="secure_redis_cluster", current_state=state, private=private))
                new = cty.msgpack_unmarshal(read.new_state.msgpack, ty)
                proposed = objchange.proposed_new(block, new, config)
                plan = p.stub.PlanResourceChange(pb.PlanResourceChange.Request(
                    type_name="secure_redis_cluster", prior_state=read.new_state,
                    proposed_new_state=dv(proposed), config=dv(config), prior_private=read.private))
                return cty.msgpack_unmarshal(plan.planned_state.msgpack, ty).raw_equals(new)

            pid = p.process.pid
            cpu0 = cpu_seconds(pid)
            t0 = time.perf_counter()
            with ThreadPoolExecutor(parallel) as ex:
                same = list(ex.map(one, states))
            wall = time.perf_counter() - t0
            cpu = cpu_seconds(pid) - cpu0
            print(f"provider: no-change plan of {n} clusters, {parallel} at a time: {cpu:.2f} s provider CPU "
                  f"(target < 1 s), {wall:.2f} s wall clock with the emulator answering; "
                  f"{sum(same)} of {n} plans empty")
            for config, state, private in states:
                p.stub.ApplyResourceChange(pb.ApplyResourceChange.Request(
                    type_name="secure_redis_cluster", prior_state=state, planned_state=dv(cty.NullVal(ty)),
                    config=dv(cty.NullVal(ty)), planned_private=private))
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    binary = os.environ.get("PROVIDER_BIN", "build/release/terraform-provider-secure")
    test_binary = os.environ.get("PROVIDER_TEST_BIN", "build/release/terraform-provider-secure-test")
    hs, hs_rss = handshake_ms(binary)
    print(f"provider: handshake (process start to handshake line): {hs:.2f} ms median of 21 (target <= 5 ms)")
    print(f"provider: -version (exec + loading only): {version_ms(binary):.2f} ms median of 21")
    print(f"provider: RSS at the handshake (idle, no RPC yet): {hs_rss:.1f} MB median of 21")
    instructions = handshake_instructions(binary)
    if instructions is not None:
        print(f"provider: instructions from exec to the handshake line (and exit): {instructions:.1f} M "
              f"(callgrind; independent of the machine's load)")
    schema_ms, wall_us, cpu_us, n, rss = plan_figures(test_binary)
    print(f"provider: GetProviderSchema: {schema_ms:.2f} ms median of 50")
    print(f"provider: PlanResourceChange at 10-way concurrency: {wall_us:.0f} us per call as the "
          f"Python client sees it, {cpu_us:.0f} us provider CPU per call ({n} calls; target <= 200 us)")
    print(f"provider: peak RSS: {rss:.1f} MB after ConfigureProvider and the PlanResourceChange run "
          f"(target <= 10 MB; see docs/performance.md)")
    peak, procs = main_job_peak_rss_mb(binary)
    print(f"provider: peak RSS in the README's main job: {peak:.1f} MB, the largest of its {procs} provider "
          f"processes (ConfigureProvider, refresh, plan, apply and destroy with AWS calls to the emulator)")
    aws_call_figures(test_binary)
    no_change_plan_of_many(test_binary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
