//! The generated company and organization lists (`data/kb/companies.tsv`,
//! `data/kb/organizations.tsv`, built by `scripts/kb/build-companies.py` from registry
//! packages) and the legal forms (`data/kb/legal-forms.tsv`): thousands of names, looked
//! up by a folded key with the legal form taken off, so that "Bouygues SA", "BOUYGUES"
//! and "Bouygues" meet.

use crate::{Error, Result};
use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;
use vigie_schemas::EntityType;

const COMPANIES: &str = include_str!("../../../data/kb/companies.tsv");
const ORGANIZATIONS: &str = include_str!("../../../data/kb/organizations.tsv");
const LEGAL_FORMS: &str = include_str!("../../../data/kb/legal-forms.tsv");

/// Legal forms the build script's source lacks or spells otherwise.
const EXTRA_LEGAL: &[&str] =
    &["inc", "corp", "corporation", "ltd", "limited", "plc", "llc", "gmbh", "sa", "sas", "se", "ag", "nv", "bv", "spa"];

#[derive(Debug, Clone, PartialEq)]
pub struct ListedEntity {
    pub id: String,
    pub kind: EntityType,
    pub name: String,
    pub sector: String,
    /// Wikidata QID where the build script could attach one (`data/kb/companies.tsv`'s last column)
    pub qid: Option<String>,
}

/// One alias of a listed entity; `common` when it is also an ordinary word or a place or
/// person name ("Target", "Orange", "Lincoln"): trusted only when NER calls it an
/// organization.
#[derive(Debug, Clone, Copy)]
struct Alias {
    entity: u32,
    common: bool,
}

pub struct CompanyKb {
    pub entities: Vec<ListedEntity>,
    by_key: HashMap<String, Alias>,
    /// folded legal forms ("inc", "pty ltd", "s a")
    legal: HashSet<String>,
}

/// Lowercase, accents off, `&` as "and", punctuation as spaces, a possessive dropped:
/// "AT&T Inc." -> "at and t inc", "Air France-KLM" -> "air france klm".
pub fn key_words(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_suffix("'s").or_else(|| s.strip_suffix("’s")).unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    for c in s.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        if c == '&' {
            out.push_str(" and ");
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl CompanyKb {
    pub fn builtin() -> Self {
        Self::try_builtin().expect("data/kb/companies.tsv is valid (checked by a test)")
    }

    pub fn try_builtin() -> Result<Self> {
        Self::parse(&[("companies.tsv", COMPANIES), ("organizations.tsv", ORGANIZATIONS)], LEGAL_FORMS)
            .map_err(|e| Error::builtin("company lists", e))
    }

    /// Lists in the layout of `data/kb/companies.tsv` (id, type, name, aliases, common
    /// aliases, sector, country, sources, Wikidata QID), the first list's aliases winning;
    /// the error names the file and line.
    pub fn parse(lists: &[(&str, &str)], legal_forms: &str) -> Result<Self> {
        let legal: HashSet<String> = legal_forms
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("form\t") && !l.trim().is_empty())
            .map(|l| key_words(l.split('\t').next().unwrap_or("")))
            .chain(EXTRA_LEGAL.iter().map(|s| s.to_string()))
            .filter(|f| !f.is_empty())
            .collect();
        let mut kb = CompanyKb { entities: Vec::new(), by_key: HashMap::new(), legal };
        for (file, text) in lists {
            for (line, c) in super::tsv::rows(text, file, 9)? {
                let kind: EntityType = c[1].parse().map_err(|message| Error::Data { file: file.to_string(), line, message })?;
                let idx = kb.entities.len() as u32;
                let qid = Some(c[8].trim()).filter(|q| !q.is_empty()).map(str::to_string);
                if let Some(q) = &qid {
                    if !(q.len() > 1 && q.starts_with('Q') && q[1..].bytes().all(|b| b.is_ascii_digit())) {
                        return Err(Error::Data { file: file.to_string(), line, message: format!("bad wikidata id {q:?}") });
                    }
                }
                kb.entities.push(ListedEntity { id: c[0].into(), kind, name: c[2].into(), sector: c[5].into(), qid });
                let common: Vec<&str> = c[4].split('|').filter(|a| !a.is_empty()).collect();
                for a in std::iter::once(c[2]).chain(c[3].split('|')).filter(|a| !a.is_empty()) {
                    let key = kb.key(a);
                    if key.chars().count() < 2 {
                        continue;
                    }
                    let is_common = common.contains(&a);
                    // the first entity keeps an alias; a key any spelling of which is an
                    // ordinary word is one ("Target" and "Target Corp" share "target")
                    let e = kb.by_key.entry(key).or_insert(Alias { entity: idx, common: is_common });
                    if e.entity == idx {
                        e.common |= is_common;
                    }
                }
            }
        }
        Ok(kb)
    }

    /// The lookup key: [`key_words`] with trailing legal forms taken off
    /// ("Bouygues SA" -> "bouygues").
    pub fn key(&self, s: &str) -> String {
        let mut k = key_words(s);
        'strip: loop {
            // the last four to one words, longest first, against the set of forms
            let spaces: Vec<usize> = k.rmatch_indices(' ').take(4).map(|(i, _)| i).collect();
            for &cut in spaces.iter().rev() {
                if cut >= 2 && self.legal.contains(&k[cut + 1..]) {
                    k.truncate(cut);
                    continue 'strip;
                }
            }
            return k;
        }
    }

    /// Whether the folded word `w` is a legal form ("corp", "gmbh").
    pub fn is_legal_form(&self, w: &str) -> bool {
        self.legal.contains(w)
    }

    /// Whether `s` ends with a legal form ("Acme Inc.", "Globex SAS").
    pub fn has_legal_form(&self, s: &str) -> bool {
        key_words(s).len() != self.key(s).len()
    }

    /// The listed entity named `surface`, and whether that name is a common word (not
    /// when written with its legal form: "Target Corp").
    pub fn lookup(&self, surface: &str) -> Option<(&ListedEntity, bool)> {
        let a = self.by_key.get(&self.key(surface))?;
        Some((&self.entities[a.entity as usize], a.common && !self.has_legal_form(surface)))
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lists_load_and_fold_legal_forms() {
        let kb = CompanyKb::try_builtin().expect("generated lists parse");
        let companies = kb.entities.iter().filter(|e| e.kind == EntityType::Company).count();
        assert!(companies > 5000, "{companies} companies");
        let id = |s: &str| kb.lookup(s).map(|(e, _)| e.id.as_str());
        assert_eq!(id("Bouygues SA"), id("BOUYGUES"));
        assert_eq!(id("Bouygues"), Some("company:bouygues"));
        assert_eq!(id("Air France-KLM"), id("Air France KLM SA"));
        assert_eq!(kb.lookup("Ubisoft").unwrap().0.kind, EntityType::Company);
        assert_eq!(kb.lookup("Coinbase Global, Inc.").unwrap().0.id, "company:coinbase");
        // ordinary words are flagged, distinctive names are not
        assert!(kb.lookup("Target").unwrap().1, "Target is an ordinary word");
        assert!(!kb.lookup("Target Corporation").unwrap().1);
        assert!(!kb.lookup("Ubisoft").unwrap().1);
        assert!(kb.has_legal_form("Acme Holdings Inc."));
        assert!(!kb.has_legal_form("Acme Holdings"));
        assert_eq!(kb.key("AT&T Inc."), "at and t");
        // source rows that were two companies at once are repaired by the build script's
        // checks: ABB is not Groupe SEB, Paris's SEB not Stockholm's bank, Smiths Group not SES
        assert_eq!(id("ABB"), Some("company:abb"));
        assert_eq!(id("Groupe SEB"), Some("company:groupe-seb"));
        assert_eq!(id("Skandinaviska Enskilda Banken"), id("SEB Group"));
        assert_ne!(id("Smiths Group"), id("SES"));
        // Wikidata ids where the build script could attach one
        assert_eq!(kb.lookup("Deutsche Telekom AG").unwrap().0.qid.as_deref(), Some("Q9396"));
        let with_qid = kb.entities.iter().filter(|e| e.qid.is_some()).count();
        assert!(with_qid > 500, "{with_qid} companies with a QID");
        // public and intergovernmental bodies are organizations, never companies
        let kind = |s: &str| kb.lookup(s).map(|(e, _)| e.kind);
        for body in ["NSA", "Federal Bureau of Investigation", "Interpol", "OCDE", "Organisation mondiale de la santé", "Europol"] {
            assert_eq!(kind(body), Some(EntityType::Organization), "{body}");
        }
        let bodies = kb.entities.iter().filter(|e| e.kind == EntityType::Organization && e.sector != "education").count();
        assert!(bodies > 2000, "{bodies} bodies");
    }

    #[test]
    fn malformed_lists_name_their_line() {
        let header = "# c\nid\ttype\tname\taliases\tcommon\tsector\tcountry\tsources\twikidata\n";
        let e = CompanyKb::parse(&[("c.tsv", &format!("{header}company:a\tcompany\tA\n"))], "").err().unwrap();
        assert_eq!(e.to_string(), "c.tsv:3: expected 9 columns, found 3");
        let e = CompanyKb::parse(&[("c.tsv", &format!("{header}x:a\tplanet\tA\t\t\t\t\t\t\n"))], "").err().unwrap();
        assert!(e.to_string().starts_with("c.tsv:3:"), "{e}");
        let e = CompanyKb::parse(&[("c.tsv", &format!("{header}company:a\tcompany\tA\t\t\t\t\t\twikidata:42\n"))], "").err().unwrap();
        assert_eq!(e.to_string(), "c.tsv:3: bad wikidata id \"wikidata:42\"");
    }
}
