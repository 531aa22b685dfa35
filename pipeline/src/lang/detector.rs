//! The two-opinion detector.

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
}

/// Shared by all worker threads (lingua loads its models lazily, once).
pub struct LangDetector {
    whatlang: whatlang::Detector,
    lingua_langs: Vec<Language>,
    lingua: OnceLock<LanguageDetector>,
}

/// whatlang's answer is taken as is at or above this confidence...
const WHATLANG_SURE: f64 = 0.9;
/// ...on texts at least this long (short texts always get the second opinion).
const WHATLANG_MIN_CHARS: usize = 120;
/// lingua's answer below this confidence is `und`.
const LINGUA_MIN: f64 = 0.35;
/// The input's `lang` wins when lingua gives it at least this share of the top score.
const HINT_SHARE: f64 = 0.5;
/// Only this much of an article is looked at: the title and lead decide.
const SAMPLE_CHARS: usize = 1500;

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

fn to_lingua(code: &str) -> Option<Language> {
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
    pub fn new(cfg: &LangConfig) -> Result<Self, String> {
        let mut wl = Vec::new();
        let mut ll = Vec::new();
        for code in &cfg.allow {
            match (to_whatlang(code), to_lingua(code)) {
                (Some(w), Some(l)) => {
                    wl.push(w);
                    ll.push(l);
                }
                _ => return Err(format!("lang.allow: unsupported language {code:?} (fr, en, es, de, it, pt, nl)")),
            }
        }
        if ll.len() < 2 {
            return Err("lang.allow: at least two languages are needed".into());
        }
        Ok(LangDetector { whatlang: whatlang::Detector::with_allowlist(wl), lingua_langs: ll, lingua: OnceLock::new() })
    }

    fn lingua(&self) -> &LanguageDetector {
        self.lingua.get_or_init(|| LanguageDetectorBuilder::from_languages(&self.lingua_langs).build())
    }

    /// Decides the language of an article from its title and the start of its body.
    pub fn detect(&self, title: &str, body: &str, hint: Option<&str>) -> LangDecision {
        let mut sample = String::with_capacity(SAMPLE_CHARS + title.len() + 2);
        if !title.is_empty() {
            sample.push_str(title);
            sample.push_str(".\n");
        }
        sample.extend(body.chars().take(SAMPLE_CHARS));
        self.detect_text(&sample, hint)
    }

    pub fn detect_text(&self, text: &str, hint: Option<&str>) -> LangDecision {
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 {
            return LangDecision { lang: Lang::und(), confidence: 0.0, method: "too-short" };
        }
        if let Some(info) = self.whatlang.detect(text) {
            if text.len() >= WHATLANG_MIN_CHARS && info.is_reliable() && info.confidence() >= WHATLANG_SURE {
                return LangDecision {
                    lang: Lang::from(from_whatlang(info.lang())),
                    confidence: info.confidence() as f32,
                    method: "whatlang",
                };
            }
        }
        let scores = self.lingua().compute_language_confidence_values(text);
        let Some(&(top, top_conf)) = scores.first() else {
            return LangDecision { lang: Lang::und(), confidence: 0.0, method: "lingua" };
        };
        if let Some(h) = hint.and_then(to_lingua) {
            if let Some(&(_, c)) = scores.iter().find(|(l, _)| *l == h) {
                if h != top && c >= top_conf * HINT_SHARE {
                    return LangDecision { lang: Lang::from(h.iso_code_639_1().to_string()), confidence: c as f32, method: "lingua+hint" };
                }
            }
        }
        if top_conf < LINGUA_MIN {
            return LangDecision { lang: Lang::und(), confidence: top_conf as f32, method: "lingua" };
        }
        LangDecision { lang: Lang::from(top.iso_code_639_1().to_string()), confidence: top_conf as f32, method: "lingua" }
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
