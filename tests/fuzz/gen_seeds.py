#!/usr/bin/python3
"""gen_seeds.py - small seed corpora for fuzz_msgpack and fuzz_json.

Each seed is one selector byte (the type, see fuzz_types.h) followed by a
golden encoding from tests/data/ or a hand-made value of the object type.
"""
import json
import os

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")

SEL = {"dyn_": 0, "str_": 1, "num_": 2, "list_strings": 3,
       "list_empty": 3, "list_null_unknown": 3, "set_numbers": 4,
       "set_empty": 4, "unknown_string": 1, "unknown_prefix": 1,
       "unknown_num_range": 2, "unknown_list_len": 3, "null_string": 1}

OBJ = {"name": "c", "port": 6379, "tags": {"a": "b"},
       "rule": [{"cidr": "10.0.0.0/8", "ports": [1, 2]}],
       "extra": None}


def main():
    for sub, ext in (("msgpack", ".msgpack"), ("json", ".json")):
        out = os.path.join(HERE, "corpus", "fuzz_" + sub)
        os.makedirs(out, exist_ok=True)
        for name in sorted(os.listdir(os.path.join(DATA, sub))):
            stem = name[:-len(ext)]
            sel = next((v for k, v in SEL.items() if stem.startswith(k)),
                       None)
            if sel is None or stem == "str_70000":
                continue
            with open(os.path.join(DATA, sub, name), "rb") as f:
                body = f.read()
            with open(os.path.join(out, stem), "wb") as f:
                f.write(bytes([sel]) + body)
    obj_mp = dict(OBJ, extra=[b'["list","string"]', ["x"]])
    with open(os.path.join(HERE, "corpus", "fuzz_msgpack", "object"),
              "wb") as f:
        f.write(b"\x07" + msgpack.packb(obj_mp, use_bin_type=True))
    with open(os.path.join(HERE, "corpus", "fuzz_json", "object"), "wb") as f:
        f.write(b"\x07" + json.dumps(dict(
            OBJ, extra={"value": ["x"], "type": ["list", "string"]})).encode())
    with open(os.path.join(HERE, "corpus", "fuzz_json", "object_lenient"),
              "wb") as f:
        f.write(b"\x0f" + json.dumps(dict(OBJ, removed=[1])).encode())
    with open(os.path.join(HERE, "corpus", "fuzz_json", "map_dynamic"),
              "wb") as f:
        f.write(b"\x05" + json.dumps(
            {"a": {"value": 1, "type": "number"}, "b": None}).encode())


if __name__ == "__main__":
    main()
