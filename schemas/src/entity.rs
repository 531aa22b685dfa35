//! Entities found in a document and their mentions.

use crate::EntityId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The product's entity types (NER labels map onto these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Person,
    Company,
    Gpu,
    Organization,
    Location,
    Other,
}

impl EntityType {
    pub const ALL: [EntityType; 6] =
        [EntityType::Person, EntityType::Company, EntityType::Gpu, EntityType::Organization, EntityType::Location, EntityType::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Company => "company",
            EntityType::Gpu => "gpu",
            EntityType::Organization => "organization",
            EntityType::Location => "location",
            EntityType::Other => "other",
        }
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityType::ALL
            .into_iter()
            .find(|t| t.as_str() == s.to_ascii_lowercase())
            .ok_or_else(|| format!("unknown entity type {s:?} (person, company, gpu, organization, location, other)"))
    }
}

/// One entity of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entity {
    pub id: EntityId,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// Canonical name.
    pub name: String,
    /// The forms seen in the text.
    pub surface: Vec<String>,
    /// How many times it is mentioned.
    pub mentions: u32,
    pub in_title: bool,
    /// The Wikidata item (`Q9396`) of a knowledge-base entity, where the knowledge base
    /// knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
}

/// One mention of an entity: character offsets into the title (`in_title`) or body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Mention {
    pub entity_id: EntityId,
    pub surface: String,
    pub start: usize,
    pub end: usize,
    pub in_title: bool,
}
