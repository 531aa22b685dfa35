//! Process settings for the commands that run the encoder, made before any thread starts:
//! the allocator, oneDNN's kernel cache and OpenMP's wait policy. Every binary that runs
//! the model stage (vigie, vigie-bench) calls them first.

/// The allocator and oneDNN settings (`tune_malloc`, `bound_onednn_cache`), for every
/// command.
pub fn prepare() {
    tune_malloc();
    bound_onednn_cache();
}

/// The encoder allocates and frees tensors of tens of MB for every batch; glibc's
/// defaults hand them back to the kernel each time, and the page faults cost a fifth of
/// the encoder's time. Keep freed memory for reuse instead (measured: 1,372 -> 1,702
/// tokens/s, `vigie-bench encode`).
fn tune_malloc() {
    // SAFETY: mallopt only changes allocator parameters; called before any thread starts
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

/// oneDNN keeps up to 1,024 compiled kernels, one per operation shape; the encoder's
/// batches and the NER head's sentence groups come in many shapes, and the cache alone
/// grew a 10,000-article ingest by hundreds of MB (3,000 Reuters articles: peak RSS
/// 1.34 GB, 1.15 GB with 64 kernels, same speed). oneDNN reads the variable when it
/// first compiles a kernel, so it is set before anything runs.
fn bound_onednn_cache() {
    const VAR: &str = "ONEDNN_PRIMITIVE_CACHE_CAPACITY";
    if std::env::var_os(VAR).is_none() {
        std::env::set_var(VAR, "64");
    }
}

/// libtorch's thread pool is OpenMP (libgomp), whose threads spin after each parallel
/// region waiting for the next one (300,000 rounds by default, forever with
/// `OMP_WAIT_POLICY=ACTIVE`). With any other job on the cores (another ingest, a build,
/// vigie's own tagging thread beside the encoder) long spins take the time the others
/// need: the encoder ran 8-9x slower (518-624 against 4,663-4,975 tokens/s, `vigie-bench
/// encode` on French dev articles with a build running beside it). Threads that sleep at
/// once (`OMP_WAIT_POLICY=PASSIVE`, what vigie used before) pay a kernel wake-up for each
/// of the encoder's thousands of small parallel regions: on an AMX CPU, where the matrix
/// products are short, that was a fifth of the time. A short spin (10,000 rounds, about
/// a tenth of a millisecond) keeps both: French dev articles, bf16, Xeon with AMX,
/// 7,227 tokens/s sleeping, 9,069-9,259 spinning 10,000 rounds, 9,110 forever; beside two
/// busy processes 2,712 sleeping, 3,419 with 10,000 rounds, 1,441 with 100,000. libgomp
/// reads `GOMP_SPINCOUNT` once, when it is loaded, before `main` runs, so a command that
/// runs the encoder re-executes itself once with it set, unless the caller chose a policy
/// or a spin count. Call it (from a command that runs the encoder) before any thread
/// starts.
pub fn short_openmp_spin() {
    const VAR: &str = "GOMP_SPINCOUNT";
    if std::env::var_os("OMP_WAIT_POLICY").is_some() || std::env::var_os(VAR).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    std::env::set_var(VAR, SPIN_ROUNDS);
    let mut args = std::env::args_os();
    let mut cmd = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        std::os::unix::process::CommandExt::arg0(&mut cmd, arg0);
    }
    // only returns on failure: the command then runs here with libgomp's default spin
    let err = std::os::unix::process::CommandExt::exec(cmd.args(args));
    tracing::debug!(%err, "re-executing with {VAR}={SPIN_ROUNDS} failed");
}

/// The spin `short_openmp_spin` sets.
pub const SPIN_ROUNDS: &str = "10000";
