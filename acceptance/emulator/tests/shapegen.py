"""Generate example values for botocore shapes (for round-trip tests)."""

import datetime


class Gen:
    def __init__(self, seed=0):
        self.n = seed

    def _next(self):
        self.n += 1
        return self.n

    def value(self, shape, depth=0, name="v"):
        t = shape.type_name
        if t == "structure":
            if shape.is_document_type or depth > 4:
                return None
            out = {}
            members = list(shape.members.items())
            if getattr(shape, "is_tagged_union", False):
                members = members[:1]
            for mname, mshape in members:
                if mshape.serialization.get("location") or mshape.metadata.get("eventstream"):
                    continue
                if mshape.type_name == "structure" and mshape.is_document_type:
                    continue
                v = self.value(mshape, depth + 1, mname)
                if v is not None:
                    out[mname] = v
            # An empty nested structure has no wire form in query protocols.
            return out if (out or depth == 0) else None
        if t == "list":
            if depth > 4:
                return None
            items = [self.value(shape.member, depth + 1, name) for _ in range(2)]
            items = [i for i in items if i is not None]
            return items or None
        if t == "map":
            if depth > 4:
                return None
            out = {}
            for i in range(2):
                k = self.value(shape.key, depth + 1, "key")
                v = self.value(shape.value, depth + 1, "val")
                if k is None or v is None:
                    continue
                out[k if shape.key.enum else f"{k}{i}"] = v
            return out or None
        if t == "string":
            if shape.enum:
                return shape.enum[self._next() % len(shape.enum)]
            return f"{name}-{self._next()}"
        if t in ("integer", "long"):
            lo = shape.metadata.get("min", 0)
            hi = shape.metadata.get("max", lo + 1000)
            return int(lo + (self._next() % max(1, (hi - lo + 1))))
        if t in ("float", "double"):
            return 1.5 + self._next()
        if t == "boolean":
            return self._next() % 2 == 0
        if t == "timestamp":
            return datetime.datetime(2026, 1, 2, 3, 4, 5 + self._next() % 50,
                                     tzinfo=datetime.timezone.utc)
        if t == "blob":
            return b"\x00\xffblob-" + str(self._next()).encode()
        return None
