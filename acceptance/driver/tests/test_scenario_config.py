"""Tests for the *.tf.json reader and expression evaluation (acceptance/driver/config.py)."""

import json
from fractions import Fraction

import pytest

from acceptance.driver import config as cfgmod
from acceptance.driver import cty
from acceptance.driver.config import ConfigError, Evaluator
from acceptance.driver.cty import NUMBER, STRING, List, NumberVal, ObjectVal, StringVal, UnknownVal
from acceptance.driver.objchange import Attribute, Block, NestedBlock, NestedObject


def write(tmp_path, doc, name="main.tf.json"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(tmp_path)


def test_split_template():
    assert cfgmod.split_template("plain") == ["plain"]
    assert cfgmod.split_template("${a.b.c}") == [("expr", "a.b.c")]
    assert cfgmod.split_template("x-${a.b.c}-${d.e.f}y") == ["x-", ("expr", "a.b.c"), "-", ("expr", "d.e.f"), "y"]
    assert cfgmod.split_template("$${not} ${a.b[\"}\"]}") == ["${not} ", ("expr", 'a.b["}"]')]
    with pytest.raises(ConfigError):
        cfgmod.split_template("${a.b")
    with pytest.raises(ConfigError):
        cfgmod.split_template("%{ if x }")


def test_parse_traversal():
    root, steps = cfgmod.parse_traversal('secure_x.y.list[0].m["k"]')
    assert root == "secure_x"
    assert [s[0] for s in steps] == ["attr", "attr", "index", "attr", "index"]
    assert steps[2][1].raw_equals(NumberVal(0)) and steps[4][1].raw_equals(StringVal("k"))
    for bad in ["a + b", "upper(a.b)", "var.x[", "1abc.d"]:
        with pytest.raises(ConfigError):
            cfgmod.parse_traversal(bad)


OBJ_TY = cty.Object({"id": STRING, "n": NUMBER, "l": List(STRING)})


def lookup_known(addr):
    assert addr == "secure_x.y"
    return ObjectVal({"id": StringVal("i-1"), "n": NumberVal(3), "l": cty.ListVal([StringVal("a")])})


def test_eval_known_and_unknown():
    ev = Evaluator(lookup_known)
    assert ev.eval_string("${secure_x.y.id}").v == "i-1"
    assert ev.eval_string("${secure_x.y.l}").ty == List(STRING)  # a sole interpolation keeps the type
    assert ev.eval_string("pre-${secure_x.y.n}").v == "pre-3"
    assert ev.eval_json("${secure_x.y.n}", STRING).v == "3"        # converted to the argument type
    ev2 = Evaluator(lambda a: UnknownVal(OBJ_TY))
    v = ev2.eval_string("arn:${secure_x.y.id}:x")
    assert not v.known and v.refn == {"notnull": True, "prefix": "arn:"}
    assert not ev2.eval_string("${secure_x.y.id}").known
    with pytest.raises(ConfigError):
        ev.eval_string("${secure_x.y.nope}")
    with pytest.raises(ConfigError):
        ev.eval_string("${secure_x.y.l[5]}")


def test_convert_messages_like_cty():
    def msg(v, ty):
        with pytest.raises(cfgmod.ConvertError) as ei:
            cfgmod.convert(v, ty)
        return ei.value.message
    obj = cty.Object({"user": STRING, "role": STRING}, optional=["role"])
    assert msg(cty.TupleVal([ObjectVal({"role": StringVal("r")})]), List(obj)) == 'element 0: attribute "user" is required'
    assert msg(ObjectVal({"user": StringVal("u")}), List(obj)) == "list of object required"
    assert msg(StringVal("abc"), NUMBER) == "a number is required"
    assert msg(cty.TupleVal([StringVal("a")]), cty.Map(STRING)) == "map of string required"
    # extra attributes are dropped, as cty's object conversion does
    v = cfgmod.convert(ObjectVal({"user": StringVal("u"), "bogus": NumberVal(1)}), obj)
    assert set(v.ty.attrs) == {"user", "role"}


def test_convert():
    assert cfgmod.convert(StringVal("5"), NUMBER).v == 5
    assert cfgmod.convert(cty.TupleVal([StringVal("a")]), cty.Set(STRING)).ty == cty.Set(STRING)
    obj_ty = cty.Object({"a": STRING, "b": NUMBER}, optional=["b"])
    v = cfgmod.convert(ObjectVal({"a": StringVal("x")}), obj_ty)
    assert v.get_attr("b").is_null()
    with pytest.raises(ConfigError):
        cfgmod.convert(StringVal("x"), NUMBER)
    with pytest.raises(ConfigError):
        cfgmod.convert(ObjectVal({"zz": StringVal("x")}), obj_ty)  # "a" is required


SCHEMA = Block(
    {"name": Attribute("name", STRING, required=True),
     "size": Attribute("size", NUMBER, optional=True),
     "tags": Attribute("tags", cty.Map(STRING), optional=True),
     "ids": Attribute("ids", cty.Set(STRING), optional=True),
     "users": Attribute("users", nested=NestedObject({"u": Attribute("u", STRING, required=True)}, "list"), optional=True)},
    {"rule": NestedBlock(Block({"port": Attribute("port", NUMBER, required=True)}), "list"),
     "timeouts": NestedBlock(Block({"create": Attribute("create", STRING, optional=True)}), "single"),
     "lbl": NestedBlock(Block({"v": Attribute("v", STRING, optional=True)}), "map")})


def test_decode_body():
    ev = Evaluator(lookup_known)
    body = {"name": "n-${secure_x.y.id}", "size": 1.5, "tags": {"a": "b"}, "ids": ["${secure_x.y.id}", "z"],
            "users": [{"u": "alice"}], "rule": [{"port": 1}, {"port": "2"}], "timeouts": {"create": "5m"},
            "lbl": {"one": {"v": "x"}}}
    v = cfgmod.decode_body(SCHEMA, body, ev)
    assert v.ty == SCHEMA.implied_type()
    assert v.get_attr("name").v == "n-i-1"
    assert v.get_attr("size").v == Fraction(3, 2)
    assert [e.get_attr("port").v for e in v.get_attr("rule").elements()] == [1, 2]
    assert v.get_attr("lbl").index(StringVal("one")).get_attr("v").v == "x"
    assert v.get_attr("ids").length() == 2 and v.get_attr("users").elements()[0].get_attr("u").v == "alice"
    empty = cfgmod.decode_body(SCHEMA, {"name": "x"}, ev)
    assert empty.get_attr("rule").length() == 0 and empty.get_attr("timeouts").is_null()
    with pytest.raises(ConfigError) as ei:
        cfgmod.decode_body(SCHEMA, {"name": "x", "bogus": 1}, ev)
    assert ei.value.summary == "Extraneous JSON object property"
    with pytest.raises(ConfigError):
        cfgmod.decode_body(SCHEMA, {"name": "x", "timeouts": [{}, {}]}, ev)


def test_load_dir_and_decimal_numbers(tmp_path):
    d = write(tmp_path / "s", '{"//": "comment", "terraform": {"required_providers": {"secure": {"source": "acme/secure"}}},'
                             ' "provider": {"secure": {"region": "r"}},'
                             ' "resource": {"secure_x": {"a": {"size": 0.1, "depends_on": ["secure_x.b"]}, "b": {"n": "${secure_x.a.id}"}}},'
                             ' "import": {"to": "secure_x.a", "id": "abc"}}')
    cfg = cfgmod.load_dir(d)
    assert cfg.provider_source("secure") == "registry.terraform.io/acme/secure"
    assert cfg.resources["secure_x.a"].depends_on == ["secure_x.b"]
    assert cfg.imports[0].to == "secure_x.a"
    size = Evaluator(lookup_known).eval_json(cfg.resources["secure_x.a"].body["size"], NUMBER)
    assert size.v == Fraction(1, 10)  # exactly 0.1, not float64's approximation
    with pytest.raises(ConfigError) as ei:
        cfgmod.dependency_order(cfg)
    assert ei.value.summary == "Cycle"


@pytest.mark.parametrize("doc,summary", [
    ({"variable": {"x": {}}}, "Unsupported block type"),
    ({"resource": {"secure_x": {"a": {"count": 2}}}}, "Unsupported meta-argument"),
    ({"resource": {"secure_x": {"a": {"for_each": {}}}}}, "Unsupported meta-argument"),
    ({"resource": {"secure_x": {"a": {"lifecycle": {"create_before_destroy": True}}}}}, "Unsupported lifecycle argument"),
    ({"import": [{"to": "secure_x.nope", "id": "1"}]}, "Configuration for import target does not exist"),
    ("[1, 2", "Invalid JSON"),
])
def test_load_dir_errors(tmp_path, doc, summary):
    with pytest.raises(ConfigError) as ei:
        cfgmod.load_dir(write(tmp_path / "s", doc))
    assert ei.value.summary == summary


def test_undeclared_reference(tmp_path):
    cfg = cfgmod.load_dir(write(tmp_path / "s", {"resource": {"secure_x": {"a": {"n": "${secure_x.zz.id}"}}}}))
    with pytest.raises(ConfigError) as ei:
        cfgmod.dependency_order(cfg)
    assert ei.value.summary == "Reference to undeclared resource"


def test_dependency_order(tmp_path):
    cfg = cfgmod.load_dir(write(tmp_path / "s", {"resource": {"secure_x": {
        "c": {"n": "${secure_x.b.id}"}, "b": {"n": "${secure_x.a.id}-x"}, "a": {"n": "1"}}}}))
    order, deps = cfgmod.dependency_order(cfg)
    assert order == ["secure_x.a", "secure_x.b", "secure_x.c"]
    assert deps["secure_x.c"] == ["secure_x.b"]
