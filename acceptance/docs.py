"""Generate the "## Schema" sections of docs/ from the provider's own schema.

    /usr/bin/python3 -m acceptance.docs --provider build/terraform-provider-secure [--check]

Starts the user-facing provider binary the way Terraform does (through
:mod:`acceptance.driver.plugin`), calls GetProviderSchema and renders each
schema in the layout HashiCorp's tfplugindocs produces
(terraform-plugin-docs, internal/schemamd): "### Required" / "### Optional" /
"### Read-Only" lists sorted by name, ``- `name` (Type, Sensitive) description``,
nested blocks and nested attributes under
``<a id="nestedblock--x"></a>`` / "### Nested Schema for `x`".

Only the "## Schema" section of each page is generated: from the line
"## Schema" up to the next "## " heading (outside fenced code), or the end of
the file. Everything before and after is hand-written and kept byte for byte.
The pages are docs/index.md (the provider block) and
docs/<kind>/<type>.md for every resource (and data source or ephemeral
resource, should the provider grow some). A schema without a page gets a
minimal page; a page without a schema, or without a "## Schema" heading, is
an error.

Without --check the stale files are rewritten. With --check nothing is
written: a unified diff of every stale file is printed and the exit status is
1. Exit status 2: the provider could not be asked (no binary, handshake or
schema error) or a page cannot be updated.

Does not do: tfplugindocs' templates, examples or import sections (those
parts of the pages are hand-written), functions.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BINARY = REPO_ROOT / "build" / "terraform-provider-secure"
PROVIDER_NAME = "secure"

# GetProviderSchema.Response map field -> docs folder and page title word.
KINDS = (
    ("resource_schemas", "resources", "Resource"),
    ("data_source_schemas", "data-sources", "Data Source"),
    ("ephemeral_resource_schemas", "ephemeral-resources", "Ephemeral Resource"),
)

WRITE_ONLY_NOTE = ("> **NOTE**: [Write-only arguments](https://developer.hashicorp.com/terraform/"
                   "language/resources/ephemeral#write-only-arguments) are supported in "
                   "Terraform 1.11 and later.\n\n")
WRITE_ONLY_MARK = (", [Write-only](https://developer.hashicorp.com/terraform/language/"
                   "resources/ephemeral#write-only-arguments)")

SINGLE, LIST, SET, MAP, GROUP = "single", "list", "set", "map", "group"


class DocsError(Exception):
    """A schema tfplugindocs would refuse, or a page that cannot be updated."""


# --------------------------------------------------------------------------
# Schema model (what `terraform providers schema -json` carries)


@dataclass
class NestedType:
    nesting: str
    attributes: dict[str, "Attribute"]


@dataclass
class Attribute:
    name: str
    type: object = None           # cty type in its JSON form; None with nested
    nested: NestedType | None = None
    description: str = ""
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False
    deprecated: bool = False
    write_only: bool = False

    @property
    def read_only(self) -> bool:
        return self.computed and not self.optional and not self.required


@dataclass
class Block:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: dict[str, "BlockType"] = field(default_factory=dict)
    description: str = ""
    deprecated: bool = False


@dataclass
class BlockType:
    nesting: str
    block: Block
    min_items: int = 0
    max_items: int = 0

    @property
    def required(self) -> bool:
        return self.min_items > 0

    @property
    def optional(self) -> bool:
        # tfplugindocs: min items 0 and empty, or any required/optional child.
        if self.min_items > 0:
            return False
        b = self.block
        if not b.attributes and not b.blocks:
            return True
        return (any(c.required or c.optional for c in b.blocks.values())
                or any(a.required or a.optional for a in b.attributes.values()))

    @property
    def read_only(self) -> bool:
        if self.min_items or self.max_items:
            return False
        return (all(c.read_only for c in self.block.blocks.values())
                and all(a.read_only for a in self.block.attributes.values()))

    @property
    def contains_write_only(self) -> bool:
        return (any(c.contains_write_only for c in self.block.blocks.values())
                or any(a.write_only for a in self.block.attributes.values()))


_NESTING = {1: SINGLE, 2: LIST, 3: SET, 4: MAP, 5: GROUP}


def _nesting(value: int, where: str) -> str:
    try:
        return _NESTING[value]
    except KeyError:
        raise DocsError(f"{where}: invalid nesting mode {value}") from None


def attribute_from_proto(a, where: str) -> Attribute:
    where = f"{where}.{a.name}"
    out = Attribute(name=a.name, description=a.description, required=a.required,
                    optional=a.optional, computed=a.computed, sensitive=a.sensitive,
                    deprecated=a.deprecated, write_only=getattr(a, "write_only", False))
    if a.HasField("nested_type"):
        # Object.min_items/max_items are deprecated and Terraform's JSON
        # schema (what tfplugindocs reads) no longer carries them.
        nt = a.nested_type
        if nt.nesting == 5:
            raise DocsError(f"{where}: nested attributes cannot use GROUP nesting")
        out.nested = NestedType(
            nesting=_nesting(nt.nesting, where),
            attributes={c.name: attribute_from_proto(c, where) for c in nt.attributes})
    else:
        try:
            out.type = json.loads(a.type.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise DocsError(f"{where}: type is not JSON: {exc}") from None
    return out


def block_from_proto(b, where: str) -> Block:
    return Block(
        attributes={a.name: attribute_from_proto(a, where) for a in b.attributes},
        blocks={nb.type_name: BlockType(nesting=_nesting(nb.nesting, f"{where}.{nb.type_name}"),
                                        block=block_from_proto(nb.block, f"{where}.{nb.type_name}"),
                                        min_items=nb.min_items, max_items=nb.max_items)
                for nb in b.block_types},
        description=b.description, deprecated=b.deprecated)


# --------------------------------------------------------------------------
# Rendering (tfplugindocs internal/schemamd)


def type_name(ty) -> str:
    """A cty type (JSON form) spelled as tfplugindocs does."""
    if ty == "dynamic":
        return "Dynamic"
    if isinstance(ty, str):
        try:
            return {"string": "String", "bool": "Boolean", "number": "Number"}[ty]
        except KeyError:
            raise DocsError(f"unexpected primitive type {ty!r}") from None
    if isinstance(ty, list) and len(ty) == 2:
        kind, elem = ty
        if kind in ("list", "set", "map"):
            return f"{kind.capitalize()} of {type_name(elem)}"
        if kind == "object" and isinstance(elem, dict):
            return "Object"
        if kind == "tuple":
            return "Tuple"
    if isinstance(ty, list) and len(ty) == 3 and ty[0] == "object":
        return "Object"  # object with optional attributes
    raise DocsError(f"unexpected type {json.dumps(ty)}")


def _object_attrs(ty) -> dict | None:
    """Attribute types of an object type, or None when ty is no object."""
    if isinstance(ty, list) and len(ty) in (2, 3) and ty[0] == "object" and isinstance(ty[1], dict):
        return ty[1]
    return None


def _is_tuple(ty) -> bool:
    return isinstance(ty, list) and len(ty) >= 1 and ty[0] == "tuple"


def _element_object(ty) -> dict | None:
    if isinstance(ty, list) and len(ty) == 2 and ty[0] in ("list", "set", "map"):
        return _object_attrs(ty[1])
    return None


_BLANK_LINES = re.compile(r"\n\n+")


def _attribute_summary(att: Attribute) -> str:
    if att.nested is None:
        text = "(" + type_name(att.type)
    else:
        text = "(Attributes"
        if att.nested.nesting != SINGLE:
            text += " " + att.nested.nesting.capitalize()
    if att.sensitive:
        text += ", Sensitive"
    if att.deprecated:
        text += ", Deprecated"
    if att.write_only:
        text += WRITE_ONLY_MARK
    text += ")"
    desc = att.description.strip()
    if desc:
        if att.nested is None:
            desc = _BLANK_LINES.sub("  \n", desc)
        text += " " + desc
    return text


def _block_summary(bt: BlockType) -> str:
    if bt.nesting == GROUP:
        raise DocsError("unexpected nesting mode for block: group")
    text = "(Block"
    if bt.nesting != SINGLE:
        text += " " + bt.nesting.capitalize()
        if bt.min_items > 0:
            text += f", Min: {bt.min_items}"
    elif bt.required:
        text += ", Required"
    elif bt.optional:
        text += ", Optional"
    elif bt.read_only:
        text += ", Read-only"
    else:
        raise DocsError("block does not match any filter states")
    if bt.max_items > 0:
        text += f", Max: {bt.max_items}"
    if bt.block.deprecated:
        text += ", Deprecated"
    text += ")"
    desc = bt.block.description.strip()
    if desc:
        text += " " + desc
    return text


@dataclass
class _Nested:
    anchor: str
    path: list[str]
    block: Block | None = None
    object: dict | None = None
    attrs: NestedType | None = None
    group: int = 0


GROUPS = (("### Required", "Required:"), ("### Optional", "Optional:"),
          ("### Read-Only", "Read-Only:"))
REQUIRED, OPTIONAL, READ_ONLY = 0, 1, 2


def _group(item: Attribute | BlockType) -> int | None:
    """The section an attribute or a nested block is listed under."""
    if item.required:
        return REQUIRED
    if item.optional:
        return OPTIONAL
    if item.read_only:
        return READ_ONLY
    return None


def _write_attribute(out: list[str], path: list[str], att: Attribute, group: int) -> list[_Nested]:
    line = f"- `{path[-1]}` " + _attribute_summary(att)
    if att.nested is None and _is_tuple(att.type):
        raise DocsError(f"{'.'.join(path)}: tuples are not supported (neither by tfplugindocs)")
    anchor = "nestedatt--" + "--".join(path)
    nested: list[_Nested] = []
    if att.nested is not None:
        nested.append(_Nested(anchor, path, attrs=att.nested, group=group))
    elif _object_attrs(att.type) is not None:
        nested.append(_Nested(anchor, path, object=_object_attrs(att.type), group=group))
    elif _element_object(att.type) is not None:
        nested.append(_Nested(anchor, path, object=_element_object(att.type), group=group))
    if nested:
        line += f" (see [below for nested schema](#{anchor}))"
    out.append(line + "\n")
    return nested


def _write_block_children(out: list[str], parents: list[str], block: Block, root: bool) -> None:
    groups: dict[int, list[str]] = {}
    for name in list(block.attributes) + list(block.blocks):
        if name in block.blocks:
            g = _group(block.blocks[name])
        else:
            att = block.attributes[name]
            if name.lower() == "id" and not parents and not att.description:
                att.description = "The ID of this resource."
                g = READ_ONLY
            else:
                g = _group(att)
        if g is None:
            raise DocsError(
                f"no match for {'.'.join(parents + [name])!r}: neither required, optional nor "
                "computed (an optional block whose children are all computed must be computed too)")
        groups.setdefault(g, []).append(name)

    nested: list[_Nested] = []
    for g, (top, inner) in enumerate(GROUPS):
        names = sorted(groups.get(g, []))
        if not names:
            continue
        out.append((top if root else inner) + "\n\n")
        for name in names:
            if (name in block.blocks and block.blocks[name].contains_write_only) or \
               (name in block.attributes and block.attributes[name].write_only):
                out.append(WRITE_ONLY_NOTE)
                break
        for name in names:
            path = parents + [name]
            if name in block.blocks:
                bt = block.blocks[name]
                anchor = "nestedblock--" + "--".join(path)
                out.append(f"- `{name}` {_block_summary(bt)} (see [below for nested schema](#{anchor}))\n")
                nested.append(_Nested(anchor, path, block=bt.block))
            else:
                nested += _write_attribute(out, path, block.attributes[name], g)
        out.append("\n")
    _write_nested(out, nested)


def _write_nested(out: list[str], nested: list[_Nested]) -> None:
    for nt in nested:
        out.append(f'<a id="{nt.anchor}"></a>\n')
        out.append(f"### Nested Schema for `{'.'.join(nt.path)}`\n\n")
        if nt.block is not None:
            _write_block_children(out, nt.path, nt.block, root=False)
        elif nt.object is not None:
            _write_object_children(out, nt.path, nt.object, nt.group)
        else:
            _write_nested_attribute_children(out, nt.path, nt.attrs, nt.group)
        out.append("\n")


def _write_object_children(out: list[str], parents: list[str], attrs: dict, group: int) -> None:
    out.append(GROUPS[group][1] + "\n\n")
    nested: list[_Nested] = []
    for name in sorted(attrs):
        ty, path = attrs[name], parents + [name]
        if _is_tuple(ty):
            raise DocsError(f"{'.'.join(path)}: tuples are not supported (neither by tfplugindocs)")
        line = f"- `{name}` ({type_name(ty)})"
        anchor = "nestedobjatt--" + "--".join(path)
        inner = _object_attrs(ty) if _object_attrs(ty) is not None else _element_object(ty)
        if inner is not None:
            line += f" (see [below for nested schema](#{anchor}))"
            nested.append(_Nested(anchor, path, object=inner, group=group))
        out.append(line + "\n")
    out.append("\n")
    _write_nested(out, nested)


def _write_nested_attribute_children(out: list[str], parents: list[str], nt: NestedType,
                                     group: int) -> None:
    groups: dict[int, list[str]] = {}
    for name in sorted(nt.attributes):
        g = _group(nt.attributes[name])
        if g is not None:
            groups.setdefault(g, []).append(name)
    nested: list[_Nested] = []
    for g, (_, inner) in enumerate(GROUPS):
        names = groups.get(g, [])
        if not names:
            continue
        out.append(inner + "\n\n")
        for name in names:
            nested += _write_attribute(out, parents + [name], nt.attributes[name], group)
        out.append("\n")
    _write_nested(out, nested)


def render_schema(block: Block) -> str:
    """The "## Schema" section for a root block, trimmed as tfplugindocs'
    templates trim it (``{{ .SchemaMarkdown | trimspace }}``), ending in one
    newline."""
    out = ["## Schema\n\n"]
    _write_block_children(out, [], block, root=True)
    return "".join(out).strip() + "\n"


# --------------------------------------------------------------------------
# Pages


_HEADING2 = re.compile(r"^## ")
_FENCE = re.compile(r"^\s*(```|~~~)")


def splice_schema(text: str, schema_md: str, page: str) -> str:
    """Replace the "## Schema" section of a page's text with schema_md.

    The section runs from the line "## Schema" to the next "## " heading
    outside fenced code blocks (not included), or to the end of the text.
    """
    lines = text.splitlines(keepends=True)
    start = None
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and line.rstrip("\r\n").rstrip() == "## Schema":
            start = i
            break
    if start is None:
        raise DocsError(f"{page}: no \"## Schema\" heading (add one where the schema belongs)")
    end = len(lines)
    fenced = False
    for i in range(start + 1, len(lines)):
        if _FENCE.match(lines[i]):
            fenced = not fenced
        elif not fenced and _HEADING2.match(lines[i]):
            end = i
            break
    before = "".join(lines[:start])
    after = "".join(lines[end:])
    return before + schema_md + ("\n" + after if after else "")


def new_page(type_name_: str, title_word: str, block: Block, schema_md: str) -> str:
    """A minimal page for a schema that has none yet (tfplugindocs' default
    template): front matter, title, description, schema."""
    desc = block.description.strip()
    front = "\n".join("  " + line if line else "" for line in desc.splitlines()) if desc else ""
    return (f"---\npage_title: \"{type_name_} {title_word} - terraform-provider-{PROVIDER_NAME}\"\n"
            f"subcategory: \"\"\ndescription: |-\n{front}\n---\n\n"
            f"# {type_name_} ({title_word})\n\n" + (desc + "\n\n" if desc else "") + schema_md)


@dataclass
class Page:
    path: Path          # absolute
    old: str | None     # None: the page does not exist yet
    new: str


def fetch_schema(binary: str):
    """GetProviderSchema from the binary, started as Terraform starts it."""
    from acceptance.driver import plugin

    if not os.access(binary, os.X_OK):
        raise DocsError(f"provider binary {binary} does not exist or is not executable (run make)")
    try:
        p = plugin.start_provider(binary, env={"AWS_EC2_METADATA_DISABLED": "true"})
    except plugin.PluginError as exc:
        raise DocsError(f"cannot start {binary}: {exc}") from None
    with p:
        try:
            resp = p.stub.GetProviderSchema(p.pb.GetProviderSchema.Request(), timeout=30)
        except Exception as exc:  # grpc.RpcError and friends: say what failed
            raise DocsError(f"GetProviderSchema on {binary} failed: {exc}") from None
    errors = [d for d in resp.diagnostics if d.severity == 1]
    if errors:
        raise DocsError("GetProviderSchema failed: " +
                        "; ".join(f"{d.summary}: {d.detail}" for d in errors))
    return resp


def plan_pages(resp, docs_dir: Path) -> tuple[list[Page], list[str]]:
    """Every page the schema asks for, with its current and generated text,
    and the errors found (pages without a schema, schemas that do not render)."""
    pages: list[Page] = []
    errors: list[str] = []

    def add(path: Path, block: Block, type_name_: str | None, title_word: str | None) -> None:
        rel = path.relative_to(docs_dir.parent)
        try:
            schema_md = render_schema(block)
            if path.exists():
                old = path.read_text(encoding="utf-8")
                new = splice_schema(old, schema_md, str(rel))
            elif type_name_ is not None:
                old, new = None, new_page(type_name_, title_word, block, schema_md)
            else:
                raise DocsError(f"{rel} does not exist (the provider page is hand-written "
                                "around its \"## Schema\" section)")
        except DocsError as exc:
            errors.append(f"{rel}: {exc}" if not str(exc).startswith(str(rel)) else str(exc))
            return
        pages.append(Page(path, old, new))

    add(docs_dir / "index.md", block_from_proto(resp.provider.block, "provider"), None, None)
    for field_name, folder, title_word in KINDS:
        schemas = getattr(resp, field_name, None)
        if schemas is None:
            continue
        names = set(schemas.keys())
        for name in sorted(names):
            add(docs_dir / folder / f"{name}.md",
                block_from_proto(schemas[name].block, name), name, title_word)
        folder_dir = docs_dir / folder
        if folder_dir.is_dir():
            for md in sorted(folder_dir.glob("*.md")):
                if md.stem not in names:
                    errors.append(f"{md.relative_to(docs_dir.parent)}: the provider has no "
                                  f"{title_word.lower()} {md.stem}")
    return pages, errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m acceptance.docs",
        description="Render the \"## Schema\" sections of docs/ from the provider's schema.")
    ap.add_argument("--provider", default=os.environ.get("PROVIDER_BIN", str(DEFAULT_BINARY)),
                    help="the user-facing provider binary (default: $PROVIDER_BIN or "
                         "build/terraform-provider-secure)")
    ap.add_argument("--docs", default=str(REPO_ROOT / "docs"), help="the docs folder")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; print a diff and exit 1 when a page is stale")
    opts = ap.parse_args(argv)
    docs_dir = Path(opts.docs).resolve()

    try:
        resp = fetch_schema(opts.provider)
    except DocsError as exc:
        print(f"docs: {exc}", file=sys.stderr)
        return 2
    pages, errors = plan_pages(resp, docs_dir)
    for e in errors:
        print(f"docs: {e}", file=sys.stderr)

    stale = [p for p in pages if p.old != p.new]
    base = docs_dir.parent
    if opts.check:
        for p in stale:
            rel = str(p.path.relative_to(base))
            sys.stdout.writelines(difflib.unified_diff(
                (p.old or "").splitlines(keepends=True), p.new.splitlines(keepends=True),
                fromfile=f"a/{rel}" if p.old is not None else "/dev/null",
                tofile=f"b/{rel}"))
        if stale:
            print(f"docs: {len(stale)} of {len(pages)} pages are stale; run `make docs`",
                  file=sys.stderr)
            return 1
        if errors:
            return 2
        print(f"docs: {len(pages)} pages up to date")
        return 0

    for p in stale:
        p.path.parent.mkdir(parents=True, exist_ok=True)
        p.path.write_text(p.new, encoding="utf-8")
        print(f"docs: wrote {p.path.relative_to(base)}")
    if not stale:
        print(f"docs: {len(pages)} pages up to date")
    return 2 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
