//! `vigie eval companies`: how many of the companies a reader names in real articles come
//! out of the full model stage typed `company`, and how many `company:` entities are not
//! companies. The gold (`data/eval/companies/*.jsonl`, guidelines beside it) points at
//! articles of the shared corpora instead of copying them: each line names the corpus
//! file, the record's key and the start of its title, which is checked before scoring.

use crate::{corpus, DataDir, Error, IngestOptions, Result, Session};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use vigie_pipeline::ingest::{Format, FormatChoice, Input};
use vigie_pipeline::lang::{LangConfig, LangDetector};
use vigie_pipeline::runner::{Analyzer, Observer};
use vigie_schemas::{Article, Document, Entity, EntityType};

/// Characters of the title kept in the gold to check that the record is the one annotated.
pub const TITLE_CHECK_CHARS: usize = 60;

/// One named thing of the gold: its canonical name and the forms written in the text.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldName {
    pub name: String,
    #[serde(default)]
    pub surface: Vec<String>,
}

/// One annotated article of `data/eval/companies/*.jsonl`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldArticle {
    pub id: String,
    pub lang: String,
    /// corpus file, relative to the shared data directory
    pub file: String,
    /// the record's id as vigie's corpus readers name it (`reuters-NEWID`, `huffpost-LINE`,
    /// `fra_dev-N`, or a JSON-lines record's own `id`)
    pub key: String,
    /// the first [`TITLE_CHECK_CHARS`] characters of the record's title
    pub title: String,
    #[serde(default)]
    pub companies: Vec<GoldName>,
    #[serde(default)]
    pub organizations: Vec<GoldName>,
    /// names a careful reader could type either way (a private military group, a label
    /// run as a business): neither counted when missed nor wrong when typed `company`
    #[serde(default)]
    pub ambiguous: Vec<GoldName>,
    /// GPU and accelerator ids (`gpu:nvidia-h100`) mentioned
    #[serde(default)]
    pub gpus: Vec<String>,
    /// annotator's remark (not scored)
    #[serde(default)]
    pub note: Option<String>,
}

/// The gold articles of `path`; the error names the file and line.
pub fn read_gold(path: &Path) -> Result<Vec<GoldArticle>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out: Vec<GoldArticle> = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |m: String| Error::Config(format!("{}:{}: {m}", path.display(), i + 1));
        let g: GoldArticle = serde_json::from_str(line).map_err(|e| at(e.to_string()))?;
        if out.iter().any(|o| o.id == g.id) {
            return Err(at(format!("duplicate id {:?}", g.id)));
        }
        if let Some(n) = g.companies.iter().chain(&g.organizations).chain(&g.ambiguous).find(|n| fold_name(&n.name).is_empty()) {
            return Err(at(format!("empty name {:?}", n.name)));
        }
        out.push(g);
    }
    if out.is_empty() {
        return Err(Error::Config(format!("{}: no gold articles", path.display())));
    }
    Ok(out)
}

/// The articles the gold points at, read from `shared` (the shared data directory) and
/// checked against the stored title start, in gold order, with the gold ids as ids.
pub fn resolve(gold_path: &Path, gold: &[GoldArticle], shared: &Path) -> Result<Vec<Article>> {
    let mut files: HashMap<&str, HashMap<String, Article>> = HashMap::new();
    let mut out = Vec::with_capacity(gold.len());
    for g in gold {
        if !files.contains_key(g.file.as_str()) {
            files.insert(&g.file, read_corpus(&shared.join(&g.file))?);
        }
        let records = &files[g.file.as_str()];
        let bad = |m: String| Error::Config(format!("{}: {}: {m}", gold_path.display(), g.id));
        let a = records.get(&g.key).ok_or_else(|| bad(format!("no record {:?} in {}", g.key, g.file)))?;
        let title = title_check(a);
        if title != g.title {
            return Err(bad(format!("{} {} starts {title:?}, not {:?} (another version of the corpus?)", g.file, g.key, g.title)));
        }
        out.push(Article { id: Some(g.id.clone()), ..a.clone() });
    }
    Ok(out)
}

/// What the gold stores of a record's title: its first characters, or the body's when it
/// has no title.
pub fn title_check(a: &Article) -> String {
    let t = a.title.as_deref().map(str::trim).filter(|t| !t.is_empty()).or(a.body.as_deref()).unwrap_or("").trim();
    t.chars().take(TITLE_CHECK_CHARS).collect()
}

/// Every record of one corpus file by key.
fn read_corpus(path: &Path) -> Result<HashMap<String, Article>> {
    if !path.exists() {
        return Err(Error::Config(format!("{}: not found (the shared data sets live beside the checkout; see --shared)", path.display())));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let articles = if path.is_dir() {
        corpus::reuters(path)?
    } else if name.ends_with(".tsv") {
        let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        corpus::masakhanews(path)?
            .into_iter()
            .enumerate()
            .map(|(i, r)| Article {
                id: Some(format!("{stem}-{i}")),
                title: Some(r.headline),
                body: Some(r.text),
                url: (!r.url.is_empty()).then_some(r.url),
                ..Default::default()
            })
            .collect()
    } else if name.starts_with("huffpost") {
        corpus::huffpost(path)?
    } else {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut v = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let a: Article = serde_json::from_str(line).map_err(|e| Error::Config(format!("{}:{}: {e}", path.display(), i + 1)))?;
            v.push(a);
        }
        v
    };
    Ok(articles.into_iter().filter_map(|a| Some((a.id.clone()?, a))).collect())
}

/// Ingests `articles` (ids set) into a temporary data directory with `analyzer`, as
/// `vigie ingest` does, and returns the stored documents by id.
pub(super) fn analyze(
    articles: &[Article],
    analyzer: &dyn Analyzer,
    observer: &mut dyn Observer,
) -> Result<(HashMap<String, Document>, f64)> {
    let tmp = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let data = DataDir::new(tmp.path().join("data"));
    let input = tmp.path().join("gold.jsonl");
    let write = || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&input)?);
        for a in articles {
            serde_json::to_writer(&mut w, a)?;
            w.write_all(b"\n")?;
        }
        w.flush()
    };
    write().map_err(|e| Error::io(&input, e))?;
    let lang = LangDetector::new(&LangConfig::default())?;
    let setup = IngestOptions::new(FormatChoice::Fixed(Format::Jsonl), &lang, Some(analyzer));
    let mut session = Session::open(data)?;
    let result = session.ingest(&[Input::Path(input.clone())], &setup, observer, &AtomicBool::new(false)).and_then(|summary| {
        let mut docs = HashMap::new();
        session.index().for_each_doc(|d| {
            docs.insert(d.id.0.clone(), d);
        })?;
        Ok((docs, summary.seconds))
    });
    let closed = session.close();
    let out = result?;
    closed?;
    Ok(out)
}

/// Legal forms dropped at the end of a name before comparing ("Chrysler Corp" is
/// "Chrysler Corporation"), and determiners at its start.
const LEGAL: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "plc",
    "llc",
    "lp",
    "sa",
    "s a",
    "ag",
    "nv",
    "na",
    "se",
    "spa",
    "gmbh",
    "bv",
    "ab",
    "asa",
    "oyj",
    "sas",
    "sarl",
];
const DETERMINERS: &[&str] = &["the", "le", "la", "les", "l"];

/// A name for comparison: lowercase, accents, possessive and punctuation removed, legal
/// form at the end and determiner at the start dropped ("l'Oréal SA" is "oreal").
pub fn fold_name(s: &str) -> String {
    let f = vigie_pipeline::entities::fold(s);
    let spaced: String = f.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    if words.len() > 1 && DETERMINERS.contains(&words[0]) {
        words.remove(0);
    }
    // "S.A." is two words once punctuation is gone
    if words.len() > 2 && words[words.len() - 2..] == ["s", "a"] {
        words.truncate(words.len() - 2);
    }
    while words.len() > 1 && LEGAL.contains(words.last().expect("non-empty")) {
        words.pop();
    }
    words.join(" ")
}

/// Whether two folded names are the same name, or one holds the other as whole words
/// and is at least half as long ("Cogeco" in "Cogeco Câble", not "Bank" in "Royal Bank
/// of Scotland").
pub fn overlaps(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() || short[0].is_empty() || 2 * short.len() < long.len() {
        return false;
    }
    long.windows(short.len()).any(|w| w == short.as_slice())
}

/// The folded forms of a gold name: its surfaces and its canonical name.
fn forms(n: &GoldName) -> Vec<String> {
    let mut v: Vec<String> = n.surface.iter().chain(std::iter::once(&n.name)).map(|s| fold_name(s)).filter(|s| !s.is_empty()).collect();
    v.sort();
    v.dedup();
    v
}

fn entity_forms(e: &Entity) -> Vec<String> {
    let mut v: Vec<String> = e.surface.iter().map(|s| fold_name(s)).filter(|s| !s.is_empty()).collect();
    if v.is_empty() {
        v.push(fold_name(&e.name));
    }
    v
}

fn matches_exactly(e: &[String], gold: &[String]) -> bool {
    e.iter().any(|f| gold.contains(f))
}

fn matches_partly(e: &[String], gold: &[String]) -> bool {
    e.iter().any(|f| gold.iter().any(|g| overlaps(f, g)))
}

/// A gold company no `company:` entity matches.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Missed {
    pub name: String,
    /// the entity that holds it otherwise: `type:surface`, or none when it was not extracted
    pub got: Option<String>,
}

/// Why a predicted `company:` entity is wrong.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum FpReason {
    /// it is a gold organization
    Organization,
    /// it overlaps a gold company without being one of its forms (a span error)
    Span,
    /// nothing of the gold: an annotation miss or a wrong company
    Other,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FalsePositive {
    pub id: String,
    pub surface: Vec<String>,
    pub reason: FpReason,
}

/// One article's matches.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ArticleResult {
    pub id: String,
    pub lang: String,
    pub key: String,
    pub gold_companies: usize,
    /// gold companies some entity of any type holds
    pub extracted: usize,
    /// gold companies a `company:` entity matches
    pub found: usize,
    pub predicted: usize,
    /// predicted `company:` entities that match a gold company
    pub correct: usize,
    /// predicted `company:` entities that match an ambiguous name (not scored)
    pub ambiguous: usize,
    pub gold_organizations: usize,
    /// gold organizations a `company:` entity matches
    pub organizations_as_company: usize,
    /// gold organizations an `organization:` entity matches
    pub organizations_typed: usize,
    pub gold_gpus: usize,
    pub gpus_found: usize,
    /// predicted GPU ids not in the gold
    pub gpu_false_positives: Vec<String>,
    pub missed: Vec<Missed>,
    pub false_positives: Vec<FalsePositive>,
    pub missed_gpus: Vec<String>,
    /// `organization:` entities that match no gold name (to check the annotation: a
    /// company or an organization the annotator missed, or a wrong entity)
    pub unmatched_organizations: Vec<String>,
    /// true when the article was not stored (rejected): everything in it is missed
    pub not_stored: bool,
}

/// Scores the entities of one document against its gold.
pub fn score_article(g: &GoldArticle, entities: Option<&[Entity]>) -> ArticleResult {
    let mut r = ArticleResult {
        id: g.id.clone(),
        lang: g.lang.clone(),
        key: g.key.clone(),
        gold_companies: g.companies.len(),
        gold_organizations: g.organizations.len(),
        gold_gpus: g.gpus.len(),
        not_stored: entities.is_none(),
        ..Default::default()
    };
    let entities = entities.unwrap_or_default();
    let preds: Vec<(&Entity, Vec<String>)> = entities.iter().map(|e| (e, entity_forms(e))).collect();
    let companies: Vec<Vec<String>> = g.companies.iter().map(forms).collect();
    let orgs: Vec<Vec<String>> = g.organizations.iter().map(forms).collect();
    let ambiguous: Vec<Vec<String>> = g.ambiguous.iter().map(forms).collect();
    let is = |e: &Entity, t: EntityType| e.kind == t;
    for (n, gf) in g.companies.iter().zip(&companies) {
        if preds.iter().any(|(e, f)| is(e, EntityType::Company) && matches_exactly(f, gf)) {
            r.found += 1;
            r.extracted += 1;
            continue;
        }
        // the entity that holds it otherwise: an exact form first, else an overlap
        let holder = preds
            .iter()
            .find(|(_, f)| matches_exactly(f, gf))
            .or_else(|| preds.iter().find(|(e, f)| !is(e, EntityType::Gpu) && matches_partly(f, gf)));
        if holder.is_some() {
            r.extracted += 1;
        }
        let got = holder.map(|(e, _)| format!("{}:{}", e.kind, e.surface.first().unwrap_or(&e.name)));
        r.missed.push(Missed { name: n.name.clone(), got });
    }
    for (e, f) in preds.iter().filter(|(e, _)| is(e, EntityType::Company)) {
        if companies.iter().any(|gf| matches_exactly(f, gf)) {
            r.predicted += 1;
            r.correct += 1;
            continue;
        }
        if ambiguous.iter().any(|af| matches_exactly(f, af)) {
            r.ambiguous += 1;
            continue;
        }
        r.predicted += 1;
        let reason = if orgs.iter().any(|of| matches_exactly(f, of)) {
            FpReason::Organization
        } else if companies.iter().any(|gf| matches_partly(f, gf)) {
            FpReason::Span
        } else {
            FpReason::Other
        };
        r.false_positives.push(FalsePositive { id: e.id.0.clone(), surface: e.surface.clone(), reason });
    }
    for of in &orgs {
        if preds.iter().any(|(e, f)| is(e, EntityType::Company) && matches_exactly(f, of)) {
            r.organizations_as_company += 1;
        }
        if preds.iter().any(|(e, f)| is(e, EntityType::Organization) && matches_exactly(f, of)) {
            r.organizations_typed += 1;
        }
    }
    let known = |f: &[String]| companies.iter().chain(&orgs).chain(&ambiguous).any(|g| matches_partly(f, g));
    r.unmatched_organizations = preds
        .iter()
        .filter(|(e, f)| is(e, EntityType::Organization) && !known(f))
        .map(|(e, _)| e.surface.first().unwrap_or(&e.name).clone())
        .collect();
    let gpu_ids: Vec<&str> = entities.iter().filter(|e| is(e, EntityType::Gpu)).map(|e| e.id.0.as_str()).collect();
    for id in &g.gpus {
        if gpu_ids.contains(&id.as_str()) {
            r.gpus_found += 1;
        } else {
            r.missed_gpus.push(id.clone());
        }
    }
    let mut fps: Vec<String> = gpu_ids.iter().filter(|id| !g.gpus.iter().any(|x| x == *id)).map(|s| s.to_string()).collect();
    fps.sort();
    fps.dedup();
    r.gpu_false_positives = fps;
    r
}

/// The scores of a set of articles.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CompanyScores {
    pub articles: usize,
    pub gold_companies: usize,
    /// gold companies held by an entity of any type (surface overlap)
    pub extracted: usize,
    pub extraction_recall: f64,
    /// gold companies matched by a `company:` entity
    pub found: usize,
    pub recall: f64,
    /// `company:` entities
    pub predicted: usize,
    pub correct: usize,
    pub precision: f64,
    /// `company:` entities that match an ambiguous name, left out of precision
    pub ambiguous: usize,
    pub f1: f64,
    /// false positives that are gold organizations, span errors, or absent from the gold
    pub fp_organization: usize,
    pub fp_span: usize,
    pub fp_other: usize,
    pub gold_organizations: usize,
    /// gold organizations typed `company`, and their share
    pub organizations_as_company: usize,
    pub organization_confusion: f64,
    /// gold organizations typed `organization`, and their share
    pub organizations_typed: usize,
    pub organization_recall: f64,
    /// what the missed gold companies became: `organization`, `other`... or `none`
    pub missed_as: BTreeMap<String, usize>,
    pub gold_gpus: usize,
    pub gpus_found: usize,
    pub gpu_recall: Option<f64>,
    pub gpu_false_positives: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Sums article results.
pub fn aggregate<'a>(results: impl IntoIterator<Item = &'a ArticleResult>) -> CompanyScores {
    let mut s = CompanyScores::default();
    for r in results {
        s.articles += 1;
        s.gold_companies += r.gold_companies;
        s.extracted += r.extracted;
        s.found += r.found;
        s.predicted += r.predicted;
        s.correct += r.correct;
        s.ambiguous += r.ambiguous;
        s.gold_organizations += r.gold_organizations;
        s.organizations_as_company += r.organizations_as_company;
        s.organizations_typed += r.organizations_typed;
        s.gold_gpus += r.gold_gpus;
        s.gpus_found += r.gpus_found;
        s.gpu_false_positives += r.gpu_false_positives.len();
        for fp in &r.false_positives {
            *match fp.reason {
                FpReason::Organization => &mut s.fp_organization,
                FpReason::Span => &mut s.fp_span,
                FpReason::Other => &mut s.fp_other,
            } += 1;
        }
        for m in &r.missed {
            let kind = m.got.as_deref().and_then(|g| g.split(':').next()).unwrap_or("none");
            *s.missed_as.entry(kind.to_string()).or_default() += 1;
        }
    }
    s.extraction_recall = ratio(s.extracted, s.gold_companies);
    s.recall = ratio(s.found, s.gold_companies);
    s.precision = ratio(s.correct, s.predicted);
    s.f1 = if s.precision + s.recall > 0.0 { 2.0 * s.precision * s.recall / (s.precision + s.recall) } else { 0.0 };
    s.organization_confusion = ratio(s.organizations_as_company, s.gold_organizations);
    s.organization_recall = ratio(s.organizations_typed, s.gold_organizations);
    s.gpu_recall = (s.gold_gpus > 0).then(|| ratio(s.gpus_found, s.gold_gpus));
    s
}

#[derive(Debug, Serialize)]
pub struct CompaniesReport {
    pub gold: String,
    pub shared: String,
    pub all: CompanyScores,
    pub by_lang: BTreeMap<String, CompanyScores>,
    pub ingest_seconds: f64,
    /// each article's matches (filled when asked: `--errors`)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<ArticleResult>,
}

/// Reads the gold `gold_path`, finds its articles under `shared`, runs them through
/// `analyzer` as `vigie ingest` does and scores the companies; `details` keeps each
/// article's matches in the report.
pub fn companies(
    gold_path: &Path,
    shared: &Path,
    analyzer: &dyn Analyzer,
    details: bool,
    observer: &mut dyn Observer,
) -> Result<CompaniesReport> {
    let gold = read_gold(gold_path)?;
    let articles = resolve(gold_path, &gold, shared)?;
    let (docs, seconds) = analyze(&articles, analyzer, observer)?;
    let results: Vec<ArticleResult> = gold.iter().map(|g| score_article(g, docs.get(&g.id).map(|d| d.entities.as_slice()))).collect();
    for r in results.iter().filter(|r| r.not_stored) {
        tracing::warn!(id = r.id, "gold article not stored (rejected?)");
    }
    let mut langs: BTreeMap<String, Vec<&ArticleResult>> = BTreeMap::new();
    for r in &results {
        langs.entry(r.lang.clone()).or_default().push(r);
    }
    Ok(CompaniesReport {
        gold: gold_path.display().to_string(),
        shared: shared.display().to_string(),
        all: aggregate(&results),
        by_lang: langs.into_iter().map(|(l, rs)| (l, aggregate(rs))).collect(),
        ingest_seconds: seconds,
        articles: if details { results } else { Vec::new() },
    })
}

/// The shared data directory: `explicit`, else `../shared/data` from the working
/// directory, else the one beside the checkout that holds `gold` (`data/eval/<set>/`).
pub fn shared_dir(explicit: Option<&Path>, gold: &Path) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return if p.is_dir() { Ok(p.to_path_buf()) } else { Err(Error::Config(format!("{}: not a directory", p.display()))) };
    }
    let cwd = PathBuf::from("../shared/data");
    if cwd.is_dir() {
        return Ok(cwd);
    }
    let beside =
        gold.parent().and_then(|d| d.parent()).and_then(|d| d.parent()).and_then(|d| d.parent()).map(|root| root.join("../shared/data"));
    match beside {
        Some(p) if p.is_dir() => Ok(p),
        _ => Err(Error::Config("../shared/data: not found (the shared data sets live beside the checkout; pass --shared DIR)".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_schemas::EntityId;

    fn ent(kind: EntityType, name: &str, surface: &[&str]) -> Entity {
        Entity {
            id: EntityId(format!("{kind}:{}", vigie_pipeline::entities::slug(name))),
            kind,
            name: name.into(),
            surface: surface.iter().map(|s| s.to_string()).collect(),
            mentions: 1,
            in_title: false,
            wikidata: None,
        }
    }

    fn name(n: &str, surface: &[&str]) -> GoldName {
        GoldName { name: n.into(), surface: surface.iter().map(|s| s.to_string()).collect() }
    }

    fn gold(companies: Vec<GoldName>, organizations: Vec<GoldName>, gpus: &[&str]) -> GoldArticle {
        GoldArticle {
            id: "a".into(),
            lang: "fr".into(),
            file: "f".into(),
            key: "k".into(),
            title: "t".into(),
            companies,
            organizations,
            ambiguous: vec![name("Groupe Wagner", &["Groupe Wagner"])],
            gpus: gpus.iter().map(|s| s.to_string()).collect(),
            note: None,
        }
    }

    #[test]
    fn names_fold_case_accents_legal_forms_and_determiners() {
        assert_eq!(fold_name("L'Oréal SA"), "oreal");
        assert_eq!(fold_name("Chrysler Corp."), "chrysler");
        assert_eq!(fold_name("Chrysler Corporation"), "chrysler");
        assert_eq!(fold_name("Société Générale S.A."), "societe generale");
        assert_eq!(fold_name("NVIDIA’s"), "nvidia");
        assert_eq!(fold_name("The Coca-Cola Company"), "coca cola");
        // a legal word alone stays a name
        assert_eq!(fold_name("Co"), "co");
        assert_eq!(fold_name("AT&T Inc"), "at t");
    }

    #[test]
    fn overlap_needs_whole_words_and_half_the_length() {
        assert!(overlaps("cogeco", "cogeco cable"));
        assert!(overlaps("royal bank", "royal bank of scotland"));
        assert!(!overlaps("bank", "royal bank of scotland"));
        assert!(!overlaps("orange", "orangina"));
        assert!(overlaps("google", "google"));
    }

    #[test]
    fn companies_are_scored_by_type_with_organizations_and_span_errors_told_apart() {
        let g = gold(
            vec![
                name("Royal Bank of Scotland", &["Royal Bank of Scotland", "RBS"]),
                name("Goodyear", &["Goodyear"]),
                name("Titan International", &["Titan"]),
                name("Publicis", &["Publicis"]),
            ],
            vec![name("Banque d'Angleterre", &["Banque d'Angleterre"]), name("Commission européenne", &["Commission européenne"])],
            &["gpu:nvidia-h100", "gpu:amd-mi300x"],
        );
        let pred = vec![
            ent(EntityType::Company, "RBS", &["RBS"]),
            ent(EntityType::Company, "Goodyear Tire", &["Goodyear Tire"]),
            ent(EntityType::Organization, "Titan", &["Titan"]),
            ent(EntityType::Company, "Banque d'Angleterre", &["Banque d’Angleterre"]),
            ent(EntityType::Organization, "Commission européenne", &["Commission europeenne"]),
            ent(EntityType::Organization, "Sénat", &["Sénat"]),
            ent(EntityType::Company, "Lazard", &["Lazard"]),
            ent(EntityType::Company, "Wagner", &["groupe Wagner"]),
            ent(EntityType::Gpu, "H100", &["H100"]),
            ent(EntityType::Gpu, "A100", &["A100"]),
        ];
        let pred: Vec<Entity> = pred
            .into_iter()
            .map(|mut e| {
                if e.kind == EntityType::Gpu {
                    e.id = EntityId(format!("gpu:nvidia-{}", e.name.to_lowercase()));
                }
                e
            })
            .collect();
        let r = score_article(&g, Some(&pred));
        assert_eq!((r.gold_companies, r.found, r.extracted), (4, 1, 3), "{r:#?}");
        assert_eq!((r.predicted, r.correct, r.ambiguous), (4, 1, 1));
        let reasons: Vec<(&str, FpReason)> = r.false_positives.iter().map(|f| (f.surface[0].as_str(), f.reason)).collect();
        assert_eq!(
            reasons,
            [("Goodyear Tire", FpReason::Span), ("Banque d’Angleterre", FpReason::Organization), ("Lazard", FpReason::Other)]
        );
        assert_eq!(
            r.missed,
            [
                Missed { name: "Goodyear".into(), got: Some("company:Goodyear Tire".into()) },
                Missed { name: "Titan International".into(), got: Some("organization:Titan".into()) },
                Missed { name: "Publicis".into(), got: None },
            ]
        );
        assert_eq!((r.organizations_as_company, r.organizations_typed), (1, 1));
        assert_eq!(r.unmatched_organizations, ["Sénat"]);
        assert_eq!(
            (r.gpus_found, r.missed_gpus.clone(), r.gpu_false_positives.clone()),
            (1, vec!["gpu:amd-mi300x".into()], vec!["gpu:nvidia-a100".into()])
        );

        let s = aggregate([&r, &score_article(&g, None)]);
        assert_eq!((s.articles, s.gold_companies, s.found, s.predicted, s.correct), (2, 8, 1, 4, 1));
        assert_eq!((s.recall, s.precision, s.extraction_recall), (0.125, 0.25, 3.0 / 8.0));
        assert_eq!((s.fp_organization, s.fp_span, s.fp_other), (1, 1, 1));
        assert_eq!(s.missed_as, BTreeMap::from([("company".into(), 1), ("organization".into(), 1), ("none".into(), 5)]));
        assert_eq!((s.organization_confusion, s.organization_recall), (0.25, 0.25));
        assert_eq!(s.gpu_recall, Some(0.25));
    }

    #[test]
    fn gold_lines_are_checked_and_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.jsonl");
        let line = r#"{"id":"x","lang":"en","file":"corpus/h.jsonl","key":"huffpost-0","title":"T","companies":[{"name":"Apple","surface":["Apple"]}]}"#;
        std::fs::write(&p, format!("{line}\n\n{line}\n")).unwrap();
        let e = read_gold(&p).unwrap_err().to_string();
        assert!(e.ends_with("g.jsonl:3: duplicate id \"x\""), "{e}");
        std::fs::write(&p, line.replace("\"key\"", "\"kee\"")).unwrap();
        assert!(read_gold(&p).unwrap_err().to_string().contains("g.jsonl:1: unknown field `kee`"));

        // the article is read from the shared corpus and its title start is checked
        let shared = dir.path().join("shared");
        std::fs::create_dir_all(shared.join("corpus")).unwrap();
        std::fs::write(
            shared.join("corpus/huffpost.jsonl"),
            "{\"headline\":\"Apple buys a start-up\",\"short_description\":\"Apple said.\"}\n",
        )
        .unwrap();
        let ok = line.replace("corpus/h.jsonl", "corpus/huffpost.jsonl").replace("\"T\"", "\"Apple buys a start-up\"");
        std::fs::write(&p, &ok).unwrap();
        let g = read_gold(&p).unwrap();
        let a = resolve(&p, &g, &shared).unwrap();
        assert_eq!((a[0].id.as_deref(), a[0].body.as_deref()), (Some("x"), Some("Apple said.")));
        let wrong = ok.replace("Apple buys a start-up", "Apple buys a startup");
        std::fs::write(&p, wrong).unwrap();
        let e = resolve(&p, &read_gold(&p).unwrap(), &shared).unwrap_err().to_string();
        assert!(e.contains("x: corpus/huffpost.jsonl huffpost-0 starts \"Apple buys a start-up\""), "{e}");
        let e = resolve(&p, &g, &dir.path().join("none")).unwrap_err().to_string();
        assert!(e.contains("huffpost.jsonl: not found"), "{e}");
    }
}
