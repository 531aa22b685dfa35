//! Writing state files atomically: a temporary file, fsync, rename, fsync of the
//! directory. A crash leaves the previous version or the new one, never half of one.

use crate::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Writes `value` as JSON to `path` atomically; the error names the file.
pub fn save_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let err = |e: std::io::Error| Error::io(path, e);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let (tmp, file) = unique_temp(path).map_err(err)?;
    let written = (|| {
        let mut f = std::io::BufWriter::new(file);
        serde_json::to_writer(&mut f, value).map_err(|e| err(e.into()))?;
        f.flush().map_err(err)?;
        f.into_inner().map_err(|e| err(e.into_error()))?.sync_data().map_err(err)
    })()
    .and_then(|_| std::fs::rename(&tmp, path).map_err(err));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new temporary file beside `path`, named by process and a counter, so that two
/// processes (two `watch` runs) or two threads never write the same temporary file.
fn unique_temp(path: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let base = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = path.with_file_name(format!(".{base}.{}.{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Reads a JSON state file: `None` when there is none; the error names the file and
/// says what it should have held.
pub fn load_json<T: DeserializeOwned>(path: &Path, what: &'static str) -> Result<Option<T>> {
    match std::fs::read_to_string(path) {
        Ok(t) => serde_json::from_str(&t).map(Some).map_err(|source| Error::State { path: path.to_path_buf(), what, source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_writers_never_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("marks.json");
        std::thread::scope(|s| {
            for t in 0..4u32 {
                let path = &path;
                s.spawn(move || {
                    for i in 0..50u32 {
                        save_json(path, &vec![t; 1000 + i as usize]).unwrap();
                    }
                });
            }
        });
        // whichever writer came last, the file is whole, and no temporary file is left
        let v: Vec<u32> = load_json(&path, "marks").unwrap().unwrap();
        assert!(v.len() >= 1000 && v.iter().all(|&x| x == v[0]));
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["marks.json"]);
    }

    #[test]
    fn errors_name_the_file_and_keep_their_source() {
        use std::error::Error as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("marks.json");
        std::fs::write(&path, "{not json").unwrap();
        let e = load_json::<Vec<u32>>(&path, "marks").unwrap_err();
        assert!(matches!(e, Error::State { what: "marks", .. }), "{e}");
        assert!(e.to_string().starts_with(&format!("{}: unreadable marks: ", path.display())), "{e}");
        assert!(e.source().is_some_and(|s| s.is::<serde_json::Error>()));
        // a directory where the file should be
        let e = save_json(dir.path(), &[1]).unwrap_err();
        assert!(matches!(e, Error::Io { .. }) && e.source().is_some_and(|s| s.is::<std::io::Error>()), "{e}");
    }
}
