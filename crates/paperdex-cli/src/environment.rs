//! The options the environment sets (`PAPERDEX_INDEX`, `PAPERDEX_FUSION`, …), read as a
//! shell user expects: a flag on the command line wins over its variable, a variable set
//! empty (`PAPERDEX_INDEX=` in a unit file or a CI job) is unset, and a bad value is named by
//! its variable, not by a flag nobody typed.
//!
//! clap validates a global option's variable inside the subcommand even when the option was
//! given before it (clap issues #1546 and #5020), so `PAPERDEX_FUSION=bogus paperdex --fusion
//! rrf search …` was refused. Before parsing, each such option's variable is taken off the
//! command's definition where the command line gives the option or the variable is empty.

use std::ffi::OsString;

use clap::Command;
use clap::error::{ContextKind, ContextValue};

/// `command` with the environment variables of the options `args` gives, and of those set
/// empty, no longer read.
pub fn without_overridden(mut command: Command, args: &[OsString]) -> Command {
    let typed: Vec<&OsString> = args.iter().skip(1).take_while(|arg| *arg != "--").collect();
    let unread: Vec<clap::Id> = command
        .get_arguments()
        .filter(|arg| {
            let Some(variable) = arg.get_env() else { return false };
            let given = arg.get_long().is_some_and(|long| {
                let flag = format!("--{long}");
                typed.iter().any(|arg| arg.to_str().is_some_and(|a| a == flag || a.starts_with(&format!("{flag}="))))
            });
            given || std::env::var_os(variable).is_some_and(|value| value.is_empty())
        })
        .map(|arg| arg.get_id().clone())
        .collect();
    for id in unread {
        command = command.mut_arg(id, |arg| arg.env(None));
    }
    command
}

/// The message of `error` when the value it refuses came from an environment variable of
/// `command`: the variable named in place of its option (`invalid value 'bogus' in
/// PAPERDEX_FUSION (from the environment; --fusion overrides it): unknown fusion …`).
pub fn named_by_variable(command: &Command, error: &clap::Error) -> Option<String> {
    let Some(ContextValue::String(shown)) = error.get(ContextKind::InvalidArg) else { return None };
    let arg = command
        .get_arguments()
        .find(|arg| arg.get_long().is_some_and(|long| shown.starts_with(&format!("--{long} "))))?;
    let variable = arg.get_env()?.to_string_lossy().into_owned();
    std::env::var_os(&variable)?;
    let rendered = error.render().to_string();
    let first = rendered.lines().next()?.strip_prefix("error: ")?;
    let long = arg.get_long()?;
    Some(first.replacen(
        &format!("for '{shown}'"),
        &format!("in {variable} (from the environment; --{long} overrides it)"),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use clap::{Arg, Command};

    use super::*;

    fn command() -> Command {
        Command::new("paperdex")
            .arg(Arg::new("fusion").long("fusion").global(true).env("PAPERDEX_TEST_FUSION").default_value("rrf"))
            .subcommand(Command::new("search").arg(Arg::new("query")))
    }

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    fn envs(command: &Command) -> Vec<Option<String>> {
        command.get_arguments().map(|arg| arg.get_env().map(|e| e.to_string_lossy().into_owned())).collect()
    }

    #[test]
    fn a_flag_on_the_command_line_stops_its_variable_being_read() {
        let given = without_overridden(command(), &args("paperdex --fusion weighted search x"));
        assert_eq!(envs(&given), [None]);
        let joined = without_overridden(command(), &args("paperdex --fusion=weighted search x"));
        assert_eq!(envs(&joined), [None]);
        // After `--` it is a query's word, not the flag.
        let quoted = without_overridden(command(), &args("paperdex search -- --fusion"));
        assert_eq!(envs(&quoted), [Some("PAPERDEX_TEST_FUSION".to_string())]);
    }
}
