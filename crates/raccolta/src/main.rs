//! The `raccolta` binary: command line → configuration → telemetry → the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    tune_allocator();
    raccolta::cli::main()
}

/// Makes glibc's allocator return large buffers to the system when they are freed.
///
/// Each Argon2 hash takes a 19 MiB buffer. glibc serves the first one with `mmap`, then raises its mmap threshold
/// and keeps later ones in the heap, which fragmentation then stops it from shrinking: after ten registrations the
/// process held ~180 MB instead of ~25 MB. A fixed threshold keeps buffers above 128 KiB in `mmap`, freed at once.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // M_MMAP_THRESHOLD from <malloc.h>.
    const M_MMAP_THRESHOLD: libc::c_int = -3;
    #[expect(unsafe_code, reason = "mallopt has no safe wrapper; it is called once, before any other thread exists")]
    // SAFETY: mallopt only changes allocator tuning; called at the start of main, single-threaded.
    let ok = unsafe { libc::mallopt(M_MMAP_THRESHOLD, 128 * 1024) };
    debug_assert_eq!(ok, 1, "mallopt accepted the threshold");
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
