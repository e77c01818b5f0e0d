//! A key ring of RSA signing keys with GitLab Rails' rotation rules (ruby-api.md §8.9): the
//! oldest key signs ("current"), a new key is published before it signs, `rotate` swaps the
//! two, `trim` drops the newest. Stored as a directory of PKCS#8 PEM files, `0001.pem`,
//! `0002.pem`, ... in age order, so it can be kept in a secret volume and edited by the CLI.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::json_web_token::JsonWebToken;
use super::key_set::KeySet;
use super::signing_key::SigningKey;
use crate::error::{Error, ErrorCode, Result};

/// An instance's signing keys with Rails' rotation rules: the oldest key signs, newer keys are
/// published in the JWKS ahead of use.
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    /// Oldest first.
    keys: Vec<SigningKey>,
}

fn ring_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::KeyRing, message)
}

fn is_key_file(name: &str) -> bool {
    name.len() == 8 && name.ends_with(".pem") && name[..4].bytes().all(|b| b.is_ascii_digit())
}

impl KeyRing {
    /// A ring of these keys, oldest first.
    pub fn new(keys: Vec<SigningKey>) -> KeyRing {
        KeyRing { keys }
    }

    /// Loads `NNNN.pem` files in name order. A missing directory is an empty ring; an
    /// unreadable or invalid key file is an error naming the file.
    pub fn load_dir(dir: &Path) -> Result<KeyRing> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(KeyRing::default()),
            Err(e) => {
                return Err(ring_err(format!(
                    "cannot read key directory {}: {e}",
                    dir.display()
                )))
            }
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| is_key_file(n))
            .collect();
        names.sort();
        let mut keys = Vec::with_capacity(names.len());
        for name in names {
            let path = dir.join(&name);
            let pem = fs::read_to_string(&path)
                .map_err(|e| ring_err(format!("cannot read {}: {e}", path.display())))?;
            let key = SigningKey::from_pem(&pem).map_err(|e| {
                Error::new(e.code(), format!("{}: {}", path.display(), e.message()))
            })?;
            keys.push(key);
        }
        Ok(KeyRing { keys })
    }

    /// Writes the ring as `0001.pem`... (mode 0600 on Unix) and removes stale key files.
    pub fn save_dir(&self, dir: &Path) -> Result<()> {
        let io =
            |what: &str, e: std::io::Error| ring_err(format!("{what} in {}: {e}", dir.display()));
        fs::create_dir_all(dir).map_err(|e| io("cannot create directory", e))?;
        for (i, key) in self.keys.iter().enumerate() {
            let tmp = dir.join(format!(".{:04}.pem.tmp", i + 1));
            write_private(&tmp, key.to_pem()?.as_bytes()).map_err(|e| io("cannot write key", e))?;
            fs::rename(&tmp, dir.join(format!("{:04}.pem", i + 1)))
                .map_err(|e| io("cannot write key", e))?;
        }
        for entry in fs::read_dir(dir)
            .map_err(|e| io("cannot list", e))?
            .flatten()
        {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if is_key_file(&name)
                && name[..4]
                    .parse::<usize>()
                    .is_ok_and(|n| n == 0 || n > self.keys.len())
            {
                fs::remove_file(entry.path()).map_err(|e| io("cannot remove stale key", e))?;
            }
        }
        Ok(())
    }

    /// The signing key: the oldest.
    pub fn current(&self) -> Option<&SigningKey> {
        self.keys.first()
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Adds a fresh RSA-2048 key as the newest (published, not yet signing).
    pub fn create_new_key(&mut self) -> Result<&SigningKey> {
        Ok(self.add_key(SigningKey::generate()?))
    }

    /// Adds `key` as the newest, as [`KeyRing::create_new_key`] does with the key it generates:
    /// for a caller that generates the key without holding the ring (a binding's thread pool).
    pub fn add_key(&mut self, key: SigningKey) -> &SigningKey {
        self.keys.push(key);
        &self.keys[self.keys.len() - 1]
    }

    /// Makes the newer of exactly two keys the signing key.
    pub fn rotate(&mut self) -> Result<()> {
        if self.keys.len() != 2 {
            return Err(ring_err(format!(
                "Key rotation requires exactly 2 keys, found {}",
                self.keys.len()
            )));
        }
        self.keys.swap(0, 1);
        Ok(())
    }

    /// Removes the newest key (after a rotation, the old signing key); never the last one.
    pub fn trim(&mut self) -> Result<()> {
        if self.keys.len() == 1 {
            return Err(ring_err("Refusing to remove single key, as it is in use"));
        }
        self.keys.pop();
        Ok(())
    }

    /// Signs `token` with the current key (`kid` = its thumbprint).
    pub fn sign(&self, token: &JsonWebToken) -> Result<String> {
        token.encode(self.signing_key()?)
    }

    /// The key new tokens are signed with ([`KeyRing::current`]), or the `key_ring` error of an
    /// empty ring: for callers that sign by other means (a `TokenIssuer`).
    pub fn signing_key(&self) -> Result<&SigningKey> {
        self.current()
            .ok_or_else(|| ring_err("The key ring is empty; generate a key first"))
    }

    /// Every key's public half (kid = thumbprint, alg RS256), for verifying our own tokens.
    pub fn key_set(&self) -> KeySet {
        KeySet::new(
            self.keys
                .iter()
                .map(|k| k.verifying_key().clone())
                .collect(),
        )
    }

    /// The public JWKS: every key, `use: sig`, `alg: RS256`, `kid` = RFC 7638 thumbprint.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| Value::Object(k.verifying_key().to_jwk()))
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    fs::write(path, bytes)
}
