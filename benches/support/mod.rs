//! Builds realistic snapshots for the benchmarks, deterministically: the same size always gives
//! byte-for-byte the same document, so figures from different runs measure the same work.
//!
//! Flags cycle through a fixed mix of twenty shapes (see [`SHAPES`]), so every snapshot size has
//! the same proportions: a fifth static, then kill switches, overrides, jurisdiction, role and
//! environment rules, semver, regex and date rules, segments, rollouts, multivariate splits,
//! multi-rule targeting and prerequisite chains of depth 3.

pub mod worst;

use serde_json::{json, Value};

/// The user every benchmark evaluates for, as JSON. Its attributes are chosen so the benchmarked
/// flags take their intended path (checked before measuring, in `engine.rs`).
pub const USER_CONTEXT: &str = r#"{
  "targetingKey": "user-48213",
  "email": "dana.moreau@example.com",
  "jurisdiction": "quebec",
  "country": "CA",
  "role": ["editor", "billing"],
  "environment": "production",
  "plan": "pro",
  "appVersion": "5.3.1",
  "platform": "ios",
  "signedUpAt": "2026-10-12T16:04:00Z",
  "seats": 14,
  "beta": true
}"#;

/// The bench user's targeting key, also listed in segment 0's `included` keys.
const USER_KEY: &str = "user-48213";

/// The evaluation instant for every benchmark.
pub const NOW: &str = "2026-11-22T12:00:00Z";

/// One snapshot document and a key of each benchmarked kind of flag in it.
pub struct Generated {
    /// The snapshot as compact JSON.
    pub json: String,
    /// Number of flags.
    pub flags: usize,
    /// Number of segments.
    pub segments: usize,
    /// A boolean flag that serves one variant to everybody.
    pub static_flag: String,
    /// A flag whose fourth rule matches the bench user after three rules that do not.
    pub rules_flag: String,
    /// A 30 % boolean rollout.
    pub rollout_flag: String,
    /// A 4-way string experiment.
    pub multivariate_flag: String,
    /// The head of a prerequisite chain of depth 3.
    pub prerequisite_flag: String,
    /// A flag whose rule targets segment 0, which lists the bench user.
    pub segment_flag: String,
    /// A flag whose rule matches the bench user's email against a regular expression.
    pub regex_flag: String,
}

#[derive(Clone, Copy)]
enum Shape {
    StaticBool,
    StaticString,
    StaticNumber,
    StaticObject,
    KillSwitched,
    OverridesAndRollout,
    Jurisdiction,
    RoleEnvironment,
    Semver,
    Regex,
    Date,
    Segment,
    Rollout,
    Multivariate,
    MultiRule,
    ChainBase,
    ChainLevel1,
    ChainLevel2,
    ChainLevel3,
    Scheduled,
}

/// The repeating mix. The four chain shapes must stay consecutive: each level requires the one
/// before it.
const SHAPES: [Shape; 20] = [
    Shape::StaticBool,
    Shape::StaticString,
    Shape::StaticNumber,
    Shape::StaticObject,
    Shape::KillSwitched,
    Shape::OverridesAndRollout,
    Shape::Jurisdiction,
    Shape::RoleEnvironment,
    Shape::Semver,
    Shape::Regex,
    Shape::Date,
    Shape::Segment,
    Shape::Rollout,
    Shape::Multivariate,
    Shape::MultiRule,
    Shape::ChainBase,
    Shape::ChainLevel1,
    Shape::ChainLevel2,
    Shape::ChainLevel3,
    Shape::Scheduled,
];

const TEAMS: [&str; 10] = [
    "checkout", "search", "growth", "payments", "mobile", "platform", "identity", "ads", "support",
    "catalog",
];
const FEATURES: [&str; 12] = [
    "banner",
    "new-flow",
    "pricing",
    "onboarding",
    "recommendations",
    "dark-mode",
    "upload-limit",
    "cache-ttl",
    "sidebar",
    "export",
    "ranking",
    "notifications",
];
const JURISDICTIONS: [&str; 16] = [
    "ontario",
    "quebec",
    "british-columbia",
    "alberta",
    "manitoba",
    "nova-scotia",
    "california",
    "new-york",
    "texas",
    "washington",
    "bavaria",
    "ile-de-france",
    "catalonia",
    "lombardy",
    "scotland",
    "new-south-wales",
];
const COUNTRIES: [&str; 8] = ["US", "GB", "DE", "FR", "ES", "IT", "AU", "NL"];

/// splitmix64: tiny, good enough for test data, and identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        // The bound is tiny, so the modulo bias is irrelevant for test data.
        (self.next() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn user_key(&mut self) -> String {
        format!("user-{}", 100_000 + self.below(900_000))
    }
}

/// Generates a snapshot with `flag_count` flags (a multiple of 20 keeps the mix exact).
pub fn snapshot(flag_count: usize) -> Generated {
    let mut rng = Rng(0x5eed_0000 ^ flag_count as u64);
    let segment_count = (flag_count / 40).max(4);
    let segments: Vec<Value> = (0..segment_count)
        .map(|index| segment(&mut rng, index))
        .collect();

    let mut flags = Vec::with_capacity(flag_count);
    let mut keys: Vec<String> = Vec::with_capacity(flag_count);
    let mut first: [Option<String>; 20] = Default::default();
    for index in 0..flag_count {
        let slot = index % SHAPES.len();
        let shape = SHAPES[slot];
        let key = format!(
            "{}-{}-{}",
            TEAMS[index % TEAMS.len()],
            FEATURES[(index / TEAMS.len()) % FEATURES.len()],
            index
        );
        let previous = keys.last().map(String::as_str);
        flags.push(flag(&mut rng, shape, index, &key, previous, segment_count));
        first[slot].get_or_insert_with(|| key.clone());
        keys.push(key);
    }

    let document = json!({
        "schemaVersion": 1,
        "revision": 1200 + flag_count,
        "generatedAt": "2026-11-21T23:00:00Z",
        "environment": "production",
        "segments": segments,
        "flags": flags,
    });
    let key_of = |shape: usize| first[shape].clone().expect("the snapshot has every shape");
    Generated {
        json: document.to_string(),
        flags: flag_count,
        segments: segment_count,
        static_flag: key_of(0),
        rules_flag: key_of(14),
        rollout_flag: key_of(12),
        multivariate_flag: key_of(13),
        prerequisite_flag: key_of(18),
        segment_flag: key_of(11),
        regex_flag: key_of(9),
    }
}

fn segment(rng: &mut Rng, index: usize) -> Value {
    let size = 200 + rng.below(201);
    let mut included: Vec<String> = (0..size).map(|_| rng.user_key()).collect();
    if index == 0 {
        included.push(USER_KEY.to_owned());
    }
    let excluded: Vec<String> = (0..5).map(|_| rng.user_key()).collect();
    json!({
        "key": segment_key(index),
        "included": included,
        "excluded": excluded,
        "conditions": [
            {"attribute": "email", "op": "endsWith", "values": ["@vexil.dev", "@acme.example"]}
        ],
    })
}

fn segment_key(index: usize) -> String {
    let name = [
        "beta-testers",
        "staff",
        "enterprise-pilot",
        "early-adopters",
    ][index % 4];
    format!("{name}-{index}")
}

fn boolean_variants() -> Value {
    json!({"on": true, "off": false})
}

fn metadata(rng: &mut Rng, key: &str) -> Value {
    let tags = &["web", "mobile", "experiment", "ops"][..1 + rng.below(3)];
    json!({
        "description": format!("Controls {key}; see the team's rollout plan."),
        "owner": TEAMS[rng.below(TEAMS.len())],
        "tags": tags,
        "version": 1 + rng.below(40),
        "changedAt": format!("2026-{:02}-{:02}T{:02}:00:00Z", 1 + rng.below(11), 1 + rng.below(28), rng.below(24)),
    })
}

fn rollout(percent_on: u64) -> Value {
    json!({"split": [
        {"variant": "on", "weight": percent_on * 1000},
        {"variant": "off", "weight": 100_000 - percent_on * 1000},
    ]})
}

fn flag(
    rng: &mut Rng,
    shape: Shape,
    index: usize,
    key: &str,
    previous: Option<&str>,
    segment_count: usize,
) -> Value {
    let meta = metadata(rng, key);
    let previous = previous.unwrap_or_default();
    let mut flag = match shape {
        Shape::StaticBool => json!({
            "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
            "fallthrough": {"variant": "on"},
        }),
        Shape::StaticString => json!({
            "type": "string",
            "variants": {"current": format!("https://cdn.example.com/{key}/v{}", rng.below(9)), "previous": "https://cdn.example.com/legacy"},
            "fallthrough": {"variant": "current"},
        }),
        Shape::StaticNumber => json!({
            "type": "number", "variants": {"default": 25 + rng.below(100), "high": 500},
            "fallthrough": {"variant": "default"},
        }),
        Shape::StaticObject => json!({
            "type": "object",
            "variants": {
                "grid": {"layout": "grid", "columns": 2 + rng.below(4), "showPrices": true},
                "list": {"layout": "list", "columns": 1, "showPrices": false},
            },
            "fallthrough": {"variant": "grid"},
        }),
        Shape::KillSwitched => json!({
            "type": "boolean", "enabled": false, "variants": boolean_variants(), "offVariant": "off",
            "rules": [{"id": "internal", "conditions": [{"attribute": "email", "op": "endsWith", "value": "@vexil.dev"}], "serve": {"variant": "on"}}],
            "fallthrough": rollout(50),
        }),
        Shape::OverridesAndRollout => {
            let forced_on: Vec<String> = (0..20).map(|_| rng.user_key()).collect();
            let forced_off: Vec<String> = (0..5).map(|_| rng.user_key()).collect();
            json!({
                "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
                "overrides": [{"variant": "on", "keys": forced_on}, {"variant": "off", "keys": forced_off}],
                "fallthrough": rollout(10 + 5 * rng.below(10) as u64),
            })
        }
        Shape::Jurisdiction => {
            let count = 2 + rng.below(6);
            let regions: Vec<&str> = (0..count).map(|_| rng.pick(&JURISDICTIONS)).collect();
            json!({
                "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
                "rules": [{"id": "launch-regions", "conditions": [{"attribute": "jurisdiction", "op": "in", "values": regions}], "serve": {"variant": "on"}}],
                "fallthrough": {"variant": "off"},
            })
        }
        Shape::RoleEnvironment => {
            let environment = rng.pick(&["staging", "preview"]);
            json!({
                "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
                "rules": [{"id": "admins-in-staging", "conditions": [
                    {"attribute": "role", "op": "in", "values": ["admin", "owner"]},
                    {"attribute": "environment", "op": "equals", "value": environment},
                ], "serve": {"variant": "on"}}],
                "fallthrough": {"variant": "off"},
            })
        }
        Shape::Semver => json!({
            "type": "number", "variants": {"standard": 25, "large": 250},
            "rules": [{"id": "new-app", "conditions": [
                {"attribute": "platform", "op": "in", "values": ["ios", "android"]},
                {"attribute": "appVersion", "op": "semverGte", "value": format!("{}.{}.0", 4 + rng.below(3), rng.below(10))},
            ], "serve": {"variant": "large"}}],
            "fallthrough": {"variant": "standard"},
        }),
        Shape::Regex => json!({
            "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
            "rules": [{"id": "company-accounts", "conditions": [
                {"attribute": "email", "op": "matches", "value": r"^[a-z0-9._%+-]+@(example|acme|initech)\.(com|org)$"},
            ], "serve": {"variant": "on"}}],
            "fallthrough": {"variant": "off"},
        }),
        Shape::Date => json!({
            "type": "object",
            "variants": {"short": {"steps": ["welcome", "done"]}, "long": {"steps": ["welcome", "profile", "team", "done"]}},
            "rules": [{"id": "recent-signups", "conditions": [
                {"attribute": "signedUpAt", "op": "after", "value": format!("2026-{:02}-01T00:00:00Z", 1 + rng.below(11))},
            ], "serve": {"variant": "long"}}],
            "fallthrough": {"variant": "short"},
        }),
        Shape::Segment => {
            let other = rng.below(segment_count);
            // The first segment flag targets segment 0, which lists the bench user.
            let target = if index < SHAPES.len() || rng.below(4) == 0 {
                0
            } else {
                rng.below(segment_count)
            };
            json!({
                "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
                "rules": [{"id": "segment", "conditions": [{"op": "inSegment", "values": [segment_key(target)]}], "serve": {"variant": "on"}},
                          {"id": "beta-outside-segment", "conditions": [{"op": "notInSegment", "value": segment_key(other)}, {"attribute": "beta", "op": "equals", "value": true}], "serve": rollout(20)}],
                "fallthrough": {"variant": "off"},
            })
        }
        Shape::Rollout => json!({
            "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
            "salt": format!("{key}-2026"),
            "fallthrough": rollout(30),
        }),
        Shape::Multivariate => json!({
            "type": "string",
            "variants": {"control": "Buy now", "variant-a": "Get started", "variant-b": "Try it free", "variant-c": "Start your trial"},
            "offVariant": "control",
            "fallthrough": {"split": [
                {"variant": "control", "weight": 25000}, {"variant": "variant-a", "weight": 25000},
                {"variant": "variant-b", "weight": 25000}, {"variant": "variant-c", "weight": 25000},
            ]},
        }),
        Shape::MultiRule => json!({
            "type": "string",
            "variants": {"none": "", "regional": "Now available in your province", "enterprise": "Talk to sales", "upgrade": "Update the app"},
            "offVariant": "none",
            "rules": [
                {"id": "launch-countries", "conditions": [{"attribute": "country", "op": "in", "values": COUNTRIES}], "serve": {"variant": "regional"}},
                {"id": "enterprise-plan", "conditions": [{"attribute": "plan", "op": "equals", "value": "enterprise"}, {"attribute": "seats", "op": "gte", "value": 50}], "serve": {"variant": "enterprise"}},
                {"id": "old-app", "conditions": [{"attribute": "appVersion", "op": "semverLt", "value": "4.0.0"}], "serve": {"variant": "upgrade"}},
                {"id": "canada-east", "conditions": [{"attribute": "jurisdiction", "op": "in", "values": ["ontario", "quebec", "new-brunswick"]}], "serve": {"variant": "regional"}},
            ],
            "fallthrough": {"variant": "none"},
        }),
        Shape::ChainBase => json!({
            "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
            "fallthrough": {"variant": "on"},
        }),
        Shape::ChainLevel1 => json!({
            "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
            "prerequisites": [{"flag": previous, "variants": ["on"]}],
            "rules": [{"id": "launch-regions", "conditions": [{"attribute": "country", "op": "in", "values": ["CA", "US"]}], "serve": {"variant": "on"}}],
            "fallthrough": {"variant": "off"},
        }),
        // Fully rolled out, the way a finished rollout looks before its split is removed.
        Shape::ChainLevel2 => json!({
            "type": "boolean", "variants": boolean_variants(), "offVariant": "off",
            "prerequisites": [{"flag": previous, "variants": ["on"]}],
            "fallthrough": rollout(100),
        }),
        Shape::ChainLevel3 => json!({
            "type": "string",
            "variants": {"blue": "#1f6feb", "green": "#2da44e", "orange": "#fb8500", "purple": "#8250df"},
            "offVariant": "blue",
            "prerequisites": [{"flag": previous, "variants": ["on"]}],
            "fallthrough": {"split": [
                {"variant": "blue", "weight": 25000}, {"variant": "green", "weight": 25000},
                {"variant": "orange", "weight": 25000}, {"variant": "purple", "weight": 25000},
            ]},
        }),
        Shape::Scheduled => json!({
            "type": "string", "variants": {"sale": "Black Friday: 30 % off", "none": ""},
            "offVariant": "none",
            "schedule": {"start": "2026-11-27T00:00:00-05:00", "end": "2026-12-01T00:00:00-05:00"},
            "fallthrough": {"variant": "sale"},
        }),
    };
    if let Value::Object(fields) = &mut flag {
        fields.insert("key".to_owned(), Value::from(key));
        fields.insert("metadata".to_owned(), meta);
    }
    flag
}

/// Writes `files` (name, text) into `directory`, creating it; on failure says what failed, as
/// `program`, and gives `false`. For the examples that write generated inputs for other tools
/// (the benchmark itself does not use it).
#[allow(dead_code)]
pub fn write_files(program: &str, directory: &std::path::Path, files: &[(&str, &str)]) -> bool {
    if let Err(error) = std::fs::create_dir_all(directory) {
        eprintln!("{program}: cannot create {}: {error}", directory.display());
        return false;
    }
    for (name, text) in files {
        let path = directory.join(name);
        if let Err(error) = std::fs::write(&path, text) {
            eprintln!("{program}: cannot write {}: {error}", path.display());
            return false;
        }
    }
    true
}
