"""A small FAKE Terraform provider in Python, for testing the protocol driver.

It is a real tfplugin6 gRPC server managing one resource type, ``fake_thing``, in a "cloud"
shared by all of its instances, so that, as with Terraform, a fresh provider can be started
for every walk.  ``bugs`` switch on misbehaviours that the driver must catch.

Two ways to run it:
* in-process, plaintext on 127.0.0.1 (``factory(cloud)``), with an in-memory Cloud;
* as a go-plugin plugin process (``python3 test_scenario_fakeprovider.py serve``): the
  go-plugin handshake with AutoMTLS (server cert printed in the handshake line, client cert
  from PLUGIN_CLIENT_CERT required), a unix socket, grpc.health.v1 and GRPCController, and
  the cloud kept in the JSON file $FAKE_CLOUD_FILE with bugs from $FAKE_BUGS (the socket
  goes in a new directory under $FAKE_SOCKET_DIR, default the system temp directory).  That is what
  lets the same fake run under plugin.start_provider (the CLI) and under a real terraform.

This file holds no tests; pytest collects nothing from it.
"""

import base64
import fcntl
import functools
import json
import os
import sys
import tempfile
import threading
from concurrent import futures

if __name__ == "__main__":  # run as a plugin process: make the repository importable
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))

from acceptance.driver import cty, plugin  # noqa: E402
from acceptance.driver.cty import NullVal, UnknownVal  # noqa: E402

plugin.stubs_path()
import grpc  # noqa: E402
import tfplugin6_pb2 as pb  # noqa: E402
import tfplugin6_pb2_grpc as pbg  # noqa: E402

PROVIDER_SCHEMA = pb.Schema(block=pb.Schema.Block(attributes=[
    pb.Schema.Attribute(name="region", type=b'"string"', optional=True),
    pb.Schema.Attribute(name="api_key", type=b'"string"', optional=True, sensitive=True),
]))

RESOURCE_SCHEMA = pb.Schema(version=1, block=pb.Schema.Block(
    attributes=[
        pb.Schema.Attribute(name="id", type=b'"string"', computed=True),
        pb.Schema.Attribute(name="arn", type=b'"string"', computed=True),
        pb.Schema.Attribute(name="name", type=b'"string"', required=True),
        pb.Schema.Attribute(name="size", type=b'"number"', optional=True),
        pb.Schema.Attribute(name="mode", type=b'"string"', optional=True, computed=True),
        pb.Schema.Attribute(name="tags", type=b'["map","string"]', optional=True),
        pb.Schema.Attribute(name="peer", type=b'"string"', optional=True),
        pb.Schema.Attribute(name="secret", type=b'"string"', optional=True, write_only=True),
        pb.Schema.Attribute(name="members", optional=True, nested_type=pb.Schema.Object(
            nesting=pb.Schema.Object.LIST, attributes=[
                pb.Schema.Attribute(name="user", type=b'"string"', required=True),
                pb.Schema.Attribute(name="role", type=b'"string"', optional=True)])),
        pb.Schema.Attribute(name="endpoint", computed=True, nested_type=pb.Schema.Object(
            nesting=pb.Schema.Object.SINGLE, attributes=[
                pb.Schema.Attribute(name="host", type=b'"string"', computed=True),
                pb.Schema.Attribute(name="port", type=b'"number"', computed=True)])),
    ],
    block_types=[pb.Schema.NestedBlock(type_name="rule", nesting=pb.Schema.NestedBlock.LIST, max_items=2,
                                       block=pb.Schema.Block(attributes=[
                                           pb.Schema.Attribute(name="port", type=b'"number"', required=True),
                                           pb.Schema.Attribute(name="cidr", type=b'"string"', required=True)]))]))


def _block(schema):
    from acceptance.driver import objchange
    return objchange.block_from_proto(schema.block)


RES_BLOCK = _block(RESOURCE_SCHEMA)
RES_TY = RES_BLOCK.implied_type()
PROV_TY = _block(PROVIDER_SCHEMA).implied_type()


def dec(dv, ty=RES_TY):
    return cty.msgpack_unmarshal(dv.msgpack, ty)


def enc(v, ty=RES_TY):
    return pb.DynamicValue(msgpack=cty.msgpack_marshal(v, ty))


def err(summary, detail="", attr=None):
    d = pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)
    if attr:
        d.attribute.steps.add(attribute_name=attr)
    return d


class Cloud:
    """The fake's remote API: objects by id, shared by every provider instance.
    With ``path`` it lives in a JSON file (for provider processes), else in memory."""

    def __init__(self, bugs=(), path=None):
        self.path = path
        self.objects = {}
        self.next_id = 1
        self.bugs = set(bugs)
        self.calls = []
        self.plans = 0
        self.lock = threading.RLock()
        self.upgrade_requests = []
        if path:
            self.load()

    def load(self):
        if not self.path or not os.path.exists(self.path):
            return
        with open(self.path) as f:
            doc = json.load(f)
        self.objects = {k: cty.json_unmarshal(json.dumps(v).encode(), RES_TY) for k, v in doc["objects"].items()}
        self.next_id = doc["next_id"]
        self.plans = doc["plans"]
        self.calls = doc["calls"]
        self.upgrade_requests = [tuple(x) for x in doc["upgrade_requests"]]

    def save(self):
        if not self.path:
            return
        doc = {"objects": {k: json.loads(cty.json_marshal(v, RES_TY)) for k, v in self.objects.items()},
               "next_id": self.next_id, "plans": self.plans, "calls": self.calls,
               "upgrade_requests": self.upgrade_requests}
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f)
        os.replace(tmp, self.path)


def _synced(method):
    """Each RPC sees and leaves the cloud consistent, also across provider processes."""
    @functools.wraps(method)
    def wrapper(self, req, ctx):
        with self.cloud.lock:
            if not self.cloud.path:
                return method(self, req, ctx)
            with open(self.cloud.path + ".lock", "w") as lk:
                fcntl.flock(lk, fcntl.LOCK_EX)
                self.cloud.load()
                try:
                    return method(self, req, ctx)
                finally:
                    self.cloud.save()
    return wrapper


class FakeProvider(pbg.ProviderServicer):
    def __init__(self, cloud):
        self.cloud = cloud
        self.configured = False

    def _log(self, name):
        self.cloud.calls.append(name)

    @_synced
    def GetMetadata(self, req, ctx):
        self._log("GetMetadata")
        return pb.GetMetadata.Response(resources=[pb.GetMetadata.ResourceMetadata(type_name="fake_thing")],
                                       server_capabilities=pb.ServerCapabilities(plan_destroy=True))

    @_synced
    def GetProviderSchema(self, req, ctx):
        self._log("GetProviderSchema")
        return pb.GetProviderSchema.Response(provider=PROVIDER_SCHEMA, resource_schemas={"fake_thing": RESOURCE_SCHEMA},
                                             server_capabilities=pb.ServerCapabilities(plan_destroy=True))

    @_synced
    def ValidateProviderConfig(self, req, ctx):
        self._log("ValidateProviderConfig")
        dec(req.config, PROV_TY)
        return pb.ValidateProviderConfig.Response()

    @_synced
    def ConfigureProvider(self, req, ctx):
        self._log("ConfigureProvider")
        c = dec(req.config, PROV_TY)
        if c.get_attr("region").is_null():
            return pb.ConfigureProvider.Response(diagnostics=[err("Missing region", attr="region")])
        self.configured = True
        return pb.ConfigureProvider.Response()

    @_synced
    def ValidateResourceConfig(self, req, ctx):
        self._log("ValidateResourceConfig")
        c = dec(req.config)
        size = c.get_attr("size")
        if size.known and not size.is_null() and size.v < 0:
            return pb.ValidateResourceConfig.Response(diagnostics=[
                err("Invalid size", "size must be at least 0", attr="size")])
        if size.known and not size.is_null() and size.v > 100:
            w = pb.Diagnostic(severity=pb.Diagnostic.WARNING, summary="Large size", detail="sizes over 100 are slow")
            w.attribute.steps.add(attribute_name="size")
            return pb.ValidateResourceConfig.Response(diagnostics=[w])
        return pb.ValidateResourceConfig.Response()

    @_synced
    def UpgradeResourceState(self, req, ctx):
        self._log("UpgradeResourceState")
        raw = json.loads(req.raw_state.json)
        self.cloud.upgrade_requests.append((req.version, json.loads(req.raw_state.json)))
        if req.version == 0 and "size_gb" in raw:  # a version-0 attribute renamed in version 1
            raw["size"] = raw.pop("size_gb")
        v = cty.json_unmarshal(json.dumps(raw).encode(), RES_TY)
        return pb.UpgradeResourceState.Response(upgraded_state=enc(v))

    def _need_configured(self):
        if not self.configured:
            return [err("Provider not configured", "ConfigureProvider was not called on this instance")]
        return []

    @_synced
    def ReadResource(self, req, ctx):
        self._log("ReadResource")
        d = self._need_configured()
        if d:
            return pb.ReadResource.Response(diagnostics=d)
        cur = dec(req.current_state)
        oid = cur.get_attr("id").v
        with self.cloud.lock:
            stored = self.cloud.objects.get(oid)
        if stored is None:
            return pb.ReadResource.Response(new_state=enc(NullVal(RES_TY)))
        if not req.private.startswith(b"v1:") and "read_no_private_check" not in self.cloud.bugs:
            return pb.ReadResource.Response(diagnostics=[err("Private data lost", repr(req.private))])
        v = stored
        if "read_drift" in self.cloud.bugs:
            v = cty.ObjectVal({**v.v, "size": cty.NumberVal(999)})
        if "read_wrong_type" in self.cloud.bugs:
            bad = dict(v.v)
            del bad["tags"]
            short = cty.ObjectVal(bad)
            return pb.ReadResource.Response(new_state=pb.DynamicValue(json=cty.json_marshal(short, short.ty)),
                                            private=req.private)
        if "read_secret" in self.cloud.bugs:
            v = cty.ObjectVal({**v.v, "secret": cty.StringVal("leaked")})
        return pb.ReadResource.Response(new_state=enc(v), private=req.private)

    @_synced
    def PlanResourceChange(self, req, ctx):
        self._log("PlanResourceChange")
        d = self._need_configured()
        if d:
            return pb.PlanResourceChange.Response(diagnostics=d)
        prior = dec(req.prior_state)
        proposed = dec(req.proposed_new_state)
        config = dec(req.config)
        if proposed.is_null():
            return pb.PlanResourceChange.Response(planned_state=enc(proposed), planned_private=req.prior_private)
        p = dict(proposed.v)
        rr = []
        with self.cloud.lock:
            self.cloud.plans += 1
            nplan = self.cloud.plans
        if prior.is_null():
            p["id"] = UnknownVal(cty.STRING)
            p["arn"] = UnknownVal(cty.STRING, {"notnull": True, "prefix": "arn:fake:"})
            p["endpoint"] = UnknownVal(RES_TY.attrs["endpoint"])
        else:
            if not prior.get_attr("name").raw_equals(config.get_attr("name")):
                step = pb.AttributePath()
                step.steps.add(attribute_name="name")
                rr.append(step)
            if "plan_bad_requires_replace" in self.cloud.bugs:
                step = pb.AttributePath()
                step.steps.add(attribute_name="no_such_attribute")
                rr.append(step)
            if "apply_plan_replaces" in self.cloud.bugs and nplan % 2 == 0:
                step = pb.AttributePath()
                step.steps.add(attribute_name="size")
                rr.append(step)
        if config.get_attr("mode").is_null() and p["mode"].is_null():
            p["mode"] = cty.StringVal("standard")
            if "final_plan_differs" in self.cloud.bugs and nplan % 2 == 0:
                p["mode"] = cty.StringVal("premium")
        p["secret"] = NullVal(cty.STRING)
        if "plan_changes_config" in self.cloud.bugs:
            p["name"] = cty.StringVal(config.get_attr("name").v.upper())
        if "plan_write_only" in self.cloud.bugs:
            p["secret"] = config.get_attr("secret")  # equal to config: only the write-only rule fires
        if "plan_other_write_only" in self.cloud.bugs:
            p["secret"] = cty.StringVal("s3cr3t")
        if "plan_unknown_size" in self.cloud.bugs and not config.get_attr("size").is_null():
            p["size"] = UnknownVal(cty.NUMBER)
        planned = cty.ObjectVal(p)
        if "plan_deferred" in self.cloud.bugs:
            return pb.PlanResourceChange.Response(planned_state=enc(planned),
                                                  deferred=pb.Deferred(reason=pb.Deferred.PROVIDER_CONFIG_UNKNOWN))
        if "plan_garbage" in self.cloud.bugs:
            return pb.PlanResourceChange.Response(planned_state=pb.DynamicValue(msgpack=b"\xc1"))
        if "plan_missing_attribute" in self.cloud.bugs:
            del p["tags"]
            short = cty.ObjectVal(p)
            return pb.PlanResourceChange.Response(planned_state=enc(short, short.ty), planned_private=b"planned")
        return pb.PlanResourceChange.Response(planned_state=enc(planned), requires_replace=rr,
                                              planned_private=b"planned")

    @_synced
    def ApplyResourceChange(self, req, ctx):
        self._log("ApplyResourceChange")
        d = self._need_configured()
        if d:
            return pb.ApplyResourceChange.Response(diagnostics=d)
        prior = dec(req.prior_state)
        planned = dec(req.planned_state)
        config = dec(req.config)
        if planned.is_null():
            oid = prior.get_attr("id").v
            with self.cloud.lock:
                self.cloud.objects.pop(oid, None)
            if "delete_returns_object" in self.cloud.bugs:
                return pb.ApplyResourceChange.Response(new_state=enc(prior))
            return pb.ApplyResourceChange.Response(new_state=enc(NullVal(RES_TY)))
        if req.planned_private != b"planned":
            return pb.ApplyResourceChange.Response(diagnostics=[err("Planned private data lost", repr(req.planned_private))])
        n = dict(planned.v)
        if prior.is_null():
            with self.cloud.lock:
                oid = "t-%d" % self.cloud.next_id
                self.cloud.next_id += 1
            n["id"] = cty.StringVal(oid)
            n["arn"] = cty.StringVal("arn:fake:" + oid)
            n["endpoint"] = cty.ObjectVal({"host": cty.StringVal(oid + ".fake"), "port": cty.NumberVal(6379)})
        oid = n["id"].v
        if not n["size"].known:
            n["size"] = cty.NumberVal(5)
        if "apply_changes_known" in self.cloud.bugs and not n["size"].is_null():
            n["size"] = cty.NumberVal(n["size"].v + 1)
        if "apply_leaves_unknown" in self.cloud.bugs:
            n["arn"] = UnknownVal(cty.STRING)
        if "apply_breaks_refinement" in self.cloud.bugs:
            n["arn"] = cty.StringVal("wrong:" + oid)
        if "apply_returns_secret" in self.cloud.bugs:
            n["secret"] = config.get_attr("secret")
        new = cty.ObjectVal(n)
        stored = cty.unknown_as_null(cty.ObjectVal({**n, "secret": NullVal(cty.STRING)}))
        if "apply_error_partial" in self.cloud.bugs and not config.get_attr("name").v.startswith("ok"):
            with self.cloud.lock:
                self.cloud.objects[oid] = stored
            return pb.ApplyResourceChange.Response(new_state=enc(cty.unknown_as_null(new)), private=b"v1:" + oid.encode(),
                                                   diagnostics=[err("Waiting for thing failed", "the thing never became available")])
        with self.cloud.lock:
            self.cloud.objects[oid] = stored
        return pb.ApplyResourceChange.Response(new_state=enc(new), private=b"v1:" + oid.encode())

    @_synced
    def ImportResourceState(self, req, ctx):
        self._log("ImportResourceState")
        st = cty.ObjectVal({**RES_BLOCK.empty_value().v, "id": cty.StringVal(req.id)})
        return pb.ImportResourceState.Response(imported_resources=[
            pb.ImportResourceState.ImportedResource(type_name="fake_thing", state=enc(st), private=b"v1:" + req.id.encode())])

    def StopProvider(self, req, ctx):
        return pb.StopProvider.Response()


class Handle:
    def __init__(self, cloud):
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        pbg.add_ProviderServicer_to_server(FakeProvider(cloud), self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.channel = grpc.insecure_channel("127.0.0.1:%d" % port)
        self.stub = pbg.ProviderStub(self.channel)
        self.pb = pb

    def shutdown(self):
        self.channel.close()
        self.server.stop(None)


def factory(cloud):
    return lambda: Handle(cloud)




# ---------------------------------------------------------------- go-plugin server

def serve():
    """Run as a go-plugin gRPC plugin (what terraform and plugin.start_provider expect)."""
    import grpc_controller_pb2_grpc
    import grpc_controller_pb2
    import grpc_health_v1_pb2
    import grpc_health_v1_pb2_grpc
    from acceptance.driver import certs

    if os.environ.get(plugin.MAGIC_COOKIE_KEY) != plugin.MAGIC_COOKIE_VALUE:
        sys.stderr.write("This binary is a plugin. These are not meant to be executed directly.\n")
        return 1
    versions = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "6").split(",")
    if "6" not in versions:
        sys.stderr.write("no supported protocol version offered\n")
        return 1
    cloud = Cloud([b for b in os.environ.get("FAKE_BUGS", "").split(",") if b],
                  path=os.environ["FAKE_CLOUD_FILE"])
    stop = threading.Event()

    class Health(grpc_health_v1_pb2_grpc.HealthServicer):
        def Check(self, req, ctx):
            return grpc_health_v1_pb2.HealthCheckResponse(status=grpc_health_v1_pb2.HealthCheckResponse.SERVING)

    class Controller(grpc_controller_pb2_grpc.GRPCControllerServicer):
        def Shutdown(self, req, ctx):
            stop.set()
            return grpc_controller_pb2.Empty()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    pbg.add_ProviderServicer_to_server(FakeProvider(cloud), server)
    grpc_health_v1_pb2_grpc.add_HealthServicer_to_server(Health(), server)
    grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(), server)
    sockdir = tempfile.mkdtemp(prefix="fakeplugin-", dir=os.environ.get("FAKE_SOCKET_DIR") or None)
    sock = os.path.join(sockdir, "plugin.sock")
    client_pem = os.environ.get("PLUGIN_CLIENT_CERT")
    cert_field = ""
    if client_pem:
        mine = certs.generate_client_cert()
        creds = grpc.ssl_server_credentials([(mine.key_pem, mine.cert_pem)],
                                            root_certificates=client_pem.encode(), require_client_auth=True)
        server.add_secure_port("unix:" + sock, creds)
        from cryptography.hazmat.primitives import serialization
        der = mine.certificate.public_bytes(serialization.Encoding.DER)
        cert_field = base64.b64encode(der).decode().rstrip("=")
    else:
        server.add_insecure_port("unix:" + sock)
    server.start()
    sys.stdout.write("1|6|unix|%s|grpc|%s\n" % (sock, cert_field))
    sys.stdout.flush()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    # clean up first: go-plugin clients kill the process soon after Shutdown
    try:
        os.unlink(sock)
        os.rmdir(sockdir)
    except OSError:
        pass
    server.stop(0.5)
    return 0


def write_launcher(directory, name="terraform-provider-fake"):
    """An executable that starts this fake as a plugin process; returns its path."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec /usr/bin/python3 %s serve\n" % os.path.abspath(__file__))
    os.chmod(path, 0o755)
    return path


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        sys.exit(serve())
    sys.stderr.write("usage: %s serve\n" % sys.argv[0])
    sys.exit(2)
