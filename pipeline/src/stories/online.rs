//! Online story clustering (after Miranda et al. 2018, "Multilingual clustering of
//! streaming news"): each arriving article is compared with the stories that have an
//! article within a few days of its publication date, and joins the best one when the
//! similarity clears a threshold, else starts a new story.
//!
//! Stories are events, not subjects: on a monitoring stream where every article names
//! the same few companies, the next development of a project (a first delivery after a
//! capacity announcement) is a new story, while a rewrite of one development joins it.
//! So entity overlap is only weak evidence, and what tells events apart weighs against
//! it. The score of an article against a story is
//!
//! - the cosine of language-centred embeddings (see [`super::vector`]),
//! - plus a weight times the entity overlap: the IDF-weighted Jaccard of entity ids
//!   (language-independent knowledge-base ids, so a French and an English article about
//!   the same people meet), scaled by how rare the shared entities are in the stream, so
//!   that the entities every article names count for little,
//! - plus a weight times the Jaccard of the title's event words (title terms that are not
//!   part of an entity's name: "raises dividend" against "3rd qtr net"),
//! - plus a weight times the figure agreement in [-1, 1] (see [`super::figures`]):
//!   reports of one development repeat its amounts, other developments carry others
//!   (disagreement counts only against a story with an article in the same language: a
//!   translation writes times and units its own way),
//! - minus a weight times the days between the article and the story's articles,
//! - minus a weight when both titles carry numbers (quarters, years, amounts) and none is
//!   shared ("4th qtr" against "1st qtr").
//!
//! Copies (`dup_of`) always join their original's story.

use super::figures::figures;
use super::terms::content_words;
use super::vector::{add_to, dot, LangMeans};
use std::collections::{BTreeMap, HashMap, HashSet};
use vigie_schemas::DocId;

#[derive(Debug, Clone)]
pub struct StoryConfig {
    /// Stories with an article within this many days of the article are candidates.
    pub window_days: i64,
    /// Score an article needs to join a story.
    pub threshold: f32,
    pub entity_weight: f32,
    /// Weight of the title's event words.
    pub term_weight: f32,
    /// Weight of the figure agreement (in [-1, 1]).
    pub figure_weight: f32,
    /// Subtracted per day between the article and the nearest article of the story.
    pub gap_weight: f32,
    /// Subtracted when both titles carry numbers and share none.
    pub number_weight: f32,
    /// Articles' worth of weight of the prior language means.
    pub prior_weight: f32,
}

impl Default for StoryConfig {
    /// Set on the tune half of the story hard negatives and the WMT14 FR/EN dev pairs
    /// (`vigie eval clusters`); see the README.
    fn default() -> Self {
        StoryConfig {
            window_days: 3,
            threshold: 0.64,
            entity_weight: 0.3,
            term_weight: 0.3,
            figure_weight: 0.3,
            gap_weight: 0.3,
            number_weight: 0.3,
            prior_weight: 32.0,
        }
    }
}

/// What story clustering needs of an article.
#[derive(Debug, Clone)]
pub struct StoryInput<'a> {
    pub id: &'a DocId,
    /// publication time, else ingestion time (unix seconds)
    pub when: i64,
    pub lang: &'a str,
    pub embedding: Option<&'a [f32]>,
    /// entity ids
    pub entities: Vec<&'a str>,
    /// the title's terms ([`super::title_terms`])
    pub terms: &'a [String],
    /// the body, read for its figures ("" when not at hand: a story rebuilt from the
    /// index then weighs no figures for the articles it had)
    pub body: &'a str,
    pub dup_of: Option<&'a DocId>,
    /// the story it already has (rebuilding the state from the index)
    pub story: Option<&'a str>,
}

const PRIOR_MEANS: &str = include_str!("../../../data/models/stories/lang-means.json");

/// The committed mean embedding of each language (see `data/models/stories/README.md`).
pub fn default_prior() -> BTreeMap<String, Vec<f32>> {
    #[derive(serde::Deserialize)]
    struct File {
        means: BTreeMap<String, Vec<f32>>,
    }
    serde_json::from_str::<File>(PRIOR_MEANS).expect("the committed lang-means.json parses").means
}

/// At most this many entity ids and title terms are kept per story.
const MAX_KEYS: usize = 64;
/// At most this many figures are kept per story.
const MAX_STORY_FIGURES: usize = 128;

#[derive(Debug, Clone)]
pub struct Story {
    pub id: String,
    /// sum of the members' (unit) embeddings
    sum: Vec<f32>,
    /// members per language index
    langs: Vec<(u16, u32)>,
    /// originals with an embedding
    pub size: u32,
    pub first: i64,
    pub last: i64,
    entities: Vec<u32>,
    /// the title event words of its articles
    terms: Vec<u32>,
    /// those holding a digit
    numbers: Vec<u32>,
    /// the figures of its articles whose body was at hand
    figures: Vec<u32>,
    /// whether an article with its body joined (else its figures are unknown)
    figures_known: bool,
    /// centred unit centroid with the language means of its last refresh
    cached: Vec<f32>,
}

/// The keys of an article, interned.
struct Keys {
    entities: Vec<u32>,
    /// title event words
    terms: Vec<u32>,
    /// those of the event words that hold a digit ("4th", "1987", "500bn")
    numbers: Vec<u32>,
    figures: Vec<u32>,
    has_body: bool,
    lang: u16,
}

/// Interned strings with document frequencies.
#[derive(Debug, Clone, Default)]
struct Vocab {
    ids: HashMap<String, u32>,
    df: Vec<u32>,
}

impl Vocab {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.df.len() as u32;
        self.ids.insert(s.to_string(), i);
        self.df.push(0);
        i
    }
    /// Sorted distinct ids of `items`, counting each once in the document frequencies.
    fn doc<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) -> Vec<u32> {
        let mut v: Vec<u32> = items.into_iter().map(|s| self.intern(s)).collect();
        v.sort_unstable();
        v.dedup();
        for &i in &v {
            self.df[i as usize] += 1;
        }
        v
    }
}

/// The story state: every story with its centroid, time span and keys.
pub struct Stories {
    cfg: StoryConfig,
    stories: Vec<Story>,
    by_id: HashMap<String, u32>,
    doc_story: HashMap<DocId, u32>,
    /// day -> stories with an article that day
    days: BTreeMap<i64, Vec<u32>>,
    means: LangMeans,
    lang_ids: Vec<String>,
    entities: Vocab,
    terms: Vocab,
    figures: Vocab,
    /// originals with an embedding seen
    docs: u64,
    /// cached centroids older than this document count are recomputed
    refresh_at: u64,
    stamp: Vec<u32>,
    tick: u32,
}

/// The summed weight of the keys two sorted lists share, and of their union.
fn weighted_overlap(a: &[u32], b: &[u32], w: impl Fn(u32) -> f32) -> (f32, f32) {
    let (mut i, mut j) = (0, 0);
    let (mut inter, mut union) = (0.0, 0.0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i] < b[j]) {
            union += w(a[i]);
            i += 1;
        } else if i == a.len() || b[j] < a[i] {
            union += w(b[j]);
            j += 1;
        } else {
            inter += w(a[i]);
            union += w(a[i]);
            i += 1;
            j += 1;
        }
    }
    (inter, union)
}

/// How many keys two sorted lists share.
fn count_shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Whether an article's figures are those of a story, in [-1, 1]: the share of the
/// article's figures (or the story's, when it has fewer) found in the story maps 0 to
/// -1, a quarter to 0 and a half or more to +1; with fewer than 4 figures on the smaller
/// side the evidence is scaled down, and with none it is 0.
fn figure_agreement(article: &[u32], story: &[u32]) -> f32 {
    let m = article.len().min(story.len());
    if m == 0 {
        return 0.0;
    }
    let overlap = count_shared(article, story) as f32 / m as f32;
    let confidence = (m as f32 / 4.0).min(1.0);
    confidence * (4.0 * overlap - 1.0).clamp(-1.0, 1.0)
}

fn merge_keys(into: &mut Vec<u32>, add: &[u32], max: usize) {
    for &k in add {
        if into.len() >= max {
            break;
        }
        if let Err(pos) = into.binary_search(&k) {
            into.insert(pos, k);
        }
    }
}

/// A stable story id from the id of its first article.
pub fn story_id_for(first: &DocId) -> String {
    format!("s{:012x}", xxhash_rust::xxh3::xxh3_64(first.as_str().as_bytes()) >> 16)
}

fn day_of(t: i64) -> i64 {
    t.div_euclid(86_400)
}

impl Stories {
    pub fn new(cfg: StoryConfig, prior: BTreeMap<String, Vec<f32>>) -> Self {
        let means = LangMeans::new(prior, cfg.prior_weight);
        Stories {
            cfg,
            stories: Vec::new(),
            by_id: HashMap::new(),
            doc_story: HashMap::new(),
            days: BTreeMap::new(),
            means,
            lang_ids: Vec::new(),
            entities: Vocab::default(),
            terms: Vocab::default(),
            figures: Vocab::default(),
            docs: 0,
            refresh_at: 64,
            stamp: Vec::new(),
            tick: 0,
        }
    }

    /// Default configuration and the committed language means.
    pub fn with_defaults() -> Self {
        Self::new(StoryConfig::default(), default_prior())
    }

    pub fn len(&self) -> usize {
        self.stories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stories.is_empty()
    }

    pub fn stories(&self) -> &[Story] {
        &self.stories
    }

    /// The story of a stored or assigned article.
    pub fn story_of(&self, id: &DocId) -> Option<&str> {
        self.doc_story.get(id).map(|&s| self.stories[s as usize].id.as_str())
    }

    fn lang_id(&mut self, lang: &str) -> u16 {
        match self.lang_ids.iter().position(|l| l == lang) {
            Some(i) => i as u16,
            None => {
                self.lang_ids.push(lang.to_string());
                (self.lang_ids.len() - 1) as u16
            }
        }
    }

    /// The centred, L2-normalized centroid of a story with the current language means.
    pub fn centred_centroid(&self, s: &Story) -> Vec<f32> {
        let mut c = s.sum.clone();
        for &(l, n) in &s.langs {
            let m = self.means.mean(&self.lang_ids[l as usize], c.len());
            add_to(&mut c, &m, -(n as f32));
        }
        super::vector::normalized(c)
    }

    fn refresh(&mut self, s: u32) {
        let c = self.centred_centroid(&self.stories[s as usize]);
        self.stories[s as usize].cached = c;
    }

    /// Interns the keys of an article (counting each once in the document frequencies):
    /// its entities, the title terms that are not words of its entities' names, the
    /// figures of its body.
    fn keys(&mut self, a: &StoryInput<'_>) -> Keys {
        let entities = self.entities.doc(a.entities.iter().copied());
        let name_words: HashSet<String> =
            a.entities.iter().flat_map(|e| content_words(&e.split_once(':').map_or(*e, |(_, name)| name).replace('-', " "))).collect();
        let events: Vec<&str> = a.terms.iter().map(String::as_str).filter(|t| !name_words.contains(*t)).collect();
        let terms = self.terms.doc(events.iter().copied());
        let mut numbers: Vec<u32> =
            events.iter().filter(|t| t.chars().any(|c| c.is_ascii_digit())).filter_map(|t| self.terms.ids.get(*t).copied()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let has_body = !a.body.trim().is_empty();
        let figures = if has_body { self.figures.doc(figures(a.body).iter().map(String::as_str)) } else { Vec::new() };
        let lang = self.lang_id(a.lang);
        Keys { entities, terms, numbers, figures, has_body, lang }
    }

    /// Assigns an article to a story (joining or founding one) and returns its id.
    pub fn assign(&mut self, a: &StoryInput<'_>) -> String {
        // copies join their original's story (stored: the story they have) and never
        // move its centroid, whatever the order the state is rebuilt in
        if let Some(o) = a.dup_of {
            let s = match (self.doc_story.get(o).copied(), a.story) {
                (Some(s), _) => Some(s),
                (None, Some(id)) => Some(self.by_id.get(id).copied().unwrap_or_else(|| self.found(id.to_string(), a.when))),
                (None, None) => None,
            };
            if let Some(s) = s {
                self.note_day(s, a.when);
                self.doc_story.insert(a.id.clone(), s);
                return self.stories[s as usize].id.clone();
            }
        }
        // a stored article keeps its story
        if let Some(id) = a.story {
            let s = match self.by_id.get(id) {
                Some(&s) => s,
                None => self.found(id.to_string(), a.when),
            };
            self.join(s, a);
            return id.to_string();
        }
        let Some(e) = a.embedding else {
            let s = self.found(story_id_for(a.id), a.when);
            self.join(s, a);
            return self.stories[s as usize].id.clone();
        };
        // keys first: they are interned (and counted) once per article
        let keys = self.keys(a);
        let c = self.means.center(a.lang, e);
        let best = self.best_story(a.when, &c, &keys);
        let s = match best {
            Some(s) => s,
            None => self.found(story_id_for(a.id), a.when),
        };
        self.join_keys(s, a, e, &keys);
        self.stories[s as usize].id.clone()
    }

    /// The score of an article (centred embedding `c`, `keys`, time `when`) against a
    /// story, or `None` when it cannot reach the threshold.
    fn score(&self, st: &Story, when: i64, c: &[f32], k: &Keys) -> Option<f32> {
        let cfg = &self.cfg;
        if st.cached.is_empty() {
            return None;
        }
        let cos = dot(c, &st.cached);
        let gap = (st.first - when).max(when - st.last).max(0) as f32 / 86_400.0;
        let penalty = cfg.gap_weight * gap;
        if cos + cfg.entity_weight + cfg.term_weight + cfg.figure_weight - penalty < cfg.threshold {
            return None;
        }
        // entities: IDF-weighted Jaccard times the mean rarity of the shared ones (an
        // entity in every article of the stream has a rarity near 0)
        let n = self.docs.max(1) as f32;
        let idf = |i: u32| (1.0 + n / self.entities.df[i as usize].max(1) as f32).ln();
        let (shared, union) = weighted_overlap(&k.entities, &st.entities, idf);
        let common = count_shared(&k.entities, &st.entities);
        let entity = if union > 0.0 && common > 0 { (shared / union) * (shared / common as f32 / (1.0 + n).ln()).min(1.0) } else { 0.0 };
        let (t_shared, t_union) = weighted_overlap(&k.terms, &st.terms, |_| 1.0);
        let terms = if t_union > 0.0 { t_shared / t_union } else { 0.0 };
        let figures = if k.has_body && st.figures_known {
            let f = figure_agreement(&k.figures, &st.figures);
            // a translation writes figures its own way ("21h30" / "9.30pm", km / miles):
            // against a story with no article in the article's language only agreement counts
            if f < 0.0 && !st.langs.iter().any(|&(l, _)| l == k.lang) {
                0.0
            } else {
                f
            }
        } else {
            0.0
        };
        let numbers_differ = !k.numbers.is_empty() && !st.numbers.is_empty() && count_shared(&k.numbers, &st.numbers) == 0;
        Some(
            cos + cfg.entity_weight * entity + cfg.term_weight * terms + cfg.figure_weight * figures
                - penalty
                - if numbers_differ { cfg.number_weight } else { 0.0 },
        )
    }

    fn best_story(&mut self, when: i64, c: &[f32], keys: &Keys) -> Option<u32> {
        if self.docs >= self.refresh_at {
            // the language means have moved since early centroids were cached
            for s in 0..self.stories.len() as u32 {
                self.refresh(s);
            }
            self.refresh_at = self.docs * 2;
        }
        self.tick = self.tick.wrapping_add(1);
        if self.stamp.len() < self.stories.len() {
            self.stamp.resize(self.stories.len(), 0);
        }
        let d = day_of(when);
        let w = self.cfg.window_days;
        let mut best: Option<(f32, u32)> = None;
        for (_, list) in self.days.range(d - w..=d + w) {
            for &s in list {
                if self.stamp[s as usize] == self.tick {
                    continue;
                }
                self.stamp[s as usize] = self.tick;
                let Some(score) = self.score(&self.stories[s as usize], when, c, keys) else { continue };
                if score >= self.cfg.threshold && best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, s));
                }
            }
        }
        best.map(|(_, s)| s)
    }

    fn found(&mut self, id: String, when: i64) -> u32 {
        let s = self.stories.len() as u32;
        self.by_id.insert(id.clone(), s);
        self.stories.push(Story {
            id,
            sum: Vec::new(),
            langs: Vec::new(),
            size: 0,
            first: when,
            last: when,
            entities: Vec::new(),
            terms: Vec::new(),
            numbers: Vec::new(),
            figures: Vec::new(),
            figures_known: false,
            cached: Vec::new(),
        });
        s
    }

    fn join(&mut self, s: u32, a: &StoryInput<'_>) {
        let keys = self.keys(a);
        match a.embedding {
            Some(e) => self.join_keys(s, a, e, &keys),
            None => {
                self.note_day(s, a.when);
                self.doc_story.insert(a.id.clone(), s);
            }
        }
    }

    fn note_day(&mut self, s: u32, when: i64) {
        let st = &mut self.stories[s as usize];
        st.first = st.first.min(when);
        st.last = st.last.max(when);
        let list = self.days.entry(day_of(when)).or_default();
        if !list.contains(&s) {
            list.push(s);
        }
    }

    fn join_keys(&mut self, s: u32, a: &StoryInput<'_>, e: &[f32], k: &Keys) {
        self.means.add(a.lang, e);
        self.docs += 1;
        let l = self.lang_id(a.lang);
        let st = &mut self.stories[s as usize];
        if st.sum.is_empty() {
            st.sum = vec![0.0; e.len()];
        }
        add_to(&mut st.sum, e, 1.0);
        match st.langs.iter_mut().find(|(x, _)| *x == l) {
            Some((_, n)) => *n += 1,
            None => st.langs.push((l, 1)),
        }
        st.size += 1;
        merge_keys(&mut st.entities, &k.entities, MAX_KEYS);
        merge_keys(&mut st.terms, &k.terms, MAX_KEYS);
        merge_keys(&mut st.numbers, &k.numbers, MAX_KEYS);
        merge_keys(&mut st.figures, &k.figures, MAX_STORY_FIGURES);
        st.figures_known |= k.has_body;
        self.note_day(s, a.when);
        self.doc_story.insert(a.id.clone(), s);
        self.refresh(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        super::super::vector::normalized(v.to_vec())
    }

    struct Doc {
        id: DocId,
        when: i64,
        lang: &'static str,
        emb: Vec<f32>,
        ents: Vec<&'static str>,
        dup_of: Option<DocId>,
    }

    fn doc(id: &str, day: i64, lang: &'static str, emb: &[f32], ents: &[&'static str]) -> Doc {
        Doc { id: DocId(id.into()), when: day * 86_400, lang, emb: unit(emb), ents: ents.to_vec(), dup_of: None }
    }

    fn assign(st: &mut Stories, d: &Doc) -> String {
        st.assign(&StoryInput {
            id: &d.id,
            when: d.when,
            lang: d.lang,
            embedding: Some(&d.emb),
            entities: d.ents.clone(),
            terms: &[],
            body: "",
            dup_of: d.dup_of.as_ref(),
            story: None,
        })
    }

    /// No prior: the means come from the documents alone.
    fn stories() -> Stories {
        Stories::new(StoryConfig { prior_weight: 0.0, ..Default::default() }, BTreeMap::new())
    }

    #[test]
    fn same_subject_joins_other_subject_founds_far_dates_split() {
        let mut st = stories();
        // background documents so that the language means are meaningful
        for (i, v) in [[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, -1.0]].iter().enumerate() {
            assign(&mut st, &doc(&format!("bg{i}"), 0, "en", v, &[]));
        }
        let a = assign(&mut st, &doc("a", 10, "en", &[1.0, 0.1, 0.0, 0.0], &["company:nvidia"]));
        let b = assign(&mut st, &doc("b", 11, "en", &[1.0, 0.0, 0.1, 0.0], &["company:nvidia"]));
        let c = assign(&mut st, &doc("c", 11, "en", &[0.0, 1.0, 0.0, 0.1], &["person:x"]));
        // same subject, but a month later: outside the window
        let d = assign(&mut st, &doc("d", 40, "en", &[1.0, 0.1, 0.0, 0.0], &["company:nvidia"]));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_eq!(st.story_of(&DocId("b".into())), Some(a.as_str()));
        // a copy joins its original's story whatever its embedding
        let mut copy = doc("e", 90, "en", &[0.0, 1.0, 0.0, 0.0], &[]);
        copy.dup_of = Some(DocId("a".into()));
        assert_eq!(assign(&mut st, &copy), a);
        // story ids come from the founding article
        assert_eq!(a, story_id_for(&DocId("a".into())));
    }

    /// Figures: a report of the same development repeats its figures and joins; one
    /// with other figures in the story's language is another development; a translation
    /// writes its figures its own way ("21h30" for "9.30pm"), so theirs do not count
    /// against it.
    #[test]
    fn other_figures_split_in_one_language_but_not_across_languages() {
        let mut st = Stories::new(StoryConfig { prior_weight: 0.0, figure_weight: 0.5, ..Default::default() }, BTreeMap::new());
        for (i, v) in [[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, -1.0]].iter().enumerate() {
            for lang in ["en", "fr"] {
                assign(&mut st, &doc(&format!("bg{i}{lang}"), 0, lang, v, &[]));
            }
        }
        let emb = unit(&[1.0, 0.1, 0.0, 0.0]);
        let mut with_body = |id: &str, lang: &str, body: &str| {
            st.assign(&StoryInput {
                id: &DocId(id.into()),
                when: 10 * 86_400,
                lang,
                embedding: Some(&emb),
                entities: vec![],
                terms: &[],
                body,
                dup_of: None,
                story: None,
            })
        };
        let a = with_body("a", "en", "Net profit 3,149,000 dlrs vs 2,433,000, revenues 225.4 mln vs 198.7 mln, at 9.30pm.");
        let rewrite = with_body("b", "en", "It earned 3,149,000 dlrs against 2,433,000 on revenues of 225.4 mln.");
        let translation = with_body("d", "fr", "Rendez-vous à 21h30 pour 14 500 personnes, 12,75 euros, 310 sites.");
        let other = with_body("c", "en", "Quarterly dividend 17-1/4 cts, payable to 45,000 holders of 12.5 mln shares, 88.5 pct.");
        assert_eq!(rewrite, a);
        assert_ne!(other, a);
        assert_eq!(translation, a);
    }

    #[test]
    fn rebuilding_from_stored_story_ids_gives_the_same_state() {
        let mut st = stories();
        let docs: Vec<Doc> =
            (0..6).map(|i| doc(&format!("d{i}"), 0, "fr", &[(i % 2) as f32, 1.0 - (i % 2) as f32, 0.1 * i as f32], &[])).collect();
        let ids: Vec<String> = docs.iter().map(|d| assign(&mut st, d)).collect();
        let mut again = stories();
        for (d, s) in docs.iter().zip(&ids) {
            let got = again.assign(&StoryInput {
                id: &d.id,
                when: d.when,
                lang: d.lang,
                embedding: Some(&d.emb),
                entities: vec![],
                terms: &[],
                body: "",
                dup_of: None,
                story: Some(s),
            });
            assert_eq!(&got, s);
        }
        assert_eq!(again.len(), st.len());
    }
}
