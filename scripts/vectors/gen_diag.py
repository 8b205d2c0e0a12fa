import json, sys, copy
from common import *

BOOL = {"on": True, "off": False}
NOWT = NOW
HEALTHY = {"key": "healthy", "type": "boolean", "variants": BOOL, "offVariant": "off",
           "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "equals", "value": "pro"}], "serve": {"variant": "on"}}],
           "fallthrough": {"variant": "off"}}

def F(key, **kw):
    f = {"key": key, "type": "boolean", "variants": BOOL, "offVariant": "off"}
    f.update(kw)
    f.setdefault("fallthrough", {"variant": "on"})
    return f

def R(*conds, rid="r", serve=None):
    return {"id": rid, "conditions": list(conds), "serve": serve if serve is not None else {"variant": "on"}}

def D(code, path, flag=None, segment=None, severity="error"):
    d = {"code": code, "severity": severity, "path": path, "flag": flag}
    if segment is not None: d["segment"] = segment
    return d

def E(value, variant, reason, errorCode=None, ruleId=None):
    e = {"value": value, "variant": variant, "reason": reason}
    if errorCode: e["errorCode"] = errorCode
    if ruleId is not None: e["ruleId"] = ruleId
    return e
PARSE = E(None, None, "ERROR", errorCode="PARSE_ERROR")
def ev(name, flag, context, expect):
    return {"name": name, "flag": flag, "context": context, "now": NOWT, "expect": expect}
HEALTHY_EVS = [
    ev("the healthy flag still matches its rule", "healthy", {"targetingKey": "user-1", "plan": "pro"}, E(True, "on", "TARGETING_MATCH", ruleId="pro")),
    ev("the healthy flag still falls through", "healthy", {"targetingKey": "user-1"}, E(False, "off", "DEFAULT")),
]

cases = []
def C(name, code, snapshot, diagnostics, evaluations):
    cases.append({"name": name, "code": code, "snapshot": snapshot,
                  "expect": {"diagnostics": diagnostics}, "evaluations": evaluations + HEALTHY_EVS})

C("two flags with one key are both unusable", "duplicate-flag-key",
  snap([F("dup"), HEALTHY, F("dup", type="string", variants={"a": "A"}, offVariant="a", fallthrough={"variant": "a"})]),
  [D("duplicate-flag-key", "$.flags[0].key", "dup"), D("duplicate-flag-key", "$.flags[2].key", "dup")],
  [ev("the duplicated key gives PARSE_ERROR", "dup", {"targetingKey": "user-1"}, PARSE)])

C("two segments with one key are both unusable, and so is a flag using them", "duplicate-segment-key",
  snap([F("uses-staff", rules=[R({"op": "inSegment", "value": "staff"})], fallthrough={"variant": "off"}), HEALTHY,
        F("uses-vip", rules=[R({"op": "inSegment", "value": "vip"}, rid="vip")], fallthrough={"variant": "off"})],
       [{"key": "staff", "included": ["user-1"]}, {"key": "staff", "included": ["user-2"]}, {"key": "vip", "included": ["user-3"]}]),
  [D("duplicate-segment-key", "$.segments[0].key", segment="staff"), D("duplicate-segment-key", "$.segments[1].key", segment="staff"),
   D("invalid-segment", "$.flags[0].rules[0].conditions[0].value", "uses-staff")],
  [ev("a flag using the duplicated segment gives PARSE_ERROR", "uses-staff", {"targetingKey": "user-1"}, PARSE),
   ev("a flag using another segment works (member)", "uses-vip", {"targetingKey": "user-3"}, E(True, "on", "TARGETING_MATCH", ruleId="vip")),
   ev("a flag using another segment works (non-member)", "uses-vip", {"targetingKey": "user-1"}, E(False, "off", "DEFAULT"))])

# raw text: duplicate variant keys cannot be written as a parsed JSON object
dup_variant = dump_snapshot(snap([{"key": "f", "type": "boolean", "variants": "@@", "fallthrough": {"variant": "on"}}, HEALTHY]), 0)
dup_variant = dup_variant.replace('"@@"', '{"on": true, "on": false, "off": false}')
C("a variant defined twice makes its flag unusable (the snapshot is raw text, to keep the duplicate)", "duplicate-variant-key",
  dup_variant,
  [D("duplicate-variant-key", "$.flags[0].variants.on", "f")],
  [ev("the flag with the duplicated variant gives PARSE_ERROR", "f", {"targetingKey": "user-1"}, PARSE)])

C("two rules with one id make their flag unusable", "duplicate-rule-id",
  snap([F("f", rules=[R({"attribute": "a", "op": "exists"}, rid="same"), R({"attribute": "b", "op": "exists"}, rid="same")]), HEALTHY]),
  [D("duplicate-rule-id", "$.flags[0].rules[1].id", "f")],
  [ev("the flag with duplicated rule ids gives PARSE_ERROR", "f", {"a": 1}, PARSE)])

C("a key overridden twice is a warning and the first override wins", "duplicate-override-key",
  snap([F("f", overrides=[{"variant": "on", "keys": ["user-1", "user-2", "user-1"]}, {"variant": "off", "keys": ["user-2"]}], fallthrough={"variant": "off"}), HEALTHY]),
  [D("duplicate-override-key", "$.flags[0].overrides[0].keys[2]", "f", severity="warning"),
   D("duplicate-override-key", "$.flags[0].overrides[1].keys[0]", "f", severity="warning")],
  [ev("the first override of user-2 wins", "f", {"targetingKey": "user-2"}, E(True, "on", "OVERRIDE")),
   ev("a key listed twice in one override is still overridden", "f", {"targetingKey": "user-1"}, E(True, "on", "OVERRIDE")),
   ev("other keys fall through", "f", {"targetingKey": "user-3"}, E(False, "off", "DEFAULT"))])

C("empty keys and NUL characters make their flag or segment unusable", "invalid-key",
  snap([F(""), HEALTHY,
        F("empty-rule-id", rules=[R({"attribute": "a", "op": "exists"}, rid="")]),
        F("empty-attribute", rules=[R({"attribute": "", "op": "exists"})]),
        F("nul-salt", salt="a\u0000b"),
        F("nul\u0000key"),
        F("empty-variant", variants={"on": True, "": False}, offVariant="on"),
        F("uses-empty-segment", rules=[R({"op": "inSegment", "value": ""})])],
       [{"key": "", "included": ["user-1"]}]),
  [D("invalid-key", "$.segments[0].key", segment=""),
   D("invalid-key", "$.flags[0].key", ""),
   D("invalid-key", "$.flags[2].rules[0].id", "empty-rule-id"),
   D("invalid-key", "$.flags[3].rules[0].conditions[0].attribute", "empty-attribute"),
   D("invalid-key", "$.flags[4].salt", "nul-salt"),
   D("invalid-key", "$.flags[5].key", "nul\u0000key"),
   D("invalid-key", '$.flags[6].variants[""]', "empty-variant"),
   D("invalid-segment", "$.flags[7].rules[0].conditions[0].value", "uses-empty-segment")],
  [ev("the flag with an empty key gives PARSE_ERROR", "", {}, PARSE),
   ev("an empty rule id gives PARSE_ERROR", "empty-rule-id", {"a": 1}, PARSE),
   ev("an empty attribute name gives PARSE_ERROR", "empty-attribute", {}, PARSE),
   ev("a salt with NUL gives PARSE_ERROR", "nul-salt", {"targetingKey": "user-1"}, PARSE),
   ev("a flag key with NUL gives PARSE_ERROR", "nul\u0000key", {}, PARSE),
   ev("an empty variant key gives PARSE_ERROR", "empty-variant", {}, PARSE)])

C("an unknown flag type makes the flag unusable", "unknown-flag-type",
  snap([F("f", type="integer", variants={"one": 1}, offVariant=None, fallthrough={"variant": "one"}), HEALTHY]),
  [D("unknown-flag-type", "$.flags[0].type", "f")],
  [ev("the flag of unknown type gives PARSE_ERROR", "f", {}, PARSE)])

def drop_off(f):
    f.pop("offVariant", None); return f
C("a variant of the wrong type makes the flag unusable; odd variant names are quoted in the path", "variant-type-mismatch",
  snap([F("f", variants={"on": True, "yes": "true"}, offVariant=None), HEALTHY,
        drop_off(F("g", type="string", variants={"v1.0": 1, "v2": "2"}, fallthrough={"variant": "v2"})),
        drop_off(F("h", type="number", variants={"it's": "3"}, fallthrough={"variant": "it's"}))]),
  [D("variant-type-mismatch", "$.flags[0].variants.yes", "f"),
   D("variant-type-mismatch", '$.flags[2].variants["v1.0"]', "g"),
   D("variant-type-mismatch", '$.flags[3].variants["it\'s"]', "h")],
  [ev("the boolean flag with a string variant gives PARSE_ERROR", "f", {}, PARSE),
   ev("the string flag with a number variant gives PARSE_ERROR", "g", {}, PARSE),
   ev("the number flag with a string variant gives PARSE_ERROR", "h", {}, PARSE)])

C("a flag without variants is unusable", "no-variants",
  snap([drop_off(F("f", variants={})), HEALTHY]),
  [D("no-variants", "$.flags[0].variants", "f"), D("unknown-variant", "$.flags[0].fallthrough.variant", "f")],
  [ev("the flag without variants gives PARSE_ERROR", "f", {}, PARSE)])

C("a reference to a variant the flag does not define makes it unusable", "unknown-variant",
  snap([F("off-variant", offVariant="disabled"), HEALTHY,
        F("override", overrides=[{"variant": "maybe", "keys": ["user-1"]}]),
        F("split", fallthrough={"split": [{"variant": "on", "weight": 50000}, {"variant": "maybe", "weight": 50000}]}),
        F("prerequisite", prerequisites=[{"flag": "healthy", "variants": ["maybe"]}]),
        F("no-prerequisite-variants", prerequisites=[{"flag": "healthy", "variants": []}]),
        F("rule", rules=[R({"attribute": "a", "op": "exists"}, serve={"variant": "On"})])]),
  [D("unknown-variant", "$.flags[0].offVariant", "off-variant"),
   D("unknown-variant", "$.flags[2].overrides[0].variant", "override"),
   D("unknown-variant", "$.flags[3].fallthrough.split[1].variant", "split"),
   D("unknown-variant", "$.flags[4].prerequisites[0].variants[0]", "prerequisite"),
   D("unknown-variant", "$.flags[5].prerequisites[0].variants", "no-prerequisite-variants"),
   D("unknown-variant", "$.flags[6].rules[0].serve.variant", "rule")],
  [ev("an unknown offVariant gives PARSE_ERROR", "off-variant", {}, PARSE),
   ev("an unknown override variant gives PARSE_ERROR, even for keys not overridden", "override", {"targetingKey": "user-2"}, PARSE),
   ev("an unknown split variant gives PARSE_ERROR", "split", {"targetingKey": "user-1"}, PARSE),
   ev("an unknown required variant of a prerequisite gives PARSE_ERROR", "prerequisite", {}, PARSE),
   ev("a prerequisite without variants gives PARSE_ERROR", "no-prerequisite-variants", {}, PARSE),
   ev("variant names are case-sensitive: On is not on", "rule", {}, PARSE)])

C("an unknown operator makes its flag unusable", "unknown-operator",
  snap([F("f", rules=[R({"attribute": "email", "op": "regex", "value": ".*"})]), HEALTHY,
        F("g", rules=[R({"attribute": "plan", "op": "Equals", "value": "pro"})])]),
  [D("unknown-operator", "$.flags[0].rules[0].conditions[0].op", "f"),
   D("unknown-operator", "$.flags[2].rules[0].conditions[0].op", "g")],
  [ev("a flag with an unknown operator gives PARSE_ERROR", "f", {"email": "a@b.c"}, PARSE),
   ev("operator names are case-sensitive", "g", {"plan": "pro"}, PARSE)])

C("a condition that lacks what its operator needs makes its flag unusable", "invalid-condition",
  snap([F("no-values", rules=[R({"attribute": "plan", "op": "in"})]), HEALTHY,
        F("string-for-number", rules=[R({"attribute": "age", "op": "lt", "value": "18"})]),
        F("value-for-exists", rules=[R({"attribute": "email", "op": "exists", "value": True})]),
        F("no-attribute", rules=[R({"op": "equals", "value": "pro"})]),
        F("value-and-values", rules=[R({"attribute": "plan", "op": "equals", "value": "pro", "values": ["team"]})]),
        F("object-operand", rules=[R({"attribute": "plan", "op": "in", "values": ["pro", {"name": "team"}]})]),
        F("number-for-string", rules=[R({"attribute": "email", "op": "contains", "value": 5})]),
        F("number-for-version", rules=[R({"attribute": "appVersion", "op": "semverGt", "values": ["1.0.0", 2]})]),
        F("number-for-date", rules=[R({"attribute": "signedUpAt", "op": "before", "value": 1767225600000})]),
        F("empty-values", rules=[R({"attribute": "plan", "op": "equals", "values": []})])]),
  [D("invalid-condition", "$.flags[0].rules[0].conditions[0].values", "no-values"),
   D("invalid-condition", "$.flags[2].rules[0].conditions[0].value", "string-for-number"),
   D("invalid-condition", "$.flags[3].rules[0].conditions[0].value", "value-for-exists"),
   D("invalid-condition", "$.flags[4].rules[0].conditions[0]", "no-attribute"),
   D("invalid-condition", "$.flags[5].rules[0].conditions[0]", "value-and-values"),
   D("invalid-condition", "$.flags[6].rules[0].conditions[0].values[1]", "object-operand"),
   D("invalid-condition", "$.flags[7].rules[0].conditions[0].value", "number-for-string"),
   D("invalid-condition", "$.flags[8].rules[0].conditions[0].values[1]", "number-for-version"),
   D("invalid-condition", "$.flags[9].rules[0].conditions[0].value", "number-for-date"),
   D("invalid-condition", "$.flags[10].rules[0].conditions[0].values", "empty-values")],
  [ev(f"the flag {k} gives PARSE_ERROR", k, {"targetingKey": "user-1"}, PARSE) for k in
   ["no-values", "string-for-number", "value-for-exists", "no-attribute", "value-and-values", "object-operand",
    "number-for-string", "number-for-version", "number-for-date", "empty-values"]])

C("a regular expression that does not compile makes its flag unusable", "invalid-regex",
  snap([F("f", rules=[R({"attribute": "email", "op": "matches", "value": "("})]), HEALTHY,
        F("g", rules=[R({"attribute": "email", "op": "matches", "values": ["^ok$", "[z-a]"]})])]),
  [D("invalid-regex", "$.flags[0].rules[0].conditions[0].value", "f"),
   D("invalid-regex", "$.flags[2].rules[0].conditions[0].values[1]", "g")],
  [ev("an unclosed group gives PARSE_ERROR", "f", {"email": "("}, PARSE),
   ev("a reversed class range gives PARSE_ERROR", "g", {"email": "ok"}, PARSE)])

# Compiled sizes count 24 bytes per instruction: a literal character is one, `x{n}` is `x` n times
# (n at most 1000), and every pattern ends with one more. `a{1000}a{365}` is 1,366 instructions,
# 32,784 bytes: just over maxRegexProgramBytes (32,768); `a{1000}a{364}` is 32,760 bytes and fits.
C("a pattern that compiles to more than maxRegexProgramBytes makes its flag unusable", "invalid-regex",
  snap([F("fits", rules=[R({"attribute": "name", "op": "matches", "value": "a{1000}a{364}"})]), HEALTHY,
        F("over", rules=[R({"attribute": "name", "op": "matches", "value": "a{1000}a{365}"})]),
        F("amplified", rules=[R({"attribute": "name", "op": "matches", "value": "(?:a{1000}){10}"})])]),
  [D("invalid-regex", "$.flags[2].rules[0].conditions[0].value", "over"),
   D("invalid-regex", "$.flags[3].rules[0].conditions[0].value", "amplified")],
  [ev("a pattern just under the limit works", "fits", {"name": "a"}, E(True, "on", "DEFAULT")),
   ev("a pattern just over the limit gives PARSE_ERROR", "over", {"name": "a"}, PARSE),
   ev("sixteen bytes that repeat to ten thousand states give PARSE_ERROR", "amplified", {"name": "a"}, PARSE)])

def budget_patterns():
    """Distinct patterns `a{1000}a{300}b<i>` (1,300 + 1 + digits + 1 instructions each) until their
    sizes pass maxRegexTotalBytes (4 MiB); returns them and the index of the first that does not fit."""
    patterns, used, first_over = [], 0, None
    for i in range(150):
        pattern = f"a{{1000}}a{{300}}b{i}"
        size = 24 * (1300 + 1 + len(str(i)) + 1)
        if first_over is None and used + size > 4 * 1024 * 1024:
            first_over = i
        elif first_over is None:
            used += size
        patterns.append(pattern)
    return patterns, first_over, 4 * 1024 * 1024 - used

PATTERNS, FIRST_OVER, LEFT = budget_patterns()
# One more pattern of 103 instructions does not fit in what is left.
assert 24 * 103 > LEFT
C("patterns past maxRegexTotalBytes together make the flags that use them unusable", "invalid-regex",
  snap([F("budget", rules=[R({"attribute": "name", "op": "matches", "values": PATTERNS})]), HEALTHY,
        F("after", rules=[R({"attribute": "name", "op": "matches", "value": "a{100}c"})]),
        F("repeated", rules=[R({"attribute": "name", "op": "matches", "value": PATTERNS[0]})])]),
  [D("invalid-regex", f"$.flags[0].rules[0].conditions[0].values[{FIRST_OVER}]", "budget"),
   D("invalid-regex", "$.flags[2].rules[0].conditions[0].value", "after")],
  [ev("the flag whose patterns go past the budget gives PARSE_ERROR", "budget", {"name": "a"}, PARSE),
   ev("a new pattern once the budget is spent gives PARSE_ERROR", "after", {"name": "a"}, PARSE),
   ev("a pattern compiled before is shared and costs nothing more", "repeated", {"name": "a"},
      E(True, "on", "DEFAULT"))])

C("a date that is not an RFC 3339 instant makes its flag unusable, except in metadata", "invalid-date",
  snap([F("operand", rules=[R({"attribute": "signedUpAt", "op": "before", "value": "next tuesday"})]), HEALTHY,
        F("schedule", schedule={"start": "2026-13-01T00:00:00Z"}),
        F("schedule-end", schedule={"start": "2026-11-01T00:00:00Z", "end": "2026-12-01"}),
        F("metadata", metadata={"changedAt": "last week"})]),
  [D("invalid-date", "$.flags[0].rules[0].conditions[0].value", "operand"),
   D("invalid-date", "$.flags[2].schedule.start", "schedule"),
   D("invalid-date", "$.flags[3].schedule.end", "schedule-end"),
   D("invalid-date", "$.flags[4].metadata.changedAt", "metadata", severity="warning")],
  [ev("a bad date operand gives PARSE_ERROR", "operand", {}, PARSE),
   ev("a schedule start in month 13 gives PARSE_ERROR", "schedule", {}, PARSE),
   ev("a schedule end without a time gives PARSE_ERROR", "schedule-end", {}, PARSE),
   ev("a bad changedAt in metadata is only a warning: the flag works", "metadata", {}, E(True, "on", "STATIC"))])

C("a version that is not a semantic version makes its flag unusable", "invalid-semver",
  snap([F("f", rules=[R({"attribute": "appVersion", "op": "semverGt", "value": "1.x"})]), HEALTHY,
        F("g", rules=[R({"attribute": "appVersion", "op": "semverLt", "values": ["01.2.3"]})])]),
  [D("invalid-semver", "$.flags[0].rules[0].conditions[0].value", "f"),
   D("invalid-semver", "$.flags[2].rules[0].conditions[0].values[0]", "g")],
  [ev("1.x gives PARSE_ERROR", "f", {"appVersion": "2.0.0"}, PARSE),
   ev("a leading zero gives PARSE_ERROR", "g", {"appVersion": "1.0.0"}, PARSE)])

C("a rule using a segment that does not exist makes its flag unusable", "unknown-segment",
  snap([F("f", rules=[R({"op": "inSegment", "values": ["staff", "nope"]})]), HEALTHY],
       [{"key": "staff", "included": ["user-1"]}]),
  [D("unknown-segment", "$.flags[0].rules[0].conditions[0].values[1]", "f")],
  [ev("the flag using an unknown segment gives PARSE_ERROR, even for a member of the other", "f", {"targetingKey": "user-1"}, PARSE)])

C("a rule using a segment with errors makes its flag unusable", "invalid-segment",
  snap([F("uses-bad", rules=[R({"op": "inSegment", "value": "bad"})]), HEALTHY,
        F("uses-nested", rules=[R({"op": "notInSegment", "value": "nested"})]),
        F("uses-good", rules=[R({"op": "inSegment", "value": "good"}, rid="good")], fallthrough={"variant": "off"})],
       [{"key": "bad", "conditions": [{"attribute": "email", "op": "like", "value": "%@vexil.dev"}]},
        {"key": "nested", "conditions": [{"op": "inSegment", "value": "bad"}]},
        {"key": "good", "included": ["user-1"]}]),
  [D("unknown-operator", "$.segments[0].conditions[0].op", segment="bad"),
   D("invalid-condition", "$.segments[1].conditions[0].op", segment="nested"),
   D("invalid-segment", "$.flags[0].rules[0].conditions[0].value", "uses-bad"),
   D("invalid-segment", "$.flags[2].rules[0].conditions[0].value", "uses-nested")],
  [ev("a flag using a segment with an unknown operator gives PARSE_ERROR", "uses-bad", {"email": "a@vexil.dev"}, PARSE),
   ev("a flag using a segment that nests segments gives PARSE_ERROR", "uses-nested", {}, PARSE),
   ev("a flag using a healthy segment works", "uses-good", {"targetingKey": "user-1"}, E(True, "on", "TARGETING_MATCH", ruleId="good"))])

C("a prerequisite on a flag that does not exist makes the flag unusable", "unknown-prerequisite",
  snap([F("f", prerequisites=[{"flag": "ghost", "variants": ["on"]}]), HEALTHY]),
  [D("unknown-prerequisite", "$.flags[0].prerequisites[0].flag", "f")],
  [ev("the flag with an unknown prerequisite gives PARSE_ERROR", "f", {}, PARSE)])

C("flags whose prerequisites form a cycle are unusable; a flag depending on the cycle serves its off variant", "prerequisite-cycle",
  snap([F("a", prerequisites=[{"flag": "b", "variants": ["on"]}]), HEALTHY,
        F("b", prerequisites=[{"flag": "a", "variants": ["on"]}]),
        F("self", prerequisites=[{"flag": "self", "variants": ["on"]}]),
        F("c", prerequisites=[{"flag": "a", "variants": ["on"]}])]),
  [D("prerequisite-cycle", "$.flags[0].prerequisites", "a"),
   D("prerequisite-cycle", "$.flags[2].prerequisites", "b"),
   D("prerequisite-cycle", "$.flags[3].prerequisites[0].flag", "self"),
   D("broken-prerequisite", "$.flags[4].prerequisites[0].flag", "c", severity="warning")],
  [ev("a flag on a cycle gives PARSE_ERROR (a)", "a", {}, PARSE),
   ev("a flag on a cycle gives PARSE_ERROR (b)", "b", {}, PARSE),
   ev("a flag depending on itself gives PARSE_ERROR", "self", {}, PARSE),
   ev("a flag depending on a cycle serves its off variant", "c", {}, E(False, "off", "PREREQUISITE_FAILED"))])

C("every flag on a cycle is unusable whatever order the flags are listed in", "prerequisite-cycle",
  snap([F("r", prerequisites=[{"flag": "z", "variants": ["on"]}, {"flag": "y", "variants": ["on"]}]), HEALTHY,
        F("y", prerequisites=[{"flag": "z", "variants": ["on"]}]),
        F("z", prerequisites=[{"flag": "r", "variants": ["on"]}]),
        F("outside", prerequisites=[{"flag": "y", "variants": ["on"]}])]),
  [D("prerequisite-cycle", "$.flags[0].prerequisites", "r"),
   D("prerequisite-cycle", "$.flags[2].prerequisites", "y"),
   D("prerequisite-cycle", "$.flags[3].prerequisites", "z"),
   D("broken-prerequisite", "$.flags[4].prerequisites[0].flag", "outside", severity="warning")],
  [ev("r (r→y→z→r) gives PARSE_ERROR", "r", {}, PARSE),
   ev("y (y→z→r→y) gives PARSE_ERROR", "y", {}, PARSE),
   ev("z (z→r→z) gives PARSE_ERROR", "z", {}, PARSE),
   ev("a flag depending on the cycle serves its off variant", "outside", {}, E(False, "off", "PREREQUISITE_FAILED"))])

C("a serve with neither or both of variant and split makes its flag unusable", "invalid-serve",
  snap([F("neither", rules=[R({"attribute": "a", "op": "exists"}, serve={})]), HEALTHY,
        F("both", fallthrough={"variant": "on", "split": [{"variant": "on", "weight": 100000}]})]),
  [D("invalid-serve", "$.flags[0].rules[0].serve", "neither"),
   D("invalid-serve", "$.flags[2].fallthrough", "both")],
  [ev("an empty serve gives PARSE_ERROR", "neither", {"a": 1}, PARSE),
   ev("a serve with both gives PARSE_ERROR", "both", {"targetingKey": "user-1"}, PARSE)])

C("split weights that do not add up to 100000 make the flag unusable", "weights-sum",
  snap([F("under", fallthrough={"split": [{"variant": "on", "weight": 50000}, {"variant": "off", "weight": 40000}]}), HEALTHY,
        F("over", rules=[R({"attribute": "a", "op": "exists"}, serve={"split": [{"variant": "on", "weight": 60000}, {"variant": "off", "weight": 60000}]})]),
        F("empty", fallthrough={"split": []}),
        F("percent", fallthrough={"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]})]),
  [D("weights-sum", "$.flags[0].fallthrough.split", "under"),
   D("weights-sum", "$.flags[2].rules[0].serve.split", "over"),
   D("weights-sum", "$.flags[3].fallthrough.split", "empty"),
   D("weights-sum", "$.flags[4].fallthrough.split", "percent")],
  [ev("weights adding up to 90000 give PARSE_ERROR", "under", {"targetingKey": "user-1"}, PARSE),
   ev("weights adding up to 120000 give PARSE_ERROR", "over", {"targetingKey": "user-1"}, PARSE),
   ev("an empty split gives PARSE_ERROR", "empty", {"targetingKey": "user-1"}, PARSE),
   ev("weights written as percentages give PARSE_ERROR", "percent", {"targetingKey": "user-1"}, PARSE)])

# raw text: Python writes 25000.0 for a float, and the exponent forms are written by hand
whole = dump_snapshot(snap([F("float-form", fallthrough={"split": "@@"}), HEALTHY,
                            F("fraction", fallthrough={"split": "@2"}),
                            F("negative", rules=[R({"attribute": "a", "op": "exists"}, serve={"split": "@3"})])]), 0)
whole = whole.replace('"@@"', '[{"variant": "on", "weight": 2.5e4}, {"variant": "off", "weight": 75000.0}]')
whole = whole.replace('"@2"', '[{"variant": "on", "weight": 50000.5}, {"variant": "off", "weight": 49999.5}]')
whole = whole.replace('"@3"', '[{"variant": "on", "weight": -0.0}, {"variant": "off", "weight": -1}, {"variant": "off", "weight": 1e5}]')
b = bucket("", "float-form", "user-1")
v, _, _ = pick([("on", 25000), ("off", 75000)], b)
C("a split weight is read by its value: 25000.0 and 2.5e4 are 25000; one that is not a whole number makes only its flag unusable", "weights-sum",
  whole,
  [D("weights-sum", "$.flags[2].fallthrough.split[0].weight", "fraction"),
   D("weights-sum", "$.flags[2].fallthrough.split[1].weight", "fraction"),
   D("weights-sum", "$.flags[2].fallthrough.split", "fraction"),
   D("weights-sum", "$.flags[3].rules[0].serve.split[1].weight", "negative")],
  [ev(f"weights written 2.5e4 and 75000.0 split as 25000 / 75000 (user-1 is in bucket {b})", "float-form", {"targetingKey": "user-1"}, E(v == "on", v, "SPLIT")),
   ev("fractional weights give PARSE_ERROR", "fraction", {"targetingKey": "user-1"}, PARSE),
   ev("a negative weight gives PARSE_ERROR (-0.0 is 0)", "negative", {"targetingKey": "user-1", "a": 1}, PARSE)])

# raw text: a number out of range and a repeated member cannot be written by Python's json
odd_values = dump_snapshot(snap([F("huge", type="number", variants="@1", offVariant=None, fallthrough={"variant": "small"}), HEALTHY,
                                 F("repeats", type="object", variants="@2", offVariant=None, fallthrough={"variant": "a"}),
                                 F("fine", type="number", variants={"tiny": 1e-300, "big": 1.7976931348623157e308}, offVariant=None, fallthrough={"variant": "big"})]), 0)
odd_values = odd_values.replace('"@1"', '{"small": 1, "huge": 1e400}')
odd_values = odd_values.replace('"@2"', '{"a": {"steps": [{"id": 1, "id": 2}]}, "b": {}}')
C("a variant value that cannot be served as written (a number out of range, a repeated member) makes only its flag unusable", "invalid-variant-value",
  odd_values,
  [D("invalid-variant-value", "$.flags[0].variants.huge", "huge"),
   D("invalid-variant-value", "$.flags[2].variants.a", "repeats")],
  [ev("a number variant of 1e400 gives PARSE_ERROR, whichever variant is served", "huge", {}, PARSE),
   ev("an object variant repeating a member gives PARSE_ERROR", "repeats", {}, PARSE),
   ev("the largest double is served as it is", "fine", {}, E(1.7976931348623157e308, "big", "STATIC"))])

odd_operands = dump_snapshot(snap([F("over", rules=[R({"attribute": "n", "op": "lt", "value": "@1"})], fallthrough={"variant": "off"}), HEALTHY,
                                   F("in-list", rules=[R({"attribute": "n", "op": "in", "values": "@2"})], fallthrough={"variant": "off"}),
                                   F("uses-segment", rules=[R({"op": "inSegment", "value": "big"})], fallthrough={"variant": "off"})],
                                  [{"key": "big", "conditions": [{"attribute": "n", "op": "gt", "value": "@3"}]}],
                                  notes={"limit": "@4"}), 0)
odd_operands = odd_operands.replace('"@1"', '1e400').replace('"@2"', '[1, -1e400]').replace('"@3"', '-1e999')
odd_operands = odd_operands.replace('"@4"', '1e400')
C("an operand beyond the range of a double makes its condition invalid, not the document unreadable", "invalid-condition",
  odd_operands,
  [D("invalid-condition", "$.flags[0].rules[0].conditions[0].value", "over"),
   D("invalid-condition", "$.flags[2].rules[0].conditions[0].values[1]", "in-list"),
   D("invalid-condition", "$.segments[0].conditions[0].value", segment="big"),
   D("invalid-segment", "$.flags[3].rules[0].conditions[0].value", "uses-segment"),
   D("unknown-field", "$.notes", severity="warning")],
  [ev("lt 1e400 gives PARSE_ERROR", "over", {"n": 1}, PARSE),
   ev("in [1, -1e400] gives PARSE_ERROR", "in-list", {"n": 1}, PARSE),
   ev("a flag using a segment with such an operand gives PARSE_ERROR", "uses-segment", {"n": 1}, PARSE)])

C("a schedule that ends when or before it starts makes its flag unusable", "empty-schedule",
  snap([F("same", schedule={"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}), HEALTHY,
        F("reversed", schedule={"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T01:00:00+02:00"})]),
  [D("empty-schedule", "$.flags[0].schedule", "same"),
   D("empty-schedule", "$.flags[2].schedule", "reversed")],
  [ev("a zero-length schedule gives PARSE_ERROR", "same", {}, PARSE),
   ev("an end before the start (offsets applied) gives PARSE_ERROR", "reversed", {}, PARSE)])

C("an unknown field inside a flag or segment makes it unusable; elsewhere it is a warning", "unknown-field",
  snap([F("misspelt", rules=[{"id": "r", "conditons": [{"attribute": "plan", "op": "equals", "value": "pro"}], "serve": {"variant": "on"}}], fallthrough={"variant": "off"}), HEALTHY,
        F("enable-typo", enable=False),
        F("uses-segment", rules=[R({"op": "inSegment", "value": "s"})], fallthrough={"variant": "off"}),
        F("free-metadata", metadata={"owner": "growth", "team": "checkout", "jira": "VX-12"})],
       [{"key": "s", "include": ["user-1"]}], publishedBy="console"),
  [D("unknown-field", "$.publishedBy", severity="warning"),
   D("unknown-field", "$.segments[0].include", segment="s"),
   D("unknown-field", "$.flags[0].rules[0].conditons", "misspelt"),
   D("unknown-field", "$.flags[2].enable", "enable-typo"),
   D("invalid-segment", "$.flags[3].rules[0].conditions[0].value", "uses-segment")],
  [ev("a misspelt conditions field does not make the rule match everybody: PARSE_ERROR", "misspelt", {"plan": "free"}, PARSE),
   ev("a misspelt enabled field gives PARSE_ERROR rather than serving the flag on", "enable-typo", {}, PARSE),
   ev("a flag using a segment with an unknown field gives PARSE_ERROR", "uses-segment", {"targetingKey": "user-1"}, PARSE),
   ev("unknown fields inside metadata are free-form: the flag works", "free-metadata", {}, E(True, "on", "STATIC"))])

C("a flag depending on a broken flag gets a warning and serves its off variant", "broken-prerequisite",
  snap([F("parent", type="bool"), HEALTHY, F("child", prerequisites=[{"flag": "parent", "variants": ["on"]}]),
        F("grandchild", prerequisites=[{"flag": "child", "variants": ["off"]}], fallthrough={"variant": "on"})]),
  [D("unknown-flag-type", "$.flags[0].type", "parent"),
   D("broken-prerequisite", "$.flags[2].prerequisites[0].flag", "child", severity="warning")],
  [ev("the broken parent gives PARSE_ERROR", "parent", {}, PARSE),
   ev("the child serves its off variant", "child", {}, E(False, "off", "PREREQUISITE_FAILED")),
   ev("the grandchild sees the child's off variant and is on", "grandchild", {}, E(True, "on", "DEFAULT"))])

lines = ['{', '  "version": 1,',
         '  "description": "Snapshots that load with diagnostics. `expect.diagnostics` is the exact set of diagnostics (in any order; `segment` absent means none); the flags named by an error diagnostic give PARSE_ERROR and everything else evaluates as listed in `evaluations`. `snapshot` is a JSON object, or raw text where the JSON must hold something a parsed object cannot (duplicate keys).",',
         '  "cases": [']
for j, c in enumerate(cases):
    lines.append("    {")
    lines.append(f'      "name": {json.dumps(c["name"], ensure_ascii=False)},')
    lines.append(f'      "code": {json.dumps(c["code"])},')
    if isinstance(c["snapshot"], str):
        lines.append(f'      "snapshot": {json.dumps(c["snapshot"], ensure_ascii=False)},')
    else:
        lines.append(f'      "snapshot": {dump_snapshot(c["snapshot"], 6).lstrip()},')
    lines.append('      "expect": {"diagnostics": [')
    ds = c["expect"]["diagnostics"]
    for i, d in enumerate(ds):
        lines.append(f"        {dump_compact(d)}" + ("," if i < len(ds) - 1 else ""))
    lines.append("      ]},")
    lines.append('      "evaluations": [')
    es = c["evaluations"]
    for i, e in enumerate(es):
        lines.append(f"        {dump_compact(e)}" + ("," if i < len(es) - 1 else ""))
    lines.append("      ]")
    lines.append("    }" + ("," if j < len(cases) - 1 else ""))
lines += ["  ]", "}"]
t = "\n".join(lines) + "\n"
json.loads(t)
open(sys.argv[1], "w").write(t)
print(len(cases), "cases", sum(len(c["evaluations"]) for c in cases), "evaluations")
