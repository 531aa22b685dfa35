//! General-language word frequencies per language (`data/background/*.tsv`, from the
//! `wordfreq` package, embedded at build time): what topic labels are weighed against,
//! so that a word every news article may hold ("announced", "annoncé", "chief") does not
//! label a topic because the corpus alone is too small or too focused to show it is common.

use crate::stories::content_words;
use std::collections::HashMap;
use std::sync::OnceLock;

const EN: &str = include_str!("../../../data/background/en.tsv");
const FR: &str = include_str!("../../../data/background/fr.tsv");

/// Words per article that turn a word frequency into the share of articles holding the
/// word (`1 - exp(-L·p)`): about 500 words read per article, times the burstiness of
/// news vocabulary. Set on half A of the MasakhaNEWS dev sets, where it brings the
/// estimate within a factor of two of the real share for "said", "chief", "government",
/// "président" or "selon".
const WORDS_PER_ARTICLE: f64 = 1000.0;

/// Folded term -> frequency (share of running words) in general language.
#[derive(Debug, Clone, Default)]
pub struct Background {
    freq: HashMap<String, f64>,
    /// frequency of a term the list does not hold (below its lowest Zipf value)
    floor: f64,
}

impl Background {
    /// Parses `ZIPF<TAB>word word ...` lines (`#` comments). Words are folded as topic
    /// terms are (accents, case, plural `s`); the forms of one term add up ("chip" +
    /// "chips"), and function words are left out, as they never reach a label.
    pub fn parse(text: &str) -> Result<Background, String> {
        let mut freq: HashMap<String, f64> = HashMap::new();
        let mut lowest = f64::INFINITY;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (z, words) = line.split_once('\t').ok_or_else(|| format!("line {}: no tab after the zipf value", i + 1))?;
            let z: f64 = z.trim().parse().map_err(|_| format!("line {}: bad zipf value {z:?}", i + 1))?;
            if !(0.0..=9.0).contains(&z) {
                return Err(format!("line {}: zipf value {z} out of 0-9", i + 1));
            }
            lowest = lowest.min(z);
            let p = 10f64.powf(z - 9.0);
            for w in words.split(' ').filter(|w| !w.is_empty()) {
                let mut terms = content_words(w).into_iter();
                if let (Some(t), None) = (terms.next(), terms.next()) {
                    *freq.entry(t).or_insert(0.0) += p;
                }
            }
        }
        let floor = if lowest.is_finite() { 10f64.powf(lowest - 0.2 - 9.0) } else { 0.0 };
        Ok(Background { freq, floor })
    }

    /// The committed background of a language (`en`, `fr`), parsed on first use.
    pub fn embedded(lang: &str) -> Option<&'static Background> {
        static EN_BG: OnceLock<Background> = OnceLock::new();
        static FR_BG: OnceLock<Background> = OnceLock::new();
        let (cell, text) = match lang {
            "en" => (&EN_BG, EN),
            "fr" => (&FR_BG, FR),
            _ => return None,
        };
        Some(cell.get_or_init(|| Background::parse(text).expect("the committed background file parses")))
    }

    /// Estimated share of general news articles that hold the folded term.
    pub fn doc_share(&self, term: &str) -> f64 {
        let p = self.freq.get(term).copied().unwrap_or(self.floor);
        1.0 - (-WORDS_PER_ARTICLE * p).exp()
    }

    pub fn len(&self) -> usize {
        self.freq.len()
    }

    pub fn is_empty(&self) -> bool {
        self.freq.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_files_rank_generic_words_above_subject_words() {
        for (lang, generic, subject) in [
            ("en", ["government", "chief", "executive", "announced"], ["nvidia", "chip", "inflation", "striker"]),
            ("fr", ["annonce", "gouvernement", "president", "ministre"], ["nvidia", "puce", "inflation", "crue"]),
        ] {
            let bg = Background::embedded(lang).unwrap();
            assert!(bg.len() > 20_000, "{lang}: {} terms", bg.len());
            for g in generic {
                for s in subject {
                    assert!(bg.doc_share(g) > 2.0 * bg.doc_share(s), "{lang}: {g} {} vs {s} {}", bg.doc_share(g), bg.doc_share(s));
                }
            }
        }
        assert!(Background::embedded("de").is_none());
    }

    #[test]
    fn forms_fold_and_add_up_and_unknown_words_get_the_floor() {
        let bg = Background::parse("# c\n5.0\tchips Chip\n4.0\tÉlectricité\n3.0\tthe zebra\n").unwrap();
        // "chips" and "chip" are one term; "the" is a function word and left out
        assert!((bg.freq["chip"] - 2e-4).abs() < 1e-9);
        assert!(bg.freq.contains_key("electricite") && !bg.freq.contains_key("the"));
        assert!(bg.doc_share("unknownword") < bg.doc_share("zebra"));
        assert!(bg.doc_share("chip") > bg.doc_share("electricite"));
        let e = Background::parse("5.0 chips\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        assert!(Background::parse("x\tchips\n").unwrap_err().contains("bad zipf"));
    }
}
