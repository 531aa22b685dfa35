//! Text analyzers: French and English (stemming, stop words, ASCII folding) chosen by
//! each document's language, a plain folded one for other languages, and a keyword
//! normalizer for exact-match fields such as the source.

use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
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
        .filter(CachedStemmer(lang))
        .build()
}

/// The most words a [`CachedStemmer`] remembers (a few MB); past it, words are stemmed
/// each time.
const MAX_CACHED_STEMS: usize = 100_000;

/// tantivy's Snowball [`Stemmer`] with the stems it made remembered: news repeats its
/// words, and stemming was a sixth of the indexing threads' time on Reuters where a
/// lookup is a few times cheaper. Each analyzer clone (one per segment writer) keeps
/// its own table; a stem is a function of the word alone, so the tokens are the same.
#[derive(Clone, Copy)]
struct CachedStemmer(Language);

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        let stem = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(self.0)).build();
        CachedStemmerFilter { inner, stem, stems: HashMap::new() }
    }
}

#[derive(Clone)]
struct CachedStemmerFilter<T> {
    inner: T,
    /// tantivy's stemmer over one whole word
    stem: TextAnalyzer,
    stems: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream { tail: self.inner.token_stream(text), stem: &mut self.stem, stems: &mut self.stems }
    }
}

struct CachedStemmerStream<'a, S> {
    tail: S,
    stem: &'a mut TextAnalyzer,
    stems: &'a mut HashMap<String, String>,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = {
            let mut s = self.stem.token_stream(&token.text);
            if s.advance() {
                s.token().text.clone()
            } else {
                token.text.clone()
            }
        };
        if self.stems.len() < MAX_CACHED_STEMS {
            self.stems.insert(std::mem::take(&mut token.text), stem.clone());
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
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

    /// The remembered stems are tantivy's: the same tokens, positions and offsets as the
    /// plain Stemmer, over a text that repeats its words (hits) and over a second text
    /// through the same analyzer.
    #[test]
    fn cached_stems_are_the_stemmers_stems() {
        fn all(a: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
            let mut s = a.token_stream(text);
            let mut out = Vec::new();
            while s.advance() {
                let t = s.token();
                out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
            }
            out
        }
        let texts = [
            "Les données des centres de données : les centres ont annoncé des annonces, données et centres.",
            "The chips are shipping; shipping chips, the shipped chip ships. Running runners ran",
            "Électricité électrique ÉLECTRICITÉ nationalisation nationalisations",
        ];
        for lang in [Language::French, Language::English] {
            let plain = |l| {
                TextAnalyzer::builder(SimpleTokenizer::default())
                    .filter(RemoveLongFilter::limit(60))
                    .filter(LowerCaser)
                    .filter(StopWordFilter::new(l).unwrap())
                    .filter(AsciiFoldingFilter)
                    .filter(Stemmer::new(l))
                    .build()
            };
            let (mut want, mut got) = (plain(lang), stemmed(lang));
            for t in texts.iter().chain(texts.iter()) {
                assert_eq!(all(&mut got, t), all(&mut want, t), "{lang:?}: {t}");
            }
        }
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
