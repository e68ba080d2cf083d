//! What the xtask binaries share on the command line: arguments with a usage line, and one way
//! to end (`error: …` on stderr, exit status 1).

use std::process::ExitCode;

/// A binary's arguments (program name skipped), with its usage line for error messages.
pub struct Args {
    args: std::vec::IntoIter<String>,
    usage: &'static str,
}

impl Args {
    /// `args` of a binary whose usage line is `usage`.
    pub fn new(args: Vec<String>, usage: &'static str) -> Self {
        Self {
            args: args.into_iter(),
            usage,
        }
    }

    /// The value of the option `name`, which must follow it.
    pub fn value(&mut self, name: &str) -> Result<String, String> {
        self.args
            .next()
            .ok_or_else(|| self.error(&format!("{name} needs a value")))
    }

    /// `message`, then the usage line.
    pub fn error(&self, message: &str) -> String {
        format!("{message}\n{}", self.usage)
    }
}

impl Iterator for Args {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        self.args.next()
    }
}

/// The exit status of a binary's `run`: success, or its error printed as `error: …`.
pub fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
