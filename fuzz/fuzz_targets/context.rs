//! Arbitrary bytes as an evaluation context, against the example snapshot. Building the context
//! must either fail with a `ContextError` or give a context every flag evaluates for without
//! panicking, the same way whether or not it was prepared.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vexil::{Context, Engine, Reason, Timestamp};

const SNAPSHOT: &str = include_str!("../../examples/snapshot.json");

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::from_json(SNAPSHOT).expect("the example snapshot loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(context) = Context::from_json(text) else {
        return;
    };
    let engine = engine();
    let prepared = engine.prepare(context.clone());
    // Inside and outside the example's Black Friday schedule.
    for now in [
        Timestamp::from_unix_millis(1_795_867_200_000),
        Timestamp::from_unix_millis(1_797_724_800_000),
    ] {
        for key in engine.flag_keys() {
            let plain = engine.evaluate(key, &context, now);
            let fast = engine.evaluate(key, &prepared, now);
            assert_eq!(plain, fast, "a prepared context must not change {key}");
            assert_eq!(plain.reason == Reason::Error, plain.error_code.is_some());
            let explained = engine.explain(key, &prepared, now);
            assert_eq!(explained.evaluation, plain, "explain must agree on {key}");
        }
        let all = engine.evaluate_all(&prepared, now);
        assert_eq!(all.len(), engine.len());
    }
});
