//! Writing state files atomically: a temporary file, fsync, rename, fsync of the
//! directory. A crash leaves the previous version or the new one, never half of one.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Writes `value` as JSON to `path` atomically; the error names the file.
pub fn save_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(err)?);
        serde_json::to_writer(&mut f, value).map_err(|e| format!("{}: {e}", path.display()))?;
        f.flush().map_err(err)?;
        f.into_inner().map_err(|e| err(e.into_error()))?.sync_data().map_err(err)?;
    }
    std::fs::rename(&tmp, path).map_err(err)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads a JSON state file: `None` when there is none; the error names the file and
/// says what it should have held.
pub fn load_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<Option<T>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => serde_json::from_str(&t).map(Some).map_err(|e| format!("{}: unreadable {what}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
