//! `dsw`: list, show, check, explore and run the workbench's protocol models.
//!
//! `main` only parses, calls [`run`] and maps the result to an exit code:
//! 0 success, 1 a violation (or a verdict that differs from the registry's
//! expectation), 2 bad input, with one error line on stderr.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod output;

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
            eprintln!("dsw: {}", args::one_line(&e.to_string()));
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
