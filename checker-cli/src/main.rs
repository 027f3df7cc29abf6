//! `dsw`: list, show, check, explore and run the workbench's protocol models.
//!
//! `main` only parses, calls [`run`] and maps the result to an exit code:
//! 0 success, 1 a violation (or a verdict that differs from the registry's
//! expectation), 2 bad input (one or two lines on stderr: what was wrong
//! and what is valid), 3 nothing violated but something inconclusive.

#![allow(clippy::print_stdout, clippy::print_stderr)]

/// `println!` that survives a closed stdout (`dsw check --json | head -1`):
/// once a write fails, the rest of the output is dropped quietly and the
/// command still ends with its own exit code.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::emit(format_args!($($arg)*), true) };
}

/// `print!` likewise.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::emit(format_args!($($arg)*), false) };
}

mod args;
mod commands;
mod output;
mod trace;

use clap::Parser;
use std::process::ExitCode;

/// An error that ends `dsw`: one line on stderr and exit code 2.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                let _ = e.print();
                return ExitCode::from(2);
            }
            eprintln!("dsw: {}", args::brief(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("dsw: {msg}");
            ExitCode::from(2)
        }
    }
}
