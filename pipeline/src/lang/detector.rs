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
    /// whether the function-word count decides clear prose first (see [`function_words`])
    function_words: bool,
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

/// A clear winner among the allowed languages by the count of their most frequent
/// words ("the", "les", "und", "het"...), with its share of all such words; `None` when
/// the count is small or split. On running prose a count is as sure as the letter
/// statistics and several times cheaper: it decides first, whatlang and lingua then
/// take what it leaves. The words are those no other of the seven languages uses often
/// ("de", "en", "la", "il", "que", "die"... count for nobody).
fn function_words(text: &str, allowed: &[Language]) -> Option<(Language, f64)> {
    let mut counts = [0u32; FUNCTION_WORD_LANGS.len()];
    let mut lower = String::new();
    for w in text.split(|c: char| !c.is_alphabetic()) {
        // the longest listed word has 7 letters (9 bytes with accents)
        if w.is_empty() || w.len() > 9 {
            continue;
        }
        let w = if w.chars().any(char::is_uppercase) {
            lower.clear();
            lower.extend(w.chars().flat_map(char::to_lowercase));
            lower.as_str()
        } else {
            w
        };
        if let Some(i) = function_word(w) {
            counts[i] += 1;
        }
    }
    let mut best: Option<(Language, u32)> = None;
    let mut total = 0u32;
    for (i, &n) in counts.iter().enumerate() {
        let lang = FUNCTION_WORD_LANGS[i];
        if n == 0 || !allowed.contains(&lang) {
            continue;
        }
        total += n;
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((lang, n));
        }
    }
    let (lang, n) = best?;
    let share = f64::from(n) / f64::from(total);
    (n >= FUNCTION_WORDS_MIN && share >= SURE_SHARE).then_some((lang, share))
}

/// The languages of [`function_word`]'s answers, by index.
const FUNCTION_WORD_LANGS: [Language; 7] =
    [Language::English, Language::French, Language::Spanish, Language::German, Language::Italian, Language::Portuguese, Language::Dutch];
/// The fewest function words of the winner for the count to decide (running prose has
/// 15-30 in the fast path's 500 characters).
const FUNCTION_WORDS_MIN: u32 = 8;

/// The language (index into [`FUNCTION_WORD_LANGS`]) of a lowercase word that is frequent
/// in it and rare in the six others.
fn function_word(w: &str) -> Option<usize> {
    Some(match w {
        "the" | "and" | "of" | "to" | "is" | "that" | "with" | "for" | "are" | "have" | "has" | "said" | "this" | "from" | "by"
        | "which" | "were" | "been" | "would" | "its" | "their" | "they" | "not" | "after" | "but" | "about" | "could" => 0,
        "les" | "et" | "est" | "une" | "dans" | "pour" | "sur" | "pas" | "au" | "aux" | "avec" | "cette" | "elle" | "ont" | "sont"
        | "été" | "par" | "plus" | "ses" | "leur" | "selon" | "ils" | "nous" | "être" | "déjà" => 1,
        "el" | "los" | "las" | "y" | "pero" | "más" | "según" | "fue" | "sus" | "muy" | "también" | "hasta" | "porque" => 2,
        "der" | "und" | "ist" | "nicht" | "mit" | "dem" | "von" | "zu" | "sich" | "auf" | "für" | "ein" | "eine" | "einen" | "auch"
        | "im" | "wird" | "werden" | "nach" | "bei" | "sind" | "wurde" | "dass" => 3,
        "della" | "delle" | "degli" | "dei" | "che" | "sono" | "gli" | "nel" | "nella" | "anche" | "questo" | "questa" | "alla"
        | "dalla" | "più" | "stato" | "essere" => 4,
        "os" | "dos" | "não" | "em" | "uma" | "ao" | "pelo" | "pela" | "são" | "foi" | "também" | "já" | "está" | "seu" | "sua"
        | "ainda" => 5,
        "het" | "een" | "van" | "niet" | "zijn" | "voor" | "ook" | "wordt" | "werd" | "naar" | "bij" | "aan" | "deze" | "wel" | "heeft"
        | "worden" => 6,
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
        Ok(LangDetector {
            whatlang: whatlang::Detector::with_allowlist(wl),
            lingua_langs: ll,
            lingua: OnceLock::new(),
            function_words: true,
        })
    }

    /// Turns the function-word fast path off (or on again): `vigie-bench lang` compares
    /// the decisions with and without it.
    pub fn set_function_words(&mut self, on: bool) {
        self.function_words = on;
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
            if self.function_words && head.len() >= WHATLANG_MIN_CHARS {
                if let Some((lang, share)) = function_words(head, &self.lingua_langs) {
                    return LangDecision {
                        lang: Lang::from(lang.iso_code_639_1().to_string()),
                        confidence: share as f32,
                        method: "function-words",
                        sure: true,
                        prose: true,
                        votes: Vec::new(),
                    };
                }
            }
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

    #[test]
    fn function_words_decide_clear_prose_as_the_letter_statistics_do() {
        let mut d = LangDetector::new(&LangConfig::default()).unwrap();
        let texts = [
            ("fr", "Le président américain a présenté mardi un plan de 500 milliards de dollars pour construire des centres de données aux États-Unis. Selon la Maison Blanche, les premiers sites seront au Texas, et plusieurs groupes technologiques ont déjà promis des puces et des capitaux pour ce projet."),
            ("en", "The chipmaker said on Tuesday that demand for its accelerators had outstripped supply for a third quarter, and that it would raise prices for the next generation. Analysts said the company could struggle to meet orders from cloud providers that have been building data centres at a record pace."),
            ("de", "Der Chiphersteller hat am Dienstag mitgeteilt, dass die Nachfrage nach seinen Beschleunigern auch im dritten Quartal größer war als das Angebot. Analysten sind der Meinung, dass das Unternehmen die Bestellungen der Cloud-Anbieter nicht rechtzeitig erfüllen wird."),
            ("es", "El fabricante de chips dijo el martes que la demanda de sus aceleradores superó la oferta por tercer trimestre, y que subirá los precios de la próxima generación. Según los analistas, la empresa tendrá problemas para cumplir con los pedidos de los proveedores de servicios en la nube."),
        ];
        for (lang, text) in texts {
            let fast = d.detect("", text, None);
            assert_eq!((fast.lang.as_str(), fast.method, fast.sure), (lang, "function-words", true), "{text}");
            d.set_function_words(false);
            let slow = d.detect("", text, None);
            d.set_function_words(true);
            assert_eq!(slow.lang.as_str(), lang, "{slow:?}");
            assert_ne!(slow.method, "function-words");
        }
        // a table of figures, a title alone and a text split between two languages are
        // left to the letter statistics
        let table = "Shr 56 cts vs 68 cts Net 8,327,000 vs 9,944,000 Revs 142.5 mln vs 131.1 mln Nine mths Shr 1.73 dlrs vs 1.80 dlrs Net 25.6 mln vs 26.2 mln Revs 421.8 mln vs 390.9 mln";
        assert_ne!(d.detect("", table, None).method, "function-words");
        assert_ne!(d.detect("Nvidia dévoile ses nouvelles puces pour l'IA et les centres de données", "", None).method, "function-words");
        let mixed = "The company said in a statement that it was not aware of the report. Le groupe a indiqué dans un communiqué qu'il n'avait pas été informé de ce rapport et que les discussions avec les autorités sont toujours en cours pour le moment.";
        assert_ne!(d.detect("", mixed, None).method, "function-words");
        // only allowed languages count
        let fr_de = LangDetector::new(&LangConfig { allow: vec!["fr".into(), "de".into()] }).unwrap();
        assert_ne!(fr_de.detect("", texts[1].1, None).method, "function-words");
    }
}
