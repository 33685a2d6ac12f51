//! What kind of input guard was handed, decided before any parsing.

/// How many leading bytes decide whether input is binary: 8 KiB. Git (`buffer_is_binary` in
/// `xdiff-interface.c`, which looks at the first 8,000 bytes) and ripgrep (a NUL byte in the
/// first buffer) decide the same way.
pub const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// True when `bytes` holds a NUL byte within its first [`BINARY_SNIFF_BYTES`] bytes: the input is
/// a binary file (an ELF executable, an image, a compressed archive), not a script. Bash refuses
/// such a file as a script ("cannot execute binary file"), so guard never analyses one.
///
/// Input: the whole input or any prefix of at least `BINARY_SNIFF_BYTES` bytes. Output: the verdict.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(BINARY_SNIFF_BYTES).any(|&b| b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_the_first_8_kib_is_binary_and_later_is_not() {
        assert!(is_binary(b"\x7fELF\x02\x01\x01\x00"));
        assert!(!is_binary(b"#!/bin/sh\necho hi\n"));
        let mut late = vec![b'a'; BINARY_SNIFF_BYTES];
        late.push(0);
        assert!(!is_binary(&late));
        let mut edge = vec![b'a'; BINARY_SNIFF_BYTES - 1];
        edge.push(0);
        assert!(is_binary(&edge));
    }
}
