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

/// How many C0 control bytes (other than TAB, LF, VT, FF, CR and ESC) within the first
/// [`BINARY_SNIFF_BYTES`] make an argument binary: 8.
pub const BINARY_CONTROL_BYTES: usize = 8;

/// True when `bytes` is an executable or other binary data that reached guard as a command-line
/// argument. An argument cannot hold a NUL byte (execve(2) takes C strings) and bash drops the
/// NUL bytes of a command substitution (`guard -c "$(cat /bin/ls)"`), so [`is_binary`] cannot
/// tell; what is left of a binary file still holds many other control bytes, which text (even
/// with terminal colour escapes) does not: at least [`BINARY_CONTROL_BYTES`] of them in the
/// first [`BINARY_SNIFF_BYTES`] bytes.
pub fn is_binary_arg(bytes: &[u8]) -> bool {
    let control = |b: &&u8| matches!(**b, 0..=8 | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f);
    bytes.iter().take(BINARY_SNIFF_BYTES).filter(control).take(BINARY_CONTROL_BYTES).count() >= BINARY_CONTROL_BYTES
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

    #[test]
    fn an_executable_without_its_nul_bytes_is_a_binary_argument() {
        let elf: Vec<u8> = b"\x7fELF\x02\x01\x01>\x01@\x02\x03\x04\x05\x06".to_vec();
        assert!(is_binary_arg(&elf));
        assert!(!is_binary_arg(b"printf '\x1b[31mred\x1b[0m\n'\tls -la\r\n"));
        assert!(!is_binary_arg("échec: ünïcödé".as_bytes()));
    }
}
