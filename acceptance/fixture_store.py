"""The test fixture's object store (FIXTURE_STORE_DIR): objects are JSON files,
so "infrastructure" outlives provider processes and can be made or edited
outside Terraform, as real infrastructure can.  Shared by the fixture tests
and the main job."""

import json
from pathlib import Path

SEED_ID = "fx-00000000000000c1"  # imported by fixture_lifecycle's 04-import

# Every attribute of secure_test_fixture's schema (cty JSON of its state).
EMPTY_DOC = {
    "arn": None, "delay_ms": None, "description": None, "fail_on": None,
    "id": None, "name": None, "password": None, "ports": None,
    "revision": None, "rule": [], "secret_wo": None,
    "secret_wo_length": None, "size": None, "tags": None, "timeouts": None,
}


def seed(store: Path, obj_id: str, **attrs) -> Path:
    """Creates an object "outside Terraform", as real infrastructure would be."""
    doc = dict(EMPTY_DOC, id=obj_id, arn="arn:secure:fixture:::object/" + obj_id,
               revision=1, **attrs)
    path = Path(store) / (obj_id + ".json")
    path.write_text(json.dumps(doc))
    return path


def seed_lifecycle(store: Path) -> Path:
    """The object fixture_lifecycle's import step adopts."""
    return seed(store, SEED_ID, name="seeded", size=2, rule=[{"port": 8080, "protocol": "tcp"}])
