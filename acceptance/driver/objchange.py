"""Terraform core's object-change rules, ported from hashicorp/terraform.

* configschema: Block / Attribute / NestedBlock / Object (nested attributes) and their
  implied cty types, built from a tfplugin6 Schema message.
* proposed_new            <- internal/plans/objchange/objchange.go  ProposedNew
* assert_plan_valid       <- internal/plans/objchange/plan_valid.go AssertPlanValid
* assert_object_compatible<- internal/plans/objchange/compatible.go AssertObjectCompatible
* non_null_write_only_paths <- internal/lang/ephemeral NonNullWriteOnlyPaths
* validate_block_counts   : nested block min_items/max_items, like HCL decoding does

Errors are cty.PathError values; format_error / format_error_prefixed render them like
tfdiags.FormatError / FormatErrorPrefixed.
"""

from __future__ import annotations

from . import cty
from .cty import (DYNAMIC, NUMBER, STRING, CtyError, List, ListVal, ListValEmpty, Map, MapVal,
                  MapValEmpty, NullVal, NumberVal, Object, ObjectVal, PathError, Set, SetVal,
                  SetValEmpty, TupleVal, UnknownVal, Value, format_path)

NESTING_SINGLE, NESTING_LIST, NESTING_SET, NESTING_MAP, NESTING_GROUP = (
    "single", "list", "set", "map", "group")


# ------------------------------------------------------------------ configschema

class Attribute:
    def __init__(self, name, type=None, nested=None, required=False, optional=False,
                 computed=False, sensitive=False, write_only=False, deprecated=False,
                 description=""):
        self.name = name
        self.type = type
        self.nested = nested  # NestedObject or None
        self.required = required
        self.optional = optional
        self.computed = computed
        self.sensitive = sensitive
        self.write_only = write_only
        self.deprecated = deprecated
        self.description = description

    def implied_type(self):
        if self.nested is not None:
            return self.nested.implied_type()
        return self.type.without_optional()

    def spec_type(self):
        return self.nested.spec_type() if self.nested is not None else self.type


class NestedObject:
    """configschema.Object: the type of a nested attribute."""

    def __init__(self, attributes, nesting):
        self.attributes = dict(attributes)
        self.nesting = nesting

    def spec_type(self):
        atys = {n: a.spec_type() for n, a in self.attributes.items()}
        opt = [n for n, a in self.attributes.items() if a.optional or a.computed]
        ret = Object(atys, opt)
        if self.nesting == NESTING_SINGLE:
            return ret
        if self.nesting in (NESTING_LIST, NESTING_MAP) and ret.has_dynamic_types():
            return DYNAMIC
        return {NESTING_LIST: List, NESTING_SET: Set, NESTING_MAP: Map}[self.nesting](ret)

    def implied_type(self):
        return self.spec_type().without_optional()

    def object_type(self):
        return Object({n: a.implied_type() for n, a in self.attributes.items()})

    def attribute_by_path(self, path):
        obj = self
        for i, (kind, key) in enumerate(path):
            if kind != "attr":
                continue
            attr = obj.attributes.get(key)
            if attr is None:
                return None
            if attr.nested is not None and i < len(path) - 1:
                obj = attr.nested
                continue
            if i < len(path) - 1:
                return None
            return attr
        return None


class NestedBlock:
    def __init__(self, block, nesting, min_items=0, max_items=0):
        self.block = block
        self.nesting = nesting
        self.min_items = min_items
        self.max_items = max_items

    def implied_type(self):
        bt = self.block.implied_type()
        if self.nesting in (NESTING_SINGLE, NESTING_GROUP):
            return bt
        if self.nesting == NESTING_LIST:
            return DYNAMIC if bt.has_dynamic_types() else List(bt)
        if self.nesting == NESTING_MAP:
            return DYNAMIC if bt.has_dynamic_types() else Map(bt)
        return Set(bt)

    @property
    def computed(self):
        # Only legacy SDK schemas have computed blocks; tfplugin6 has no such flag.
        return False


class Block:
    def __init__(self, attributes=None, block_types=None, version=0, deprecated=False):
        self.attributes = dict(attributes or {})
        self.block_types = dict(block_types or {})
        self.version = version
        self.deprecated = deprecated

    def implied_type(self):
        atys = {n: a.implied_type() for n, a in self.attributes.items()}
        for n, b in self.block_types.items():
            atys[n] = b.implied_type()
        return Object(atys)

    def empty_value(self):
        """configschema Block.EmptyValue: attributes null, blocks empty/null."""
        vals = {n: NullVal(a.implied_type()) for n, a in self.attributes.items()}
        for n, b in self.block_types.items():
            vals[n] = _empty_block_value(b)
        return ObjectVal(vals)

    def attribute_by_path(self, path):
        block = self
        for i, (kind, key) in enumerate(path):
            if kind != "attr":
                continue
            attr = block.attributes.get(key)
            if attr is not None:
                if attr.nested is not None and i < len(path) - 1:
                    return attr.nested.attribute_by_path(path[i + 1:])
                if i < len(path) - 1:
                    return None
                return attr
            nb = block.block_types.get(key)
            if nb is not None:
                block = nb.block
                continue
            return None
        return None

    def contains_write_only(self):
        return any(a.write_only or (a.nested and _obj_has_wo(a.nested)) for a in self.attributes.values()) or \
            any(b.block.contains_write_only() for b in self.block_types.values())


def _obj_has_wo(obj):
    return any(a.write_only or (a.nested and _obj_has_wo(a.nested)) for a in obj.attributes.values())


def _empty_block_value(nb):
    ty = nb.implied_type()
    if nb.nesting == NESTING_SINGLE:
        return NullVal(ty)
    if nb.nesting == NESTING_GROUP:
        return nb.block.empty_value()
    if nb.nesting == NESTING_LIST:
        return ListValEmpty(ty.elem) if ty.is_list() else TupleVal([])
    if nb.nesting == NESTING_SET:
        return SetValEmpty(ty.elem)
    return MapValEmpty(ty.elem) if ty.is_map() else ObjectVal({})


_BLOCK_NESTING = {1: NESTING_SINGLE, 2: NESTING_LIST, 3: NESTING_SET, 4: NESTING_MAP, 5: NESTING_GROUP}
_OBJ_NESTING = {1: NESTING_SINGLE, 2: NESTING_LIST, 3: NESTING_SET, 4: NESTING_MAP}


def block_from_proto(pb_block) -> Block:
    """Build a Block from a tfplugin6 Schema.Block message."""
    attrs = {}
    for a in pb_block.attributes:
        attrs[a.name] = _attr_from_proto(a)
    blocks = {}
    for nb in pb_block.block_types:
        nesting = _BLOCK_NESTING.get(nb.nesting)
        if nesting is None:
            raise CtyError("block %r has invalid nesting mode %d" % (nb.type_name, nb.nesting))
        blocks[nb.type_name] = NestedBlock(block_from_proto(nb.block), nesting,
                                           int(nb.min_items), int(nb.max_items))
    return Block(attrs, blocks, version=int(pb_block.version), deprecated=bool(pb_block.deprecated))


def _attr_from_proto(a):
    nested = None
    ty = None
    if a.HasField("nested_type"):
        nesting = _OBJ_NESTING.get(a.nested_type.nesting)
        if nesting is None:
            raise CtyError("attribute %r has invalid nested type nesting %d" % (a.name, a.nested_type.nesting))
        nested = NestedObject({na.name: _attr_from_proto(na) for na in a.nested_type.attributes}, nesting)
    else:
        if not a.type:
            raise CtyError("attribute %r has neither type nor nested_type" % a.name)
        ty = cty.type_from_json(a.type)
    return Attribute(a.name, ty, nested, required=a.required, optional=a.optional,
                     computed=a.computed, sensitive=a.sensitive,
                     write_only=getattr(a, "write_only", False), deprecated=a.deprecated,
                     description=a.description)


def schema_problems(block: Block, where="") -> list:
    """Internal consistency problems of a schema (what Terraform's InternalValidate checks)."""
    out = []
    for n, a in block.attributes.items():
        p = where + n
        if not (a.required or a.optional or a.computed):
            out.append("%s: must set Optional, Required or Computed" % p)
        if a.required and (a.optional or a.computed):
            out.append("%s: cannot set both Required and Optional/Computed" % p)
        if a.write_only and a.computed:
            out.append("%s: write-only attributes cannot be computed" % p)
        if a.nested is not None:
            out += schema_problems(Block(a.nested.attributes), p + ".")
    for n, b in block.block_types.items():
        if b.max_items and b.min_items > b.max_items:
            out.append("%s: min_items greater than max_items" % (where + n))
        if n in block.attributes:
            out.append("%s: name used for both an attribute and a block" % (where + n))
        out += schema_problems(b.block, where + n + ".")
    return out


# ------------------------------------------------------------------- helpers

def format_error(err) -> str:
    if isinstance(err, PathError) and err.path:
        return "%s: %s" % (format_path(err.path), err.message)
    return str(err)


def format_error_prefixed(err, prefix) -> str:
    if isinstance(err, PathError) and err.path:
        return "%s%s: %s" % (prefix, format_path(err.path), err.message)
    return "%s: %s" % (prefix, err)


def _perr(path, msg):
    return PathError(list(path), msg)


def _gs(v):
    return v.go_string()


def _has_index(v: Value, idx: Value):
    """v.HasIndex(idx).True() with unknown treated as false."""
    if not v.known or v.null:
        return False
    return v.has_index(idx)


def _index(v: Value, idx: Value):
    if not v.known:
        ty = v.ty
        if ty.is_list() or ty.is_map() or ty.is_set():
            return UnknownVal(ty.elem)
        if ty.is_tuple():
            return UnknownVal(ty.elems[idx.v])
        return UnknownVal(DYNAMIC)
    return v.index(idx)


def _attr(v: Value, name):
    return v.get_attr(name)


def _list_like(vals, config):
    if config.ty.is_tuple():
        return TupleVal(vals)
    return ListVal(vals, config.ty.elem)


# ---------------------------------------------------------------- ProposedNew

def proposed_new(schema: Block, prior: Value, config: Value) -> Value:
    """objchange.ProposedNew."""
    if config.is_null() and prior.is_null():
        return prior
    if prior.is_null():
        prior = schema.empty_value()
    return _proposed_new(schema, prior, config)


def planned_data_resource_object(schema: Block, config: Value) -> Value:
    return _proposed_new(schema, UnknownVal(schema.implied_type()), config)


def _proposed_new(schema, prior, config):
    if config.is_null() or not config.known:
        return prior
    if not prior.ty.is_object() or not config.ty.is_object():
        raise CtyError("ProposedNew only supports object-typed values")
    new = _proposed_new_attributes(schema.attributes, prior, config)
    for name, bt in schema.block_types.items():
        new[name] = _proposed_new_nested_block(bt, _attr(prior, name), _attr(config, name))
    return ObjectVal(new)


def _proposed_new_nested_block(schema: NestedBlock, prior, config):
    if not config.known:
        return config
    n = schema.nesting
    if n in (NESTING_SINGLE, NESTING_GROUP):
        if n == NESTING_SINGLE and config.is_null():
            return config
        return proposed_new(schema.block, prior, config)
    if n == NESTING_LIST:
        clen = 0 if config.is_null() else config.length()
        if clen > 0:
            vals = []
            for idx, cev in config.items():
                if prior.known and (prior.is_null() or not prior.has_index(idx)):
                    vals.append(cev)
                    continue
                vals.append(proposed_new(schema.block, _index(prior, idx), cev))
            return _list_like(vals, config)
        if config.ty.is_tuple():
            return TupleVal([])
        return ListValEmpty(schema.block.implied_type())
    if n == NESTING_MAP:
        if config.ty.is_object():
            clen = config.length() if config.known and not config.is_null() else 0
            if clen > 0:
                vals = {}
                for name in config.ty.attrs:
                    cev = _attr(config, name)
                    if not prior.known or prior.is_null() or not prior.ty.has_attribute(name):
                        vals[name] = cev
                        continue
                    vals[name] = proposed_new(schema.block, _attr(prior, name), cev)
                return ObjectVal(vals)
            return ObjectVal({})
        clen = config.length() if config.known and not config.is_null() else 0
        if clen > 0:
            vals = {}
            for idx, cev in config.items():
                k = idx.as_string()
                if prior.known and (prior.is_null() or not prior.has_index(idx)):
                    vals[k] = cev
                    continue
                vals[k] = proposed_new(schema.block, _index(prior, idx), cev)
            return MapVal(vals, config.ty.elem)
        return MapValEmpty(schema.block.implied_type())
    if n == NESTING_SET:
        if not config.ty.is_set():
            raise CtyError("configschema.NestingSet value is not a set as expected")
        cmp_vals = []
        if prior.known and not prior.is_null():
            cmp_vals = _set_element_compare_values(schema.block, prior)
        clen = config.length() if config.known and not config.is_null() else 0
        if clen > 0:
            used = [False] * len(cmp_vals)
            vals = []
            for _, cev in config.items():
                prior_ev = None
                for i, (orig, cmpv) in enumerate(cmp_vals):
                    if used[i]:
                        continue
                    if cmpv.raw_equals(cev):
                        prior_ev = orig
                        used[i] = True
                        break
                if prior_ev is None:
                    prior_ev = NullVal(schema.block.implied_type())
                vals.append(proposed_new(schema.block, prior_ev, cev))
            return SetVal(vals, config.ty.elem)
        return SetValEmpty(schema.block.implied_type())
    raise CtyError("unsupported block nesting mode %s" % n)


def _proposed_new_attributes(attrs, prior, config):
    new = {}
    for name, attr in attrs.items():
        if prior.is_null():
            prior_v = NullVal(prior.ty.attribute_type(name))
        else:
            prior_v = _attr(prior, name)
        config_v = _attr(config, name)
        if attr.computed and config_v.is_null():
            new_v = prior_v
        elif attr.nested is not None:
            if not config_v.known:
                new_v = config_v
            else:
                new_v = _proposed_new_nested_type(attr.nested, prior_v, config_v)
        else:
            new_v = config_v
        new[name] = new_v
    return new


def _proposed_new_nested_type(schema: NestedObject, prior, config):
    new_v = config
    n = schema.nesting
    if n == NESTING_SINGLE:
        if config.is_null():
            return new_v
        return ObjectVal(_proposed_new_attributes(schema.attributes, prior, config))
    if n == NESTING_LIST:
        clen = config.length() if config.known and not config.is_null() else 0
        if clen > 0:
            vals = []
            for idx, cev in config.items():
                if prior.known and (prior.is_null() or not prior.has_index(idx)):
                    vals.append(cev)
                    continue
                vals.append(ObjectVal(_proposed_new_attributes(schema.attributes, _index(prior, idx), cev)))
            new_v = _list_like(vals, config)
        return new_v
    if n == NESTING_MAP:
        if config.ty.is_object():
            clen = config.length() if config.known and not config.is_null() else 0
            if clen > 0:
                vals = {}
                for name in config.ty.attrs:
                    cev = _attr(config, name)
                    if not prior.known or prior.is_null() or not prior.ty.has_attribute(name):
                        vals[name] = cev
                        continue
                    vals[name] = ObjectVal(_proposed_new_attributes(schema.attributes, _attr(prior, name), cev))
                new_v = ObjectVal(vals)
        else:
            clen = config.length() if config.known and not config.is_null() else 0
            if clen > 0:
                vals = {}
                for idx, cev in config.items():
                    k = idx.as_string()
                    if prior.known and (prior.is_null() or not prior.has_index(idx)):
                        vals[k] = cev
                        continue
                    vals[k] = ObjectVal(_proposed_new_attributes(schema.attributes, _index(prior, idx), cev))
                new_v = MapVal(vals, config.ty.elem)
        return new_v
    if n == NESTING_SET:
        cmp_vals = []
        if prior.known and not prior.is_null():
            cmp_vals = _set_element_compare_values(schema, prior)
        clen = config.length() if config.known and not config.is_null() else 0
        if clen > 0:
            used = [False] * len(cmp_vals)
            vals = []
            for _, cev in config.items():
                prior_ev = None
                for i, (orig, cmpv) in enumerate(cmp_vals):
                    if used[i]:
                        continue
                    if cmpv.raw_equals(cev):
                        prior_ev = orig
                        used[i] = True
                        break
                if prior_ev is None:
                    vals.append(cev)
                else:
                    vals.append(ObjectVal(_proposed_new_attributes(schema.attributes, prior_ev, cev)))
            new_v = SetVal(vals, config.ty.elem)
        return new_v
    return new_v


def _set_element_compare_values(schema, set_val):
    return [(ev, _set_element_computed_as_null(schema, ev)) for ev in set_val.elements()]


def _set_element_computed_as_null(schema, elem):
    def fn(path, v):
        if v.is_null() or not v.known:
            return v
        attr = schema.attribute_by_path(path)
        if attr is None:
            return v
        if attr.computed:
            return NullVal(v.ty)
        return v
    return cty.transform(elem, fn)


# -------------------------------------------------------------- AssertPlanValid

def assert_plan_valid(schema: Block, prior: Value, config: Value, planned: Value) -> list:
    """objchange.AssertPlanValid -> list of PathError."""
    return _assert_plan_valid(schema, prior, config, planned, [])


def _assert_plan_valid(schema, prior, config, planned, path):
    errs = []
    if planned.is_null() and not config.is_null():
        return [_perr(path, "planned for absence but config wants existence")]
    if config.is_null() and not planned.is_null():
        return [_perr(path, "planned for existence but config wants absence")]
    if planned.is_null():
        return errs
    imp_ty = schema.implied_type()
    errs += _assert_planned_attrs_valid(schema.attributes, prior, config, planned, path)
    for name, bs in schema.block_types.items():
        p = path + [("attr", name)]
        planned_v = _attr(planned, name)
        config_v = _attr(config, name)
        prior_v = NullVal(imp_ty.attrs[name])
        if not prior.is_null():
            prior_v = _attr(prior, name)
        if bs.nesting != NESTING_SINGLE:
            if planned_v.is_null():
                errs.append(_perr(p, "attribute representing a %s of nested blocks must be empty to indicate no blocks, not null" % bs.nesting))
                continue
        if planned_v.raw_equals(config_v):
            continue
        if not config_v.known:
            errs.append(_perr(p, "planned value %s for unknown dynamic block" % _gs(planned_v)))
            continue
        if config_v.is_null() and bs.computed:
            continue
        if not planned_v.known:
            errs.append(_perr(p, "planned unknown value for non-computed block" if not bs.computed
                              else "planned unknown value for configured block"))
            continue
        if bs.nesting in (NESTING_SINGLE, NESTING_GROUP):
            errs += _assert_plan_valid(bs.block, prior_v, config_v, planned_v, p)
        elif bs.nesting == NESTING_LIST:
            if config_v.is_null():
                config_v = ListValEmpty(config_v.ty.elem) if config_v.ty.is_list() else TupleVal([])
            pl, cl = planned_v.length(), config_v.length()
            if pl != cl:
                errs.append(_perr(p, "block count in plan (%d) disagrees with count in config (%d)" % (pl, cl)))
                continue
            for idx, pev in planned_v.items():
                ep = p + [("index", idx)]
                if not pev.known:
                    errs.append(_perr(ep, "element representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
                    continue
                if not config_v.has_index(idx):
                    continue
                cev = config_v.index(idx)
                prior_ev = NullVal(bs.block.implied_type())
                if not prior_v.is_null() and _has_index(prior_v, idx):
                    prior_ev = prior_v.index(idx)
                errs += _assert_plan_valid(bs.block, prior_ev, cev, pev, ep)
        elif bs.nesting == NESTING_MAP:
            if planned_v.ty.is_object():
                patys, catys = planned_v.ty.attrs, config_v.ty.attrs
                for k in patys:
                    if k not in catys:
                        errs.append(_perr(p, "block key %s from plan is not present in config" % cty._go_quote(k)))
                        continue
                    ep = p + [("attr", k)]
                    pev = _attr(planned_v, k)
                    if not pev.known:
                        errs.append(_perr(ep, "element representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
                        continue
                    prior_ev = NullVal(bs.block.implied_type())
                    if not prior_v.is_null() and prior_v.ty.has_attribute(k):
                        prior_ev = _attr(prior_v, k)
                    errs += _assert_plan_valid(bs.block, prior_ev, _attr(config_v, k), pev, ep)
                for k in catys:
                    if k not in patys:
                        errs.append(_perr(p, "block key %s from config is not present in plan" % cty._go_quote(k)))
            else:
                pl, cl = planned_v.length(), config_v.length()
                if pl != cl:
                    errs.append(_perr(p, "block count in plan (%d) disagrees with count in config (%d)" % (pl, cl)))
                    continue
                for idx, pev in planned_v.items():
                    ep = p + [("index", idx)]
                    if not pev.known:
                        errs.append(_perr(ep, "element representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
                        continue
                    k = idx.as_string()
                    if not config_v.has_index(idx):
                        errs.append(_perr(ep, "block key %s from plan is not present in config" % cty._go_quote(k)))
                        continue
                    prior_ev = NullVal(bs.block.implied_type())
                    if not prior_v.is_null() and _has_index(prior_v, idx):
                        prior_ev = prior_v.index(idx)
                    errs += _assert_plan_valid(bs.block, prior_ev, config_v.index(idx), pev, ep)
                for idx, _ in config_v.items():
                    if not planned_v.has_index(idx):
                        errs.append(_perr(p, "block key %s from config is not present in plan" % cty._go_quote(idx.as_string())))
        elif bs.nesting == NESTING_SET:
            for idx, pev in planned_v.items():
                if not pev.known:
                    errs.append(_perr(p + [("index", idx)], "element representing nested block must not be unknown itself; set nested attribute values to unknown instead"))
    return errs


def _assert_planned_attrs_valid(attrs, prior, config, planned, path):
    errs = []
    for name, a in attrs.items():
        errs += _assert_planned_attr_valid(name, a, prior, config, planned, path)
    return errs


def _assert_planned_attr_valid(name, attr, prior, config, planned, path):
    ty = attr.implied_type()
    config_v = prior_v = planned_v = NullVal(ty)
    if not config.is_null():
        config_v = _attr(config, name)
    if not prior.is_null():
        prior_v = _attr(prior, name)
    if not planned.is_null():
        planned_v = _attr(planned, name)
    return _assert_planned_value_valid(attr, prior_v, config_v, planned_v, path + [("attr", name)])


def _assert_planned_value_valid(attr, prior_v, config_v, planned_v, path):
    errs = []
    up = cty.unrefined(planned_v)
    if up.raw_equals(cty.unrefined(config_v)):
        return errs
    if up.raw_equals(cty.unrefined(prior_v)) and not prior_v.is_null() and not config_v.is_null():
        return errs
    if attr.write_only:
        if not planned_v.is_null():
            errs.append(_perr(path, "planned value for write-only attribute is not null"))
        return errs
    if attr.computed and not attr.optional:
        return errs
    if config_v.is_null() and attr.computed:
        return errs
    if config_v.is_null() and not planned_v.is_null():
        if attr.sensitive:
            errs.append(_perr(path, "sensitive planned value for a non-computed attribute"))
        else:
            errs.append(_perr(path, "planned value %s for a non-computed attribute" % _gs(planned_v)))
        return errs
    if attr.nested is not None:
        return _assert_planned_object_valid(attr.nested, prior_v, config_v, planned_v, path)
    if prior_v.is_null():
        if attr.sensitive:
            errs.append(_perr(path, "sensitive planned value does not match config value"))
        else:
            errs.append(_perr(path, "planned value %s does not match config value %s" % (_gs(planned_v), _gs(config_v))))
        return errs
    if attr.sensitive:
        errs.append(_perr(path, "sensitive planned value does not match config value nor prior value"))
    else:
        errs.append(_perr(path, "planned value %s does not match config value %s nor prior value %s"
                          % (_gs(planned_v), _gs(config_v), _gs(prior_v))))
    return errs


def _length_val(v: Value) -> Value:
    """cty Value.Length(): a known number, or an unknown number."""
    if v.known and not v.null:
        return NumberVal(v.length())
    return UnknownVal(NUMBER, {"notnull": True})


def _assert_planned_object_valid(schema: NestedObject, prior, config, planned, path):
    errs = []
    if planned.is_null() and not config.is_null():
        return [_perr(path, "planned for absence but config wants existence")]
    if config.is_null() and not planned.is_null():
        return [_perr(path, "planned for existence but config wants absence")]
    if not config.is_null() and not planned.known:
        return [_perr(path, "planned unknown for configured value")]
    if planned.is_null():
        return errs
    n = schema.nesting
    if n in (NESTING_SINGLE, NESTING_GROUP):
        errs += _assert_planned_attrs_valid(schema.attributes, prior, config, planned, path)
    elif n == NESTING_LIST:
        pl, cl = _length_val(planned), _length_val(config)
        if not pl.known and not cl.known:
            return errs
        eq = pl.equals(cl)
        if eq is not True:
            return [_perr(path, "count in plan (%s) disagrees with count in config (%s)" % (_gs(pl), _gs(cl)))]
        for idx, pev in planned.items():
            ep = path + [("index", idx)]
            if not config.has_index(idx):
                continue
            cev = config.index(idx)
            prior_ev = NullVal(schema.object_type())
            if not prior.is_null() and _has_index(prior, idx):
                prior_ev = prior.index(idx)
            errs += _assert_planned_attrs_valid(schema.attributes, prior_ev, cev, pev, ep)
    elif n == NESTING_MAP:
        pl, cl = _length_val(planned), _length_val(config)
        if not pl.known and not cl.known:
            return errs
        eq = pl.equals(cl)
        if eq is not True:
            return [_perr(path, "count in plan (%s) disagrees with count in config (%s)" % (_gs(pl), _gs(cl)))]
        pvals = _as_value_map(planned)
        cvals = _as_value_map(config)
        prvals = _as_value_map(prior)
        for k, pev in pvals.items():
            if k not in cvals:
                errs.append(_perr(path, "map key %s from plan is not present in config" % cty._go_quote(k)))
                continue
            ep = path + [("attr", k)]
            prior_ev = prvals.get(k, NullVal(schema.object_type()))
            errs += _assert_planned_attrs_valid(schema.attributes, prior_ev, cvals[k], pev, ep)
        for k in cvals:
            if k not in pvals:
                errs.append(_perr(path, "map key %s from config is not present in plan" % cty._go_quote(k)))
    elif n == NESTING_SET:
        pl, cl = _length_val(planned), _length_val(config)
        if pl.known and cl.known:
            ok = pl.raw_equals(cl)
        elif not pl.known and cl.known:
            ok = cty.includes(pl, cl) is not False
        else:
            ok = True
        if not ok:
            return [_perr(path, "count in plan (%s) disagrees with count in config (%s)" % (_gs(pl), _gs(cl)))]
    return errs


def _as_value_map(v):
    if v.is_null() or not v.known:
        return {}
    return {n: v.v[n] for n in v.v}


# ------------------------------------------------------- AssertObjectCompatible

def assert_object_compatible(schema: Block, planned: Value, actual: Value) -> list:
    """objchange.AssertObjectCompatible -> list of PathError."""
    return _assert_object_compatible(schema, planned, actual, [])


def _assert_object_compatible(schema, planned, actual, path):
    errs = []
    at_root = "Root object " if not path else ""
    if planned.is_null() and not actual.is_null():
        return [_perr(path, "%swas absent, but now present" % at_root)]
    if actual.is_null() and not planned.is_null():
        return [_perr(path, "%swas present, but now absent" % at_root)]
    if planned.is_null():
        return errs
    for name, a in schema.attributes.items():
        pv, av = _attr(planned, name), _attr(actual, name)
        p = path + [("attr", name)]
        more = assert_value_compatible(pv, av, p)
        # Terraform masks an attribute whose value carries sensitive marks anywhere inside;
        # values here are unmarked, so use the schema (nested sensitive attributes count).
        if a.sensitive or _nested_sensitive(a):
            if more:
                errs.append(_perr(p, "inconsistent values for sensitive attribute"))
        else:
            errs += more
    for name, bs in schema.block_types.items():
        pv, av = _attr(planned, name), _attr(actual, name)
        p = path + [("attr", name)]
        n = bs.nesting
        if n in (NESTING_SINGLE, NESTING_GROUP):
            if not pv.known and av.is_null():
                continue
            errs += _assert_object_compatible(bs.block, pv, av, p)
        elif n == NESTING_LIST:
            if not pv.known or not av.known or pv.is_null() or av.is_null():
                continue
            pl, al = pv.length(), av.length()
            if pl != al:
                errs.append(_perr(p, "block count changed from %d to %d" % (pl, al)))
                continue
            for idx, pev in pv.items():
                if not av.has_index(idx):
                    continue
                errs += _assert_object_compatible(bs.block, pev, av.index(idx), p + [("index", idx)])
        elif n == NESTING_MAP:
            if pv.ty.is_object():
                patys = pv.ty.attrs
                aatys = av.ty.attrs if av.ty.is_object() else {}
                for k in patys:
                    if k not in aatys:
                        errs.append(_perr(p, "block key %s has vanished" % cty._go_quote(k)))
                        continue
                    errs += _assert_object_compatible(bs.block, _attr(pv, k), _attr(av, k), p + [("attr", k)])
                if pv.known:
                    for k in aatys:
                        if k not in patys:
                            errs.append(_perr(p, "new block key %s has appeared" % cty._go_quote(k)))
            else:
                if not pv.known or pv.is_null() or av.is_null():
                    continue
                pl, al = pv.length(), av.length()
                if pl != al:
                    errs.append(_perr(p, "block count changed from %d to %d" % (pl, al)))
                    continue
                for idx, pev in pv.items():
                    if not av.has_index(idx):
                        continue
                    errs += _assert_object_compatible(bs.block, pev, av.index(idx), p + [("index", idx)])
        elif n == NESTING_SET:
            if not pv.known or not av.known or pv.is_null() or av.is_null():
                continue
            errs += _assert_set_values_compatible(
                pv, av, p, lambda a, b: not _assert_object_compatible(bs.block, a, b, p + [("index", b)]))
            pl, al = pv.length(), av.length()
            if pl < al:
                errs.append(_perr(p, "block set length changed from %d to %d" % (pl, al)))
    return errs


def _nested_sensitive(attr):
    return attr.nested is not None and any(a.sensitive or _nested_sensitive(a) for a in attr.nested.attributes.values())


def _index_str(k: Value):
    if k.ty == NUMBER:
        return cty.number_text(k.v)
    if k.ty == STRING:
        return cty._go_quote(k.v)
    return _gs(k)


def assert_value_compatible(planned: Value, actual: Value, path=None) -> list:
    """objchange.assertValueCompatible."""
    path = list(path or [])
    errs = []
    if planned.ty.is_dynamic():
        return errs
    if cty.test_conformance(actual.ty, planned.ty):
        return [_perr(path, "wrong final value type: %s" % _mismatch(actual.ty, planned.ty))]
    if not planned.known:
        if cty.includes(planned, actual) is False:
            errs.append(_perr(path, "final value %s does not conform to planning placeholder %s" % (_gs(actual), _gs(planned))))
        return errs
    if actual.is_null():
        if planned.is_null():
            return []
        return [_perr(path, "was %s, but now null" % _gs(planned))]
    if planned.is_null():
        return [_perr(path, "was null, but now %s" % _gs(actual))]
    ty = planned.ty
    if not actual.known:
        errs.append(_perr(path, "was known, but now unknown"))
    elif ty.is_primitive():
        if actual.equals(planned) is not True:
            errs.append(_perr(path, "was %s, but now %s" % (_gs(planned), _gs(actual))))
    elif ty.is_list() or ty.is_map() or ty.is_tuple():
        for k, pv in planned.items():
            if not actual.has_index(k):
                errs.append(_perr(path, "element %s has vanished" % _index_str(k)))
                continue
            errs += assert_value_compatible(pv, actual.index(k), path + [("index", k)])
        for k, _ in actual.items():
            if not planned.has_index(k):
                errs.append(_perr(path, "new element %s has appeared" % _index_str(k)))
    elif ty.is_object():
        for name in ty.attrs:
            errs += assert_value_compatible(_attr(planned, name), _attr(actual, name), path + [("attr", name)])
    elif ty.is_set():
        errs += _assert_set_values_compatible(
            planned, actual, path, lambda a, b: not assert_value_compatible(a, b, path + [("index", b)]))
        pl, al = planned.length(), actual.length()
        if pl < al:
            errs.append(_perr(path, "length changed from %d to %d" % (pl, al)))
    return errs


def _mismatch(got, want):
    errs = cty.test_conformance(got, want)
    if not errs:
        return "types match"
    e = errs[0]
    where = format_path(e.path)
    return ("attribute %s: %s" % (where.lstrip("."), e.message)) if where else e.message


def _assert_set_values_compatible(planned, actual, path, f):
    as_ = planned.elements()
    bs = actual.elements()
    aeqs = [False] * len(as_)
    beqs = [False] * len(bs)
    for ai, av in enumerate(as_):
        for bi, bv in enumerate(bs):
            if aeqs[ai] and beqs[bi]:
                continue
            if f(av, bv):
                aeqs[ai] = True
                beqs[bi] = True
    errs = []
    for i, eq in enumerate(aeqs):
        if not eq:
            errs.append(_perr(path, "planned set element %s does not correlate with any element in actual" % _gs(as_[i])))
    if errs:
        return errs
    for i, eq in enumerate(beqs):
        if not eq:
            errs.append(_perr(path, "actual set element %s does not correlate with any element in plan" % _gs(bs[i])))
    return errs


# ------------------------------------------------------------- write-only attrs

def non_null_write_only_paths(val: Value, schema: Block, path=None) -> list:
    """ephemeral.NonNullWriteOnlyPaths: paths of write-only attributes holding non-null values."""
    path = list(path or [])
    out = []
    if val is None or not val.known or val.is_null():
        return out
    for name, a in schema.attributes.items():
        ap = path + [("attr", name)]
        av = _attr(val, name)
        if a.write_only and not av.is_null():
            out.append(ap)
            continue
        if a.nested is not None:
            out += _nested_wo_paths(av, a.nested, ap)
    for name, bs in schema.block_types.items():
        bv = _attr(val, name)
        if not bv.known or bv.is_null():
            continue
        if bs.nesting in (NESTING_SINGLE, NESTING_GROUP):
            out += non_null_write_only_paths(bv, bs.block, path + [("attr", name)])
        else:
            for idx, ev in bv.items():
                out += non_null_write_only_paths(ev, bs.block, path + [("attr", name), ("index", idx)])
    return out


def _nested_wo_paths(v, obj: NestedObject, path):
    if not v.known or v.is_null():
        return []
    blk = Block(obj.attributes)
    if obj.nesting == NESTING_SINGLE:
        return non_null_write_only_paths(v, blk, path)
    out = []
    for idx, ev in v.items():
        out += non_null_write_only_paths(ev, blk, path + [("index", idx)])
    return out


# ------------------------------------------------------------- config checks

def validate_config(schema: Block, config: Value, path=None) -> list:
    """Static checks Terraform makes while decoding a configuration body against a schema
    (hcldec): required arguments and nested block counts.  Setting a computed-only argument
    is NOT rejected by Terraform core (terraform 1.11 validates it fine); that is the
    provider's job in ValidateResourceConfig.
    Returns a list of (path, summary, detail)."""
    path = list(path or [])
    out = []
    if config.is_null() or not config.known:
        return out
    for name, a in schema.attributes.items():
        v = _attr(config, name)
        p = path + [("attr", name)]
        if a.required and v.is_null():
            out.append((p, "Missing required argument",
                        'The argument "%s" is required, but no definition was found.' % name))
        if a.nested is not None and v.known and not v.is_null():
            blk = Block(a.nested.attributes)
            if a.nested.nesting == NESTING_SINGLE:
                out += validate_config(blk, v, p)
            else:
                for idx, ev in v.items():
                    out += validate_config(blk, ev, p + [("index", idx)])
    for name, bs in schema.block_types.items():
        v = _attr(config, name)
        p = path + [("attr", name)]
        if not v.known:
            continue
        if bs.nesting in (NESTING_SINGLE, NESTING_GROUP):
            if v.is_null():
                if bs.min_items >= 1 and bs.nesting == NESTING_SINGLE:
                    out.append((p, "Missing %s block" % name,
                                'A block of type "%s" is required here.' % name))
                continue
            out += validate_config(bs.block, v, p)
            continue
        count = 0 if v.is_null() else v.length()
        if bs.min_items and count < bs.min_items:
            out.append((p, "Insufficient %s blocks" % name,
                        "At least %d \"%s\" blocks are required." % (bs.min_items, name)))
        if bs.max_items and count > bs.max_items:
            out.append((p, "Too many %s blocks" % name,
                        "No more than %d \"%s\" blocks are allowed" % (bs.max_items, name)))
        for idx, ev in v.items() if not v.is_null() else []:
            out += validate_config(bs.block, ev, p + [("index", idx)])
    return out

# public name for callers outside this module (acceptance/bench.py uses it)
empty_block_value = _empty_block_value
