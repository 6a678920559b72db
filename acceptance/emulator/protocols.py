"""Wire protocols: request parsing/validation and response/error serialization.

Everything is driven by botocore's service models (``metadata.protocol``):

* ``query`` (sts, iam, elasticache): form-encoded body, XML responses wrapped in
  ``<OpResponse><OpResult>``;
* ``ec2``: form-encoded body with EC2 naming rules, XML responses with
  ``<requestId>`` and ``<item>`` lists;
* ``json`` (JSON 1.1: kms, secretsmanager, logs, ssm): ``X-Amz-Target`` header,
  JSON body, JSON responses.

The parsers are the inverse of botocore.serialize's serializers; the
serializers produce what botocore.parsers' parsers read back.
"""

import base64
import binascii
import datetime
import json
import math
import re
import threading
import xml.etree.ElementTree as ET

import botocore.session
from botocore.utils import parse_timestamp

from .errors import AwsError

_MODEL_LOCK = threading.Lock()
_MODELS = {}
_SESSION = None


def service_model(name):
    """Return (cached) botocore ServiceModel for a service directory name."""
    global _SESSION
    with _MODEL_LOCK:
        model = _MODELS.get(name)
        if model is None:
            if _SESSION is None:
                _SESSION = botocore.session.get_session()
            model = _SESSION.get_service_model(name)
            _MODELS[name] = model
        return model


# --------------------------------------------------------------------------
# Parameter problems.  Collected while parsing/validating, then rendered as
# the error the service's protocol family returns.
# --------------------------------------------------------------------------

class Problem:
    """One parameter problem.

    kind: "unknown" | "missing" | "type" | "constraint"
    wire: the parameter name as sent on the wire (e.g. ``Filter.1.Name``)
    path: the Coral-style member path (lowerCamel, e.g. ``filters.1.member.name``)
    """

    def __init__(self, kind, wire, path, value=None, constraint=""):
        self.kind = kind
        self.wire = wire
        self.path = path
        self.value = value
        self.constraint = constraint


class ParamErrors(Exception):
    def __init__(self, problems):
        super().__init__("%d parameter problem(s)" % len(problems))
        self.problems = problems


def _lower_first(name):
    return name[:1].lower() + name[1:] if name else name


def _short(value):
    """Value as AWS echoes it in validation messages (truncated, no secrets
    expected here since secrets are never echoed by the caller paths)."""
    s = value if isinstance(value, str) else str(value)
    if len(s) > 100:
        s = s[:100] + "..."
    return s


# Service families for validation error rendering.  AWS services built on
# Coral (sts, iam, kms, secretsmanager, logs, ssm) report constraint
# violations as "N validation error(s) detected: Value 'x' at 'member' failed
# to satisfy constraint: ...": query-protocol ones with code ValidationError,
# JSON ones with ValidationException.  ElastiCache (older query stack) uses
# MissingParameter / InvalidParameterValue / InvalidParameterCombination;
# EC2 uses UnknownParameter / MissingParameter / InvalidParameterValue.
CORAL_QUERY_SERVICES = {"sts", "iam"}


def _coral_message(problems):
    parts = []
    for p in problems:
        if p.kind == "missing":
            parts.append(f"Value null at '{p.path}' failed to satisfy constraint: "
                         "Member must not be null")
        else:
            parts.append(f"Value '{_short(p.value)}' at '{p.path}' failed to satisfy "
                         f"constraint: {p.constraint}")
    n = len(parts)
    head = "1 validation error detected: " if n == 1 else f"{n} validation errors detected: "
    return head + "; ".join(parts)


def render_param_errors(service, protocol, problems):
    """Turn collected problems into the single AwsError AWS would send."""
    # The first unknown/missing/type problem decides the code for non-Coral
    # families; Coral families report all constraint problems together.
    first = problems[0]
    if protocol == "ec2":
        if first.kind == "unknown":
            return AwsError("UnknownParameter", f"The parameter {first.wire} is not recognized")
        if first.kind == "missing":
            return AwsError("MissingParameter",
                            f"The request must contain the parameter {first.wire}")
        return AwsError("InvalidParameterValue",
                        f"Value ({_short(first.value)}) for parameter {first.wire} is invalid. "
                        f"{first.constraint}")
    if protocol == "json":
        if first.kind in ("unknown", "type"):
            # Coral's JSON deserializer rejects these before validation.
            if first.kind == "unknown":
                return AwsError("SerializationException",
                                f"Unrecognized field \"{first.wire}\"")
            return AwsError("SerializationException",
                            f"Cannot deserialize value at '{first.path}': {first.constraint}")
        return AwsError("ValidationException", _coral_message(problems))
    # query protocol
    if service in CORAL_QUERY_SERVICES:
        if first.kind == "unknown":
            # Deliberately strict: unknown parameters are rejected so client
            # bugs surface (AWS's Coral query stack would silently ignore them).
            return AwsError("InvalidParameterValue",
                            f"The parameter {first.wire} is not recognized")
        if first.kind == "type":
            return AwsError("InvalidParameterValue",
                            f"Value ({_short(first.value)}) for parameter {first.wire} is invalid. "
                            f"{first.constraint}")
        return AwsError("ValidationError", _coral_message(problems))
    if first.kind == "unknown":
        return AwsError("InvalidParameterValue", f"The parameter {first.wire} is not recognized")
    if first.kind == "missing":
        return AwsError("MissingParameter",
                        f"The request must contain the parameter {first.wire}")
    return AwsError("InvalidParameterValue",
                    f"Value ({_short(first.value)}) for parameter {first.wire} is invalid. "
                    f"{first.constraint}")


# --------------------------------------------------------------------------
# Query / EC2 request parsing
# --------------------------------------------------------------------------

# Characters XML 1.0 cannot carry: rejected in query/ec2 input, replaced in output.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _int_in_range(type_name, v):
    bits = 31 if type_name == "integer" else 63
    if not -(1 << bits) <= v < (1 << bits):
        raise ValueError(f"Member must be a {'32' if bits == 31 else '64'}-bit integer")
    return v


class _Node:
    __slots__ = ("value", "children", "wire")

    def __init__(self, wire):
        self.value = None
        self.children = {}
        self.wire = wire


MAX_KEY_DEPTH = 32  # deeper than any model's serialized names


def _build_tree(pairs):
    root = _Node("")
    for key, value in pairs:
        node = root
        parts = key.split(".")
        if len(parts) > MAX_KEY_DEPTH:
            raise ParamErrors([Problem("unknown", key[:200], key[:200], value)])
        for i, part in enumerate(parts):
            child = node.children.get(part)
            if child is None:
                child = _Node(".".join(parts[: i + 1]))
                node.children[part] = child
            node = child
        node.value = value
    return root


def _query_name(shape, default, ec2):
    ser = shape.serialization
    if ec2:
        if "queryName" in ser:
            return ser["queryName"]
        if "name" in ser:
            return ser["name"][0].upper() + ser["name"][1:]
        return default
    return ser.get("name", default)


class _QueryParser:
    def __init__(self, ec2):
        self.ec2 = ec2
        self.problems = []

    def unknown(self, node):
        # report every leaf under node as unknown
        if node.value is not None:
            self.problems.append(Problem("unknown", node.wire, node.wire, node.value))
        for child in node.children.values():
            self.unknown(child)

    def parse(self, shape, node, path):
        t = shape.type_name
        if t == "structure":
            return self.structure(shape, node, path)
        if t == "list":
            return self.list(shape, node, path)
        if t == "map":
            return self.map(shape, node, path)
        if node.children:
            for child in node.children.values():
                self.unknown(child)
        if node.value is None:
            return None
        return self.scalar(shape, node.value, node.wire, path)

    def scalar(self, shape, raw, wire, path):
        t = shape.type_name
        try:
            if t in ("string", "character"):
                if _XML_INVALID.search(raw):
                    raise ValueError("Member must not contain control characters")
                return raw
            if t in ("integer", "long"):
                if not re.fullmatch(r"[+-]?\d{1,20}", raw.strip()):
                    raise ValueError("Member must be a number")
                return _int_in_range(t, int(raw))
            if t in ("float", "double"):
                v = float(raw)
                if not math.isfinite(v):
                    raise ValueError("Member must be a finite number")
                return v
            if t == "boolean":
                low = raw.lower()
                if low not in ("true", "false"):
                    raise ValueError("Member must be a boolean (true or false)")
                return low == "true"
            if t == "timestamp":
                v = parse_timestamp(raw)
                if v.tzinfo is None:
                    v = v.replace(tzinfo=datetime.timezone.utc)
                return v.astimezone(datetime.timezone.utc)
            if t == "blob":
                return base64.b64decode(raw.encode("ascii"), validate=True)
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeEncodeError) as e:
            msg = str(e) if str(e).startswith("Member") else f"Member must be of type {t}"
            self.problems.append(Problem("type", wire, path, raw, msg))
            return None
        return raw

    def structure(self, shape, node, path):
        if node.value not in (None, "") and not node.children:
            self.problems.append(Problem("type", node.wire, path, node.value,
                                         "Member must be a structure"))
            return None
        result = {}
        seen = set()
        for mname, mshape in shape.members.items():
            if mshape.serialization.get("location"):
                continue
            if (not self.ec2 and mshape.type_name == "list"
                    and mshape.serialization.get("flattened")
                    and mshape.member.serialization.get("name")):
                key = mshape.member.serialization["name"]
            else:
                key = _query_name(mshape, mname, self.ec2)
            child = node.children.get(key)
            if child is None:
                continue
            seen.add(key)
            mpath = f"{path}.{_lower_first(mname)}" if path else _lower_first(mname)
            value = self.parse(mshape, child, mpath)
            if value is not None:
                result[mname] = value
        for key, child in node.children.items():
            if key not in seen:
                self.unknown(child)
        return result

    def _indexed(self, node, path):
        """Children of node that are 1-based indexes, in index order."""
        items = []
        for key, child in node.children.items():
            if key.isdigit() and int(key) >= 1:
                items.append((int(key), child))
            else:
                self.unknown(child)
        items.sort(key=lambda kv: kv[0])
        return items

    def list(self, shape, node, path):
        if node.value is not None and not node.children:
            if node.value == "":
                return []
            self.problems.append(Problem("type", node.wire, path, node.value,
                                         "Member must be a list"))
            return None
        if self.ec2 or shape.serialization.get("flattened"):
            container = node
        else:
            mname = shape.member.serialization.get("name", "member")
            container = node.children.get(mname)
            for key, child in node.children.items():
                if key != mname:
                    self.unknown(child)
            if container is None:
                return []
        out = []
        for idx, child in self._indexed(container, path):
            v = self.parse(shape.member, child, f"{path}.{idx}.member")
            if v is not None:
                out.append(v)
        return out

    def map(self, shape, node, path):
        if node.value is not None and not node.children:
            if node.value == "":
                return {}
            self.problems.append(Problem("type", node.wire, path, node.value,
                                         "Member must be a map"))
            return None
        if shape.serialization.get("flattened") or self.ec2:
            container = node
        else:
            container = node.children.get("entry")
            for key, child in node.children.items():
                if key != "entry":
                    self.unknown(child)
            if container is None:
                return {}
        kname = _query_name(shape.key, "key", self.ec2)
        vname = _query_name(shape.value, "value", self.ec2)
        out = {}
        for idx, child in self._indexed(container, path):
            knode = child.children.get(kname)
            vnode = child.children.get(vname)
            for key, c in child.children.items():
                if key not in (kname, vname):
                    self.unknown(c)
            if knode is None:
                self.problems.append(Problem("missing", f"{child.wire}.{kname}",
                                             f"{path}.{idx}.key"))
                continue
            k = self.parse(shape.key, knode, f"{path}.{idx}.key")
            v = self.parse(shape.value, vnode, f"{path}.{idx}.value") if vnode else None
            if k is not None:
                out[k] = v
        return out


def parse_query_params(pairs, operation_model, ec2, validate=True):
    """Parse form pairs (excluding Action/Version) into params for the
    operation's input shape. Raises ParamErrors."""
    shape = operation_model.input_shape
    parser = _QueryParser(ec2)
    tree = _build_tree(pairs)
    if shape is None:
        for child in tree.children.values():
            parser.unknown(child)
        params = {}
    else:
        params = parser.structure(shape, tree, "")
    if validate and not parser.problems and shape is not None:
        _validate(shape, params, "", "", parser.problems, ec2, top=True)
    if parser.problems:
        raise ParamErrors(parser.problems)
    return params


# --------------------------------------------------------------------------
# JSON request parsing
# --------------------------------------------------------------------------

class _JsonParser:
    def __init__(self):
        self.problems = []

    def bad(self, wire, path, value, msg):
        self.problems.append(Problem("type", wire, path, value, msg))

    def parse(self, shape, value, wire, path):
        t = shape.type_name
        if value is None:
            return None
        if t == "structure":
            if shape.is_document_type:
                return value
            if not isinstance(value, dict):
                self.bad(wire, path, value, "expected an object")
                return None
            out = {}
            names = {}
            for mname, mshape in shape.members.items():
                names[mshape.serialization.get("name", mname)] = (mname, mshape)
            for key, v in value.items():
                if key not in names:
                    self.problems.append(Problem("unknown", key, path, v))
                    continue
                mname, mshape = names[key]
                mpath = f"{path}.{_lower_first(mname)}" if path else _lower_first(mname)
                pv = self.parse(mshape, v, key, mpath)
                if pv is not None:
                    out[mname] = pv
            return out
        if t == "list":
            if not isinstance(value, list):
                self.bad(wire, path, value, "expected an array")
                return None
            out = []
            for i, item in enumerate(value, 1):
                pv = self.parse(shape.member, item, wire, f"{path}.{i}.member")
                if pv is not None:
                    out.append(pv)
            return out
        if t == "map":
            if not isinstance(value, dict):
                self.bad(wire, path, value, "expected an object")
                return None
            out = {}
            for k, v in value.items():
                pv = self.parse(shape.value, v, wire, f"{path}.{k}")
                out[k] = pv
            return out
        if t in ("string", "character"):
            if not isinstance(value, str):
                self.bad(wire, path, value, "expected a string")
                return None
            return value
        if t in ("integer", "long"):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                self.bad(wire, path, value, "expected an integer")
                return None
            try:
                return _int_in_range(t, value)
            except ValueError as e:
                self.bad(wire, path, value, str(e))
                return None
        if t in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(float(value)):
                self.bad(wire, path, value, "expected a finite number")
                return None
            return float(value)
        if t == "boolean":
            if not isinstance(value, bool):
                self.bad(wire, path, value, "expected a boolean")
                return None
            return value
        if t == "timestamp":
            if isinstance(value, bool):
                self.bad(wire, path, value, "expected a timestamp")
                return None
            try:
                if isinstance(value, (int, float)):
                    return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
                if isinstance(value, str):
                    v = parse_timestamp(value)
                    if v.tzinfo is None:
                        v = v.replace(tzinfo=datetime.timezone.utc)
                    return v.astimezone(datetime.timezone.utc)
            except (ValueError, OverflowError, OSError, TypeError):
                pass
            self.bad(wire, path, value, "expected a timestamp")
            return None
        if t == "blob":
            if not isinstance(value, str):
                self.bad(wire, path, value, "expected a base64 string")
                return None
            try:
                return base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, ValueError, UnicodeEncodeError):
                self.bad(wire, path, "***", "expected valid base64")
                return None
        return value


def parse_json_params(body, operation_model, validate=True):
    """Parse a JSON 1.x request body. Raises AwsError for malformed JSON and
    ParamErrors for shape problems."""
    if body.strip() == b"":
        data = {}
    else:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise AwsError("SerializationException", "Start of structure or map found where not expected, "
                           "or the request body is not valid JSON")
    if not isinstance(data, dict):
        raise AwsError("SerializationException", "Request body must be a JSON object")
    shape = operation_model.input_shape
    parser = _JsonParser()
    if shape is None:
        for k, v in data.items():
            parser.problems.append(Problem("unknown", k, k, v))
        params = {}
    else:
        params = parser.parse(shape, data, "", "") or {}
    if validate and not parser.problems and shape is not None:
        _validate(shape, params, "", "", parser.problems, False, top=True)
    if parser.problems:
        raise ParamErrors(parser.problems)
    return params


# --------------------------------------------------------------------------
# Constraint validation (shared)
# --------------------------------------------------------------------------

_PATTERN_CACHE = {}


_UNICODE_CLASSES = {
    "L": "[^\\W\\d_]",                      # letters
    "N": "\\d",                               # (decimal) numbers
    "Z": "[\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",  # separators
}


def _java_to_python(p):
    """Translate the Java regex features used by AWS models that Python's re
    lacks: \\p{L}/\\p{N}/\\p{Z} inside character classes (rewritten as an
    alternation) and a literal '-' right after a class escape ([\\w-_]).
    Returns (pattern, unicode) or None when not translatable."""
    out = []
    i = 0
    uni = False
    while i < len(p):
        c = p[i]
        if c == "\\":
            out.append(p[i:i + 2])
            i += 2
            continue
        if c != "[":
            out.append(c)
            i += 1
            continue
        j = i + 1
        negated = j < len(p) and p[j] == "^"
        items = []
        props = []
        if negated:
            j += 1
        while j < len(p) and p[j] != "]":
            if p[j] == "\\":
                m = re.match(r"\\p\{(\w+)\}", p[j:])
                if m:
                    if m.group(1) not in _UNICODE_CLASSES:
                        return None
                    props.append(_UNICODE_CLASSES[m.group(1)])
                    j += m.end()
                    continue
                esc = p[j:j + 2]
                items.append(esc)
                j += 2
                if esc in ("\\w", "\\d", "\\s", "\\W", "\\D", "\\S") and p[j:j + 1] == "-":
                    items.append("\\-")
                    j += 1
                continue
            items.append(p[j])
            j += 1
        if j >= len(p):
            return None
        if props:
            if negated:
                return None
            uni = True
            alts = (["[" + "".join(items) + "]"] if items else []) + props
            out.append("(?:" + "|".join(alts) + ")")
        else:
            out.append("[" + ("^" if negated else "") + "".join(items) + "]")
        i = j + 1
    return "".join(out), uni


def _pattern(p):
    if p in _PATTERN_CACHE:
        return _PATTERN_CACHE[p]
    rx = None
    try:
        rx = re.compile(p, re.ASCII)  # Java regex: \w etc. are ASCII-only
    except re.error:
        tr = _java_to_python(p)
        if tr is not None:
            try:
                rx = re.compile(tr[0], 0 if tr[1] else re.ASCII)
            except re.error:
                rx = None  # not checked
    _PATTERN_CACHE[p] = rx
    return rx


def _validate(shape, value, wire, path, problems, ec2, top=False):
    t = shape.type_name
    meta = shape.metadata
    if t == "structure":
        if shape.is_document_type or not isinstance(value, dict):
            return
        for req in shape.required_members:
            if req not in value:
                mshape = shape.members[req]
                if mshape.serialization.get("location"):
                    continue
                wname = _query_name(mshape, req, ec2) if ec2 else mshape.serialization.get("name", req)
                problems.append(Problem("missing", f"{wire}.{wname}" if wire else wname,
                                        f"{path}.{_lower_first(req)}" if path else _lower_first(req)))
        for mname, v in value.items():
            mshape = shape.members[mname]
            wname = _query_name(mshape, mname, ec2) if ec2 else mshape.serialization.get("name", mname)
            _validate(mshape, v, f"{wire}.{wname}" if wire else wname,
                      f"{path}.{_lower_first(mname)}" if path else _lower_first(mname),
                      problems, ec2)
        return
    if t == "list":
        n = len(value)
        if "min" in meta and n < meta["min"]:
            problems.append(Problem("constraint", wire, path, value,
                                    f"Member must have length greater than or equal to {meta['min']}"))
        if "max" in meta and n > meta["max"]:
            problems.append(Problem("constraint", wire, path, value,
                                    f"Member must have length less than or equal to {meta['max']}"))
        for i, item in enumerate(value, 1):
            _validate(shape.member, item, f"{wire}.{i}", f"{path}.{i}.member", problems, ec2)
        return
    if t == "map":
        n = len(value)
        if "min" in meta and n < meta["min"]:
            problems.append(Problem("constraint", wire, path, value,
                                    f"Member must have length greater than or equal to {meta['min']}"))
        if "max" in meta and n > meta["max"]:
            problems.append(Problem("constraint", wire, path, value,
                                    f"Member must have length less than or equal to {meta['max']}"))
        for k, v in value.items():
            _validate(shape.key, k, wire, f"{path}.key", problems, ec2)
            if v is not None:
                _validate(shape.value, v, wire, f"{path}.{k}", problems, ec2)
        return
    if t in ("string", "character", "blob"):
        n = len(value)
        shown = "***" if shape.metadata.get("sensitive") or t == "blob" else value
        if "min" in meta and n < meta["min"]:
            problems.append(Problem("constraint", wire, path, shown,
                                    f"Member must have length greater than or equal to {meta['min']}"))
        if "max" in meta and n > meta["max"]:
            problems.append(Problem("constraint", wire, path, shown,
                                    f"Member must have length less than or equal to {meta['max']}"))
        if t == "string" and shape.enum and value not in shape.enum:
            problems.append(Problem("constraint", wire, path, shown,
                                    "Member must satisfy enum value set: [%s]" % ", ".join(shape.enum)))
        if t == "string" and "pattern" in meta:
            rx = _pattern(meta["pattern"])
            if rx is not None and not rx.fullmatch(value):  # Java matches()
                problems.append(Problem("constraint", wire, path, shown,
                                        f"Member must satisfy regular expression pattern: {meta['pattern']}"))
        return
    if t in ("integer", "long", "float", "double"):
        if "min" in meta and value < meta["min"]:
            problems.append(Problem("constraint", wire, path, value,
                                    f"Member must have value greater than or equal to {meta['min']}"))
        if "max" in meta and value > meta["max"]:
            problems.append(Problem("constraint", wire, path, value,
                                    f"Member must have value less than or equal to {meta['max']}"))
        return


# --------------------------------------------------------------------------
# Response serialization
# --------------------------------------------------------------------------

class SerializationError(Exception):
    """A handler returned something that does not fit the output shape."""


def _iso(ts):
    if not isinstance(ts, datetime.datetime):
        raise SerializationError(f"expected datetime, got {type(ts).__name__}")
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=datetime.timezone.utc)
    ts = ts.astimezone(datetime.timezone.utc)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ts.microsecond // 1000)


def _scalar_text(shape, value):
    t = shape.type_name
    if t == "boolean":
        return "true" if value else "false"
    if t == "timestamp":
        return _iso(value)
    if t == "blob":
        if isinstance(value, str):
            value = value.encode("utf-8")
        return base64.b64encode(value).decode("ascii")
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SerializationError(f"expected int for {shape.name}, got {value!r}")
        return str(value)
    if t in ("float", "double"):
        return repr(float(value))
    if not isinstance(value, str):
        raise SerializationError(f"expected str for {shape.name}, got {type(value).__name__}")
    return _XML_INVALID.sub("\ufffd", value)


def _xml_member_name(mshape, mname):
    if mshape.type_name == "list" and mshape.serialization.get("flattened"):
        n = mshape.member.serialization.get("name")
        if n:
            return n
    return mshape.serialization.get("name", mname)


def _xml_fill(elem, shape, value):
    """Fill elem (already created) with value per shape."""
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            raise SerializationError(f"expected dict for {shape.name}")
        for key in value:
            if key not in shape.members:
                raise SerializationError(f"{shape.name} has no member {key}")
        for mname, mshape in shape.members.items():
            if mname not in value or value[mname] is None:
                continue
            _xml_member(elem, _xml_member_name(mshape, mname), mshape, value[mname])
    elif t == "list":
        if not isinstance(value, (list, tuple)):
            raise SerializationError(f"expected list for {shape.name}")
        iname = shape.member.serialization.get("name", "member")
        for item in value:
            _xml_fill(ET.SubElement(elem, iname), shape.member, item)
    elif t == "map":
        kname = shape.key.serialization.get("name", "key")
        vname = shape.value.serialization.get("name", "value")
        for k, v in value.items():
            entry = ET.SubElement(elem, "entry")
            _xml_fill(ET.SubElement(entry, kname), shape.key, k)
            _xml_fill(ET.SubElement(entry, vname), shape.value, v)
    else:
        elem.text = _scalar_text(shape, value)


def _xml_member(parent, name, shape, value):
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        for item in value:
            _xml_fill(ET.SubElement(parent, name), shape.member, item)
        return
    if shape.type_name == "map" and shape.serialization.get("flattened"):
        kname = shape.key.serialization.get("name", "key")
        vname = shape.value.serialization.get("name", "value")
        for k, v in value.items():
            entry = ET.SubElement(parent, name)
            _xml_fill(ET.SubElement(entry, kname), shape.key, k)
            _xml_fill(ET.SubElement(entry, vname), shape.value, v)
        return
    _xml_fill(ET.SubElement(parent, name), shape, value)


def _xml_bytes(root):
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def serialize_query_response(operation_model, result, request_id):
    ns = operation_model.metadata.get("xmlNamespace", "")
    root = ET.Element(f"{operation_model.name}Response", {"xmlns": ns})
    shape = operation_model.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper") or f"{operation_model.name}Result"
        res = ET.SubElement(root, wrapper)
        _xml_fill(res, shape, result or {})
    meta = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(meta, "RequestId").text = request_id
    return _xml_bytes(root)


EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def serialize_ec2_response(operation_model, result, request_id):
    root = ET.Element(f"{operation_model.name}Response", {"xmlns": EC2_NS})
    ET.SubElement(root, "requestId").text = request_id
    shape = operation_model.output_shape
    if shape is not None:
        _xml_fill(root, shape, result or {})
    return _xml_bytes(root)


def _json_value(shape, value):
    t = shape.type_name
    if t == "structure":
        if shape.is_document_type:
            return value
        if not isinstance(value, dict):
            raise SerializationError(f"expected dict for {shape.name}")
        out = {}
        for key, v in value.items():
            if key not in shape.members:
                raise SerializationError(f"{shape.name} has no member {key}")
            if v is None:
                continue
            mshape = shape.members[key]
            out[mshape.serialization.get("name", key)] = _json_value(mshape, v)
        return out
    if t == "list":
        if not isinstance(value, (list, tuple)):
            raise SerializationError(f"expected list for {shape.name}")
        return [_json_value(shape.member, v) for v in value]
    if t == "map":
        return {k: _json_value(shape.value, v) for k, v in value.items()}
    if t == "timestamp":
        if not isinstance(value, datetime.datetime):
            raise SerializationError(f"expected datetime for {shape.name}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        ts = value.timestamp()
        return int(ts) if ts == int(ts) else round(ts, 3)
    if t == "blob":
        if isinstance(value, str):
            value = value.encode("utf-8")
        return base64.b64encode(value).decode("ascii")
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SerializationError(f"expected int for {shape.name}, got {value!r}")
        return value
    if t in ("float", "double"):
        return float(value)
    if t == "boolean":
        return bool(value)
    if not isinstance(value, str):
        raise SerializationError(f"expected str for {shape.name}, got {type(value).__name__}")
    return value


def serialize_json_response(operation_model, result):
    shape = operation_model.output_shape
    if shape is None:
        return b"{}"
    return json.dumps(_json_value(shape, result or {})).encode("utf-8")


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

def serialize_error(protocol, namespace, err, request_id):
    """Return (content_type, body bytes) for an AwsError."""
    if protocol == "json":
        body = json.dumps({"__type": err.code, "message": err.message}).encode("utf-8")
        return "application/x-amz-json-1.1", body
    if protocol == "ec2":
        root = ET.Element("Response")
        errs = ET.SubElement(root, "Errors")
        e = ET.SubElement(errs, "Error")
        ET.SubElement(e, "Code").text = err.code
        ET.SubElement(e, "Message").text = _XML_INVALID.sub("\ufffd", err.message)
        ET.SubElement(root, "RequestID").text = request_id
        return "text/xml;charset=UTF-8", _xml_bytes(root)
    root = ET.Element("ErrorResponse", {"xmlns": namespace or ""})
    e = ET.SubElement(root, "Error")
    ET.SubElement(e, "Type").text = "Sender" if err.sender else "Receiver"
    ET.SubElement(e, "Code").text = err.code
    ET.SubElement(e, "Message").text = _XML_INVALID.sub("\ufffd", err.message)
    ET.SubElement(root, "RequestId").text = request_id
    return "text/xml", _xml_bytes(root)
