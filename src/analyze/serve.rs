//! Web servers started on a directory: `python3 -m http.server --directory DIR`, `php -S
//! ADDR -t DIR`, `ruby -run -e httpd DIR`, `busybox httpd -h DIR`, `npx http-server DIR`. Each
//! serves every file under DIR to whoever connects; started in a credential store (`~/.ssh`,
//! `~/.aws`), the home directory or `/`, it hands the keys in it to the network (MITRE ATT&CK
//! T1048; the servers' own manuals: Python `http.server` "--directory", PHP "Built-in web
//! server" `-t`, Ruby `un.rb` `httpd`, BusyBox `httpd -h`, npm `http-server [path]`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{fs, Analyzer, Invocation};
use crate::catalog::PathMatch;
use crate::shell::Word;

/// Path handler `serve_directory`: a `net.serve` fact naming the directory served and its
/// path class ([`fs::classify`]: `root`, `home`, `credentials`, ...). The directory is the
/// path's `directory` attribute, else the directory the script `cd`-ed to, else `.` (every
/// listed server serves the working directory by default). A `code` attribute (Ruby's `-e`)
/// names the code run: only `httpd` (`un.rb`'s web server) serves a directory.
pub fn serve_directory(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let fact = m.fact_env(&inv.display(), inv.span(), &inv.env);
    if fact.attrs.get("code").is_some_and(|c| c.as_str() != Some("httpd")) {
        return;
    }
    let dir = fact.attrs.get("directory").and_then(|d| d.as_str()).unwrap_or(".").to_string();
    let word = Word { dynamic: dir.contains('$') || dir.contains('`'), ..Word::plain(&dir, inv.span()) };
    let class = fs::classify(&fs::in_cd(a, word));
    a.push(fact.with("program", inv.name.clone()).with("directory", dir).with("class", class.name()));
}
