#!/usr/bin/env python3
"""Writes tests/vectors/bucketing.json from the bucketing specification (docs/bucketing.md).

The vectors are computed here with Python's `xxhash` package, not with the Rust engine, so the
engine's tests compare it against an independent implementation of the document. The output is
deterministic: there is no randomness, and boundary cases are found by a sequential search.

Usage: .venv/bin/python scripts/vectors/gen_bucketing.py [OUTPUT]
"""

import json
import math
import sys
import unicodedata
from pathlib import Path

import xxhash

BUCKETS = 100_000
SEED = 0
MAX_EXACT_INTEGER = 2**53


def bucketing_text(value):
    """The text a JSON context value is hashed as, or None when it cannot be bucketed."""
    if isinstance(value, bool):  # before int: Python's bool is an int
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        # Every runtime reads a JSON number as an IEEE-754 double first.
        try:
            number = float(value)
        except OverflowError:
            return None
        if math.isfinite(number) and number == math.floor(number) and abs(number) <= MAX_EXACT_INTEGER:
            return str(int(number))
        return None
    if isinstance(value, str):
        return value
    return None


def hashed_bytes(salt, flag_key, text):
    return salt.encode("utf-8") + b"\x00" + flag_key.encode("utf-8") + b"\x00" + text.encode("utf-8")


def xxh64(data):
    return xxhash.xxh64_intdigest(data, seed=SEED)


def pick(weights, bucket):
    start = 0
    for slice_ in weights:
        end = start + slice_["weight"]
        if start <= bucket < end:
            return slice_["variant"]
        start = end
    raise AssertionError("weights do not cover bucket %d" % bucket)


def vector(salt, flag_key, value, note=None):
    text = bucketing_text(value)
    entry = {"salt": salt, "flagKey": flag_key, "value": value, "text": text}
    if text is None:
        entry.update({"bytes": None, "hash": None, "bucket": None})
    else:
        data = hashed_bytes(salt, flag_key, text)
        digest = xxh64(data)
        entry.update({"bytes": data.hex(), "hash": str(digest), "bucket": digest % BUCKETS})
    if note:
        entry["note"] = note
    return entry


def split(salt, flag_key, weights, value, note=None):
    assert sum(weight for _, weight in weights) == BUCKETS
    text = bucketing_text(value)
    assert text is not None, value
    bucket = xxh64(hashed_bytes(salt, flag_key, text)) % BUCKETS
    slices = [{"variant": variant, "weight": weight} for variant, weight in weights]
    entry = {
        "salt": salt,
        "flagKey": flag_key,
        "weights": slices,
        "value": value,
        "bucket": bucket,
        "variant": pick(slices, bucket),
    }
    if note:
        entry["note"] = note
    return entry


def find_boundaries(salt, flag_key, targets, limit=20_000_000):
    """The first `user-N` (N = 0, 1, 2, ...) landing in each target bucket."""
    prefix = salt.encode("utf-8") + b"\x00" + flag_key.encode("utf-8") + b"\x00"
    found = {}
    wanted = set(targets)
    for number in range(limit):
        value = "user-%d" % number
        bucket = xxh64(prefix + value.encode("utf-8")) % BUCKETS
        if bucket in wanted and bucket not in found:
            found[bucket] = value
            if len(found) == len(wanted):
                return found
    raise AssertionError("no user-N found for buckets %s" % sorted(wanted - set(found)))


# Values every (salt, flag key) pair below is tried with.
STRINGS = [
    ("user-42", None),
    ("", "empty value"),
    (" ", None),
    ("a", None),
    ("USER-42", "case matters"),
    ("user 42", None),
    ("alice@example.com", None),
    ("42", "integer-like string: same text as the number 42"),
    ("007", "leading zeros are kept: not the same as 7"),
    ("7", None),
    ("-1", None),
    ("+1", None),
    ("42.0", "the string is hashed as written, unlike the number 42.0"),
    ("1e3", None),
    ("true", "same text as the boolean true"),
    ("null", None),
    ("9007199254740993", "a string is never read as a number"),
    ("caf\u00e9", "precomposed e-acute (U+00E9, bytes c3 a9)"),
    ("cafe\u0301", "decomposed e + combining acute (U+0065 U+0301, bytes 65 cc 81): hashes differently from the precomposed form"),
    ("Jos\u00e9", None),
    ("\u00c5ngstr\u00f6m", "precomposed"),
    ("A\u030angstro\u0308m", "decomposed form of the previous value"),
    ("na\u00efve", None),
    ("stra\u00dfe", None),
    ("\u0130stanbul", None),
    ("\u7528\u6237-42", "CJK"),
    ("\u30e6\u30fc\u30b6\u30fc", "Japanese katakana"),
    ("\uc0ac\uc6a9\uc790", "Korean hangul"),
    ("\U00020bb7\u91ce\u5bb6", "U+20BB7 is outside the BMP: 4 UTF-8 bytes, a surrogate pair in UTF-16"),
    ("\U0001F600", "emoji, 4 UTF-8 bytes"),
    ("\U0001F44D\U0001F3FD", "emoji with skin-tone modifier"),
    ("\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466", "ZWJ sequence (family), hashed code point by code point"),
    ("\U0001F3F3\ufe0f\u200d\U0001F308", "ZWJ sequence with variation selector"),
    ("\U0001F1E8\U0001F1E6", "regional indicators (flag of Canada)"),
    ("\u0645\u0633\u062a\u062e\u062f\u0645", "Arabic (RTL): hashed in logical order"),
    ("\u05de\u05e9\u05ea\u05de\u05e9", "Hebrew (RTL)"),
    ("user-\u0645\u0633\u062a\u062e\u062f\u0645-7", "mixed LTR and RTL"),
    ("\u200fuser", "leading right-to-left mark is part of the value"),
    ("a\u0000b", "NUL inside the value is allowed: the value is the last field"),
    ("line\nbreak", None),
    ("\ufeffuser", "a byte-order mark is part of the value"),
    ("\ufffd", "U+FFFD itself is a valid character"),
    ("\uffff", "noncharacter U+FFFF is valid UTF-8 (ef bf bf)"),
    ("x" * 1500, "1500-byte value"),
    ("\u00e9" * 700, "1400-byte value of 2-byte characters"),
]

NUMBERS = [
    (42, "integer: hashed as \"42\""),
    (42.0, "integral float: hashed as \"42\""),
    (0, None),
    (-0.0, "negative zero: hashed as \"0\""),
    (-7, None),
    (7.0, None),
    (1000.0, "hashed as \"1000\", never \"1e3\" or \"1000.0\""),
    (123456789012, None),
    (9007199254740992, "2^53, the largest magnitude that buckets"),
    (-9007199254740992, "-2^53"),
    (9007199254740993, "read as a double this is 2^53, so it buckets as \"9007199254740992\""),
    (9007199254740994, "2^53 + 2: beyond 2^53, cannot be bucketed"),
    (1e21, "cannot be bucketed"),
    (0.5, "fraction: cannot be bucketed"),
    (-1.5, "fraction: cannot be bucketed"),
    (42.000001, "fraction: cannot be bucketed"),
    (1e300, "cannot be bucketed"),
]

BOOLEANS = [(True, "hashed as \"true\""), (False, "hashed as \"false\"")]

LONG_KEY = "flag-" + "k" * 1195  # 1200 bytes
LONG_SALT = "salt-" + "\u00df" * 750  # 1505 bytes

PAIRS = [
    ("", "new-checkout"),
    ("2026-q4", "new-checkout"),
    ("", "dark-mode"),
    ("", "checkout-button-color"),
    ("sel-\u00e9t\u00e9", "drapeau-\u00e9t\u00e9"),
    ("\u76d0", "\u30d5\u30e9\u30b0-\U0001F680"),
]

FEW = ["user-42", "", "42", "caf\u00e9", "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"]

# Lone surrogates are not Unicode scalar values: there are no UTF-8 bytes for them, so a context
# holding one must be rejected, never hashed (JavaScript's TextEncoder would silently send U+FFFD).
REJECTED = ["\ud800", "\udfff", "user-\ud83d", "\ude00\ud83d", "a\udc00b"]


def vectors():
    out = []
    for salt, flag_key in PAIRS:
        for value, note in STRINGS + NUMBERS + BOOLEANS:
            out.append(vector(salt, flag_key, value, note))
    out[0]["note"] = "the worked example of docs/bucketing.md"
    for number in range(40):
        out.append(vector("", "new-checkout", "user-%d" % number))
    for salt, flag_key in [("", LONG_KEY), (LONG_SALT, "new-checkout"), (LONG_SALT, LONG_KEY)]:
        for value in FEW + [42, True]:
            out.append(vector(salt, flag_key, value, "1000+ byte flag key or salt"))
    return out


def splits():
    out = []
    add = out.append

    add(split("", "new-checkout", [("on", 25_000), ("off", 75_000)], "user-42", "the worked example of docs/bucketing.md"))

    quarter = [("on", 25_000), ("off", 75_000)]
    edges = find_boundaries("", "new-checkout", [0, 24_999, 25_000, 99_999])
    for bucket, value in sorted(edges.items()):
        add(split("", "new-checkout", quarter, value, "boundary: bucket %d of a 25/75 split" % bucket))

    thirds = [("blue", 33_334), ("green", 33_333), ("orange", 33_333)]
    edges = find_boundaries("", "checkout-button-color", [33_333, 33_334, 66_666, 66_667])
    for bucket, value in sorted(edges.items()):
        add(split("", "checkout-button-color", thirds, value, "boundary: bucket %d of a 3-way split" % bucket))

    gappy = [("a", 0), ("b", 50_000), ("c", 0), ("d", 50_000), ("e", 0)]
    edges = find_boundaries("exp-7", "zero-weights", [0, 49_999, 50_000, 99_999])
    for bucket, value in sorted(edges.items()):
        add(split("exp-7", "zero-weights", gappy, value, "0-weight variants a, c and e are never chosen, even at bucket %d" % bucket))

    everybody = [("on", 100_000), ("off", 0)]
    nobody = [("on", 0), ("off", 100_000)]
    edges = find_boundaries("", "full-rollout", [0, 99_999])
    for bucket, value in sorted(edges.items()):
        add(split("", "full-rollout", everybody, value, "100 %%: on even at bucket %d" % bucket))
        add(split("", "full-rollout", nobody, value, "0 %%: off even at bucket %d" % bucket))

    sliver = [("rare", 1), ("rest", 99_999)]
    edges = find_boundaries("", "one-in-100000", [0, 1])
    for bucket, value in sorted(edges.items()):
        add(split("", "one-in-100000", sliver, value, "a 0.001 %% slice holds only bucket 0 (this is bucket %d)" % bucket))

    # Raising 10 % to 20 %: everybody on at 10 % is still on at 20 %.
    for number in range(30):
        value = "user-%d" % number
        add(split("", "new-checkout", [("on", 10_000), ("off", 90_000)], value, "10 % rollout"))
        add(split("", "new-checkout", [("on", 20_000), ("off", 80_000)], value, "the same users at 20 %"))

    for value in ["user-42", "caf\u00e9", "cafe\u0301", "\u7528\u6237-42", 42, 42.0, "42", True]:
        add(split("sel-\u00e9t\u00e9", "drapeau-\u00e9t\u00e9", thirds, value))
        add(split("", "new-checkout", [("control", 50_000), ("treatment", 50_000)], value))

    for number in range(20):
        add(split("2026-q4", "pricing-page", [("a", 12_345), ("b", 0), ("c", 54_321), ("d", 33_334)], "user-%d" % number))
    return out


def rejected():
    return [
        {
            "contextJson": json.dumps({"targetingKey": text}),
            "why": "lone surrogate: not a Unicode scalar value, has no UTF-8 encoding",
        }
        for text in REJECTED
    ]


# Characters a reader cannot see or tell apart are written as \u escapes; the JSON means the same.
INVISIBLE = {"Mn", "Me", "Cf", "Cc", "Zl", "Zp", "Cn", "Co", "Cs"}


def escape_invisible(text):
    out = []
    for char in text:
        code = ord(char)
        if unicodedata.category(char) in INVISIBLE or (unicodedata.category(char) == "Zs" and char != " "):
            if code > 0xFFFF:
                code -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
            else:
                out.append("\\u%04x" % code)
        else:
            out.append(char)
    return "".join(out)


def dump_line(item):
    return escape_invisible(json.dumps(item, ensure_ascii=False))


def document():
    sections = [
        ("vectors", vectors()),
        ("splits", splits()),
        ("rejected", rejected()),
    ]
    lines = [
        "{",
        '  "version": 1,',
        '  "algorithm": %s,'
        % json.dumps(
            "XXH64 (seed 0) of UTF-8(salt) 00 UTF-8(flagKey) 00 UTF-8(text); bucket = hash mod 100000; "
            "weights laid end to end in listed order, half-open ranges; see docs/bucketing.md"
        ),
        '  "generator": "scripts/vectors/gen_bucketing.py",',
    ]
    for index, (name, items) in enumerate(sections):
        lines.append('  "%s": [' % name)
        lines.extend("    " + dump_line(item) + ("," if position + 1 < len(items) else "") for position, item in enumerate(items))
        lines.append("  ]" + ("," if index + 1 < len(sections) else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    root = Path(__file__).resolve().parents[2]
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "tests" / "vectors" / "bucketing.json"
    text = document()
    parsed = json.loads(text)  # the escaping above must not change the meaning
    assert parsed["vectors"] == json.loads(json.dumps(vectors()))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print("wrote %d vectors, %d splits, %d rejected to %s" % (len(parsed["vectors"]), len(parsed["splits"]), len(parsed["rejected"]), output))


if __name__ == "__main__":
    main()
