//! From mentions (NER spans, GPU matches, knowledge-base names) to the entities of one
//! article: overlaps resolved, names linked to the knowledge base, the short forms of
//! the article's full names (a given name or a surname alone, the first word of a
//! company's name) linked to them, unknown names given stable ids.

use super::kb::{fold, slug, Kb, KbEntity};
use super::mention_type::{SpanHints, Typed};
use super::spans::{join_dashes, name_tokens, short_org, short_person, without_legal_forms, GENERIC};
use std::collections::{BTreeMap, HashMap, HashSet};
use vigie_schemas::{Entity, EntityId, EntityType, Mention};

/// Where a candidate mention comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// an NER span with its CoNLL label (PER, ORG, LOC, MISC)
    Ner(String),
    /// a GPU (a catalogue entry, or a member of one of its families)
    Gpu(super::gpu::GpuEntry),
    /// a knowledge-base name found in the text (entity index)
    Kb(usize),
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    pub source: Source,
}

/// Words that open a name but are not part of it.
const LEADING: &[&str] = &[
    "le",
    "la",
    "les",
    "l'",
    "l’",
    "the",
    "du",
    "des",
    "de",
    "d'",
    "d’",
    "m.",
    "mme",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "président",
    "president",
    "pdg",
    "ceo",
];
/// Endings of company names (for organizations the knowledge base does not know).
const COMPANY_SUFFIXES: &[&str] = &[
    "inc",
    "inc.",
    "corp",
    "corp.",
    "corporation",
    "ltd",
    "ltd.",
    "llc",
    "sa",
    "sas",
    "se",
    "ag",
    "gmbh",
    "plc",
    "group",
    "groupe",
    "technologies",
    "technology",
    "labs",
    "ai",
    "systems",
    "computing",
    "holdings",
    "capital",
    "ventures",
    "semiconductor",
    "software",
    "networks",
    "cloud",
    "motors",
    "pharma",
    "bank",
    "banque",
    "co",
    "co.",
];

fn strip_leading(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let lower = s.to_lowercase();
        let Some(w) = LEADING.iter().find(|w| {
            lower.starts_with(*w) && (w.ends_with('\'') || w.ends_with('’') || lower[w.len()..].starts_with(' ')) && s.len() > w.len() + 1
        }) else {
            return s;
        };
        s = s[w.len()..].trim_start();
    }
}

fn label_type(label: &str, name: &str) -> EntityType {
    match label {
        "PER" => EntityType::Person,
        "LOC" => EntityType::Location,
        "ORG" => {
            let last = name.split_whitespace().last().unwrap_or("").to_lowercase();
            if COMPANY_SUFFIXES.contains(&last.as_str()) {
                EntityType::Company
            } else {
                EntityType::Organization
            }
        }
        _ => EntityType::Other,
    }
}

/// Resolves overlaps: GPUs first, then NER spans, then knowledge-base names; a person
/// span that holds a GPU name stays a person. A knowledge-base name longer than the NER
/// spans it covers replaces them (the head cut "Jensen Huang" into an organization
/// "Jensen" and a person "Huang").
pub fn resolve(mut cands: Vec<Candidate>) -> Vec<Candidate> {
    let known: Vec<(usize, usize)> = cands.iter().filter(|c| matches!(c.source, Source::Kb(_))).map(|c| (c.start, c.end)).collect();
    cands.retain(|c| {
        !matches!(c.source, Source::Ner(_)) || !known.iter().any(|&(s, e)| s <= c.start && c.end <= e && e - s > c.end - c.start)
    });
    let rank = |c: &Candidate| match &c.source {
        Source::Gpu(_) => 0,
        Source::Ner(l) if l == "PER" => 0,
        Source::Ner(_) => 1,
        Source::Kb(_) => 2,
    };
    cands.sort_by_key(|c| (rank(c), c.start, std::cmp::Reverse(c.end)));
    let mut kept: Vec<Candidate> = Vec::new();
    for c in cands {
        if kept.iter().all(|k| c.end <= k.start || c.start >= k.end) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.start);
    kept
}

/// One linked mention; `known` when the id is the knowledge base's or the catalogue's.
struct Resolved {
    start: usize,
    end: usize,
    id: String,
    kind: EntityType,
    name: String,
    known: bool,
    /// the knowledge base's Wikidata QID of a known name
    qid: Option<String>,
}

impl Resolved {
    /// A mention of a knowledge-base entity.
    fn of_kb(start: usize, end: usize, e: &KbEntity) -> Self {
        Resolved { start, end, id: e.id.clone(), kind: e.kind, name: e.name.clone(), known: true, qid: e.qid.clone() }
    }
}

/// A mention that may be the short form of a longer name of the article: an unknown
/// name (its NER label), or a GPU architecture named like a company ("Ampere" beside
/// "Ampere Computing").
enum Short {
    Name(String),
    Architecture,
}

/// A name as the head's span gives it, cleaned for linking: leading articles and
/// titles, a possessive and the spaces around dashes removed.
pub(crate) fn clean(surface: &str) -> String {
    let name = strip_leading(surface);
    let name = name.strip_suffix("'s").or_else(|| name.strip_suffix("’s")).unwrap_or(name).trim();
    join_dashes(name)
}

/// Builds the article's entities and mentions. `title_len`: bytes of `text` that are
/// the title.
pub fn link(text: &str, title_len: usize, cands: &[Candidate], kb: &Kb) -> (Vec<Entity>, Vec<Mention>) {
    link_typed(text, title_len, cands, kb, &SpanHints::none())
}

/// [`link`] with the generated company lists, company cues and the mention-type
/// classifier typing the names the knowledge base does not know.
pub fn link_typed(text: &str, title_len: usize, cands: &[Candidate], kb: &Kb, hints: &SpanHints<'_>) -> (Vec<Entity>, Vec<Mention>) {
    let mut resolved: Vec<Resolved> = Vec::new();
    let mut shorts: Vec<(usize, Short)> = Vec::new();
    for c in cands {
        let surface = &text[c.start..c.end];
        let (start, end) = (c.start, c.end);
        match &c.source {
            Source::Gpu(g) => {
                let name = if g.model.starts_with(&g.vendor) { g.model.clone() } else { format!("{} {}", g.vendor, g.model) };
                if g.family == "architecture" {
                    shorts.push((resolved.len(), Short::Architecture));
                }
                resolved.push(Resolved { start, end, id: g.id.clone(), kind: EntityType::Gpu, name, known: true, qid: None });
            }
            Source::Kb(i) => {
                resolved.push(Resolved::of_kb(start, end, &kb.entities[*i]));
            }
            Source::Ner(label) => {
                let name = clean(surface);
                if fold(&name).is_empty() || GENERIC.contains(&fold(&name).as_str()) {
                    continue;
                }
                if let Some(e) = kb.lookup(&name) {
                    resolved.push(Resolved::of_kb(start, end, e));
                    continue;
                }
                // [kb-scale hook] listed companies, cues and the classifier (mention_type.rs)
                let kind = match hints.type_mention(&name, label, label_type(label, &name)) {
                    Typed::Listed(e) => {
                        resolved.push(Resolved { start, end, id: e.id, kind: e.kind, name: e.name, known: true, qid: e.qid });
                        continue;
                    }
                    Typed::Kind(kind) => kind,
                };
                // [links] a short form of a longer name of the article, linked below
                if label != "LOC" {
                    shorts.push((resolved.len(), Short::Name(label.clone())));
                }
                let id = format!("{}:{}", kind.as_str(), slug(without_legal_forms(&name)));
                resolved.push(Resolved { start, end, id, kind, name, known: false, qid: None });
            }
        }
    }
    link_short_forms(&mut resolved, &shorts, text, kb);
    // one unknown name, one type: the article's majority (NER may call "Stargate" an
    // organization once and something else later)
    let mut votes: HashMap<String, HashMap<EntityType, usize>> = HashMap::new();
    for r in resolved.iter().filter(|r| !r.known) {
        *votes.entry(slug_of(&r.id).to_string()).or_default().entry(r.kind).or_insert(0) += 1;
    }
    for r in resolved.iter_mut().filter(|r| !r.known) {
        let slug = slug_of(&r.id).to_string();
        if let Some(best) = votes.get(&slug).and_then(|v| v.iter().max_by_key(|(t, n)| (**n, type_rank(**t))).map(|(t, _)| *t)) {
            r.kind = best;
            r.id = format!("{}:{slug}", best.as_str());
        }
    }
    let mut entities: BTreeMap<String, Entity> = BTreeMap::new();
    let mut mentions = Vec::with_capacity(resolved.len());
    for Resolved { start, end, id, kind, name, qid, .. } in resolved {
        let surface = text[start..end].to_string();
        let in_title = start < title_len;
        let e = entities.entry(id.clone()).or_insert_with(|| Entity {
            id: EntityId(id.clone()),
            kind,
            name,
            surface: Vec::new(),
            mentions: 0,
            in_title: false,
            wikidata: qid,
        });
        e.mentions += 1;
        e.in_title |= in_title;
        if !e.surface.contains(&surface) {
            e.surface.push(surface.clone());
        }
        mentions.push(Mention { entity_id: EntityId(id), surface, start, end, in_title });
    }
    let mut entities: Vec<Entity> = entities.into_values().collect();
    entities.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.id.0.cmp(&b.id.0)));
    (entities, mentions)
}

/// Links each short form to the full name it shortens: the article's persons and
/// organizations of two words or more that are not themselves the short form of a longer
/// one, in the order of their first mention. A given name or a family name alone goes to
/// a person (both orders: "Masayoshi" and "Son" of "Masayoshi Son", "Xi" of "Xi
/// Jinping"), even where the head typed it an organization ("Su" of "Lisa Su"); the
/// first words of an organization to it ("Ampere" of "Ampere Computing"). A name the head
/// tagged a person looks among persons first, any other among organizations first.
/// Where two people share the name ("Gates" beside "Bill Gates" and "Melinda French
/// Gates"), the one the article names first takes it: both full names stay apart. A
/// surname with no full name in the article goes to the one knowledge-base person with
/// it.
fn link_short_forms(resolved: &mut [Resolved], shorts: &[(usize, Short)], text: &str, kb: &Kb) {
    let mut seen = HashSet::new();
    let full: Vec<(usize, Vec<String>, bool)> = resolved
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.kind, EntityType::Person | EntityType::Company | EntityType::Organization))
        .map(|(i, r)| (i, name_tokens(&r.name), r.kind == EntityType::Person))
        .filter(|(i, t, _)| t.len() >= 2 && seen.insert(resolved[*i].id.clone()))
        .collect();
    let shortens =
        |short: &[String], person: bool, long: &[String]| if person { short_person(short, long) } else { short_org(short, long) };
    // the longest forms: known names, and the others no longer name of the article has
    let longest: Vec<&(usize, Vec<String>, bool)> =
        full.iter().filter(|(i, t, p)| resolved[*i].known || !full.iter().any(|(_, long, lp)| lp == p && shortens(t, *p, long))).collect();
    let mut links = Vec::new();
    for (i, short) in shorts {
        let r = &resolved[*i];
        let toks = match short {
            Short::Architecture => name_tokens(&text[r.start..r.end]),
            Short::Name(_) => name_tokens(&r.name),
        };
        let order: &[bool] = match short {
            Short::Name(label) if label == "PER" => &[true, false],
            Short::Name(_) => &[false, true],
            Short::Architecture => &[false],
        };
        let target = order.iter().find_map(|&person| {
            longest.iter().find(|(j, long, p)| *p == person && resolved[*j].id != r.id && shortens(&toks, person, long)).map(|(j, _, _)| *j)
        });
        if let Some(j) = target {
            let t = &resolved[j];
            links.push((*i, t.id.clone(), t.kind, t.name.clone(), t.known, t.qid.clone()));
        } else if matches!(short, Short::Name(l) if l == "PER") && toks.len() == 1 {
            if let Some(e) = kb.by_surname(&toks[0]) {
                links.push((*i, e.id.clone(), e.kind, e.name.clone(), true, e.qid.clone()));
            }
        }
    }
    for (i, id, kind, name, known, qid) in links {
        let r = &mut resolved[i];
        (r.id, r.kind, r.name, r.known, r.qid) = (id, kind, name, known, qid);
    }
}

fn slug_of(id: &str) -> &str {
    id.split_once(':').map_or(id, |(_, s)| s)
}

/// Tie-break between types for the same unknown name.
fn type_rank(t: EntityType) -> u8 {
    match t {
        EntityType::Organization | EntityType::Company => 4,
        EntityType::Person => 3,
        EntityType::Location => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ner(text: &str, s: &str, label: &str) -> Candidate {
        let start = text.find(s).unwrap();
        Candidate { start, end: start + s.len(), source: Source::Ner(label.into()) }
    }

    #[test]
    fn links_names_surnames_and_folds_forms() {
        let kb = Kb::builtin();
        let text = "Musk et Nvidia\nElon Musk a parlé à la Maison Blanche. Le patron de NVIDIA's rival, Jane Doe, répond. Doe et Musk.";
        let title_len = text.find('\n').unwrap();
        let mut cands = vec![
            ner(text, "Musk", "PER"),
            ner(text, "Nvidia", "ORG"),
            ner(text, "Elon Musk", "PER"),
            ner(text, "la Maison Blanche", "LOC"),
            ner(text, "NVIDIA's", "ORG"),
            ner(text, "Jane Doe", "PER"),
        ];
        let doe = text.rfind("Doe").unwrap();
        cands.push(Candidate { start: doe, end: doe + 3, source: Source::Ner("PER".into()) });
        let musk = text.rfind("Musk").unwrap();
        cands.push(Candidate { start: musk, end: musk + 4, source: Source::Ner("PER".into()) });
        let (ents, mentions) = link(text, title_len, &resolve(cands), &kb);
        let get = |id: &str| ents.iter().find(|e| e.id.0 == id).unwrap_or_else(|| panic!("{id} in {ents:#?}"));
        let musk = get("person:elon-musk");
        assert_eq!(musk.mentions, 3);
        assert!(musk.in_title);
        assert_eq!(get("company:nvidia").surface, vec!["Nvidia", "NVIDIA's"]);
        assert_eq!(get("organization:white-house").kind, EntityType::Organization);
        assert_eq!(get("person:jane-doe").mentions, 2);
        // the knowledge base's Wikidata items, on its names and their short forms only
        assert_eq!(get("company:nvidia").wikidata.as_deref(), Some("Q182477"));
        assert_eq!(musk.wikidata, kb.entities.iter().find(|e| e.id == "person:elon-musk").unwrap().qid);
        assert!(musk.wikidata.is_some());
        assert_eq!(get("person:jane-doe").wikidata, None);
        assert_eq!(mentions.len(), 8);
    }

    /// Candidates for each (surface, label) at its next occurrence in `text`; a label of
    /// "GPU" takes the catalogue's entry of that model name.
    fn cands(text: &str, tagged: &[(&str, &str)]) -> Vec<Candidate> {
        let gpus = super::super::gpu::GpuCatalog::builtin();
        let mut from = 0;
        let mut out = Vec::new();
        for (s, label) in tagged {
            let start = text[from..].find(s).unwrap_or_else(|| panic!("{s:?} after {from}")) + from;
            let source = if *label == "GPU" {
                Source::Gpu(gpus.entries.iter().find(|g| g.model == *s).expect("a catalogue entry").clone())
            } else {
                Source::Ner(label.to_string())
            };
            out.push(Candidate { start, end: start + s.len(), source });
            from = start + s.len();
        }
        out
    }

    /// Each mention's entity id, in text order.
    fn ids(text: &str, tagged: &[(&str, &str)]) -> Vec<String> {
        let (_, mentions) = link(text, text.find('\n').unwrap_or(0), &resolve(cands(text, tagged)), &Kb::builtin());
        mentions.into_iter().map(|m| m.entity_id.0).collect()
    }

    #[test]
    fn short_forms_link_to_the_full_name_of_the_article() {
        // given name and family name alone, both orders, the KB's and unknown persons
        let text = "SoftBank\nMasayoshi Son a parlé. Masayoshi a ri. Son a précisé. Xi Jinping reçoit. Xi a parlé. Tanaka Hiroshi arrive; Tanaka et Hiroshi.";
        let got = ids(
            text,
            &[
                ("Masayoshi Son", "PER"),
                ("Masayoshi", "PER"),
                ("Son", "PER"),
                ("Xi Jinping", "PER"),
                ("Xi", "PER"),
                ("Tanaka Hiroshi", "PER"),
                ("Tanaka", "ORG"),
                ("Hiroshi", "PER"),
            ],
        );
        let son = "person:masayoshi-son";
        let xi = "person:xi-jinping";
        let tanaka = "person:tanaka-hiroshi";
        assert_eq!(got, vec![son, son, son, xi, xi, tanaka, tanaka, tanaka]);
        // two people who share a surname stay apart; the surname alone goes to the first
        let text = "Gates\nBill Gates et Melinda French Gates divorcent. Gates a parlé, Melinda Gates aussi.";
        let got = ids(text, &[("Bill Gates", "PER"), ("Melinda French Gates", "PER"), ("Gates", "PER"), ("Melinda Gates", "PER")]);
        assert_eq!(got, vec!["person:bill-gates", "person:melinda-french-gates", "person:bill-gates", "person:melinda-french-gates"]);
        // a name with an initial: its surname alone is the same person
        let text = "JFK\nJohn F. Kennedy fut élu. Kennedy a gagné.";
        assert_eq!(ids(text, &[("John F. Kennedy", "PER"), ("Kennedy", "PER")]), vec!["person:john-f-kennedy"; 2]);
    }

    #[test]
    fn a_company_and_its_short_name_are_one_entity_of_one_type() {
        // the catalogue's architecture "Ampere" beside the company: the company
        let text = "Ampere\nAmpere Computing lève des fonds. Ampere vise les centres de données.";
        let (ents, _) =
            link(text, 6, &resolve(cands(text, &[("Ampere", "GPU"), ("Ampere Computing", "ORG"), ("Ampere", "GPU")])), &Kb::builtin());
        assert_eq!(ents.len(), 1, "{ents:#?}");
        assert_eq!((ents[0].id.0.as_str(), ents[0].kind, ents[0].mentions), ("company:ampere-computing", EntityType::Company, 3));
        // an unknown company with its legal form, then its short name typed otherwise
        let text = "Acme\nAcme Robotics Inc a levé des fonds. Acme recrute.";
        let got = ids(text, &[("Acme Robotics Inc", "ORG"), ("Acme", "MISC")]);
        assert_eq!(got, vec!["company:acme-robotics"; 2]);
        // without the company, "Ampere" stays the architecture
        let text = "GPU\nL'architecture Ampere de Nvidia.";
        let got = ids(text, &[("Ampere", "GPU"), ("Nvidia", "ORG")]);
        assert_ne!(got[0], "company:ampere-computing");
    }

    #[test]
    fn gpus_win_overlaps_and_unknown_orgs_are_typed_by_suffix() {
        assert_eq!(label_type("ORG", "Acme Computing Inc"), EntityType::Company);
        assert_eq!(label_type("ORG", "Conseil d'État"), EntityType::Organization);
        let h100 = super::super::gpu::GpuCatalog::builtin().entries[0].clone();
        let c = resolve(vec![
            Candidate { start: 0, end: 11, source: Source::Ner("MISC".into()) },
            Candidate { start: 7, end: 11, source: Source::Gpu(h100.clone()) },
            Candidate { start: 0, end: 6, source: Source::Kb(0) },
        ]);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].source, Source::Kb(0));
        assert_eq!(c[1].source, Source::Gpu(h100));
    }
}
