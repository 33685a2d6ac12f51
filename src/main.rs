//! The `guard` binary: all work is in the library; see [`guard::cli`].
fn main() -> std::process::ExitCode {
    guard::cli::main()
}
