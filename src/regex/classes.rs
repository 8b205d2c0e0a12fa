//! Sets of characters as sorted, disjoint, non-adjacent inclusive ranges.

/// A set of characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct CharSet {
    ranges: Vec<(char, char)>,
}

const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
const DIGIT: &[(char, char)] = &[('0', '9')];
const SPACE: &[(char, char)] = &[('\t', '\r'), (' ', ' ')];

impl CharSet {
    pub(super) fn one(c: char) -> CharSet {
        CharSet {
            ranges: vec![(c, c)],
        }
    }

    /// Every character, or every one but `\n`.
    pub(super) fn any(newline: bool) -> CharSet {
        let mut set = CharSet::one('\n');
        if newline {
            set.ranges.clear();
        }
        set.negate();
        set
    }

    pub(super) fn add(&mut self, from: char, to: char) {
        self.ranges.push((from, to));
    }

    pub(super) fn add_set(&mut self, other: &CharSet) {
        self.ranges.extend_from_slice(&other.ranges);
    }

    /// `\d`, `\w`, `\s` and their negations `\D`, `\W`, `\S` (ASCII), for the letter after `\`.
    pub(super) fn perl(letter: char) -> Option<CharSet> {
        let ranges = match letter.to_ascii_lowercase() {
            'd' => DIGIT,
            'w' => WORD,
            's' => SPACE,
            _ => return None,
        };
        let mut set = CharSet {
            ranges: ranges.to_vec(),
        };
        if letter.is_ascii_uppercase() {
            set.negate();
        }
        Some(set)
    }

    /// A POSIX class such as `alpha` (ASCII).
    pub(super) fn posix(name: &str) -> Option<CharSet> {
        let ranges: &[(char, char)] = match name {
            "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
            "alpha" => &[('A', 'Z'), ('a', 'z')],
            "ascii" => &[('\0', '\x7F')],
            "blank" => &[('\t', '\t'), (' ', ' ')],
            "cntrl" => &[('\0', '\x1F'), ('\x7F', '\x7F')],
            "digit" => DIGIT,
            "graph" => &[('!', '~')],
            "lower" => &[('a', 'z')],
            "print" => &[(' ', '~')],
            "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
            "space" => SPACE,
            "upper" => &[('A', 'Z')],
            "word" => WORD,
            "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
            _ => return None,
        };
        Some(CharSet {
            ranges: ranges.to_vec(),
        })
    }

    /// Adds the other case of every ASCII letter in the set (`(?i)` folds ASCII only).
    pub(super) fn fold_ascii_case(&mut self) {
        let mut extra = Vec::new();
        for &(from, to) in &self.ranges {
            for (lower, upper) in [(('a', 'z'), ('A', 'Z')), (('A', 'Z'), ('a', 'z'))] {
                let start = from.max(lower.0);
                let end = to.min(lower.1);
                if start <= end {
                    extra.push((shift_case(start, upper.0), shift_case(end, upper.0)));
                }
            }
        }
        self.ranges.extend(extra);
        self.canonicalize();
    }

    /// Replaces the set by every character not in it.
    pub(super) fn negate(&mut self) {
        self.canonicalize();
        let mut negated = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = Some('\0');
        for &(from, to) in &self.ranges {
            if let Some(start) = next {
                if start < from {
                    negated.push((start, before(from)));
                }
            }
            next = after(to);
        }
        if let Some(start) = next {
            negated.push((start, char::MAX));
        }
        self.ranges = negated;
    }

    /// Sorts and merges the ranges, which `contains` relies on.
    pub(super) fn canonicalize(&mut self) {
        // An insertion sort: classes hold few ranges (patterns are at most 1 KiB), and the
        // standard sorts would add kilobytes to the WebAssembly.
        for sorted in 1..self.ranges.len() {
            let mut at = sorted;
            while at > 0 && self.ranges[at - 1] > self.ranges[at] {
                self.ranges.swap(at - 1, at);
                at -= 1;
            }
        }
        let mut merged: Vec<(char, char)> = Vec::with_capacity(self.ranges.len());
        for &(from, to) in &self.ranges {
            match merged.last_mut() {
                Some(last) if after(last.1).is_none_or(|next| from <= next) => {
                    last.1 = last.1.max(to);
                }
                _ => merged.push((from, to)),
            }
        }
        self.ranges = merged;
    }

    /// The canonical ranges.
    pub(super) fn into_ranges(mut self) -> Box<[(char, char)]> {
        self.canonicalize();
        self.ranges.into_boxed_slice()
    }

    /// The single character this set holds, if it holds exactly one.
    pub(super) fn single(&self) -> Option<char> {
        match self.ranges[..] {
            [(from, to)] if from == to => Some(from),
            _ => None,
        }
    }
}

/// Whether canonical `ranges` hold `c`.
pub(super) fn contains(ranges: &[(char, char)], c: char) -> bool {
    match ranges {
        [] => false,
        [(from, to)] => *from <= c && c <= *to,
        _ => {
            let index = ranges.partition_point(|&(_, to)| to < c);
            ranges.get(index).is_some_and(|&(from, _)| from <= c)
        }
    }
}

/// Whether `c` is an ASCII word character (for `\b`).
pub(super) fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn shift_case(c: char, target_base: char) -> char {
    // Both cases of ASCII letters are 26 apart in the same order; the result is ASCII.
    let offset = (c as u8).to_ascii_lowercase() - b'a';
    char::from(target_base as u8 + offset)
}

/// The character before `c`, skipping the surrogate gap (`c` is never `'\0'` here).
fn before(c: char) -> char {
    match c {
        '\u{E000}' => '\u{D7FF}',
        _ => char::from_u32(c as u32 - 1).unwrap_or(c),
    }
}

/// The character after `c`, skipping the surrogate gap; `None` after `char::MAX`.
fn after(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        char::MAX => None,
        _ => char::from_u32(c as u32 + 1),
    }
}
