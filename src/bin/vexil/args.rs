//! Command-line parsing, by hand so the tool adds no dependencies to the crate.

use std::ffi::OsString;

use crate::failure::Failure;

/// An option a command accepts.
pub struct OptSpec {
    /// The long name, with its dashes (`--now`).
    pub name: &'static str,
    /// Whether it takes a value (`--now TIME`) or is a switch (`--json`).
    pub takes_value: bool,
}

/// Shorthand for a table of options.
pub const fn opt(name: &'static str, takes_value: bool) -> OptSpec {
    OptSpec { name, takes_value }
}

/// A command line split into positional arguments and options.
#[derive(Debug, Default)]
pub struct Parsed {
    positionals: Vec<String>,
    options: Vec<(&'static str, Option<String>)>,
    /// `--help` or `-h` was given: the command prints its help and does nothing else.
    pub help: bool,
}

impl Parsed {
    /// The value of an option that takes one, if given.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(option, _)| *option == name)
            .and_then(|(_, value)| value.as_deref())
    }

    /// Whether a switch was given.
    pub fn switch(&self, name: &str) -> bool {
        self.options.iter().any(|(option, _)| *option == name)
    }

    /// The one positional argument `name`, if given; more than one is an error.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub fn optional_positional(&self, command: &str, name: &str) -> Result<Option<&str>, Failure> {
        if let Some(extra) = self.positionals.get(1) {
            return Err(Failure::usage(
                command,
                format!("unexpected argument `{extra}` (only one {name} is taken)"),
            ));
        }
        Ok(self.positionals.first().map(String::as_str))
    }

    /// Exactly the positional arguments named in `names` (for the error messages), in order.
    pub fn positionals<const N: usize>(
        &self,
        command: &str,
        names: [&str; N],
    ) -> Result<[&str; N], Failure> {
        if let Some(extra) = self.positionals.get(N) {
            return Err(Failure::usage(
                command,
                format!("unexpected argument `{extra}`"),
            ));
        }
        let mut found = [""; N];
        for (index, (slot, name)) in found.iter_mut().zip(names).enumerate() {
            match self.positionals.get(index) {
                Some(value) => *slot = value,
                None => return Err(Failure::usage(command, format!("missing {name} argument"))),
            }
        }
        Ok(found)
    }
}

/// Splits `args` (everything after the command name) according to `specs`.
///
/// Accepts `--name value` and `--name=value`; `--` ends the options; `-` alone is a positional
/// argument (standard input).
pub fn parse(
    command: &str,
    args: impl IntoIterator<Item = OsString>,
    specs: &[OptSpec],
) -> Result<Parsed, Failure> {
    let mut parsed = Parsed::default();
    let mut args = args.into_iter().map(utf8);
    let mut only_positionals = false;
    while let Some(arg) = args.next() {
        let arg = arg?;
        if only_positionals || arg == "-" || !arg.starts_with('-') {
            parsed.positionals.push(arg);
            continue;
        }
        if arg == "--" {
            only_positionals = true;
            continue;
        }
        if arg == "--help" || arg == "-h" {
            parsed.help = true;
            continue;
        }
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        let Some(spec) = specs.iter().find(|spec| spec.name == name) else {
            return Err(Failure::usage(
                command,
                format!("unknown option `{name}` for `vexil {command}`"),
            ));
        };
        if parsed.switch(spec.name) {
            return Err(Failure::usage(
                command,
                format!("`{}` is given more than once", spec.name),
            ));
        }
        let value = if spec.takes_value {
            let value = match inline_value {
                Some(value) => Some(value),
                // A following option means the value was forgotten, not that it is `--flag`.
                None => match args.next().transpose()? {
                    Some(next) if !next.starts_with("--") => Some(next),
                    _ => None,
                },
            };
            match value {
                Some(value) => Some(value),
                None => {
                    return Err(Failure::usage(
                        command,
                        format!("`{}` needs a value", spec.name),
                    ))
                }
            }
        } else {
            if inline_value.is_some() {
                return Err(Failure::usage(
                    command,
                    format!("`{}` takes no value", spec.name),
                ));
            }
            None
        };
        parsed.options.push((spec.name, value));
    }
    Ok(parsed)
}

fn utf8(arg: OsString) -> Result<String, Failure> {
    arg.into_string().map_err(|arg| Failure::Usage {
        command: None,
        message: format!("argument {arg:?} is not valid UTF-8"),
    })
}
