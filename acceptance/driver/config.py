"""Terraform JSON configuration (*.tf.json) for the protocol driver.

Supported, as a real `terraform` reads it:
  {"terraform": {"required_providers": {"secure": {"source": "ns/secure", ...}}},
   "provider":  {"secure": {...}}                       (or [{...}])
   "resource":  {"secure_thing": {"name": {...body...}}}  (body: arguments, nested blocks,
                 meta-arguments depends_on and lifecycle)
   "import":    [{"to": "secure_thing.name", "id": "..."}]  (or one object)}
Keys named "//" are comments and ignored.  String values are templates: "${a.b.c}" alone
yields the referenced value with its type; "x-${a.b.c}-y" yields a string; "$${" escapes.
References are resource attribute traversals: type.name.attr[.attr|[N]|["key"]]...
Anything else (variables, locals, outputs, modules, data sources, count, for_each,
function calls, operators) is rejected with a clear error: the driver does not guess.
"""

from __future__ import annotations

import glob
import json
import os
import re
from decimal import Decimal

from . import cty
from .cty import (BOOL, DYNAMIC, NUMBER, STRING, CtyError, ListVal, ListValEmpty, MapVal,
                  MapValEmpty, NullVal, NumberVal, ObjectVal, SetVal, SetValEmpty, StringVal,
                  TupleVal, UnknownVal, Value)
from .objchange import NESTING_GROUP, NESTING_LIST, NESTING_SET, NESTING_SINGLE, Block


class ConfigError(Exception):
    """A configuration problem: summary, detail, and where (address/file)."""

    def __init__(self, summary, detail="", where=""):
        self.summary = summary
        self.detail = detail
        self.where = where
        super().__init__("%s: %s" % (summary, detail) if detail else summary)


class Resource:
    def __init__(self, rtype, name, body, filename):
        self.type = rtype
        self.name = name
        self.body = body
        self.filename = filename
        self.depends_on = []
        self.lifecycle = {}

    @property
    def addr(self):
        return "%s.%s" % (self.type, self.name)

    @property
    def provider_local_name(self):
        return self.type.split("_", 1)[0]


class ImportBlock:
    def __init__(self, to, id_expr, filename):
        self.to = to
        self.id_expr = id_expr
        self.filename = filename


class Config:
    def __init__(self):
        self.required_providers = {}  # local name -> source
        self.providers = {}  # local name -> (body, filename)
        self.resources = {}  # addr -> Resource
        self.imports = []
        self.files = []

    def provider_source(self, local):
        src = self.required_providers.get(local, "hashicorp/" + local)
        parts = src.split("/")
        if len(parts) == 2:
            return "registry.terraform.io/" + src
        return src


_META = ("depends_on", "lifecycle", "provider")
_UNSUPPORTED_META = ("count", "for_each", "provisioner", "connection")
_TOP = ("terraform", "provider", "resource", "import", "//")


def _strip_comments(o):
    if isinstance(o, dict):
        return {k: _strip_comments(v) for k, v in o.items() if k != "//"}
    if isinstance(o, list):
        return [_strip_comments(e) for e in o]
    return o


def load_dir(path) -> Config:
    """Read every *.tf.json file in a directory into a Config."""
    files = sorted(glob.glob(os.path.join(path, "*.tf.json")))
    if not files:
        raise ConfigError("No configuration files", "Directory %s has no *.tf.json files." % path)
    cfg = Config()
    for f in files:
        name = os.path.basename(f)
        cfg.files.append(name)
        try:
            with open(f, "rb") as fh:
                # numbers keep their decimal text, as Terraform parses them (big.Float, not float64)
                doc = json.loads(fh.read().decode("utf-8"), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as e:
            raise ConfigError("Invalid JSON", "%s: %s" % (name, e), name) from None
        if not isinstance(doc, dict):
            raise ConfigError("Invalid configuration", "%s: the root must be a JSON object" % name, name)
        doc = _strip_comments(doc)
        for key in doc:
            if key not in _TOP:
                raise ConfigError("Unsupported block type",
                                  '%s: blocks of type "%s" are not supported by the protocol driver.' % (name, key), name)
        _load_terraform(cfg, doc.get("terraform"), name)
        _load_providers(cfg, doc.get("provider"), name)
        _load_resources(cfg, doc.get("resource"), name)
        _load_imports(cfg, doc.get("import"), name)
    for imp in cfg.imports:
        if imp.to not in cfg.resources:
            raise ConfigError("Configuration for import target does not exist",
                              "The configuration for the given import %s does not exist. All target instances must have an associated configuration to be imported." % imp.to, imp.filename)
    return cfg


def _as_list(o):
    if o is None:
        return []
    return o if isinstance(o, list) else [o]


def _load_terraform(cfg, tf, fname):
    for block in _as_list(tf):
        if not isinstance(block, dict):
            raise ConfigError("Invalid terraform block", fname, fname)
        for rp in _as_list(block.get("required_providers")):
            for local, spec in rp.items():
                if isinstance(spec, dict):
                    if "source" in spec:
                        cfg.required_providers[local] = spec["source"]
                elif isinstance(spec, str):
                    pass  # version-only shorthand
                else:
                    raise ConfigError("Invalid required_providers entry", local, fname)


def _load_providers(cfg, prov, fname):
    if prov is None:
        return
    if not isinstance(prov, dict):
        raise ConfigError("Invalid provider block", "%s: \"provider\" must be an object" % fname, fname)
    for local, bodies in prov.items():
        bodies = _as_list(bodies)
        if len(bodies) != 1 or not isinstance(bodies[0], dict):
            raise ConfigError("Unsupported provider configuration",
                              'Exactly one configuration for provider "%s" is supported (no aliases).' % local, fname)
        if local in cfg.providers:
            raise ConfigError("Duplicate provider configuration", local, fname)
        body = dict(bodies[0])
        if "alias" in body or "version" in body:
            raise ConfigError("Unsupported provider argument", "alias/version are not supported", fname)
        cfg.providers[local] = (body, fname)


def _load_resources(cfg, res, fname):
    if res is None:
        return
    for group in _as_list(res):
        if not isinstance(group, dict):
            raise ConfigError("Invalid resource block", fname, fname)
        for rtype, named in group.items():
            for n in _as_list(named):
                if not isinstance(n, dict):
                    raise ConfigError("Invalid resource block", "%s: %s" % (fname, rtype), fname)
                for rname, body in n.items():
                    bodies = _as_list(body)
                    if len(bodies) != 1 or not isinstance(bodies[0], dict):
                        raise ConfigError("Invalid resource block", "%s.%s" % (rtype, rname), fname)
                    body = dict(bodies[0])
                    r = Resource(rtype, rname, body, fname)
                    if r.addr in cfg.resources:
                        raise ConfigError("Duplicate resource %s configuration" % r.addr,
                                          'A %s resource named "%s" was already declared.' % (rtype, rname), fname)
                    for m in _UNSUPPORTED_META:
                        if m in body:
                            raise ConfigError("Unsupported meta-argument",
                                              '"%s" in %s is not supported by the protocol driver.' % (m, r.addr), fname)
                    if "provider" in body:
                        raise ConfigError("Unsupported meta-argument", "provider (aliases) in %s" % r.addr, fname)
                    for d in _as_list(body.pop("depends_on", None)):
                        d = d[2:-1] if isinstance(d, str) and d.startswith("${") and d.endswith("}") else d
                        if not isinstance(d, str) or d.count(".") != 1:
                            raise ConfigError("Invalid depends_on reference", str(d), fname)
                        r.depends_on.append(d)
                    lc = _as_list(body.pop("lifecycle", None))
                    if lc:
                        r.lifecycle = dict(lc[0])
                        for k in r.lifecycle:
                            if k not in ("create_before_destroy", "prevent_destroy", "ignore_changes"):
                                raise ConfigError("Unsupported lifecycle argument", k, fname)
                        if r.lifecycle.get("create_before_destroy"):
                            raise ConfigError("Unsupported lifecycle argument",
                                              "create_before_destroy is not supported by the protocol driver", fname)
                        if r.lifecycle.get("ignore_changes"):
                            raise ConfigError("Unsupported lifecycle argument",
                                              "ignore_changes is not supported by the protocol driver", fname)
                    cfg.resources[r.addr] = r


def _load_imports(cfg, imps, fname):
    for imp in _as_list(imps):
        if not isinstance(imp, dict) or "to" not in imp or "id" not in imp:
            raise ConfigError("Invalid import block", '%s: import needs "to" and "id"' % fname, fname)
        to = imp["to"]
        if isinstance(to, str) and to.startswith("${") and to.endswith("}"):
            to = to[2:-1]
        if not isinstance(to, str) or to.count(".") != 1:
            raise ConfigError("Invalid import address", str(to), fname)
        cfg.imports.append(ImportBlock(to, imp["id"], fname))


# -------------------------------------------------------------- expressions

_TRAV_RE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\s*(?:[0-9]+|"(?:[^"\\]|\\.)*")\s*\])*)\s*$')
_STEP_RE = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*([0-9]+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]')


def parse_traversal(expr):
    """'a.b.c[0]["k"]' -> ['a', ('attr','b'), ...]: root name and steps."""
    m = _TRAV_RE.match(expr)
    if not m:
        raise ConfigError("Unsupported expression",
                          "The protocol driver understands only resource references like type.name.attr, not %r." % expr)
    root = m.group(1)
    steps = []
    for sm in _STEP_RE.finditer(m.group(2)):
        if sm.group(1) is not None:
            steps.append(("attr", sm.group(1)))
        elif sm.group(2) is not None:
            steps.append(("index", NumberVal(int(sm.group(2)))))
        else:
            steps.append(("index", StringVal(json.loads('"%s"' % sm.group(3)))))
    return root, steps


def split_template(s):
    """Split a template string into literal str parts and ('expr', text) parts."""
    parts = []
    i = 0
    buf = []
    while i < len(s):
        if s.startswith("$${", i):
            buf.append("${")
            i += 3
            continue
        if s.startswith("%%{", i):
            buf.append("%{")
            i += 3
            continue
        if s.startswith("%{", i):
            raise ConfigError("Unsupported template directive", "%%{...} directives are not supported: %r" % s)
        if s.startswith("${", i):
            depth = 0
            j = i + 2
            in_str = False
            while j < len(s):
                c = s[j]
                if in_str:
                    if c == "\\":
                        j += 2
                        continue
                    if c == '"':
                        in_str = False
                elif c == '"':
                    in_str = True
                elif c == "{":
                    depth += 1
                elif c == "}":
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
            if j >= len(s):
                raise ConfigError("Invalid template", "unclosed ${ in %r" % s)
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(("expr", s[i + 2:j]))
            i = j + 1
            continue
        buf.append(s[i])
        i += 1
    if buf:
        parts.append("".join(buf))
    return parts


def references_in(o):
    """Resource addresses referenced anywhere in a JSON body."""
    out = []
    if isinstance(o, str):
        for p in split_template(o):
            if isinstance(p, tuple):
                out += _refs_in_expr(p[1])
    elif isinstance(o, list):
        for e in o:
            out += references_in(e)
    elif isinstance(o, dict):
        for k, v in o.items():
            out += references_in(v)
    return out


def _refs_in_expr(expr):
    expr = expr.strip()
    if _is_string_literal(expr):
        return []
    root, steps = parse_traversal(expr)
    if not steps or steps[0][0] != "attr":
        raise ConfigError("Invalid reference", "A reference to a resource type must be followed by a resource name: %r" % expr)
    return ["%s.%s" % (root, steps[0][1])]


def _is_string_literal(expr):
    return len(expr) >= 2 and expr[0] == '"' and expr[-1] == '"'


class Evaluator:
    """Evaluates expressions against a lookup of resource values.
    lookup(addr) -> Value (object) or raises ConfigError for undeclared resources."""

    def __init__(self, lookup):
        self.lookup = lookup

    def eval_expr(self, expr):
        expr = expr.strip()
        if _is_string_literal(expr):
            return StringVal(json.loads(expr))
        root, steps = parse_traversal(expr)
        if not steps or steps[0][0] != "attr":
            raise ConfigError("Invalid reference", expr)
        addr = "%s.%s" % (root, steps[0][1])
        v = self.lookup(addr)
        for kind, key in steps[1:]:
            v = _traverse(v, kind, key, expr)
        return v

    def eval_string(self, s):
        parts = split_template(s)
        if len(parts) == 1 and isinstance(parts[0], tuple):
            return self.eval_expr(parts[0][1])
        out = []
        unknown = False
        prefix_done = False
        prefix = []
        for p in parts:
            if isinstance(p, tuple):
                v = self.eval_expr(p[1])
                if not v.known:
                    unknown = True
                    prefix_done = True
                    continue
                if v.is_null():
                    raise ConfigError("Invalid template interpolation value",
                                      "The expression %s is null; a null value cannot be used as a template string." % p[1])
                sv = convert(v, STRING)
                out.append(sv.v)
                if not prefix_done:
                    prefix.append(sv.v)
            else:
                out.append(p)
                if not prefix_done:
                    prefix.append(p)
        if unknown:
            refn = {"notnull": True}
            if "".join(prefix):
                refn["prefix"] = "".join(prefix)
            return UnknownVal(STRING, refn)
        return StringVal("".join(out))

    def eval_json(self, o, ty):
        """Evaluate a JSON expression value for an argument of (constraint) type ty."""
        return convert(self._eval_any(o, ty), ty)

    def _eval_any(self, o, ty):
        if o is None:
            return NullVal(ty)
        if isinstance(o, str):
            return self.eval_string(o)
        if isinstance(o, bool):
            return cty.BoolVal(o)
        if isinstance(o, (int, float, Decimal)):
            return NumberVal(o)
        if isinstance(o, list):
            ety = ty.elem if ty.is_collection() and not ty.is_map() else DYNAMIC
            elems = [self._eval_any(e, ty.elems[i] if ty.is_tuple() and i < len(ty.elems) else ety) for i, e in enumerate(o)]
            return TupleVal(elems)
        if isinstance(o, dict):
            vals = {}
            for k, v in o.items():
                if ty.is_object():
                    at = ty.attrs.get(k, DYNAMIC)
                elif ty.is_map():
                    at = ty.elem
                else:
                    at = DYNAMIC
                vals[k] = self._eval_any(v, at)
            return ObjectVal(vals)
        raise ConfigError("Unsupported value", repr(o))


def _traverse(v, kind, key, expr):
    if not v.known:
        if kind == "attr" and v.ty.is_object():
            if key not in v.ty.attrs:
                raise ConfigError("Unsupported attribute", 'This object does not have an attribute named "%s" (in %s).' % (key, expr))
            return UnknownVal(v.ty.attrs[key])
        return UnknownVal(DYNAMIC)
    if v.is_null():
        raise ConfigError("Attempt to get attribute from null value", "in %s" % expr)
    if kind == "attr":
        if v.ty.is_object():
            if key not in v.ty.attrs:
                raise ConfigError("Unsupported attribute", 'This object does not have an attribute named "%s" (in %s).' % (key, expr))
            return v.get_attr(key)
        if v.ty.is_map():
            key = StringVal(key)
        else:
            raise ConfigError("Unsupported attribute", "in %s" % expr)
    if v.ty.is_set():
        raise ConfigError("Invalid index", "Elements of a set are identified only by their value and don't have any separate index or key to select with (in %s)." % expr)
    if v.ty.is_object() and key.ty == STRING:
        return _traverse(v, "attr", key.v, expr)
    if not v.has_index(key):
        raise ConfigError("Invalid index", "The given key does not identify an element in this collection value (in %s)." % expr)
    return v.index(key)


# ---------------------------------------------------------------- conversion

class ConvertError(ConfigError):
    """A type conversion failure; .message is cty-style with its path ("element 0: ...")."""

    def __init__(self, message):
        self.message = message
        super().__init__("Incorrect attribute value type", message)


def _friendly_constraint(ty):
    """cty Type.FriendlyNameForConstraint."""
    if ty.is_dynamic():
        return "any type"
    if ty.is_collection():
        return "%s of %s" % (ty.kind, _friendly_constraint(ty.elem))
    return ty.friendly_name()


def _prefixed(prefix, fn):
    try:
        return fn()
    except ConvertError as e:
        raise ConvertError("%s: %s" % (prefix, e.message)) from None


def convert(v: Value, ty):
    """A subset of cty/convert: what Terraform applies to argument values.  Raises
    ConvertError with cty's wording ("a number is required", "list of string required",
    'element 0: attribute "user" is required').  Extra object attributes are dropped."""
    if ty.is_dynamic():
        return v
    if not v.known:
        if v.ty == ty or v.ty.is_dynamic():
            return UnknownVal(ty.without_optional(), v.refn if v.ty == ty else None)
        return UnknownVal(ty.without_optional())
    if v.is_null():
        return NullVal(ty.without_optional())
    if ty.is_primitive():
        if v.ty == ty:
            return v
        if ty == STRING and v.ty == NUMBER:
            return StringVal(cty.number_text(v.v))
        if ty == STRING and v.ty == BOOL:
            return StringVal("true" if v.v else "false")
        if ty == NUMBER and v.ty == STRING:
            try:
                return NumberVal(cty.parse_number(v.v))
            except CtyError:
                raise ConvertError("a number is required") from None
        if ty == BOOL and v.ty == STRING:
            if v.v in ("true", "false"):
                return cty.BoolVal(v.v == "true")
            raise ConvertError("a bool is required")
        raise ConvertError("%s required" % _friendly_constraint(ty))
    if ty.is_list() or ty.is_set():
        if not (v.ty.is_list() or v.ty.is_set() or v.ty.is_tuple()):
            raise ConvertError("%s required" % _friendly_constraint(ty))
        elems = [_prefixed("element %d" % i, lambda e=e: convert(e, ty.elem)) for i, e in enumerate(v.elements())]
        if not elems:
            return (ListValEmpty if ty.is_list() else SetValEmpty)(ty.elem.without_optional())
        return (ListVal if ty.is_list() else SetVal)(elems, ty.elem.without_optional())
    if ty.is_map():
        if not (v.ty.is_map() or v.ty.is_object()):
            raise ConvertError("%s required" % _friendly_constraint(ty))
        elems = {n: _prefixed("element %s" % cty._go_quote(n), lambda n=n: convert(v.v[n], ty.elem)) for n in sorted(v.v)}
        if not elems:
            return MapValEmpty(ty.elem.without_optional())
        return MapVal(elems, ty.elem.without_optional())
    if ty.is_object():
        if not (v.ty.is_map() or v.ty.is_object()):
            raise ConvertError("object required")
        out = {}
        for n, at in ty.attrs.items():
            if n in v.v:
                out[n] = _prefixed("attribute %s" % cty._go_quote(n), lambda n=n, at=at: convert(v.v[n], at))
            elif n in ty.optional:
                out[n] = NullVal(at.without_optional())
            else:
                raise ConvertError("attribute %s is required" % cty._go_quote(n))
        return ObjectVal(out)
    if ty.is_tuple():
        es = v.elements()
        if len(es) != len(ty.elems):
            raise ConvertError("tuple required")
        return TupleVal([_prefixed("element %d" % i, lambda e=e, t=t: convert(e, t)) for i, (e, t) in enumerate(zip(es, ty.elems))])
    raise ConvertError("%s required" % _friendly_constraint(ty))


# ------------------------------------------------------------------ bodies

def decode_body(schema: Block, body: dict, ev: Evaluator, where="") -> Value:
    """Decode a JSON body against a block schema into a value of its implied type."""
    if not isinstance(body, dict):
        raise ConfigError("Invalid block", "%s: a JSON object is required" % where)
    for k in body:
        if k not in schema.attributes and k not in schema.block_types:
            raise ConfigError("Extraneous JSON object property",
                              'No argument or block type is named "%s".' % k, where)
    vals = {}
    for name, a in schema.attributes.items():
        if name not in body:
            vals[name] = NullVal(a.implied_type())
            continue
        try:
            # nested attributes, like any argument, are expressions converted to their type
            vals[name] = ev.eval_json(body[name], a.spec_type())
        except ConvertError as e:
            raise ConfigError("Incorrect attribute value type",
                              "Inappropriate value for attribute %s: %s." % (cty._go_quote(name), e.message),
                              e.where or (where + "." + name)) from None
        except ConfigError as e:
            raise ConfigError(e.summary, e.detail, e.where or (where + "." + name)) from None
    for name, nb in schema.block_types.items():
        vals[name] = _decode_blocks(nb, body.get(name), ev, where + "." + name)
    return ObjectVal(vals)


def _decode_blocks(nb, o, ev, where):
    ty = nb.implied_type()
    n = nb.nesting
    if n in (NESTING_SINGLE, NESTING_GROUP):
        items = _as_list(o)
        if len(items) > 1:
            raise ConfigError("Duplicate %s block" % where.rsplit(".", 1)[-1],
                              "Only one block of this type is allowed.", where)
        if not items:
            return NullVal(ty) if n == NESTING_SINGLE else nb.block.empty_value()
        return decode_body(nb.block, items[0], ev, where)
    if n in (NESTING_LIST, NESTING_SET):
        items = _as_list(o)
        elems = [decode_body(nb.block, it, ev, "%s[%d]" % (where, i)) for i, it in enumerate(items)]
        if n == NESTING_LIST:
            if ty.is_list():
                return ListVal(elems, ty.elem) if elems else ListValEmpty(ty.elem)
            return TupleVal(elems)
        return SetVal(elems, ty.elem) if elems else SetValEmpty(ty.elem)
    # map: {"label": {body}}
    if o is None:
        o = {}
    if not isinstance(o, dict):
        raise ConfigError("Invalid block", "%s: map blocks need an object keyed by label" % where)
    elems = {k: decode_body(nb.block, _as_list(b)[0], ev, "%s[%r]" % (where, k)) for k, b in o.items()}
    if ty.is_map():
        return MapVal(elems, ty.elem) if elems else MapValEmpty(ty.elem)
    return ObjectVal(elems)


def dependency_order(cfg: Config):
    """Resource addresses in dependency order; raises on cycles or undeclared references."""
    deps = {}
    for addr, r in cfg.resources.items():
        d = set(references_in(r.body)) | set(r.depends_on)
        for x in d:
            if x not in cfg.resources:
                raise ConfigError("Reference to undeclared resource",
                                  'A managed resource "%s" "%s" has not been declared in the root module.' % tuple(x.split(".", 1)),
                                  r.filename)
        deps[addr] = sorted(d - {addr})
        if addr in d:
            raise ConfigError("Self-referential block", "Configuration for %s may not refer to itself." % addr, r.filename)
    order = []
    state = {}

    def visit(a, stack):
        if state.get(a) == 2:
            return
        if state.get(a) == 1:
            raise ConfigError("Cycle", " -> ".join(stack + [a]))
        state[a] = 1
        for d in deps[a]:
            visit(d, stack + [a])
        state[a] = 2
        order.append(a)

    for a in sorted(deps):
        visit(a, [])
    return order, deps
