//! The matcher against `regex-lite`, the library whose syntax and meaning it follows: the same
//! patterns are accepted and every text gets the same answer.

use proptest::prelude::*;

use super::Regex;

const SIZE: usize = 256 * 1024;
const NEST: u32 = 32;

fn ours(pattern: &str) -> Option<Regex> {
    Regex::new(pattern, SIZE, NEST).ok()
}

fn theirs(pattern: &str) -> Option<regex_lite::Regex> {
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(SIZE)
        .nest_limit(NEST)
        .build()
        .ok()
}

fn agree(pattern: &str, texts: &[&str]) {
    let mine = ours(pattern);
    let reference = theirs(pattern);
    assert_eq!(
        mine.is_some(),
        reference.is_some(),
        "acceptance of {pattern:?}: ours {:?}",
        Regex::new(pattern, SIZE, NEST).err()
    );
    if let (Some(mine), Some(reference)) = (mine, reference) {
        for text in texts {
            assert_eq!(
                mine.is_match(text),
                reference.is_match(text),
                "{pattern:?} on {text:?}"
            );
        }
    }
}

const TEXTS: &[&str] = &[
    "",
    "a",
    "A",
    "ab",
    "abc",
    "aab",
    "ba",
    "a\nb",
    "\n",
    "x_1 y",
    "ana@gmail.com",
    "Mozilla/5.0 (X11) Firefox/120",
    "é",
    "Éa",
    "日本語",
    "a b\tc",
    "[]^-\\",
    "{}",
    "12345",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
];

#[test]
fn hand_picked_patterns_agree() {
    for pattern in [
        "",
        "a",
        "^a",
        "a$",
        "^$",
        "^abc$",
        "gmail",
        r"@gmail\.com$",
        r"^Mozilla/5\.0 .*Firefox/\d+",
        "a|b|",
        "(a|)b",
        "(?:ab)+",
        "a*",
        "a+?",
        "a{2}",
        "a{2,}",
        "a{1,3}b",
        "a{0}",
        "(a*)*b",
        "(a|ab)(c|bcd)",
        "[abc]",
        "[^abc]",
        "[a-c]+$",
        "[]a]",
        "[^]a]",
        "[a-]",
        "[-a]",
        r"[\d_]",
        r"[\w\s]",
        r"[^\W]",
        r"\d+",
        r"\D",
        r"\w+",
        r"\W",
        r"\s",
        r"\S+",
        r"\bab\b",
        r"\Bb",
        r"\Aa",
        r"b\z",
        "[[:alpha:]]+",
        "[[:^digit:]]",
        "[[:punct:]]",
        "[[:space:][:upper:]]",
        "(?i)ABC",
        "(?i)é",
        "(?i)[a-c]",
        "(?i)[^a]",
        "a(?i)b",
        "(?i:a)b",
        "(?i)a(?-i)b",
        "(?m)^b",
        "(?m)a$",
        "(?s).",
        ".",
        "a.b",
        "(?s)a.b",
        "(?U)a+",
        "(?P<name>a)",
        "(?<name>a)b",
        r"\x61",
        r"\x{65E5}",
        r"\n",
        r"\t",
        r"\.\+\*\?\(\)\|\[\]\{\}\^\$\#\&\-\~",
        r"\/",
        r"\@",
        "日本",
        "[日-語]",
        "^(a+)+$",
        "x*y*z*",
        "(|a)+",
        "a{1,2}{2}",
        "a**",
        "a*?{2}",
        "a{ 1}",
        "a{1 , 2 }",
        r"\ ",
        r"\%",
        r"\_",
        r"\u0061",
        r"\u{61}",
        r"\U00000061",
        "(?i)(?-i:a)",
        "(?im)^A$",
    ] {
        agree(pattern, TEXTS);
    }
}

#[test]
fn refused_patterns_are_refused_with_a_reason() {
    for pattern in [
        "(",
        ")",
        "a)",
        "[",
        "[a",
        "[z-a]",
        "*",
        "+a",
        "?",
        "a{",
        "a{x}",
        "a{2,1}",
        "a{1001}",
        "(?=a)",
        "(?!a)",
        "(?<=a)",
        "(?<!a)",
        r"(a)\1",
        r"\p{L}",
        r"\pN",
        "[a&&b]",
        "[a--b]",
        "[a~~b]",
        "[[:nope:]]",
        r"\q",
        r"\x{110000}",
        r"\x{D800}",
        r"\xZZ",
        "(?z)",
        "(?)",
        "(?ii)",
        "(?<1a>x)",
        "(?P<n>a)(?P<n>b)",
        r"\",
        "a{1000}{1000}",
    ] {
        let error = Regex::new(pattern, SIZE, NEST).err();
        assert!(error.is_some(), "{pattern:?} was accepted");
        assert!(!error.map(|e| e.to_string()).unwrap_or_default().is_empty());
    }
}

#[test]
fn the_nest_limit_counts_groups() {
    let deep = |depth: usize| format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
    assert!(Regex::new(&deep(32), SIZE, NEST).is_ok());
    assert!(Regex::new(&deep(33), SIZE, NEST).is_err());
    assert!(Regex::new(&deep(10_000), SIZE, NEST).is_err());
}

#[test]
fn matching_time_is_linear_on_the_classic_blow_up() {
    let pattern = ours("^(a+)+$").map(|regex| regex.is_match(&format!("{}b", "a".repeat(20_000))));
    assert_eq!(pattern, Some(false));
}

/// Patterns drawn from the supported grammar over a small alphabet, so that matches are common.
fn pattern() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("B".to_owned()),
        Just("é".to_owned()),
        Just(".".to_owned()),
        Just(" ".to_owned()),
        Just(r"\d".to_owned()),
        Just(r"\w".to_owned()),
        Just(r"\S".to_owned()),
        Just(r"\n".to_owned()),
        Just(r"\.".to_owned()),
        Just("[ab]".to_owned()),
        Just("[^a ]".to_owned()),
        Just("[a-c1]".to_owned()),
        Just("[[:upper:]]".to_owned()),
        Just("^".to_owned()),
        Just("$".to_owned()),
        Just(r"\b".to_owned()),
        Just(r"\B".to_owned()),
        Just(r"\A".to_owned()),
        Just(r"\z".to_owned()),
        Just(r"\x61".to_owned()),
        Just(r"\W".to_owned()),
        Just("[^[:^alpha:]1]".to_owned()),
        Just(r"[\s\d]".to_owned()),
        Just("[X-_]".to_owned()),
        Just("[`-c]".to_owned()),
        Just("(?m:^)".to_owned()),
        Just("(?m:$)".to_owned()),
        Just("(?-i:b)".to_owned()),
    ];
    let flags = prop_oneof![
        Just(""),
        Just("(?i)"),
        Just("(?m)"),
        Just("(?s)"),
        Just("(?is)")
    ];
    let tree = atom.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|items| items.concat()),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| items.join("|")),
            inner.clone().prop_map(|item| format!("({item})")),
            inner.clone().prop_map(|item| format!("(?:{item})*")),
            inner.clone().prop_map(|item| format!("(?i:{item})")),
            (inner, 0..8usize).prop_map(|(item, quantifier)| {
                let quantifier =
                    ["+", "?", "{1,2}", "{2}", "*?", "+?", "{0,3}", "{2,}"][quantifier];
                format!("(?:{item}){quantifier}")
            }),
        ]
    });
    (flags, tree).prop_map(|(flags, tree)| format!("{flags}{tree}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_patterns_agree_with_regex_lite(
        pattern in pattern(),
        texts in prop::collection::vec("[abB é1\n.,_]{0,8}", 8),
    ) {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        agree(&pattern, &texts);
        agree(&pattern, TEXTS);
    }

    #[test]
    fn any_pattern_text_is_refused_or_compiled_without_panicking(pattern in "\\PC{0,24}", text in "\\PC{0,16}") {
        if let Ok(regex) = Regex::new(&pattern, SIZE, NEST) {
            regex.is_match(&text);
        }
    }
}

#[test]
fn case_folding_covers_ranges_that_span_both_cases() {
    // As in the `regex` crate. regex-lite 0.1 folds only part of such a range (it says no here).
    assert_eq!(
        ours("(?i)[A-b]").map(|regex| regex.is_match("y")),
        Some(true)
    );
    assert_eq!(
        ours("(?i)[Z-a]").map(|regex| regex.is_match("z")),
        Some(true)
    );
    assert_eq!(
        ours("(?i)[Z-a]").map(|regex| regex.is_match("y")),
        Some(false)
    );
}

#[test]
fn syntax_outside_the_supported_part_is_refused() {
    // regex-lite accepts these; the documentation lists them as unsupported.
    for pattern in ["a{1001}", "(?x)a b", "(?R)a", r"\<", r"\b{start}", "[--z]"] {
        assert!(theirs(pattern).is_some(), "regex-lite refuses {pattern:?}");
        assert!(ours(pattern).is_none(), "{pattern:?} was accepted");
    }
}

#[test]
fn instructions_are_counted_at_no_less_than_their_size_on_this_platform() {
    assert!(std::mem::size_of::<super::program::Inst>() <= super::program::INST_BYTES);
    assert_eq!(
        std::mem::size_of::<(char, char)>(),
        super::program::RANGE_BYTES
    );
}

#[test]
fn a_class_counts_eight_bytes_per_range_against_the_size_limit() {
    // One class of two ranges (24 + 2 × 8 bytes), then the final instruction (24).
    let class = Regex::new("[ac]", 64, 8).expect("fits in 64 bytes");
    assert_eq!((class.states(), class.program_bytes()), (2, 64));
    assert!(Regex::new("[ac]", 63, 8).is_err_and(|error| error.is_too_large()));
    // A literal is one instruction without ranges.
    let literal = Regex::new("ab", 72, 8).expect("fits in 72 bytes");
    assert_eq!((literal.states(), literal.program_bytes()), (3, 72));
}
