//! Bounded work on any input (issue 7): binary input and input past the analysis budget are
//! refused with a fact of their own, and the audit record of a big input is bounded and names
//! the whole input by its SHA-256 and length. Through the real binary.

mod common;

use common::{describe, TestEnv, REFUSED};
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;

/// The fact kinds of the last audit record.
fn last_fact_kinds(env: &TestEnv) -> Vec<String> {
    let records = env.records();
    let last = records.last().expect("a record was written");
    last["facts"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap().to_string()).collect()
}

#[test]
fn shell_mode_refuses_an_executable_given_with_c() {
    let env = TestEnv::new();
    // What `guard -c "$(cat /bin/ls)"` receives: bash drops the NUL bytes.
    let bytes: Vec<u8> = std::fs::read("/bin/true").unwrap().into_iter().filter(|&b| b != 0).collect();
    let arg: std::ffi::OsString = std::os::unix::ffi::OsStringExt::from_vec(bytes);
    let out = env.guard().arg("-c").arg(arg).output().unwrap();
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exec.binary"), "{}", describe(&out));
    assert_eq!(last_fact_kinds(&env), ["exec.binary"]);
}

#[test]
fn shell_mode_refuses_a_binary_script_file() {
    let env = TestEnv::new();
    let file = env.path().join("prog.sh");
    std::fs::copy("/bin/true", &file).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = env.guard().arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exec.binary"), "{}", describe(&out));
}

#[test]
fn wrap_mode_refuses_an_executable_passed_as_an_argument() {
    let env = TestEnv::new();
    let marker = env.path().join("ran");
    let bytes: Vec<u8> = std::fs::read("/bin/true").unwrap().into_iter().filter(|&b| b != 0).take(4096).collect();
    let arg: std::ffi::OsString = std::os::unix::ffi::OsStringExt::from_vec(bytes);
    let out = env.guard().args(["--", "bash", "-c", &format!("touch {}", marker.display())]).arg(arg).output().unwrap();
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(!marker.exists(), "nothing may run");
    assert_eq!(last_fact_kinds(&env), ["exec.binary"]);
    // The same command without the binary argument runs.
    let out = env.guard().args(["--", "bash", "-c", &format!("touch {}", marker.display())]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(marker.exists());
}

#[test]
fn text_with_colour_escapes_is_not_binary() {
    let env = TestEnv::new();
    let out = env.guard().args(["-c", "printf '\x1b[31mred\x1b[0m\\n'"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn syntax_nested_past_the_depth_budget_is_refused_with_the_fact_named() {
    let env = TestEnv::new();
    let script = format!("{}true{}", "( ".repeat(300), " )".repeat(300));
    let out = env.guard().args(["-c", &script]).output().unwrap();
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exec.over-budget"), "{}", describe(&out));
    assert!(last_fact_kinds(&env).iter().any(|k| k == "exec.over_budget"));
    // Ordinary nesting is analysed and runs.
    let out = env.guard().args(["-c", &format!("{}true{}", "( ".repeat(20), " )".repeat(20))]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn a_script_past_the_byte_budget_is_refused_with_the_fact_named() {
    let env = TestEnv::new();
    // 64 MiB + 1 byte of comment: past guard::budget::MAX_INPUT_BYTES, never parsed.
    let mut text = String::with_capacity(guard::budget::MAX_INPUT_BYTES + 16);
    text.push_str("true\n");
    while text.len() <= guard::budget::MAX_INPUT_BYTES {
        text.push_str("# padding padding padding padding padding padding padding padding padding\n");
    }
    let file = env.path().join("big.sh");
    std::fs::write(&file, &text).unwrap();
    let out = env.guard().args(["check", "--format", "json"]).arg(&file).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "deny", "{v}");
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "exec.over-budget", "{v}");
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "nothing past the budget was analysed: {v}");
}

#[test]
fn the_record_of_a_big_script_is_bounded_and_names_the_whole_input() {
    // 1 MiB here (a debug build redacts slowly); bench/bigscript.sh runs 20 MB on a release build.
    let env = TestEnv::new();
    let mut text = String::from("true\n");
    while text.len() < 1 << 20 {
        text.push_str("# an ordinary comment line of a very long generated script, padding it out\n");
    }
    let file = env.path().join("big.sh");
    std::fs::write(&file, &text).unwrap();
    let out = env.guard().arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let lines = env.log_lines();
    let line = lines.last().unwrap();
    assert!(line.len() < 2 * guard::record::MAX_INPUT_BYTES, "record of {} bytes", line.len());
    let rec: serde_json::Value = serde_json::from_str(line).unwrap();
    let input = &rec["input"];
    assert_eq!(input["bytes"], text.len(), "{input}");
    let want: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(input["sha256"], want.as_str());
    assert_eq!(input["truncated"], true);
    assert!(input["script"].as_str().unwrap().starts_with("true\n# an ordinary"));
    // The next appends build on it, also from concurrent guards, and the chain verifies.
    let children: Vec<_> = (0..8).map(|_| env.guard_std().args(["--", "true"]).spawn().unwrap()).collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    assert_eq!(env.log_lines().len(), 9);
    env.assert_log_verifies();
    // A small input is kept whole, with its hash and length.
    let out = env.guard().args(["-c", "echo hi"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let rec = env.records().pop().unwrap();
    assert_eq!(rec["input"]["script"], "echo hi");
    assert_eq!(rec["input"]["bytes"], 7);
    assert!(rec["input"].get("truncated").is_none(), "{rec}");
}
