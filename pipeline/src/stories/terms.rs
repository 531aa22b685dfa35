//! Content terms of a text: folded words without function words, used as title terms
//! for story similarity and as the vocabulary of topic keywords.

use crate::entities::fold;
use std::collections::HashSet;
use std::sync::OnceLock;

const STOPWORDS: &str = include_str!("../../../data/stopwords.txt");

/// At most this many terms are kept of a title.
const MAX_TITLE_TERMS: usize = 24;

fn stopwords() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| STOPWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect())
}

/// Whether a folded word is a function word.
pub fn is_stopword(w: &str) -> bool {
    stopwords().contains(w)
}

/// The content words of `text` in order, folded (lowercase, no accents), elisions
/// dropped ("l'IA" gives "ia"), words under 3 letters dropped unless they hold a digit
/// ("H100", "5G"), plural `s` of longer words removed so that "chips" meets "chip".
pub fn content_words(text: &str) -> Vec<String> {
    content_words_with_forms(text).into_iter().map(|(t, _)| t).collect()
}

/// [`content_words`] with the form each had in the text (for display: "électricité"
/// for the term "electricite").
pub fn content_words_with_forms(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-')) {
        let w = fold(raw);
        // French elisions: l', d', qu', n', s', j'
        let (w, form) = match w.split_once('\'') {
            Some((head, tail)) if head.len() <= 2 || head == "qu" || head == "lorsqu" || head == "puisqu" => {
                let form = raw.split_once(['\'', '’']).map_or(raw, |(_, t)| t);
                (tail.to_string(), form)
            }
            _ => (w.replace('\'', ""), raw),
        };
        let w = w.trim_matches('-');
        let has_digit = w.chars().any(|c| c.is_ascii_digit());
        if w.is_empty() || (w.chars().count() < 3 && !has_digit) || is_stopword(w) {
            continue;
        }
        if has_digit && w.chars().all(|c| c.is_ascii_digit() || c == '-') && w.len() < 4 {
            // bare small numbers ("10", "3") say little about a story
            continue;
        }
        let w = match w.strip_suffix('s') {
            // not "virus", "dessus", "crisis", "pass"
            Some(stem) if w.len() > 4 && !stem.ends_with(['s', 'u', 'i']) && !has_digit => stem,
            _ => w,
        };
        let form = form.trim_matches(|c: char| !c.is_alphanumeric());
        let form = form.strip_suffix("’s").or_else(|| form.strip_suffix("'s")).unwrap_or(form);
        out.push((w.to_string(), form.to_string()));
    }
    out
}

/// The key a display word is compared by (folded, plural `s` removed as in
/// [`content_words`]).
pub fn fold_key(word: &str) -> String {
    content_words(word).into_iter().next().unwrap_or_else(|| fold(word))
}

/// A title's distinct content terms (at most 24).
pub fn title_terms(title: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    content_words(title).into_iter().filter(|w| seen.insert(w.clone())).take(MAX_TITLE_TERMS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_drops_function_words_and_elisions() {
        assert_eq!(title_terms("L'IA de Nvidia : les puces H100 et Blackwell"), ["nvidia", "puce", "h100", "blackwell"]);
        assert_eq!(title_terms("Trump's Stargate plan: OpenAI gets $500bn"), ["trump", "stargate", "plan", "openai", "500bn"]);
        assert_eq!(title_terms("Chips, chips and more chips"), ["chip"]);
        assert_eq!(title_terms("Le virus au-dessus de l'électricité"), ["virus", "au-dessus", "electricite"]);
        assert_eq!(content_words_with_forms("l'électricité d'Nvidia’s")[0], ("electricite".to_string(), "électricité".to_string()));
    }
}
