//! The query of `search` and `new` as the words typed after the command, quotes or not:
//! `paperdex search KV cache quantization` and `paperdex search agent memory -robot`.
//!
//! clap reads `-robot` as the short flags `-r -o -b …` and refuses it, and a positional that
//! takes hyphenated values takes every flag after its first word too (`agent -n 3` would
//! search for `-n`). So before clap sees them, the command's words (everything that is neither
//! an option it knows nor an option's value) are moved after a `--`, in the order typed, where
//! clap takes them as the query whatever they start with. A word after a minus is a mark
//! (`query_syntax`): it leaves papers out. The options stay where they were: `-n 5`, `-n5`,
//! `--mode bm25`, `--json`, `-h`.

use std::ffi::OsString;

use clap::{Arg, Command};

/// The commands whose positional words are all one query.
const QUERY_COMMANDS: [&str; 2] = ["search", "new"];

/// `args` (the program's name first) with the query words of `search` or `new` after a `--`;
/// any other command line unchanged.
pub fn query_words_last(mut command: Command, args: Vec<OsString>) -> Vec<OsString> {
    command.build();
    let Some((at, subcommand)) = find_subcommand(&command, &args) else { return args };
    if !QUERY_COMMANDS.contains(&subcommand.get_name()) {
        return args;
    }
    let mut options: Vec<OsString> = args[..=at].to_vec();
    let mut words = Vec::new();
    let mut rest = args[at + 1..].iter();
    while let Some(arg) = rest.next() {
        match Typed::of(subcommand, &arg.to_string_lossy()) {
            Typed::Escape => {
                words.extend(rest.by_ref().cloned());
                break;
            }
            Typed::Option { takes_value } => {
                options.push(arg.clone());
                if takes_value && let Some(value) = rest.next() {
                    options.push(value.clone());
                }
            }
            Typed::Word => words.push(arg.clone()),
        }
    }
    if words.is_empty() {
        return args;
    }
    options.push("--".into());
    options.extend(words);
    options
}

/// The subcommand named on the command line and where, past the program's global options.
fn find_subcommand<'c>(command: &'c Command, args: &[OsString]) -> Option<(usize, &'c Command)> {
    let mut at = 1;
    while let Some(arg) = args.get(at) {
        let arg = arg.to_str()?;
        if let Some(subcommand) = command.find_subcommand(arg) {
            return Some((at, subcommand));
        }
        match Typed::of(command, arg) {
            Typed::Option { takes_value } => at += 1 + usize::from(takes_value),
            // A word before any command, or `--`: clap says what is wrong with it.
            Typed::Word | Typed::Escape => return None,
        }
    }
    None
}

/// What one argument is to a command.
#[derive(Debug, PartialEq)]
enum Typed {
    /// `--`: the rest are words.
    Escape,
    /// A flag or option the command knows (or a `--long` one it does not: clap names it),
    /// and whether its value is the next argument.
    Option { takes_value: bool },
    /// A word of the query, with a minus or without.
    Word,
}

impl Typed {
    fn of(command: &Command, arg: &str) -> Typed {
        if arg == "--" {
            return Typed::Escape;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            let known = command.get_arguments().find(|a| a.get_long() == Some(name));
            return Typed::Option { takes_value: !value && known.is_some_and(takes_value) };
        }
        let mut chars = arg.chars();
        let (Some('-'), Some(short)) = (chars.next(), chars.next()) else { return Typed::Word };
        let Some(known) = command.get_arguments().find(|a| a.get_short() == Some(short)) else { return Typed::Word };
        let attached = chars.as_str();
        let attached = attached.strip_prefix('=').unwrap_or(attached);
        match attached.is_empty() {
            true => Typed::Option { takes_value: takes_value(known) },
            // `-n5`; but `-neural`, `-hallucination` are words to leave out.
            false if takes_value(known) && attached.chars().all(|c| c.is_ascii_digit()) => {
                Typed::Option { takes_value: false }
            }
            false => Typed::Word,
        }
    }
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command() -> Command {
        Command::new("paperdex")
            .arg(Arg::new("index").long("index").global(true))
            .arg(Arg::new("no-model").long("no-model").action(clap::ArgAction::SetTrue).global(true))
            .subcommand(
                Command::new("search")
                    .arg(Arg::new("query").num_args(1..).required(true))
                    .arg(Arg::new("limit").long("limit").short('n'))
                    .arg(Arg::new("json").long("json").action(clap::ArgAction::SetTrue)),
            )
            .subcommand(Command::new("show").arg(Arg::new("id")))
    }

    fn rewritten(line: &str) -> String {
        let args = line.split(' ').map(OsString::from).collect();
        let args = query_words_last(command(), args);
        args.iter().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_words_typed_are_the_query_in_their_order_and_options_stay_options() {
        assert_eq!(rewritten("paperdex search KV cache quantization"), "paperdex search -- KV cache quantization");
        assert_eq!(
            rewritten("paperdex --index dir search agent -robot memory -n 5 --json"),
            "paperdex --index dir search -n 5 --json -- agent -robot memory"
        );
        assert_eq!(rewritten("paperdex search -robot agent -n5"), "paperdex search -n5 -- -robot agent");
        assert_eq!(rewritten("paperdex search --limit=3 a --no-model"), "paperdex search --limit=3 --no-model -- a");
    }

    #[test]
    fn a_word_after_a_minus_that_starts_like_a_flag_is_a_word() {
        assert_eq!(rewritten("paperdex search agent -neural -nlp"), "paperdex search -- agent -neural -nlp");
        // `-h` alone is help; `-hallucination` a word to leave out.
        assert_eq!(rewritten("paperdex search agent -hallucination"), "paperdex search -- agent -hallucination");
        assert_eq!(rewritten("paperdex search -h"), "paperdex search -h");
    }

    #[test]
    fn words_after_a_double_dash_follow_the_others() {
        assert_eq!(rewritten("paperdex search agent -- -robot --json"), "paperdex search -- agent -robot --json");
        assert_eq!(rewritten("paperdex search --json -- -robot"), "paperdex search --json -- -robot");
    }

    #[test]
    fn other_commands_and_unknown_long_options_are_left_to_clap() {
        assert_eq!(rewritten("paperdex show -x"), "paperdex show -x");
        assert_eq!(rewritten("paperdex search --jsn agent"), "paperdex search --jsn -- agent");
        assert_eq!(rewritten("paperdex search"), "paperdex search");
        assert_eq!(rewritten("paperdex stray search agent"), "paperdex stray search agent");
    }
}
