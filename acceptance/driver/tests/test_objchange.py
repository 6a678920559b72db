"""Each of Terraform's objchange rules fires on a bad plan/result and stays quiet on a good one."""

import pytest

from acceptance.driver import cty, objchange
from acceptance.driver.cty import (NUMBER, STRING, BoolVal, List, ListVal, ListValEmpty, MapVal,
                                   NullVal, NumberVal, ObjectVal, SetVal, SetValEmpty, StringVal,
                                   UnknownVal)
from acceptance.driver.objchange import (Attribute, Block, NestedBlock, NestedObject,
                                         assert_object_compatible, assert_plan_valid,
                                         format_error, format_error_prefixed, proposed_new)


def A(name, ty=STRING, **kw):
    return Attribute(name, ty, **kw)


# A schema shaped like a typical resource: required, optional, computed, optional+computed,
# sensitive, write-only, a nested attribute, a list block and a set block.
RULE = Block({"port": A("port", NUMBER, required=True), "cidr": A("cidr", required=True)})
SCHEMA = Block(
    {
        "name": A("name", required=True),
        "desc": A("desc", optional=True),
        "id": A("id", computed=True),
        "engine": A("engine", optional=True, computed=True),
        "password": A("password", optional=True, sensitive=True),
        "token": A("token", optional=True, write_only=True),
        "tags": A("tags", cty.Map(STRING), optional=True),
        "endpoint": Attribute("endpoint", nested=NestedObject(
            {"host": A("host", computed=True), "port": A("port", NUMBER, optional=True)}, "single"),
            optional=True, computed=True),
        "users": Attribute("users", nested=NestedObject(
            {"name": A("name", required=True), "arn": A("arn", computed=True)}, "list"), optional=True),
    },
    {
        "rule": NestedBlock(RULE, "list", max_items=3),
        "param": NestedBlock(Block({"k": A("k", required=True), "v": A("v", optional=True),
                                    "applied": A("applied", cty.BOOL, computed=True)}), "set"),
        "timeouts": NestedBlock(Block({"create": A("create", optional=True)}), "single"),
    },
)
TY = SCHEMA.implied_type()


def obj(**kw):
    """A full object of the schema's type: unspecified attributes null/empty."""
    base = SCHEMA.empty_value().v.copy()
    for k, v in kw.items():
        base[k] = v
    return ObjectVal(base)


def cfg(**kw):
    kw.setdefault("name", StringVal("n"))
    return obj(**kw)


def msgs(errs):
    return [format_error(e) for e in errs]


# ------------------------------------------------------------------ schema

def test_implied_type():
    assert TY.attrs["rule"] == List(RULE.implied_type())
    assert TY.attrs["param"].is_set()
    assert TY.attrs["timeouts"].is_object()
    assert TY.attrs["endpoint"] == cty.Object({"host": STRING, "port": NUMBER})
    assert TY.attrs["users"] == List(cty.Object({"name": STRING, "arn": STRING}))


def test_empty_value():
    ev = SCHEMA.empty_value()
    assert ev.get_attr("rule").raw_equals(ListValEmpty(RULE.implied_type()))
    assert ev.get_attr("timeouts").is_null()
    assert ev.get_attr("name").is_null()


def test_block_from_proto():
    from acceptance.driver import plugin
    plugin.stubs_path()
    import tfplugin6_pb2 as pb
    blk = pb.Schema.Block(
        attributes=[pb.Schema.Attribute(name="a", type=b'"string"', required=True),
                    pb.Schema.Attribute(name="n", nested_type=pb.Schema.Object(
                        nesting=pb.Schema.Object.LIST,
                        attributes=[pb.Schema.Attribute(name="x", type=b'"number"', optional=True)]),
                        optional=True),
                    pb.Schema.Attribute(name="w", type=b'"string"', optional=True, write_only=True)],
        block_types=[pb.Schema.NestedBlock(type_name="b", nesting=pb.Schema.NestedBlock.SET, min_items=1,
                                           block=pb.Schema.Block(attributes=[
                                               pb.Schema.Attribute(name="c", type=b'["list","bool"]', computed=True)]))])
    b = objchange.block_from_proto(blk)
    assert b.attributes["w"].write_only
    assert b.block_types["b"].min_items == 1
    assert b.implied_type() == cty.Object({
        "a": STRING, "w": STRING, "n": List(cty.Object({"x": NUMBER})),
        "b": cty.Set(cty.Object({"c": List(cty.BOOL)}))})
    with pytest.raises(cty.CtyError):
        objchange.block_from_proto(pb.Schema.Block(attributes=[pb.Schema.Attribute(name="bad", optional=True)]))


def test_schema_problems():
    bad = Block({"x": A("x"), "y": A("y", required=True, optional=True), "z": A("z", computed=True, write_only=True)})
    p = objchange.schema_problems(bad)
    assert any("x: must set" in s for s in p)
    assert any("y: cannot set both" in s for s in p)
    assert any("z: write-only attributes cannot be computed" in s for s in p)
    assert objchange.schema_problems(SCHEMA) == []


# ------------------------------------------------------------------ ProposedNew

def test_proposed_new_create_takes_config():
    c = cfg(desc=StringVal("d"))
    p = proposed_new(SCHEMA, NullVal(TY), c)
    assert p.get_attr("desc").v == "d"
    assert p.get_attr("id").is_null()  # computed, no prior: null (provider makes it unknown)


def test_proposed_new_keeps_computed_from_prior():
    prior = obj(name=StringVal("n"), id=StringVal("i-1"), engine=StringVal("redis"), desc=StringVal("old"))
    c = cfg(desc=NullVal(STRING))
    p = proposed_new(SCHEMA, prior, c)
    assert p.get_attr("id").v == "i-1"
    assert p.get_attr("engine").v == "redis"       # optional+computed, unset: prior
    assert p.get_attr("desc").is_null()            # optional only: config wins, even null
    c2 = cfg(engine=StringVal("valkey"))
    assert proposed_new(SCHEMA, prior, c2).get_attr("engine").v == "valkey"


def test_proposed_new_both_null():
    assert proposed_new(SCHEMA, NullVal(TY), NullVal(TY)).is_null()


def test_proposed_new_nested_attribute_merges_computed():
    ety = TY.attrs["users"].elem
    prior = obj(name=StringVal("n"), users=ListVal([ObjectVal({"name": StringVal("u"), "arn": StringVal("arn:1")})]))
    c = cfg(users=ListVal([ObjectVal({"name": StringVal("u"), "arn": NullVal(STRING)}),
                           ObjectVal({"name": StringVal("v"), "arn": NullVal(STRING)})]))
    p = proposed_new(SCHEMA, prior, c)
    us = p.get_attr("users").elements()
    assert us[0].get_attr("arn").v == "arn:1"
    assert us[1].get_attr("arn").is_null()
    assert p.get_attr("users").ty == List(ety)


def test_proposed_new_set_block_correlates_on_config_attrs():
    pty = TY.attrs["param"].elem
    prior = obj(name=StringVal("n"), param=SetVal([
        ObjectVal({"k": StringVal("a"), "v": StringVal("1"), "applied": BoolVal(True)}),
        ObjectVal({"k": StringVal("b"), "v": StringVal("2"), "applied": BoolVal(False)})]))
    c = cfg(param=SetVal([ObjectVal({"k": StringVal("a"), "v": StringVal("1"), "applied": NullVal(cty.BOOL)}),
                          ObjectVal({"k": StringVal("b"), "v": StringVal("3"), "applied": NullVal(cty.BOOL)})]))
    p = proposed_new(SCHEMA, prior, c)
    got = {e.get_attr("k").v: e for e in p.get_attr("param").elements()}
    assert got["a"].get_attr("applied").v is True      # unchanged element keeps computed value
    assert got["b"].get_attr("applied").is_null()      # changed element is new: no prior
    assert p.get_attr("param").ty == cty.Set(pty)


def test_proposed_new_list_block_by_index():
    prior = obj(name=StringVal("n"), rule=ListVal([ObjectVal({"port": NumberVal(1), "cidr": StringVal("a")})]))
    c = cfg(rule=ListVal([ObjectVal({"port": NumberVal(2), "cidr": StringVal("a")})]))
    p = proposed_new(SCHEMA, prior, c)
    assert p.get_attr("rule").elements()[0].get_attr("port").v == 2


# ------------------------------------------------------------------ AssertPlanValid

def good_plan_for(c, prior=None):
    """What a well-behaved provider plans: proposed value with unknown computed attrs."""
    p = proposed_new(SCHEMA, prior if prior is not None else NullVal(TY), c)
    d = dict(p.v)
    if d["id"].is_null():
        d["id"] = UnknownVal(STRING)
    if d["engine"].is_null():
        d["engine"] = UnknownVal(STRING, {"notnull": True})
    d["token"] = NullVal(STRING)
    return ObjectVal(d)


def test_plan_valid_quiet_on_good_plan():
    c = cfg(desc=StringVal("d"), token=StringVal("secret"),
            rule=ListVal([ObjectVal({"port": NumberVal(6379), "cidr": StringVal("10.0.0.0/8")})]))
    assert assert_plan_valid(SCHEMA, NullVal(TY), c, good_plan_for(c)) == []


def test_plan_changes_non_computed_attribute():
    c = cfg(desc=StringVal("a"))
    plan = good_plan_for(c)
    plan = ObjectVal({**plan.v, "desc": StringVal("b")})
    errs = assert_plan_valid(SCHEMA, NullVal(TY), c, plan)
    assert msgs(errs) == ['.desc: planned value cty.StringVal("b") does not match config value cty.StringVal("a")']
    assert format_error_prefixed(errs[0], "secure_x.y") == \
        'secure_x.y.desc: planned value cty.StringVal("b") does not match config value cty.StringVal("a")'


def test_plan_with_prior_mentions_prior_and_allows_prior_value():
    prior = good_plan_for(cfg(desc=StringVal("old")))
    prior = ObjectVal({**prior.v, "id": StringVal("i"), "engine": StringVal("redis")})
    c = cfg(desc=StringVal("new"))
    bad = ObjectVal({**prior.v, "desc": StringVal("other")})
    assert msgs(assert_plan_valid(SCHEMA, prior, c, bad)) == [
        '.desc: planned value cty.StringVal("other") does not match config value cty.StringVal("new") '
        'nor prior value cty.StringVal("old")']
    # returning the prior value instead of config is allowed (functionally equivalent values)
    keep = ObjectVal({**prior.v, "desc": StringVal("old")})
    assert assert_plan_valid(SCHEMA, prior, c, keep) == []


def test_plan_value_for_unset_non_computed_attribute():
    c = cfg()
    plan = ObjectVal({**good_plan_for(c).v, "desc": StringVal("x")})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, plan)) == [
        '.desc: planned value cty.StringVal("x") for a non-computed attribute']


def test_plan_sensitive_messages_hide_values():
    c = cfg(password=StringVal("p1"))
    plan = ObjectVal({**good_plan_for(c).v, "password": StringVal("p2")})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, plan)) == [
        ".password: sensitive planned value does not match config value"]
    c2 = cfg()
    plan2 = ObjectVal({**good_plan_for(c2).v, "password": StringVal("p2")})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c2, plan2)) == [
        ".password: sensitive planned value for a non-computed attribute"]


def test_plan_computed_attributes_are_free():
    c = cfg()
    plan = ObjectVal({**good_plan_for(c).v, "id": StringVal("anything"), "engine": StringVal("redis")})
    assert assert_plan_valid(SCHEMA, NullVal(TY), c, plan) == []
    # but an optional+computed attribute set in config must be honoured
    c2 = cfg(engine=StringVal("redis"))
    plan2 = ObjectVal({**good_plan_for(c2).v, "engine": StringVal("valkey")})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c2, plan2)) == [
        '.engine: planned value cty.StringVal("valkey") does not match config value cty.StringVal("redis")']


def test_plan_write_only_must_be_null():
    c = cfg(token=StringVal("t"))
    plan = ObjectVal({**good_plan_for(c).v, "token": StringVal("t")})
    # equal to config is the "easy path" in Terraform, so only non-null *different* values fire here;
    # the separate write-only check (non_null_write_only_paths) catches the rest.
    assert assert_plan_valid(SCHEMA, NullVal(TY), c, plan) == []
    assert [cty.format_path(p) for p in objchange.non_null_write_only_paths(plan, SCHEMA)] == [".token"]
    plan2 = ObjectVal({**good_plan_for(c).v, "token": StringVal("other")})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, plan2)) == [
        ".token: planned value for write-only attribute is not null"]
    assert objchange.non_null_write_only_paths(good_plan_for(c), SCHEMA) == []


def test_plan_refined_unknown_matches_unrefined_config():
    c = cfg(desc=UnknownVal(STRING))
    plan = ObjectVal({**good_plan_for(c).v, "desc": UnknownVal(STRING, {"notnull": True})})
    assert assert_plan_valid(SCHEMA, NullVal(TY), c, plan) == []


def test_plan_null_block_list_and_count():
    c = cfg(rule=ListVal([ObjectVal({"port": NumberVal(1), "cidr": StringVal("a")})]))
    good = good_plan_for(c)
    null_rules = ObjectVal({**good.v, "rule": NullVal(TY.attrs["rule"])})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, null_rules)) == [
        ".rule: attribute representing a list of nested blocks must be empty to indicate no blocks, not null"]
    no_rules = ObjectVal({**good.v, "rule": ListValEmpty(RULE.implied_type())})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, no_rules)) == [
        ".rule: block count in plan (0) disagrees with count in config (1)"]
    changed = ObjectVal({**good.v, "rule": ListVal([ObjectVal({"port": NumberVal(2), "cidr": StringVal("a")})])})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, changed)) == [
        ".rule[0].port: planned value cty.NumberIntVal(2) does not match config value cty.NumberIntVal(1)"]


def test_plan_single_block_existence():
    c = cfg()
    plan = ObjectVal({**good_plan_for(c).v, "timeouts": ObjectVal({"create": NullVal(STRING)})})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, plan)) == [
        ".timeouts: planned for existence but config wants absence"]


def test_plan_nested_attribute_count():
    c = cfg(users=ListVal([ObjectVal({"name": StringVal("u"), "arn": NullVal(STRING)})]))
    good = good_plan_for(c)
    assert assert_plan_valid(SCHEMA, NullVal(TY), c, good) == []
    two = ObjectVal({**good.v, "users": ListVal([ObjectVal({"name": StringVal("u"), "arn": NullVal(STRING)}),
                                                 ObjectVal({"name": StringVal("x"), "arn": NullVal(STRING)})])})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, two)) == [
        ".users: count in plan (cty.NumberIntVal(2)) disagrees with count in config (cty.NumberIntVal(1))"]
    computed_arn = ObjectVal({**good.v, "users": ListVal([ObjectVal({"name": StringVal("u"), "arn": UnknownVal(STRING)})])})
    assert assert_plan_valid(SCHEMA, NullVal(TY), c, computed_arn) == []
    renamed = ObjectVal({**good.v, "users": ListVal([ObjectVal({"name": StringVal("z"), "arn": NullVal(STRING)})])})
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, renamed)) == [
        '.users[0].name: planned value cty.StringVal("z") does not match config value cty.StringVal("u")']


def test_plan_absent_object():
    c = cfg()
    assert msgs(assert_plan_valid(SCHEMA, NullVal(TY), c, NullVal(TY))) == [
        "planned for absence but config wants existence"]


# ------------------------------------------------------- AssertObjectCompatible

def applied(plan, **kw):
    d = dict(plan.v)
    d.update(kw)
    return ObjectVal(d)


def test_compatible_quiet_when_unknowns_filled():
    c = cfg(desc=StringVal("d"))
    plan = good_plan_for(c)
    new = applied(plan, id=StringVal("i-1"), engine=StringVal("redis"))
    assert assert_object_compatible(SCHEMA, plan, new) == []


def test_compatible_known_value_changed():
    plan = good_plan_for(cfg(desc=StringVal("a")))
    new = applied(plan, id=StringVal("i"), engine=StringVal("e"), desc=StringVal("b"))
    assert msgs(assert_object_compatible(SCHEMA, plan, new)) == [
        '.desc: was cty.StringVal("a"), but now cty.StringVal("b")']


def test_compatible_null_and_unknown_transitions():
    plan = good_plan_for(cfg(desc=StringVal("a")))
    assert msgs(assert_object_compatible(SCHEMA, plan, applied(plan, id=StringVal("i"), engine=StringVal("e"), desc=NullVal(STRING)))) == [
        '.desc: was cty.StringVal("a"), but now null']
    assert msgs(assert_object_compatible(SCHEMA, plan, applied(plan, id=StringVal("i"), engine=StringVal("e"), tags=MapVal({"a": StringVal("b")})))) == [
        '.tags: was null, but now cty.MapVal(map[string]cty.Value{"a":cty.StringVal("b")})']
    assert msgs(assert_object_compatible(SCHEMA, plan, applied(plan, id=StringVal("i"), engine=StringVal("e"), desc=UnknownVal(STRING)))) == [
        ".desc: was known, but now unknown"]


def test_compatible_refinement_violated():
    plan = good_plan_for(cfg())
    new = applied(plan, id=StringVal("i"), engine=NullVal(STRING))
    assert msgs(assert_object_compatible(SCHEMA, plan, new)) == [
        ".engine: final value cty.NullVal(cty.String) does not conform to planning placeholder "
        "cty.UnknownVal(cty.String).RefineNotNull()"]


def test_compatible_sensitive_is_vague():
    plan = good_plan_for(cfg(password=StringVal("p1")))
    new = applied(plan, id=StringVal("i"), engine=StringVal("e"), password=StringVal("p2"))
    assert msgs(assert_object_compatible(SCHEMA, plan, new)) == [
        ".password: inconsistent values for sensitive attribute"]


def test_compatible_block_count_and_set():
    c = cfg(rule=ListVal([ObjectVal({"port": NumberVal(1), "cidr": StringVal("a")})]),
            param=SetVal([ObjectVal({"k": StringVal("a"), "v": NullVal(STRING), "applied": NullVal(cty.BOOL)})]))
    plan = good_plan_for(c)
    plan = applied(plan, param=SetVal([ObjectVal({"k": StringVal("a"), "v": NullVal(STRING), "applied": UnknownVal(cty.BOOL)})]))
    ok = applied(plan, id=StringVal("i"), engine=StringVal("e"),
                 param=SetVal([ObjectVal({"k": StringVal("a"), "v": NullVal(STRING), "applied": BoolVal(True)})]))
    assert assert_object_compatible(SCHEMA, plan, ok) == []
    fewer = applied(ok, rule=ListValEmpty(RULE.implied_type()))
    assert msgs(assert_object_compatible(SCHEMA, plan, fewer)) == [".rule: block count changed from 1 to 0"]
    other = applied(ok, param=SetVal([ObjectVal({"k": StringVal("zz"), "v": NullVal(STRING), "applied": BoolVal(True)})]))
    m = msgs(assert_object_compatible(SCHEMA, plan, other))
    assert len(m) == 1 and m[0].startswith(".param: planned set element cty.ObjectVal(") and \
        m[0].endswith("does not correlate with any element in actual")
    more = applied(ok, param=SetVal([ObjectVal({"k": StringVal("a"), "v": NullVal(STRING), "applied": BoolVal(True)}),
                                     ObjectVal({"k": StringVal("a"), "v": NullVal(STRING), "applied": BoolVal(False)})]))
    assert ".param: block set length changed from 1 to 2" in msgs(assert_object_compatible(SCHEMA, plan, more))


def test_compatible_root_presence():
    plan = good_plan_for(cfg())
    assert msgs(assert_object_compatible(SCHEMA, plan, NullVal(TY))) == ["Root object was present, but now absent"]
    assert msgs(assert_object_compatible(SCHEMA, NullVal(TY), plan)) == ["Root object was absent, but now present"]


def test_compatible_map_and_list_elements():
    p = MapVal({"a": StringVal("1"), "b": StringVal("2")})
    a = MapVal({"a": StringVal("1"), "c": StringVal("3")})
    assert msgs(objchange.assert_value_compatible(p, a)) == ['element "b" has vanished', 'new element "c" has appeared']
    pl = ListVal([StringVal("x")])
    al = ListVal([StringVal("x"), StringVal("y")])
    assert msgs(objchange.assert_value_compatible(pl, al)) == ["new element 1 has appeared"]
    assert msgs(objchange.assert_value_compatible(StringVal("x"), NumberVal(1))) == ["wrong final value type: a string required"]


# ------------------------------------------------------------------ config checks

def test_validate_config_rules():
    ok = cfg(rule=ListVal([ObjectVal({"port": NumberVal(1), "cidr": StringVal("a")})]))
    assert objchange.validate_config(SCHEMA, ok) == []
    missing = obj()
    probs = objchange.validate_config(SCHEMA, missing)
    assert [(cty.format_path(p), s) for p, s, _ in probs] == [(".name", "Missing required argument")]
    ro = cfg(id=StringVal("x"))  # terraform core leaves computed-only arguments to the provider
    assert objchange.validate_config(SCHEMA, ro) == []
    four = cfg(rule=ListVal([ObjectVal({"port": NumberVal(i), "cidr": StringVal("a")}) for i in range(4)]))
    assert [s for _, s, _ in objchange.validate_config(SCHEMA, four)] == ["Too many rule blocks"]
    req = Block({}, {"r": NestedBlock(RULE, "list", min_items=1)})
    assert [s for _, s, _ in objchange.validate_config(req, ObjectVal({"r": ListValEmpty(RULE.implied_type())}))] == [
        "Insufficient r blocks"]
    nested_missing = cfg(users=ListVal([ObjectVal({"name": NullVal(STRING), "arn": NullVal(STRING)})]))
    assert [(cty.format_path(p), s) for p, s, _ in objchange.validate_config(SCHEMA, nested_missing)] == [
        (".users[0].name", "Missing required argument")]
    assert SetValEmpty(STRING).length() == 0
