//! Versioned state files. Every JSON file vigie keeps under the data directory carries
//! a `version`; reading one checks it: the current version is read as is, an older one
//! is migrated to the current shape (files written before versions existed count as
//! version 0), and a newer one (written by a later vigie) is refused with what to do,
//! never misread.

use crate::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;

/// A state file's kind: its name in messages, its current version, and how older
/// versions become the current one.
pub struct Kind {
    pub what: &'static str,
    pub version: u32,
    /// turns a file of an older version (0: before versions) into the current shape
    pub migrate: fn(found: u32, Value) -> std::result::Result<Value, MigrateError>,
}

/// Why a state file of an older version cannot be brought to the current shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrateError {
    /// The file holds another JSON value than the object every version is.
    #[error("not a JSON object")]
    NotAnObject,
    /// A version the kind has no migration from.
    #[error("no migration from this version")]
    Unknown,
}

impl Kind {
    /// Reads `path` (`None` when there is none), migrating an older version.
    pub fn load<T: DeserializeOwned>(&self, path: &Path) -> Result<Option<T>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        let corrupt = |source| Error::Corrupt { path: path.to_path_buf(), what: self.what, source };
        let value: Value = serde_json::from_str(&text).map_err(corrupt)?;
        let found = match value.get("version") {
            None => 0,
            Some(v) => v
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| Error::state(path, format!("{}: version {v} is not a number", self.what)))?,
        };
        if found > self.version {
            return Err(Error::StateVersion { path: path.to_path_buf(), what: self.what, found, supported: self.version });
        }
        let value = if found < self.version {
            let v = (self.migrate)(found, value).map_err(|source| Error::Migrate {
                path: path.to_path_buf(),
                what: self.what,
                found,
                source,
            })?;
            tracing::info!(path = %path.display(), what = self.what, from = found, to = self.version, "state migrated");
            v
        } else {
            value
        };
        serde_json::from_value(value).map(Some).map_err(corrupt)
    }
}

/// Adds `"version": to` to an object written before versions (same shape otherwise).
pub fn add_version(to: u32) -> impl Fn(Value) -> std::result::Result<Value, MigrateError> {
    move |v| match v {
        Value::Object(mut m) => {
            m.insert("version".into(), Value::from(to));
            Ok(Value::Object(m))
        }
        _ => Err(MigrateError::NotAnObject),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct S {
        version: u32,
        n: u32,
    }

    const K: Kind = Kind {
        what: "test state",
        version: 2,
        migrate: |found, v| match found {
            0 => add_version(2)(v),
            1 => {
                let mut v = v;
                v["n"] = Value::from(v["old_n"].as_u64().unwrap_or(0));
                v["version"] = Value::from(2);
                Ok(v)
            }
            _ => Err(MigrateError::Unknown),
        },
    };

    #[test]
    fn current_older_and_newer_versions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        assert_eq!(K.load::<S>(&p).unwrap(), None);
        std::fs::write(&p, r#"{"version": 2, "n": 5}"#).unwrap();
        assert_eq!(K.load::<S>(&p).unwrap(), Some(S { version: 2, n: 5 }));
        std::fs::write(&p, r#"{"n": 6}"#).unwrap();
        assert_eq!(K.load::<S>(&p).unwrap(), Some(S { version: 2, n: 6 }));
        std::fs::write(&p, r#"{"version": 1, "old_n": 7}"#).unwrap();
        assert_eq!(K.load::<S>(&p).unwrap(), Some(S { version: 2, n: 7 }));
        std::fs::write(&p, r#"{"version": 3, "n": 8}"#).unwrap();
        let e = K.load::<S>(&p).unwrap_err();
        assert!(matches!(e, Error::StateVersion { found: 3, supported: 2, .. }), "{e}");
        assert!(e.to_string().contains("upgrade vigie"), "{e}");
        assert_eq!(e.kind(), crate::ErrorKind::Usage);
        // a file vigie wrote that no longer parses, or cannot be migrated: the cause kept
        use std::error::Error as _;
        std::fs::write(&p, "{\"version\": 2, \"n\":").unwrap();
        let e = K.load::<S>(&p).unwrap_err();
        assert!(matches!(e, Error::Corrupt { what: "test state", .. }) && e.source().is_some_and(|s| s.is::<serde_json::Error>()), "{e}");
        assert_eq!(e.kind(), crate::ErrorKind::Internal);
        std::fs::write(&p, "[1]").unwrap();
        let e = K.load::<S>(&p).unwrap_err();
        assert!(matches!(e, Error::Migrate { found: 0, source: MigrateError::NotAnObject, .. }), "{e}");
        assert_eq!(e.to_string(), format!("{}: test state version 0: not a JSON object", p.display()));
    }
}
