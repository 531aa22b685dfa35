//! Named-entity recognition: a token-classification head (learned mix of encoder
//! layers, BiLSTM, softmax over BIO tags) trained in Rust with tch on the shared
//! CoNLL-style data, on top of the frozen multilingual encoder.

mod data;
mod features;
mod head;
mod score;
mod tags;
mod train;

pub use data::{read_gold, Sentence, Split};
pub use features::{gather_words, join_words, sentence_features, word_first_tokens};
pub use head::{HeadConfig, NerHead};
pub use score::{score, NerScores, TypeScores};
pub use tags::{decode_spans, Span, LABELS};
pub use train::{predict, train, TrainConfig, TrainReport};
