//! Benchmark documents built straight from corpus articles, without the pipeline's
//! enrichment: English, a story of their own, the corpus' own tags as entities
//! (Reuters' place/people/organization tags, HuffPost's authors).

use vigie_pipeline::normalize::Normalized;
use vigie_schemas::{Document, Entity, EntityId, EntityType, Lang, Origin};

/// An entity from its id (`location:usa`; an id without a type is `other`).
pub fn entity(id: &str) -> Entity {
    let (t, name) = id.split_once(':').unwrap_or(("other", id));
    Entity {
        id: EntityId(id.to_string()),
        kind: t.parse().unwrap_or(EntityType::Other),
        name: name.to_string(),
        surface: vec![name.to_string()],
        mentions: 1,
        in_title: false,
        wikidata: None,
    }
}

/// A benchmark document: English, a story of its own (`s-ID`), its date moved by
/// `shift` (copies of a corpus land in other years), the given entity ids.
pub fn bench_document(x: Normalized, id: String, shift: chrono::Duration, ents: &[String]) -> Document {
    Document {
        id: id.clone().into(),
        title: x.title,
        body: x.body,
        url: x.url,
        source: x.source,
        published: x.published.map(|p| p + shift),
        published_raw: None,
        author: None,
        lang: Lang("en".into()),
        lang_confidence: 1.0,
        lang_hint: None,
        dup_of: None,
        story_id: Some(format!("s-{id}")),
        topic_id: None,
        entities: ents.iter().map(|e| entity(e)).collect(),
        ingested_at: chrono::Utc::now(),
        origin: bench_origin(),
    }
}

/// Where benchmark documents say they come from.
pub fn bench_origin() -> Origin {
    Origin { file: "bench".into(), line: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_carry_their_type() {
        let e = entity("organization:opec");
        assert_eq!((e.kind, e.name.as_str()), (EntityType::Organization, "opec"));
        assert_eq!(entity("plain").kind, EntityType::Other);
    }
}
