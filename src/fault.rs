//! Injected faults for testing fail-closed behaviour: `GUARD_TEST_CRASH=panic|abort|overflow|
//! sleep|garbage` makes the analysis end abnormally. Honoured only in debug builds
//! (`cfg!(debug_assertions)`), so a release binary cannot be made to misbehave this way.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The analysis panics.
    Panic,
    /// The process aborts (SIGABRT), as a panic does in release builds.
    Abort,
    /// The analysis overflows its stack.
    Overflow,
    /// The analysis never finishes.
    Sleep,
    /// The hook analysis prints output its parent cannot parse.
    Garbage,
}

/// The fault asked for by `GUARD_TEST_CRASH`, in debug builds only; `None` otherwise.
pub fn requested() -> Option<Fault> {
    if !cfg!(debug_assertions) {
        return None;
    }
    match std::env::var("GUARD_TEST_CRASH").ok()?.as_str() {
        "panic" => Some(Fault::Panic),
        "abort" => Some(Fault::Abort),
        "overflow" => Some(Fault::Overflow),
        "sleep" => Some(Fault::Sleep),
        "garbage" => Some(Fault::Garbage),
        _ => None,
    }
}

/// Triggers the requested fault if it is one that ends the analysis (all but
/// [`Fault::Garbage`]); returns otherwise.
pub fn inject() {
    match requested() {
        Some(Fault::Panic) => panic!("GUARD_TEST_CRASH=panic"),
        Some(Fault::Abort) => std::process::abort(),
        Some(Fault::Overflow) => {
            std::hint::black_box(recurse(0));
        }
        Some(Fault::Sleep) => std::thread::sleep(std::time::Duration::from_secs(3600)),
        Some(Fault::Garbage) | None => {}
    }
}

/// Recurses until the stack overflows (the depth test keeps the compiler from seeing an
/// unconditional recursion).
fn recurse(n: u64) -> u64 {
    let frame = std::hint::black_box([n; 512]);
    if std::hint::black_box(n) == u64::MAX {
        return frame.iter().sum();
    }
    recurse(n + 1).wrapping_add(frame.iter().sum())
}
