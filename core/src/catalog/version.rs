//! `MAJOR.MINOR` versions as the catalog writes them, compared numerically (16.10 > 16.9).

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, ErrorCode};

/// A catalog version. Keeps the text as written so serialisation round-trips exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    major: u32,
    minor: u32,
    text: String,
}

impl Version {
    /// Parses the strict catalog form `MAJOR.MINOR`.
    pub fn parse_catalog(text: &str) -> Option<Version> {
        let (major, minor) = text.split_once('.')?;
        Some(Version {
            major: parse_digits(major)?,
            minor: parse_digits(minor)?,
            text: text.into(),
        })
    }

    /// Parses a GitLab instance version such as `17.5`, `17.5.1` or `17.5.1-ee`: only MAJOR.MINOR
    /// matter for catalog rules.
    pub fn parse_gitlab(text: &str) -> Result<Version, Error> {
        let invalid = || {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("invalid GitLab version '{text}': expected MAJOR.MINOR[.PATCH][-suffix]"),
            )
        };
        let core = text.split(['-', '+']).next().unwrap_or("");
        let mut parts = core.split('.');
        let major = parts.next().and_then(parse_digits).ok_or_else(invalid)?;
        let minor = parts.next().and_then(parse_digits).ok_or_else(invalid)?;
        if let Some(patch) = parts.next() {
            parse_digits(patch).ok_or_else(invalid)?;
        }
        if parts.next().is_some() {
            return Err(invalid());
        }
        Ok(Version {
            major,
            minor,
            text: text.into(),
        })
    }

    /// The major version.
    pub fn major(&self) -> u32 {
        self.major
    }
    /// The minor version.
    pub fn minor(&self) -> u32 {
        self.minor
    }
    /// The text as written, e.g. `17.5`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// `(major, minor)`: what catalog rules compare (17.5.1 satisfies a minimum of 17.5).
    pub fn numeric(&self) -> (u32, u32) {
        (self.major, self.minor)
    }
}

fn parse_digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor)
            .cmp(&(other.major, other.minor))
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn catalog_versions_are_strict_major_minor() {
        let v = Version::parse_catalog("16.10").expect("valid");
        assert_eq!((v.major(), v.minor(), v.as_str()), (16, 10, "16.10"));
        for bad in [
            "16", "16.", ".9", "16.9.1", "v16.9", "16.x", "", "16 .9", "+16.9",
        ] {
            assert!(Version::parse_catalog(bad).is_none(), "{bad}");
        }
        // Numeric, not textual: 16.10 is after 16.9.
        assert!(v.numeric() > Version::parse_catalog("16.9").expect("valid").numeric());
    }

    #[test]
    fn gitlab_versions_take_patch_and_suffix() {
        for (text, want) in [
            ("17.5", (17, 5)),
            ("17.5.1", (17, 5)),
            ("17.5.1-ee", (17, 5)),
            ("18.0.0+build", (18, 0)),
        ] {
            assert_eq!(
                Version::parse_gitlab(text).expect(text).numeric(),
                want,
                "{text}"
            );
        }
        for bad in ["seventeen", "17", "17.x", "17.5.1.2", "", "-ee", "17.5.x"] {
            let err = Version::parse_gitlab(bad).expect_err(bad);
            assert_eq!(err.code().as_str(), "invalid_argument");
            assert!(err.message().contains(&format!("'{bad}'")), "{err}");
        }
    }
}
