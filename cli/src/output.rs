//! Printing data: JSON for `--json`, aligned columns for people. Everything goes through
//! `emit`, so a closed pipe (`cloud-connector catalog list | head`) ends the program quietly
//! instead of panicking.

use std::io::{self, Write};

use serde_json::Value;

/// Writes a line to stdout; a reader that went away ends the program with success.
pub fn emit(line: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}") {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error[io]: cannot write to stdout: {e}");
        std::process::exit(2);
    }
}

pub fn print_json(value: &Value) {
    emit(&serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
}

/// Prints rows under a header with each column as wide as its widest cell.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        emit(out.trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
