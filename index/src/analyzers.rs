//! Text analyzers: French and English (stemming, stop words, ASCII folding) chosen by
//! each document's language, a plain folded one for other languages, and a keyword
//! normalizer for exact-match fields such as the source.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    TokenizerManager,
};

pub const FR: &str = "vigie_fr";
pub const EN: &str = "vigie_en";
pub const STD: &str = "vigie_std";
pub const KEYWORD: &str = "vigie_keyword";

fn stemmed(lang: Language) -> TextAnalyzer {
    // stop words are removed before folding (the lists are accented: "été"); folding
    // before stemming makes queries typed without accents match accented text
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(lang).expect("tantivy ships French and English stop words"))
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(lang))
        .build()
}

/// Registers vigie's analyzers; called on every open, since tantivy does not persist them.
pub fn register(m: &TokenizerManager) {
    m.register(FR, stemmed(Language::French));
    m.register(EN, stemmed(Language::English));
    m.register(
        STD,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(60))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
    m.register(KEYWORD, TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).filter(AsciiFoldingFilter).build());
}

/// What the keyword analyzer makes of a value (for building terms by hand).
pub fn fold_keyword(s: &str) -> String {
    let m = TokenizerManager::default();
    register(&m);
    let mut a = m.get(KEYWORD).expect("registered above");
    let mut stream = a.token_stream(s);
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(name: &str, text: &str) -> Vec<String> {
        let m = TokenizerManager::default();
        register(&m);
        let mut a = m.get(name).unwrap();
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn french_and_english_stem_fold_and_drop_stop_words() {
        assert_eq!(tokens(FR, "Les données des centres").len(), 2);
        assert_eq!(tokens(FR, "donnée"), tokens(FR, "données"));
        assert_eq!(tokens(FR, "Électricité"), tokens(FR, "electricite"));
        assert_eq!(tokens(EN, "The chips are shipping"), vec!["chip", "ship"]);
        assert_eq!(tokens(KEYWORD, "Le Monde Économie"), vec!["le monde economie"]);
    }
}
