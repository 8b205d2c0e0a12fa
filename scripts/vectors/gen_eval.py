import json, sys
from common import *

BOOL = {"on": True, "off": False}

def E(value, variant, reason, errorCode=None, ruleId=None):
    e = {"value": value, "variant": variant, "reason": reason}
    if errorCode: e["errorCode"] = errorCode
    if ruleId is not None: e["ruleId"] = ruleId
    return e

ON_MATCH = lambda rule="match": E(True, "on", "TARGETING_MATCH", ruleId=rule)
OFF_DEFAULT = E(False, "off", "DEFAULT")
def ERR(code): return E(None, None, "ERROR", errorCode=code)

def case(name, flag, context, expect, now=NOW, **extra):
    c = {"name": name, "flag": flag, "context": context, "now": now}
    c.update(extra)
    c["expect"] = expect
    return c

def op_flag(key, cond):
    conds = cond if isinstance(cond, list) else [cond]
    return {"key": key, "type": "boolean", "variants": BOOL, "offVariant": "off",
            "rules": [{"id": "match", "conditions": conds, "serve": {"variant": "on"}}],
            "fallthrough": {"variant": "off"}}

suites = []

# ---------------------------------------------------------------- operators
op_flags = [
    op_flag("exists", {"attribute": "email", "op": "exists"}),
    op_flag("not-exists", {"attribute": "email", "op": "exists", "negate": True}),
    op_flag("equals-string", {"attribute": "plan", "op": "equals", "value": "pro"}),
    op_flag("equals-number", {"attribute": "age", "op": "equals", "value": 42}),
    op_flag("equals-bool", {"attribute": "beta", "op": "equals", "value": True}),
    op_flag("equals-negated", {"attribute": "plan", "op": "equals", "value": "pro", "negate": True}),
    op_flag("not-equals", {"attribute": "plan", "op": "notEquals", "value": "free"}),
    op_flag("in", {"attribute": "country", "op": "in", "values": ["ca", "us"]}),
    op_flag("in-mixed", {"attribute": "code", "op": "in", "values": ["42", 7, True]}),
    op_flag("not-in", {"attribute": "country", "op": "notIn", "values": ["ca", "us"]}),
    op_flag("not-in-negated", {"attribute": "country", "op": "notIn", "values": ["ca", "us"], "negate": True}),
    op_flag("contains", {"attribute": "email", "op": "contains", "value": "@example"}),
    op_flag("starts-with", {"attribute": "path", "op": "startsWith", "values": ["/admin", "/staff"]}),
    op_flag("ends-with", {"attribute": "email", "op": "endsWith", "values": ["@vexil.dev", "@vexil.io"]}),
    op_flag("matches", {"attribute": "userAgent", "op": "matches", "value": "^Mozilla/5\\.0 .*Firefox/\\d+"}),
    op_flag("matches-unanchored", {"attribute": "userAgent", "op": "matches", "value": "beta"}),
    op_flag("lt", {"attribute": "age", "op": "lt", "value": 18}),
    op_flag("lt-any", {"attribute": "age", "op": "lt", "values": [10, 20]}),
    op_flag("lte", {"attribute": "age", "op": "lte", "value": 18}),
    op_flag("gt", {"attribute": "age", "op": "gt", "value": 65}),
    op_flag("gte", {"attribute": "age", "op": "gte", "value": 65}),
    op_flag("gte-negated", {"attribute": "age", "op": "gte", "value": 65, "negate": True}),
    op_flag("semver-eq", {"attribute": "appVersion", "op": "semverEq", "value": "2.0.0"}),
    op_flag("semver-lt", {"attribute": "appVersion", "op": "semverLt", "value": "1.10.0"}),
    op_flag("semver-lte", {"attribute": "appVersion", "op": "semverLte", "value": "1.10.0"}),
    op_flag("semver-gt", {"attribute": "appVersion", "op": "semverGt", "value": "5.2.0"}),
    op_flag("semver-gte", {"attribute": "appVersion", "op": "semverGte", "value": "5.2.0"}),
    op_flag("before", {"attribute": "signedUpAt", "op": "before", "value": "2026-01-01T00:00:00Z"}),
    op_flag("after", {"attribute": "signedUpAt", "op": "after", "value": "2026-11-01T00:00:00Z"}),
    op_flag("after-negated", {"attribute": "signedUpAt", "op": "after", "value": "2026-11-01T00:00:00Z", "negate": True}),
]
M, N = ON_MATCH(), OFF_DEFAULT
u = lambda **kw: dict({"targetingKey": "user-1"}, **kw)
op_cases = [
    case("exists holds for a present string attribute", "exists", u(email="a@b.c"), M),
    case("exists holds for an empty string", "exists", u(email=""), M),
    case("exists holds for false", "exists", u(email=False), M),
    case("exists does not hold for a missing attribute", "exists", u(), N),
    case("exists treats a null attribute as missing", "exists", u(email=None), N),
    case("negated exists holds for a missing attribute", "not-exists", u(), M),
    case("negated exists does not hold for a present attribute", "not-exists", u(email="a@b.c"), N),

    case("equals matches the same string", "equals-string", u(plan="pro"), M),
    case("equals is case-sensitive", "equals-string", u(plan="Pro"), N),
    case("equals does not hold for a missing attribute", "equals-string", u(), N),
    case("equals matches the same number", "equals-number", u(age=42), M),
    case("equals matches 42.0 against 42 (one number type)", "equals-number", u(age=42.0), M),
    case("equals does not match the string \"42\" against the number 42", "equals-number", u(age="42"), N),
    case("equals matches the boolean true", "equals-bool", u(beta=True), M),
    case("equals does not match the string \"true\" against the boolean true", "equals-bool", u(beta="true"), N),
    case("equals does not match false against true", "equals-bool", u(beta=False), N),
    case("equals matches when any item of a list attribute is equal", "equals-string", u(plan=["free", "pro"]), M),
    case("negated equals does not hold for the equal value", "equals-negated", u(plan="pro"), N),
    case("negated equals holds for another value", "equals-negated", u(plan="free"), M),
    case("negated equals holds for a missing attribute", "equals-negated", u(), M),
    case("notEquals holds for another value", "not-equals", u(plan="pro"), M),
    case("notEquals does not hold for the value", "not-equals", u(plan="free"), N),
    case("notEquals holds for a missing attribute", "not-equals", u(), M),
    case("notEquals holds for a value of another type", "not-equals", u(plan=0), M),
    case("notEquals does not hold when any list item equals the value", "not-equals", u(plan=["pro", "free"]), N),

    case("in matches a listed value", "in", u(country="ca"), M),
    case("in does not match an unlisted value", "in", u(country="fr"), N),
    case("in matches a list attribute with any listed item", "in", u(country=["fr", "us"]), M),
    case("in does not match a list attribute without listed items", "in", u(country=["fr", "de"]), N),
    case("in does not match an empty list attribute", "in", u(country=[]), N),
    case("in does not hold for a missing attribute", "in", u(), N),
    case("in with mixed operands matches the string \"42\"", "in-mixed", u(code="42"), M),
    case("in with mixed operands does not match the number 42 against the string \"42\"", "in-mixed", u(code=42), N),
    case("in with mixed operands matches the number 7", "in-mixed", u(code=7), M),
    case("in with mixed operands does not match the string \"7\" against the number 7", "in-mixed", u(code="7"), N),
    case("in with mixed operands matches the boolean true", "in-mixed", u(code=True), M),
    case("in with mixed operands does not match false", "in-mixed", u(code=False), N),
    case("notIn holds for an unlisted value", "not-in", u(country="fr"), M),
    case("notIn does not hold for a listed value", "not-in", u(country="us"), N),
    case("notIn holds for a missing attribute", "not-in", u(), M),
    case("notIn does not hold when any list item is listed", "not-in", u(country=["fr", "ca"]), N),
    case("notIn holds for an empty list attribute", "not-in", u(country=[]), M),
    case("negated notIn means in: holds for a listed value", "not-in-negated", u(country="ca"), M),
    case("negated notIn means in: does not hold for a missing attribute", "not-in-negated", u(), N),

    case("contains matches a substring", "contains", u(email="ann@example.com"), M),
    case("contains does not match without the substring", "contains", u(email="ann@vexil.dev"), N),
    case("contains never matches a number attribute", "contains", u(email=12345), N),
    case("contains matches a list attribute with any item containing it", "contains", u(email=["a@x.org", "b@example.org"]), M),
    case("startsWith matches any listed prefix", "starts-with", u(path="/staff/rota"), M),
    case("startsWith matches the first listed prefix", "starts-with", u(path="/admin/users"), M),
    case("startsWith is case-sensitive", "starts-with", u(path="/Admin"), N),
    case("startsWith does not match an empty string", "starts-with", u(path=""), N),
    case("endsWith matches any listed suffix", "ends-with", u(email="kim@vexil.io"), M),
    case("endsWith does not match a suffix found elsewhere", "ends-with", u(email="kim@vexil.dev.example"), N),
    case("endsWith does not hold for a missing attribute", "ends-with", u(), N),

    case("matches holds when the regular expression matches", "matches", u(userAgent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"), M),
    case("matches does not hold when it does not match", "matches", u(userAgent="Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15"), N),
    case("matches searches anywhere in the text unless anchored", "matches-unanchored", u(userAgent="my-beta-client/1.0"), M),
    case("an anchored pattern does not match in the middle", "matches", u(userAgent="x Mozilla/5.0 Firefox/1"), N),
    case("matches never holds for a number", "matches-unanchored", u(userAgent=5), N),

    case("lt holds below the operand", "lt", u(age=17), M),
    case("lt holds for a fraction below the operand", "lt", u(age=17.5), M),
    case("lt does not hold at the operand", "lt", u(age=18), N),
    case("lt never holds for a numeric string", "lt", u(age="17"), N),
    case("lt never holds for a boolean", "lt", u(age=False), N),
    case("lt does not hold for a missing attribute", "lt", u(), N),
    case("lt with several operands holds if any holds", "lt-any", u(age=15), M),
    case("lt with several operands does not hold if none holds", "lt-any", u(age=20), N),
    case("lte holds at the operand", "lte", u(age=18), M),
    case("lte does not hold above the operand", "lte", u(age=18.001), N),
    case("gt holds above the operand", "gt", u(age=66), M),
    case("gt does not hold at the operand", "gt", u(age=65), N),
    case("gte holds at the operand", "gte", u(age=65), M),
    case("gte does not hold below the operand", "gte", u(age=64.99), N),
    case("gte matches a list attribute with any item at or above", "gte", u(age=[10, 70]), M),
    case("negated gte holds below the operand", "gte-negated", u(age=30), M),
    case("negated gte holds for a missing attribute", "gte-negated", u(), M),
    case("negated gte holds for a value of another type", "gte-negated", u(age="99"), M),

    case("semverEq matches the same version", "semver-eq", u(appVersion="2.0.0"), M),
    case("semverEq reads a leading v and missing minor and patch", "semver-eq", u(appVersion="v2"), M),
    case("semverEq ignores build metadata", "semver-eq", u(appVersion="2.0.0+build.7"), M),
    case("semverEq does not match a pre-release of the version", "semver-eq", u(appVersion="2.0.0-rc.1"), N),
    case("semverEq does not match another version", "semver-eq", u(appVersion="2.0.1"), N),
    case("semverEq never matches text that is not a version", "semver-eq", u(appVersion="two"), N),
    case("semverEq never matches a number", "semver-eq", u(appVersion=2), N),
    case("semverLt compares numerically, not as text (1.9.9 < 1.10.0)", "semver-lt", u(appVersion="1.9.9"), M),
    case("semverLt puts a pre-release before its release", "semver-lt", u(appVersion="1.10.0-rc.1"), M),
    case("semverLt does not hold at the version", "semver-lt", u(appVersion="1.10.0"), N),
    case("semverLte holds at the version", "semver-lte", u(appVersion="1.10.0"), M),
    case("semverLte does not hold above the version", "semver-lte", u(appVersion="1.10.1"), N),
    case("semverGt compares numerically (5.10.0 > 5.2.0)", "semver-gt", u(appVersion="5.10.0"), M),
    case("semverGt does not hold at the version", "semver-gt", u(appVersion="5.2.0"), N),
    case("semverGte holds at the version", "semver-gte", u(appVersion="5.2.0"), M),
    case("semverGte does not hold for a pre-release of the version", "semver-gte", u(appVersion="5.2.0-beta.2"), N),
    case("semverGte matches a list attribute with any item at or above", "semver-gte", u(appVersion=["4.0.0", "6.1.0"]), M),

    case("before holds for an earlier instant", "before", u(signedUpAt="2025-12-31T23:59:59Z"), M),
    case("before does not hold at the instant", "before", u(signedUpAt="2026-01-01T00:00:00Z"), N),
    case("before applies offsets: 01:00+01:00 is the same instant", "before", u(signedUpAt="2026-01-01T01:00:00+01:00"), N),
    case("before applies offsets: 19:00-05:00 on Dec 31 is the instant itself", "before", u(signedUpAt="2025-12-31T19:00:00-05:00"), N),
    case("before applies offsets: 18:59:59-05:00 on Dec 31 is earlier", "before", u(signedUpAt="2025-12-31T18:59:59-05:00"), M),
    case("before reads a number as Unix milliseconds (one ms earlier)", "before", u(signedUpAt=1767225599999), M),
    case("before reads a number as Unix milliseconds (the instant itself)", "before", u(signedUpAt=1767225600000), N),
    case("before never holds for text that is not an instant", "before", u(signedUpAt="yesterday"), N),
    case("before never holds for a date without a time", "before", u(signedUpAt="2025-06-01"), N),
    case("after holds for a later instant", "after", u(signedUpAt="2026-11-15T08:00:00Z"), M),
    case("after does not hold at the instant", "after", u(signedUpAt="2026-11-01T00:00:00Z"), N),
    case("after holds one nanosecond later", "after", u(signedUpAt="2026-11-01T00:00:00.000000001Z"), M),
    case("after reads a number as Unix milliseconds", "after", u(signedUpAt=1793491200001), M),
    case("after does not hold for a missing attribute", "after", u(), N),
    case("negated after holds at the instant", "after-negated", u(signedUpAt="2026-11-01T00:00:00Z"), M),
    case("negated after holds for a missing attribute", "after-negated", u(), M),
]
suites.append({"name": "operators",
    "description": "Every operator, positive and negative, with negate, list attributes, missing attributes and type mismatches. Each flag serves `on` through rule `match` when its one condition holds, else `off` from the fallthrough.",
    "snapshot": snap(op_flags), "cases": op_cases})

# ---------------------------------------------------------------- segments
segments = [
    {"key": "beta-testers", "included": ["user-1", "user-3"], "excluded": ["user-2", "user-3"],
     "conditions": [{"attribute": "email", "op": "endsWith", "value": "@vexil.dev"}]},
    {"key": "vip", "included": ["user-7"]},
    {"key": "canadian-admins", "conditions": [
        {"attribute": "country", "op": "equals", "value": "ca"},
        {"attribute": "roles", "op": "in", "values": ["admin"]}]},
]
seg_flags = [
    op_flag("beta", {"op": "inSegment", "value": "beta-testers"}),
    op_flag("vip-only", {"op": "inSegment", "value": "vip"}),
    op_flag("not-vip", {"op": "notInSegment", "value": "vip"}),
    op_flag("vip-or-beta", {"op": "inSegment", "values": ["vip", "beta-testers"]}),
    op_flag("not-beta-negated", {"op": "inSegment", "value": "beta-testers", "negate": True}),
    op_flag("canadian-admins", {"op": "inSegment", "value": "canadian-admins"}),
    op_flag("beta-in-ca", [{"op": "inSegment", "value": "beta-testers"}, {"attribute": "country", "op": "equals", "value": "ca"}]),
]
seg_cases = [
    case("an included key is in the segment without meeting its conditions", "beta", {"targetingKey": "user-1"}, M),
    case("an excluded key is out of the segment even when it meets the conditions", "beta", {"targetingKey": "user-2", "email": "b@vexil.dev"}, N),
    case("a key both included and excluded is in the segment (included wins)", "beta", {"targetingKey": "user-3"}, M),
    case("any other key is in the segment when all conditions hold", "beta", {"targetingKey": "user-5", "email": "e@vexil.dev"}, M),
    case("any other key is out of the segment when a condition fails", "beta", {"targetingKey": "user-5", "email": "e@example.com"}, N),
    case("a context without a targeting key is in the segment when the conditions hold", "beta", {"email": "anon@vexil.dev"}, M),
    case("a context without anything is out of the segment", "beta", {}, N),
    case("a segment without conditions holds only its included keys (included)", "vip-only", {"targetingKey": "user-7"}, M),
    case("a segment without conditions holds only its included keys (others)", "vip-only", {"targetingKey": "user-8", "email": "x@vexil.dev"}, N),
    case("notInSegment does not hold for a member", "not-vip", {"targetingKey": "user-7"}, N),
    case("notInSegment holds for a non-member", "not-vip", {"targetingKey": "user-8"}, M),
    case("notInSegment holds without a targeting key", "not-vip", {}, M),
    case("inSegment with several segments holds for a member of any (first)", "vip-or-beta", {"targetingKey": "user-7"}, M),
    case("inSegment with several segments holds for a member of any (second)", "vip-or-beta", {"targetingKey": "user-1"}, M),
    case("inSegment with several segments does not hold for a member of none", "vip-or-beta", {"targetingKey": "user-9"}, N),
    case("negated inSegment holds for a non-member", "not-beta-negated", {"targetingKey": "user-2"}, M),
    case("negated inSegment does not hold for a member", "not-beta-negated", {"targetingKey": "user-1"}, N),
    case("segment conditions are ANDed: all hold", "canadian-admins", {"targetingKey": "user-4", "country": "ca", "roles": ["editor", "admin"]}, M),
    case("segment conditions are ANDed: one fails", "canadian-admins", {"targetingKey": "user-4", "country": "us", "roles": ["admin"]}, N),
    case("a rule with a segment and another condition needs both (both hold)", "beta-in-ca", {"targetingKey": "user-1", "country": "ca"}, M),
    case("a rule with a segment and another condition needs both (segment only)", "beta-in-ca", {"targetingKey": "user-1", "country": "us"}, N),
]
suites.append({"name": "segments",
    "description": "Segment membership: included keys win over excluded ones, then all conditions of a segment with conditions must hold; a segment without conditions holds only its included keys.",
    "snapshot": snap(seg_flags, segments), "cases": seg_cases})

# ---------------------------------------------------------------- evaluation order
order_flags = [
    {"key": "killed", "type": "boolean", "enabled": False, "variants": BOOL, "offVariant": "off",
     "overrides": [{"variant": "on", "keys": ["user-1"]}],
     "rules": [{"id": "everyone", "conditions": [], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "on"}},
    {"key": "killed-without-off-variant", "type": "string", "enabled": False,
     "variants": {"a": "A", "b": "B"}, "fallthrough": {"variant": "a"}},
    {"key": "forced", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "overrides": [{"variant": "on", "keys": ["user-vip", "42"]}, {"variant": "off", "keys": ["user-13"]}],
     "schedule": {"start": "2026-12-01T00:00:00Z"},
     "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "equals", "value": "pro"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "black-friday", "type": "string", "variants": {"sale": "30 % off", "none": ""}, "offVariant": "none",
     "schedule": {"start": "2026-11-27T00:00:00-05:00", "end": "2026-12-01T00:00:00-05:00"},
     "fallthrough": {"variant": "sale"}},
    {"key": "from-launch", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "schedule": {"start": "2026-11-20T00:00:00Z"}, "fallthrough": {"variant": "on"}},
    {"key": "until-sunset", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "schedule": {"end": "2026-11-20T00:00:00Z"}, "fallthrough": {"variant": "on"}},
    {"key": "scheduled-without-off-variant", "type": "boolean", "variants": BOOL,
     "schedule": {"start": "2026-12-01T00:00:00Z"}, "fallthrough": {"variant": "on"}},
    {"key": "first-match", "type": "string", "variants": {"canada": "CA", "admin": "ADMIN", "default": "-"},
     "rules": [
        {"id": "canada", "conditions": [{"attribute": "country", "op": "equals", "value": "ca"}], "serve": {"variant": "canada"}},
        {"id": "admins", "conditions": [{"attribute": "role", "op": "equals", "value": "admin"}], "serve": {"variant": "admin"}}],
     "fallthrough": {"variant": "default"}},
    {"key": "and-of-conditions", "type": "boolean", "variants": BOOL,
     "rules": [{"id": "both", "conditions": [
        {"attribute": "country", "op": "equals", "value": "ca"},
        {"attribute": "plan", "op": "equals", "value": "pro"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "unnamed-rules", "type": "number", "variants": {"one": 1, "two": 2, "zero": 0},
     "rules": [
        {"conditions": [{"attribute": "n", "op": "equals", "value": 1}], "serve": {"variant": "one"}},
        {"conditions": [{"attribute": "n", "op": "equals", "value": 2}], "serve": {"variant": "two"}}],
     "fallthrough": {"variant": "zero"}},
    {"key": "catch-all-rule", "type": "boolean", "variants": BOOL,
     "rules": [{"id": "all", "conditions": [], "serve": {"variant": "on"}}], "fallthrough": {"variant": "off"}},
    {"key": "static", "type": "object", "variants": {"config": {"steps": ["welcome", "done"], "limit": 3}},
     "offVariant": "config", "fallthrough": {"variant": "config"}},
    {"key": "static-with-empty-lists", "type": "boolean", "variants": BOOL,
     "overrides": [], "prerequisites": [], "rules": [], "fallthrough": {"variant": "on"}},
    {"key": "never-matching-rule", "type": "boolean", "variants": BOOL,
     "rules": [{"id": "nobody", "conditions": [{"attribute": "plan", "op": "equals", "value": "enterprise"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
]
O = lambda v, r, **kw: E(v, "on" if v is True else "off" if v is False else None, r, **kw)
order_cases = [
    case("the kill switch serves the off variant even to an overridden key", "killed", {"targetingKey": "user-1"}, O(False, "DISABLED")),
    case("the kill switch serves the off variant before rules", "killed", {"targetingKey": "user-2"}, O(False, "DISABLED")),
    case("the kill switch needs no targeting key", "killed", {}, O(False, "DISABLED")),
    case("a switched-off flag without an off variant serves the caller's default, not an error", "killed-without-off-variant", {"targetingKey": "user-1"}, E(None, None, "DISABLED")),
    case("an override forces a key on", "forced", {"targetingKey": "user-vip"}, O(True, "OVERRIDE")),
    case("an override forces a key off even when a rule would serve on", "forced", {"targetingKey": "user-13", "plan": "pro"}, O(False, "OVERRIDE")),
    case("overrides come before the schedule: a forced key sees the flag before it starts", "forced", {"targetingKey": "user-vip"}, O(True, "OVERRIDE"), now="2026-11-22T12:00:00Z"),
    case("an integer targeting key matches the override written as its decimal text", "forced", {"targetingKey": 42}, O(True, "OVERRIDE")),
    case("a key that is not overridden waits for the schedule", "forced", {"targetingKey": "user-1", "plan": "pro"}, O(False, "DISABLED")),
    case("a key that is not overridden gets the rules once the schedule started", "forced", {"targetingKey": "user-1", "plan": "pro"}, O(True, "TARGETING_MATCH", ruleId="pro"), now="2026-12-02T00:00:00Z"),
    case("without a targeting key the overrides are skipped", "forced", {"plan": "pro"}, O(True, "TARGETING_MATCH", ruleId="pro"), now="2026-12-02T00:00:00Z"),

    case("before a schedule starts the flag serves its off variant", "black-friday", {"targetingKey": "user-1"}, E("", "none", "DISABLED"), now="2026-11-27T04:59:59.999Z"),
    case("a schedule's start is inclusive (offsets applied: 00:00-05:00 is 05:00Z)", "black-friday", {"targetingKey": "user-1"}, E("30 % off", "sale", "DEFAULT"), now="2026-11-27T05:00:00Z"),
    case("inside the schedule the flag is live, and a scheduled flag is DEFAULT, not STATIC", "black-friday", {}, E("30 % off", "sale", "DEFAULT"), now="2026-11-29T12:00:00Z"),
    case("the last nanosecond before the end is inside the schedule", "black-friday", {}, E("30 % off", "sale", "DEFAULT"), now="2026-12-01T04:59:59.999999999Z"),
    case("a schedule's end is exclusive", "black-friday", {}, E("", "none", "DISABLED"), now="2026-12-01T05:00:00Z"),
    case("after the schedule the flag serves its off variant", "black-friday", {}, E("", "none", "DISABLED"), now="2027-01-01T00:00:00Z"),
    case("now may carry an offset: 00:30+01:00 on Dec 1 is still inside", "black-friday", {}, E("30 % off", "sale", "DEFAULT"), now="2026-12-01T00:30:00+01:00"),
    case("a schedule with only a start is live from then on", "from-launch", {}, O(True, "DEFAULT"), now="2030-01-01T00:00:00Z"),
    case("a schedule with only a start is off before it", "from-launch", {}, O(False, "DISABLED"), now="2026-11-19T23:59:59Z"),
    case("a schedule with only an end is live before it", "until-sunset", {}, O(True, "DEFAULT"), now="2000-01-01T00:00:00Z"),
    case("a schedule with only an end is off from then on", "until-sunset", {}, O(False, "DISABLED"), now="2026-11-20T00:00:00Z"),
    case("outside its schedule a flag without an off variant serves the caller's default", "scheduled-without-off-variant", {}, E(None, None, "DISABLED")),

    case("the first matching rule decides", "first-match", {"country": "ca", "role": "admin"}, E("CA", "canada", "TARGETING_MATCH", ruleId="canada")),
    case("a later rule decides when earlier ones do not match", "first-match", {"country": "us", "role": "admin"}, E("ADMIN", "admin", "TARGETING_MATCH", ruleId="admins")),
    case("no matching rule falls through with DEFAULT", "first-match", {"country": "us", "role": "viewer"}, E("-", "default", "DEFAULT")),
    case("a rule needs all its conditions (all hold)", "and-of-conditions", {"country": "ca", "plan": "pro"}, O(True, "TARGETING_MATCH", ruleId="both")),
    case("a rule needs all its conditions (one fails)", "and-of-conditions", {"country": "ca", "plan": "free"}, O(False, "DEFAULT")),
    case("a rule without an id is reported by its index (first rule is \"0\")", "unnamed-rules", {"n": 1}, E(1, "one", "TARGETING_MATCH", ruleId="0")),
    case("a rule without an id is reported by its index (second rule is \"1\")", "unnamed-rules", {"n": 2}, E(2, "two", "TARGETING_MATCH", ruleId="1")),
    case("a rule with no conditions matches everybody", "catch-all-rule", {}, O(True, "TARGETING_MATCH", ruleId="all")),
    case("a flag that can never vary is STATIC", "static", {}, E({"steps": ["welcome", "done"], "limit": 3}, "config", "STATIC")),
    case("a STATIC flag is STATIC whatever the context", "static", {"targetingKey": "user-1", "plan": "pro"}, E({"steps": ["welcome", "done"], "limit": 3}, "config", "STATIC")),
    case("empty overrides, prerequisites and rules still make a STATIC flag", "static-with-empty-lists", {}, O(True, "STATIC")),
    case("a flag with rules is DEFAULT when none matches, though it serves a fixed variant", "never-matching-rule", {"targetingKey": "user-1"}, O(False, "DEFAULT")),
]
suites.append({"name": "evaluation order",
    "description": "Kill switch, then overrides, then schedule [start, end), then rules in order, then the fallthrough (STATIC when the flag can never vary, else DEFAULT).",
    "snapshot": snap(order_flags), "cases": order_cases})

# ---------------------------------------------------------------- prerequisites
pre_flags = [
    {"key": "new-checkout", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "overrides": [{"variant": "on", "keys": ["user-vip"]}],
     "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "equals", "value": "pro"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "checkout-color", "type": "string", "variants": {"blue": "#1f6feb", "green": "#2da44e"}, "offVariant": "blue",
     "prerequisites": [{"flag": "new-checkout", "variants": ["on"]}], "fallthrough": {"variant": "green"}},
    {"key": "tier", "type": "string", "variants": {"gold": "gold", "silver": "silver", "bronze": "bronze"},
     "rules": [{"id": "by-plan", "conditions": [{"attribute": "plan", "op": "in", "values": ["pro", "team"]}], "serve": {"variant": "gold"}},
               {"id": "by-age", "conditions": [{"attribute": "age", "op": "gte", "value": 18}], "serve": {"variant": "silver"}}],
     "fallthrough": {"variant": "bronze"}},
    {"key": "perks", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "tier", "variants": ["gold", "silver"]}], "fallthrough": {"variant": "on"}},
    {"key": "switched-off-parent", "type": "boolean", "enabled": False, "variants": BOOL, "offVariant": "off", "fallthrough": {"variant": "on"}},
    {"key": "needs-parent-on", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "switched-off-parent", "variants": ["on"]}], "fallthrough": {"variant": "on"}},
    {"key": "needs-parent-off", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "switched-off-parent", "variants": ["off"]}], "fallthrough": {"variant": "on"}},
    {"key": "switched-off-parent-without-off-variant", "type": "boolean", "enabled": False, "variants": BOOL, "fallthrough": {"variant": "on"}},
    {"key": "needs-parent-without-off-variant", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "switched-off-parent-without-off-variant", "variants": ["on", "off"]}], "fallthrough": {"variant": "on"}},
    {"key": "broken-parent", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "rules": [{"id": "bad", "conditions": [{"attribute": "plan", "op": "isOneOf", "values": ["pro"]}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "on"}},
    {"key": "needs-broken-parent", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "broken-parent", "variants": ["on", "off"]}], "fallthrough": {"variant": "on"}},
    {"key": "split-parent", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "fallthrough": {"split": [{"variant": "on", "weight": 100000}, {"variant": "off", "weight": 0}]}},
    {"key": "needs-split-parent", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "split-parent", "variants": ["on"]}],
     "rules": [{"id": "anyone", "conditions": [], "serve": {"variant": "on"}}], "fallthrough": {"variant": "off"}},
    {"key": "no-off-variant-child", "type": "boolean", "variants": BOOL,
     "prerequisites": [{"flag": "new-checkout", "variants": ["on"]}], "fallthrough": {"variant": "on"}},
    {"key": "base", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "equals", "value": "pro"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "left", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "base", "variants": ["on"]}], "fallthrough": {"variant": "on"}},
    {"key": "right", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "base", "variants": ["off"]}], "fallthrough": {"variant": "on"}},
    {"key": "diamond", "type": "string", "variants": {"both": "both", "left-only": "left-only", "none": "none"}, "offVariant": "none",
     "prerequisites": [{"flag": "left", "variants": ["on"]}, {"flag": "base", "variants": ["on"]}],
     "rules": [{"id": "always", "conditions": [], "serve": {"variant": "left-only"}}], "fallthrough": {"variant": "both"}},
    {"key": "needs-right-and-base", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "right", "variants": ["on"]}, {"flag": "base", "variants": ["on"]}], "fallthrough": {"variant": "on"}},
    {"key": "grandchild", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "prerequisites": [{"flag": "checkout-color", "variants": ["green"]}, {"flag": "perks", "variants": ["on"]}],
     "rules": [{"id": "staff", "conditions": [{"attribute": "staff", "op": "equals", "value": True}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
]
pre_cases = [
    case("a met prerequisite lets the flag evaluate (DEFAULT, since it depends on something)", "checkout-color", {"targetingKey": "user-1", "plan": "pro"}, E("#2da44e", "green", "DEFAULT")),
    case("an unmet prerequisite serves the off variant", "checkout-color", {"targetingKey": "user-1", "plan": "free"}, E("#1f6feb", "blue", "PREREQUISITE_FAILED")),
    case("a prerequisite is evaluated with the same context, overrides included", "checkout-color", {"targetingKey": "user-vip"}, E("#2da44e", "green", "DEFAULT")),
    case("any of the listed variants meets a prerequisite (first)", "perks", {"plan": "team"}, O(True, "DEFAULT")),
    case("any of the listed variants meets a prerequisite (second)", "perks", {"age": 30}, O(True, "DEFAULT")),
    case("a variant not listed fails the prerequisite", "perks", {"age": 12}, O(False, "PREREQUISITE_FAILED")),
    case("a switched-off prerequisite serves its off variant, which fails a requirement of on", "needs-parent-on", {"targetingKey": "user-1"}, O(False, "PREREQUISITE_FAILED")),
    case("a switched-off prerequisite serving off meets a requirement of off", "needs-parent-off", {"targetingKey": "user-1"}, O(True, "DEFAULT")),
    case("a prerequisite that serves no variant fails, whatever is required", "needs-parent-without-off-variant", {}, O(False, "PREREQUISITE_FAILED")),
    case("a broken prerequisite fails (its error is not passed on)", "needs-broken-parent", {"targetingKey": "user-1"}, O(False, "PREREQUISITE_FAILED")),
    case("the broken prerequisite itself gives PARSE_ERROR", "broken-parent", {"targetingKey": "user-1"}, ERR("PARSE_ERROR")),
    case("a prerequisite that needs a targeting key fails without one, and the flag serves its off variant", "needs-split-parent", {}, O(False, "PREREQUISITE_FAILED")),
    case("the same prerequisite is met with a targeting key, and the rules run", "needs-split-parent", {"targetingKey": "user-1"}, O(True, "TARGETING_MATCH", ruleId="anyone")),
    case("an unmet prerequisite of a flag without an off variant serves the caller's default", "no-off-variant-child", {"targetingKey": "user-1"}, E(None, None, "PREREQUISITE_FAILED")),
    case("a chain of prerequisites is followed to the end (all met)", "grandchild", {"plan": "pro", "staff": True}, O(True, "TARGETING_MATCH", ruleId="staff")),
    case("all prerequisites must be met (second one fails)", "grandchild", {"targetingKey": "user-vip", "age": 12, "staff": True}, O(False, "PREREQUISITE_FAILED")),
    case("a flag reached twice through a diamond gives the same answer both times (met)", "diamond", {"plan": "pro"}, E("left-only", "left-only", "TARGETING_MATCH", ruleId="always")),
    case("a flag reached twice through a diamond gives the same answer both times (unmet)", "diamond", {"plan": "free"}, E("none", "none", "PREREQUISITE_FAILED")),
    case("prerequisites that need contradictory answers from one flag can never both be met (pro)", "needs-right-and-base", {"plan": "pro"}, O(False, "PREREQUISITE_FAILED")),
    case("prerequisites that need contradictory answers from one flag can never both be met (free)", "needs-right-and-base", {"plan": "free"}, O(False, "PREREQUISITE_FAILED")),
    case("a failure deep in a chain fails the whole chain", "grandchild", {"age": 40, "staff": True}, O(False, "PREREQUISITE_FAILED")),
]
suites.append({"name": "prerequisites",
    "description": "Each prerequisite is evaluated with the same context and must serve one of its listed variants without error; otherwise the flag serves its off variant with PREREQUISITE_FAILED.",
    "snapshot": snap(pre_flags), "cases": pre_cases})

# ---------------------------------------------------------------- splits
def split_cases():
    flags, cases = [], []
    S = [("on", 25000), ("off", 75000)]
    flags.append({"key": "rollout", "type": "boolean", "variants": BOOL, "offVariant": "off",
                  "fallthrough": {"split": [{"variant": v, "weight": w} for v, w in S]}})
    found = {"on": [], "off": []}
    for i in range(1, 200):
        k = f"user-{i}"
        b = bucket("", "rollout", k)
        v, s, e = pick(S, b)
        found[v].append((k, b))
    for v in ("on", "off"):
        for k, b in found[v][:2]:
            cases.append(case(f"{k} (bucket {b}) lands in the {'first 25 %' if v == 'on' else 'other 75 %'} and gets {v}", "rollout",
                              {"targetingKey": k}, O(v == "on", "SPLIT")))
    for k in ["usér-ü", "ユーザー-7", "🦊-1"]:
        b = bucket("", "rollout", k)
        v, _, _ = pick(S, b)
        cases.append(case(f"the targeting key {json.dumps(k, ensure_ascii=False)} is hashed as UTF-8 (bucket {b}) and gets {v}", "rollout",
                          {"targetingKey": k}, O(v == "on", "SPLIT")))
    cases.append(case("a split without a targeting key gives TARGETING_KEY_MISSING", "rollout", {"plan": "pro"}, ERR("TARGETING_KEY_MISSING")))
    b = bucket("", "rollout", "42")
    v, _, _ = pick(S, b)
    cases.append(case(f"an integer targeting key is bucketed as its decimal text (\"42\", bucket {b})", "rollout", {"targetingKey": 42}, O(v == "on", "SPLIT")))
    cases.append(case(f"the string targeting key \"42\" gets the same bucket {b}", "rollout", {"targetingKey": "42"}, O(v == "on", "SPLIT")))

    # salt reshuffles
    SALTED = [("on", 50000), ("off", 50000)]
    flags.append({"key": "salted", "type": "boolean", "variants": BOOL, "salt": "spring-2026",
                  "fallthrough": {"split": [{"variant": v, "weight": w} for v, w in SALTED]}})
    flags.append({"key": "unsalted", "type": "boolean", "variants": BOOL,
                  "fallthrough": {"split": [{"variant": v, "weight": w} for v, w in SALTED]}})
    # find a key whose variant differs with salt
    for i in range(1, 500):
        k = f"user-{i}"
        b1, b2 = bucket("spring-2026", "salted", k), bucket("", "unsalted", k)
        v1, v2 = pick(SALTED, b1)[0], pick(SALTED, b2)[0]
        if v1 != v2:
            cases.append(case(f"the salt is hashed first: {k} is in bucket {b1} of the salted flag and gets {v1}", "salted", {"targetingKey": k}, O(v1 == "on", "SPLIT")))
            cases.append(case(f"without a salt {k} is in bucket {b2} and gets {v2}", "unsalted", {"targetingKey": k}, O(v2 == "on", "SPLIT")))
            break

    # three-way split, check boundaries via search
    THREE = [("blue", 33334), ("green", 33333), ("orange", 33333)]
    vals = {"blue": "#1f6feb", "green": "#2da44e", "orange": "#fb8500"}
    flags.append({"key": "color", "type": "string", "variants": vals,
                  "fallthrough": {"split": [{"variant": v, "weight": w} for v, w in THREE]}})
    seen = set()
    for i in range(1, 300):
        k = f"visitor-{i}"
        b = bucket("", "color", k)
        v, s, e = pick(THREE, b)
        if v not in seen:
            seen.add(v)
            cases.append(case(f"{k} is in bucket {b}, inside [{s}, {e}), and gets {v}", "color", {"targetingKey": k}, E(vals[v], v, "SPLIT")))
        if len(seen) == 3: break

    # zero weight
    flags.append({"key": "zero-weight", "type": "string", "variants": {"a": "A", "b": "B", "c": "C"},
                  "fallthrough": {"split": [{"variant": "a", "weight": 0}, {"variant": "b", "weight": 100000}, {"variant": "c", "weight": 0}]}})
    for k in ["user-1", "user-2", "user-3"]:
        cases.append(case(f"a 0 % slice is never served ({k}, bucket {bucket('', 'zero-weight', k)})", "zero-weight", {"targetingKey": k}, E("B", "b", "SPLIT")))

    # bucketBy
    CO = [("on", 50000), ("off", 50000)]
    flags.append({"key": "per-company", "type": "boolean", "variants": BOOL, "bucketBy": "companyId",
                  "rules": [{"id": "beta-split", "conditions": [{"attribute": "beta", "op": "equals", "value": True}],
                             "serve": {"split": [{"variant": "on", "weight": 50000}, {"variant": "off", "weight": 50000}], "bucketBy": "deviceId"}}],
                  "fallthrough": {"split": [{"variant": v, "weight": w} for v, w in CO]}})
    b = bucket("", "per-company", "acme")
    v = pick(CO, b)[0]
    cases.append(case(f"bucketBy buckets by another attribute (\"acme\", bucket {b}), whatever the targeting key", "per-company", {"targetingKey": "user-1", "companyId": "acme"}, O(v == "on", "SPLIT")))
    cases.append(case(f"users of one company share its bucket ({b})", "per-company", {"targetingKey": "user-2", "companyId": "acme"}, O(v == "on", "SPLIT")))
    cases.append(case("bucketBy needs no targeting key", "per-company", {"companyId": "acme"}, O(v == "on", "SPLIT")))
    b = bucket("", "per-company", "1001")
    v = pick(CO, b)[0]
    cases.append(case(f"an integer bucketing attribute is hashed as its decimal text (\"1001\", bucket {b})", "per-company", {"companyId": 1001}, O(v == "on", "SPLIT")))
    cases.append(case(f"1001.0 is the integer 1001 (bucket {b})", "per-company", {"companyId": 1001.0}, O(v == "on", "SPLIT")))
    b = bucket("", "per-company", "true")
    v = pick(CO, b)[0]
    cases.append(case(f"a boolean bucketing attribute is hashed as true/false (bucket {b})", "per-company", {"companyId": True}, O(v == "on", "SPLIT")))
    cases.append(case("a missing bucketing attribute gives TARGETING_KEY_MISSING even with a targeting key", "per-company", {"targetingKey": "user-1"}, ERR("TARGETING_KEY_MISSING")))
    cases.append(case("a fractional number cannot be bucketed: TARGETING_KEY_MISSING", "per-company", {"companyId": 1.5}, ERR("TARGETING_KEY_MISSING")))
    cases.append(case("a list cannot be bucketed: TARGETING_KEY_MISSING", "per-company", {"companyId": ["acme"]}, ERR("TARGETING_KEY_MISSING")))
    b = bucket("", "per-company", "device-9")
    v = pick(CO, b)[0]
    cases.append(case(f"a split in a rule buckets by its own bucketBy (\"device-9\", bucket {b}) and reports the rule", "per-company",
                      {"companyId": "acme", "beta": True, "deviceId": "device-9"}, O(v == "on", "SPLIT", ruleId="beta-split")))
    cases.append(case("a split in a rule without its bucketing attribute gives TARGETING_KEY_MISSING", "per-company",
                      {"companyId": "acme", "beta": True}, ERR("TARGETING_KEY_MISSING")))
    # split in rule + fixed fallthrough, missing key only matters when the split is reached
    flags.append({"key": "rule-split", "type": "boolean", "variants": BOOL,
                  "rules": [{"id": "canada", "conditions": [{"attribute": "country", "op": "equals", "value": "ca"}],
                             "serve": {"split": [{"variant": "on", "weight": 10000}, {"variant": "off", "weight": 90000}]}}],
                  "fallthrough": {"variant": "off"}})
    S2 = [("on", 10000), ("off", 90000)]
    for i in range(1, 400):
        k = f"user-{i}"
        b = bucket("", "rule-split", k)
        if pick(S2, b)[0] == "on":
            cases.append(case(f"{k} (bucket {b}) is in the rule's 10 % and gets on, reported as SPLIT with the rule id", "rule-split", {"targetingKey": k, "country": "ca"}, O(True, "SPLIT", ruleId="canada")))
            break
    cases.append(case("a missing targeting key only matters when a split is reached", "rule-split", {"country": "us"}, O(False, "DEFAULT")))
    return flags, cases

sf, sc = split_cases()
suites.append({"name": "splits",
    "description": "Percentage splits: bucket = XXH64(salt ‖ 0x00 ‖ flag key ‖ 0x00 ‖ value, seed 0) mod 100000, weights laid end to end in order. Buckets in case names were computed independently with Python's xxhash.",
    "snapshot": snap(sf), "cases": sc})

# ---------------------------------------------------------------- errors
err_flags = [
    {"key": "healthy-before", "type": "boolean", "variants": BOOL, "fallthrough": {"variant": "on"}},
    {"key": "broken", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "rules": [{"id": "r", "conditions": [{"attribute": "age", "op": "gt", "value": "eighteen"}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "healthy-after", "type": "string", "variants": {"a": "A", "b": "B"},
     "rules": [{"id": "b-plan", "conditions": [{"attribute": "plan", "op": "equals", "value": "b"}], "serve": {"variant": "b"}}],
     "fallthrough": {"variant": "a"}},
    {"key": "killed", "type": "boolean", "enabled": False, "variants": BOOL, "offVariant": "off", "fallthrough": {"variant": "on"}},
]
err_cases = [
    case("an unknown flag gives FLAG_NOT_FOUND", "no-such-flag", {"targetingKey": "user-1"}, ERR("FLAG_NOT_FOUND")),
    case("flag keys are case-sensitive", "Healthy-Before", {"targetingKey": "user-1"}, ERR("FLAG_NOT_FOUND")),
    case("a broken flag gives PARSE_ERROR", "broken", {"targetingKey": "user-1", "age": 30}, ERR("PARSE_ERROR")),
    case("the flag before a broken one works", "healthy-before", {"targetingKey": "user-1"}, O(True, "STATIC")),
    case("the flag after a broken one works", "healthy-after", {"targetingKey": "user-1", "plan": "b"}, E("B", "b", "TARGETING_MATCH", ruleId="b-plan")),
    case("a context within the limits evaluates normally", "healthy-after", {"targetingKey": "user-1", "plan": "b", "country": "ca"}, E("B", "b", "TARGETING_MATCH", ruleId="b-plan")),
    case("a context with more attributes than allowed gives INVALID_CONTEXT", "healthy-after", {"targetingKey": "user-1", "plan": "b", "country": "ca", "age": 30}, ERR("INVALID_CONTEXT")),
    case("INVALID_CONTEXT applies even to a flag that ignores the context", "healthy-before", {"a": 1, "b": 2, "c": 3, "d": 4}, ERR("INVALID_CONTEXT")),
    case("the kill switch comes before the context check: off holds even for an over-limit context", "killed", {"a": 1, "b": 2, "c": 3, "d": 4}, O(False, "DISABLED")),
    case("PARSE_ERROR comes before INVALID_CONTEXT", "broken", {"a": 1, "b": 2, "c": 3, "d": 4}, ERR("PARSE_ERROR")),
    case("FLAG_NOT_FOUND comes before INVALID_CONTEXT", "no-such-flag", {"a": 1, "b": 2, "c": 3, "d": 4}, ERR("FLAG_NOT_FOUND")),
    case("a string value longer than allowed gives INVALID_CONTEXT", "healthy-before", {"targetingKey": "user-123456789012345"}, ERR("INVALID_CONTEXT")),
    case("a string value of exactly the allowed length is fine", "healthy-before", {"targetingKey": "user-12345678901"}, O(True, "STATIC")),
    case("an attribute name longer than allowed gives INVALID_CONTEXT", "healthy-before", {"a-very-long-attribute": 1}, ERR("INVALID_CONTEXT")),
    case("a list with more items than allowed gives INVALID_CONTEXT", "healthy-before", {"roles": ["a", "b", "c"]}, ERR("INVALID_CONTEXT")),
    case("a string inside a list longer than allowed gives INVALID_CONTEXT", "healthy-before", {"roles": ["administrator-of-things"]}, ERR("INVALID_CONTEXT")),
    case("a list with the allowed number of items is fine", "healthy-before", {"roles": ["a", "b"]}, O(True, "STATIC")),
]
suites.append({"name": "errors",
    "description": "FLAG_NOT_FOUND, PARSE_ERROR for a broken flag while its neighbours work, and INVALID_CONTEXT when the context breaks a limit (small limits are set for this suite).",
    "limits": {"maxContextAttributes": 3, "maxContextStringBytes": 16, "maxContextListItems": 2},
    "snapshot": snap(err_flags), "cases": err_cases})

# ---------------------------------------------------------------- typed accessors
typed_flags = [
    {"key": "bool-flag", "type": "boolean", "variants": BOOL, "fallthrough": {"variant": "on"}},
    {"key": "string-flag", "type": "string", "variants": {"x": "hello"}, "fallthrough": {"variant": "x"}},
    {"key": "number-flag", "type": "number", "variants": {"small": 2.5, "big": 250}, "fallthrough": {"variant": "big"}},
    {"key": "object-flag", "type": "object", "variants": {"cfg": {"a": [1, 2]}, "list": [1, "two", None]}, "fallthrough": {"variant": "list"}},
    {"key": "off-without-default", "type": "boolean", "enabled": False, "variants": BOOL, "fallthrough": {"variant": "on"}},
    {"key": "broken", "type": "number", "variants": {"n": "not a number"}, "fallthrough": {"variant": "n"}},
]
T = lambda name, flag, as_, default, expect, ctx=None: case(name, flag, ctx or {"targetingKey": "user-1"}, expect, **{"as": as_, "default": default})
typed_cases = [
    T("a boolean flag read as boolean gives its value", "bool-flag", "boolean", False, E(True, "on", "STATIC")),
    T("a string flag read as string gives its value", "string-flag", "string", "fallback", E("hello", "x", "STATIC")),
    T("a number flag read as number gives its value", "number-flag", "number", 0, E(250, "big", "STATIC")),
    T("an object flag read as object gives any JSON value", "object-flag", "object", {}, E([1, "two", None], "list", "STATIC")),
    T("a string flag read as boolean gives the default with TYPE_MISMATCH", "string-flag", "boolean", True, E(True, None, "ERROR", errorCode="TYPE_MISMATCH")),
    T("a boolean flag read as number gives the default with TYPE_MISMATCH", "bool-flag", "number", 7, E(7, None, "ERROR", errorCode="TYPE_MISMATCH")),
    T("a number flag read as object gives the default with TYPE_MISMATCH (object is a type of its own)", "number-flag", "object", {"d": 1}, E({"d": 1}, None, "ERROR", errorCode="TYPE_MISMATCH")),
    T("an unknown flag read as boolean gives the default with FLAG_NOT_FOUND", "missing", "boolean", True, E(True, None, "ERROR", errorCode="FLAG_NOT_FOUND")),
    T("a broken flag gives the default with PARSE_ERROR", "broken", "number", 1, E(1, None, "ERROR", errorCode="PARSE_ERROR")),
    T("a switched-off flag without an off variant gives the default without an error", "off-without-default", "boolean", True, E(True, None, "DISABLED")),
]
suites.append({"name": "typed accessors",
    "description": "Cases with `as` read the flag through a typed accessor (boolean, string, number, object) with the caller's `default`; `expect.value` is then what the caller receives.",
    "snapshot": snap(typed_flags), "cases": typed_cases})

# ---------------------------------------------------------------- product examples
prod_flags = [
    {"key": "quebec-ontario-launch", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "rules": [{"id": "canada-east", "conditions": [{"attribute": "jurisdiction", "op": "in", "values": ["ontario", "quebec"]}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "debug-panel", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "rules": [{"id": "non-production", "conditions": [{"attribute": "environment", "op": "in", "values": ["development", "staging"]}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "admin-console", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "rules": [{"id": "admins", "conditions": [{"attribute": "roles", "op": "in", "values": ["admin", "owner"]}], "serve": {"variant": "on"}}],
     "fallthrough": {"variant": "off"}},
    {"key": "holiday-theme", "type": "string", "variants": {"winter": "winter-2026", "default": "classic"}, "offVariant": "default",
     "schedule": {"start": "2026-12-15T00:00:00Z", "end": "2027-01-06T00:00:00Z"}, "fallthrough": {"variant": "winter"}},
    {"key": "new-dashboard", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "overrides": [{"variant": "off", "keys": ["user-13"]}], "fallthrough": {"variant": "on"}},
    {"key": "dashboard-widgets", "type": "number", "variants": {"few": 3, "many": 12}, "offVariant": "few",
     "prerequisites": [{"flag": "new-dashboard", "variants": ["on"]}], "fallthrough": {"variant": "many"}},
]
prod_cases = [
    case("a user in Quebec gets the launch", "quebec-ontario-launch", {"targetingKey": "user-1", "jurisdiction": "quebec"}, O(True, "TARGETING_MATCH", ruleId="canada-east")),
    case("a user in Ontario gets the launch", "quebec-ontario-launch", {"targetingKey": "user-2", "jurisdiction": "ontario"}, O(True, "TARGETING_MATCH", ruleId="canada-east")),
    case("a user in Alberta does not", "quebec-ontario-launch", {"targetingKey": "user-3", "jurisdiction": "alberta"}, O(False, "DEFAULT")),
    case("a user without a jurisdiction does not", "quebec-ontario-launch", {"targetingKey": "user-4"}, O(False, "DEFAULT")),
    case("the debug panel is on in staging", "debug-panel", {"environment": "staging"}, O(True, "TARGETING_MATCH", ruleId="non-production")),
    case("the debug panel is off in production", "debug-panel", {"environment": "production"}, O(False, "DEFAULT")),
    case("an admin (one of several roles) sees the admin console", "admin-console", {"targetingKey": "user-1", "roles": ["editor", "admin"]}, O(True, "TARGETING_MATCH", ruleId="admins")),
    case("an owner given as a single string sees the admin console", "admin-console", {"targetingKey": "user-2", "roles": "owner"}, O(True, "TARGETING_MATCH", ruleId="admins")),
    case("a viewer does not see the admin console", "admin-console", {"targetingKey": "user-3", "roles": ["viewer"]}, O(False, "DEFAULT")),
    case("the holiday theme is off before its date range", "holiday-theme", {}, E("classic", "default", "DISABLED"), now="2026-12-14T23:59:59Z"),
    case("the holiday theme is on during its date range", "holiday-theme", {}, E("winter-2026", "winter", "DEFAULT"), now="2026-12-25T18:00:00Z"),
    case("the holiday theme is off after its date range", "holiday-theme", {}, E("classic", "default", "DISABLED"), now="2027-01-06T00:00:00Z"),
    case("user-13 is forced off the new dashboard", "new-dashboard", {"targetingKey": "user-13"}, O(False, "OVERRIDE")),
    case("everyone else gets the new dashboard", "new-dashboard", {"targetingKey": "user-42"}, O(True, "DEFAULT")),
    case("dashboard widgets depend on the new dashboard: many for those who have it", "dashboard-widgets", {"targetingKey": "user-42"}, E(12, "many", "DEFAULT")),
    case("dashboard widgets depend on the new dashboard: few for user-13", "dashboard-widgets", {"targetingKey": "user-13"}, E(3, "few", "PREREQUISITE_FAILED")),
]
suites.append({"name": "product examples",
    "description": "The examples the product is sold on: a jurisdiction rule, an environment rule, a role rule, a date-range flag, a user forced off while everyone else is on, and a flag that depends on another.",
    "snapshot": snap(prod_flags, environment="production"), "cases": prod_cases})

# ---------------------------------------------------------------- reading inputs
SPLIT_HALVES = {"split": [{"variant": "on", "weight": 50000}, {"variant": "off", "weight": 50000}]}
input_flags = [
    op_flag("n-gt-0", {"attribute": "n", "op": "gt", "value": 0}),
    op_flag("n-exists", {"attribute": "n", "op": "exists"}),
    op_flag("roles-admin", {"attribute": "roles", "op": "in", "values": ["admin"]}),
    op_flag("roles-exists", {"attribute": "roles", "op": "exists"}),
    {"key": "halves", "type": "boolean", "variants": BOOL, "offVariant": "off", "fallthrough": SPLIT_HALVES},
    op_flag("after-9999", {"attribute": "at", "op": "after", "value": "9999-12-31T23:59:59.999999999Z"}),
    op_flag("before-0000", {"attribute": "at", "op": "before", "value": "0000-01-01T00:00:00Z"}),
    op_flag("semver-gt-u64-max", {"attribute": "appVersion", "op": "semverGt", "value": "18446744073709551615.0.0"}),
    op_flag("semver-lt-huge", {"attribute": "appVersion", "op": "semverLt", "value": "100000000000000000000000.0.0"}),
    op_flag("semver-lt-huge-pre", {"attribute": "appVersion", "op": "semverLt", "value": "1.0.0-100000000000000000000"}),
    # One attribute read by a date and by other operators: only the date operator reads it as
    # an instant (a prepared context reads it ahead as one).
    op_flag("t-after", {"attribute": "t", "op": "after", "value": "2026-01-01T00:00:00Z"}),
    op_flag("t-equals", {"attribute": "t", "op": "equals", "values": ["2026-06-01T00:00:00Z", 3]}),
    op_flag("t-lt", {"attribute": "t", "op": "lt", "value": 5}),
    op_flag("v-gte", {"attribute": "v", "op": "semverGte", "value": "2.0.0"}),
    op_flag("v-starts", {"attribute": "v", "op": "startsWith", "value": "2."}),
    op_flag("v-lt", {"attribute": "v", "op": "lt", "value": 10}),
]
b1 = bucket("", "halves", "1")
h1 = pick([("on", 50000), ("off", 50000)], b1)[0]
HALF = lambda v: E(v == "on", v, "SPLIT")
IC = ERR("INVALID_CONTEXT")
input_cases = [
    case("a context number beyond the double range (1e400) reads as null, as JavaScript's JSON writes Infinity", "n-gt-0", '{"targetingKey": "user-1", "n": 1e400}', N),
    case("a context number of 1e400 is an absent attribute", "n-exists", '{"targetingKey": "user-1", "n": 1e400}', N),
    case("a context number of -1e400 is an absent attribute", "n-exists", '{"n": -1e400}', N),
    case("a context number that underflows (1e-400) is zero, and present", "n-exists", '{"n": 1e-400}', M),
    case("a context number that underflows (1e-400) is zero, not above it", "n-gt-0", '{"n": 1e-400}', N),
    case("a list item of 1e400 is dropped like null; the other items still match", "roles-admin", '{"roles": [1e400, "admin"]}', M),
    case("a list of only 1e400 is an empty list, which exists", "roles-exists", '{"roles": [1e400]}', M),
    case("a targeting key of 1e400 is no targeting key: a split cannot bucket", "halves", '{"targetingKey": 1e400}', ERR("TARGETING_KEY_MISSING")),
    case(f"a numeric targeting key written 1e0 is the key 1 (bucket {b1})", "halves", '{"targetingKey": 1e0}', HALF(h1)),
    case("an attribute given twice in one context gives INVALID_CONTEXT", "n-gt-0", '{"targetingKey": "user-1", "n": 0, "n": 9}', IC),
    case("an attribute given twice gives INVALID_CONTEXT even for a flag that does not read it", "halves", '{"targetingKey": "user-1", "a": 1, "a": 1}', IC),
    case("a repeated targetingKey gives INVALID_CONTEXT", "halves", '{"targetingKey": "user-1", "targetingKey": "user-1"}', IC),
    case("Unix milliseconds of exactly 8.64e15 (the end of JavaScript's Date range) are an instant", "after-9999", u(at=8640000000000000), M),
    case("Unix milliseconds of 8.64e15 written with an exponent are the same instant", "after-9999", '{"at": 8.64e15}', M),
    case("Unix milliseconds of 8.64e15 + 1 are beyond JavaScript's Date range: not an instant", "after-9999", u(at=8640000000000001), N),
    case("Unix milliseconds of 1e20 are not an instant", "after-9999", u(at=1e20), N),
    case("Unix milliseconds of exactly -8.64e15 (the start of JavaScript's Date range) are an instant", "before-0000", u(at=-8640000000000000), M),
    case("Unix milliseconds of -8.64e15 - 1 are not an instant", "before-0000", u(at=-8640000000000001), N),
    case("Unix milliseconds of -1e20 are not an instant", "before-0000", u(at=-1e20), N),
    case("a version number beyond 2^64 - 1 is a version, and greater", "semver-gt-u64-max", u(appVersion="18446744073709551616.0.0"), M),
    case("a patch above a major of 2^64 - 1 compares as usual", "semver-gt-u64-max", u(appVersion="18446744073709551615.0.1"), M),
    case("a small version is below a major of 2^64 - 1", "semver-gt-u64-max", u(appVersion="9.0.0"), N),
    case("an operand with a 24-digit major is a version: 2^64 is below it", "semver-lt-huge", u(appVersion="18446744073709551616.0.0"), M),
    case("a 23-digit major is below a 24-digit one", "semver-lt-huge", u(appVersion="99999999999999999999999.9.9"), M),
    case("equal 24-digit majors are not less", "semver-lt-huge", u(appVersion="100000000000000000000000.0.0"), N),
    case("a longer major is greater", "semver-lt-huge", u(appVersion="1000000000000000000000000.0.0"), N),
    case("numeric pre-release identifiers beyond 2^64 compare by value", "semver-lt-huge-pre", u(appVersion="1.0.0-99999999999999999999"), M),
    case("a numeric pre-release identifier beyond 2^64 is still below an alphanumeric one", "semver-lt-huge-pre", u(appVersion="1.0.0-alpha"), N),
    case("equals reads an attribute that a date operator also reads as the text it is", "t-equals", u(t="2026-06-01T00:00:00Z"), M),
    case("equals reads a number that a date operator also reads as the number it is", "t-equals", u(t=3), M),
    case("lt reads a number that a date operator also reads as a number", "t-lt", u(t=3), M),
    case("the date operator reads the same number as Unix milliseconds", "t-after", u(t=3), N),
    case("the date operator reads the same text as an instant", "t-after", u(t="2026-06-01T00:00:00Z"), M),
    case("startsWith reads an attribute that a semver operator also reads as the text it is", "v-starts", u(v="2.1.0"), M),
    case("the semver operator reads the same text as a version", "v-gte", u(v="2.1.0"), M),
    case("lt reads a number that a semver operator also reads", "v-lt", u(v=3), M),
]
suites.append({"name": "reading inputs",
    "description": "One reading of every input in every runtime. A case whose `context` is a string gives the context as JSON text, for what a parsed object cannot hold: a number beyond the range of a double reads as null (JavaScript reads it as Infinity, which its JSON writes as null), and an attribute named twice makes the context unreadable (INVALID_CONTEXT). Unix milliseconds are an instant within JavaScript's Date range, ±8.64e15 inclusive; version numbers have no size limit.",
    "snapshot": snap(input_flags), "cases": input_cases})

# ---------------------------------------------------------------- cost bounds
# Every test is charged before it runs (docs/snapshot-format.md#cost-and-memory): 10 per flag
# evaluated, 3 per test, plus per string value n + 1 and the operator's work (matches: states x
# (n + 1); contains: n + needle per needle; ...). The default limit is 50,000.
def MATCHES(attribute, pattern):
    return {"attribute": attribute, "op": "matches", "value": pattern}
heavy_segment = {"key": "heavy", "conditions": [MATCHES("name", "(?:x|y|z){10}q")]}
needles = ["a" * 2000 + str(i) for i in range(10)]
cost_flags = [
    op_flag("long-match", MATCHES("name", "a{200}")),
    {"key": "segment-many-times", "type": "boolean", "variants": BOOL, "offVariant": "off",
     "rules": [{"id": f"r{i}", "conditions": [{"op": "inSegment", "value": "heavy"}], "serve": {"variant": "on"}} for i in range(100)],
     "fallthrough": {"variant": "off"}},
    op_flag("needles", {"attribute": "name", "op": "contains", "values": needles}),
    op_flag("gate", MATCHES("name", "(?:p|q){50}")),
    dict(op_flag("needs-gate", MATCHES("name", "(?:p|q){50}")), prerequisites=[{"flag": "gate", "variants": ["off"]}]),
]
GENERAL = ERR("GENERAL")
cost_cases = [
    # a{200}: 201 states. 10 + 3 + 201 + 201 x 201 = 40,615 fits; 201 x 4,097 does not.
    case("a pattern over a short text fits the cost limit", "long-match", u(name="a" * 200), ON_MATCH()),
    case("the same pattern over a 4 KiB text would cost more than the limit: GENERAL", "long-match", u(name="a" * 4096), GENERAL),
    case("a costly segment named by 100 rules fits for a short text", "segment-many-times", u(name="xyz"), OFF_DEFAULT),
    case("a costly segment named by 100 rules is charged each time: GENERAL for a longer text", "segment-many-times", u(name="x" * 100), GENERAL),
    case("ten long needles over a 2,000-byte text fit", "needles", u(name="a" * 2000), OFF_DEFAULT),
    case("ten long needles over a 4 KiB text do not: GENERAL", "needles", u(name="a" * 4096), GENERAL),
    case("a needle is found when the search fits", "needles", u(name="b" + "a" * 2000 + "9"), ON_MATCH()),
    case("a flag that costs 80 % of the limit works alone", "gate", u(name="a" * 200), OFF_DEFAULT),
    case("a prerequisite's cost counts toward the flag that needs it: GENERAL", "needs-gate", u(name="a" * 200), GENERAL),
]
suites.append({"name": "cost bounds",
    "description": "Evaluations that would spend more than maxEvaluationCost (50,000 units by default) stop before the test that would go over and answer GENERAL; the same flags with cheaper contexts answer normally.",
    "snapshot": snap(cost_flags, segments=[heavy_segment]), "cases": cost_cases})
low_flags = [op_flag("long-match", MATCHES("name", "a{200}")), op_flag("in", {"attribute": "name", "op": "in", "values": ["x"]}),
             {"key": "static", "type": "boolean", "variants": BOOL, "offVariant": "off", "fallthrough": {"variant": "on"}},
             {"key": "overridden", "type": "boolean", "variants": BOOL, "offVariant": "off",
              "overrides": [{"variant": "off", "keys": ["k" * 89]}], "fallthrough": {"variant": "on"}},
             {"key": "split", "type": "boolean", "variants": BOOL, "offVariant": "off",
              "fallthrough": {"split": [{"variant": "on", "weight": 100000}]}},
             op_flag("in-segment", {"op": "inSegment", "value": "listed"})]
k = lambda size: {"targetingKey": "k" * size}
suites.append({"name": "cost limit lowered",
    "description": "maxEvaluationCost lowered to 100: a static flag (10) and a one-value test (10 + 3 + 2 + 2) fit, a 201-state pattern does not; looking up a targeting key of n bytes in overrides or for a split costs n + 1, and in a segment's two key lists twice that.",
    "limits": {"maxEvaluationCost": 100},
    "snapshot": snap(low_flags, segments=[{"key": "listed", "included": ["k" * 42]}]), "cases": [
        case("a static flag costs 10", "static", u(), E(True, "on", "STATIC")),
        case("a one-value test fits", "in", u(name="x"), ON_MATCH()),
        case("a 201-state pattern over one byte costs 10 + 3 + 2 + 402: GENERAL", "long-match", u(name="a"), GENERAL),
        case("an override lookup with an 89-byte key costs 10 + 90: it fits", "overridden", k(89), E(False, "off", "OVERRIDE")),
        case("an override lookup with a 90-byte key costs 10 + 91: GENERAL", "overridden", k(90), GENERAL),
        case("a split of an 89-byte key costs 10 + 90: it fits", "split", k(89), E(True, "on", "SPLIT")),
        case("a split of a 90-byte key costs 10 + 91: GENERAL", "split", k(90), GENERAL),
        case("a segment lookup of a 42-byte key costs 10 + 3 + 2 x 43: it fits", "in-segment", k(42), ON_MATCH()),
        case("a segment lookup of a 43-byte key costs 10 + 3 + 2 x 44: GENERAL", "in-segment", k(43), GENERAL),
    ]})

# ---------------------------------------------------------------- output
DESC = ("Evaluation vectors. Each suite loads `snapshot` (with the optional `limits`, camelCase overrides of the engine's limits) "
        "and evaluates each case's `flag` for `context` at `now`; a `context` that is a string is JSON text, read as the engine reads such text (one that cannot be read gives INVALID_CONTEXT). `expect` is the evaluation: `value` and `variant` (null for the caller's default), "
        "`reason`, and `errorCode` / `ruleId` exactly when present. A case with `as` (boolean, string, number, object) reads the flag through that "
        "typed accessor with the caller's `default`, and `expect.value` is what the caller receives.")
out = ['{', '  "version": 1,', f'  "description": {json.dumps(DESC)},', '  "suites": [']
for i, s in enumerate(suites):
    out.append("    {")
    out.append(f'      "name": {json.dumps(s["name"])},')
    out.append(f'      "description": {json.dumps(s["description"], ensure_ascii=False)},')
    if "limits" in s:
        out.append(f'      "limits": {dump_compact(s["limits"])},')
    out.append(f'      "snapshot": {dump_snapshot(s["snapshot"], 6).lstrip()},')
    out.append('      "cases": [')
    for j, c in enumerate(s["cases"]):
        comma = "," if j < len(s["cases"]) - 1 else ""
        out.append(f"        {dump_compact(c)}{comma}")
    out.append("      ]")
    out.append("    }" + ("," if i < len(suites) - 1 else ""))
out.append("  ]")
out.append("}")
text = "\n".join(out) + "\n"
json.loads(text)
open(sys.argv[1], "w").write(text)
print(sum(len(s["cases"]) for s in suites), "cases")
