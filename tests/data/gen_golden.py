#!/usr/bin/python3
"""gen_golden.py - golden msgpack and JSON encodings of cty values.

An encoder independent of the C code: python3-msgpack packs go-cty's
msgpack layout (cty/msgpack marshal.go, unknown.go, dynamic.go) and the
json module writes go-cty's JSON layout (cty/json marshal.go), from the
descriptions in CASES below.  tests/test_codec_msgpack.c and
tests/test_codec_json.c build the same values with the C constructors
(matching by case name) and check both directions against these files.

Run:  /usr/bin/python3 tests/data/gen_golden.py   (rewrites the files)
      /usr/bin/python3 tests/data/gen_golden.py --check   (diff only)
"""
import json
import os
import sys
from decimal import Decimal
from fractions import Fraction

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- types: "string" | "number" | "bool" | "dynamic" | ("list", T) |
# ("set", T) | ("map", T) | ("tuple", [T]) | ("object", {name: T}) |
# ("object", {name: T}, [optional names])


def type_json(t):
    if isinstance(t, str):
        return t
    if t[0] in ("list", "set", "map"):
        return [t[0], type_json(t[1])]
    if t[0] == "tuple":
        return ["tuple", [type_json(e) for e in t[1]]]
    out = ["object", {k: type_json(v) for k, v in sorted(t[1].items())}]
    if len(t) > 2 and t[2]:
        out.append(sorted(t[2]))
    return out


def type_json_bytes(t):
    return json.dumps(type_json(t), separators=(",", ":"),
                      sort_keys=True, ensure_ascii=False).encode()


# ---- values: plain Python data, plus these markers
class Null:
    def __init__(self, t="dynamic"):
        self.t = t


class Unknown:
    def __init__(self, t="dynamic", **refine):
        self.t = t
        self.refine = refine


class Num:
    """A number given by its decimal text."""

    def __init__(self, text):
        self.text = text


class Dyn:
    """A known value in a dynamic position, with its concrete type."""

    def __init__(self, t, v):
        self.t = t
        self.v = v


INT64 = (-(1 << 63), (1 << 63) - 1)


def number_form(x):
    """go-cty: int64 if integral and in range, float64 if exact, else the
    plain decimal text."""
    if isinstance(x, Num):
        d = Decimal(x.text)
    elif isinstance(x, float):
        d = Decimal(x)
    else:
        d = Decimal(x)
    f = Fraction(d)
    if f.denominator == 1 and INT64[0] <= f.numerator <= INT64[1]:
        return int(f.numerator)
    try:
        fl = float(f)
    except OverflowError:
        fl = None
    if fl is not None and Fraction(fl) == f:
        return fl
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def refine_payload(t, r):
    entries = []
    if r.get("not_null"):
        entries.append((1, False))
    if t == "string" and r.get("prefix"):
        entries.append((2, r["prefix"]))
    if t == "number":
        if "lower" in r:
            entries.append((3, [number_form(r["lower"][0]), r["lower"][1]]))
        if "upper" in r:
            entries.append((4, [number_form(r["upper"][0]), r["upper"][1]]))
    if not isinstance(t, str) and t[0] in ("list", "set", "map"):
        if r.get("len_lower"):
            entries.append((5, r["len_lower"]))
        if "len_upper" in r:
            entries.append((6, r["len_upper"]))
    if not entries:
        return None
    # keys in go-cty's order: 1 (nullness), 2 or 3, 4 or 5, 6
    hdr = msgpack.Packer().pack_map_header(len(entries))
    body = b"".join(msgpack.packb(k) + msgpack.packb(v, use_bin_type=True)
                    for k, v in entries)
    return hdr + body


def go_quote(s):
    """Go's %q for the strings used here (ASCII escapes; other runes are
    printable in these cases)."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f",
                        "\n": "\\n", "\r": "\\r", "\t": "\\t",
                        "\v": "\\v"}[ch])
        elif c < 0x20 or c == 0x7f:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def g10(x):
    """big.Float.String(): %g with 10 significant digits, half-even."""
    f = number_form(x)
    d = Decimal(f) if not isinstance(f, str) else Decimal(f)
    if d == 0:
        return "0"
    text = format(d, ".10g")
    if "e" in text or "E" in text:
        mant, exp = text.replace("E", "e").split("e")
        sign = "-" if exp.startswith("-") else "+"
        text = "%se%s%02d" % (mant, sign, abs(int(exp)))
    return text


def set_hash(v, t):
    """go-cty appendSetHashBytes."""
    if isinstance(v, Unknown):
        return "?"
    if isinstance(v, Null):
        return "~"
    if t == "number":
        return g10(v)
    if t == "bool":
        return "T" if v else "F"
    if t == "string":
        return go_quote(v)
    if t[0] == "map":
        return "{" + "".join(go_quote(k) + ":" + set_hash(v[k], t[1]) + ";"
                             for k in sorted(v)) + "}"
    if t[0] in ("list", "set"):
        elems = set_order(v, t[1]) if t[0] == "set" else v
        return "[" + "".join(set_hash(e, t[1]) + ";" for e in elems) + "]"
    if t[0] == "tuple":
        return "<" + "".join(set_hash(e, et) + ";"
                             for e, et in zip(v, t[1])) + ">"
    return "<" + "".join(set_hash(v[k], t[1][k]) + ";"
                         for k in sorted(t[1])) + ">"


def set_order(elems, t):
    """go-cty set iteration order (setRules.Less, stable): known, then
    unknown, then null; primitives by value, others by hash bytes."""
    def key(e):
        if isinstance(e, Null):
            return (2,)
        if isinstance(e, Unknown):
            return (1,)
        if t == "string":
            return (0, e.encode())
        if t == "number":
            return (0, Fraction(Decimal(e.text if isinstance(e, Num)
                                        else e)))
        if t == "bool":
            return (0, bool(e))
        return (0, set_hash(e, t).encode())
    return sorted(elems, key=key)


def mp_obj(v, t):
    """Python object tree for msgpack.packb (ExtType for unknowns)."""
    if t == "dynamic" and isinstance(v, Dyn):
        return [type_json_bytes(v.t), mp_obj(v.v, v.t)]
    if t == "dynamic" and isinstance(v, (Null, Unknown)) and v.t != "dynamic":
        return [type_json_bytes(v.t), mp_obj(v, v.t)]
    if isinstance(v, Unknown):
        payload = None if t == "dynamic" else refine_payload(t, v.refine)
        if payload is None:
            return msgpack.ExtType(0, b"\x00")
        return msgpack.ExtType(12, payload)
    if isinstance(v, Null):
        return None
    if t == "bool":
        return bool(v)
    if t == "number":
        return number_form(v)
    if t == "string":
        return v
    if t[0] == "set":
        return [mp_obj(e, t[1]) for e in set_order(v, t[1])]
    if t[0] == "list":
        return [mp_obj(e, t[1]) for e in v]
    if t[0] == "tuple":
        return [mp_obj(e, et) for e, et in zip(v, t[1])]
    if t[0] == "map":
        return {k: mp_obj(v[k], t[1]) for k in sorted(v)}
    if t[0] == "object":
        return {k: mp_obj(v[k], t[1][k]) for k in sorted(t[1])}
    raise ValueError(t)


def go_json_string(s):
    # Go's encoding/json escapes <, >, & and U+2028/2029
    out = json.dumps(s, ensure_ascii=False)
    for c, e in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        out = out.replace(c, e)
    return out


def js_text(v, t):
    """go-cty cty/json marshal, written by hand like cty does."""
    if t == "dynamic" and isinstance(v, (Dyn, Null)) and \
            not (isinstance(v, Null) and v.t == "dynamic"):
        inner_t = v.t
        inner_v = v.v if isinstance(v, Dyn) else v
        return ('{"value":' + js_text(inner_v, inner_t) + ',"type":' +
                type_json_bytes(inner_t).decode() + "}")
    if isinstance(v, Unknown):
        raise ValueError("unknown in JSON")
    if isinstance(v, Null):
        return "null"
    if t == "bool":
        return "true" if v else "false"
    if t == "number":
        f = number_form(v)
        if isinstance(f, float):
            d = Decimal(f)
            text = format(d, "f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text
        return str(f)
    if t == "string":
        return go_json_string(v)
    if t[0] == "set":
        return "[" + ",".join(js_text(e, t[1])
                              for e in set_order(v, t[1])) + "]"
    if t[0] == "list":
        return "[" + ",".join(js_text(e, t[1]) for e in v) + "]"
    if t[0] == "tuple":
        return "[" + ",".join(js_text(e, et) for e, et in zip(v, t[1])) + "]"
    if t[0] == "map":
        return "{" + ",".join(go_json_string(k) + ":" + js_text(v[k], t[1])
                              for k in sorted(v)) + "}"
    if t[0] == "object":
        return "{" + ",".join(go_json_string(k) + ":" + js_text(v[k], t[1][k])
                              for k in sorted(t[1])) + "}"
    raise ValueError(t)


def has_unknown(v):
    if isinstance(v, Unknown):
        return True
    if isinstance(v, Dyn):
        return has_unknown(v.v)
    if isinstance(v, dict):
        return any(has_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(has_unknown(x) for x in v)
    return False


S, N, B = "string", "number", "bool"
OBJ = ("object", {"name": S, "port": N, "tags": ("map", S),
                  "zones": ("list", S), "enabled": B,
                  "inner": ("object", {"id": S, "n": N})})

# Sets are written in go-cty's order (set_order above), whatever order
# they are listed in here; elements are assumed distinct.
CASES = [
    ("bool_true", B, True),
    ("bool_false", B, False),
    ("num_0", N, 0),
    ("num_1", N, 1),
    ("num_neg1", N, -1),
    ("num_127", N, 127),
    ("num_128", N, 128),
    ("num_255", N, 255),
    ("num_256", N, 256),
    ("num_65535", N, 65535),
    ("num_65536", N, 65536),
    ("num_4294967296", N, 4294967296),
    ("num_neg32", N, -32),
    ("num_neg33", N, -33),
    ("num_neg128", N, -128),
    ("num_neg129", N, -129),
    ("num_neg40000", N, -40000),
    ("num_int64_max", N, (1 << 63) - 1),
    ("num_int64_min", N, -(1 << 63)),
    ("num_2p64", N, 1 << 64),
    ("num_big_int", N, Num("123456789012345678901234567890")),
    ("num_half", N, 0.5),
    ("num_neg_frac", N, -2.75),
    ("num_tenth", N, Num("0.1")),
    ("num_pi_long", N, Num("3.14159265358979323846264338327950288419716939937510")),
    ("num_tiny", N, Num("0.000000000000000000000000000001")),
    ("str_empty", S, ""),
    ("str_ascii", S, "hello world"),
    ("str_unicode", S, "h\u00e9llo \u2713 \u65e5\u672c \U0001f389"),
    ("str_html", S, "a<b>&c \"q\" \\ \n\t"),
    ("str_31", S, "x" * 31),
    ("str_32", S, "y" * 32),
    ("str_300", S, "z" * 300),
    ("str_70000", S, "w" * 70000),
    ("null_string", S, Null(S)),
    ("null_object", OBJ, Null(OBJ)),
    ("unknown_string", S, Unknown(S)),
    ("unknown_list", ("list", S), Unknown(("list", S))),
    ("unknown_notnull", S, Unknown(S, not_null=True)),
    ("unknown_prefix", S, Unknown(S, not_null=True, prefix="arn:aws:")),
    ("unknown_num_range", N, Unknown(N, not_null=True, lower=(0, True),
                                     upper=(Num("65535.5"), False))),
    ("unknown_list_len", ("list", S), Unknown(("list", S), not_null=True,
                                              len_lower=1, len_upper=3)),
    ("list_empty", ("list", S), []),
    ("list_strings", ("list", S), ["b", "a", "c"]),
    ("list_null_unknown", ("list", S), ["x", Null(S), Unknown(S)]),
    ("list_of_lists", ("list", ("list", N)), [[1, 2], [], [3]]),
    ("set_strings", ("set", S), ["a", "b", "c"]),
    ("set_numbers", ("set", N), [-5, Num("0.1"), 0.5, 1, 1000000]),
    ("set_bools", ("set", B), [False, True]),
    ("set_with_unknown", ("set", S), ["a", Unknown(S)]),
    ("set_empty", ("set", N), []),
    ("map_empty", ("map", S), {}),
    ("map_strings", ("map", S), {"b": "2", "a": "1", "\u00e9": "3"}),
    ("map_null_value", ("map", N), {"x": Null(N), "y": 3}),
    ("tuple_mixed", ("tuple", [S, N, B]), ["s", 7, True]),
    ("tuple_empty", ("tuple", []), []),
    ("object_full", OBJ, {"name": "cache", "port": 6379,
                          "tags": {"env": "prod", "team": "db"},
                          "zones": ["eu-west-1a", "eu-west-1b"],
                          "enabled": True,
                          "inner": {"id": "i-1", "n": Num("2.5")}}),
    ("object_nulls", OBJ, {"name": Null(S), "port": Null(N),
                           "tags": Null(("map", S)),
                           "zones": Null(("list", S)), "enabled": Null(B),
                           "inner": Null(("object", {"id": S, "n": N}))}),
    ("object_unknowns", OBJ, {"name": Unknown(S), "port": 1,
                              "tags": Unknown(("map", S)),
                              "zones": ["a", Unknown(S)],
                              "enabled": Unknown(B),
                              "inner": {"id": Unknown(S), "n": Null(N)}}),
    ("object_empty", ("object", {}), {}),
    ("list_of_objects", ("list", ("object", {"k": S, "v": N})),
     [{"k": "a", "v": 1}, {"k": "b", "v": Null(N)}]),
    ("dyn_string", "dynamic", Dyn(S, "hi")),
    ("dyn_number", "dynamic", Dyn(N, 42)),
    ("dyn_object", "dynamic", Dyn(("object", {"a": S, "b": ("list", N)}),
                                  {"a": "x", "b": [1, 2]})),
    ("dyn_null", "dynamic", Null("dynamic")),
    ("dyn_unknown", "dynamic", Unknown("dynamic")),
    ("dyn_typed_null", "dynamic", Null(S)),
    ("dyn_tuple", "dynamic", Dyn(("tuple", [S, B]), ["a", False])),
    ("object_dyn_attr", ("object", {"id": S, "extra": "dynamic"}),
     {"id": "x", "extra": Dyn(("map", N), {"a": 1})}),
    ("map_unknown_value", ("map", B), {"k": Unknown(B), "j": True}),
    ("tuple_null_unknown", ("tuple", [S, N, ("list", S)]),
     [Null(S), Unknown(N), Null(("list", S))]),
    ("set_of_objects", ("set", ("object", {"k": S, "v": N})),
     [{"k": "a", "v": 2}, {"k": "b", "v": 1}, {"k": "b", "v": 3}]),
    ("set_hash_order", ("set", ("object", {"n": N, "s": S})),
     [{"n": 9, "s": "x"}, {"n": 10, "s": "x"}, {"n": Num("0.1"), "s": "a"},
      {"n": 12345678901, "s": "b"}, {"n": Null(N), "s": "q\"\n"},
      {"n": 1, "s": Unknown(S)}]),
    ("set_lists", ("set", ("list", S)), [["b"], ["a", "b"], [], ["a"]]),
    ("set_mixed_states", ("set", S), [Null(S), Unknown(S), "z", "a"]),
    ("dyn_unknown_typed", "dynamic", Unknown(S)),
    ("dyn_list_unknown_elem", "dynamic", Dyn(("list", N), [1, Unknown(N)])),
    ("list_dynamic", ("list", "dynamic"), [Dyn(S, "a"), Dyn(S, "b")]),
]


def main():
    check = "--check" in sys.argv
    bad = 0
    for sub in ("msgpack", "json"):
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)
    for name, t, v in CASES:
        outs = [("msgpack", ".msgpack",
                 msgpack.packb(mp_obj(v, t), use_bin_type=True))]
        if not has_unknown(v):
            outs.append(("json", ".json", js_text(v, t).encode()))
        for sub, ext, data in outs:
            path = os.path.join(HERE, sub, name + ext)
            if check:
                with open(path, "rb") as f:
                    if f.read() != data:
                        print("differs:", path)
                        bad += 1
            else:
                with open(path, "wb") as f:
                    f.write(data)
    print("%d cases, %d differ" % (len(CASES), bad) if check
          else "wrote %d cases" % len(CASES))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
