//! The tape of a plain JSON object, recorded without `serde_json`: the shape every token's
//! header and claims have (strings without escapes, whole numbers that fit 64 bits, at most
//! [`MAX_DEPTH`] levels). Anything else (an escape, a fraction or exponent, `-0`, a leading
//! zero, any syntax error) gives `None`, and the caller records the text with `serde_json`
//! instead, which then accepts or refuses it with its own error: this path decides nothing
//! `serde_json` would decide differently, it only skips its per-value machinery (two thirds
//! of a verification's parsing, decision `perf-plain-tape`).
//!
//! The differential tests (`plain/tests.rs`) hold it to that: for every text it records, the
//! `serde_json` path records the same tape; for every text `serde_json` refuses, it gives
//! `None`.

use super::Node;

/// Deepest nesting recorded here (`serde_json` allows 128).
const MAX_DEPTH: usize = 64;

/// Records `text` when it is a plain JSON object; `None` leaves `tape` partly written.
pub(super) fn record(text: &str, tape: &mut Vec<Node>) -> Option<()> {
    let mut p = Plain {
        b: text.as_bytes(),
        i: 0,
        tape,
    };
    p.skip_space();
    if p.peek()? != b'{' {
        return None;
    }
    p.value(0)?;
    p.skip_space();
    (p.i == p.b.len()).then_some(())
}

struct Plain<'a> {
    b: &'a [u8],
    i: usize,
    tape: &'a mut Vec<Node>,
}

impl Plain<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.container(depth, b'}', true),
            b'[' => self.container(depth, b']', false),
            b'"' => self.string(),
            b't' => self.literal(b"true", Node::Bool(true)),
            b'f' => self.literal(b"false", Node::Bool(false)),
            b'n' => self.literal(b"null", Node::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// An object (names and values) or an array, at `self.i` on its opening bracket.
    fn container(&mut self, depth: usize, close: u8, object: bool) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let at = self.tape.len();
        self.tape.push(if object {
            Node::Object { nodes: 0 }
        } else {
            Node::Array { nodes: 0 }
        });
        self.i += 1;
        self.skip_space();
        if self.peek()? == close {
            self.i += 1;
            return Some(());
        }
        loop {
            if object {
                self.skip_space();
                if self.peek()? != b'"' {
                    return None;
                }
                self.string()?;
                self.skip_space();
                if self.peek()? != b':' {
                    return None;
                }
                self.i += 1;
            }
            self.value(depth + 1)?;
            self.skip_space();
            match self.peek()? {
                b',' => self.i += 1,
                c if c == close => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        let nodes = u32::try_from(self.tape.len() - at - 1).ok()?;
        self.tape[at] = if object {
            Node::Object { nodes }
        } else {
            Node::Array { nodes }
        };
        Some(())
    }

    /// A string without escapes or control characters, at `self.i` on its opening quote,
    /// recorded as its span (the text's length fits u32: `JsonObject::parse` checks it). Pushed
    /// here rather than returned: a returned `Option<Node>` went through the stack in pieces
    /// the caller read back at other offsets, a store-forwarding stall on every string (a
    /// third of the parse's time in a `perf` profile).
    fn string(&mut self) -> Option<()> {
        let start = self.i + 1;
        let end = start + stop_in(self.b.get(start..)?)?;
        if self.b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        let span = Node::Span(u32::try_from(start).ok()?, u32::try_from(end).ok()?);
        self.tape.push(span);
        Some(())
    }

    fn literal(&mut self, word: &[u8], node: Node) -> Option<()> {
        if !self.b.get(self.i..)?.starts_with(word) {
            return None;
        }
        self.i += word.len();
        self.tape.push(node);
        Some(())
    }

    /// A whole number as `serde_json` decodes it: non-negative ones as `U64`, negative ones as
    /// `I64`. Fractions, exponents, `-0` and numbers past 19 digits are left to `serde_json`.
    fn number(&mut self) -> Option<()> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let digits = self.b.get(self.i..)?;
        let len = digits.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 || len > 19 || (digits[0] == b'0' && (len > 1 || negative)) {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = digits.get(len) {
            return None;
        }
        let n = digits[..len]
            .iter()
            .fold(0u64, |n, &c| n * 10 + u64::from(c - b'0'));
        self.i += len;
        self.tape.push(if negative {
            // i64::MIN (2^63) is left to serde_json too.
            Node::I64(-i64::try_from(n).ok()?)
        } else {
            Node::U64(n)
        });
        Some(())
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Where in `rest` the first quote, backslash or control character is (a string's end, or
/// what sends it to serde_json). Eight bytes at a time: in each mask below the lowest flagged
/// byte is exact (a borrow only runs upwards), so the lowest of the three is the first stop.
fn stop_in(rest: &[u8]) -> Option<usize> {
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGHS;
    let mut at = 0;
    for chunk in rest.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let hit = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hit != 0 {
            return Some(at + (hit.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    rest[at..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|i| at + i)
}

#[cfg(test)]
pub(super) mod tests;
