//! What every benchmark shares: timed runs and their percentiles, one seeded random
//! generator, the peak memory of this process, parts run in a child process of this
//! binary (so that a part's peak memory is its own) and the JSON output.

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::ffi::OsStr;
use std::io::Write;
use std::time::Instant;

/// The value at rank `q` (0 to 1) of `values`, nearest rank on the sorted values
/// (`q = 0.5`: the median, `q = 0.99`: p99); `None` for no values.
pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((sorted.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    Some(sorted[rank])
}

/// Milliseconds since `t`.
pub fn elapsed_ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Median and 99th percentile of timed runs, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Latency {
    /// The percentiles of `ms` (at least one run).
    pub fn of(ms: &[f64]) -> Self {
        let p = |q| percentile(ms, q).expect("latencies of at least one run");
        Latency { p50_ms: p(0.5), p99_ms: p(0.99) }
    }
}

/// Runs `f` once to warm up (caches, allocator, lazily built structures), then `runs`
/// times (at least once) timed: the warm-up's result and the latency of the timed runs.
pub fn timed<T>(runs: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(T, Latency)> {
    let first = f()?;
    let mut ms = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f()?;
        ms.push(elapsed_ms(t));
    }
    Ok((first, Latency::of(&ms)))
}

/// xorshift64*: a small, seeded, reproducible generator, so that what a benchmark draws
/// (rules, samples) is the same on every run over the same corpus.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // xorshift never leaves zero
        Rng(if seed == 0 { 0x9e37_79b9_7f4a_7c15 } else { seed })
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// The peak resident memory of this process so far (Linux's `VmHWM`), in MB; `None`
/// where `/proc/self/status` does not say it.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.split_whitespace().next()?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A peak memory figure for a table: `-` when unknown.
pub fn fmt_mb(mb: Option<f64>) -> String {
    mb.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"))
}

/// Runs one part of a benchmark in a child process of this binary (`vigie-bench ARGS..`,
/// a hidden subcommand that prints its result with [`print_json`]) and reads that result.
/// `what` names the part in errors.
pub fn run_part<R: DeserializeOwned>(what: &str, args: impl IntoIterator<Item = impl AsRef<OsStr>>) -> anyhow::Result<R> {
    let exe = std::env::current_exe().context("finding this binary to run a part")?;
    let o = std::process::Command::new(&exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running {what} in a child process"))?;
    if !o.status.success() {
        anyhow::bail!("{what} failed ({}): {}", o.status, String::from_utf8_lossy(&o.stderr).trim());
    }
    serde_json::from_slice(&o.stdout).with_context(|| format!("reading the result of {what}"))
}

/// One JSON object on one line.
pub fn print_json<T: Serialize>(out: &mut impl Write, v: &T) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// One JSON object per row, one per line.
pub fn print_json_lines<T: Serialize>(out: &mut impl Write, rows: &[T]) -> anyhow::Result<()> {
    rows.iter().try_for_each(|r| print_json(out, r))
}

/// An error in what the user gave (exit code 1), as opposed to an internal one (2).
pub fn usage_error(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(vigie_engine::frontend::UsageError(msg.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_ranks_of_the_sorted_values() {
        let v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&v, 0.5), Some(51.0), "rank round(99 * 0.5) = 50");
        assert_eq!(percentile(&v, 0.99), Some(99.0), "rank round(99 * 0.99) = 98");
        assert_eq!(percentile(&v, 1.0), Some(100.0));
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 0.5), Some(2.0));
        assert_eq!(percentile(&[7.5], 0.99), Some(7.5));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(Latency::of(&[4.0, 1.0, 3.0, 2.0, 5.0]), Latency { p50_ms: 3.0, p99_ms: 5.0 });
    }

    #[test]
    fn timed_runs_warm_up_once_then_the_timed_runs() {
        let mut calls = 0;
        let (first, l) = timed(5, || {
            calls += 1;
            Ok(calls)
        })
        .unwrap();
        assert_eq!((first, calls), (1, 6));
        assert!(l.p50_ms >= 0.0 && l.p99_ms >= l.p50_ms);
        let mut calls = 0;
        timed(0, || {
            calls += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(calls, 2, "at least one timed run");
    }

    #[test]
    fn the_generator_is_deterministic_for_a_seed() {
        let draw = |seed| {
            let mut r = Rng::new(seed);
            (0..64).map(|_| r.below(1000)).collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
        assert!(draw(42).iter().all(|&x| x < 1000));
        let mut z = Rng::new(0);
        assert_ne!(z.next_u64(), 0, "a zero seed still draws");
        assert_eq!(Rng::new(7).below(0), 0);
        // the sequence itself is part of the contract: the alert rules drawn from a corpus
        // stay the same rules from one release to the next (xorshift64*, as before the move)
        let mut r = Rng::new(0x9e37_79b9_7f4a_7c15);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(first, [0x0d83_b3e2_9a21_487a, 0x54c4_4c79_f1fe_9d67, 0xa845_f342_007a_0e78]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn peak_memory_is_read_on_linux() {
        let mb = peak_rss_mb().expect("VmHWM on Linux");
        assert!(mb > 0.0, "{mb}");
        assert_eq!(fmt_mb(Some(241.4)), "241");
        assert_eq!(fmt_mb(None), "-");
    }
}
