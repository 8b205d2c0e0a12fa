//! Reads a pattern into a tree of [`Node`]s, applying flags as it goes: case folding is done
//! on the character sets, and `^`, `$` and `.` are resolved to what they mean under `m` and `s`.

use super::classes::CharSet;
use super::Error;

/// A zero-width assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Look {
    /// `\A`, or `^` without `m`.
    Start,
    /// `\z`, or `$` without `m`.
    End,
    /// `^` with `m`.
    LineStart,
    /// `$` with `m`.
    LineEnd,
    /// `\b`.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
}

/// A parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Node {
    /// Matches the empty string.
    Empty,
    /// One character from the set.
    Set(CharSet),
    Look(Look),
    Concat(Vec<Node>),
    Alternate(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        /// `None` for no upper bound.
        max: Option<u32>,
    },
}

#[derive(Clone, Copy, Default)]
struct Flags {
    /// `i`: ASCII letters match either case.
    fold: bool,
    /// `m`: `^` and `$` also match at line breaks.
    lines: bool,
    /// `s`: `.` matches `\n` too.
    dot_all: bool,
}

/// Repetition counts above this are refused outright (the size limit refuses most sooner).
const MAX_COUNT: u32 = 1000;

pub(super) fn parse(pattern: &str, nest_limit: u32) -> Result<Node, Error> {
    let mut parser = Parser {
        pattern,
        at: 0,
        depth: 0,
        nest_limit,
        names: Vec::new(),
    };
    let node = parser.alternation(Flags::default())?;
    match parser.peek() {
        None => Ok(node),
        Some(_) => Err(Error::at("unopened group", parser.at)),
    }
}

struct Parser<'p> {
    pattern: &'p str,
    /// Byte offset of the next character.
    at: usize,
    depth: u32,
    nest_limit: u32,
    /// Names of the named groups so far (a name may be used once).
    names: Vec<&'p str>,
}

impl<'p> Parser<'p> {
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, expected: char) -> bool {
        let found = self.peek() == Some(expected);
        if found {
            self.at += expected.len_utf8();
        }
        found
    }

    fn rest(&self) -> &'p str {
        self.pattern.get(self.at..).unwrap_or("")
    }

    /// Alternatives up to the end of the pattern or of the current group.
    fn alternation(&mut self, mut flags: Flags) -> Result<Node, Error> {
        let mut alternatives = Vec::new();
        let mut items: Vec<Node> = Vec::new();
        // Whether the last item may take a repetition operator (a flag directive may not).
        let mut repeatable = false;
        loop {
            let start = self.at;
            let Some(c) = self.peek() else { break };
            match c {
                ')' => break,
                '|' => {
                    self.bump();
                    alternatives.push(concat(std::mem::take(&mut items)));
                    repeatable = false;
                }
                '*' | '+' | '?' | '{' => {
                    let (min, max) = self.repetition()?;
                    let last = items.pop().filter(|_| repeatable);
                    let Some(node) = last else {
                        return Err(Error::at("repetition operator missing expression", start));
                    };
                    // Lazy and greedy repetitions match the same texts.
                    self.eat('?');
                    items.push(Node::Repeat {
                        node: Box::new(node),
                        min,
                        max,
                    });
                    // `a{1,2}{2}` repeats a repetition (a `?` right after one made it lazy).
                    repeatable = true;
                }
                '(' => {
                    repeatable = match self.group(&mut flags)? {
                        Some(node) => {
                            items.push(node);
                            true
                        }
                        None => false,
                    };
                }
                _ => {
                    items.push(self.atom(flags)?);
                    repeatable = true;
                }
            }
        }
        alternatives.push(concat(items));
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alternate(alternatives)
        })
    }

    /// `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`, as (min, max).
    fn repetition(&mut self) -> Result<(u32, Option<u32>), Error> {
        let start = self.at;
        match self.bump() {
            Some('*') => return Ok((0, None)),
            Some('+') => return Ok((1, None)),
            Some('?') => return Ok((0, Some(1))),
            _ => {}
        }
        let min = self.count(start)?;
        let max = if self.eat(',') {
            self.skip_spaces();
            if self.peek() == Some('}') {
                None
            } else {
                Some(self.count(start)?)
            }
        } else {
            Some(min)
        };
        if !self.eat('}') {
            return Err(Error::at("unclosed counted repetition", start));
        }
        if max.is_some_and(|max| max < min) {
            return Err(Error::at(
                "invalid counted repetition: min is above max",
                start,
            ));
        }
        Ok((min, max))
    }

    fn count(&mut self, start: usize) -> Result<u32, Error> {
        self.skip_spaces();
        let digits = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        let text = self.rest().get(..digits).unwrap_or("");
        self.at += digits;
        self.skip_spaces();
        match text.parse::<u32>() {
            Ok(count) if count <= MAX_COUNT => Ok(count),
            Ok(_) | Err(_) if digits > 0 => Err(Error::at("repetition count is above 1000", start)),
            _ => Err(Error::at("invalid counted repetition", start)),
        }
    }

    /// Spaces are allowed around the numbers of a counted repetition.
    fn skip_spaces(&mut self) {
        self.at += self.rest().bytes().take_while(|&b| b == b' ').count();
    }

    /// A group, or a flag directive such as `(?i)` (which changes `flags` for the rest of the
    /// enclosing group and gives no node).
    fn group(&mut self, flags: &mut Flags) -> Result<Option<Node>, Error> {
        let start = self.at;
        self.bump();
        let mut inner = *flags;
        if self.eat('?') {
            let rest = self.rest();
            if rest.starts_with('=')
                || rest.starts_with('!')
                || rest.starts_with("<=")
                || rest.starts_with("<!")
            {
                return Err(Error::at("look-around is not supported", start));
            }
            if self.eat('P') || self.peek() == Some('<') {
                self.group_name(start)?;
            } else if !self.eat(':') {
                let changed = self.flags(*flags, start)?;
                if self.eat(')') {
                    *flags = changed;
                    return Ok(None);
                }
                if !self.eat(':') {
                    return Err(Error::at("unclosed group flags", start));
                }
                inner = changed;
            }
        }
        self.depth += 1;
        if self.depth > self.nest_limit {
            return Err(Error::at("groups nest too deeply", start));
        }
        let node = self.alternation(inner)?;
        self.depth -= 1;
        if !self.eat(')') {
            return Err(Error::at("unclosed group", start));
        }
        Ok(Some(node))
    }

    /// `<name>` of a named group.
    fn group_name(&mut self, start: usize) -> Result<(), Error> {
        if !self.eat('<') {
            return Err(Error::at("invalid group name", start));
        }
        let rest = self.rest();
        let length = rest
            .bytes()
            .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']'))
            .count();
        let name = rest.get(..length).unwrap_or("");
        self.at += length;
        let starts_well = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
        if !starts_well || !self.eat('>') {
            return Err(Error::at("invalid group name", start));
        }
        if self.names.contains(&name) {
            return Err(Error::at("duplicate group name", start));
        }
        self.names.push(name);
        Ok(())
    }

    /// Flag letters after `(?`, up to (not including) `)` or `:`.
    fn flags(&mut self, mut flags: Flags, start: usize) -> Result<Flags, Error> {
        let mut on = true;
        let mut seen: Vec<char> = Vec::new();
        let mut any = false;
        while let Some(c) = self.peek() {
            if c == ')' || c == ':' {
                break;
            }
            self.bump();
            if c == '-' {
                if !on {
                    return Err(Error::at("repeated negation in group flags", start));
                }
                on = false;
                any = false;
                continue;
            }
            if seen.contains(&c) {
                return Err(Error::at("duplicate group flag", start));
            }
            seen.push(c);
            any = true;
            match c {
                'i' => flags.fold = on,
                'm' => flags.lines = on,
                's' => flags.dot_all = on,
                // Swapping greedy and lazy changes no answer of `matches`.
                'U' => {}
                'x' | 'R' => {
                    return Err(Error::at("flags x and R are not supported", start));
                }
                _ => return Err(Error::at("unknown group flag", start)),
            }
        }
        if !any {
            return Err(Error::at("group flags expected", start));
        }
        Ok(flags)
    }

    /// A character, `.`, an anchor, a class or an escape.
    fn atom(&mut self, flags: Flags) -> Result<Node, Error> {
        let start = self.at;
        let Some(c) = self.bump() else {
            return Err(Error::at("expression expected", start));
        };
        let set = match c {
            '.' => CharSet::any(flags.dot_all),
            '^' => {
                return Ok(Node::Look(if flags.lines {
                    Look::LineStart
                } else {
                    Look::Start
                }))
            }
            '$' => {
                return Ok(Node::Look(if flags.lines {
                    Look::LineEnd
                } else {
                    Look::End
                }))
            }
            '[' => self.class(flags, start)?,
            '\\' => match self.escape(start, false)? {
                Escaped::Set(set) => set,
                Escaped::Look(look) => return Ok(Node::Look(look)),
            },
            c => CharSet::one(c),
        };
        Ok(Node::Set(fold(set, flags)))
    }

    /// What follows a `\` (already read). In a class, assertions are refused.
    fn escape(&mut self, start: usize, in_class: bool) -> Result<Escaped, Error> {
        let Some(c) = self.bump() else {
            return Err(Error::at("incomplete escape", start));
        };
        let look = match c {
            'A' => Some(Look::Start),
            'z' => Some(Look::End),
            'b' => Some(Look::WordBoundary),
            'B' => Some(Look::NotWordBoundary),
            _ => None,
        };
        if let Some(look) = look {
            if in_class {
                return Err(Error::at("assertions are not allowed in a class", start));
            }
            return Ok(Escaped::Look(look));
        }
        if let Some(set) = CharSet::perl(c) {
            return Ok(Escaped::Set(set));
        }
        let literal = match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0C',
            'v' => '\x0B',
            'a' => '\x07',
            'x' => self.hex(start, 2)?,
            'u' => self.hex(start, 4)?,
            'U' => self.hex(start, 8)?,
            '0'..='9' => {
                return Err(Error::at(
                    "backreferences and octal escapes are not supported",
                    start,
                ))
            }
            'p' | 'P' => return Err(Error::at("Unicode classes are not supported", start)),
            // `\<` and `\>` are word-boundary assertions in the regex family; unsupported here.
            c if c.is_ascii() && !c.is_ascii_alphanumeric() && c != '<' && c != '>' => c,
            _ => return Err(Error::at("unrecognized escape", start)),
        };
        Ok(Escaped::Set(CharSet::one(literal)))
    }

    /// `\xHH`, `\uHHHH`, `\UHHHHHHHH` (`width` digits) or the same letter with `{H…}`,
    /// after the letter.
    fn hex(&mut self, start: usize, width: usize) -> Result<char, Error> {
        let braced = self.eat('{');
        let rest = self.rest();
        let digits = if braced {
            rest.bytes().take_while(u8::is_ascii_hexdigit).count()
        } else {
            width
        };
        let text = rest.get(..digits).unwrap_or("");
        let value = (1..=8)
            .contains(&digits)
            .then(|| u32::from_str_radix(text, 16).ok())
            .flatten()
            .and_then(char::from_u32);
        self.at += text.len();
        match value {
            Some(c) if !braced || self.eat('}') => Ok(c),
            _ => Err(Error::at("invalid hexadecimal escape", start)),
        }
    }

    /// A bracketed class (after the `[`).
    fn class(&mut self, flags: Flags, start: usize) -> Result<CharSet, Error> {
        let negated = self.eat('^');
        let mut set = CharSet::default();
        let mut first = true;
        loop {
            let item = self.at;
            let Some(c) = self.bump() else {
                return Err(Error::at("unclosed class", start));
            };
            if c == ']' && !first {
                break;
            }
            first = false;
            let rest = self.rest();
            if c == '[' {
                if rest.starts_with(':') {
                    set.add_set(&self.posix(item)?);
                    continue;
                }
                return Err(Error::at("nested classes are not supported", item));
            }
            let doubled = rest.starts_with(c);
            if doubled && matches!(c, '&' | '-' | '~') {
                return Err(Error::at("class set operations are not supported", item));
            }
            let from = match c {
                '\\' => match self.escape(item, true)? {
                    Escaped::Set(escaped) => match escaped.single() {
                        Some(c) => c,
                        None => {
                            set.add_set(&escaped);
                            continue;
                        }
                    },
                    Escaped::Look(_) => return Err(Error::at("unrecognized escape", item)),
                },
                c => c,
            };
            let is_range = self.rest().starts_with('-') && !self.rest().starts_with("-]");
            if !is_range {
                set.add(from, from);
                continue;
            }
            self.bump();
            let to_at = self.at;
            let to = match self.bump() {
                Some('\\') => match self.escape(to_at, true)? {
                    Escaped::Set(escaped) => escaped.single(),
                    Escaped::Look(_) => None,
                },
                None => None,
                other => other,
            };
            match to {
                Some(to) if from <= to => set.add(from, to),
                _ => return Err(Error::at("invalid class range", item)),
            }
        }
        let mut set = fold(set, flags);
        if negated {
            set.negate();
        }
        Ok(set)
    }

    /// `[:name:]` or `[:^name:]` inside a class (after its `[`).
    fn posix(&mut self, start: usize) -> Result<CharSet, Error> {
        self.bump();
        let negated = self.eat('^');
        let rest = self.rest();
        let Some(end) = rest.as_bytes().windows(2).position(|pair| pair == b":]") else {
            return Err(Error::at("unclosed POSIX class", start));
        };
        let Some(mut set) = CharSet::posix(rest.get(..end).unwrap_or("")) else {
            return Err(Error::at("unknown POSIX class", start));
        };
        self.at += end + 2;
        if negated {
            set.negate();
        }
        Ok(set)
    }
}

enum Escaped {
    Set(CharSet),
    Look(Look),
}

fn fold(mut set: CharSet, flags: Flags) -> CharSet {
    if flags.fold {
        set.fold_ascii_case();
    }
    set
}

fn concat(mut items: Vec<Node>) -> Node {
    match items.len() {
        0 => Node::Empty,
        1 => items.pop().unwrap_or(Node::Empty),
        _ => Node::Concat(items),
    }
}
