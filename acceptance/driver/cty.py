"""cty types and values in Python, with go-cty compatible msgpack and JSON encodings.

This is what the protocol driver uses to talk DynamicValue with a provider the way
Terraform core does.  It follows zclconf/go-cty (cty, cty/msgpack, cty/json):

* Types: bool, number, string, dynamic (DynamicPseudoType), list, set, map, object
  (with optional attributes, for type constraints only), tuple.  Type JSON is the
  go-cty form: "string", ["list","string"], ["object",{"a":"string"},["a"]], ...
* Values may be null or unknown; unknown values may carry refinements (definitely not
  null, string prefix, number bounds, collection length bounds).
* Numbers are Python ints for integers and fractions.Fraction otherwise (exact), or
  float('inf')/float('-inf') for the infinities.

msgpack (cty/msgpack/marshal.go, unknown.go, dynamic.go, unmarshal.go):
  null -> nil; unknown -> fixext1 type 0 (d4 00 00); refined unknown -> ext type 0x0c whose
  body is a msgpack map {1: false (not null), 2: prefix, 3: [min, inclusive],
  4: [max, inclusive], 5: min length, 6: max length}; numbers: int64 -> compact int,
  else exact float64 -> float64, else decimal string; dynamic-typed values ->
  [bin(type JSON), value]; objects as maps with sorted keys.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import msgpack

__all__ = [
    "Type", "BOOL", "NUMBER", "STRING", "DYNAMIC", "List", "Set", "Map", "Object",
    "Tuple", "EMPTY_OBJECT", "EMPTY_TUPLE", "Value", "PathError", "CtyError",
    "NullVal", "UnknownVal", "StringVal", "NumberVal", "BoolVal", "ListVal",
    "ListValEmpty", "SetVal", "SetValEmpty", "MapVal", "MapValEmpty", "ObjectVal",
    "TupleVal", "DynamicVal", "EmptyObjectVal", "True_", "False_",
    "msgpack_marshal", "msgpack_unmarshal", "json_marshal", "json_unmarshal",
    "type_from_json", "format_path", "walk", "transform", "unknown_as_null",
    "test_conformance", "parse_number",
]


class CtyError(ValueError):
    """Raised for malformed input (bad encodings, wrong types)."""


class PathError(CtyError):
    """An error at a path inside a value, like cty.PathError."""

    def __init__(self, path, message):
        self.path = list(path or [])
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


# --------------------------------------------------------------------------- types

class Type:
    __slots__ = ("kind", "elem", "attrs", "optional", "elems", "_hash")

    def __init__(self, kind, elem=None, attrs=None, optional=frozenset(), elems=None):
        self.kind = kind
        self.elem = elem
        self.attrs = dict(sorted(attrs.items())) if attrs is not None else None
        self.optional = frozenset(optional)
        self.elems = tuple(elems) if elems is not None else None
        self._hash = hash(self._key())

    def _key(self):
        if self.kind in ("list", "set", "map"):
            return (self.kind, self.elem._key())
        if self.kind == "object":
            return ("object", tuple((k, v._key()) for k, v in self.attrs.items()),
                    tuple(sorted(self.optional)))
        if self.kind == "tuple":
            return ("tuple", tuple(e._key() for e in self.elems))
        return (self.kind,)

    def __eq__(self, other):
        return isinstance(other, Type) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return self._hash

    # predicates
    def is_primitive(self):
        return self.kind in ("bool", "number", "string")

    def is_list(self):
        return self.kind == "list"

    def is_set(self):
        return self.kind == "set"

    def is_map(self):
        return self.kind == "map"

    def is_object(self):
        return self.kind == "object"

    def is_tuple(self):
        return self.kind == "tuple"

    def is_collection(self):
        return self.kind in ("list", "set", "map")

    def is_dynamic(self):
        return self.kind == "dynamic"

    def has_dynamic_types(self):
        if self.kind == "dynamic":
            return True
        if self.kind in ("list", "set", "map"):
            return self.elem.has_dynamic_types()
        if self.kind == "object":
            return any(t.has_dynamic_types() for t in self.attrs.values())
        if self.kind == "tuple":
            return any(t.has_dynamic_types() for t in self.elems)
        return False

    def attribute_type(self, name):
        if self.kind != "object" or name not in self.attrs:
            raise CtyError("type %s has no attribute %r" % (self.friendly_name(), name))
        return self.attrs[name]

    def has_attribute(self, name):
        return self.kind == "object" and name in self.attrs

    def without_optional(self):
        """The concrete type a value of this type constraint has (optional markers dropped)."""
        if self.kind in ("list", "set", "map"):
            return Type(self.kind, elem=self.elem.without_optional())
        if self.kind == "object":
            return Type("object", attrs={k: v.without_optional() for k, v in self.attrs.items()})
        if self.kind == "tuple":
            return Type("tuple", elems=[e.without_optional() for e in self.elems])
        return self

    # JSON form (cty/json.go Type.MarshalJSON)
    def to_json_obj(self):
        if self.kind in ("bool", "number", "string", "dynamic"):
            return self.kind
        if self.kind in ("list", "set", "map"):
            return [self.kind, self.elem.to_json_obj()]
        if self.kind == "object":
            out = ["object", {k: v.to_json_obj() for k, v in self.attrs.items()}]
            if self.optional:
                out.append(sorted(self.optional))
            return out
        return ["tuple", [e.to_json_obj() for e in self.elems]]

    def to_json(self) -> bytes:
        return json.dumps(self.to_json_obj(), separators=(",", ":"), sort_keys=True,
                          ensure_ascii=False).encode("utf-8")

    def friendly_name(self):
        if self.kind in ("bool", "number", "string"):
            return self.kind
        if self.kind == "dynamic":
            return "dynamic"
        if self.kind in ("list", "set", "map"):
            return "%s of %s" % (self.kind, self.elem.friendly_name())
        if self.kind == "object":
            return "object"
        return "tuple"

    def go_string(self):
        if self.kind == "bool":
            return "cty.Bool"
        if self.kind == "number":
            return "cty.Number"
        if self.kind == "string":
            return "cty.String"
        if self.kind == "dynamic":
            return "cty.DynamicPseudoType"
        if self.kind in ("list", "set", "map"):
            return "cty.%s(%s)" % (self.kind.capitalize(), self.elem.go_string())
        if self.kind == "object":
            if not self.attrs:
                return "cty.EmptyObject"
            inner = ", ".join("%s:%s" % (_go_quote(k), v.go_string()) for k, v in self.attrs.items())
            if self.optional:
                return "cty.ObjectWithOptionalAttrs(map[string]cty.Type{%s}, []string{%s})" % (
                    inner, ", ".join(_go_quote(o) for o in sorted(self.optional)))
            return "cty.Object(map[string]cty.Type{%s})" % inner
        if not self.elems:
            return "cty.EmptyTuple"
        return "cty.Tuple([]cty.Type{%s})" % ", ".join(e.go_string() for e in self.elems)

    def __repr__(self):
        return self.go_string()


BOOL = Type("bool")
NUMBER = Type("number")
STRING = Type("string")
DYNAMIC = Type("dynamic")


def List(elem):  # noqa: N802 - mirrors cty.List
    return Type("list", elem=elem)


def Set(elem):  # noqa: N802
    return Type("set", elem=elem)


def Map(elem):  # noqa: N802
    return Type("map", elem=elem)


def Object(attrs, optional=()):  # noqa: N802
    return Type("object", attrs=dict(attrs), optional=optional)


def Tuple(elems):  # noqa: N802
    return Type("tuple", elems=list(elems))


EMPTY_OBJECT = Object({})
EMPTY_TUPLE = Tuple([])


def type_from_json(data) -> Type:
    """Parse go-cty type JSON (bytes, str or already-decoded object)."""
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")
    if isinstance(data, str) and data[:1] in ('"', "["):
        try:
            data = json.loads(data)
        except ValueError as e:
            raise CtyError("invalid type JSON: %s" % e) from None
    return _type_from_obj(data)


def _type_from_obj(o):
    if isinstance(o, str):
        if o in ("bool", "number", "string", "dynamic"):
            return {"bool": BOOL, "number": NUMBER, "string": STRING, "dynamic": DYNAMIC}[o]
        raise CtyError("invalid primitive type name %r" % o)
    if not isinstance(o, list) or not o or not isinstance(o[0], str):
        raise CtyError("invalid type specification %r" % (o,))
    kind = o[0]
    if kind in ("list", "set", "map"):
        if len(o) != 2:
            raise CtyError("%s type needs exactly one element type" % kind)
        return Type(kind, elem=_type_from_obj(o[1]))
    if kind == "object":
        if len(o) not in (2, 3) or not isinstance(o[1], dict):
            raise CtyError("invalid object type specification")
        attrs = {k: _type_from_obj(v) for k, v in o[1].items()}
        opt = ()
        if len(o) == 3:
            if not isinstance(o[2], list) or any(a not in attrs for a in o[2]):
                raise CtyError("invalid optional attribute list in object type")
            opt = o[2]
        return Object(attrs, opt)
    if kind == "tuple":
        if len(o) != 2 or not isinstance(o[1], list):
            raise CtyError("invalid tuple type specification")
        return Tuple([_type_from_obj(e) for e in o[1]])
    raise CtyError("invalid type kind %r" % kind)


def test_conformance(actual: Type, want: Type, path=None):
    """cty Type.TestConformance: errors (PathError) if `actual` does not conform to `want`."""
    path = list(path or [])
    errs = []
    if want.kind == "dynamic" or actual == want:
        return errs
    if want.is_primitive() or actual.kind != want.kind:
        if actual.kind == "dynamic":
            return errs  # an unknown/null dynamic value conforms to anything
        errs.append(PathError(path, "%s required" % _article_name(want)))
        return errs
    if want.kind in ("list", "set", "map"):
        return test_conformance(actual.elem, want.elem, path + [("index", UnknownVal(DYNAMIC))])
    if want.kind == "object":
        for name, wt in want.attrs.items():
            if name not in actual.attrs:
                errs.append(PathError(path, "missing attribute %s" % _go_quote(name)))
                continue
            errs += test_conformance(actual.attrs[name], wt, path + [("attr", name)])
        for name in actual.attrs:
            if name not in want.attrs:
                errs.append(PathError(path, "unsupported attribute %s" % _go_quote(name)))
        return errs
    if len(actual.elems) != len(want.elems):
        errs.append(PathError(path, "tuple required with %d elements" % len(want.elems)))
        return errs
    for i, (a, w) in enumerate(zip(actual.elems, want.elems)):
        errs += test_conformance(a, w, path + [("index", NumberVal(i))])
    return errs


def _article_name(t):
    n = t.friendly_name()
    return ("an " if n[0] in "aeiou" else "a ") + n


# -------------------------------------------------------------------------- numbers

def parse_number(s: str):
    """cty.ParseNumberVal: decimal text (with optional exponent) to int/Fraction."""
    s2 = s.strip()
    if s2 != s or not s:
        raise CtyError("invalid number %r" % s)
    if s in ("Inf", "+Inf", "inf", "+inf"):
        return math.inf
    if s in ("-Inf", "-inf"):
        return -math.inf
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise CtyError("invalid number %r" % s) from None
    if not d.is_finite():
        raise CtyError("invalid number %r" % s)
    return _norm_number(Fraction(d))


def _norm_number(n):
    if isinstance(n, bool):
        raise CtyError("bool is not a number")
    if isinstance(n, float):
        if math.isinf(n):
            return n
        if math.isnan(n):
            raise CtyError("NaN is not a valid number")
        # go-cty compares numbers by their shortest decimal text at their own precision
        # (rawNumberEqual uses Text('f', -1)), so a float64 0.1 equals a parsed "0.1".  The
        # shortest text of a float64 is Python's repr; keep a non-integer as that decimal.
        # Integral floats stay exact integers (go compares integers exactly).
        n = Fraction(int(n)) if n.is_integer() else Fraction(Decimal(repr(n)))
    if isinstance(n, Decimal):
        n = Fraction(n)
    if isinstance(n, Fraction):
        return int(n) if n.denominator == 1 else n
    if isinstance(n, int):
        return n
    raise CtyError("not a number: %r" % (n,))


def number_text(n) -> str:
    """big.Float.Text('f', -1) for our exact numbers."""
    if isinstance(n, float):
        return "+Inf" if n > 0 else "-Inf"
    if isinstance(n, int):
        return str(n)
    # A Fraction: exact decimal if the denominator is 2^a*5^b, else 40 significant digits.
    d = n.denominator
    k = 0
    while d % 2 == 0:
        d //= 2
        k += 1
    j = 0
    while d % 5 == 0:
        d //= 5
        j += 1
    if d == 1:
        places = max(k, j)
        q = n.numerator * (10 ** places) // n.denominator
        sign = "-" if q < 0 else ""
        digits = str(abs(q)).rjust(places + 1, "0")
        txt = sign + digits[:-places] + "." + digits[-places:]
        return txt.rstrip("0").rstrip(".")
    return format(Decimal(n.numerator) / Decimal(n.denominator), "f")


def _float_exact(n):
    if isinstance(n, float):
        return n
    try:
        f = float(n)
    except OverflowError:
        return None
    return f if Fraction(f) == n else None


# --------------------------------------------------------------------------- values

_REFN_KEYS = ("notnull", "prefix", "num_lo", "num_hi", "len_lo", "len_hi")


class Value:
    """An immutable cty value.  Use the constructor functions below."""

    __slots__ = ("ty", "v", "null", "known", "refn")

    def __init__(self, ty, v, null=False, known=True, refn=None):
        self.ty = ty
        self.v = v
        self.null = null
        self.known = known
        self.refn = refn  # dict for refined unknowns, else None

    # basic predicates
    def is_null(self):
        return self.known and self.null

    def is_known(self):
        return self.known

    def is_wholly_known(self):
        if not self.known:
            return False
        if self.null or self.ty.is_primitive():
            return True
        return all(e.is_wholly_known() for e in self.elements())

    def definitely_not_null(self):
        if self.known:
            return not self.null
        return bool(self.refn and self.refn.get("notnull"))

    # access
    def get_attr(self, name):
        if not self.ty.is_object():
            if self.ty.is_dynamic():
                return UnknownVal(DYNAMIC) if not self.known else NullVal(DYNAMIC)
            raise CtyError("get_attr on %s" % self.ty.friendly_name())
        if name not in self.ty.attrs:
            raise CtyError("object has no attribute %r" % name)
        if not self.known:
            return UnknownVal(self.ty.attrs[name])
        if self.null:
            raise CtyError("get_attr on null object")
        return self.v[name]

    def length(self):
        if not self.known or self.null:
            raise CtyError("length of unknown or null value")
        return len(self.v)

    def elements(self):
        """Element values of a known non-null collection/structural value, in cty order."""
        if not self.known or self.null:
            return []
        if self.ty.kind in ("list", "set", "tuple"):
            return list(self.v)
        if self.ty.kind in ("map", "object"):
            return [self.v[k] for k in sorted(self.v)]
        return []

    def items(self):
        """(key Value, element Value) pairs like cty's ElementIterator."""
        if not self.known or self.null:
            return []
        k = self.ty.kind
        if k in ("list", "tuple"):
            return [(NumberVal(i), e) for i, e in enumerate(self.v)]
        if k == "set":
            return [(e, e) for e in self.v]
        if k in ("map", "object"):
            return [(StringVal(key), self.v[key]) for key in sorted(self.v)]
        raise CtyError("not iterable: %s" % self.ty.friendly_name())

    def has_index(self, key: "Value"):
        if self.ty.kind in ("list", "tuple"):
            if not key.known or key.null or key.ty != NUMBER:
                return False
            i = key.v
            return isinstance(i, int) and 0 <= i < len(self.v)
        if self.ty.kind == "map":
            return key.known and not key.null and key.ty == STRING and key.v in self.v
        if self.ty.kind == "set":
            kk = key.raw_key()
            return any(e.raw_key() == kk for e in self.v)
        return False

    def index(self, key: "Value"):
        if not self.has_index(key):
            raise CtyError("no element at index %s" % key.go_string())
        if self.ty.kind in ("list", "tuple"):
            return self.v[key.v]
        if self.ty.kind == "map":
            return self.v[key.v]
        return key

    def as_string(self):
        if self.ty != STRING or not self.known or self.null:
            raise CtyError("not a known string")
        return self.v

    def true(self):
        if self.ty != BOOL or not self.known or self.null:
            raise CtyError("not a known bool")
        return self.v

    # comparisons
    def raw_key(self):
        """A hashable key identifying this value exactly (RawEquals semantics)."""
        if not self.known:
            return ("?", self.ty._key(), tuple(sorted((self.refn or {}).items())))
        if self.null:
            return ("null", self.ty._key())
        k = self.ty.kind
        if self.ty.is_primitive():
            return (k, self.v)
        if k in ("list", "tuple", "set"):
            return (k, self.ty._key(), tuple(e.raw_key() for e in self.v))
        return (k, self.ty._key(), tuple((n, self.v[n].raw_key()) for n in sorted(self.v)))

    def raw_equals(self, other: "Value"):
        return self.raw_key() == other.raw_key()

    def __eq__(self, other):
        return isinstance(other, Value) and self.raw_equals(other)

    def __hash__(self):
        return hash(self.raw_key())

    def equals(self, other: "Value"):
        """cty Value.Equals as a tri-state: True, False, or None (unknown)."""
        if self.null and self.known and other.definitely_not_null():
            return False
        if other.null and other.known and self.definitely_not_null():
            return False
        if self.known and not other.known:
            if includes(other, self) is False:
                return False
        elif other.known and not self.known:
            if includes(self, other) is False:
                return False
        if not self.known or not other.known:
            return None
        if self.null and other.null:
            return True
        if self.null or other.null:
            return False
        if self.ty.has_dynamic_types() or other.ty.has_dynamic_types():
            if self.ty != other.ty:
                return None
        if self.ty != other.ty:
            return False
        k = self.ty.kind
        if self.ty.is_primitive():
            return self.v == other.v
        if k == "set":
            if not all(e.known for e in self.v) or not all(e.known for e in other.v):
                return None
            return set(e.raw_key() for e in self.v) == set(e.raw_key() for e in other.v)
        if k in ("list", "tuple"):
            if len(self.v) != len(other.v):
                return False
            pairs = list(zip(self.v, other.v))
        else:
            if set(self.v) != set(other.v):
                return False
            pairs = [(self.v[n], other.v[n]) for n in sorted(self.v)]
        result = True
        for a, b in pairs:
            eq = a.equals(b)
            if eq is None:
                return None
            if eq is False:
                result = False
        return result

    def go_string(self):
        return _go_string(self)

    def __repr__(self):
        return self.go_string()


def NullVal(ty):  # noqa: N802
    return Value(ty, None, null=True)


def UnknownVal(ty, refn=None):  # noqa: N802
    if refn:
        refn = {k: v for k, v in refn.items() if v is not None}
        bad = set(refn) - set(_REFN_KEYS)
        if bad:
            raise CtyError("unknown refinement(s) %s" % sorted(bad))
        if ty.is_dynamic():
            refn = None  # cty.DynamicVal can never have refinements
    return Value(ty, None, known=False, refn=refn or None)


def StringVal(s):  # noqa: N802
    if not isinstance(s, str):
        raise CtyError("StringVal needs str")
    import unicodedata
    return Value(STRING, unicodedata.normalize("NFC", s))


def NumberVal(n):  # noqa: N802
    return Value(NUMBER, _norm_number(n))


def BoolVal(b):  # noqa: N802
    return Value(BOOL, bool(b))


True_ = BoolVal(True)
False_ = BoolVal(False)
DynamicVal = UnknownVal(DYNAMIC)


def ListVal(elems, ety=None):  # noqa: N802
    elems = list(elems)
    if not elems:
        if ety is None:
            raise CtyError("ListVal of no elements needs an element type")
        return Value(List(ety), ())
    ety = _unify_elem_types(elems, ety)
    return Value(List(ety), tuple(elems))


def ListValEmpty(ety):  # noqa: N802
    return Value(List(ety), ())


def _unify_elem_types(elems, ety):
    tys = [e.ty for e in elems if not e.ty.is_dynamic()]
    t = tys[0] if tys else (ety or DYNAMIC)
    for e in elems:
        if not e.ty.is_dynamic() and e.ty != t:
            raise CtyError("inconsistent collection element types (%s vs %s)"
                           % (e.ty.go_string(), t.go_string()))
    return t


def _set_sort_key(v: Value):
    return repr(v.raw_key())


def SetVal(elems, ety=None):  # noqa: N802
    elems = list(elems)
    if not elems:
        if ety is None:
            raise CtyError("SetVal of no elements needs an element type")
        return Value(Set(ety), ())
    ety = _unify_elem_types(elems, ety)
    seen = {}
    unknowns = []
    for e in elems:
        if e.is_wholly_known():
            seen.setdefault(e.raw_key(), e)
        else:
            unknowns.append(e)
    # a deterministic order (go-cty orders by hash); partially unknown elements are never
    # merged, as in cty, but are ordered too so that equal sets compare equal
    ordered = sorted(seen.values(), key=_set_sort_key) + sorted(unknowns, key=_set_sort_key)
    return Value(Set(ety), tuple(ordered))


def SetValEmpty(ety):  # noqa: N802
    return Value(Set(ety), ())


def MapVal(d, ety=None):  # noqa: N802
    d = dict(d)
    if not d:
        if ety is None:
            raise CtyError("MapVal of no elements needs an element type")
        return Value(Map(ety), {})
    ety = _unify_elem_types(list(d.values()), ety)
    for k in d:
        if not isinstance(k, str):
            raise CtyError("map keys must be strings")
    return Value(Map(ety), dict(sorted(d.items())))


def MapValEmpty(ety):  # noqa: N802
    return Value(Map(ety), {})


def ObjectVal(d):  # noqa: N802
    d = dict(sorted(dict(d).items()))
    return Value(Object({k: v.ty for k, v in d.items()}), d)


EmptyObjectVal = ObjectVal({})


def TupleVal(elems):  # noqa: N802
    elems = list(elems)
    return Value(Tuple([e.ty for e in elems]), tuple(elems))


# ---------------------------------------------------------------------- refinements

def includes(rng_val: Value, actual: Value):
    """ValueRange.Includes: may `actual` be a final value of unknown `rng_val`?
    Returns False when definitely not, None/True otherwise."""
    refn = rng_val.refn or {}
    if not refn:
        return True
    if actual.known and actual.null:
        return False if refn.get("notnull") else True
    if not actual.known:
        return None
    if "prefix" in refn and actual.ty == STRING:
        if not actual.v.startswith(refn["prefix"]):
            return False
    if actual.ty == NUMBER:
        n = actual.v
        if "num_lo" in refn:
            lo, inc = refn["num_lo"]
            if n < lo or (n == lo and not inc):
                return False
        if "num_hi" in refn:
            hi, inc = refn["num_hi"]
            if n > hi or (n == hi and not inc):
                return False
    if actual.ty.is_collection():
        ln = len(actual.v)
        if "len_lo" in refn and ln < refn["len_lo"]:
            return False
        if "len_hi" in refn and ln > refn["len_hi"]:
            return False
    return True


def _refn_go(refn):
    parts = []
    if refn.get("notnull"):
        parts.append(".NotNull()")
    if "prefix" in refn:
        parts.append(".StringPrefixFull(%s)" % _go_quote(refn["prefix"]))
    if "num_lo" in refn:
        parts.append(".NumberRangeLowerBound(%s, %s)" % (_go_string(NumberVal(refn["num_lo"][0])),
                                                         str(refn["num_lo"][1]).lower()))
    if "num_hi" in refn:
        parts.append(".NumberRangeUpperBound(%s, %s)" % (_go_string(NumberVal(refn["num_hi"][0])),
                                                         str(refn["num_hi"][1]).lower()))
    if "len_lo" in refn:
        parts.append(".CollectionLengthLowerBound(%d)" % refn["len_lo"])
    if "len_hi" in refn:
        parts.append(".CollectionLengthUpperBound(%d)" % refn["len_hi"])
    return "".join(parts)


# ------------------------------------------------------------------ GoString (%#v)

def _go_quote(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        elif not ch.isprintable():
            out.append("\\u%04x" % o if o <= 0xffff else "\\U%08x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _go_float(f):
    if f == int(f) and abs(f) < 1e21:
        return "%d" % int(f)
    r = repr(f)
    if "e" in r:
        mant, exp = r.split("e")
        sign = exp[0] if exp[0] in "+-" else "+"
        digits = exp.lstrip("+-").rjust(2, "0")
        return "%se%s%s" % (mant, sign, digits)
    return r


def _go_string(val: Value):
    if not val.known:
        if val.ty.is_dynamic():
            return "cty.DynamicVal"
        suffix = ""
        if val.refn:
            calls = _refn_go(val.refn)
            suffix = ".RefineNotNull()" if calls == ".NotNull()" else ".Refine()" + calls + ".NewValue()"
        return "cty.UnknownVal(%s)%s" % (val.ty.go_string(), suffix)
    if val.null:
        return "cty.NullVal(%s)" % val.ty.go_string()
    k = val.ty.kind
    if k == "bool":
        return "cty.True" if val.v else "cty.False"
    if k == "number":
        n = val.v
        if isinstance(n, float):
            return "cty.PositiveInfinity" if n > 0 else "cty.NegativeInfinity"
        if isinstance(n, int):
            return "cty.NumberIntVal(%d)" % n
        f = _float_exact(n)
        if f is not None:
            return "cty.NumberFloatVal(%s)" % _go_float(f)
        return "cty.MustParseNumberVal(%s)" % _go_quote(number_text(n))
    if k == "string":
        return "cty.StringVal(%s)" % _go_quote(val.v)
    if k in ("set", "list"):
        if not val.v:
            return "cty.%sValEmpty(%s)" % (k.capitalize(), val.ty.elem.go_string())
        return "cty.%sVal([]cty.Value{%s})" % (k.capitalize(), ", ".join(_go_string(e) for e in val.v))
    if k == "map":
        if not val.v:
            return "cty.MapValEmpty(%s)" % val.ty.elem.go_string()
        return "cty.MapVal(map[string]cty.Value{%s})" % ", ".join(
            "%s:%s" % (_go_quote(n), _go_string(val.v[n])) for n in sorted(val.v))
    if k == "tuple":
        if not val.v:
            return "cty.EmptyTupleVal"
        return "cty.TupleVal([]cty.Value{%s})" % ", ".join(_go_string(e) for e in val.v)
    if k == "object":
        if not val.v:
            return "cty.EmptyObjectVal"
        return "cty.ObjectVal(map[string]cty.Value{%s})" % ", ".join(
            "%s:%s" % (_go_quote(n), _go_string(val.v[n])) for n in sorted(val.v))
    return "cty.Value{}"


# -------------------------------------------------------------------- paths & walks

def format_path(path) -> str:
    """tfdiags.FormatCtyPath."""
    out = []
    for kind, key in path:
        if kind == "attr":
            out.append("." + key)
        else:
            if key.known and not key.null and key.ty == STRING:
                out.append("[%s]" % _go_quote(key.v))
            elif key.known and not key.null and key.ty == NUMBER:
                out.append("[%s]" % number_text(key.v))
            else:
                out.append("[...]")
    return "".join(out)


def walk(val: Value, fn, path=None):
    """cty.Walk: pre-order; fn(path, value) -> bool (descend?)."""
    path = list(path or [])
    if not fn(path, val):
        return
    if not val.known or val.null:
        return
    k = val.ty.kind
    if k == "object":
        for n in sorted(val.v):
            walk(val.v[n], fn, path + [("attr", n)])
    elif k in ("list", "tuple", "map", "set"):
        for key, e in val.items():
            walk(e, fn, path + [("index", key)])


def transform(val: Value, fn, path=None):
    """cty.Transform: post-order; fn(path, value) -> replacement value."""
    path = list(path or [])
    if val.known and not val.null:
        k = val.ty.kind
        if k == "object":
            val = ObjectVal({n: transform(val.v[n], fn, path + [("attr", n)]) for n in val.v})
        elif k == "tuple":
            val = TupleVal([transform(e, fn, path + [("index", NumberVal(i))]) for i, e in enumerate(val.v)])
        elif k == "list":
            new = [transform(e, fn, path + [("index", NumberVal(i))]) for i, e in enumerate(val.v)]
            val = ListVal(new, val.ty.elem) if new else val
        elif k == "map":
            new = {n: transform(val.v[n], fn, path + [("index", StringVal(n))]) for n in val.v}
            val = MapVal(new, val.ty.elem) if new else val
        elif k == "set":
            new = [transform(e, fn, path + [("index", e)]) for e in val.v]
            val = SetVal(new, val.ty.elem) if new else val
    return fn(path, val)


def unknown_as_null(val: Value) -> Value:
    return transform(val, lambda p, v: NullVal(v.ty) if not v.known else v)


def unrefined(val: Value) -> Value:
    """objchange.unrefinedValue: strip refinements from all unknowns."""
    return transform(val, lambda p, v: UnknownVal(v.ty) if not v.known else v)


# --------------------------------------------------------------------- msgpack

_UNKNOWN_EXT = msgpack.ExtType(0, b"\x00")
_REFINED_EXT = 0x0C


def _msgpack_number(n):
    if isinstance(n, float):
        return n  # +/-Inf
    if isinstance(n, int) and -(1 << 63) <= n < (1 << 63):
        return n
    f = _float_exact(n)
    if f is not None:
        return f
    return number_text(n)


def _unknown_obj(val: Value, ty: Type):
    refn = val.refn or {}
    if ty.is_dynamic() or not refn:
        return _UNKNOWN_EXT
    body = {}
    if refn.get("notnull"):
        body[1] = False
    if ty == NUMBER:
        if "num_lo" in refn:
            body[3] = [_msgpack_number(_norm_number(refn["num_lo"][0])), bool(refn["num_lo"][1])]
        if "num_hi" in refn:
            body[4] = [_msgpack_number(_norm_number(refn["num_hi"][0])), bool(refn["num_hi"][1])]
    elif ty == STRING:
        if refn.get("prefix"):
            body[2] = refn["prefix"]
    elif ty.is_collection():
        if refn.get("len_lo"):
            body[5] = int(refn["len_lo"])
        if "len_hi" in refn:
            body[6] = int(refn["len_hi"])
    if not body:
        return _UNKNOWN_EXT
    return msgpack.ExtType(_REFINED_EXT, msgpack.packb(body, use_bin_type=True))


def _to_msgpack_obj(val: Value, ty: Type, path):
    if ty.is_dynamic() and not val.ty.is_dynamic():
        # marshalDynamic: [bin(type JSON), value]
        return [val.ty.to_json(), _to_msgpack_obj(val, val.ty, path)]
    if not val.known:
        return _unknown_obj(val, ty)
    if val.null:
        return None
    k = ty.kind
    if k == "string":
        return val.as_string()
    if k == "number":
        return _msgpack_number(val.v)
    if k == "bool":
        return bool(val.v)
    if k in ("list", "set"):
        return [_to_msgpack_obj(e, ty.elem, path + [("index", key)]) for key, e in val.items()]
    if k == "map":
        return {n: _to_msgpack_obj(val.v[n], ty.elem, path + [("index", StringVal(n))]) for n in sorted(val.v)}
    if k == "tuple":
        if len(val.v) != len(ty.elems):
            raise PathError(path, "tuple length mismatch")
        return [_to_msgpack_obj(e, t, path + [("index", NumberVal(i))]) for i, (e, t) in enumerate(zip(val.v, ty.elems))]
    if k == "object":
        out = {}
        for n in sorted(ty.attrs):
            if n not in val.v:
                raise PathError(path, "missing attribute %s" % _go_quote(n))
            out[n] = _to_msgpack_obj(val.v[n], ty.attrs[n], path + [("attr", n)])
        return out
    raise PathError(path, "cannot msgpack-serialize %s" % ty.friendly_name())


def msgpack_marshal(val: Value, ty: Type) -> bytes:
    """cty/msgpack Marshal(val, ty)."""
    errs = test_conformance(val.ty, ty)
    if errs:
        raise PathError(errs[0].path, "value does not conform to type: %s%s" % (format_path(errs[0].path), ": " + errs[0].message))
    obj = _to_msgpack_obj(val, ty, [])
    return msgpack.packb(obj, use_bin_type=True)


def _ext_hook(code, data):
    return msgpack.ExtType(code, data)


def msgpack_unmarshal(data: bytes, ty: Type) -> Value:
    """cty/msgpack Unmarshal(b, ty)."""
    try:
        obj = msgpack.unpackb(data, raw=False, strict_map_key=False, use_list=True,
                              ext_hook=_ext_hook)
    except (msgpack.ExtraData, msgpack.FormatError, msgpack.StackError, ValueError, TypeError) as e:
        raise CtyError("invalid msgpack: %s" % e) from None
    return _from_msgpack_obj(obj, ty, [])


def _unknown_from_ext(ext, ty, path):
    code, body = ext.code, ext.data
    if len(body) <= 1:
        return UnknownVal(ty)
    if code != _REFINED_EXT:
        raise PathError(path, "unsupported extension type 0x%02x with len %d" % (code, len(body)))
    if len(body) > 1024:
        raise PathError(path, "oversize unknown value refinement")
    try:
        unp = msgpack.Unpacker(raw=False, strict_map_key=False, ext_hook=_ext_hook)
        unp.feed(body)
        m = unp.unpack()  # trailing bytes are ignored, like go-cty
    except Exception:  # noqa: BLE001 - any decode failure is a bad refinement
        raise PathError(path, "failed to decode msgpack extension body: not a map") from None
    if not isinstance(m, dict):
        raise PathError(path, "failed to decode msgpack extension body: not a map")
    if ty.is_dynamic():
        return UnknownVal(ty)
    refn = {}
    for key, v in m.items():
        if not isinstance(key, int) or isinstance(key, bool):
            raise PathError(path, "failed to decode msgpack extension body: non-integer key in map")
        if key == 1:
            if not isinstance(v, bool):
                raise PathError(path, "failed to decode msgpack extension body: null refinement is not boolean")
            if v:
                return NullVal(ty)
            refn["notnull"] = True
        elif key == 2:
            if ty != STRING:
                raise PathError(path, "failed to decode msgpack extension body: string prefix refinement for non-string type")
            if not isinstance(v, str):
                raise PathError(path, "failed to decode msgpack extension body: string prefix refinement is not string")
            if v:
                refn["prefix"] = v
        elif key in (5, 6):
            if not ty.is_collection():
                raise PathError(path, "failed to decode msgpack extension body: length lower bound refinement for non-collection type")
            if not isinstance(v, int) or isinstance(v, bool):
                raise PathError(path, "failed to decode msgpack extension body: length bound refinement must be integer or [integer, bool] array")
            refn["len_lo" if key == 5 else "len_hi"] = v
        elif key in (3, 4):
            if ty != NUMBER:
                raise PathError(path, "failed to decode msgpack extension body: numeric bound refinement for non-number type")
            try:
                b = _from_msgpack_obj(v, Tuple([NUMBER, BOOL]), path)
            except CtyError:
                b = None
            if b is None or not b.is_wholly_known() or b.null or b.v[0].null or b.v[1].null:
                raise PathError(path, "failed to decode msgpack extension body: length bound refinement must be [number, bool] array")
            refn["num_lo" if key == 3 else "num_hi"] = (b.v[0].v, b.v[1].v)
        # unknown keys are ignored for forward compatibility
    return UnknownVal(ty, refn)


def _key_str(key):
    """go's DecodeString also accepts msgpack bin for map keys."""
    if isinstance(key, bytes):
        try:
            return key.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return key


def _from_msgpack_obj(o, ty, path):
    if isinstance(o, msgpack.ExtType):
        return _unknown_from_ext(o, ty, path)
    if ty.is_dynamic():
        if o is None:
            return NullVal(DYNAMIC)
        if not isinstance(o, list) or len(o) != 2:
            raise PathError(path, "dynamic value array must have exactly two elements")
        tj = o[0]
        if isinstance(tj, str):
            tj = tj.encode("utf-8")
        if not isinstance(tj, (bytes, bytearray)):
            raise PathError(path, "dynamic value type must be bytes")
        try:
            real = type_from_json(bytes(tj))
        except CtyError as e:
            raise PathError(path, str(e)) from None
        return _from_msgpack_obj(o[1], real, path)
    if o is None:
        return NullVal(ty)
    k = ty.kind
    if k == "bool":
        if not isinstance(o, bool):
            raise PathError(path, "bool is required")
        return BoolVal(o)
    if k == "number":
        if isinstance(o, bool):
            raise PathError(path, "number is required")
        if isinstance(o, int):
            return NumberVal(o)
        if isinstance(o, float):
            if math.isnan(o):
                raise PathError(path, "number is required")
            return NumberVal(o)
        if isinstance(o, (str, bytes)):
            s = o.decode("utf-8", "strict") if isinstance(o, bytes) else o
            try:
                return NumberVal(parse_number(s))
            except CtyError:
                raise PathError(path, "number is required") from None
        raise PathError(path, "number is required")
    if k == "string":
        if isinstance(o, bytes):
            try:
                o = o.decode("utf-8")
            except UnicodeDecodeError:
                raise PathError(path, "string is required") from None
        if not isinstance(o, str):
            raise PathError(path, "string is required")
        return StringVal(o)
    if k in ("list", "set"):
        if not isinstance(o, list):
            raise PathError(path, "a %s is required" % k)
        if not o:
            return (ListValEmpty if k == "list" else SetValEmpty)(ty.elem)
        vals = [_from_msgpack_obj(e, ty.elem, path + [("index", NumberVal(i))]) for i, e in enumerate(o)]
        try:
            return (ListVal if k == "list" else SetVal)(vals, ty.elem)
        except CtyError as e:
            raise PathError(path, str(e)) from None
    if k == "map":
        if not isinstance(o, dict):
            raise PathError(path, "a map is required")
        if not o:
            return MapValEmpty(ty.elem)
        vals = {}
        for key, e in o.items():
            key = _key_str(key)
            if not isinstance(key, str):
                raise PathError(path, "non-string key in map")
            vals[key] = _from_msgpack_obj(e, ty.elem, path + [("index", StringVal(key))])
        try:
            return MapVal(vals, ty.elem)
        except CtyError as e:
            raise PathError(path, str(e)) from None
    if k == "tuple":
        if not isinstance(o, list):
            raise PathError(path, "a tuple is required")
        if not o:
            return TupleVal([])
        if len(o) != len(ty.elems):
            raise PathError(path, "a tuple of length %d is required" % len(ty.elems))
        return TupleVal([_from_msgpack_obj(e, t, path + [("index", NumberVal(i))])
                         for i, (e, t) in enumerate(zip(o, ty.elems))])
    if k == "object":
        if not isinstance(o, dict):
            raise PathError(path, "an object is required")
        if not o:
            return EmptyObjectVal
        if len(o) != len(ty.attrs):
            raise PathError(path, "an object with %d attributes is required (%d given)" % (len(ty.attrs), len(o)))
        vals = {}
        for key, e in o.items():
            key = _key_str(key)
            if not isinstance(key, str):
                raise PathError(path, "all keys must be strings")
            if key not in ty.attrs:
                raise PathError(path + [("index", StringVal(key))], "unsupported attribute")
            vals[key] = _from_msgpack_obj(e, ty.attrs[key], path + [("index", StringVal(key))])
        return ObjectVal(vals)
    raise PathError(path, "unsupported type %s" % ty.friendly_name())


# ------------------------------------------------------------------------ JSON

def _json_number(n):
    if isinstance(n, float):
        raise CtyError("cannot serialize infinity as JSON")
    if isinstance(n, int):
        return n
    txt = number_text(n)
    f = _float_exact(n)
    if f is None:
        f = float(n)
    if repr(f) == txt:
        return f
    return txt  # ctyjson accepts numbers given as strings; keeps full precision


def _to_json_obj(val: Value, ty: Type, path):
    if not val.known:
        raise PathError(path, "value is not known")
    if ty.is_dynamic():
        if val.null:
            return None
        return {"value": _to_json_obj(val, val.ty, path), "type": val.ty.to_json_obj()}
    if val.null:
        return None
    k = ty.kind
    if k == "string":
        return val.v
    if k == "number":
        return _json_number(val.v)
    if k == "bool":
        return bool(val.v)
    if k in ("list", "set"):
        return [_to_json_obj(e, ty.elem, path + [("index", key)]) for key, e in val.items()]
    if k == "map":
        return {n: _to_json_obj(val.v[n], ty.elem, path + [("index", StringVal(n))]) for n in sorted(val.v)}
    if k == "tuple":
        return [_to_json_obj(e, t, path + [("index", NumberVal(i))]) for i, (e, t) in enumerate(zip(val.v, ty.elems))]
    if k == "object":
        return {n: _to_json_obj(val.v[n], ty.attrs[n], path + [("attr", n)]) for n in sorted(ty.attrs)}
    raise PathError(path, "cannot serialize %s" % ty.friendly_name())


def json_marshal(val: Value, ty: Type) -> bytes:
    """cty/json Marshal(val, ty)."""
    errs = test_conformance(val.ty, ty)
    if errs:
        raise PathError(errs[0].path, "value does not conform to type: " + errs[0].message)
    return json.dumps(_to_json_obj(val, ty, []), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_to_obj(val: Value, ty: Type):
    """The decoded-JSON (Python) form of val, as json_marshal would write it."""
    return _to_json_obj(val, ty, [])


def json_unmarshal(data, ty: Type) -> Value:
    """cty/json Unmarshal(buf, ty); also accepts an already-decoded Python object
    when `data` is not bytes/str."""
    if isinstance(data, (bytes, bytearray, str)):
        try:
            obj = json.loads(data, parse_float=lambda s: ("__num__", s), parse_int=lambda s: ("__num__", s))
        except ValueError as e:
            raise CtyError("invalid JSON: %s" % e) from None
    else:
        obj = _wrap_plain(data)
    return _from_json_obj(obj, ty, [])


def _wrap_plain(o):
    if isinstance(o, bool) or o is None or isinstance(o, str):
        return o
    if isinstance(o, (int, float, Fraction, Decimal)):
        return ("__num__", o)
    if isinstance(o, list):
        return [_wrap_plain(e) for e in o]
    if isinstance(o, dict):
        return {k: _wrap_plain(v) for k, v in o.items()}
    raise CtyError("unsupported JSON value %r" % (o,))


def _is_num(o):
    return isinstance(o, tuple) and len(o) == 2 and o[0] == "__num__"


def _num_of(o):
    raw = o[1]
    if isinstance(raw, str):
        return parse_number(raw)
    return _norm_number(raw)


def _from_json_obj(o, ty, path):
    if ty.is_dynamic():
        if o is None:
            return NullVal(DYNAMIC)
        if not isinstance(o, dict) or set(o) != {"value", "type"}:
            raise PathError(path, "dynamic value must be an object with \"value\" and \"type\"")
        t = o["type"]
        try:
            real = _type_from_obj(_unwrap_plain(t))
        except CtyError as e:
            raise PathError(path, str(e)) from None
        return _from_json_obj(o["value"], real, path)
    if o is None:
        return NullVal(ty)
    k = ty.kind
    if k == "string":
        if isinstance(o, str):
            return StringVal(o)
        if _is_num(o):
            return StringVal(number_text(_num_of(o)) if not isinstance(o[1], str) else o[1])
        if isinstance(o, bool):
            return StringVal("true" if o else "false")
        raise PathError(path, "string is required")
    if k == "number":
        if _is_num(o):
            return NumberVal(_num_of(o))
        if isinstance(o, str):
            try:
                return NumberVal(parse_number(o))
            except CtyError:
                raise PathError(path, "a number is required") from None
        raise PathError(path, "number is required")
    if k == "bool":
        if isinstance(o, bool):
            return BoolVal(o)
        if o in ("true", "false"):
            return BoolVal(o == "true")
        raise PathError(path, "bool is required")
    if k in ("list", "set"):
        if not isinstance(o, list):
            raise PathError(path, "a %s is required" % k)
        if not o:
            return (ListValEmpty if k == "list" else SetValEmpty)(ty.elem)
        vals = [_from_json_obj(e, ty.elem, path + [("index", NumberVal(i))]) for i, e in enumerate(o)]
        try:
            return (ListVal if k == "list" else SetVal)(vals, ty.elem)
        except CtyError as e:
            raise PathError(path, str(e)) from None
    if k == "map":
        if not isinstance(o, dict):
            raise PathError(path, "a map is required")
        if not o:
            return MapValEmpty(ty.elem)
        vals = {key: _from_json_obj(e, ty.elem, path + [("index", StringVal(key))]) for key, e in o.items()}
        try:
            return MapVal(vals, ty.elem)
        except CtyError as e:
            raise PathError(path, str(e)) from None
    if k == "tuple":
        if not isinstance(o, list):
            raise PathError(path, "a tuple is required")
        if len(o) != len(ty.elems):
            raise PathError(path, "a tuple of length %d is required" % len(ty.elems))
        return TupleVal([_from_json_obj(e, t, path + [("index", NumberVal(i))]) for i, (e, t) in enumerate(zip(o, ty.elems))])
    if k == "object":
        if not isinstance(o, dict):
            raise PathError(path, "an object is required")
        vals = {}
        for key, e in o.items():
            if key not in ty.attrs:
                raise PathError(path, "unsupported attribute %s" % _go_quote(key))
            vals[key] = _from_json_obj(e, ty.attrs[key], path + [("attr", key)])
        for key, at in ty.attrs.items():
            if key not in vals:
                vals[key] = NullVal(at)
        return ObjectVal(vals)
    raise PathError(path, "unsupported type %s" % ty.friendly_name())


def _unwrap_plain(o):
    if _is_num(o):
        return _num_of(o)
    if isinstance(o, list):
        return [_unwrap_plain(e) for e in o]
    if isinstance(o, dict):
        return {k: _unwrap_plain(v) for k, v in o.items()}
    return o


# ----------------------------------------------------------- convenience conversion

def from_python(o, ty: Type) -> Value:
    """Build a Value of (type constraint) `ty` from plain Python data (None = null)."""
    return _from_json_obj(_wrap_plain(o), ty, [])


def to_python(val: Value):
    """Plain Python data for a wholly-known value (numbers as int/Fraction)."""
    if not val.known:
        raise CtyError("value is not known")
    if val.null:
        return None
    k = val.ty.kind
    if val.ty.is_primitive():
        return val.v
    if k in ("list", "set", "tuple"):
        return [to_python(e) for e in val.v]
    return {n: to_python(val.v[n]) for n in sorted(val.v)}
