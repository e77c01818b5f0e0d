//! `KeySet.verify`'s claims, finished in JS (`claims.js`, which the package entry loads): the
//! addon hands over the claims' text as signed with the lists the core takes apart
//! (`JsonObject::lists_apart`: `scopes`, a list `aud`) written `0`, followed by one character
//! per member taken (its id among the members this JS environment keeps) and one giving how many
//! were taken. `claims.js` parses the rest with `JSON.parse` and sets each member to a copy of
//! its kept list. Parsing in JS saves the addon's call into JS, and copying a kept list saves
//! parsing 26 unit primitives anew; together they were half of what the package added to a
//! verification (decision `perf-node-lists-apart`).

use std::cell::RefCell;

use cloud_connector::token::{JsonObject, ListMember, SharedTexts};
use napi::bindgen_prelude::{Array, JsObjectValue, ObjectRef};
use napi::Env;
use napi_derive::napi;

use crate::convert::{self, Text};

/// Members taken apart per object: a token has two lists (`aud`, `scopes`); the bound keeps a
/// token of many lists from making the text's tail long.
const MOST: usize = 4;

/// What one JS environment keeps: an id per member text (`"scopes":[...]`, at most
/// `SHARED_LISTS` = 256, so an id is one character), and for each id, in two JS arrays that
/// `claims.js` reads, the member's name and its list. `None` for a member whose list could not
/// be made, never taken apart.
struct Kept {
    env: usize,
    ids: SharedTexts<Option<u8>>,
    names: ObjectRef<false>,
    lists: ObjectRef<false>,
}

thread_local! {
    /// The JS environment on this thread (Node runs one per thread, as napi-rs assumes too)
    /// and what it keeps; forgotten when it goes.
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

/// The claims' text as `claims.js` reads it (see the module documentation).
pub fn text(env: &Env, claims: &JsonObject) -> napi::Result<Text> {
    with_kept(env, |kept| {
        let Kept {
            ids, names, lists, ..
        } = kept;
        let apart = claims.lists_apart(MOST, |member| {
            let next = ids.len();
            *ids.get_or_make(member.text, || keep(env, names, lists, next, member).ok())?
        });
        let mut text = apart.text;
        text.extend(apart.lists.iter().map(|(_, id)| char::from(*id)));
        // At most MOST: one character.
        text.push(char::from(apart.lists.len() as u8));
        Ok(convert::text(text))
    })
}

/// The JS arrays of names and lists by id, for `claims.js` (not part of the package's API).
#[napi(js_name = "__claimLists", skip_typescript)]
pub fn claim_lists(env: &Env) -> napi::Result<Array<'_>> {
    let (names, lists) = with_kept(env, |kept| {
        Ok((kept.names.get_value(env)?, kept.lists.get_value(env)?))
    })?;
    Array::from_vec(env, vec![names, lists])
}

fn with_kept<R>(env: &Env, f: impl FnOnce(&mut Kept) -> napi::Result<R>) -> napi::Result<R> {
    KEPT.with(|kept| {
        let mut kept = kept
            .try_borrow_mut()
            .map_err(|_| napi::Error::from_reason("claims are being converted already"))?;
        let here = env.raw() as usize;
        match &mut *kept {
            Some(k) if k.env == here => f(k),
            held => f(held.insert(Kept::new(env)?)),
        }
    })
}

impl Kept {
    fn new(env: &Env) -> napi::Result<Kept> {
        let array = || Array::from_vec(env, Vec::<u32>::new())?.coerce_to_object();
        let kept = Kept {
            env: env.raw() as usize,
            ids: SharedTexts::lists(),
            names: array()?.create_ref::<false>()?,
            lists: array()?.create_ref::<false>()?,
        };
        // Forgotten when the environment goes, so a later one at the same address on this
        // thread never reads a dead reference.
        env.add_env_cleanup_hook((), |()| {
            let _ = KEPT.try_with(|kept| kept.try_borrow_mut().map(|mut k| k.take()));
        })?;
        Ok(kept)
    }
}

/// Makes `member`'s list and stores it and the name under `id`.
fn keep(
    env: &Env,
    names: &ObjectRef<false>,
    lists: &ObjectRef<false>,
    id: usize,
    member: ListMember<'_>,
) -> napi::Result<u8> {
    let id = u8::try_from(id).map_err(|e| napi::Error::from_reason(e.to_string()))?;
    let list = convert::parse(env, format!("[{}]", member.list))?;
    names
        .get_value(env)?
        .set_element(id.into(), env.create_string(member.name)?)?;
    lists.get_value(env)?.set_element(id.into(), list)?;
    Ok(id)
}
