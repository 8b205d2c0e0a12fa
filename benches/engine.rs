//! Native benchmarks of the engine: evaluating one flag of each kind, evaluating every flag of a
//! 200-flag snapshot for one user, loading a 5,000-flag snapshot, and the costliest single
//! evaluations known.
//!
//! Run with `make bench` (`cargo bench --bench engine`); `docs/benchmarks.md` records the figures
//! and the targets they are compared against. The snapshots come from `support`, a deterministic
//! generator, so every run measures the same documents.

mod support;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use vexil::{Context, Engine, Reason, Timestamp};

use support::{snapshot, Generated, NOW, USER_CONTEXT};

fn now() -> Timestamp {
    Timestamp::parse_rfc3339(NOW).expect("NOW is a valid instant")
}

fn user() -> Context {
    Context::from_json(USER_CONTEXT).expect("USER_CONTEXT is a valid context")
}

fn load(generated: &Generated) -> Engine {
    let engine = Engine::from_json(&generated.json).expect("the generated snapshot loads");
    assert!(
        engine.diagnostics().is_empty(),
        "the generated snapshot should be clean: {:?}",
        engine.diagnostics()
    );
    engine
}

/// Checks, before measuring, that each benchmarked flag takes the path its name promises; a
/// benchmark of the wrong path would report a misleading figure.
fn check_paths(engine: &Engine, generated: &Generated, context: &Context) {
    let now = now();
    let expect = |key: &str, reason: Reason, rule: Option<&str>| {
        let evaluation = engine.evaluate(key, context, now);
        assert_eq!(evaluation.reason, reason, "{key}: {evaluation:?}");
        assert_eq!(evaluation.rule_id, rule, "{key}: {evaluation:?}");
        assert!(evaluation.value.is_some(), "{key}: {evaluation:?}");
    };
    expect(&generated.static_flag, Reason::Static, None);
    expect(
        &generated.rules_flag,
        Reason::TargetingMatch,
        Some("canada-east"),
    );
    expect(&generated.rollout_flag, Reason::Split, None);
    expect(&generated.multivariate_flag, Reason::Split, None);
    expect(&generated.prerequisite_flag, Reason::Split, None);
    expect(
        &generated.segment_flag,
        Reason::TargetingMatch,
        Some("segment"),
    );
    expect(
        &generated.regex_flag,
        Reason::TargetingMatch,
        Some("company-accounts"),
    );
    // The head traces only its direct prerequisite; its SPLIT reason above shows the whole
    // chain of three was met.
    let steps = engine
        .explain(&generated.prerequisite_flag, context, now)
        .steps;
    let met = steps
        .iter()
        .filter(|step| matches!(step, vexil::Step::Prerequisite { met: true, .. }))
        .count();
    assert_eq!(met, 1, "the head has one direct prerequisite: {steps:?}");
    engine.reset_stats();
}

fn evaluate_one(c: &mut Criterion) {
    let generated = snapshot(200);
    eprintln!(
        "200-flag snapshot: {} bytes, {} flags, {} segments",
        generated.json.len(),
        generated.flags,
        generated.segments
    );
    let engine = load(&generated);
    let context = user();
    check_paths(&engine, &generated, &context);
    let prepared = engine.prepare(context.clone());
    let now = now();

    let mut group = c.benchmark_group("evaluate");
    let cases = [
        ("static", &generated.static_flag),
        ("rules", &generated.rules_flag),
        ("rollout", &generated.rollout_flag),
        ("multivariate", &generated.multivariate_flag),
        ("prerequisite_chain", &generated.prerequisite_flag),
        ("segment", &generated.segment_flag),
        ("regex", &generated.regex_flag),
    ];
    for (name, key) in cases {
        group.bench_with_input(BenchmarkId::new(name, "prepared"), key, |b, key| {
            if name == "regex" {
                // A prepared context remembers regex results; a fresh one per iteration measures
                // the match itself, not a remembered answer.
                b.iter_batched(
                    || engine.prepare(context.clone()),
                    |fresh| {
                        engine
                            .evaluate(black_box(key), black_box(&fresh), now)
                            .variant
                    },
                    BatchSize::SmallInput,
                )
            } else {
                b.iter(|| {
                    engine
                        .evaluate(black_box(key), black_box(&prepared), now)
                        .variant
                })
            }
        });
    }
    // The same regex flag answered from a prepared context that already ran the test.
    group.bench_with_input(
        BenchmarkId::new("regex", "remembered"),
        &generated.regex_flag,
        |b, key| {
            b.iter(|| {
                engine
                    .evaluate(black_box(key), black_box(&prepared), now)
                    .variant
            })
        },
    );
    // Same flag with a plain context: the difference is the cost of resolving the context's
    // attributes against the engine on every call.
    group.bench_with_input(
        BenchmarkId::new("rollout", "plain_context"),
        &generated.rollout_flag,
        |b, key| {
            b.iter(|| {
                engine
                    .evaluate(black_box(key), black_box(&context), now)
                    .variant
            })
        },
    );
    let id = engine
        .flag_id(&generated.rollout_flag)
        .expect("the rollout flag exists");
    group.bench_function(BenchmarkId::new("rollout", "prepared_by_id"), |b| {
        b.iter(|| {
            engine
                .evaluate_id(black_box(id), black_box(&prepared), now)
                .variant
        })
    });
    group.bench_function("prepare_context", |b| {
        b.iter(|| engine.prepare(black_box(context.clone())))
    });
    group.finish();
}

fn evaluate_all(c: &mut Criterion) {
    let generated = snapshot(200);
    let engine = load(&generated);
    let now = now();
    let mut group = c.benchmark_group("evaluate_all");
    group.throughput(Throughput::Elements(generated.flags as u64));
    // A fresh prepared context per iteration: a prepared context remembers regex results, and
    // reusing one would measure memo hits instead of the first evaluation of each flag.
    group.bench_function("200_flags_prepared", |b| {
        b.iter_batched_ref(
            || engine.prepare(user()),
            |prepared| engine.evaluate_all(black_box(prepared), now).len(),
            BatchSize::SmallInput,
        )
    });
    // What a request handler pays in all: preparing the context, then every flag.
    group.bench_function("200_flags_prepare_and_evaluate", |b| {
        b.iter(|| {
            engine
                .evaluate_all(&engine.prepare(black_box(user())), now)
                .len()
        })
    });
    group.finish();
}

fn load_snapshot(c: &mut Criterion) {
    let generated = snapshot(5_000);
    eprintln!(
        "5,000-flag snapshot: {} bytes, {} flags, {} segments",
        generated.json.len(),
        generated.flags,
        generated.segments
    );
    drop(load(&generated));
    let mut group = c.benchmark_group("load");
    group.sample_size(30);
    group.throughput(Throughput::Bytes(generated.json.len() as u64));
    group.bench_function("5000_flags_from_json", |b| {
        // The engine is freed outside the measurement: loading is what a client waits for;
        // freeing the replaced engine happens later, off the load path.
        b.iter_with_large_drop(|| Engine::from_json(black_box(&generated.json)))
    });
    group.finish();
}

/// The costliest single evaluations known (see `support::worst`), each with a context made
/// fresh for every call, so nothing is remembered between them.
fn worst_case(c: &mut Criterion) {
    let worst = support::worst::worst_cases();
    let engine = Engine::from_json(&worst.json).expect("the worst-case snapshot loads");
    let now = now();
    let mut group = c.benchmark_group("worst_case");
    for case in &worst.cases {
        let context = Context::from_json_value(case.context.clone()).expect("a valid context");
        let outcome = engine.evaluate(case.flag, &context, now);
        let label = outcome
            .error_code
            .map_or(outcome.reason.as_str(), |code| code.as_str());
        group.bench_function(format!("{} ({label})", case.flag), |b| {
            b.iter_batched(
                || context.clone(),
                |context| black_box(engine.evaluate(case.flag, &context, now).reason),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    evaluate_one,
    evaluate_all,
    load_snapshot,
    worst_case
);
criterion_main!(benches);
