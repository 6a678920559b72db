"""Golden tests for the go-cty compatible encodings in acceptance/driver/cty.py.

Every golden byte string below was worked out by hand from go-cty's cty/msgpack
(marshal.go, unknown.go, dynamic.go) and the msgpack spec; each is checked in both
directions, and independently decoded with python3-msgpack."""

from fractions import Fraction

import msgpack
import pytest

from acceptance.driver import cty
from acceptance.driver.cty import (BOOL, DYNAMIC, NUMBER, STRING, BoolVal, List, ListVal, Map,
                                   MapVal, NullVal, NumberVal, Object, ObjectVal, Set, SetVal,
                                   StringVal, Tuple, TupleVal, UnknownVal)

H = bytes.fromhex

# (description, value, type, golden bytes, what python3-msgpack decodes it to)
GOLDEN = [
    ("string", StringVal("hi"), STRING, H("a26869"), "hi"),
    ("null string", NullVal(STRING), STRING, H("c0"), None),
    ("unknown string", UnknownVal(STRING), STRING, H("d40000"), msgpack.ExtType(0, b"\x00")),
    ("true", BoolVal(True), BOOL, H("c3"), True),
    ("false", BoolVal(False), BOOL, H("c2"), False),
    ("positive fixint", NumberVal(1), NUMBER, H("01"), 1),
    ("negative fixint", NumberVal(-1), NUMBER, H("ff"), -1),
    ("int8", NumberVal(-33), NUMBER, H("d0df"), -33),
    ("uint8", NumberVal(200), NUMBER, H("ccc8"), 200),
    ("uint16", NumberVal(1000), NUMBER, H("cd03e8"), 1000),
    ("uint32", NumberVal(70000), NUMBER, H("ce00011170"), 70000),
    ("int16", NumberVal(-1000), NUMBER, H("d1fc18"), -1000),
    ("max int64", NumberVal(2**63 - 1), NUMBER, H("cf7fffffffffffffff"), 2**63 - 1),
    ("min int64", NumberVal(-2**63), NUMBER, H("d38000000000000000"), -2**63),
    ("2^63 is an exact float64", NumberVal(2**63), NUMBER, H("cb43e0000000000000"), float(2**63)),
    ("1.5 is an exact float64", NumberVal(Fraction(3, 2)), NUMBER, H("cb3ff8000000000000"), 1.5),
    ("0.1 is not exact: decimal string", NumberVal(cty.parse_number("0.1")), NUMBER, H("a3302e31"), "0.1"),
    ("2^64+1: decimal string", NumberVal(2**64 + 1), NUMBER,
     b"\xb4" + b"18446744073709551617", "18446744073709551617"),
    ("list of strings", ListVal([StringVal("a"), StringVal("b")]), List(STRING), H("92a161a162"), ["a", "b"]),
    ("empty list", cty.ListValEmpty(STRING), List(STRING), H("90"), []),
    ("object keys sorted", ObjectVal({"b": NumberVal(1), "a": StringVal("x")}),
     Object({"a": STRING, "b": NUMBER}), H("82a161a178a16201"), {"a": "x", "b": 1}),
    ("map keys sorted", MapVal({"z": BoolVal(True), "a": BoolVal(False)}), Map(BOOL),
     H("82a161c2a17ac3"), {"a": False, "z": True}),
    ("tuple", TupleVal([StringVal("a"), NumberVal(2)]), Tuple([STRING, NUMBER]), H("92a16102"), ["a", 2]),
    ("dynamic string", StringVal("x"), DYNAMIC, H("92c408") + b'"string"' + H("a178"),
     [b'"string"', "x"]),
    ("dynamic list", ListVal([StringVal("x")]), DYNAMIC, H("92c411") + b'["list","string"]' + H("91a178"),
     [b'["list","string"]', ["x"]]),
    ("typed null in dynamic", NullVal(STRING), DYNAMIC, H("92c408") + b'"string"' + H("c0"),
     [b'"string"', None]),
    ("dynamic null", NullVal(DYNAMIC), DYNAMIC, H("c0"), None),
    ("dynamic unknown", UnknownVal(DYNAMIC), DYNAMIC, H("d40000"), msgpack.ExtType(0, b"\x00")),
    ("refined: not null", UnknownVal(STRING, {"notnull": True}), STRING, H("c7030c8101c2"),
     msgpack.ExtType(12, H("8101c2"))),
    ("refined: not null + prefix", UnknownVal(STRING, {"notnull": True, "prefix": "ab"}), STRING,
     H("c7070c8201c202a26162"), msgpack.ExtType(12, H("8201c202a26162"))),
    ("refined: number lower bound", UnknownVal(NUMBER, {"notnull": True, "num_lo": (0, True)}), NUMBER,
     H("c7070c8201c2039200c3"), msgpack.ExtType(12, H("8201c2039200c3"))),
    ("refined: number upper bound exclusive", UnknownVal(NUMBER, {"num_hi": (10, False)}), NUMBER,
     H("c7050c8104920ac2"), msgpack.ExtType(12, H("8104920ac2"))),
    ("refined: collection length", UnknownVal(List(STRING), {"notnull": True, "len_lo": 1, "len_hi": 5}),
     List(STRING), H("c7070c8301c205010605"), msgpack.ExtType(12, H("8301c205010605"))),
    ("object with nested unknown and null",
     ObjectVal({"id": UnknownVal(STRING), "tags": NullVal(Map(STRING))}),
     Object({"id": STRING, "tags": Map(STRING)}), H("82a26964d40000a47461677 3c0".replace(" ", "")),
     {"id": msgpack.ExtType(0, b"\x00"), "tags": None}),
]


@pytest.mark.parametrize("desc,val,ty,golden,plain", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_msgpack_golden(desc, val, ty, golden, plain):
    assert cty.msgpack_marshal(val, ty) == golden
    back = cty.msgpack_unmarshal(golden, ty)
    assert back.raw_equals(val), (back, val)
    # independent decoder: python3-msgpack sees the same structure
    assert msgpack.unpackb(golden, raw=False, strict_map_key=False) == plain


def test_refinement_go_string():
    v = UnknownVal(STRING, {"notnull": True})
    assert v.go_string() == "cty.UnknownVal(cty.String).RefineNotNull()"
    assert "StringPrefixFull(\"ab\")" in UnknownVal(STRING, {"notnull": True, "prefix": "ab"}).go_string()


@pytest.mark.parametrize("data,expect", [
    (H("cd0005"), 5),                    # uint16 for a small number
    (H("d10005"), 5),                    # int16
    (H("d200000005"), 5),                # int32
    (H("d30000000000000005"), 5),        # int64
    (H("cf0000000000000005"), 5),        # uint64
    (H("cb4014000000000000"), 5),        # float64 5.0
    (H("ca40a00000"), 5),                # float32 5.0
    (H("a135"), 5),                      # string "5"
    (H("a3") + b"1e3", 1000),            # string with exponent
    (H("a4") + b"-2.5", Fraction(-5, 2)),
    (b"\xb4" + b"18446744073709551617", 2**64 + 1),
])
def test_number_decoding_accepts_go_forms(data, expect):
    v = cty.msgpack_unmarshal(data, NUMBER)
    assert v.v == expect


@pytest.mark.parametrize("data,ty,msg", [
    (H("a161"), NUMBER, "number is required"),
    (H("01"), STRING, "string is required"),
    (H("01"), BOOL, "bool is required"),
    (H("81a178a179"), Object({"a": STRING}), "unsupported attribute"),
    (H("82a161a178a162a179"), Object({"a": STRING}), "an object with 1 attributes is required (2 given)"),
    (H("c7020501ff"), STRING, "unsupported extension type 0x05"),
    (H("92a161a162"), Tuple([STRING]), "a tuple of length 1 is required"),
    (H("91a178"), DYNAMIC, "exactly two elements"),
    (H("c7030c8102c3"), NUMBER, "string prefix refinement for non-string type"),
])
def test_decoding_errors(data, ty, msg):
    with pytest.raises(cty.CtyError) as ei:
        cty.msgpack_unmarshal(data, ty)
    assert msg in str(ei.value)


def test_unknown_ext_variants():
    # zero- or one-byte extensions of any type code are plain unknowns
    assert not cty.msgpack_unmarshal(H("c70000"), STRING).known
    assert not cty.msgpack_unmarshal(H("d40700"), STRING).known
    # refinement "is null: true" collapses to a null value, like cty's refinement builder
    assert cty.msgpack_unmarshal(H("c7030c8101c3"), STRING).is_null()
    # unknown refinement keys are ignored; trailing bytes after the map are ignored
    v = cty.msgpack_unmarshal(H("c7060c8201c209c0ff"), STRING)
    assert not v.known and v.refn == {"notnull": True}
    # refinements on a dynamic value are ignored
    assert cty.msgpack_unmarshal(H("c7030c8101c2"), DYNAMIC).refn is None


def test_bin_strings_and_keys_accepted_like_go():
    # msgpack bin (c4) where a str is expected: go's DecodeString accepts both
    v = cty.msgpack_unmarshal(H("81c40161c40178"), Object({"a": STRING}))
    assert v.get_attr("a").v == "x"
    m = cty.msgpack_unmarshal(H("81c4016b01"), Map(NUMBER))
    assert m.index(StringVal("k")).v == 1


def test_dynamic_accepts_str_type_json():
    # go's DecodeBytes also accepts a msgpack str
    data = H("92a8") + b'"number"' + H("07")
    v = cty.msgpack_unmarshal(data, DYNAMIC)
    assert v.ty == NUMBER and v.v == 7


def test_set_roundtrip_and_dedup():
    s = SetVal([StringVal("b"), StringVal("a"), StringVal("b")])
    assert s.length() == 2
    back = cty.msgpack_unmarshal(cty.msgpack_marshal(s, Set(STRING)), Set(STRING))
    assert back.raw_equals(s)
    assert msgpack.unpackb(cty.msgpack_marshal(s, Set(STRING))) in (["a", "b"], ["b", "a"])


def test_marshal_rejects_nonconforming():
    with pytest.raises(cty.CtyError):
        cty.msgpack_marshal(StringVal("x"), NUMBER)
    with pytest.raises(cty.CtyError):
        cty.msgpack_marshal(ObjectVal({"a": StringVal("x")}), Object({"a": STRING, "b": STRING}))


# ------------------------------------------------------------------ type JSON

@pytest.mark.parametrize("text", [
    '"string"', '"number"', '"bool"', '"dynamic"',
    '["list","string"]', '["set",["map","number"]]',
    '["object",{"a":"string","b":["list","bool"]}]',
    '["object",{"a":"string","b":"number"},["b"]]',
    '["tuple",["string","number"]]',
])
def test_type_json_roundtrip(text):
    t = cty.type_from_json(text.encode())
    assert t.to_json() == text.encode()


def test_type_json_sorts_object_keys_like_go():
    t = cty.type_from_json(b'["object",{"z":"string","a":"number"}]')
    assert t.to_json() == b'["object",{"a":"number","z":"string"}]'


@pytest.mark.parametrize("bad", [b'"str"', b'["list"]', b'["object",[]]', b'["frob","string"]', b"{}",
                                 b'["object",{"a":"string"},["b"]]'])
def test_type_json_rejects_bad(bad):
    with pytest.raises(cty.CtyError):
        cty.type_from_json(bad)


# ------------------------------------------------------------------ ctyjson

def test_json_marshal_object_and_dynamic():
    ty = Object({"n": NUMBER, "s": STRING, "d": DYNAMIC, "l": List(STRING), "m": Map(NUMBER)})
    v = ObjectVal({"n": NumberVal(3), "s": StringVal("x"), "d": ListVal([StringVal("p")]),
                   "l": cty.ListValEmpty(STRING), "m": NullVal(Map(NUMBER))})
    out = cty.json_marshal(v, ty)
    assert out == b'{"d":{"value":["p"],"type":["list","string"]},"l":[],"m":null,"n":3,"s":"x"}'
    assert cty.json_unmarshal(out, ty).raw_equals(v)


def test_json_numbers_keep_precision():
    ty = List(NUMBER)
    v = ListVal([NumberVal(2**70), NumberVal(cty.parse_number("0.1")),
                 NumberVal(cty.parse_number("3.14159265358979323846264338327950288"))])
    out = cty.json_marshal(v, ty)
    assert out == b'[1180591620717411303424,0.1,"3.14159265358979323846264338327950288"]'
    assert cty.json_unmarshal(out, ty).raw_equals(v)


def test_json_unmarshal_lenient_like_ctyjson():
    ty = Object({"a": NUMBER, "b": STRING, "c": BOOL, "missing": STRING})
    v = cty.json_unmarshal(b'{"a":"12","b":5,"c":"true"}', ty)
    assert v.get_attr("a").v == 12
    assert v.get_attr("b").v == "5"
    assert v.get_attr("c").v is True
    assert v.get_attr("missing").is_null()
    with pytest.raises(cty.CtyError):
        cty.json_unmarshal(b'{"zzz":1}', ty)


def test_json_refuses_unknown():
    with pytest.raises(cty.CtyError):
        cty.json_marshal(UnknownVal(STRING), STRING)


# ------------------------------------------------------------------ value semantics

def test_equals_tristate_and_refinements():
    assert StringVal("a").equals(StringVal("a")) is True
    assert StringVal("a").equals(StringVal("b")) is False
    assert StringVal("a").equals(UnknownVal(STRING)) is None
    # a refined unknown can rule equality out
    assert StringVal("zz").equals(UnknownVal(STRING, {"prefix": "ab"})) is False
    assert NullVal(STRING).equals(UnknownVal(STRING, {"notnull": True})) is False
    assert NullVal(STRING).equals(NullVal(NUMBER)) is True
    assert not UnknownVal(STRING).raw_equals(UnknownVal(STRING, {"notnull": True}))


def test_float64_equals_decimal_like_go_cty():
    # rawNumberEqual compares Text('f', -1): a provider answering float64 0.1 for a configured
    # "0.1" is consistent in Terraform, so it must be here too
    from_wire = cty.msgpack_unmarshal(H("cb3fb999999999999a"), NUMBER)
    from_config = NumberVal(cty.parse_number("0.1"))
    assert from_wire.raw_equals(from_config) and from_wire.equals(from_config) is True
    f32 = cty.msgpack_unmarshal(H("ca3dcccccd"), NUMBER)  # float32 0.1 widened, as go does
    assert cty.number_text(f32.v) == "0.10000000149011612"


def test_includes():
    rng = UnknownVal(NUMBER, {"notnull": True, "num_lo": (1, True), "num_hi": (5, False)})
    assert cty.includes(rng, NumberVal(1)) is True
    assert cty.includes(rng, NumberVal(5)) is False
    assert cty.includes(rng, NullVal(NUMBER)) is False
    lr = UnknownVal(List(STRING), {"len_hi": 1})
    assert cty.includes(lr, ListVal([StringVal("a"), StringVal("b")])) is False


def test_go_strings_match_cty():
    assert StringVal("a\"b").go_string() == 'cty.StringVal("a\\"b")'
    assert NumberVal(Fraction(3, 2)).go_string() == "cty.NumberFloatVal(1.5)"
    assert NumberVal(cty.parse_number("0.1")).go_string() == "cty.NumberFloatVal(0.1)" or \
        NumberVal(cty.parse_number("0.1")).go_string() == 'cty.MustParseNumberVal("0.1")'
    assert ObjectVal({"a": BoolVal(True)}).go_string() == 'cty.ObjectVal(map[string]cty.Value{"a":cty.True})'
    assert cty.ListValEmpty(STRING).go_string() == "cty.ListValEmpty(cty.String)"
    assert NullVal(Object({"a": STRING})).go_string() == 'cty.NullVal(cty.Object(map[string]cty.Type{"a":cty.String}))'


def test_format_path():
    p = [("attr", "a"), ("index", NumberVal(0)), ("index", StringVal("k")), ("index", ObjectVal({}))]
    assert cty.format_path(p) == '.a[0]["k"][...]'
