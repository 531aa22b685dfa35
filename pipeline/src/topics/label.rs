//! Topic keywords by class-based TF-IDF (c-TF-IDF, Grootendorst 2022): a term weighs
//! `tf(t, topic) · ln(1 + A / f(t))`, with tf the number of the topic's articles holding
//! the term, f its count over all topics and A the average number of terms per topic,
//! computed per language so that each topic gets French and English keywords.

use std::collections::{BTreeMap, HashMap};

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
    /// folded term -> surface form -> count
    forms: HashMap<String, HashMap<String, u32>>,
    topics: usize,
}

impl Keywords {
    pub fn new(topics: usize) -> Self {
        Keywords { topics, ..Default::default() }
    }

    pub fn add(&mut self, d: &LabelDoc) {
        if d.topic >= self.topics {
            return;
        }
        let tf = self.tf.entry(d.lang.clone()).or_insert_with(|| vec![HashMap::new(); self.topics]);
        let mut seen = std::collections::HashSet::new();
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

    /// The `n` best keywords of every topic per language (terms in at least two of the
    /// topic's articles, so that one article's pet words do not label a topic).
    pub fn top(&self, n: usize) -> Vec<BTreeMap<String, Vec<String>>> {
        let mut out = vec![BTreeMap::new(); self.topics];
        for (lang, tf) in &self.tf {
            let mut f: HashMap<&str, u32> = HashMap::new();
            for m in tf {
                for (t, c) in m {
                    *f.entry(t).or_insert(0) += c;
                }
            }
            let total: u32 = f.values().sum();
            let a = total as f64 / tf.iter().filter(|m| !m.is_empty()).count().max(1) as f64;
            for (topic, m) in tf.iter().enumerate() {
                let mut scored: Vec<(f64, &String)> =
                    m.iter().filter(|(_, &c)| c >= 2).map(|(t, &c)| (c as f64 * (1.0 + a / f[t.as_str()] as f64).ln(), t)).collect();
                scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
                let words: Vec<String> = scored.into_iter().take(n).map(|(_, t)| self.form(t)).collect();
                if !words.is_empty() {
                    out[topic].insert(lang.clone(), words);
                }
            }
        }
        out
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
        let mut k = Keywords::new(2);
        for _ in 0..3 {
            k.add(&doc(0, "en", "Nvidia chips market"));
            k.add(&doc(1, "en", "football match market"));
            k.add(&doc(0, "fr", "puces Nvidia marché"));
        }
        let top = k.top(2);
        // equal scores come in term order
        assert_eq!(top[0]["en"], ["chips", "Nvidia"]);
        assert_eq!(top[1]["en"], ["football", "match"]);
        assert_eq!(top[0]["fr"].len(), 2);
        assert!(!top[1].contains_key("fr"));
    }
}
