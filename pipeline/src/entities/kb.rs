//! The knowledge base `data/kb/entities.tsv`: canonical names, types, FR/EN aliases
//! and Wikidata ids of the companies, people and organizations the AI press covers.

use crate::{Error, Result};
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;
use vigie_schemas::EntityType;

#[derive(Debug, Clone, PartialEq)]
pub struct KbEntity {
    pub id: String,
    pub kind: EntityType,
    pub name: String,
    pub qid: Option<String>,
}

pub struct Kb {
    pub entities: Vec<KbEntity>,
    /// folded alias -> entity
    by_alias: HashMap<String, usize>,
    /// folded surname -> persons with that surname
    by_surname: HashMap<String, Vec<usize>>,
    /// aliases distinctive enough to be matched in text without NER (alias, entity)
    pub gazetteer: Vec<(String, usize)>,
}

const BUILTIN: &str = include_str!("../../../data/kb/entities.tsv");

/// Aliases that are also ordinary words, places or people ("Orange", "Arm", "Apple",
/// "Dell", "Bloomberg"): found only when NER tags them.
const NOT_GAZETTEER: &[&str] = &[
    "X",
    "Orange",
    "Arm",
    "ARM",
    "Apple",
    "Meta",
    "Amazon",
    "Mistral",
    "Congress",
    "Congrès",
    "Pentagon",
    "Pentagone",
    "Bloomberg",
    "Dell",
    "Micron",
    "Cohere",
    "Perplexity",
    "Uber",
    "SEC",
    "UN",
    "EU",
    "UE",
    "US",
    "U.S.",
    "MIT",
    "Bpi",
    "Thales",
    "Iliad",
    "Tesla",
    "Oracle",
    "Intel",
    "Groq",
    "Twitter",
    "TikTok",
    "Hynix",
    "Alphabet",
    "Palantir",
];

/// Legal forms after a company's name, folded.
const LEGAL_FORMS: &[&str] =
    &["inc", "corp", "corporation", "ltd", "limited", "llc", "plc", "sa", "sas", "se", "ag", "gmbh", "nv", "bv", "co"];

/// Lowercase, accents removed, possessive and punctuation at the ends dropped, spaces
/// collapsed: "Nvidia’s" and "NVIDIA" meet, "Élysée" and "Elysee" too.
pub fn fold(s: &str) -> String {
    let s = s.trim();
    let s =
        s.strip_suffix("'s").or_else(|| s.strip_suffix("’s")).or_else(|| s.strip_suffix('\'')).or_else(|| s.strip_suffix('’')).unwrap_or(s);
    let folded: String = s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '’' => '\'',
            // hyphens and the en dash some sites put for one: "États‑Unis" is "États-Unis"
            '\u{2010}'..='\u{2013}' => '-',
            c => c,
        })
        .collect();
    folded
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// A stable id slug: folded, non-alphanumerics to single dashes.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in fold(s).chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

impl Kb {
    pub fn builtin() -> Self {
        Self::try_builtin().expect("data/kb/entities.tsv is valid (checked by a test)")
    }

    /// [`Kb::builtin`], or an [`Error::Builtin`] when the knowledge base built into this
    /// binary does not parse (a broken build).
    pub fn try_builtin() -> Result<Self> {
        Self::parse(BUILTIN).map_err(|e| Error::builtin("knowledge base", e))
    }

    /// A knowledge base in the layout of `data/kb/entities.tsv`; the error names the line.
    pub fn parse(tsv: &str) -> Result<Self> {
        let mut kb = Kb { entities: vec![], by_alias: HashMap::new(), by_surname: HashMap::new(), gazetteer: vec![] };
        for (line, c) in super::tsv::rows(tsv, "entities.tsv", 6)? {
            let kind: EntityType = c[1].parse().map_err(|message| Error::Data { file: "entities.tsv".into(), line, message })?;
            let idx = kb.entities.len();
            kb.entities.push(KbEntity {
                id: c[0].into(),
                kind,
                name: c[2].into(),
                qid: (!c[5].trim().is_empty()).then(|| c[5].trim().to_string()),
            });
            let aliases = std::iter::once(c[2]).chain(c[3].split('|')).chain(c[4].split('|')).filter(|a| !a.is_empty());
            for a in aliases {
                if let Some(prev) = kb.by_alias.insert(fold(a), idx) {
                    if prev != idx {
                        let message = format!("alias {a:?} also names {}", kb.entities[prev].id);
                        return Err(Error::Data { file: "entities.tsv".into(), line, message });
                    }
                }
                if kind != EntityType::Location && !NOT_GAZETTEER.contains(&a) && a.chars().count() >= 2 {
                    kb.gazetteer.push((a.to_string(), idx));
                }
            }
            if kind == EntityType::Person {
                if let Some(last) = c[2].split_whitespace().last() {
                    kb.by_surname.entry(fold(last)).or_default().push(idx);
                }
            }
        }
        kb.gazetteer.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
        kb.gazetteer.dedup();
        Ok(kb)
    }

    /// The entity one of whose names `surface` is, folded; a legal form that its names
    /// leave out is ignored ("Ampere Computing, Inc." and "Ampere Computing Co
    /// Ltd" are "Ampere Computing").
    pub fn lookup(&self, surface: &str) -> Option<&KbEntity> {
        let mut name = fold(surface);
        loop {
            if let Some(&i) = self.by_alias.get(&name) {
                return Some(&self.entities[i]);
            }
            // "Nissan Motor Co Ltd": the forms one by one, from the end
            let (rest, form) = name.rsplit_once(' ')?;
            if !LEGAL_FORMS.contains(&form.trim_end_matches('.')) {
                return None;
            }
            name = rest.trim_end_matches(',').to_string();
        }
    }

    /// The one KB person with this surname, if exactly one.
    pub fn by_surname(&self, surname: &str) -> Option<&KbEntity> {
        match self.by_surname.get(&fold(surname)).map(Vec::as_slice) {
            Some([one]) => Some(&self.entities[*one]),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wikidata_items_come_from_both_knowledge_bases() {
        use super::super::wikidata_of;
        assert_eq!(wikidata_of("company:nvidia"), Some("Q182477"));
        assert_eq!(wikidata_of("company:deutsche-telekom"), Some("Q9396"));
        assert_eq!(wikidata_of("person:jane-doe"), None);
        assert_eq!(wikidata_of(""), None);
    }

    /// A malformed knowledge file names its line (an override the user gives is a usage
    /// error); the built-in one loads.
    #[test]
    fn malformed_rows_name_their_line() {
        let header = "# comment\nid\ttype\tname\taliases_fr\taliases_en\tqid\n";
        let e = Kb::parse(&format!("{header}company:a\tcompany\tA\t\t\n")).err().expect("five columns");
        assert_eq!(e.to_string(), "entities.tsv:3: expected 6 columns, found 5");
        let e = Kb::parse(&format!("{header}x:a\tplanet\tA\t\t\t\n")).err().expect("unknown type");
        assert!(matches!(&e, Error::Data { line: 3, message, .. } if message.contains("planet")), "{e}");
        let e = Kb::parse(&format!("{header}company:a\tcompany\tA\t\t\t\ncompany:b\tcompany\tB\tA\t\t\n")).err().expect("same alias");
        assert_eq!(e.to_string(), "entities.tsv:4: alias \"A\" also names company:a");
        assert!(Kb::try_builtin().is_ok());
    }

    #[test]
    fn folds_case_accents_and_possessives() {
        assert_eq!(fold("Nvidia’s"), "nvidia");
        assert_eq!(fold("NVIDIA's"), "nvidia");
        assert_eq!(fold("l'Élysée"), "l'elysee");
        assert_eq!(slug("Timothée  Lacroix"), "timothee-lacroix");
        let kb = Kb::builtin();
        assert_eq!(kb.lookup("la Maison Blanche").map(|e| e.id.as_str()), None);
        assert_eq!(kb.lookup("Maison Blanche").unwrap().id, "organization:white-house");
        assert_eq!(kb.lookup("the White House").map(|e| e.id.as_str()), None);
        assert_eq!(kb.lookup("White House").unwrap().id, kb.lookup("Maison-Blanche").unwrap().id);
        assert_eq!(kb.by_surname("Musk").unwrap().id, "person:elon-musk");
    }

    #[test]
    fn lookup_ignores_legal_forms_and_hyphen_variants() {
        let kb = Kb::builtin();
        let id = |s: &str| kb.lookup(s).map(|e| e.id.clone());
        let ampere = Some("company:ampere-computing".to_string());
        assert_eq!(id("Ampere Computing, Inc."), ampere);
        assert_eq!(id("Ampere Computing Co Ltd"), ampere);
        assert_eq!(id("AMPERE COMPUTING LLC"), ampere);
        // a legal form alone is no name, nor a name that is not the KB's
        assert_eq!(id("Inc."), None);
        assert_eq!(id("Ampere Labs Inc"), None);
        let us = Some("location:united-states".to_string());
        assert_eq!(id("États-Unis"), us);
        assert_eq!(id("États\u{2011}Unis"), us);
        assert_eq!(id("Etats\u{2010}Unis"), us);
    }
}
