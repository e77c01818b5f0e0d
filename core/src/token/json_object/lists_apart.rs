//! An object's text with some of its lists of strings taken out, for a binding whose host
//! parses the text itself (Node's `JSON.parse`): a token's `scopes` and `aud` repeat from token
//! to token, and copying one host list kept per list text is cheaper than parsing each entry
//! again (half of `JSON.parse`'s time on a realistic token; decision `perf-node-lists-apart`).
//!
//! The rule: the first `most` top-level members whose names are written without escapes and
//! whose values are non-empty lists of strings without escapes ([`Items::plain_strings`]) are
//! looked at; each whose name no other top-level member has (so no later member of that name
//! is overwritten by an earlier one's list) is offered to the binding, and each it takes (it
//! holds, or has just made, a host list for it) is taken out: its value is written `0` in the
//! text, and the binding sets the member to a copy of its list after parsing. Setting an own
//! data member keeps its place, so the result has the members, values and order of the whole
//! text parsed.

use super::{JsonObject, Node};
use crate::token::Items;

/// A top-level member whose value is a list of strings, as [`JsonObject::lists_apart`] shows
/// it to the binding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListMember<'a> {
    /// The member's name.
    pub name: &'a str,
    /// The list's text, as [`Items::plain_strings`] gives it (`"a","b"`).
    pub list: &'a str,
    /// The member as written, from the name's opening quote to the list's closing bracket:
    /// equal texts are the same name with the same list, so a binding may key what it keeps
    /// for the pair by it.
    pub text: &'a str,
}

/// What [`JsonObject::lists_apart`] gives.
#[derive(Debug, PartialEq)]
pub struct ListsApart<'a, T> {
    /// The object's text with each taken list written `0`.
    pub text: String,
    /// The members taken, in text order, with what the binding's `keep` gave for each.
    pub lists: Vec<(ListMember<'a>, T)>,
}

impl JsonObject {
    /// This object's text with at most `most` lists taken out under the rule above. `keep`
    /// is asked about each list the rule allows, in text order, and takes it by giving what
    /// the binding holds (or has just made) for it, or leaves it in the text with `None`.
    pub fn lists_apart<'a, T>(
        &'a self,
        most: usize,
        mut keep: impl FnMut(ListMember<'a>) -> Option<T>,
    ) -> ListsApart<'a, T> {
        let text = self.text();
        let mut names = Vec::with_capacity(16);
        // Only the first `most` lists are looked at: each needs a pass over the names.
        let mut lists = Vec::with_capacity(most);
        let mut i = 1;
        while i + 1 < self.tape.len() {
            let value = i + 1;
            let len = match &self.tape[value] {
                Node::Array { nodes } | Node::Object { nodes } => 1 + *nodes as usize,
                _ => 1,
            };
            let name = match &self.tape[i] {
                Node::Span(start, end) => text
                    .get(*start as usize..*end as usize)
                    .map(|name| (name, *start as usize)),
                Node::Unescaped(s) => Some((&**s, 0)),
                _ => None,
            };
            names.extend(name.map(|(name, _)| name));
            if lists.len() < most && matches!(self.tape[i], Node::Span(..)) {
                if let (Some((name, start)), Some(list)) = (name, self.list_at(value, len)) {
                    lists.push((name, start.saturating_sub(1), list));
                }
            }
            i = value + len;
        }
        let mut taken = Vec::with_capacity(lists.len());
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (name, quote, (list, open, close)) in lists {
            if names.iter().filter(|n| **n == name).count() != 1 {
                continue;
            }
            let member = ListMember {
                name,
                list,
                text: text.get(quote..=close).unwrap_or_default(),
            };
            let Some(kept) = keep(member) else {
                continue;
            };
            out.push_str(text.get(copied..open).unwrap_or_default());
            out.push('0');
            copied = close + 1;
            taken.push((member, kept));
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        ListsApart {
            text: out,
            lists: taken,
        }
    }

    /// For the array at tape index `at` (taking `len` nodes) when its elements are all strings
    /// without escapes: their text (as [`Items::plain_strings`] gives it) and where its
    /// brackets are in the object's text.
    fn list_at(&self, at: usize, len: usize) -> Option<(&str, usize, usize)> {
        if !matches!(self.tape.get(at)?, Node::Array { .. }) {
            return None;
        }
        let items = self.tape.get(at + 1..at + len)?;
        let list = Items {
            tape: items,
            text: self.text(),
            at: 0,
        }
        .plain_strings()?;
        let (Some(Node::Span(first, _)), Some(Node::Span(_, last))) = (items.first(), items.last())
        else {
            return None;
        };
        // Spans exclude the quotes; between a bracket and a quote there is only white space.
        let bytes = self.text.as_bytes();
        let space = |b: &&u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        let before = bytes.get(..(*first as usize).checked_sub(1)?)?;
        let open = before
            .len()
            .checked_sub(1 + before.iter().rev().take_while(space).count())?;
        let after = *last as usize + 1;
        let close = after + bytes.get(after..)?.iter().take_while(space).count();
        (bytes.get(open) == Some(&b'[') && bytes.get(close) == Some(&b']'))
            .then_some((list, open, close))
    }
}

#[cfg(test)]
mod tests;
