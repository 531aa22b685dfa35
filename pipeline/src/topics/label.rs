//! Topic keywords: terms frequent in a topic, rare in the corpus's other topics (the
//! class-based IDF of c-TF-IDF, Grootendorst 2022) and rare in general news (a background
//! of word frequencies per language shipped with the binary, see [`Background`]), so
//! that a small or focused corpus, where every topic says "announced" or "chief
//! executive", is still labelled by what its topics are about. Computed per language,
//! so that each topic gets French and English keywords.
//!
//! A term's weight in a topic is `√share · ln(1 + lift) · ln(1 + A / f)`: `share` the
//! part of the topic's articles (in that language) holding it, `lift` that share over
//! the estimated share of general news articles holding it (how much more the topic
//! uses it than news does; the pointwise-KL "informativeness" of Tomokiyo and Hurst
//! 2003, with the square root favouring the distinctive over the merely frequent), `f`
//! the term's count over all topics and `A` the average count of terms per topic.
//! Terms used less than [`MIN_LIFT`] times more than in general news come after all
//! others, whatever their weight.

use super::background::Background;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A term is distinctive when a topic's articles hold it this many times more often
/// than general news articles do; others only fill a label that lacks distinctive ones.
pub const MIN_LIFT: f64 = 8.0;

/// Part of a topic's articles (in one language) a keyword must appear in, at least two
/// articles (one when the topic has one in that language): one story's pet words do not
/// label a topic of fifty articles.
const MIN_SUPPORT: f64 = 0.1;

/// One article's words for labelling.
pub struct LabelDoc {
    pub topic: usize,
    pub lang: String,
    /// (folded term, the form seen in the text), e.g. ("electricite", "électricité")
    pub words: Vec<(String, String)>,
}

/// Keywords per topic and language.
#[derive(Default)]
pub struct Keywords {
    /// per language: term -> articles holding it, per topic
    tf: BTreeMap<String, Vec<HashMap<String, u32>>>,
    /// per language: articles per topic
    docs: BTreeMap<String, Vec<u32>>,
    /// folded term -> surface form -> count
    forms: HashMap<String, HashMap<String, u32>>,
    topics: usize,
    /// backgrounds to use instead of the embedded ones (tests)
    backgrounds: Option<HashMap<String, Background>>,
}

/// A keyword of a topic with its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// the form most often seen in the text ("électricité")
    pub word: String,
    /// the folded term ("electricite")
    pub term: String,
    pub weight: f64,
    /// used at least [`MIN_LIFT`] times more than in general news (always true for a
    /// language without a background)
    pub distinctive: bool,
}

impl Keywords {
    pub fn new(topics: usize) -> Self {
        Keywords { topics, ..Default::default() }
    }

    /// Weighs terms against these backgrounds (per language) instead of the embedded ones.
    pub fn with_backgrounds(mut self, backgrounds: HashMap<String, Background>) -> Self {
        self.backgrounds = Some(backgrounds);
        self
    }

    fn background(&self, lang: &str) -> Option<&Background> {
        match &self.backgrounds {
            Some(m) => m.get(lang),
            None => Background::embedded(lang),
        }
    }

    pub fn add(&mut self, d: &LabelDoc) {
        if d.topic >= self.topics {
            return;
        }
        let tf = self.tf.entry(d.lang.clone()).or_insert_with(|| vec![HashMap::new(); self.topics]);
        self.docs.entry(d.lang.clone()).or_insert_with(|| vec![0; self.topics])[d.topic] += 1;
        let mut seen = HashSet::new();
        for (t, form) in &d.words {
            *self.forms.entry(t.clone()).or_default().entry(form.clone()).or_insert(0) += 1;
            if seen.insert(t.as_str()) {
                *tf[d.topic].entry(t.clone()).or_insert(0) += 1;
            }
        }
    }

    fn form(&self, t: &str) -> String {
        self.forms
            .get(t)
            .and_then(|m| m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))))
            .map_or_else(|| t.to_string(), |(f, _)| f.clone())
    }

    /// The `n` best keywords of every topic per language, distinctive ones first.
    pub fn ranked(&self, n: usize) -> Vec<BTreeMap<String, Vec<Keyword>>> {
        let mut out = vec![BTreeMap::new(); self.topics];
        for (lang, tf) in &self.tf {
            let bg = self.background(lang);
            let mut f: HashMap<&str, u32> = HashMap::new();
            for m in tf {
                for (t, c) in m {
                    *f.entry(t).or_insert(0) += c;
                }
            }
            let total: u32 = f.values().sum();
            let a = total as f64 / tf.iter().filter(|m| !m.is_empty()).count().max(1) as f64;
            for (topic, m) in tf.iter().enumerate() {
                let docs = self.docs[lang][topic].max(1);
                let min = ((MIN_SUPPORT * docs as f64).ceil() as u32).max(docs.min(2));
                let mut scored: Vec<Keyword> = m
                    .iter()
                    // numbers ("2026", "500") are in no background and say when, not what
                    .filter(|(t, &c)| c >= min && t.chars().any(char::is_alphabetic))
                    .map(|(t, &c)| {
                        let share = c as f64 / docs as f64;
                        let idf = (1.0 + a / f[t.as_str()] as f64).ln();
                        let (weight, distinctive) = match bg {
                            Some(bg) => {
                                let lift = share / bg.doc_share(t).max(1e-12);
                                (share.sqrt() * (1.0 + lift).ln() * idf, lift >= MIN_LIFT)
                            }
                            None => (share * idf, true),
                        };
                        Keyword { word: String::new(), term: t.clone(), weight, distinctive }
                    })
                    .collect();
                scored.sort_by(|x, y| y.distinctive.cmp(&x.distinctive).then(y.weight.total_cmp(&x.weight)).then(x.term.cmp(&y.term)));
                scored.truncate(n);
                for k in &mut scored {
                    k.word = self.form(&k.term);
                }
                if !scored.is_empty() {
                    out[topic].insert(lang.clone(), scored);
                }
            }
        }
        out
    }

    /// The words of [`Keywords::ranked`].
    pub fn top(&self, n: usize) -> Vec<BTreeMap<String, Vec<String>>> {
        self.ranked(n).into_iter().map(|m| m.into_iter().map(|(l, ks)| (l, ks.into_iter().map(|k| k.word).collect())).collect()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(topic: usize, lang: &str, text: &str) -> LabelDoc {
        LabelDoc { topic, lang: lang.into(), words: text.split(' ').map(|w| (w.to_lowercase(), w.to_string())).collect() }
    }

    #[test]
    fn distinctive_terms_win_in_each_language() {
        let mut k = Keywords::new(2).with_backgrounds(HashMap::new());
        for _ in 0..3 {
            k.add(&doc(0, "en", "Nvidia chips market"));
            k.add(&doc(1, "en", "football match market"));
            k.add(&doc(0, "fr", "puces Nvidia marché"));
        }
        let top = k.top(2);
        // without a background: c-TF-IDF alone, equal scores in term order
        assert_eq!(top[0]["en"], ["chips", "Nvidia"]);
        assert_eq!(top[1]["en"], ["football", "match"]);
        assert_eq!(top[0]["fr"].len(), 2);
        assert!(!top[1].contains_key("fr"));
    }

    /// One topic of tech news: every article says "announced", "chief executive",
    /// "company", "said"; a few say "Blackwell" or "puces".
    fn focused() -> Keywords {
        let mut k = Keywords::new(1);
        let en = [
            "Nvidia chief executive announced company said Blackwell chips",
            "chief executive announced company said Blackwell revenue",
            "chief executive announced company said chips shares",
            "chief executive announced company said data",
            "chief executive announced company said",
        ];
        let fr = [
            "annoncé selon président milliards puces Nvidia",
            "annoncé selon président milliards puces",
            "annoncé selon président milliards",
        ];
        for t in en {
            k.add(&LabelDoc { topic: 0, lang: "en".into(), words: crate::stories::content_words_with_forms(t) });
        }
        for t in fr {
            k.add(&LabelDoc { topic: 0, lang: "fr".into(), words: crate::stories::content_words_with_forms(t) });
        }
        k
    }

    #[test]
    fn background_frequent_words_never_lead_when_a_distinctive_term_exists() {
        let ranked = focused().ranked(8);
        let en = &ranked[0]["en"];
        let fr = &ranked[0]["fr"];
        // every topic article holds the generic words, but general news holds them too
        assert!(["Blackwell", "chips"].contains(&en[0].word.as_str()), "{en:?}");
        assert!(en[0].distinctive && en[1].distinctive, "{en:?}");
        // in every article of this toy topic, "executive" and "announced" are still used
        // more than ten times as often as in news, so they may follow; never lead
        for generic in ["company", "chief", "executive", "announced"] {
            let pos = en.iter().position(|k| k.word == generic).unwrap_or(usize::MAX);
            assert!(pos >= 1, "{generic} at {pos} in {en:?}");
        }
        // words as common in news as in the topic come after every distinctive term
        for generic in ["company", "chief"] {
            if let Some(pos) = en.iter().position(|k| k.word == generic) {
                assert!(!en[pos].distinctive, "{generic} in {en:?}");
            }
        }
        assert!(en.windows(2).all(|w| w[0].distinctive >= w[1].distinctive), "{en:?}");
        assert!(en.iter().any(|k| !k.distinctive), "{en:?}");
        assert_eq!(fr[0].word, "puces", "{fr:?}");
        for generic in ["annoncé", "selon", "président", "milliards"] {
            assert!(fr.iter().position(|k| k.word == generic).unwrap_or(usize::MAX) >= 1, "{fr:?}");
        }
        // with only generic words left, they still fill the keywords
        let mut k = Keywords::new(1);
        for _ in 0..3 {
            k.add(&LabelDoc { topic: 0, lang: "en".into(), words: crate::stories::content_words_with_forms("company government country") });
        }
        assert_eq!(k.top(3)[0]["en"].len(), 3, "{:?}", k.top(3));
    }

    #[test]
    fn a_term_of_one_story_does_not_label_a_large_topic() {
        let mut k = Keywords::new(1);
        for i in 0..30 {
            let extra = if i < 2 { " Blackwell" } else { "" };
            k.add(&LabelDoc {
                topic: 0,
                lang: "en".into(),
                words: crate::stories::content_words_with_forms(&format!("vaccine trial{extra}")),
            });
        }
        let top = k.top(3);
        assert_eq!(top[0]["en"][0], "vaccine");
        assert!(!top[0]["en"].contains(&"Blackwell".to_string()), "{top:?}");
    }
}
