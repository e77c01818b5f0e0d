//! How commands fail: the core's error code and message on stderr, and an exit status that
//! scripts can branch on (1: the input is invalid, 2: the command could not run).

use std::process::ExitCode;

use cloud_connector::{Error, ErrorCode};

#[derive(Debug)]
pub struct Failure {
    code: String,
    message: String,
    status: u8,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>, status: u8) -> Failure {
        Failure {
            code: code.to_owned(),
            message: message.into(),
            status,
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn report(self) -> ExitCode {
        eprintln!("error[{}]: {}", self.code, self.message);
        ExitCode::from(self.status)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let status = match e.code() {
            ErrorCode::CatalogInvalid | ErrorCode::RunwayInvalid => 1,
            _ => 2,
        };
        Failure::new(e.code().as_str(), e.message(), status)
    }
}
