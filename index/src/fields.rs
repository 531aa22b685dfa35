//! The tantivy schema and its field handles.

use crate::analyzers::{EN, FR, KEYWORD, STD};
use crate::error::MissingField;
use tantivy::schema::{
    BytesOptions, DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    STORED, STRING,
};
use vigie_schemas::EntityType;

/// Analyzed text fields exist once per analyzer; a document fills the set of its language.
#[derive(Clone, Copy, Debug)]
pub struct TextPair {
    pub title: Field,
    pub body: Field,
}

#[derive(Clone, Debug)]
pub struct Fields {
    pub id: Field,
    pub url: Field,
    pub source: Field,
    pub source_raw: Field,
    pub lang: Field,
    pub published: Field,
    pub ingested: Field,
    pub seq: Field,
    pub is_dup: Field,
    pub dup_of: Field,
    pub story_id: Field,
    pub topic_id: Field,
    /// every entity id of the document
    pub entity: Field,
    /// entity ids by type, in `EntityType::ALL` order
    pub entity_by_type: Vec<Field>,
    pub fr: TextPair,
    pub en: TextPair,
    pub std: TextPair,
    pub sig: Field,
    /// the document embedding, f16 little-endian (empty when the model stage did not run)
    pub emb: Field,
    /// folded title terms (story similarity state, rebuilt from the index)
    pub title_terms: Field,
    /// the title as one value (document exports)
    pub title_raw: Field,
    /// `entity id` U+001F `mentions`, one value per entity (entity tables)
    pub entity_mentions: Field,
    /// the whole document.v1 JSON
    pub doc: Field,
}

/// Field name of the entity ids of one type (`ent_person`, ...).
pub fn entity_field_name(t: EntityType) -> String {
    format!("ent_{}", t.as_str())
}

fn text(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED | FAST);
    b.add_text_field("url", STRING | FAST);
    b.add_text_field("source", TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(KEYWORD)));
    b.add_text_field("source_raw", STRING | FAST);
    b.add_text_field("lang", STRING | FAST);
    let date = DateOptions::default().set_indexed().set_fast().set_precision(DateTimePrecision::Seconds);
    b.add_date_field("published", date.clone());
    b.add_date_field("ingested", date);
    b.add_u64_field("seq", NumericOptions::default().set_indexed().set_fast());
    b.add_u64_field("is_dup", NumericOptions::default().set_indexed().set_fast());
    b.add_text_field("dup_of", STRING | FAST);
    b.add_text_field("story_id", STRING | FAST);
    b.add_text_field("topic_id", STRING | FAST);
    b.add_text_field("ent", STRING | FAST);
    for t in EntityType::ALL {
        b.add_text_field(&entity_field_name(t), STRING | FAST);
    }
    for (suffix, analyzer) in [("fr", FR), ("en", EN), ("xx", STD)] {
        b.add_text_field(&format!("title_{suffix}"), text(analyzer));
        b.add_text_field(&format!("body_{suffix}"), text(analyzer));
    }
    b.add_bytes_field("sig", BytesOptions::default().set_fast());
    b.add_bytes_field("emb", BytesOptions::default().set_fast());
    b.add_text_field("tterm", STRING | FAST);
    b.add_text_field("entm", FAST);
    b.add_text_field("title_raw", FAST);
    b.add_text_field("doc", STORED);
    b.build()
}

impl Fields {
    /// Looks every field up by name; an index made by another schema version fails here.
    pub fn from_schema(s: &Schema) -> Result<Fields, MissingField> {
        let f = |name: &str| s.get_field(name).map_err(|_| MissingField(name.to_string()));
        let pair = |sfx: &str| -> Result<TextPair, MissingField> {
            Ok(TextPair { title: f(&format!("title_{sfx}"))?, body: f(&format!("body_{sfx}"))? })
        };
        Ok(Fields {
            id: f("id")?,
            url: f("url")?,
            source: f("source")?,
            source_raw: f("source_raw")?,
            lang: f("lang")?,
            published: f("published")?,
            ingested: f("ingested")?,
            seq: f("seq")?,
            is_dup: f("is_dup")?,
            dup_of: f("dup_of")?,
            story_id: f("story_id")?,
            topic_id: f("topic_id")?,
            entity: f("ent")?,
            entity_by_type: EntityType::ALL.iter().map(|t| f(&entity_field_name(*t))).collect::<Result<_, _>>()?,
            fr: pair("fr")?,
            en: pair("en")?,
            std: pair("xx")?,
            sig: f("sig")?,
            emb: f("emb")?,
            title_terms: f("tterm")?,
            entity_mentions: f("entm")?,
            title_raw: f("title_raw")?,
            doc: f("doc")?,
        })
    }

    /// The analyzed fields a document of `lang` fills.
    pub fn text_for(&self, lang: &str) -> TextPair {
        match lang {
            "fr" => self.fr,
            "en" => self.en,
            _ => self.std,
        }
    }

    pub fn all_text(&self) -> [TextPair; 3] {
        [self.fr, self.en, self.std]
    }

    pub fn entity_field(&self, t: EntityType) -> Field {
        self.entity_by_type[EntityType::ALL.iter().position(|x| *x == t).expect("ALL holds every type")]
    }
}
