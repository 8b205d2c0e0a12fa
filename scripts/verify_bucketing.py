#!/usr/bin/env python3
"""Checks a bucketing vectors file against docs/bucketing.md with Python's `xxhash` package.

Every vector is recomputed from the specification alone: the value -> text rule, the hashed
bytes, the XXH64 hash, the bucket, and for split vectors the chosen variant. Rejected values must
have no UTF-8 encoding. Each mismatch is printed; the last line is `N passed, M failed`, and the
exit code is non-zero if anything failed or the file holds fewer than 400 vectors.

Usage: .venv/bin/python scripts/verify_bucketing.py tests/vectors/bucketing.json
"""

import json
import math
import sys

import xxhash

MIN_VECTORS = 400
BUCKETS = 100000
LARGEST_EXACT_INTEGER = 9007199254740992  # 2^53


def text_of(value):
    """Spec, "Values": the text a context value is hashed as, or None if it cannot be bucketed."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        try:
            as_double = float(value)  # JSON numbers are doubles in every runtime
        except OverflowError:
            return None
        if math.isinf(as_double) or math.isnan(as_double) or not as_double.is_integer():
            return None
        if abs(as_double) > LARGEST_EXACT_INTEGER:
            return None
        return "%d" % as_double
    return None


def hash_of(salt, flag_key, text):
    """Spec, "Bytes" and "Hash": XXH64 with seed 0, fed the three fields and two NUL separators."""
    state = xxhash.xxh64(seed=0)
    state.update(salt.encode("utf-8"))
    state.update(b"\0")
    state.update(flag_key.encode("utf-8"))
    state.update(b"\0")
    state.update(text.encode("utf-8"))
    return state.intdigest()


def layout(salt, flag_key, text):
    return b"".join([salt.encode("utf-8"), b"\0", flag_key.encode("utf-8"), b"\0", text.encode("utf-8")])


def variant_of(weights, bucket):
    """Spec, "Variants": the slice whose half-open range holds the bucket."""
    end = 0
    for slice_ in weights:
        end += slice_["weight"]
        if slice_["weight"] > 0 and bucket < end:
            return slice_["variant"]
    return None


def key_problems(item):
    problems = []
    if not isinstance(item.get("salt"), str) or "\0" in item["salt"]:
        problems.append("salt must be a string without NUL")
    if not isinstance(item.get("flagKey"), str) or not item["flagKey"] or "\0" in item["flagKey"]:
        problems.append("flagKey must be a non-empty string without NUL")
    return problems


def check_vector(item):
    problems = key_problems(item)
    if problems:
        return problems
    text = text_of(item["value"])
    if text != item.get("text"):
        problems.append("text: expected %r, file has %r" % (text, item.get("text")))
    if text is None:
        for field in ("bytes", "hash", "bucket"):
            if item.get(field) is not None:
                problems.append("%s: expected null for a value that cannot be bucketed" % field)
        return problems
    data = layout(item["salt"], item["flagKey"], text)
    if data.hex() != item.get("bytes"):
        problems.append("bytes: expected %s, file has %s" % (data.hex(), item.get("bytes")))
    digest = hash_of(item["salt"], item["flagKey"], text)
    if digest != xxhash.xxh64_intdigest(data, seed=0):
        problems.append("hash: streaming and one-shot XXH64 disagree")
    if str(digest) != item.get("hash"):
        problems.append("hash: expected %d, file has %r" % (digest, item.get("hash")))
    if digest % BUCKETS != item.get("bucket"):
        problems.append("bucket: expected %d, file has %r" % (digest % BUCKETS, item.get("bucket")))
    return problems


def check_split(item):
    problems = key_problems(item)
    weights = item.get("weights", [])
    if any(not isinstance(s.get("weight"), int) or isinstance(s.get("weight"), bool) or s["weight"] < 0 for s in weights):
        problems.append("weights must be non-negative integers")
    elif sum(s["weight"] for s in weights) != BUCKETS:
        problems.append("weights add up to %d, not %d" % (sum(s["weight"] for s in weights), BUCKETS))
    text = text_of(item.get("value"))
    if text is None:
        problems.append("value cannot be bucketed")
    if problems:
        return problems
    bucket = hash_of(item["salt"], item["flagKey"], text) % BUCKETS
    if bucket != item.get("bucket"):
        problems.append("bucket: expected %d, file has %r" % (bucket, item.get("bucket")))
    variant = variant_of(weights, bucket)
    if variant != item.get("variant"):
        problems.append("variant: expected %r, file has %r" % (variant, item.get("variant")))
    return problems


def check_rejected(item):
    try:
        context = json.loads(item["contextJson"])
    except ValueError as error:
        return ["contextJson is not JSON: %s" % error]
    value = context.get("targetingKey")
    if not isinstance(value, str):
        return ["contextJson must hold a string targetingKey"]
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return []
    return ["targetingKey %r has a UTF-8 encoding, so it must not be listed as rejected" % value]


def main(argv):
    if len(argv) != 2:
        print("usage: verify_bucketing.py VECTORS.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        document = json.load(handle)
    passed = failed = 0
    if document.get("version") != 1:
        print("version: expected 1, file has %r" % document.get("version"))
        failed += 1
    sections = [
        ("vectors", check_vector),
        ("splits", check_split),
        ("rejected", check_rejected),
    ]
    for name, check in sections:
        for index, item in enumerate(document.get(name, [])):
            problems = check(item)
            if problems:
                failed += 1
                for problem in problems:
                    print("%s[%d] (value %r): %s" % (name, index, item.get("value", item.get("contextJson")), problem))
            else:
                passed += 1
    count = len(document.get("vectors", []))
    if count < MIN_VECTORS:
        print("vectors: only %d, at least %d required" % (count, MIN_VECTORS))
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
