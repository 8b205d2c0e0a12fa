//! The compiled automaton and its simulation.

use super::classes::{contains, is_word};
use super::parse::{Look, Node};
use super::Error;

/// One instruction. Threads move to the next instruction unless told otherwise.
#[derive(Clone, Debug)]
pub(super) enum Inst {
    /// Consumes this character.
    Char(char),
    /// Consumes one character of the canonical ranges.
    Set(Box<[(char, char)]>),
    /// Goes on only where the assertion holds.
    Look(Look),
    /// Goes on at both.
    Split(u32, u32),
    Jump(u32),
    Match,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub(super) struct Program {
    insts: Box<[Inst]>,
    /// Whether matches can only start at the start of the text (the pattern opens with `\A`),
    /// which lets a search stop as soon as no thread is left.
    anchored: bool,
    /// Bytes the program takes, as counted against the size limit.
    bytes: usize,
}

impl Program {
    pub(super) fn compile(tree: &Node, size_limit: usize) -> Result<Program, Error> {
        let mut compiler = Compiler {
            insts: Vec::new(),
            bytes: 0,
            size_limit,
        };
        compiler.node(tree)?;
        compiler.push(Inst::Match)?;
        let anchored = match tree {
            Node::Look(Look::Start) => true,
            Node::Concat(items) => items.first() == Some(&Node::Look(Look::Start)),
            _ => false,
        };
        Ok(Program {
            insts: compiler.insts.into_boxed_slice(),
            anchored,
            bytes: compiler.bytes,
        })
    }

    /// How many instructions the program has: a search steps through at most this many per
    /// character of the text.
    pub(super) fn states(&self) -> usize {
        self.insts.len()
    }

    /// Bytes the program takes in memory.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(super) fn is_match(&self, text: &str) -> bool {
        let mut search = Search {
            insts: &self.insts,
            visited: SparseSet::new(self.insts.len()),
            stack: Vec::new(),
        };
        let mut seeds = SparseSet::new(self.insts.len());
        let mut previous = None;
        let mut chars = text.chars();
        loop {
            let current = chars.next();
            search.visited.clear();
            let at = (previous, current);
            for &pc in seeds.iter() {
                if search.close(pc, at) {
                    return true;
                }
            }
            if previous.is_none() || !self.anchored {
                if search.close(0, at) {
                    return true;
                }
            } else if search.visited.is_empty() {
                return false;
            }
            let Some(c) = current else { return false };
            seeds.clear();
            for &pc in search.visited.iter() {
                let consumes = match &self.insts[pc as usize] {
                    Inst::Char(expected) => *expected == c,
                    Inst::Set(ranges) => contains(ranges, c),
                    _ => false,
                };
                if consumes {
                    seeds.insert(pc + 1);
                }
            }
            previous = Some(c);
        }
    }
}

/// What an instruction is counted as against the size limits, the same on every platform so
/// that a pattern near a limit is accepted or refused alike natively and in WebAssembly: the size
/// of an instruction on 64-bit targets, which is the larger (WebAssembly's is 12).
pub(super) const INST_BYTES: usize = 24;
/// What each range of a class adds: two `char`s.
pub(super) const RANGE_BYTES: usize = 8;

struct Compiler {
    insts: Vec<Inst>,
    /// Bytes the program takes so far, counted against the size limit.
    bytes: usize,
    size_limit: usize,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Result<u32, Error> {
        let extra = match &inst {
            Inst::Set(ranges) => RANGE_BYTES * ranges.len(),
            _ => 0,
        };
        self.bytes += INST_BYTES + extra;
        let pc = u32::try_from(self.insts.len()).ok();
        match pc {
            Some(pc) if self.bytes <= self.size_limit => {
                self.insts.push(inst);
                Ok(pc)
            }
            _ => Err(Error::too_large()),
        }
    }

    fn next_pc(&self) -> u32 {
        // `push` keeps the length within u32.
        u32::try_from(self.insts.len()).unwrap_or(u32::MAX)
    }

    fn patch(&mut self, at: u32, inst: Inst) {
        if let Some(slot) = self.insts.get_mut(at as usize) {
            *slot = inst;
        }
    }

    fn node(&mut self, node: &Node) -> Result<(), Error> {
        match node {
            Node::Empty => {}
            Node::Set(set) => {
                let inst = match set.single() {
                    Some(c) => Inst::Char(c),
                    None => Inst::Set(set.clone().into_ranges()),
                };
                self.push(inst)?;
            }
            Node::Look(look) => {
                self.push(Inst::Look(*look))?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.node(item)?;
                }
            }
            Node::Alternate(alternatives) => {
                let mut jumps = Vec::with_capacity(alternatives.len());
                let (last, others) = alternatives.split_last().unwrap_or((&Node::Empty, &[]));
                for alternative in others {
                    let split = self.push(Inst::Match)?;
                    self.node(alternative)?;
                    jumps.push(self.push(Inst::Match)?);
                    let next = self.next_pc();
                    self.patch(split, Inst::Split(split + 1, next));
                }
                self.node(last)?;
                let end = self.next_pc();
                for jump in jumps {
                    self.patch(jump, Inst::Jump(end));
                }
            }
            Node::Repeat { node, min, max } => self.repeat(node, *min, *max)?,
        }
        Ok(())
    }

    fn repeat(&mut self, node: &Node, min: u32, max: Option<u32>) -> Result<(), Error> {
        // Mandatory copies; the last one loops when there is no upper bound.
        for copy in 0..min {
            let start = self.next_pc();
            self.node(node)?;
            if max.is_none() && copy + 1 == min {
                let after = self.next_pc() + 1;
                self.push(Inst::Split(start, after))?;
            }
        }
        match max {
            None if min == 0 => {
                let split = self.push(Inst::Match)?;
                self.node(node)?;
                self.push(Inst::Jump(split))?;
                let after = self.next_pc();
                self.patch(split, Inst::Split(split + 1, after));
            }
            None => {}
            Some(max) => {
                let mut splits = Vec::new();
                for _ in min..max {
                    splits.push(self.push(Inst::Match)?);
                    self.node(node)?;
                }
                let after = self.next_pc();
                for split in splits {
                    self.patch(split, Inst::Split(split + 1, after));
                }
            }
        }
        Ok(())
    }
}

/// The threads of one step of a search.
struct Search<'p> {
    insts: &'p [Inst],
    /// Every instruction reached at the current position.
    visited: SparseSet,
    stack: Vec<u32>,
}

impl Search<'_> {
    /// Follows every path from `pc` that consumes nothing, at a position between the
    /// characters `at`. Returns whether one of them reaches `Match`.
    fn close(&mut self, pc: u32, at: (Option<char>, Option<char>)) -> bool {
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            if !self.visited.insert(pc) {
                continue;
            }
            match self.insts.get(pc as usize) {
                Some(Inst::Match) => {
                    self.stack.clear();
                    return true;
                }
                Some(Inst::Jump(to)) => self.stack.push(*to),
                Some(Inst::Split(first, second)) => {
                    self.stack.push(*second);
                    self.stack.push(*first);
                }
                Some(Inst::Look(look)) => {
                    if holds(*look, at) {
                        self.stack.push(pc + 1);
                    }
                }
                Some(Inst::Char(_) | Inst::Set(_)) | None => {}
            }
        }
        false
    }
}

fn holds(look: Look, (previous, next): (Option<char>, Option<char>)) -> bool {
    match look {
        Look::Start => previous.is_none(),
        Look::End => next.is_none(),
        Look::LineStart => previous.is_none_or(|c| c == '\n'),
        Look::LineEnd => next.is_none_or(|c| c == '\n'),
        Look::WordBoundary => is_word(previous) != is_word(next),
        Look::NotWordBoundary => is_word(previous) == is_word(next),
    }
}

/// A set of instruction numbers below a bound, with constant-time insert and clear and
/// iteration in insertion order.
struct SparseSet {
    dense: Vec<u32>,
    sparse: Box<[u32]>,
}

impl SparseSet {
    fn new(capacity: usize) -> SparseSet {
        SparseSet {
            dense: Vec::with_capacity(capacity),
            sparse: vec![0; capacity].into_boxed_slice(),
        }
    }

    /// Adds `value`; false when it was there already (or is out of range).
    fn insert(&mut self, value: u32) -> bool {
        let Some(&slot) = self.sparse.get(value as usize) else {
            return false;
        };
        if self.dense.get(slot as usize) == Some(&value) {
            return false;
        }
        self.sparse[value as usize] = u32::try_from(self.dense.len()).unwrap_or(u32::MAX);
        self.dense.push(value);
        true
    }

    fn iter(&self) -> std::slice::Iter<'_, u32> {
        self.dense.iter()
    }

    fn is_empty(&self) -> bool {
        self.dense.is_empty()
    }

    fn clear(&mut self) {
        self.dense.clear();
    }
}
