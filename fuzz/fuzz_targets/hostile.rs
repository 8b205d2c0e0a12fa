//! Hostile but valid snapshots, built from the fuzzer's bytes by a structure-aware generator:
//! many `matches` patterns full of counted repetitions, alternations and nested groups; huge
//! `in`, `contains` and `startsWith` lists; segments referenced many times; prerequisite graphs
//! deep and wide; and contexts tuned to all of it (long strings of the patterns' own characters,
//! lists of a thousand items). The oracles are time and memory: no evaluation may take longer
//! than a bound that the engine's cost limit makes generous, and loading may not allocate out of
//! proportion to the document's size. See `docs/fuzzing.md`.

#![no_main]

#[path = "../shared/colliding.rs"]
mod colliding;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use vexil::{Context, Engine, Evaluation, Reason};

// ---------------------------------------------------------------------------------------------
// Memory: every allocation is counted, so the harness knows the peak a load reached.

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = System.alloc(layout);
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = System.alloc_zeroed(layout);
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        System.dealloc(pointer, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let moved = System.realloc(pointer, layout, size);
        if !moved.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(size);
        }
        moved
    }
}

fn grew(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work` and returns its result, how long it took, and the most memory it held at once
/// beyond what was allocated before it started.
fn measured<T>(work: impl FnOnce() -> T) -> (T, Duration, usize) {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let result = work();
    let elapsed = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (result, elapsed, peak)
}

/// How long `work` takes.
fn timed<T>(work: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    let result = work();
    let elapsed = start.elapsed();
    drop(result);
    elapsed
}

// ---------------------------------------------------------------------------------------------
// Bounds. Evaluation time is checked against `HOSTILE_EVAL_MS` (scripts/fuzz.sh sets it for the
// sanitizer in use); an evaluation over it is timed again, and only if the fastest of three
// repeats is still over does the input fail, so a busy machine does not make a false report.

fn evaluation_bound() -> Duration {
    static BOUND: OnceLock<Duration> = OnceLock::new();
    *BOUND.get_or_init(|| {
        let millis = std::env::var("HOSTILE_EVAL_MS")
            .ok()
            .and_then(|text| text.parse::<u64>().ok())
            .unwrap_or(100);
        Duration::from_millis(millis)
    })
}

/// Loading may take at most `HOSTILE_LOAD_MS` plus `HOSTILE_LOAD_NS_PER_BYTE` per byte of
/// document: the format promises time linear in the document's size.
fn load_bound(size: usize) -> Duration {
    static RATE: OnceLock<(u64, u64)> = OnceLock::new();
    let (fixed, per_byte) = *RATE.get_or_init(|| {
        let read = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|text| text.parse::<u64>().ok())
                .unwrap_or(default)
        };
        (
            read("HOSTILE_LOAD_MS", 500),
            read("HOSTILE_LOAD_NS_PER_BYTE", 1000),
        )
    });
    Duration::from_millis(fixed)
        + Duration::from_nanos(per_byte.saturating_mul(u64::try_from(size).unwrap_or(u64::MAX)))
}

/// Loading may hold at most this many bytes per byte of document, plus the compiled patterns'
/// budget (`maxRegexTotalBytes`, 4 MiB) and a fixed allowance.
const LOAD_BYTES_PER_BYTE: usize = 32;
const LOAD_FIXED_BYTES: usize = 4 * 1024 * 1024 + 1024 * 1024;

/// One evaluation (an `explain` included) may hold at most this much beyond the context.
const EVALUATION_BYTES: usize = 4 * 1024 * 1024;

/// The slowest evaluation seen so far in this process, to report and keep.
static SLOWEST: Mutex<Duration> = Mutex::new(Duration::ZERO);

fn note_time(what: &str, flag: &str, elapsed: Duration, data: &[u8], snapshot_bytes: usize) {
    let Ok(mut slowest) = SLOWEST.lock() else {
        return;
    };
    if elapsed <= *slowest {
        return;
    }
    *slowest = elapsed;
    eprintln!(
        "hostile: slowest evaluation so far: {:.3} ms ({what} of flag {flag:?}; input {} bytes, \
         snapshot {snapshot_bytes} bytes)",
        elapsed.as_secs_f64() * 1e3,
        data.len()
    );
    if let Ok(path) = std::env::var("HOSTILE_SLOWEST") {
        let _ = std::fs::write(path, data);
    }
}

/// Checks one timed evaluation against the bound, re-running it to rule out a busy machine.
fn check_time(
    what: &str,
    flag: &str,
    elapsed: Duration,
    data: &[u8],
    snapshot_bytes: usize,
    again: impl Fn() -> Duration,
) {
    let bound = evaluation_bound();
    let mut fastest = elapsed;
    // Over the bound, or slower than any so far: timed again, so that what fails an input or is
    // reported as the slowest is the evaluation's own time and not a pause of the machine.
    let slowest = SLOWEST.lock().map_or(Duration::ZERO, |slowest| *slowest);
    if elapsed > bound || elapsed > slowest {
        for _ in 0..3 {
            fastest = fastest.min(again());
        }
    }
    assert!(
        fastest <= bound,
        "{what} of flag {flag:?} took {:.3} ms (fastest of four runs), over the bound of {} ms",
        fastest.as_secs_f64() * 1e3,
        bound.as_millis()
    );
    note_time(what, flag, fastest, data, snapshot_bytes);
}

// ---------------------------------------------------------------------------------------------
// The fuzzer's bytes, read as choices.

struct Choices<'a> {
    data: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let byte = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    fn more(&self) -> bool {
        self.at < self.data.len()
    }

    /// A number in `0..=max`, from two bytes.
    fn upto(&mut self, max: usize) -> usize {
        let raw = usize::from(self.byte()) << 8 | usize::from(self.byte());
        raw % (max + 1)
    }

    /// A number in `0..=max`, often at or near one of its ends: hostile inputs live at the limits.
    fn count(&mut self, max: usize) -> usize {
        // An exhausted input reads as zeros, which mean "small" everywhere.
        match self.byte() % 8 {
            7 => max,
            6 => max.saturating_sub(usize::from(self.byte() % 4)),
            5 => usize::from(self.byte() % 4).min(max),
            _ => self.upto(max),
        }
    }

    /// True about once in `n` choices.
    fn one_in(&mut self, n: u8) -> bool {
        self.byte().is_multiple_of(n)
    }

    fn flip(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[usize::from(self.byte()) % items.len()]
    }
}

// ---------------------------------------------------------------------------------------------
// The generator.

/// The attributes conditions read: strings, and lists of strings.
const TEXT_ATTRIBUTES: [&str; 4] = ["s0", "s1", "s2", "s3"];
const LIST_ATTRIBUTES: [&str; 2] = ["l0", "l1"];
const MAX_CONTEXT_STRING: usize = 4096;
const MAX_LIST_ITEMS: usize = 1000;
/// The most operands one list may have (`maxListValues`).
const MAX_OPERANDS: usize = 100_000;
/// The most colliding keys in one list: loading them takes time quadratic in their number.
const MAX_COLLIDING: usize = 20_000;
/// A cap on a generated snapshot's size, well under the 16 MiB document limit so that the
/// fuzzer runs many inputs; the hostile shapes need far less than this.
const MAX_SNAPSHOT: usize = 2 * 1024 * 1024;

struct Generator<'a> {
    choices: Choices<'a>,
    /// The characters patterns and strings are made of, so that matching does real work.
    alphabet: Vec<char>,
    segments: Vec<Value>,
    flags: Vec<Value>,
    /// Prerequisite depth of each flag made so far.
    depths: Vec<usize>,
    /// Every distinct string operand, to shape contexts that hit them.
    operands: Vec<String>,
    /// Whether some list holds keys that all hash alike.
    colliding: bool,
    /// Bytes of document still to spend: a generated snapshot stays under `MAX_SNAPSHOT`.
    left: usize,
}

impl Generator<'_> {
    fn text(&mut self, length: usize) -> String {
        let period = 1 + usize::from(self.choices.byte() % 8);
        let pattern: Vec<char> = (0..period)
            .map(|_| *self.choices.pick(&self.alphabet))
            .collect();
        // At most `length` bytes (the alphabet has characters of several bytes).
        let mut text = String::with_capacity(length);
        for &character in pattern.iter().cycle() {
            if text.len() + character.len_utf8() > length {
                break;
            }
            text.push(character);
        }
        text
    }

    fn short_text(&mut self) -> String {
        let length = self.choices.count(24);
        self.text(length)
    }

    /// A pattern node and an estimate of the states it compiles to. `room` is how many states
    /// it may have: counts are chosen to fill it, so patterns come out near the compiled-size
    /// limit rather than far over it.
    fn regex(&mut self, depth: usize, budget: &mut usize, room: usize) -> (String, usize) {
        if *budget == 0 {
            return self.atom();
        }
        *budget -= 1;
        let node = self.choices.byte() % 12;
        let (inner, states) = match node {
            3 | 4 if depth < 6 => {
                let parts = 1 + usize::from(self.choices.byte() % 4);
                let items: Vec<(String, usize)> = (0..parts)
                    .map(|_| self.regex(depth + 1, budget, room / parts))
                    .collect();
                let states = items.iter().map(|(_, states)| states + 1).sum();
                let texts: Vec<&str> = items.iter().map(|(text, _)| text.as_str()).collect();
                (format!("(?:{})", texts.join("|")), states)
            }
            5 | 6 if depth < 6 => {
                let parts = 1 + usize::from(self.choices.byte() % 4);
                let items: Vec<(String, usize)> = (0..parts)
                    .map(|_| self.regex(depth + 1, budget, room / parts))
                    .collect();
                let states = items.iter().map(|(_, states)| states).sum();
                (items.into_iter().map(|(text, _)| text).collect(), states)
            }
            7 if depth < 6 => {
                let flags = *self.choices.pick(&["i", "s", "m", "U", "is", "i-s"]);
                let (body, states) = self.regex(depth + 1, budget, room);
                (format!("(?{flags}:{body})"), states)
            }
            8 if depth < 6 => {
                let (body, states) = self.regex(depth + 1, budget, room);
                (format!("({body})"), states)
            }
            9 | 10 if depth < 6 => {
                let (body, states) = self.regex(depth + 1, budget, room);
                (format!("(?:{body})"), states)
            }
            _ => self.atom(),
        };
        // How many copies of the node fit in the room (counts are at most 1000).
        let most = (room / (states + 1).max(1)).clamp(1, 1000);
        let (repeat, copies) = match self.choices.byte() % 10 {
            0 | 6 => (
                if node.is_multiple_of(2) { "*" } else { "*?" }.to_owned(),
                1,
            ),
            1 => ("+".to_owned(), 1),
            2 => ("?".to_owned(), 1),
            3 => {
                let count = self.choices.count(most);
                (format!("{{{count}}}"), count)
            }
            4 => {
                let low = self.choices.count(most);
                let high = low + self.choices.count(most - low);
                (format!("{{{low},{high}}}"), high)
            }
            5 => {
                let low = self.choices.count(most);
                (format!("{{{low},}}"), low + 1)
            }
            _ => (String::new(), 1),
        };
        (format!("{inner}{repeat}"), (states + 1) * copies.max(1))
    }

    /// One character's worth of pattern, and what it weighs in states (a class costs a third
    /// of a state more per range, counted twice for letters under `(?i)`).
    fn atom(&mut self) -> (String, usize) {
        let character = *self.choices.pick(&self.alphabet);
        let text = match self.choices.byte() % 10 {
            0 => ".".to_owned(),
            1 => "\\w".to_owned(),
            2 => format!("[^{}]", escape_class(character)),
            3 => {
                let other = *self.choices.pick(&self.alphabet);
                let (low, high) = if character <= other {
                    (character, other)
                } else {
                    (other, character)
                };
                format!("[{}-{}]", escape_class(low), escape_class(high))
            }
            4 => {
                // A class of many short ranges.
                let mut class = String::from("[");
                for offset in 0..self.choices.count(60) {
                    let low = char::from(b'!' + (offset as u8 * 2) % 90);
                    class.push_str(&escape_class(low));
                }
                class.push_str(&escape_class(character));
                class.push(']');
                class
            }
            5 => self.choices.pick(&["^", "$", "\\b", "\\B"]).to_string(),
            _ => escape(character),
        };
        let weight = 2 + text.len() * 2 / 3;
        (text, weight)
    }

    /// A pattern, at most 1024 bytes (`maxRegexBytes`).
    fn pattern(&mut self) -> String {
        let mut budget = 1 + self.choices.count(40);
        // Most patterns fit the compiled-size limit (about 1,300 states); some are let go over.
        let room = if self.choices.one_in(8) {
            1_000_000
        } else {
            1_200
        };
        let (mut pattern, _) = self.regex(0, &mut budget, room);
        if self.choices.flip() {
            pattern = format!("(?i){pattern}");
        }
        if pattern.len() > 1024 {
            let (atom, weight) = self.atom();
            let count = self.choices.count((room / weight).min(1000));
            pattern = format!("(?:{atom}){{{count}}}");
        }
        pattern
    }

    /// Distinct patterns that each compile large, to spend the snapshot's pattern budget.
    fn costly_patterns(&mut self, count: usize) -> Vec<String> {
        let character = escape(*self.choices.pick(&self.alphabet));
        (0..count)
            .map(|index| {
                format!(
                    "(?:{character}?){{{}}}{character}{{300}}",
                    100 + index % 400
                )
            })
            .collect()
    }

    fn strings(&mut self, max_length: usize) -> Vec<String> {
        let count = 1 + self.choices.count(MAX_OPERANDS - 1);
        if self.choices.one_in(4) && known_wanted() {
            self.colliding = true;
            let count = self.copies(count.min(MAX_COLLIDING), 20).max(1);
            return colliding_keys().iter().take(count).cloned().collect();
        }
        // Room for the index that makes each operand distinct.
        let length = self.choices.count(max_length.saturating_sub(6));
        let count = self.copies(count, length + 8).max(1);
        let base = self.text(length);
        // Distinct operands that share a long prefix, so comparisons run to their end.
        (0..count).map(|index| format!("{base}{index}")).collect()
    }

    fn condition(&mut self, in_segment: bool) -> Value {
        let attribute = if self.choices.flip() {
            *self.choices.pick(&TEXT_ATTRIBUTES)
        } else {
            *self.choices.pick(&LIST_ATTRIBUTES)
        };
        let negate = self.choices.one_in(5);
        let kinds = if in_segment || self.segments.is_empty() {
            9
        } else {
            10
        };
        let condition = match self.choices.byte() % kinds {
            0 | 1 => {
                let count = 1 + self.choices.count(16);
                let patterns: Vec<String> = (0..count).map(|_| self.pattern()).collect();
                json!({"attribute": attribute, "op": "matches", "values": patterns})
            }
            2 => {
                let count = 1 + self.choices.count(200);
                json!({"attribute": attribute, "op": "matches", "values": self.costly_patterns(count)})
            }
            3 => {
                let op = *self.choices.pick(&["in", "notIn", "equals", "notEquals"]);
                json!({"attribute": attribute, "op": op, "values": self.strings(256)})
            }
            4 | 5 => {
                let op = *self.choices.pick(&["contains", "startsWith", "endsWith"]);
                json!({"attribute": attribute, "op": op, "values": self.strings(4000)})
            }
            6 => {
                let count = 1 + self.choices.count(2000);
                let versions: Vec<String> = (0..count)
                    .map(|index| format!("1.{index}.0-rc.{index}.x.{}", index % 7))
                    .collect();
                let op = *self.choices.pick(&["semverGt", "semverLte", "semverEq"]);
                json!({"attribute": attribute, "op": op, "values": versions})
            }
            7 => {
                let count = 1 + self.choices.count(1000);
                let instants: Vec<String> = (0..count)
                    .map(|index| format!("2026-11-{:02}T00:00:00.123456789Z", 1 + index % 28))
                    .collect();
                let op = *self.choices.pick(&["before", "after"]);
                json!({"attribute": attribute, "op": op, "values": instants})
            }
            8 => json!({"attribute": attribute, "op": "exists"}),
            _ => {
                let count = 1 + self.choices.count(self.segments.len().min(10_000) - 1);
                let start = self.choices.upto(self.segments.len() - 1);
                let keys: Vec<Value> = (0..count)
                    .map(|offset| {
                        self.segments[(start + offset) % self.segments.len()]["key"].clone()
                    })
                    .collect();
                let op = *self.choices.pick(&["inSegment", "notInSegment"]);
                json!({"op": op, "values": keys})
            }
        };
        let mut condition = condition;
        if negate {
            condition["negate"] = json!(true);
        }
        self.remember(&condition);
        self.spend(condition)
    }

    /// Charges `value`'s size to what is left, or gives a cheap condition when it does not fit.
    fn spend(&mut self, value: Value) -> Value {
        let size = value.to_string().len();
        if size <= self.left {
            self.left -= size;
            value
        } else {
            json!({"attribute": "s0", "op": "exists"})
        }
    }

    /// How many copies of something of `size` bytes still fit, at most `wanted`.
    fn copies(&mut self, wanted: usize, size: usize) -> usize {
        let fit = wanted.min(self.left / size.max(1));
        self.left -= fit * size;
        fit
    }

    /// Keeps a few string operands of `condition` for the contexts.
    fn remember(&mut self, condition: &Value) {
        if let Some(Value::Array(values)) = condition.get("values") {
            for value in values.iter().take(4).chain(values.last()) {
                if let Some(text) = value.as_str() {
                    if self.operands.len() < 64 && text.len() <= MAX_CONTEXT_STRING {
                        self.operands.push(text.to_owned());
                    }
                }
            }
        }
    }

    /// Conditions for a rule or a segment: up to 100 (`maxConditions`), often one costly
    /// condition repeated so that every test is as dear as the first.
    fn conditions(&mut self, in_segment: bool) -> Vec<Value> {
        let count = self.choices.count(100);
        if count > 0 && self.choices.flip() {
            let condition = self.condition(in_segment);
            let size = condition.to_string().len();
            let count = 1 + self.copies(count - 1, size);
            return vec![condition; count];
        }
        (0..count.min(8))
            .map(|_| self.condition(in_segment))
            .collect()
    }

    fn segment(&mut self, index: usize) {
        let mut segment = json!({"key": format!("seg-{index}")});
        if self.choices.flip() {
            segment["included"] = json!(self.strings(64));
        }
        if self.choices.flip() {
            segment["excluded"] = json!(self.strings(64));
        }
        segment["conditions"] = json!(self.conditions(true));
        self.segments.push(segment);
    }

    fn flag(&mut self, index: usize) {
        let key = format!("flag-{index}");
        let rule_count = self.choices.count(1000);
        let rules: Vec<Value> = if rule_count > 0 && self.choices.flip() {
            // The same rule many times: a segment or a costly condition referenced over and over.
            let conditions = self.conditions(false);
            let size = json!(conditions).to_string().len() + 40;
            let rule_count = 1 + self.copies(rule_count - 1, size);
            (0..rule_count)
                .map(|rule| json!({"id": format!("r{rule}"), "conditions": conditions, "serve": {"variant": "on"}}))
                .collect()
        } else {
            (0..rule_count.min(6))
                .map(|rule| {
                    json!({"id": format!("r{rule}"), "conditions": self.conditions(false),
                           "serve": {"variant": "on"}})
                })
                .collect()
        };
        let mut flag = json!({
            "key": key, "type": "boolean", "variants": {"on": true, "off": false},
            "offVariant": "off", "rules": rules,
        });
        flag["fallthrough"] = if self.choices.flip() {
            let slices = 1 + self.choices.count(999);
            let mut split: Vec<Value> = (0..slices)
                .map(|slice| json!({"variant": if slice % 2 == 0 { "on" } else { "off" }, "weight": 100_000 / slices}))
                .collect();
            split[0]["weight"] = json!(100_000 - (100_000 / slices) * (slices - 1));
            json!({"split": split})
        } else {
            json!({"variant": "off"})
        };
        if self.choices.one_in(4) {
            flag["overrides"] = json!([{"variant": "on", "keys": self.strings(64)}]);
        }
        // Prerequisites among the flags made before, so the graph is acyclic; depth at most 16.
        let mut depth = 0;
        if index > 0 && self.choices.flip() {
            let fan_out = 1 + self.choices.count(index.min(2000) - 1);
            let start = self.choices.upto(index - 1);
            let mut prerequisites = Vec::new();
            for offset in 0..fan_out {
                let target = (start + offset * 7) % index;
                if self.depths[target] < 16 && prerequisites.len() < fan_out {
                    depth = depth.max(self.depths[target] + 1);
                    let variants = *self.choices.pick(&[&["on"][..], &["off"], &["on", "off"]]);
                    prerequisites
                        .push(json!({"flag": format!("flag-{target}"), "variants": variants}));
                }
            }
            flag["prerequisites"] = json!(prerequisites);
        }
        self.depths.push(depth);
        self.flags.push(flag);
    }

    /// A cheap flag that depends on the one before it and on one halfway back, so that many of
    /// them make a graph both deep (up to 16) and wide for later flags to fan out over.
    fn filler(&mut self, index: usize) {
        let mut flag = json!({
            "key": format!("flag-{index}"), "type": "boolean",
            "variants": {"on": true, "off": false}, "offVariant": "off",
            "rules": [{"conditions": [{"attribute": "s0", "op": "exists"}], "serve": {"variant": "on"}}],
            "fallthrough": {"variant": "off"},
        });
        let mut prerequisites = Vec::new();
        let mut depth = 0;
        for target in [
            index.checked_sub(1),
            Some(index / 2).filter(|&half| half < index),
        ]
        .into_iter()
        .flatten()
        {
            if self.depths[target] < 16 {
                depth = depth.max(self.depths[target] + 1);
                prerequisites
                    .push(json!({"flag": format!("flag-{target}"), "variants": ["on", "off"]}));
            }
        }
        flag["prerequisites"] = json!(prerequisites);
        self.left = self.left.saturating_sub(flag.to_string().len());
        self.depths.push(depth);
        self.flags.push(flag);
    }

    /// A context tuned to the snapshot: long strings of the alphabet, operands, lists of them.
    fn context(&mut self) -> Value {
        let mut context = Map::new();
        let key = match self.choices.byte() % 3 {
            0 if known_wanted() => colliding_keys().last().cloned().unwrap_or_default(),
            1 => self.short_text(),
            _ => self.text(256),
        };
        if !key.is_empty() {
            context.insert("targetingKey".to_owned(), json!(key));
        }
        for name in TEXT_ATTRIBUTES {
            if let Some(value) = self.context_string() {
                context.insert(name.to_owned(), json!(value));
            }
        }
        for name in LIST_ATTRIBUTES {
            let count = self.choices.count(MAX_LIST_ITEMS);
            let length = self.choices.count(if count > 100 { 512 } else { 4092 });
            let item = self.text(length);
            let items: Vec<String> = match self.choices.byte() % 3 {
                0 if self.colliding => colliding_keys().iter().rev().take(count).cloned().collect(),
                1 if !self.operands.is_empty() => (0..count)
                    .map(|index| self.operands[index % self.operands.len()].clone())
                    .collect(),
                _ => (0..count).map(|index| format!("{item}{index}")).collect(),
            };
            context.insert(name.to_owned(), json!(items));
        }
        Value::Object(context)
    }

    fn context_string(&mut self) -> Option<String> {
        Some(match self.choices.byte() % 5 {
            0 => return None,
            1 if !self.operands.is_empty() => {
                let operand = self.choices.pick(&self.operands).clone();
                // The operand, padded with the alphabet up to a length the context limit allows.
                let padding = self.choices.count(MAX_CONTEXT_STRING - operand.len());
                let pad = self.text(padding);
                if self.choices.flip() {
                    format!("{pad}{operand}")
                } else {
                    format!("{operand}{pad}")
                }
            }
            2 if self.colliding => colliding_keys().last().cloned().unwrap_or_default(),
            _ => {
                let length = self.choices.count(MAX_CONTEXT_STRING);
                self.text(length)
            }
        })
    }
}

fn escape(character: char) -> String {
    if character.is_ascii_punctuation() {
        format!("\\{character}")
    } else {
        character.to_string()
    }
}

fn escape_class(character: char) -> String {
    if matches!(character, '\\' | ']' | '[' | '^' | '-' | '&' | '~') {
        format!("\\{character}")
    } else {
        character.to_string()
    }
}

/// Keys of sixteen bytes whose hashes are all the same under the multiply-rotate hash the
/// engine's sets use (`src/fasthash.rs`): a snapshot's producer can compute them, so a hostile
/// snapshot can fill one set with them. Computed once per process; the last one is kept out of
/// every generated list, so looking it up walks past all the others.
fn colliding_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| colliding::colliding_keys(MAX_COLLIDING + 1))
}

// ---------------------------------------------------------------------------------------------
// The run.

fuzz_target!(|data: &[u8]| {
    let mut choices = Choices { data, at: 0 };
    let alphabets: [&[char]; 6] = [
        &['a'],
        &['a', 'b'],
        &['a', 'b', 'c', 'x'],
        &['0', '1', '.', '-'],
        &['a', 'é', '😀'],
        &['a', 'A', '_', ' '],
    ];
    let alphabet = choices.pick(&alphabets).to_vec();
    let mut generator = Generator {
        choices,
        alphabet,
        segments: Vec::new(),
        flags: Vec::new(),
        depths: Vec::new(),
        operands: Vec::new(),
        colliding: false,
        left: MAX_SNAPSHOT,
    };
    let segment_count = generator.choices.count(8);
    for index in 0..segment_count {
        generator.segment(index);
    }
    // Many segment references need many segments: sometimes up to 2,000 copies of the first.
    if segment_count > 0 && generator.choices.one_in(4) {
        let template = generator.segments[0].clone();
        let wanted = generator.choices.count(2000);
        let copies = generator.copies(wanted, template.to_string().len());
        for index in segment_count..segment_count + copies {
            let mut copy = template.clone();
            copy["key"] = json!(format!("seg-{index}"));
            generator.segments.push(copy);
        }
    }
    let fillers = if generator.choices.one_in(4) {
        generator.choices.count(2000)
    } else {
        0
    };
    for index in 0..fillers {
        generator.filler(index);
    }
    let flag_count = fillers + 1 + generator.choices.count(40);
    for index in fillers..flag_count {
        if !generator.choices.more() && index > 0 {
            break;
        }
        generator.flag(index);
    }
    let contexts = [generator.context(), generator.context()];
    let segment_total = generator.segments.len();
    let snapshot = json!({
        "schemaVersion": 1, "revision": 1, "generatedAt": "2026-11-20T08:00:00Z",
        "segments": generator.segments, "flags": generator.flags,
    })
    .to_string();
    let size = snapshot.len();
    if let Ok(directory) = std::env::var("HOSTILE_DUMP") {
        // The generated documents, to study or replay an input outside the fuzzer.
        let _ = std::fs::write(format!("{directory}/snapshot.json"), &snapshot);
        for (index, context) in contexts.iter().enumerate() {
            let _ = std::fs::write(
                format!("{directory}/context-{index}.json"),
                context.to_string(),
            );
        }
    }

    // Loading: the document is valid, so it must load; its memory must stay in proportion.
    let (loaded, load_time, load_peak) = measured(|| Engine::from_json(&snapshot));
    let engine = match loaded {
        Ok(engine) => engine,
        Err(error) => panic!("a generated snapshot was refused: {error}"),
    };
    let allowed = LOAD_BYTES_PER_BYTE * size + LOAD_FIXED_BYTES;
    assert!(
        load_peak <= allowed,
        "loading a snapshot of {size} bytes held {load_peak} bytes at once, over {allowed}"
    );
    let mut fastest_load = load_time;
    // Timed again when over, unless far over (a pause of the machine is not that long).
    if load_time > load_bound(size) && load_time < 4 * load_bound(size) {
        for _ in 0..2 {
            let start = Instant::now();
            let _ = Engine::from_json(&snapshot);
            fastest_load = fastest_load.min(start.elapsed());
        }
    }
    assert!(
        fastest_load <= load_bound(size),
        "loading a snapshot of {size} bytes took {:.3} ms (the fastest load), over the bound of \
         {:.3} ms",
        fastest_load.as_secs_f64() * 1e3,
        load_bound(size).as_secs_f64() * 1e3
    );
    note_load(fastest_load, size);
    note_memory(load_peak, size);
    if verbose() {
        eprintln!(
            "hostile: snapshot {size} bytes, {} flags, {} segments, {} diagnostics; loaded in \
             {:.3} ms holding at most {load_peak} bytes",
            engine.len(),
            segment_total,
            engine.diagnostics().len(),
            load_time.as_secs_f64() * 1e3
        );
        for diagnostic in engine.diagnostics().iter().take(3) {
            eprintln!("hostile:   {diagnostic:?}");
        }
    }

    let now = engine.generated_at();
    let keys: Vec<String> = engine.flag_keys().map(str::to_owned).collect();
    for json in contexts {
        let Ok(context) = Context::from_json_value(json) else {
            continue;
        };
        let prepared = engine.prepare(context.clone());
        for key in &keys {
            let (plain, time, peak) = measured(|| engine.evaluate(key, &context, now));
            check(&plain);
            assert!(
                peak <= EVALUATION_BYTES,
                "evaluating {key} held {peak} bytes at once"
            );
            check_time("evaluate", key, time, data, size, || {
                timed(|| engine.evaluate(key, &context, now))
            });

            let (fast, time, _) = measured(|| engine.evaluate(key, &prepared, now));
            assert_eq!(plain, fast, "a prepared context must not change {key}");
            check_time("evaluate (prepared)", key, time, data, size, || {
                // A fresh prepared context: nothing remembered, so at least as much work.
                let fresh = engine.prepare(context.clone());
                timed(|| engine.evaluate(key, &fresh, now))
            });

            let (explained, time, peak) = measured(|| engine.explain(key, &prepared, now));
            assert_eq!(explained.evaluation, plain, "explain must agree on {key}");
            assert!(
                peak <= EVALUATION_BYTES,
                "explaining {key} held {peak} bytes at once"
            );
            check_time("explain", key, time, data, size, || {
                let fresh = engine.prepare(context.clone());
                timed(|| engine.explain(key, &fresh, now))
            });
        }
        // Every flag at most once more: the bound per flag, times the flags.
        let (all, time, _) = measured(|| engine.evaluate_all(&prepared, now));
        assert_eq!(all.len(), engine.len());
        for ((_, evaluation), key) in all.iter().zip(&keys) {
            assert_eq!(
                *evaluation,
                engine.evaluate(key, &prepared, now),
                "evaluate_all must agree on {key}"
            );
        }
        let flags = u32::try_from(keys.len().max(1)).unwrap_or(u32::MAX);
        check_time(
            "evaluate_all, per flag",
            "(all)",
            time / flags,
            data,
            size,
            || {
                let fresh = engine.prepare(context.clone());
                timed(|| engine.evaluate_all(&fresh, now)) / flags
            },
        );
    }
});

/// Whether the shapes behind the open finding of `docs/fuzzing.md` are generated: yes unless
/// `HOSTILE_SKIP_KNOWN=1`, which leaves out lists of colliding keys, so that a run measures
/// everything else while that finding stands.
fn known_wanted() -> bool {
    static WANTED: OnceLock<bool> = OnceLock::new();
    *WANTED.get_or_init(|| std::env::var("HOSTILE_SKIP_KNOWN").map_or(true, |value| value != "1"))
}

/// Whether `HOSTILE_VERBOSE` asks for a line per input.
fn verbose() -> bool {
    static VERBOSE: OnceLock<bool> = OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("HOSTILE_VERBOSE").is_some())
}

/// Loading time is reported, not bounded: it is linear in the document (as the format's
/// documentation says) and the fuzzer's `-timeout` catches a load that is not.
fn note_load(elapsed: Duration, size: usize) {
    static SLOWEST: Mutex<f64> = Mutex::new(0.0);
    let Ok(mut slowest) = SLOWEST.lock() else {
        return;
    };
    // Nanoseconds per byte, over documents big enough for the rate to mean something.
    if size < 64 * 1024 {
        return;
    }
    let rate = elapsed.as_secs_f64() * 1e9 / size as f64;
    if rate > *slowest {
        *slowest = rate;
        eprintln!(
            "hostile: slowest load so far: {rate:.1} ns per byte ({:.3} ms for {size} bytes)",
            elapsed.as_secs_f64() * 1e3
        );
    }
}

/// Reports the most memory per document byte a load has held, over documents big enough for
/// the ratio to mean something (the fixed allowance dominates small ones).
fn note_memory(peak: usize, size: usize) {
    static LARGEST: Mutex<f64> = Mutex::new(0.0);
    let Ok(mut largest) = LARGEST.lock() else {
        return;
    };
    let ratio = peak as f64 / size as f64;
    if size >= 256 * 1024 && ratio > *largest {
        *largest = ratio;
        eprintln!(
            "hostile: most load memory so far: {ratio:.2} bytes per byte ({peak} bytes for {size})"
        );
    }
}

fn check(evaluation: &Evaluation<'_>) {
    assert_eq!(
        evaluation.reason == Reason::Error,
        evaluation.error_code.is_some(),
        "an error code comes exactly with the ERROR reason: {evaluation:?}"
    );
    if evaluation.value.is_some() {
        assert!(
            evaluation.variant.is_some(),
            "a value comes from a variant: {evaluation:?}"
        );
    }
}
