"""Scenario runner: behaves like Terraform core running `terraform apply` step by step.

A scenario is a directory of ordered steps <scenario>/<NN-name>/ each holding *.tf.json
(and optionally expect.json, read only by this driver).  Each step is what a user does
with `terraform apply` in that directory against one shared state; after the last step
everything is destroyed and the state must be empty.

Per step, like Terraform:
  schema walk  : GetProviderSchema (+ GetMetadata); config conformance checks
  validate walk: ValidateProviderConfig, ValidateResourceConfig per resource (references unknown)
  plan walk    : ConfigureProvider; refresh (UpgradeResourceState with the raw state JSON and
                 schema version, then ReadResource; null removes); imports
                 (ImportResourceState + ReadResource); per resource in dependency order
                 ProposedNew -> PlanResourceChange -> conformance, AssertPlanValid, write-only;
                 requires_replace -> replace; orphans -> delete
  apply walk   : ConfigureProvider; deletes of orphans in reverse dependency order; then per
                 resource in dependency order: re-evaluate config with known values, re-plan,
                 assert the final plan is consistent with the first, ApplyResourceChange,
                 conformance, no unknowns, AssertObjectCompatible, write-only null
  then a second plan that must be all no-op (unless expect.json says otherwise).
Each walk uses a fresh provider process, as Terraform does.  An unexpected failure stops
the scenario (later steps are reported as not run); the final destroy always runs.

API:
  run_scenario(path, provider_binary=None, env=None, keep_state=None, provider_factory=None,
               out=None, rpc_timeout=600.0) -> Result
      Result.ok, .violations (list of str), .steps (StepResult: name, ok, failures, actions
      {addr: action}, second_plan_actions, diags [Diag], errors, warnings), .transcript,
      .rpc_log (RPC names in order), .provider_stderr (never printed), .final_state
  run_with_terraform(path, provider_binary, env=None, terraform=None) -> TerraformResult
  plan_lines(result) -> {step name: "Plan: ..." line}
"""

from __future__ import annotations

import base64
import copy
import json
import os
import time
import uuid

from . import config as cfgmod
from . import cty, objchange
from .config import ConfigError, Evaluator
from .cty import NullVal, UnknownVal, Value
from .objchange import format_error, format_error_prefixed

TERRAFORM_VERSION = "1.11.4"

ACTION_SYMBOL = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "no-op": " ", "read": "<="}


class Violation(Exception):
    """Something Terraform would report as an error (provider bug or provider error)."""

    def __init__(self, diags):
        self.diags = diags if isinstance(diags, list) else [diags]
        super().__init__("; ".join(d.summary for d in self.diags))


class Diag:
    def __init__(self, severity, summary, detail="", addr="", attribute="", filename="", origin="terraform"):
        self.severity = severity  # "error" | "warning"
        self.summary = summary
        self.detail = detail
        self.addr = addr
        self.attribute = attribute
        self.filename = filename
        self.origin = origin  # "provider" (returned by it) or "terraform" (a core check)

    def render(self):
        lines = ["%s: %s" % ("Error" if self.severity == "error" else "Warning", self.summary)]
        if self.addr or self.filename:
            # like terraform for *.tf.json: "with <addr>," then "on <file>, in <json path>:"
            lines.append("")
            attr = self.attribute
            if attr and not attr.startswith(("[", ".")):
                attr = "." + attr
            if self.addr:
                lines.append("  with %s," % self.addr)
            if self.filename:
                where = ""
                if self.addr.startswith("provider["):
                    where = ", in provider%s" % attr
                elif self.addr.count(".") == 1:
                    where = ", in resource.%s%s" % (self.addr, attr)
                lines.append("  on %s%s:" % (self.filename, where))
            elif attr:
                lines.append("  (attribute %s)" % attr.lstrip("."))
        if self.detail:
            lines.append("")
            lines.append(self.detail)
        return "\n".join(lines)

    def to_dict(self):
        return {"severity": self.severity, "summary": self.summary, "detail": self.detail,
                "address": self.addr, "attribute": self.attribute, "origin": self.origin}


def _err(summary, detail, addr="", filename=""):
    return Diag("error", summary, detail, addr, "", filename)


def path_from_proto(ap):
    steps = []
    for s in ap.steps:
        which = s.WhichOneof("selector")
        if which == "attribute_name":
            steps.append(("attr", s.attribute_name))
        elif which == "element_key_string":
            steps.append(("index", cty.StringVal(s.element_key_string)))
        elif which == "element_key_int":
            steps.append(("index", cty.NumberVal(s.element_key_int)))
    return steps


# ------------------------------------------------------------------ provider

class ProviderSession:
    """One provider process (one Terraform graph walk): encodes/decodes values, collects diags."""

    def __init__(self, handle, provider_addr, log):
        self.h = handle
        self.stub = handle.stub
        self.pb = handle.pb
        self.provider_addr = provider_addr  # e.g. registry.terraform.io/ns/secure
        self.log = log
        self.schema = None
        self.stderr_sink = None
        self.rpc_timeout = 600.0

    def close(self):
        try:
            self.h.shutdown()
        except Exception:  # noqa: BLE001 - a failing shutdown is reported by plugin.py's logs
            pass
        # keep what the provider process wrote to stderr (hclog JSON lines) for tests to inspect;
        # never printed, in case a provider bug leaked a secret there
        lines = getattr(self.h, "stderr_lines", None)
        if callable(lines) and self.stderr_sink is not None:
            try:
                self.stderr_sink.extend(lines())
            except Exception:  # noqa: BLE001
                pass

    def dv(self, val: Value, ty):
        return self.pb.DynamicValue(msgpack=cty.msgpack_marshal(val, ty))

    def undv(self, dv, ty, what):
        if dv is None:
            return None
        if dv.msgpack:
            try:
                return cty.msgpack_unmarshal(dv.msgpack, ty)
            except cty.CtyError as e:
                raise Violation(_err("Provider returned an invalid value",
                                     "Provider %s returned an undecodable msgpack %s: %s" % (self.provider_addr, what, format_error(e))))
        if dv.json:
            try:
                return cty.json_unmarshal(dv.json, ty)
            except cty.CtyError as e:
                raise Violation(_err("Provider returned an invalid value",
                                     "Provider %s returned undecodable JSON %s: %s" % (self.provider_addr, what, format_error(e))))
        return None

    def diags(self, pbdiags, addr="", filename=""):
        out = []
        for d in pbdiags:
            sev = {1: "error", 2: "warning"}.get(d.severity)
            if sev is None:
                out.append(Diag("error", "Provider returned an invalid diagnostic",
                                "Diagnostic %r has severity INVALID." % d.summary, addr, "", filename))
                continue
            attr = ""
            if d.HasField("attribute"):
                attr = cty.format_path(path_from_proto(d.attribute)).lstrip(".")
            out.append(Diag(sev, d.summary, d.detail, addr, attr, filename, origin="provider"))
        return out

    def call(self, name, req):
        self.log.append(name)
        try:
            resp = getattr(self.stub, name)(req, timeout=self.rpc_timeout)
            if "deferred" in resp.DESCRIPTOR.fields_by_name and resp.HasField("deferred"):
                # ClientCapabilities.deferral_allowed is false, as in a plain terraform apply
                raise Violation(_err("Provider deferred changes when Terraform did not allow deferrals",
                                     "The provider signaled a deferred action for %s, but in this context deferrals are disabled. "
                                     "This is a bug in the provider, please file an issue with the provider developers." % name))
            return resp
        except Violation:
            raise
        except Exception as exc:  # grpc.RpcError and friends
            code = exc.code() if hasattr(exc, "code") else None
            details = exc.details() if hasattr(exc, "details") else str(exc)
            raise Violation(_err("Plugin did not respond",
                                 "The plugin encountered an error, and failed to respond to the plugin.(*GRPCProvider).%s call. "
                                 "The plugin logs may contain more details. (%s: %s)" % (name, code, details)))


class Schemas:
    def __init__(self, provider, resources, capabilities, raw_versions):
        self.provider = provider
        self.resources = resources
        self.capabilities = capabilities
        self.versions = raw_versions


# ------------------------------------------------------------------ results

class StepResult:
    def __init__(self, name):
        self.name = name
        self.actions = {}
        self.diags = []
        self.expected = {}
        self.ok = True
        self.failures = []
        self.second_plan_actions = {}

    @property
    def errors(self):
        return [d for d in self.diags if d.severity == "error"]

    @property
    def warnings(self):
        return [d for d in self.diags if d.severity == "warning"]


class Result:
    def __init__(self):
        self.steps = []
        self.violations = []
        self.transcript_lines = []
        self.rpc_log = []  # names of the RPCs called, in order
        self.provider_stderr = []  # stderr lines of every provider process (not printed)
        self.final_state = None

    @property
    def ok(self):
        return not self.violations

    @property
    def transcript(self):
        return "\n".join(self.transcript_lines)


# ------------------------------------------------------------------ state

class StateObject:
    def __init__(self, addr, value, private=b"", schema_version=0, status="ready", deps=None, raw=None):
        self.addr = addr
        self.value = value
        self.private = private or b""
        self.schema_version = schema_version
        self.status = status  # ready | tainted
        self.deps = list(deps or [])
        self.raw = raw  # raw attributes JSON text (as read from a state file), or None


class State:
    def __init__(self, path, provider_addr):
        self.path = path
        self.provider_addr = provider_addr
        self.objects = {}
        self.serial = 0
        self.lineage = str(uuid.uuid4())
        if path and os.path.exists(path):
            self._load()

    def _load(self):
        with open(self.path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
        if doc.get("version") != 4:
            raise ConfigError("Unsupported state file format", "state version must be 4")
        self.serial = doc.get("serial", 0)
        self.lineage = doc.get("lineage", self.lineage)
        for r in doc.get("resources", []):
            if r.get("mode") != "managed":
                continue
            for inst in r.get("instances", []):
                addr = "%s.%s" % (r["type"], r["name"])
                self.objects[addr] = StateObject(
                    addr, None, base64.b64decode(inst.get("private", "") or ""),
                    inst.get("schema_version", 0), inst.get("status", "ready") or "ready",
                    inst.get("dependencies", []),
                    raw=json.dumps(inst.get("attributes", {}), separators=(",", ":")))

    def raw_json(self, obj: StateObject, schemas):
        if obj.raw is not None:
            return obj.raw.encode("utf-8")
        ty = schemas.resources[obj.addr.split(".")[0]].implied_type()
        return cty.json_marshal(obj.value, ty)

    def save(self, schemas):
        if not self.path:
            return
        self.serial += 1
        resources = []
        for addr in sorted(self.objects):
            o = self.objects[addr]
            rtype, name = addr.split(".", 1)
            if o.value is not None and rtype in schemas.resources:
                attrs = json.loads(cty.json_marshal(o.value, schemas.resources[rtype].implied_type()))
            else:
                attrs = json.loads(o.raw or "{}")
            inst = {"schema_version": o.schema_version, "attributes": attrs, "sensitive_attributes": []}
            if o.private:
                inst["private"] = base64.b64encode(o.private).decode("ascii")
            if o.deps:
                inst["dependencies"] = sorted(o.deps)
            if o.status == "tainted":
                inst["status"] = "tainted"
            resources.append({"mode": "managed", "type": rtype, "name": name,
                              "provider": 'provider["%s"]' % self.provider_addr, "instances": [inst]})
        doc = {"version": 4, "terraform_version": TERRAFORM_VERSION, "serial": self.serial,
               "lineage": self.lineage, "outputs": {}, "resources": resources, "check_results": None}
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        os.replace(tmp, self.path)


# ------------------------------------------------------------------ planning

class PlannedChange:
    def __init__(self, addr, action, before, after, private, config_val, requires_replace=()):
        self.addr = addr
        self.action = action
        self.before = before
        self.after = after
        self.private = private
        self.config = config_val
        self.requires_replace = list(requires_replace)


class Runner:
    def __init__(self, provider_factory, out=None, rpc_timeout=600.0):
        self.factory = provider_factory
        self.rpc_timeout = rpc_timeout
        self.result = Result()
        self.out = out

    # output
    def say(self, line=""):
        self.result.transcript_lines.append(line)
        if self.out is not None:
            self.out.write(line + "\n")
            self.out.flush()

    def report(self, diags, step=None):
        for d in diags:
            if step is not None:
                step.diags.append(d)
            self.say(d.render())
            self.say("")

    # provider lifecycle
    def open(self, provider_addr):
        try:
            h = self.factory()
        except Exception as e:  # plugin.PluginError / HandshakeError, OSError
            raise Violation(_err("Failed to load plugin schemas",
                                 "Could not start the provider %s: %s" % (provider_addr, e)))
        sess = ProviderSession(h, provider_addr, self.result.rpc_log)
        sess.stderr_sink = self.result.provider_stderr
        sess.rpc_timeout = self.rpc_timeout
        return sess

    def load_schemas(self, sess):
        pb = sess.pb
        diags = []
        md = sess.call("GetMetadata", pb.GetMetadata.Request())
        diags += sess.diags(md.diagnostics)
        resp = sess.call("GetProviderSchema", pb.GetProviderSchema.Request())
        diags += sess.diags(resp.diagnostics)
        if any(d.severity == "error" for d in diags):
            raise Violation(diags)
        try:
            prov = objchange.block_from_proto(resp.provider.block)
            res = {n: objchange.block_from_proto(s.block) for n, s in resp.resource_schemas.items()}
        except cty.CtyError as e:
            raise Violation(_err("Invalid provider schema", "Provider %s returned a schema Terraform cannot use: %s" % (sess.provider_addr, e)))
        versions = {n: int(s.version) for n, s in resp.resource_schemas.items()}
        problems = objchange.schema_problems(prov, "provider.")
        for n, b in res.items():
            problems += objchange.schema_problems(b, n + ".")
        md_types = sorted(r.type_name for r in md.resources)
        if md_types and md_types != sorted(res):
            problems.append("GetMetadata lists resources %s but GetProviderSchema has %s" % (md_types, sorted(res)))
        if problems:
            raise Violation(_err("Invalid provider schema", "Provider %s: %s" % (sess.provider_addr, "; ".join(problems))))
        caps = resp.server_capabilities
        return Schemas(prov, res, caps, versions), diags

    # -------------------------------------------------------------- a step
    def run_step(self, step_dir, state: State, expect, final_destroy=False):
        name = os.path.basename(step_dir.rstrip("/")) if step_dir else "destroy"
        sr = StepResult(name)
        sr.expected = expect
        self.result.steps.append(sr)
        self.say("=== step %s" % name)
        try:
            cfg = cfgmod.load_dir(step_dir) if step_dir else None
        except ConfigError as e:
            d = Diag("error", e.summary, e.detail, "", "", e.where)
            self.report([d], sr)
            return self._finish(sr, "config", d)
        try:
            self._step(cfg, state, sr, final_destroy)
        except Violation as v:
            self.report(v.diags, sr)
            first_error = next((d for d in v.diags if d.severity == "error"), v.diags[0])
            return self._finish(sr, getattr(v, "phase", "apply"), first_error)
        except ConfigError as e:
            d = Diag("error", e.summary, e.detail, "", "", e.where)
            self.report([d], sr)
            return self._finish(sr, "config", d)
        return self._finish(sr, None, None)

    def _finish(self, sr, phase, diag):
        exp = sr.expected or {}
        wanted = None
        for key in ("validate_error", "plan_error", "apply_error"):
            if key in exp:
                wanted = key
        if diag is None:
            if wanted:
                self._fail(sr, "expected %s %r but the step succeeded" % (wanted, exp[wanted]))
            return sr
        if wanted is None:
            self._fail(sr, "step failed: %s" % diag.summary)
            return sr
        spec = exp[wanted]
        want_phase = wanted.split("_")[0]
        errs = sr.errors
        if isinstance(spec, str):
            spec = {"contains": spec}
        match = [d for d in errs if _diag_matches(d, spec)]
        if not match:
            self._fail(sr, "expected %s %r; got: %s" % (wanted, spec, " | ".join("%s: %s" % (d.summary, d.detail) for d in errs)))
        elif want_phase != phase and not (want_phase == "validate" and phase == "config"):
            self._fail(sr, "expected a %s error but the error came during %s" % (want_phase, phase))
        elif any(d.origin == "terraform" and d.summary.startswith("Provider produced") for d in errs):
            self._fail(sr, "provider contract violation: %s" % errs[0].summary)
        else:
            self.say("(expected %s seen)" % wanted)
        return sr

    def _fail(self, sr, msg):
        sr.ok = False
        sr.failures.append(msg)
        self.result.violations.append("%s: %s" % (sr.name, msg))
        self.say("VIOLATION: " + msg)

    def _step(self, cfg, state, sr, final_destroy):
        provider_addr = state.provider_addr
        # schema walk
        sess = self.open(provider_addr)
        try:
            schemas, d = self.load_schemas(sess)
        finally:
            sess.close()
        self.report(d, sr)
        self.schemas = schemas

        if final_destroy:
            return self._destroy_all(state, schemas, sr)

        local = _single_provider(cfg, state)
        pbody, pfile = cfg.providers.get(local, ({}, ""))
        for addr, r in cfg.resources.items():
            if r.type not in schemas.resources:
                raise _phase(Violation(Diag("error", "Invalid resource type",
                                            'The provider %s does not support resource type "%s".' % (provider_addr, r.type),
                                            addr, "", r.filename)), "validate")
        order, deps = cfgmod.dependency_order(cfg)

        # validate walk: references are unknown
        unknown_ev = Evaluator(lambda a: UnknownVal(schemas.resources[a.split(".")[0]].implied_type()))
        pconf = self._decode(schemas.provider, pbody, unknown_ev, _paddr(provider_addr), pfile)
        rconfs = {a: self._decode(schemas.resources[cfg.resources[a].type], cfg.resources[a].body,
                                  unknown_ev, a, cfg.resources[a].filename) for a in order}
        sess = self.open(provider_addr)
        try:
            pb = sess.pb
            resp = sess.call("GetProviderSchema", pb.GetProviderSchema.Request())
            ds = sess.diags(resp.diagnostics)
            resp = sess.call("ValidateProviderConfig", pb.ValidateProviderConfig.Request(
                config=sess.dv(pconf, schemas.provider.implied_type())))
            ds += sess.diags(resp.diagnostics, _paddr(provider_addr), pfile)
            for a in order:
                r = cfg.resources[a]
                ty = schemas.resources[r.type].implied_type()
                resp = sess.call("ValidateResourceConfig", pb.ValidateResourceConfig.Request(
                    type_name=r.type, config=sess.dv(rconfs[a], ty),
                    client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
                ds += sess.diags(resp.diagnostics, a, r.filename)
        finally:
            sess.close()
        self._raise_errors(ds, sr, "validate")

        # plan walk
        # (a failed plan leaves the state as it was, as with terraform)
        snapshot = {a: copy.copy(o) for a, o in state.objects.items()}
        try:
            changes, plan_pconf = self._plan(cfg, state, schemas, sr, order, pbody, pfile, deps)
        except Violation:
            state.objects = snapshot
            raise
        self._check_plan_expectations(changes, sr)
        if not any(c.action != "no-op" for c in changes.values()):
            imported = sum(1 for c in changes.values() if getattr(c, "imported", False))
            if imported:
                state.save(schemas)  # an import-only plan still records the imported objects
                self.say("Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed." % imported)
            else:
                self.say("No changes. Your infrastructure matches the configuration.")
            return
        # apply walk
        self._apply(cfg, state, schemas, sr, order, changes, plan_pconf, deps)
        state.save(schemas)
        if (sr.expected or {}).get("after_no_change_plan", True):
            self.say("--- second plan (must be empty)")
            changes2, _ = self._plan(cfg, state, schemas, sr, order, pbody, pfile, deps, second=True)
            sr.second_plan_actions = {a: c.action for a, c in changes2.items()}
            bad = {a: c for a, c in changes2.items() if c.action != "no-op"}
            if bad:
                for a, c in bad.items():
                    detail = _diff_summary(c, schemas.resources.get(a.split(".")[0]))
                    self._fail(sr, "after apply, the second plan is not empty: %s planned %s%s" % (a, c.action, detail))
            else:
                self.say("No changes. Your infrastructure matches the configuration.")
            state.save(schemas)

    def _raise_errors(self, ds, sr, phase):
        errs = [d for d in ds if d.severity == "error"]
        if errs:
            raise _phase(Violation(ds), phase)
        self.report(ds, sr)

    def _decode(self, schema, body, ev, addr, filename):
        try:
            val = cfgmod.decode_body(schema, body, ev, "")
        except ConfigError as e:
            raise _phase(Violation(Diag("error", e.summary, e.detail, addr, e.where.lstrip("."), filename)), "validate")
        probs = objchange.validate_config(schema, val)
        if probs:
            raise _phase(Violation([Diag("error", s, d, addr, cty.format_path(p).lstrip("."), filename)
                                    for p, s, d in probs]), "validate")
        return val

    # -------------------------------------------------------------- plan
    def _configure(self, sess, schemas, pbody, pfile, sr):
        pb = sess.pb
        resp = sess.call("GetProviderSchema", pb.GetProviderSchema.Request())
        ds = sess.diags(resp.diagnostics)
        ev = Evaluator(lambda a: (_ for _ in ()).throw(ConfigError(
            "Unsupported reference", "provider configuration may not refer to resources in the protocol driver")))
        pconf = self._decode(schemas.provider, pbody, ev, _paddr(sess.provider_addr), pfile)
        resp = sess.call("ValidateProviderConfig", pb.ValidateProviderConfig.Request(
            config=sess.dv(pconf, schemas.provider.implied_type())))
        ds += sess.diags(resp.diagnostics, _paddr(sess.provider_addr), pfile)
        resp = sess.call("ConfigureProvider", pb.ConfigureProvider.Request(
            terraform_version=TERRAFORM_VERSION, config=sess.dv(pconf, schemas.provider.implied_type()),
            client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
        ds += sess.diags(resp.diagnostics, _paddr(sess.provider_addr), pfile)
        return pconf, ds

    def _refresh(self, sess, state, schemas, sr):
        pb = sess.pb
        for addr in sorted(state.objects):
            o = state.objects[addr]
            rtype = addr.split(".")[0]
            schema = schemas.resources.get(rtype)
            if schema is None:
                raise Violation(_err("Resource type not supported", "state has %s but the provider has no schema for it" % addr, addr))
            ty = schema.implied_type()
            resp = sess.call("UpgradeResourceState", pb.UpgradeResourceState.Request(
                type_name=rtype, version=o.schema_version, raw_state=pb.RawState(json=state.raw_json(o, schemas))))
            ds = sess.diags(resp.diagnostics, addr)
            if any(d.severity == "error" for d in ds):
                raise Violation(ds)
            self.report(ds, sr)
            up = sess.undv(resp.upgraded_state, ty, "upgraded state")
            if up is None:
                raise Violation(_err("Invalid resource state upgrade", "Provider %s returned no upgraded state for %s." % (sess.provider_addr, addr), addr))
            self._conform(up, ty, "Invalid resource state upgrade",
                          "The %s provider upgraded the state for %s from a previous version, but produced an invalid result: %%s." % (sess.provider_addr, addr), addr)
            self._write_only("Invalid resource state upgrade", up, schema, addr,
                             "The provider %s returned a value for the write-only attribute \"%s%%s\" during state upgrade." % (sess.provider_addr, addr))
            if not up.is_wholly_known():
                raise Violation(_err("Invalid resource state upgrade", "The provider returned an unknown value in the upgraded state of %s." % addr, addr))
            o.value, o.raw = up, None
            o.schema_version = schemas.versions.get(rtype, 0)
            resp = sess.call("ReadResource", pb.ReadResource.Request(
                type_name=rtype, current_state=sess.dv(up, ty), private=o.private,
                client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
            ds = sess.diags(resp.diagnostics, addr)
            if any(d.severity == "error" for d in ds):
                raise Violation(ds)
            self.report(ds, sr)
            new = sess.undv(resp.new_state, ty, "new state")
            if new is None:
                new = NullVal(ty)
            self._conform(new, ty, "Provider produced invalid object",
                          "Provider %s planned an invalid value for %s during refresh: %%s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q(sess.provider_addr), addr), addr)
            if not new.is_wholly_known():
                raise Violation(_err("Provider produced invalid object",
                                     "Provider %s returned an unknown value for %s during refresh." % (_q(sess.provider_addr), addr), addr))
            self._write_only("Provider produced invalid object", new, schema, addr,
                             "Provider %s returned a value for the write-only attribute \"%s%%s\" during refresh. Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q('provider["%s"]' % sess.provider_addr), addr))
            if new.is_null():
                self.say("%s: Refreshing state... object has been deleted outside of Terraform" % addr)
                del state.objects[addr]
                continue
            o.value = new
            o.private = resp.private
            idv = new.get_attr("id") if new.ty.has_attribute("id") else None
            self.say("%s: Refreshing state...%s" % (addr, " [id=%s]" % idv.v if idv is not None and idv.ty == cty.STRING
                                                    and idv.known and not idv.is_null() else ""))

    def _import(self, sess, cfg, state, schemas, sr):
        pb = sess.pb
        imported = set()
        ev = Evaluator(lambda a: (_ for _ in ()).throw(ConfigError("Invalid import id argument", "The import ID cannot refer to resources in the protocol driver.")))
        for imp in cfg.imports:
            if imp.to in state.objects:
                continue  # already managed: import blocks are no-ops
            rtype = imp.to.split(".")[0]
            schema = schemas.resources[rtype]
            ty = schema.implied_type()
            idv = ev.eval_json(imp.id_expr, cty.STRING)
            if not idv.known or idv.is_null() or idv.v == "":
                raise Violation(_err("Invalid import id argument", "The import ID cannot be null or empty.", imp.to, imp.filename))
            self.say("%s: Preparing import... [id=%s]" % (imp.to, idv.v))
            resp = sess.call("ImportResourceState", pb.ImportResourceState.Request(
                type_name=rtype, id=idv.v,
                client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
            ds = sess.diags(resp.diagnostics, imp.to, imp.filename)
            if any(d.severity == "error" for d in ds):
                raise Violation(ds)
            self.report(ds, sr)
            mine = [r for r in resp.imported_resources if r.type_name == rtype]
            if len(resp.imported_resources) == 0:
                raise Violation(_err("Import returned no resources", "While attempting to import with ID %s, the provider returned no instance states." % idv.v, imp.to))
            if len(mine) != 1 or len(resp.imported_resources) != 1:
                raise Violation(_err("Multiple import states not supported",
                                     "While attempting to import with ID %s, the provider returned multiple resource instance states. This is not currently supported." % idv.v, imp.to))
            st = sess.undv(mine[0].state, ty, "imported state")
            if st is None:
                st = NullVal(ty)
            self._conform(st, ty, "Provider produced invalid object", "Provider %s returned an invalid imported object for %s: %%s." % (_q(sess.provider_addr), imp.to), imp.to)
            self._write_only("Import returned a non-null value for a write-only attribute", st, schema, imp.to,
                             "While attempting to import with ID %s, the provider %s returned a value for the write-only attribute \"%s%%s\". Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker." % (idv.v, _q('provider["%s"]' % sess.provider_addr), imp.to))
            if st.is_null():
                raise Violation(_err("Import returned null resource", "While attempting to import with ID %s, the provider returned an instance with no state." % idv.v, imp.to))
            resp = sess.call("ReadResource", pb.ReadResource.Request(
                type_name=rtype, current_state=sess.dv(st, ty), private=mine[0].private,
                client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
            ds = sess.diags(resp.diagnostics, imp.to, imp.filename)
            if any(d.severity == "error" for d in ds):
                raise Violation(ds)
            self.report(ds, sr)
            new = sess.undv(resp.new_state, ty, "new state")
            if new is None or new.is_null():
                raise Violation(_err("Cannot import non-existent remote object",
                                     "While attempting to import an existing object to \"%s\", the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"terraform apply\" to create a new remote object for this resource." % imp.to, imp.to))
            self._conform(new, ty, "Provider produced invalid object",
                          "Provider %s planned an invalid value for %s during refresh: %%s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q(sess.provider_addr), imp.to), imp.to)
            if not new.is_wholly_known():
                raise Violation(_err("Provider produced invalid object", "Provider returned an unknown value for %s during import read." % imp.to, imp.to))
            state.objects[imp.to] = StateObject(imp.to, new, resp.private, schemas.versions.get(rtype, 0))
            imported.add(imp.to)
            self.say("%s: Import prepared!" % imp.to)
        return imported

    def _plan(self, cfg, state, schemas, sr, order, pbody, pfile, deps, second=False):
        sess = self.open(state.provider_addr)
        try:
            pconf, ds = self._configure(sess, schemas, pbody, pfile, sr)
            self._raise_errors(ds, sr, "plan")
            try:
                self._refresh(sess, state, schemas, sr)
                imported = self._import(sess, cfg, state, schemas, sr) if not second else set()
            except Violation as v:
                raise _phase(v, "plan")
            changes = {}
            planned_vals = {}

            def lookup(a):
                if a in planned_vals:
                    return planned_vals[a]
                raise ConfigError("Reference to undeclared resource", a)

            ev = Evaluator(lookup)
            for addr in order:
                r = cfg.resources[addr]
                schema = schemas.resources[r.type]
                try:
                    ch = self._plan_one(sess, addr, r, schema, state.objects.get(addr), ev, sr)
                except Violation as v:
                    raise _phase(v, "plan")
                ch.imported = addr in imported
                changes[addr] = ch
                planned_vals[addr] = ch.after
            for addr in sorted(state.objects):
                if addr in cfg.resources:
                    continue
                o = state.objects[addr]
                changes[addr] = self._plan_delete(sess, addr, o, schemas, sr)
        finally:
            sess.close()
        self._print_plan(changes)
        return changes, pconf

    def _plan_delete(self, sess, addr, o, schemas, sr):
        rtype = addr.split(".")[0]
        schema = schemas.resources[rtype]
        ty = schema.implied_type()
        private = o.private
        if schemas.capabilities is not None and schemas.capabilities.plan_destroy:
            pb = sess.pb
            resp = sess.call("PlanResourceChange", pb.PlanResourceChange.Request(
                type_name=rtype, prior_state=sess.dv(o.value, ty), proposed_new_state=sess.dv(NullVal(ty), ty),
                config=sess.dv(NullVal(ty), ty), prior_private=o.private,
                client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
            ds = sess.diags(resp.diagnostics, addr)
            if any(d.severity == "error" for d in ds):
                raise _phase(Violation(ds), "plan")
            self.report(ds, sr)
            planned = sess.undv(resp.planned_state, ty, "planned state")
            if planned is not None and not planned.is_null():
                raise _phase(Violation(_err("Provider produced invalid plan",
                                            "Provider %s planned a non-null destroy value for %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q(sess.provider_addr), addr), addr)), "plan")
            private = resp.planned_private
        return PlannedChange(addr, "delete", o.value, NullVal(ty), private, NullVal(ty))

    def _plan_one(self, sess, addr, r, schema, prior_obj, ev, sr, first_plan=None):
        pb = sess.pb
        ty = schema.implied_type()
        config_val = self._decode(schema, r.body, ev, addr, r.filename)
        tainted = prior_obj is not None and prior_obj.status == "tainted"
        if prior_obj is None or tainted:
            prior = NullVal(ty)
            prior_private = b""
        else:
            prior = prior_obj.value
            prior_private = prior_obj.private
        # Terraform re-validates the (now more known) configuration during plan.
        resp = sess.call("ValidateResourceConfig", pb.ValidateResourceConfig.Request(
            type_name=r.type, config=sess.dv(config_val, ty),
            client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
        ds = sess.diags(resp.diagnostics, addr, r.filename)
        if any(d.severity == "error" for d in ds):
            raise Violation(ds)
        planned, planned_private, req_rep, ds = self._plan_call(sess, addr, r, schema, prior, prior_private, config_val)
        self.report(ds, sr)
        rep_paths = self._replace_paths(sess, addr, prior, planned, req_rep)
        eq = planned.equals(prior)
        if prior.is_null():
            action = "create"
        elif eq is True:
            action = "no-op"
        elif rep_paths:
            action = "replace"
        else:
            action = "update"
        if action == "replace":
            null_prior = NullVal(ty)
            planned, planned_private, _, ds2 = self._plan_call(sess, addr, r, schema, null_prior, planned_private, config_val)
        if action == "create" and tainted:
            action = "replace"
            prior = prior_obj.value
        if action == "replace" and r.lifecycle.get("prevent_destroy") is True:
            raise Violation(Diag("error", "Instance cannot be destroyed",
                                 "Resource %s has lifecycle.prevent_destroy set, but the plan calls for this resource to be "
                                 "destroyed. To avoid this error and continue with the plan, either disable "
                                 "lifecycle.prevent_destroy or reduce the scope of the plan using the -target option." % addr,
                                 addr, "", r.filename))
        return PlannedChange(addr, action, prior, planned, planned_private, config_val, rep_paths)

    def _replace_paths(self, sess, addr, prior, planned, req_rep):
        """requires_replace filtered to the paths whose values actually change (as Terraform does)."""
        rep_paths = []
        if prior.is_null():
            return rep_paths
        for p in req_rep:
            pv = _apply_path(prior, p)
            nv = _apply_path(planned, p)
            if pv is _MISSING and nv is _MISSING:
                raise Violation(_err("Provider produced invalid plan",
                                     "Provider %s has indicated \"requires replacement\" on %s for a non-existent attribute path %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q(sess.provider_addr), addr, cty.format_path(p)), addr))
            if pv is _MISSING:
                pv = NullVal(nv.ty)
            if nv is _MISSING:
                nv = NullVal(pv.ty)
            if nv.equals(pv) is not True:
                rep_paths.append(p)
        return rep_paths

    def _plan_call(self, sess, addr, r, schema, prior, prior_private, config_val):
        pb = sess.pb
        ty = schema.implied_type()
        proposed = objchange.proposed_new(schema, prior, config_val)
        resp = sess.call("PlanResourceChange", pb.PlanResourceChange.Request(
            type_name=r.type, prior_state=sess.dv(prior, ty), proposed_new_state=sess.dv(proposed, ty),
            config=sess.dv(config_val, ty), prior_private=prior_private,
            client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
        ds = sess.diags(resp.diagnostics, addr, r.filename)
        if any(d.severity == "error" for d in ds):
            raise Violation(ds)
        planned = sess.undv(resp.planned_state, ty, "planned state")
        if planned is None:
            planned = NullVal(ty)
        self._conform(planned, ty, "Provider produced invalid plan",
                      "Provider %s planned an invalid value for %%s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % _q(sess.provider_addr), addr, prefixed=True)
        # Terraform checks write-only attributes before AssertPlanValid.
        self._write_only("Provider produced invalid plan", planned, schema, addr,
                         "Provider %s returned a value for the write-only attribute \"%s%%s\" during planning. Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q('provider["%s"]' % sess.provider_addr), addr))
        errs = objchange.assert_plan_valid(schema, prior, config_val, planned)
        if errs and resp.legacy_type_system:
            ds.append(Diag("warning", "Provider set legacy_type_system",
                           "Terraform tolerates these plan problems only for the legacy SDK: %s" % "; ".join(format_error(e) for e in errs), addr))
            errs = []
        if errs:
            raise Violation([_err("Provider produced invalid plan",
                                  "Provider %s planned an invalid value for %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q(sess.provider_addr), format_error_prefixed(e, addr)), addr, r.filename)
                             for e in errs])
        req_rep = [path_from_proto(p) for p in resp.requires_replace]
        return planned, resp.planned_private, req_rep, ds

    def _conform(self, val, ty, summary, detail_fmt, addr, prefixed=False):
        errs = cty.test_conformance(val.ty, ty)
        if errs:
            raise Violation([_err(summary, detail_fmt % (format_error_prefixed(e, addr) if prefixed else format_error(e)), addr)
                             for e in errs])

    def _write_only(self, summary, val, schema, addr, detail_fmt):
        paths = objchange.non_null_write_only_paths(val, schema)
        if paths:
            raise Violation([_err(summary, detail_fmt % cty.format_path(p), addr) for p in paths])

    def _print_plan(self, changes):
        add = chg = dele = 0
        for addr in sorted(changes):
            c = changes[addr]
            if c.action == "no-op":
                continue
            sym = ACTION_SYMBOL[c.action]
            extra = " (imported)" if getattr(c, "imported", False) else ""
            why = ""
            if c.action == "replace" and c.requires_replace:
                why = " # forces replacement: %s" % ", ".join(cty.format_path(p).lstrip(".") for p in c.requires_replace)
            self.say("  %s %s will be %s%s%s" % (sym, addr, _verb(c.action), extra, why))
            if c.action == "create":
                add += 1
            elif c.action == "update":
                chg += 1
            elif c.action == "delete":
                dele += 1
            elif c.action == "replace":
                add += 1
                dele += 1
        imports = sum(1 for c in changes.values() if getattr(c, "imported", False))
        if add or chg or dele or imports:
            if imports:
                self.say("Plan: %d to import, %d to add, %d to change, %d to destroy." % (imports, add, chg, dele))
            else:
                self.say("Plan: %d to add, %d to change, %d to destroy." % (add, chg, dele))

    def _check_plan_expectations(self, changes, sr):
        sr.actions = {a: c.action for a, c in changes.items()}
        exp = (sr.expected or {}).get("plan")
        if not exp:
            return
        for addr, want in exp.items():
            got = sr.actions.get(addr, "absent")
            if want == "import":
                if not getattr(changes.get(addr), "imported", False):
                    self._fail(sr, "expected %s to be imported" % addr)
                continue
            if got != want:
                self._fail(sr, "expected %s to plan %s, planned %s" % (addr, want, got))

    # -------------------------------------------------------------- apply
    def _apply(self, cfg, state, schemas, sr, order, changes, pconf_unused, deps):
        sess = self.open(state.provider_addr)
        pbody, pfile = cfg.providers.get(_single_provider(cfg, state), ({}, ""))
        try:
            _, ds = self._configure(sess, schemas, pbody, pfile, sr)
            self._raise_errors(ds, sr, "apply")
            # Like terraform, an error stops only what depends on the failed object; other
            # objects are still applied, and all errors are reported at the end.
            errors = []
            failed = set()
            # orphans: reverse dependency order (dependents first)
            orphans = [a for a, c in changes.items() if c.action == "delete"]
            for addr in _reverse_dep_order(orphans, state):
                if any(addr in (state.objects[d].deps if d in state.objects else []) for d in failed):
                    failed.add(addr)
                    continue
                try:
                    self._apply_delete(sess, addr, changes[addr], state, schemas, sr)
                except Violation as v:
                    errors += v.diags
                    failed.add(addr)
            applied = {}

            def lookup(a):
                if a in applied:
                    return applied[a]
                return changes[a].after

            ev = Evaluator(lookup)
            for addr in order:
                c = changes[addr]
                r = cfg.resources[addr]
                schema = schemas.resources[r.type]
                if any(d in failed for d in deps.get(addr, [])):
                    failed.add(addr)  # not attempted: something it depends on failed
                    continue
                if c.action == "no-op":
                    applied[addr] = state.objects[addr].value
                    continue
                try:
                    if c.action == "replace":
                        old = state.objects.get(addr)
                        if old is not None:
                            self._apply_delete(sess, addr, PlannedChange(addr, "delete", old.value, NullVal(schema.implied_type()), old.private, None), state, schemas, sr)
                    applied[addr] = self._apply_one(sess, addr, r, schema, c, state, ev, sr, deps.get(addr, []))
                except Violation as v:
                    errors += v.diags
                    failed.add(addr)
            if errors:
                raise _phase(Violation(errors), "apply")
            counts = [sum(1 for c in changes.values() if c.action in acts) for acts in
                      (("create", "replace"), ("update",), ("delete", "replace"))]
            imported = sum(1 for c in changes.values() if getattr(c, "imported", False))
            self.say("Apply complete! Resources: %s%d added, %d changed, %d destroyed."
                     % (("%d imported, " % imported) if imported else "", *counts))
        finally:
            sess.close()
            state.save(schemas)

    def _apply_delete(self, sess, addr, c, state, schemas, sr):
        pb = sess.pb
        rtype = addr.split(".")[0]
        schema = schemas.resources[rtype]
        ty = schema.implied_type()
        o = state.objects[addr]
        self.say("%s: Destroying..." % addr)
        t0 = time.monotonic()
        resp = sess.call("ApplyResourceChange", pb.ApplyResourceChange.Request(
            type_name=rtype, prior_state=sess.dv(o.value, ty), planned_state=sess.dv(NullVal(ty), ty),
            config=sess.dv(NullVal(ty), ty), planned_private=c.private if c.private is not None else o.private))
        ds = sess.diags(resp.diagnostics, addr)
        new = sess.undv(resp.new_state, ty, "new state")
        if new is None:
            new = NullVal(ty)
        if any(d.severity == "error" for d in ds):
            if not new.is_null():
                o.value, o.private = new, resp.private
            state.save(schemas)
            raise _phase(Violation(ds), "apply")
        self.report(ds, sr)
        if not new.is_null():
            raise _phase(Violation(_err("Provider returned invalid result object after apply",
                                        "After applying a Delete plan, the provider returned a non-null object for %s. Destroying should always produce a null value, so this is always a bug in the provider and should be reported in the provider's own repository. Terraform will still save this errant object in the state for debugging and recovery." % addr, addr)), "apply")
        del state.objects[addr]
        state.save(schemas)
        self.say("%s: Destruction complete after %ds" % (addr, time.monotonic() - t0))

    def _apply_one(self, sess, addr, r, schema, c, state, ev, sr, deps):
        pb = sess.pb
        ty = schema.implied_type()
        action = c.action
        prior_obj = state.objects.get(addr)
        prior = prior_obj.value if (prior_obj is not None and action == "update") else NullVal(ty)
        prior_private = prior_obj.private if (prior_obj is not None and action == "update") else b""
        # re-plan with the now-known configuration (Terraform's apply-time plan)
        try:
            config_val = self._decode(schema, r.body, ev, addr, r.filename)
            # Terraform's apply-time plan re-validates the now fully known configuration too
            resp = sess.call("ValidateResourceConfig", pb.ValidateResourceConfig.Request(
                type_name=r.type, config=sess.dv(config_val, ty),
                client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)))
            vds = sess.diags(resp.diagnostics, addr, r.filename)
            if any(d.severity == "error" for d in vds):
                raise Violation(vds)
            planned, planned_private, req_rep, ds = self._plan_call(
                sess, addr, r, schema, prior, prior_private, config_val)
            new_action = action
            if action == "update":
                if self._replace_paths(sess, addr, prior, planned, req_rep):
                    new_action = "replace"
                elif planned.equals(prior) is True:
                    new_action = "no-op"
        except Violation as v:
            raise _phase(v, "apply")
        if new_action != action:
            raise _phase(Violation(_err("Provider produced inconsistent final plan",
                                        "When expanding the plan for %s to include new values learned so far during apply, provider %s changed the planned action from %s to %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (addr, _q(sess.provider_addr), _GO_ACTION[action], _GO_ACTION[new_action]), addr, r.filename)), "apply")
        errs = objchange.assert_object_compatible(schema, c.after, planned)
        if errs:
            raise _phase(Violation([_err("Provider produced inconsistent final plan",
                                         "When expanding the plan for %s to include new values learned so far during apply, provider %s produced an invalid new value for %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (addr, _q(sess.provider_addr), format_error(e)), addr, r.filename)
                                    for e in errs]), "apply")
        self.say("%s: %s..." % (addr, "Creating" if action in ("create", "replace") else "Modifying"))
        t0 = time.monotonic()
        resp = sess.call("ApplyResourceChange", pb.ApplyResourceChange.Request(
            type_name=r.type, prior_state=sess.dv(prior, ty), planned_state=sess.dv(planned, ty),
            config=sess.dv(config_val, ty), planned_private=planned_private))
        ds = sess.diags(resp.diagnostics, addr, r.filename)
        has_err = any(d.severity == "error" for d in ds)
        new = sess.undv(resp.new_state, ty, "new state")
        if new is None:
            new = prior
            if not has_err:
                ds.append(_err("Provider produced invalid object",
                               "Provider %s produced an invalid nil value after apply for %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q('provider["%s"]' % sess.provider_addr), addr), addr))
        conf_errs = cty.test_conformance(new.ty, ty)
        if conf_errs:
            raise _phase(Violation(ds + [_err("Provider produced invalid object",
                                              "Provider %s produced an invalid value after apply for %s. The result cannot not be saved in the Terraform state.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q('provider["%s"]' % sess.provider_addr), format_error_prefixed(e, addr)), addr)
                                         for e in conf_errs]), "apply")
        # Like Terraform, a write-only value coming back makes the result unsaveable.
        wo = objchange.non_null_write_only_paths(new, schema)
        if wo:
            raise _phase(Violation(ds + [_err("Provider produced invalid object",
                                              "Provider %s returned a value for the write-only attribute \"%s%s\" after apply. Write-only attributes cannot be read back from the provider. This is a bug in the provider, which should be reported in the provider's own issue tracker." % (_q('provider["%s"]' % sess.provider_addr), addr, cty.format_path(p)), addr)
                                         for p in wo]), "apply")
        if not new.is_wholly_known():
            def fn(p, v):
                if not v.known:
                    ds.append(_err("Provider returned invalid result object after apply",
                                   "After the apply operation, the provider still indicated an unknown value for %s%s. All values must be known after apply, so this is always a bug in the provider and should be reported in the provider's own repository. Terraform will still save the other known object values in the state." % (addr, cty.format_path(p)), addr))
                return True
            cty.walk(new, fn)
            new = cty.unknown_as_null(new)
        if not any(d.severity == "error" for d in ds):
            errs = objchange.assert_object_compatible(schema, planned, new)
            for e in errs:
                ds.append(_err("Provider produced inconsistent result after apply",
                               "When applying changes to %s, provider %s produced an unexpected new value: %s.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker." % (addr, _q('provider["%s"]' % sess.provider_addr), format_error(e)), addr))
        if not any(d.severity == "error" for d in ds) and new.is_null():
            ds.append(_err("Provider returned invalid result object after apply",
                           "After applying a %s plan, the provider returned a null object for %s. Only destroying should always produce a null value, so this is always a bug in the provider and should be reported in the provider's own repository." % ({"create": "Create", "update": "Update", "replace": "DeleteThenCreate"}[action], addr), addr))
        errors = any(d.severity == "error" for d in ds)
        if errors:
            if not new.is_null():
                status = "tainted" if action in ("create", "replace") else (prior_obj.status if prior_obj else "ready")
                state.objects[addr] = StateObject(addr, new, resp.private, self.schemas.versions.get(r.type, 0), status, deps)
            state.save(self.schemas)
            raise _phase(Violation(ds), "apply")
        self.report(ds, sr)
        state.objects[addr] = StateObject(addr, new, resp.private, self.schemas.versions.get(r.type, 0), "ready", deps)
        state.save(self.schemas)
        idv = new.get_attr("id") if new.ty.has_attribute("id") else None
        idtxt = " [id=%s]" % idv.v if idv is not None and idv.known and not idv.is_null() and idv.ty == cty.STRING else ""
        self.say("%s: %s complete after %ds%s" % (addr, "Creation" if action in ("create", "replace") else "Modifications",
                                                  time.monotonic() - t0, idtxt))
        return new

    # -------------------------------------------------------------- destroy
    def _destroy_all(self, state, schemas, sr):
        """`terraform destroy`: refresh, plan deletes, apply them in reverse dependency order."""
        if not state.objects:
            self.say("No objects need to be destroyed.")
            return
        sess = self.open(state.provider_addr)
        try:
            _, ds = self._configure(sess, schemas, self.last_provider_body or {}, "", sr)
            self._raise_errors(ds, sr, "plan")
            self._refresh(sess, state, schemas, sr)
            changes = {a: self._plan_delete(sess, a, o, schemas, sr) for a, o in sorted(state.objects.items())}
        finally:
            sess.close()
        self._print_plan(changes)
        sess = self.open(state.provider_addr)
        try:
            _, ds = self._configure(sess, schemas, self.last_provider_body or {}, "", sr)
            self._raise_errors(ds, sr, "apply")
            for addr in _reverse_dep_order(list(changes), state):
                self._apply_delete(sess, addr, changes[addr], state, schemas, sr)
        finally:
            sess.close()
            state.save(schemas)
        if state.objects:
            raise Violation(_err("Destroy left objects in state", ", ".join(sorted(state.objects))))
        self.say("Destroy complete! Resources: %d destroyed." % len(changes))


_MISSING = object()


def _apply_path(val, path):
    v = val
    for kind, key in path:
        if not v.known:
            return UnknownVal(cty.DYNAMIC)
        if v.is_null():
            return _MISSING
        if kind == "attr":
            if not v.ty.is_object() or key not in v.ty.attrs:
                return _MISSING
            v = v.get_attr(key)
        else:
            if v.ty.is_object() and key.ty == cty.STRING and key.v in v.ty.attrs:
                v = v.get_attr(key.v)
            elif v.has_index(key):
                v = v.index(key)
            else:
                return _MISSING
    return v


def _reverse_dep_order(addrs, state):
    addrs = set(addrs)
    order = []
    seen = set()

    def visit(a):
        if a in seen:
            return
        seen.add(a)
        for b in sorted(addrs):
            o = state.objects.get(b)
            if o is not None and a in o.deps:
                visit(b)
        order.append(a)

    for a in sorted(addrs):
        visit(a)
    return order


_GO_ACTION = {"create": "Create", "update": "Update", "replace": "DeleteThenCreate", "delete": "Delete", "no-op": "NoOp"}


def _has_sensitive(attr):
    if attr.sensitive or attr.write_only:
        return True
    return attr.nested is not None and any(_has_sensitive(a) for a in attr.nested.attributes.values())


def _diff_summary(c, schema=None):
    """Changed top-level attributes of a change, with sensitive values hidden."""
    if c.before is None or c.after is None or not c.before.ty.is_object() or c.before.is_null() or c.after.is_null():
        return ""
    diffs = []
    for n in sorted(c.after.ty.attrs):
        b = c.before.get_attr(n)
        a = c.after.get_attr(n)
        if not a.raw_equals(b):
            attr = schema.attributes.get(n) if schema is not None else None
            if attr is None and schema is not None and n in schema.block_types:
                hidden = _block_has_sensitive(schema.block_types[n].block)
            else:
                hidden = attr is None or _has_sensitive(attr)
            if hidden:
                diffs.append("%s: (sensitive value changed)" % n)
            else:
                diffs.append("%s: %s -> %s" % (n, b.go_string(), a.go_string()))
    return (" (" + "; ".join(diffs) + ")") if diffs else ""


def _block_has_sensitive(block):
    return any(_has_sensitive(a) for a in block.attributes.values()) or \
        any(_block_has_sensitive(b.block) for b in block.block_types.values())


def _paddr(provider_addr):
    """How terraform names a provider configuration in diagnostics: provider["<source>"]."""
    return 'provider["%s"]' % provider_addr


def _verb(action):
    return {"create": "created", "update": "updated in-place", "replace": "replaced",
            "delete": "destroyed", "read": "read"}[action]


def _q(s):
    return json.dumps(s)


def _phase(v, phase):
    if not hasattr(v, "phase"):
        v.phase = phase
    return v


def _diag_matches(d, spec):
    for k, want in spec.items():
        if k == "summary" and want not in d.summary:
            return False
        if k == "detail" and want not in d.detail:
            return False
        if k == "contains" and want not in d.summary and want not in d.detail:
            return False
        if k == "attribute" and want.lstrip(".") != d.attribute.lstrip("."):
            return False
    return True


def _single_provider(cfg, state):
    locals_ = {r.provider_local_name for r in cfg.resources.values()} | set(cfg.providers)
    if len(locals_) > 1:
        raise ConfigError("Multiple providers", "The protocol driver runs one provider per scenario; found %s." % sorted(locals_))
    return next(iter(locals_)) if locals_ else ""


# ------------------------------------------------------------------ API

def list_steps(path):
    steps = sorted(d for d in os.listdir(path)
                   if os.path.isdir(os.path.join(path, d)) and d[:1].isdigit())
    if not steps:
        raise ConfigError("No steps", "Scenario %s has no <NN-name> step directories." % path)
    return [os.path.join(path, d) for d in steps]


def _provider_addr_for(path, steps):
    for s in steps:
        try:
            cfg = cfgmod.load_dir(s)
        except ConfigError:
            continue
        local = None
        for r in cfg.resources.values():
            local = r.provider_local_name
        for p in cfg.providers:
            local = p
        if local:
            return cfg.provider_source(local), cfg.providers.get(local, ({}, ""))[0]
    return "registry.terraform.io/hashicorp/unknown", {}


def run_scenario(path, provider_binary=None, env=None, keep_state=None, provider_factory=None, out=None,
                 rpc_timeout=600.0, destroy=True):
    """Run a scenario directory; returns a Result (result.ok, result.violations, result.transcript).

    provider_factory: a callable returning a started provider handle (stub, pb, shutdown());
    defaults to plugin.start_provider(provider_binary, env=env).  out: a text stream that gets
    the transcript as it happens.  rpc_timeout: seconds allowed for one RPC.  destroy=False
    leaves what every step succeeded in making (for a later scenario that imports it, as after
    `terraform state rm`); after a failed step the final destroy runs regardless."""
    if provider_factory is None:
        from . import plugin  # started like Terraform does: go-plugin handshake with mTLS
        plugin.stubs_path()

        def provider_factory():
            return plugin.start_provider(provider_binary, env=env)

    runner = Runner(provider_factory, out, rpc_timeout)
    result = runner.result
    try:
        steps = list_steps(path)
    except (ConfigError, OSError) as e:
        result.violations.append(str(e))
        return result
    provider_addr, pbody = _provider_addr_for(path, steps)
    runner.last_provider_body = pbody
    state_path = keep_state
    tmpdir = None
    if state_path is None:
        import tempfile
        tmpdir = tempfile.mkdtemp(prefix="driver-state-")
        state_path = os.path.join(tmpdir, "terraform.tfstate")
    elif os.path.exists(state_path):
        os.unlink(state_path)
    try:
        _run_steps(runner, result, steps, state_path, provider_addr, destroy)
    finally:
        if tmpdir is not None:
            import shutil
            shutil.rmtree(tmpdir, ignore_errors=True)
    return result


_EXPECT_KEYS = {"apply_error", "validate_error", "plan_error", "plan", "after_no_change_plan", "//"}


def _read_expectations(steps):
    """expect.json of every step, checked before anything runs; (dict per step, problems)."""
    out, problems = [], []
    for s in steps:
        exp = {}
        ep = os.path.join(s, "expect.json")
        if os.path.exists(ep):
            try:
                with open(ep) as f:
                    exp = json.load(f)
            except ValueError as e:
                problems.append("%s: invalid expect.json: %s" % (s, e))
                exp = {}
            if not isinstance(exp, dict):
                problems.append("%s: expect.json must be a JSON object" % s)
                exp = {}
            unknown = set(exp) - _EXPECT_KEYS
            if unknown:
                problems.append("%s: unknown expect.json keys %s" % (s, sorted(unknown)))
        out.append(exp)
    return out, problems


def _run_steps(runner, result, steps, state_path, provider_addr, destroy=True):
    expectations, problems = _read_expectations(steps)
    if problems:
        result.violations.extend(problems)
        return
    state = State(state_path, provider_addr)
    failed_at = None
    for s, exp in zip(steps, expectations):
        try:
            cfg = cfgmod.load_dir(s)
            local = _single_provider(cfg, state)
            if local in cfg.providers:
                runner.last_provider_body = cfg.providers[local][0]
        except ConfigError:
            pass  # reported by run_step
        if failed_at is not None:
            runner.say("=== step %s: not run (step %s failed)" % (os.path.basename(s), failed_at))
            result.violations.append("%s: not run because step %s failed" % (os.path.basename(s), failed_at))
            continue
        sr = runner.run_step(s, state, exp)
        if not sr.ok:
            failed_at = sr.name
    result.final_state = state
    if not destroy and failed_at is None:
        return
    # like `terraform destroy` after the last step, so nothing is left behind
    runner.run_step(None, state, {}, final_destroy=True)
    if state.objects:
        result.violations.append("state is not empty after destroy: %s" % sorted(state.objects))


# ------------------------------------------------------------------ real terraform

class TerraformStep:
    def __init__(self, name):
        self.name = name
        self.rc = None
        self.plan = None  # the "Plan: ..." / "No changes." line
        self.second_plan_rc = None  # terraform plan -detailed-exitcode: 0 no changes, 2 changes
        self.expected_error = False
        self.output = ""

    @property
    def ok(self):
        if self.expected_error:
            return self.rc != 0
        return self.rc == 0 and self.second_plan_rc in (0, None)


class TerraformResult:
    def __init__(self):
        self.steps = []
        self.destroy_rc = None
        self.destroy_output = ""

    @property
    def ok(self):
        return all(s.ok for s in self.steps) and self.destroy_rc == 0


def run_with_terraform(path, provider_binary, env=None, terraform=None, workdir=None):
    """Run a scenario's steps with a real terraform, as the README describes: a dev_overrides
    CLI config pointing at provider_binary, `terraform apply -state=<shared>` per step, then
    `terraform plan -detailed-exitcode` (skipped when expect.json says after_no_change_plan
    false or expects an error), and `terraform destroy` at the end.  Returns TerraformResult
    with each step's exit codes and Plan line, for comparison with run_scenario()."""
    import shutil
    import tempfile
    terraform = terraform or shutil.which("terraform")
    if not terraform:
        raise ConfigError("No terraform", "terraform is not installed")
    steps = list_steps(path)
    cfg = None
    for s in steps:
        cfg = cfgmod.load_dir(s)
        if cfg.resources or cfg.providers:
            break
    local = _single_provider(cfg, None)
    source = cfg.required_providers.get(local, "hashicorp/" + local)
    work = workdir or tempfile.mkdtemp(prefix="tf-run-")
    try:
        return _run_with_terraform(terraform, steps, local, source, work, provider_binary, env)
    finally:
        if workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def _run_with_terraform(terraform, steps, local, source, work, provider_binary, env):
    import subprocess
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "terraform-provider-" + local)
    if not os.path.exists(link):
        os.symlink(os.path.abspath(provider_binary), link)
    rc_path = os.path.join(work, "terraformrc")
    with open(rc_path, "w") as f:
        f.write('provider_installation {\n  dev_overrides {\n    %s = %s\n  }\n  direct {}\n}\n'
                % (json.dumps(source), json.dumps(bindir)))
    full_env = dict(os.environ)
    for k, v in (env or {}).items():
        if v is None:
            full_env.pop(k, None)
        else:
            full_env[k] = v
    full_env.update({"TF_CLI_CONFIG_FILE": rc_path, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
                     "TF_DATA_DIR": os.path.join(work, "tfdata")})
    state = os.path.join(work, "terraform.tfstate")

    def tf(d, *args):
        return subprocess.run([terraform, "-chdir=" + d, *args, "-input=false", "-no-color", "-state=" + state],
                              env=full_env, capture_output=True, text=True, timeout=1800)

    out = TerraformResult()
    for s in steps:
        st = TerraformStep(os.path.basename(s))
        exp = {}
        ep = os.path.join(s, "expect.json")
        if os.path.exists(ep):
            with open(ep) as f:
                exp = json.load(f)
        st.expected_error = any(k in exp for k in ("validate_error", "plan_error", "apply_error"))
        r = tf(s, "apply", "-auto-approve")
        st.rc, st.output = r.returncode, r.stdout + r.stderr
        for ln in r.stdout.splitlines():
            if ln.startswith(("Plan:", "No changes.")):
                st.plan = ln.strip()
                break
        if r.returncode == 0 and exp.get("after_no_change_plan", True):
            st.second_plan_rc = tf(s, "plan", "-detailed-exitcode").returncode
        out.steps.append(st)
    r = tf(steps[-1], "destroy", "-auto-approve")
    out.destroy_rc, out.destroy_output = r.returncode, r.stdout + r.stderr
    return out


def plan_lines(result: Result):
    """Each step's first "Plan: ..." / "No changes." line from a driver Result, by step name."""
    out = {}
    current = None
    for ln in result.transcript_lines:
        if ln.startswith("=== step "):
            current = ln[len("=== step "):].split(":")[0]
            continue
        if ln.startswith("--- second plan"):
            current = None
        if current and current not in out and ln.startswith(("Plan:", "No changes.")):
            out[current] = ln.strip()
    return out
