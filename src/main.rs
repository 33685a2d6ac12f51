//! The `guard` binary: all work is in the library; see [`guard::cli`].
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    guard::cli::main()
}
