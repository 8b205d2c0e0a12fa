#!/usr/bin/env python3
"""Checks docs/snapshot.schema.json against the snapshots the project ships.

Every snapshot that must load has to be accepted by the schema: examples/snapshot.json (required)
and every inline snapshot in tests/vectors/*.json that a test expects to load. Snapshots that a
vector expects to be rejected (a load error code next to them) are skipped, because the schema is
deliberately looser than the engine (it cannot see duplicate keys, day-of-month ranges or limits).
The schema must also reject a few structurally broken documents, and accept documents that load
with diagnostics, since per-flag problems are not load errors.

Usage: scripts/check_schema.py [repository root]. Ends with `N passed, M failed`; exits non-zero
on any failure.
"""

import copy
import json
import sys
from pathlib import Path

try:
    from jsonschema import Draft202012Validator
except ImportError:
    sys.exit("check_schema: the jsonschema package is missing; run scripts/setup.sh")

# Codes a vector uses to say "this snapshot does not load" (see docs/snapshot-format.md). Context
# limits are not among them: a context over a limit is an evaluation error, the snapshot loads.
LOAD_ERROR_CODES = {"NOT_JSON", "SHAPE", "UNSUPPORTED_SCHEMA_VERSION"}


def is_load_error_code(value):
    return isinstance(value, str) and (
        value in LOAD_ERROR_CODES
        or (value.startswith("LIMIT_") and not value.startswith("LIMIT_CONTEXT_"))
    )


def expects_load_error(case, skip):
    """Whether a vector case (the object holding a snapshot) says the snapshot must not load."""
    if isinstance(case, dict):
        for key, value in case.items():
            if value is skip:
                continue
            if "loaderror" in key.lower().replace("_", "") and value not in (None, False):
                return True
            if key in ("error", "code", "errorCode", "kind") and is_load_error_code(value):
                return True
            if isinstance(value, (dict, list)) and expects_load_error(value, skip):
                return True
    elif isinstance(case, list):
        return any(expects_load_error(item, skip) for item in case)
    return False


def inline_snapshots(node, where):
    """Yields (location, snapshot, enclosing case) for every `snapshot` / `snapshots` value."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}"
            if key == "snapshot" and isinstance(value, (dict, str)):
                yield here, value, node
            elif key == "snapshots" and isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, (dict, str)):
                        yield f"{here}[{index}]", item, node
            else:
                yield from inline_snapshots(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from inline_snapshots(item, f"{where}[{index}]")


def minimal():
    return {
        "schemaVersion": 1,
        "revision": 1,
        "generatedAt": "2026-11-20T08:00:00Z",
        "flags": [
            {
                "key": "f",
                "type": "boolean",
                "variants": {"on": True, "off": False},
                "fallthrough": {"variant": "on"},
            }
        ],
    }


def mutated(change):
    document = minimal()
    change(document)
    return document


def structurally_broken():
    """Documents the engine rejects whole (SHAPE or UNSUPPORTED_SCHEMA_VERSION)."""
    flag = lambda document: document["flags"][0]  # noqa: E731
    return [
        ("missing flags", mutated(lambda d: d.pop("flags"))),
        ("missing revision", mutated(lambda d: d.pop("revision"))),
        ("revision is a string", mutated(lambda d: d.update(revision="7"))),
        ("revision is negative", mutated(lambda d: d.update(revision=-1))),
        ("revision is fractional", mutated(lambda d: d.update(revision=1.5))),
        ("schemaVersion 2", mutated(lambda d: d.update(schemaVersion=2))),
        ("generatedAt is a date without time", mutated(lambda d: d.update(generatedAt="2026-11-20"))),
        ("flags is an object", mutated(lambda d: d.update(flags={}))),
        ("segments is null", mutated(lambda d: d.update(segments=None))),
        ("the document is an array", []),
        ("flag without key", mutated(lambda d: flag(d).pop("key"))),
        ("flag without fallthrough", mutated(lambda d: flag(d).pop("fallthrough"))),
        ("variants is an array", mutated(lambda d: flag(d).update(variants=[True, False]))),
        ("enabled is null", mutated(lambda d: flag(d).update(enabled=None))),
        ("enabled is a string", mutated(lambda d: flag(d).update(enabled="false"))),
        (
            "condition without op",
            mutated(
                lambda d: flag(d).update(
                    rules=[{"conditions": [{"attribute": "plan", "value": "pro"}], "serve": {"variant": "on"}}]
                )
            ),
        ),
        ("rule without serve", mutated(lambda d: flag(d).update(rules=[{"conditions": []}]))),
        ("override keys is a string", mutated(lambda d: flag(d).update(overrides=[{"variant": "off", "keys": "user-1"}]))),
    ]


def loads_with_diagnostics():
    """Documents the engine loads (the named flag serves PARSE_ERROR, or a warning is reported)."""
    flag = lambda document: document["flags"][0]  # noqa: E731
    return [
        ("unknown operator", mutated(lambda d: flag(d).update(
            rules=[{"conditions": [{"attribute": "a", "op": "isNear", "value": 1}], "serve": {"variant": "on"}}]))),
        ("unknown flag type", mutated(lambda d: flag(d).update(type="json"))),
        ("serve with neither variant nor split", mutated(lambda d: flag(d).update(fallthrough={}))),
        ("weights that do not add up", mutated(lambda d: flag(d).update(
            fallthrough={"split": [{"variant": "on", "weight": 1}]}))),
        ("weights that are not whole numbers", mutated(lambda d: flag(d).update(
            fallthrough={"split": [{"variant": "on", "weight": -1}, {"variant": "off", "weight": 100000.5}]}))),
        ("integers written with a fraction or an exponent", mutated(lambda d: (d.update(revision=7.0), flag(d).update(
            fallthrough={"split": [{"variant": "on", "weight": 2.5e4}, {"variant": "off", "weight": 75000.0}]})))),
        ("unknown segment", mutated(lambda d: flag(d).update(
            rules=[{"conditions": [{"op": "inSegment", "value": "nobody"}], "serve": {"variant": "on"}}]))),
        ("invalid schedule date", mutated(lambda d: flag(d).update(schedule={"start": "tomorrow"}))),
        ("unknown fields everywhere", mutated(lambda d: (d.update(futureField={"x": 1}),
                                                         flag(d).update(futureFlagField=[1, 2])))),
        ("optional fields set to null", mutated(lambda d: (d.update(environment=None), flag(d).update(
            offVariant=None, salt=None, bucketBy=None, schedule=None, metadata=None)))),
    ]


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    schema = json.loads((root / "docs" / "snapshot.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    passed = failed = skipped = 0

    def accept(name, document):
        nonlocal passed, failed
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        if errors:
            failed += 1
            for error in errors[:5]:
                path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
                print(f"FAIL {name}: {path}: {error.message}")
        else:
            passed += 1
            print(f"ok   {name}")

    def reject(name, document):
        nonlocal passed, failed
        if validator.is_valid(document):
            failed += 1
            print(f"FAIL {name}: the schema accepts a document the engine rejects")
        else:
            passed += 1
            print(f"ok   rejects {name}")

    example = root / "examples" / "snapshot.json"
    if not example.is_file():
        failed += 1
        print(f"FAIL {example} is missing")
    else:
        accept("examples/snapshot.json", json.loads(example.read_text(encoding="utf-8")))

    for path in sorted((root / "tests" / "vectors").glob("*.json")):
        try:
            vectors = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            # Vector files are written by other tools too; one that is not JSON is their failure.
            failed += 1
            print(f"FAIL {path.name}: not readable as JSON: {error}")
            continue
        for where, snapshot, case in inline_snapshots(vectors, "$"):
            name = f"{path.name} {where}"
            if expects_load_error(case, snapshot):
                skipped += 1
                continue
            if isinstance(snapshot, str):
                try:
                    snapshot = json.loads(snapshot)
                except ValueError:
                    skipped += 1
                    continue
            accept(name, snapshot)

    for name, document in loads_with_diagnostics():
        accept(f"loads with diagnostics: {name}", copy.deepcopy(document))
    for name, document in structurally_broken():
        reject(name, document)

    if skipped:
        print(f"skipped {skipped} snapshot(s) that vectors expect not to load")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
