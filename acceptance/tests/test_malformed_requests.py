"""A request that is not valid protobuf gets an error diagnostic in the
method's own response (never a crash), and the provider keeps serving."""

import pytest

from acceptance.driver import plugin


GARBAGE = [b"\xff\xff\xff\xff", b"\x0a\xff\x01", b"\x12\x05abc", b"\x08" * 11]


@pytest.mark.parametrize("method,response", [
    ("PlanResourceChange", "PlanResourceChange.Response"),
    ("ConfigureProvider", "ConfigureProvider.Response"),
    ("ReadResource", "ReadResource.Response"),
    ("StopProvider", "StopProvider.Response"),
])
def test_garbage_request_gets_a_diagnostic(binary, method, response):
    with plugin.start_provider(binary) as p:
        resp_cls = p.pb
        for part in response.split("."):
            resp_cls = getattr(resp_cls, part)
        call = p.channel.unary_unary(f"/tfplugin6.Provider/{method}",
                                     request_serializer=lambda b: b,
                                     response_deserializer=resp_cls.FromString)
        for body in GARBAGE:
            resp = call(body, timeout=10)
            if method == "StopProvider":
                assert "malformed StopProvider request" in resp.Error
            else:
                assert [d.summary for d in resp.diagnostics] == ["Malformed request"]
                assert resp.diagnostics[0].severity == p.pb.Diagnostic.ERROR
        # still serving
        assert p.health() == "SERVING"
        p.stub.GetProviderSchema(p.pb.GetProviderSchema.Request(), timeout=10)
