//! The two-opinion detector.

use crate::normalize::first_chars;
use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use std::sync::OnceLock;
use vigie_schemas::Lang;

/// The languages vigie will answer with (ISO 639-1 codes).
#[derive(Debug, Clone)]
pub struct LangConfig {
    pub allow: Vec<String>,
}

impl Default for LangConfig {
    fn default() -> Self {
        LangConfig { allow: ["fr", "en", "es", "de", "it", "pt", "nl"].map(String::from).to_vec() }
    }
}

/// The decided language, its confidence and which opinion decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct LangDecision {
    pub lang: Lang,
    pub confidence: f32,
    pub method: &'static str,
    /// Whether the decision is safe to learn from (prose, one clear winner).
    pub sure: bool,
    /// Whether the text is running prose (not a table of figures).
    pub prose: bool,
    /// The summed votes per language, best first (empty on the fast path).
    pub votes: Vec<(Language, f64)>,
}

impl LangDecision {
    /// No decision (nothing was detected).
    pub fn undetermined() -> Self {
        Self::und(0.0, "none", Vec::new())
    }

    fn und(confidence: f32, method: &'static str, votes: Vec<(Language, f64)>) -> Self {
        LangDecision { lang: Lang::und(), confidence, method, sure: false, prose: false, votes }
    }

    /// Decides again with one more vote (the source's usual language).
    pub fn with_vote(&self, lang: Language, weight: f64, method: &'static str) -> LangDecision {
        let mut votes = self.votes.clone();
        match votes.iter_mut().find(|(l, _)| *l == lang) {
            Some((_, v)) => *v += weight,
            None => votes.push((lang, weight)),
        }
        let mut d = decide(votes, method, false);
        d.prose = self.prose;
        d
    }
}

/// Picks the winner of summed votes; `und` below [`MIN_SHARE`].
fn decide(mut votes: Vec<(Language, f64)>, method: &'static str, prose: bool) -> LangDecision {
    // lingua's sums come out in a different order from one detector to the next (its
    // tables are hash maps), so their last bits vary: rounded, every run and every
    // `vigie enrich` line carries the same votes
    for v in &mut votes {
        v.1 = (v.1 * 1e6).round() / 1e6;
    }
    votes.retain(|v| v.1 > 0.0);
    votes.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.iso_code_639_1().to_string().cmp(&b.0.iso_code_639_1().to_string())));
    let total: f64 = votes.iter().map(|(_, v)| v).sum();
    let Some(&(top, v)) = votes.first() else { return LangDecision::und(0.0, method, votes) };
    let share = if total > 0.0 { v / total } else { 0.0 };
    if share < MIN_SHARE {
        let mut d = LangDecision::und(share as f32, method, votes);
        d.prose = prose;
        return d;
    }
    LangDecision {
        lang: Lang::from(top.iso_code_639_1().to_string()),
        confidence: share as f32,
        method,
        sure: prose && share >= SURE_SHARE,
        prose,
        votes,
    }
}

/// Whether a text is running prose rather than a table of figures ("Shr 56 cts vs 68
/// cts Net 8,327,000"), on which letter statistics say little.
fn is_prose(text: &str) -> bool {
    let (mut words, mut numeric) = (0usize, 0usize);
    for w in text.split_whitespace() {
        words += 1;
        if w.chars().any(|c| c.is_ascii_digit()) {
            numeric += 1;
        }
    }
    words >= 3 && numeric * 100 <= words * MAX_NUMERIC_PERCENT
}

/// Shared by all worker threads (lingua loads its models lazily, once).
pub struct LangDetector {
    whatlang: whatlang::Detector,
    lingua_langs: Vec<Language>,
    lingua: OnceLock<LanguageDetector>,
}

/// whatlang's answer is taken as is at or above this confidence...
const WHATLANG_SURE: f64 = 0.9;
/// ...on texts at least this long (titles and short texts always get the second opinion).
const WHATLANG_MIN_CHARS: usize = 250;
/// Otherwise lingua's confidence values are summed with whatlang's vote, weighted by
/// whether whatlang itself calls its answer reliable...
const WHATLANG_VOTE_RELIABLE: f64 = 0.7;
const WHATLANG_VOTE_UNRELIABLE: f64 = 0.3;
/// ...and with the input's own `lang`, a hint worth this much.
const HINT_VOTE: f64 = 0.3;
/// The winner's share of the summed votes below which the answer is `und` (a uniform
/// guess over 7 languages is 0.14).
const MIN_SHARE: f64 = 0.2;
/// A decision on prose with at least this share is "sure" (see [`LangDecision::sure`]).
const SURE_SHARE: f64 = 0.9;
/// Texts with more tokens holding digits than this percentage are tables, not prose.
const MAX_NUMERIC_PERCENT: usize = 25;
/// Only this much of an article is looked at: the title and lead decide.
const SAMPLE_CHARS: usize = 1500;
/// The fast path looks at this much of the sample first...
const FAST_SAMPLE_CHARS: usize = 500;
/// ...and the second opinion at most this much (its cost grows with the text).
const SECOND_OPINION_CHARS: usize = 400;

fn to_whatlang(code: &str) -> Option<whatlang::Lang> {
    Some(match code {
        "fr" => whatlang::Lang::Fra,
        "en" => whatlang::Lang::Eng,
        "es" => whatlang::Lang::Spa,
        "de" => whatlang::Lang::Deu,
        "it" => whatlang::Lang::Ita,
        "pt" => whatlang::Lang::Por,
        "nl" => whatlang::Lang::Nld,
        _ => return None,
    })
}

fn from_whatlang(l: whatlang::Lang) -> &'static str {
    match l {
        whatlang::Lang::Fra => "fr",
        whatlang::Lang::Eng => "en",
        whatlang::Lang::Spa => "es",
        whatlang::Lang::Deu => "de",
        whatlang::Lang::Ita => "it",
        whatlang::Lang::Por => "pt",
        whatlang::Lang::Nld => "nl",
        _ => "und",
    }
}

pub(crate) fn to_lingua(code: &str) -> Option<Language> {
    Some(match code {
        "fr" => Language::French,
        "en" => Language::English,
        "es" => Language::Spanish,
        "de" => Language::German,
        "it" => Language::Italian,
        "pt" => Language::Portuguese,
        "nl" => Language::Dutch,
        _ => return None,
    })
}

impl LangDetector {
    /// A detector over `cfg.allow`; an unsupported language, or fewer than two, is an
    /// [`crate::Error::Config`] naming the setting.
    pub fn new(cfg: &LangConfig) -> crate::Result<Self> {
        let mut wl = Vec::new();
        let mut ll = Vec::new();
        for code in &cfg.allow {
            match (to_whatlang(code), to_lingua(code)) {
                (Some(w), Some(l)) => {
                    wl.push(w);
                    ll.push(l);
                }
                _ => return Err(crate::Error::Config(format!("lang.allow: unsupported language {code:?} (fr, en, es, de, it, pt, nl)"))),
            }
        }
        if ll.len() < 2 {
            return Err(crate::Error::Config("lang.allow: at least two languages are needed".into()));
        }
        Ok(LangDetector { whatlang: whatlang::Detector::with_allowlist(wl), lingua_langs: ll, lingua: OnceLock::new() })
    }

    /// lingua's models, loaded on first use, all at once: lingua loads a model lazily
    /// without a lock, so two workers asking for it at once each loaded it (about 150
    /// ms of CPU each); here the first caller loads them and the others wait.
    fn lingua(&self) -> &LanguageDetector {
        self.lingua.get_or_init(|| LanguageDetectorBuilder::from_languages(&self.lingua_langs).with_preloaded_language_models().build())
    }

    /// Loads lingua's models now: the runner calls it on a thread of its own while the
    /// reader and the workers start, which only wait for them at their first text that
    /// needs the second opinion.
    pub fn warm(&self) {
        self.lingua();
    }

    /// Decides the language of an article from its title and the start of its body.
    pub fn detect(&self, title: &str, body: &str, hint: Option<&str>) -> LangDecision {
        let mut sample = String::with_capacity(SAMPLE_CHARS + title.len() + 2);
        if !title.is_empty() {
            sample.push_str(title);
            sample.push_str(".\n");
        }
        sample.push_str(first_chars(body, SAMPLE_CHARS));
        self.detect_text(&sample, hint)
    }

    pub fn detect_text(&self, text: &str, hint: Option<&str>) -> LangDecision {
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 {
            return LangDecision::und(0.0, "too-short", Vec::new());
        }
        // (`prose` is false on the `und` above: nothing to learn from, any source may vote)
        let prose = is_prose(text);
        let second = first_chars(text, SECOND_OPINION_CHARS);
        // whatlang's answer on the fast path's sample, when that sample is also the
        // second opinion's text (a text of at most SECOND_OPINION_CHARS): not asked twice
        let mut asked: Option<Option<whatlang::Info>> = None;
        if prose && text.len() >= WHATLANG_MIN_CHARS {
            let head = first_chars(text, FAST_SAMPLE_CHARS);
            let info = self.whatlang.detect(head);
            if let Some(info) = &info {
                if head.len() >= WHATLANG_MIN_CHARS && info.is_reliable() && info.confidence() >= WHATLANG_SURE {
                    return LangDecision {
                        lang: Lang::from(from_whatlang(info.lang())),
                        confidence: info.confidence() as f32,
                        method: "whatlang",
                        sure: true,
                        prose: true,
                        votes: Vec::new(),
                    };
                }
            }
            if head.len() == second.len() {
                asked = Some(info);
            }
        }
        let text = second;
        let wl = asked.unwrap_or_else(|| self.whatlang.detect(text));
        let mut votes: Vec<(Language, f64)> = self.lingua().compute_language_confidence_values(text);
        let mut add = |l: Language, v: f64| match votes.iter_mut().find(|(x, _)| *x == l) {
            Some((_, c)) => *c += v,
            None => votes.push((l, v)),
        };
        let mut method = "lingua";
        if let Some(info) = &wl {
            if let Some(l) = to_lingua(from_whatlang(info.lang())) {
                let w = if info.is_reliable() { WHATLANG_VOTE_RELIABLE } else { WHATLANG_VOTE_UNRELIABLE };
                add(l, w * info.confidence());
                method = "lingua+whatlang";
            }
        }
        if let Some(l) = hint.and_then(to_lingua).filter(|l| self.lingua_langs.contains(l)) {
            add(l, HINT_VOTE);
            method = "lingua+whatlang+hint";
        }
        decide(votes, method, prose)
    }

    /// The lingua language of an allowed ISO 639-1 code.
    pub fn language(&self, code: &str) -> Option<Language> {
        to_lingua(code).filter(|l| self.lingua_langs.contains(l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_french_and_english_titles_and_uses_the_hint_on_ties() {
        let d = LangDetector::new(&LangConfig::default()).unwrap();
        assert_eq!(d.detect("Nvidia dévoile ses nouvelles puces pour l'IA", "", None).lang.as_str(), "fr");
        assert_eq!(d.detect("OpenAI unveils its new reasoning model", "", None).lang.as_str(), "en");
        assert_eq!(d.detect("", "1234 !!!", None).lang.as_str(), "und");
        assert!(LangDetector::new(&LangConfig { allow: vec!["fr".into(), "xx".into()] }).is_err());
    }
}
