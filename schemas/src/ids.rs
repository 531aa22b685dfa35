//! Newtypes for identifiers, so that a document id is never confused with an entity id.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }
    };
}

string_newtype!(
    /// A document id: the input's `id` when given, else derived from the canonical URL
    /// or from source + title + body (see `vigie_pipeline::normalize::doc_id`).
    DocId
);
string_newtype!(
    /// An entity id such as `company:nvidia`, `person:elon-musk` or `gpu:nvidia-h100`.
    EntityId
);
string_newtype!(
    /// An ISO 639-1 language code (`fr`, `en`, ...) or `und` when detection is unreliable.
    Lang
);

impl Lang {
    /// The code used when no language could be decided.
    pub const UNDETERMINED: &'static str = "und";

    pub fn und() -> Self {
        Self(Self::UNDETERMINED.to_string())
    }

    pub fn is_und(&self) -> bool {
        self.0 == Self::UNDETERMINED
    }
}
