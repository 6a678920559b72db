"""docs/ matches the provider's schema (`make docs` regenerates it).

The first test is the one that matters: it runs the generator with --check
against the built user-facing binary, so a schema description changed in C
without `make docs` fails `make test`. The others pin the renderer to
tfplugindocs' layout and show that --check really detects a stale page.
"""

import shutil
import subprocess
import sys

import pytest

from acceptance import docs
from acceptance.tests import support
from acceptance.tests.support import REPO_ROOT


def _need_binary():
    support.provider_binary()  # skips when it was not built


def _run(*args):
    return subprocess.run([sys.executable, "-m", "acceptance.docs", "--provider", support.provider_binary(), *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_docs_match_the_schema():
    _need_binary()
    res = _run("--check")
    assert res.returncode == 0, (
        "docs/ is stale; run `make docs` and commit the result\n" + res.stdout + res.stderr)
    assert "pages up to date" in res.stdout


def test_check_reports_a_stale_page(tmp_path):
    _need_binary()
    copy = tmp_path / "docs"
    shutil.copytree(REPO_ROOT / "docs", copy)
    page = copy / "resources" / "secure_redis_cluster.md"
    text = page.read_text()
    wrong = "- `port` (Number) TCP port, 1 to 65535."
    stale = "\n".join(wrong if line.startswith("- `port` (Number)") else line
                      for line in text.split("\n"))
    assert stale != text
    page.write_text(stale)
    before = page.read_text()

    res = _run("--check", "--docs", str(copy))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "--- a/docs/resources/secure_redis_cluster.md" in res.stdout
    assert "-" + wrong in res.stdout
    assert page.read_text() == before, "--check must not write"

    res = _run("--docs", str(copy))
    assert res.returncode == 0, res.stdout + res.stderr
    assert page.read_text() == text
    assert _run("--check", "--docs", str(copy)).returncode == 0


def test_missing_binary_is_a_clear_error(tmp_path):
    res = subprocess.run([sys.executable, "-m", "acceptance.docs", "--provider",
                          str(tmp_path / "nope"), "--check"],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "does not exist" in res.stderr


# ---- the renderer, on a schema built by hand ----

def _att(name, ty, desc="", **flags):
    return docs.Attribute(name=name, type=ty, description=desc, **flags)


def test_render_matches_tfplugindocs_layout():
    inner = docs.Block(attributes={
        "b": _att("b", "string", "Bee.", optional=True),
        "a": _att("a", "number", "", computed=True),
    })
    nested = docs.NestedType(nesting="map", attributes={
        "role": _att("role", "string", "The role.", required=True),
        "pw": _att("pw", "string", "A password.", optional=True, sensitive=True, write_only=True),
        "out": _att("out", ["object", {"y": "bool", "x": ["list", "string"]}], "Out.", computed=True),
    })
    root = docs.Block(
        attributes={
            "name": _att("name", "string", "The name.\n\nSecond paragraph.", required=True),
            "id": _att("id", "string", "", optional=True, computed=True),
            "tags": _att("tags", ["map", "string"], "Tags.", optional=True),
            "old": _att("old", ["set", "number"], "Old.", optional=True, deprecated=True),
            "secret": _att("secret", "string", "", computed=True, sensitive=True),
            "users": docs.Attribute(name="users", nested=nested, description="Users.", optional=True),
            "objs": _att("objs", ["list", ["object", {"k": "dynamic"}]], "Objects.", computed=True),
        },
        blocks={
            "timeouts": docs.BlockType(nesting="single", block=docs.Block(
                attributes={"create": _att("create", "string", "Create.", optional=True)},
                description="Timeouts.")),
            "rule": docs.BlockType(nesting="list", min_items=1, max_items=3, block=docs.Block(
                attributes={"port": _att("port", "number", "Port.", required=True)},
                blocks={"sub": docs.BlockType(nesting="set", block=inner)})),
        })
    want = """\
## Schema

### Required

- `name` (String) The name.  
Second paragraph.
- `rule` (Block List, Min: 1, Max: 3) (see [below for nested schema](#nestedblock--rule))

### Optional

- `old` (Set of Number, Deprecated) Old.
- `tags` (Map of String) Tags.
- `timeouts` (Block, Optional) Timeouts. (see [below for nested schema](#nestedblock--timeouts))
- `users` (Attributes Map) Users. (see [below for nested schema](#nestedatt--users))

### Read-Only

- `id` (String) The ID of this resource.
- `objs` (List of Object) Objects. (see [below for nested schema](#nestedatt--objs))
- `secret` (String, Sensitive)

<a id="nestedblock--rule"></a>
### Nested Schema for `rule`

Required:

- `port` (Number) Port.

Optional:

- `sub` (Block Set) (see [below for nested schema](#nestedblock--rule--sub))

<a id="nestedblock--rule--sub"></a>
### Nested Schema for `rule.sub`

Optional:

- `b` (String) Bee.

Read-Only:

- `a` (Number)



<a id="nestedblock--timeouts"></a>
### Nested Schema for `timeouts`

Optional:

- `create` (String) Create.


<a id="nestedatt--users"></a>
### Nested Schema for `users`

Required:

- `role` (String) The role.

Optional:

- `pw` (String, Sensitive, [Write-only](https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments)) A password.

Read-Only:

- `out` (Object) Out. (see [below for nested schema](#nestedatt--users--out))

<a id="nestedatt--users--out"></a>
### Nested Schema for `users.out`

Optional:

- `x` (List of String)
- `y` (Boolean)



<a id="nestedatt--objs"></a>
### Nested Schema for `objs`

Read-Only:

- `k` (Dynamic)
"""
    assert docs.render_schema(root) == want


def test_write_only_note_and_bad_types():
    root = docs.Block(attributes={
        "pw": _att("pw", "string", "", optional=True, write_only=True)})
    assert docs.WRITE_ONLY_NOTE in docs.render_schema(root)
    with pytest.raises(docs.DocsError, match="tuple"):
        docs.render_schema(docs.Block(attributes={
            "t": _att("t", ["tuple", ["string"]], "", optional=True)}))
    with pytest.raises(docs.DocsError, match="no match"):
        docs.render_schema(docs.Block(attributes={"x": _att("x", "string", "")}))


def test_splice_keeps_the_prose():
    page = ("---\nfront: matter\n---\n\n# t\n\nIntro.\n\n## Schema\n\nold\n\n"
            "```sh\n## not a heading\n```\n\n## Import\n\nkept\n")
    out = docs.splice_schema(page, "## Schema\n\nnew\n", "p.md")
    assert out == "---\nfront: matter\n---\n\n# t\n\nIntro.\n\n## Schema\n\nnew\n\n## Import\n\nkept\n"
    assert docs.splice_schema("# t\n\n## Schema\n\nold\n", "## Schema\n\nnew\n", "p.md") == \
        "# t\n\n## Schema\n\nnew\n"
    with pytest.raises(docs.DocsError, match="no \"## Schema\" heading"):
        docs.splice_schema("# t\n\n```\n## Schema\n```\n", "## Schema\n", "p.md")
