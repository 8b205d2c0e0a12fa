import json, xxhash

HEADER = {"schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z"}
NOW = "2026-11-22T12:00:00Z"

def bucket(salt, key, value):
    data = salt.encode() + b"\0" + key.encode() + b"\0" + value.encode()
    return xxhash.xxh64(data, seed=0).intdigest() % 100000

def pick(split, b):
    start = 0
    for v, w in split:
        if w > 0 and b < start + w:
            return v, start, start + w
        start += w
    raise ValueError

def snap(flags, segments=None, **extra):
    s = dict(HEADER)
    s.update(extra)
    if segments is not None:
        s["segments"] = segments
    s["flags"] = flags
    return s

def dump_compact(v):
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))

def dump_snapshot(s, indent):
    """Snapshot with one flag / segment per line block."""
    pad = " " * indent
    lines = ["{"]
    items = list(s.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if k in ("flags", "segments") and isinstance(v, list) and v:
            lines.append(f'{pad}  "{k}": [')
            for j, item in enumerate(v):
                c2 = "," if j < len(v) - 1 else ""
                lines.append(f"{pad}    {dump_compact(item)}{c2}")
            lines.append(f"{pad}  ]{comma}")
        else:
            lines.append(f"{pad}  {json.dumps(k)}: {dump_compact(v)}{comma}")
    lines.append(pad + "}")
    return "\n".join(lines)
