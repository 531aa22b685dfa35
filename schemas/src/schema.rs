//! JSON Schema generation for the versioned types.

use crate::{AlertRule, Article, Digest, Document, EnrichedLine, Notification};
use schemars::schema_for;

/// A schema file name (`article.v1.schema.json`) and its pretty JSON text.
pub struct SchemaFile {
    pub file_name: &'static str,
    pub json: String,
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("a schema always serializes");
    s.push('\n');
    s
}

/// Every versioned schema, in the form committed under `schemas/schemas/`.
pub fn all_schemas() -> Vec<SchemaFile> {
    vec![
        SchemaFile { file_name: "article.v1.schema.json", json: pretty(&schema_for!(Article)) },
        SchemaFile { file_name: "document.v1.schema.json", json: pretty(&schema_for!(Document)) },
        SchemaFile { file_name: "alert.v1.schema.json", json: pretty(&schema_for!(AlertRule)) },
        SchemaFile { file_name: "notification.v1.schema.json", json: pretty(&schema_for!(Notification)) },
        SchemaFile { file_name: "digest.v1.schema.json", json: pretty(&schema_for!(Digest)) },
        SchemaFile { file_name: "enriched.v1.schema.json", json: pretty(&schema_for!(EnrichedLine)) },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The committed schema files must equal what the types generate.
    /// Regenerate with `VIGIE_UPDATE_SCHEMAS=1 cargo test -p vigie-schemas`.
    #[test]
    fn committed_schema_files_match_the_types() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let update = std::env::var_os("VIGIE_UPDATE_SCHEMAS").is_some();
        for f in all_schemas() {
            let path = dir.join(f.file_name);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &f.json).unwrap();
                continue;
            }
            let committed =
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run with VIGIE_UPDATE_SCHEMAS=1)", path.display()));
            assert_eq!(committed, f.json, "{} is stale: run with VIGIE_UPDATE_SCHEMAS=1", path.display());
        }
    }

    #[test]
    fn article_accepts_text_synonym_and_author_list() {
        let a: Article = serde_json::from_str(r#"{"headline":"t","text":"b","authors":["A","B"],"extra":1}"#).unwrap();
        assert_eq!(a.title.as_deref(), Some("t"));
        assert_eq!(a.body.as_deref(), Some("b"));
        assert_eq!(a.author.unwrap().joined(), "A, B");
    }

    #[test]
    fn document_schema_names_entity_fields() {
        let s = all_schemas().into_iter().find(|f| f.file_name == "document.v1.schema.json").unwrap();
        for field in ["\"surface\"", "\"in_title\"", "\"dup_of\"", "\"story_id\"", "\"mentions\""] {
            assert!(s.json.contains(field), "missing {field}");
        }
    }
}
