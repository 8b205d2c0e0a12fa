import json, sys, copy
from common import *

BOOL = {"on": True, "off": False}
FLAG = {"key": "f", "type": "boolean", "variants": BOOL, "offVariant": "off", "fallthrough": {"variant": "on"}}

def doc(flags=None, segments=None, **top):
    d = dict(HEADER)
    d.update(top)
    if segments is not None:
        d["segments"] = segments
    d["flags"] = flags if flags is not None else [FLAG]
    return d

def text(d):
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

def flag(**kw):
    f = copy.deepcopy(FLAG)
    for k, v in kw.items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    return f

def rule(conds, rid="r"):
    return {"id": rid, "conditions": conds, "serve": {"variant": "on"}}

cases = []
def C(name, document, code, path, limits=None):
    if not isinstance(document, str):
        document = text(document)
    c = {"name": name, "document": document}
    if limits: c["limits"] = limits
    c["expect"] = {"code": code, "path": path}
    cases.append(c)

valid = text(doc())
# --- not JSON
C("plain text is not JSON", "hello, world", "NOT_JSON", None)
C("an empty body is not JSON", "", "NOT_JSON", None)
C("a body of whitespace is not JSON", " \n\t ", "NOT_JSON", None)
C("a truncated download is not JSON", valid[: len(valid) // 2], "NOT_JSON", None)
C("a document cut off just before its last brace is not JSON", valid[:-1], "NOT_JSON", None)
C("an HTML error page served in place of the snapshot is not JSON",
  "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n", "NOT_JSON", None)
C("trailing text after the document is not JSON", valid + " garbage", "NOT_JSON", None)
C("two documents in a row are not JSON", valid + valid, "NOT_JSON", None)
C("a trailing comma is not JSON", valid[:-1] + ",}", "NOT_JSON", None)
C("single-quoted strings are not JSON", valid.replace('"', "'"), "NOT_JSON", None)
C("comments are not JSON", "// snapshot\n" + valid, "NOT_JSON", None)
C("NaN is not JSON", valid.replace('"revision":1', '"revision":NaN'), "NOT_JSON", None)
C("a lone surrogate escape in a string is not JSON that can be read", valid.replace('"key":"f"', '"key":"\\ud800"'), "NOT_JSON", None)

# --- shape
C("a bare array is the wrong shape", "[]", "SHAPE", "$")
C("a bare array of flags is the wrong shape", text([FLAG]), "SHAPE", "$")
C("null is the wrong shape", "null", "SHAPE", "$")
C("a number is the wrong shape", "42", "SHAPE", "$")
C("a string is the wrong shape", '"snapshot"', "SHAPE", "$")
C("an empty object lacks every required field", "{}", "SHAPE", "$")
for field in ["schemaVersion", "revision", "generatedAt", "flags"]:
    d = doc(); d.pop(field)
    C(f"a document without {field} is the wrong shape", d, "SHAPE", "$")
C("revision as a string is the wrong shape", doc(revision="12"), "SHAPE", "$.revision")
C("a negative revision is the wrong shape", doc(revision=-1), "SHAPE", "$.revision")
C("a fractional revision is the wrong shape", doc(revision=1.5), "SHAPE", "$.revision")
C("a revision beyond 2^64-1 is the wrong shape", valid.replace('"revision":1', '"revision":18446744073709551616'), "SHAPE", "$.revision")
C("a revision beyond the range of a double is the wrong shape, not a syntax error", valid.replace('"revision":1', '"revision":1e400'), "SHAPE", "$.revision")
C("a revision of 7.5 is the wrong shape (7.0 and 7e0 are 7)", valid.replace('"revision":1', '"revision":7.5'), "SHAPE", "$.revision")
C("schemaVersion as a string is the wrong shape", doc(schemaVersion="1"), "SHAPE", "$.schemaVersion")
C("generatedAt as a number is the wrong shape", doc(generatedAt=1793491200000), "SHAPE", "$.generatedAt")
C("environment as a number is the wrong shape", doc(environment=3), "SHAPE", "$.environment")
C("flags as an object is the wrong shape", doc(flags={"f": FLAG}), "SHAPE", "$.flags")
C("segments as an object is the wrong shape", doc(segments={}), "SHAPE", "$.segments")
C("a flag that is not an object is the wrong shape", doc(flags=[FLAG, "g"]), "SHAPE", "$.flags[1]")
for field in ["key", "type", "variants", "fallthrough"]:
    C(f"a flag without {field} is the wrong shape", doc(flags=[FLAG, flag(**{field: None})]), "SHAPE", "$.flags[1]")
C("a numeric flag key is the wrong shape", doc(flags=[flag(key=7)]), "SHAPE", "$.flags[0].key")
C("enabled as a string is the wrong shape", doc(flags=[flag(enabled="yes")]), "SHAPE", "$.flags[0].enabled")
C("variants as an array is the wrong shape", doc(flags=[flag(variants=[True, False])]), "SHAPE", "$.flags[0].variants")
C("offVariant as a boolean is the wrong shape", doc(flags=[flag(offVariant=False)]), "SHAPE", "$.flags[0].offVariant")
C("a fallthrough that is a string is the wrong shape", doc(flags=[flag(fallthrough="on")]), "SHAPE", "$.flags[0].fallthrough")
split = lambda w: {"split": [{"variant": "on", "weight": w}, {"variant": "off", "weight": 50000}]}
C("a weight given as a string is the wrong shape", doc(flags=[flag(fallthrough=split("50000"))]), "SHAPE", "$.flags[0].fallthrough.split[0].weight")
C("a split slice without a weight is the wrong shape", doc(flags=[flag(fallthrough={"split": [{"variant": "on"}]})]), "SHAPE", "$.flags[0].fallthrough.split[0]")
C("rules as an object is the wrong shape", doc(flags=[flag(rules={"r": {}})]), "SHAPE", "$.flags[0].rules")
C("a rule without serve is the wrong shape", doc(flags=[flag(rules=[{"id": "r", "conditions": []}])]), "SHAPE", "$.flags[0].rules[0]")
C("a condition without op is the wrong shape", doc(flags=[flag(rules=[rule([{"attribute": "plan", "value": "pro"}])])]), "SHAPE", "$.flags[0].rules[0].conditions[0]")
C("negate as a string is the wrong shape", doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "equals", "value": "pro", "negate": "true"}])])]), "SHAPE", "$.flags[0].rules[0].conditions[0].negate")
C("a condition's values as a single string is the wrong shape", doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "in", "values": "pro"}])])]), "SHAPE", "$.flags[0].rules[0].conditions[0].values")
C("override keys as a string is the wrong shape", doc(flags=[flag(overrides=[{"variant": "on", "keys": "user-1"}])]), "SHAPE", "$.flags[0].overrides[0].keys")
C("a prerequisite without variants is the wrong shape", doc(flags=[FLAG, flag(key="g", prerequisites=[{"flag": "f"}])]), "SHAPE", "$.flags[1].prerequisites[0]")
C("a schedule start given as Unix milliseconds is the wrong shape", doc(flags=[flag(schedule={"start": 1793491200000})]), "SHAPE", "$.flags[0].schedule.start")
C("metadata version as a string is the wrong shape", doc(flags=[flag(metadata={"version": "3"})]), "SHAPE", "$.flags[0].metadata.version")
C("metadata tags that are not all strings are the wrong shape", doc(flags=[flag(metadata={"tags": ["web", 7]})]), "SHAPE", "$.flags[0].metadata.tags[1]")
C("metadata tags as one string are the wrong shape", doc(flags=[flag(metadata={"tags": "web"})]), "SHAPE", "$.flags[0].metadata.tags")
C("segment excluded keys as numbers are the wrong shape", doc(segments=[{"key": "s", "excluded": ["user-1", 2]}]), "SHAPE", "$.segments[0].excluded[1]")
C("a segment without a key is the wrong shape", doc(segments=[{"included": ["user-1"]}]), "SHAPE", "$.segments[0]")
C("segment included keys as numbers are the wrong shape", doc(segments=[{"key": "s", "included": [1, 2]}]), "SHAPE", "$.segments[0].included[0]")

# --- duplicate fields
C("a field given twice at the top level is the wrong shape",
  valid.replace('"revision":1,', '"revision":1,"revision":2,'), "SHAPE", "$")
C("a field given twice in a flag is the wrong shape",
  valid.replace('"key":"f",', '"key":"f","key":"g",'), "SHAPE", "$.flags[0]")
C("a field given twice in a condition is the wrong shape",
  text(doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "equals", "value": "pro"}])])])).replace('"op":"equals"', '"op":"equals","op":"notEquals"'),
  "SHAPE", "$.flags[0].rules[0].conditions[0]")
C("a field given twice in a schedule is the wrong shape",
  text(doc(flags=[flag(schedule={"start": "2026-11-01T00:00:00Z"})])).replace('"start":', '"start":"2026-12-01T00:00:00Z","start":'),
  "SHAPE", "$.flags[0].schedule")

# --- arrays where objects belong (fields must not be read by position)
C("a snapshot written as an array of its fields is the wrong shape", text([1, 1, "2026-11-01T00:00:00Z", None, [], []]), "SHAPE", "$")
C("a flag written as an array of its fields is the wrong shape", doc(flags=[["f", "boolean", True, {"on": True}, None, {"variant": "on"}]]), "SHAPE", "$.flags[0]")
C("a fallthrough written as an array is the wrong shape", doc(flags=[flag(fallthrough=["on"])]), "SHAPE", "$.flags[0].fallthrough")
C("a split slice written as an array is the wrong shape", doc(flags=[flag(fallthrough={"split": [["on", 100000]]})]), "SHAPE", "$.flags[0].fallthrough.split[0]")
C("a condition written as an array is the wrong shape", doc(flags=[flag(rules=[rule([["plan", "equals", "pro"]])])]), "SHAPE", "$.flags[0].rules[0].conditions[0]")
C("a schedule written as an array is the wrong shape", doc(flags=[flag(schedule=["2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"])]), "SHAPE", "$.flags[0].schedule")
C("a segment written as an array is the wrong shape", doc(segments=[["s", ["user-1"]]]), "SHAPE", "$.segments[0]")

# --- bad generatedAt
C("generatedAt that is not a date is the wrong shape", doc(generatedAt="yesterday"), "SHAPE", "$.generatedAt")
C("generatedAt without a time is the wrong shape", doc(generatedAt="2026-11-01"), "SHAPE", "$.generatedAt")
C("generatedAt without an offset is the wrong shape", doc(generatedAt="2026-11-01T00:00:00"), "SHAPE", "$.generatedAt")
C("generatedAt on February 30 is the wrong shape", doc(generatedAt="2026-02-30T00:00:00Z"), "SHAPE", "$.generatedAt")

# --- schema version
C("schemaVersion 2 is not supported", doc(schemaVersion=2), "UNSUPPORTED_SCHEMA_VERSION", "$.schemaVersion")
C("schemaVersion 0 is not supported", doc(schemaVersion=0), "UNSUPPORTED_SCHEMA_VERSION", "$.schemaVersion")
C("a document of a future schema version whose shape is otherwise foreign says the version, not the shape",
  text({"schemaVersion": 3, "features": {"dark-mode": {"on": True}}}), "UNSUPPORTED_SCHEMA_VERSION", "$.schemaVersion")
C("a future schema version with flags of another shape says the version",
  text({"schemaVersion": 2, "revision": 1, "generatedAt": "2026-11-01T00:00:00Z", "flags": {"dark-mode": True}}), "UNSUPPORTED_SCHEMA_VERSION", "$.schemaVersion")

# --- the worst problem wins, wherever it is in the document (readers work in one pass)
C("a future schema version stated after flags of another shape says the version",
  '{"flags":[{"name":"dark-mode","on":true}],"generatedAt":"2026-11-01T00:00:00Z","revision":1,"schemaVersion":2}',
  "UNSUPPORTED_SCHEMA_VERSION", "$.schemaVersion")
C("a shape error followed later by text that is not JSON is not JSON",
  '{"schemaVersion":1,"revision":"one","generatedAt":"2026-11-01T00:00:00Z","flags":[tru]}', "NOT_JSON", None)
C("a shape error followed later by a depth bomb is over the depth limit",
  '{"schemaVersion":1,"revision":"one","generatedAt":"2026-11-01T00:00:00Z","flags":[],"x":' + "[" * 70 + "]" * 70 + "}",
  "LIMIT_JSON_DEPTH", "$")
C("a shape error in flags before a missing schemaVersion says the schemaVersion is missing",
  '{"flags":[{"key":5}],"revision":1,"generatedAt":"2026-11-01T00:00:00Z"}', "SHAPE", "$")
C("a repeated unknown member is the wrong shape",
  text(doc()).replace('"flags":', '"note":1,"note":2,"flags":'), "SHAPE", "$")
C("a repeated member after an unknown one is the wrong shape",
  text(doc()).replace('"revision":1', '"revision":1,"x-note":"a","revision":2'), "SHAPE", "$")
C("a repeated member in flag metadata is the wrong shape",
  text(doc(flags=[flag(metadata={"owner": "web"})])).replace('"owner":"web"', '"owner":"web","owner":"ads"'),
  "SHAPE", "$.flags[0].metadata")
# --- no object anywhere may repeat a member, even inside a value the engine does not read
C("a repeated member inside a free-form metadata value is the wrong shape",
  text(doc(flags=[flag(metadata={"links": {"docs": "a"}})])).replace('"docs":"a"', '"docs":"a","docs":"b"'),
  "SHAPE", "$.flags[0].metadata.links")
C("a repeated member inside an unknown top-level member is the wrong shape",
  text(doc(publishedBy={"name": "a"})).replace('"name":"a"', '"name":"a","name":"b"'), "SHAPE", "$.publishedBy")
C("a repeated member inside a rule's description is the wrong shape",
  text(doc(flags=[flag(rules=[dict(rule([]), description={"en": "x"})])])).replace('"en":"x"', '"en":"x","en":"y"'),
  "SHAPE", "$.flags[0].rules[0].description")
C("a repeated member inside a segment's metadata is the wrong shape",
  text(doc(segments=[{"key": "s", "metadata": [{"note": "a"}]}])).replace('"note":"a"', '"note":"a","note":"b"'),
  "SHAPE", "$.segments[0].metadata")
C("a repeated member inside an object given as a condition operand is the wrong shape",
  text(doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "in", "values": ["pro", {"a": 1}]}])])])).replace('"a":1', '"a":1,"a":2'),
  "SHAPE", "$.flags[0].rules[0].conditions[0].values[1]")

# --- limits
C("a document over the byte limit is rejected", valid, "LIMIT_DOCUMENT_BYTES", "$", {"maxDocumentBytes": 64})
C("a depth bomb of nested arrays is rejected", "[" * 65 + "]" * 65, "LIMIT_JSON_DEPTH", "$")
C("an unterminated depth bomb is rejected before parsing", "[" * 5000, "LIMIT_JSON_DEPTH", "$")
C("a depth bomb of nested objects is rejected", '{"a":' * 65 + "1" + "}" * 65, "LIMIT_JSON_DEPTH", "$")
deep = {"x": 1}
for _ in range(8): deep = {"x": deep}
C("a deeply nested variant value is rejected", doc(flags=[flag(type="object", variants={"on": deep, "off": {}})]), "LIMIT_JSON_DEPTH", "$", {"maxJsonDepth": 8})
C("more flags than allowed are rejected", doc(flags=[flag(key=k) for k in "abc"]), "LIMIT_FLAGS", "$.flags", {"maxFlags": 2})
C("more segments than allowed are rejected", doc(segments=[{"key": "s1"}, {"key": "s2"}]), "LIMIT_SEGMENTS", "$.segments", {"maxSegments": 1})
C("more variants than allowed are rejected", doc(flags=[flag(type="string", variants={"a": "a", "b": "b", "c": "c"}, offVariant="a", fallthrough={"variant": "a"})]), "LIMIT_VARIANTS", "$.flags[0].variants", {"maxVariants": 2})
C("a split with more slices than the variant limit is rejected",
  doc(flags=[flag(fallthrough={"split": [{"variant": "on", "weight": 30000}, {"variant": "off", "weight": 30000}, {"variant": "on", "weight": 40000}]})]),
  "LIMIT_VARIANTS", "$.flags[0].fallthrough.split", {"maxVariants": 2})
cond = {"attribute": "plan", "op": "equals", "value": "pro"}
C("more rules than allowed are rejected", doc(flags=[flag(rules=[rule([cond], "a"), rule([cond], "b")])]), "LIMIT_RULES", "$.flags[0].rules", {"maxRules": 1})
C("more conditions in a rule than allowed are rejected", doc(flags=[flag(rules=[rule([cond] * 3)])]), "LIMIT_CONDITIONS", "$.flags[0].rules[0].conditions", {"maxConditions": 2})
C("more conditions in a segment than allowed are rejected", doc(segments=[{"key": "s", "conditions": [cond] * 3}]), "LIMIT_CONDITIONS", "$.segments[0].conditions", {"maxConditions": 2})
C("more condition values than allowed are rejected", doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "in", "values": ["a", "b", "c", "d"]}])])]), "LIMIT_LIST_VALUES", "$.flags[0].rules[0].conditions[0].values", {"maxListValues": 3})
C("more included keys in a segment than allowed are rejected", doc(segments=[{"key": "s", "included": ["u1", "u2", "u3", "u4"]}]), "LIMIT_LIST_VALUES", "$.segments[0].included", {"maxListValues": 3})
C("more excluded keys in a segment than allowed are rejected", doc(segments=[{"key": "s", "excluded": ["u1", "u2", "u3", "u4"]}]), "LIMIT_LIST_VALUES", "$.segments[0].excluded", {"maxListValues": 3})
C("more keys in an override than allowed are rejected", doc(flags=[flag(overrides=[{"variant": "on", "keys": ["u1", "u2", "u3", "u4"]}])]), "LIMIT_LIST_VALUES", "$.flags[0].overrides[0].keys", {"maxListValues": 3})
C("more overrides than allowed are rejected", doc(flags=[flag(overrides=[{"variant": "on", "keys": [f"u{i}"]} for i in range(4)])]), "LIMIT_LIST_VALUES", "$.flags[0].overrides", {"maxListValues": 3})
C("more prerequisites than allowed are rejected", doc(flags=[flag(key=k) for k in "abcd"] + [flag(key="e", prerequisites=[{"flag": k, "variants": ["on"]} for k in "abcd"])]), "LIMIT_LIST_VALUES", "$.flags[4].prerequisites", {"maxListValues": 3})
C("more variants in a prerequisite than allowed are rejected", doc(flags=[FLAG, flag(key="g", prerequisites=[{"flag": "f", "variants": ["on", "off", "on", "off"]}])]), "LIMIT_LIST_VALUES", "$.flags[1].prerequisites[0].variants", {"maxListValues": 3})
C("a flag key over the default 256 bytes is rejected", doc(flags=[flag(key="k" * 257)]), "LIMIT_KEY_BYTES", "$.flags[0].key")
C("a flag key of 129 two-byte characters (258 bytes) is over the default limit and rejected", doc(flags=[flag(key="é" * 129)]), "LIMIT_KEY_BYTES", "$.flags[0].key")
C("a segment key over the limit is rejected", doc(segments=[{"key": "long-segment"}]), "LIMIT_KEY_BYTES", "$.segments[0].key", {"maxKeyBytes": 8})
C("a variant key over the limit is rejected", doc(flags=[flag(variants={"on": True, "switched-off": False}, offVariant=None)]), "LIMIT_KEY_BYTES", "$.flags[0].variants.switched-off", {"maxKeyBytes": 8})
C("a rule id over the limit is rejected", doc(flags=[flag(rules=[rule([cond], "long-rule-id")])]), "LIMIT_KEY_BYTES", "$.flags[0].rules[0].id", {"maxKeyBytes": 8})
C("an attribute name over the limit is rejected", doc(flags=[flag(rules=[rule([{"attribute": "jurisdiction", "op": "exists"}])])]), "LIMIT_KEY_BYTES", "$.flags[0].rules[0].conditions[0].attribute", {"maxKeyBytes": 8})
C("a bucketBy attribute over the limit is rejected", doc(flags=[flag(bucketBy="organisationId")]), "LIMIT_KEY_BYTES", "$.flags[0].bucketBy", {"maxKeyBytes": 8})
C("a variant name in offVariant over the limit is rejected", doc(flags=[flag(offVariant="switched-off")]), "LIMIT_KEY_BYTES", "$.flags[0].offVariant", {"maxKeyBytes": 8})
C("a condition value over the limit is rejected", doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "equals", "value": "enterprise-plus"}])])]), "LIMIT_STRING_BYTES", "$.flags[0].rules[0].conditions[0].value", {"maxStringBytes": 8})
C("a value in a list of condition values over the limit is rejected", doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "in", "values": ["pro", "enterprise-plus"]}])])]), "LIMIT_STRING_BYTES", "$.flags[0].rules[0].conditions[0].values[1]", {"maxStringBytes": 8})
C("an overridden targeting key over the limit is rejected", doc(flags=[flag(overrides=[{"variant": "on", "keys": ["user-123456789"]}])]), "LIMIT_STRING_BYTES", "$.flags[0].overrides[0].keys[0]", {"maxStringBytes": 8})
C("an included segment key over the limit is rejected", doc(segments=[{"key": "s", "included": ["u1", "user-123456789"]}]), "LIMIT_STRING_BYTES", "$.segments[0].included[1]", {"maxStringBytes": 8})
C("a salt over the limit is rejected", doc(flags=[flag(salt="spring-2026-reshuffle")]), "LIMIT_STRING_BYTES", "$.flags[0].salt", {"maxStringBytes": 8})
C("a condition value over the default 4096 bytes is rejected", doc(flags=[flag(rules=[rule([{"attribute": "plan", "op": "equals", "value": "x" * 4097}])])]), "LIMIT_STRING_BYTES", "$.flags[0].rules[0].conditions[0].value")
C("a regular expression over the limit is rejected", doc(flags=[flag(rules=[rule([{"attribute": "email", "op": "matches", "value": "^[a-z]+@example\\.com$"}])])]), "LIMIT_REGEX_BYTES", "$.flags[0].rules[0].conditions[0].value", {"maxRegexBytes": 8})
C("a regular expression over the default 1024 bytes is rejected", doc(flags=[flag(rules=[rule([{"attribute": "email", "op": "matches", "values": ["a", "a" * 1025]}])])]), "LIMIT_REGEX_BYTES", "$.flags[0].rules[0].conditions[0].values[1]")
chain = [flag(key="a", prerequisites=[{"flag": "b", "variants": ["on"]}]), flag(key="b", prerequisites=[{"flag": "c", "variants": ["on"]}]),
         flag(key="c", prerequisites=[{"flag": "d", "variants": ["on"]}]), flag(key="d")]
C("a prerequisite chain deeper than allowed is rejected (a→b→c→d has depth 3)", doc(flags=chain), "LIMIT_PREREQUISITE_DEPTH", "$.flags[0].prerequisites", {"maxPrerequisiteDepth": 2})
keys = [f"f{i:02d}" for i in range(18)]
long_chain = [flag(key=keys[i], prerequisites=[{"flag": keys[i + 1], "variants": ["on"]}]) for i in range(17)] + [flag(key=keys[17])]
long_chain.reverse()
C("a prerequisite chain of depth 17 is over the default 16 and rejected, listed leaf first", doc(flags=long_chain), "LIMIT_PREREQUISITE_DEPTH", "$.flags[17].prerequisites")

out = {"version": 1, "description": "Documents that must be rejected whole. `document` is the raw text; `limits` (optional) overrides Limits fields, in camelCase; `expect.path` is the JSON path of the problem, or null when there is none (syntax errors).", "cases": cases}
lines = ['{', '  "version": 1,', f'  "description": {json.dumps(out["description"])},', '  "cases": [']
for j, c in enumerate(cases):
    comma = "," if j < len(cases) - 1 else ""
    s = json.dumps(c, ensure_ascii=False)
    lines.append(f"    {s}{comma}")
lines += ["  ]", "}"]
t = "\n".join(lines) + "\n"
json.loads(t)
open(sys.argv[1], "w").write(t)
print(len(cases), "cases")
