//! One decision, end to end in-process: parse, unwrap, analyse, match rules.
//! Target: tens of microseconds per command line. Run: `cargo bench --bench decide`.

use guard::analyze::{analyze_argv, analyze_script};
use guard::policy::RuleSet;
use std::path::Path;

fn main() {
    divan::main();
}

const LINES: &[&str] = &[
    "ls -la",
    "rm -rf /",
    "psql -h db -U app -c 'DELETE FROM sessions WHERE expires_at < now()'",
    "sudo bash -c 'cd /srv && git pull && make -j4 && systemctl restart app'",
    "cat <<EOF | psql app\nBEGIN;\nUPDATE accounts SET balance = balance - 10 WHERE id = 1;\nCOMMIT;\nEOF",
    "kubectl --context prod -n payments get pods -o wide | grep -v Running | awk '{print $1}'",
];

/// Twenty typical one-liners of an agent's session (issue 7: each decided in at most 20 µs
/// median, parse to verdict, in-process). Run: `cargo bench --bench decide -- one_liner`.
const ONE_LINERS: &[&str] = &[
    "ls -la",
    "git status",
    "git diff HEAD~1 -- src/",
    "git log --oneline -20",
    "psql -c 'SELECT 1'",
    "kubectl get pods -n prod",
    "cat README.md",
    "grep -rn TODO src/",
    "cargo test --locked",
    "npm install",
    "docker ps -a",
    "find . -name '*.rs' | xargs wc -l",
    "rm -rf target/debug/incremental",
    "curl -s https://example.com/api/health",
    "python3 -m pytest -q tests/",
    "make -j4",
    "cd src && ls",
    "echo \"hello $USER\" > /tmp/out.txt",
    "ssh deploy@web1 'systemctl status nginx'",
    "aws s3 ls s3://my-bucket/logs/",
];

#[divan::bench(args = ONE_LINERS)]
fn one_liner(bencher: divan::Bencher, line: &str) {
    let rules = RuleSet::builtin().unwrap();
    let dir = Path::new("/");
    bencher.bench(|| {
        let a = analyze_script(divan::black_box(line), dir);
        rules.decide(&a.facts)
    });
}

#[divan::bench(args = LINES)]
fn decide_script(bencher: divan::Bencher, line: &str) {
    let rules = RuleSet::builtin().unwrap();
    let dir = Path::new("/");
    bencher.bench(|| {
        let a = analyze_script(divan::black_box(line), dir);
        rules.decide(&a.facts)
    });
}

#[divan::bench]
fn decide_argv(bencher: divan::Bencher) {
    let rules = RuleSet::builtin().unwrap();
    let argv: Vec<String> = ["psql", "-c", "DROP TABLE users"].iter().map(|s| s.to_string()).collect();
    bencher.bench(|| {
        let (_, a) = analyze_argv(divan::black_box(&argv), Path::new("/"));
        rules.decide(&a.facts)
    });
}

#[divan::bench]
fn load_builtin_rules() -> RuleSet {
    RuleSet::builtin().unwrap()
}

/// Signing and appending one audit record to a log that already holds records
/// (what every guarded command pays after deciding).
#[divan::bench]
fn append_audit_record(bencher: divan::Bencher) {
    let dir = tempfile::TempDir::new().unwrap();
    let cfg = guard::audit::AuditConfig { log: dir.path().join("audit.jsonl"), key: dir.path().join("key") };
    let record = || {
        let serde_json::Value::Object(m) = serde_json::json!({"mode": "wrap", "input": {"argv": ["/bin/true"]}, "verdict": "allow"}) else {
            return serde_json::Map::new();
        };
        m
    };
    guard::audit::append(&cfg, record()).unwrap();
    bencher.bench(|| guard::audit::append(&cfg, record()).unwrap());
}

/// A script of N lines of wrapped pipelines and N/3 function calls: the time per line must stay
/// flat as N grows (linear analysis), e.g. 1,000 vs 8,000 lines.
#[divan::bench(args = [1_000, 8_000])]
fn decide_large_script(bencher: divan::Bencher, n: usize) {
    let rules = RuleSet::builtin().unwrap();
    let mut text = String::new();
    for i in 0..n / 3 {
        text.push_str(&format!("f{i}() {{ g \"$@\"; }}\n"));
    }
    for i in 0..n {
        text.push_str(&format!("sudo -u root nice -n 5 timeout 5 ls -la /tmp/x{i} | grep foo\n"));
    }
    for i in 0..n / 3 {
        text.push_str(&format!("f{i} -la /tmp/y{i}\n"));
    }
    bencher.counter(divan::counter::ItemsCount::new(n)).bench(|| {
        let a = analyze_script(divan::black_box(&text), Path::new("/"));
        rules.decide(&a.facts)
    });
}
