//! The command catalog: what guard knows about each CLI, as data (`catalog/*.toml`, embedded
//! at build time like the rule packs; format in `docs/catalog.md`).
//!
//! An entry ([`Program`]) names a program (and its aliases), how it spells its options
//! ([`crate::argv::Spec`]), and either how it wraps another command ([`Wrapper`]: `sudo`,
//! `timeout`, `xargs`, ...) or which of its subcommand paths produce which facts
//! ([`CommandPath`]: `gh repo delete`, `kubectl delete`), with `block` and `allow` examples that
//! the test suite and `guard rules test` run through the whole pipeline.
//!
//! Layers: the built-in catalog, then `/etc/guard/catalog/*.toml`, then
//! `$XDG_CONFIG_HOME/guard/catalog/*.toml`, then a project's `.guard/catalog/*.toml` only when a
//! person approved its exact content with `guard trust`. A later layer's entry replaces an
//! earlier one for the same program name. An untrusted project layer is ignored: whoever runs
//! commands must not be able to redefine what a program does.
//!
//! Rust keeps what needs semantics (a wrapper's `handler`, a path's `handler`): bash, SQL,
//! paths, data flow and inline code.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::argv::{Spec, Style};
use crate::fact::Fact;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

/// How a wrapper passes control to the command it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rest {
    /// The operands after the wrapper's own are the inner argv (`sudo rm -rf /`).
    #[default]
    Argv,
    /// The operands after the wrapper's own are joined with spaces and run by a shell
    /// (`watch 'rm -rf /tmp/x'`, `ssh host rm -rf /`).
    Script,
    /// No inner command from operands (`script FILE` names a typescript file).
    None,
    /// The wrapper runs the shell script it reads on standard input (`echo CMD | at now`,
    /// `batch <<EOF`); the operands are its own (a time).
    Stdin,
}

/// How a program runs another command. Field names follow the entry format in
/// `docs/catalog.md`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Wrapper {
    /// How many operands belong to the wrapper before the inner command starts
    /// (`timeout DURATION CMD`: 1; `flock FILE CMD`: 1).
    #[serde(default)]
    pub operands: usize,
    /// Options whose value is shell code that the wrapper runs (`flock -c`, `su -c`).
    #[serde(default)]
    pub script_options: Vec<String>,
    /// Prefixes of a script option's value: when given, only a value starting with one of them
    /// is shell code, and the first matching prefix is removed (`vim -c '!CMD'`: `["!", ":!"]`;
    /// `tar --checkpoint-action=exec=CMD`: `["exec=", ""]`).
    #[serde(default)]
    pub script_prefixes: Vec<String>,
    /// Options after which no inner command runs (`sudo -e` edits files, `command -v` only
    /// looks a name up, `taskset -p` changes a running process).
    #[serde(default)]
    pub stop_if: Vec<String>,
    /// `NAME=VALUE` words before the inner command are its environment (`sudo A=1 cmd`).
    #[serde(default)]
    pub assignments: bool,
    /// What the remaining operands are.
    #[serde(default)]
    pub rest: Rest,
    /// Subcommand words that must come first for the entry to wrap (`ip netns exec NAME CMD`:
    /// `["netns", "exec"]`); without them the program is not a wrapper on this line.
    #[serde(default)]
    pub path: Vec<String>,
    /// The inner command is the words after the first `--` that ends the options
    /// (`kubectl exec POD -- ARGV`: the wrapper's own operands come before it); without a `--`,
    /// the operands after the wrapper's own, as usual.
    #[serde(default)]
    pub after_double_dash: bool,
    /// The inner command's first word is an npm package spec: `prisma@5` runs `prisma`,
    /// `@scope/name@1` runs `name` (npx, bunx, pnpx; `analyze::project::npm::package_bin`).
    #[serde(default)]
    pub package: bool,
    /// Semantics in Rust beyond options (`xargs` input, `env -S`, `find -exec`): the name of a
    /// handler in `analyze::unwrap`. The catalog still gives the option spec.
    #[serde(default)]
    pub handler: Option<String>,
}

/// Where a fact attribute's value comes from on a matched command line.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AttrSource {
    /// Taken from the command line.
    From(FromArgs),
    /// A constant (string, boolean or integer).
    Constant(Value),
}

/// An attribute read from the parsed command line; exactly one field is set.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FromArgs {
    /// Boolean: true if any of these options is given (and not `=false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<Vec<String>>,
    /// String: the value of the last of these options given (attribute absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Vec<String>>,
    /// Strings: every value of these options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// String: the operand at this index after the subcommand path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operand: Option<usize>,
    /// Strings: the operands from this index after the subcommand path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operands: Option<usize>,
    /// String: the subcommand path's word at this index, as written on the command line (what
    /// an alternative `a|b` or a pattern `delete-*` matched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word: Option<usize>,
    /// String: the value of the last of these environment variables set for the command
    /// (`RAILS_ENV=production rails ...`, through `env` or `sudo`), or given as a `NAME=VALUE`
    /// operand after the path, as rake and `rails` read them (`rake db:drop RAILS_ENV=production`).
    /// May be combined with `value`: an option given wins over the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
}

/// One subcommand path of a tool and the fact it produces.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommandPath {
    /// The subcommand words, matched against the leading operands; `a|b` accepts either
    /// (`["repo", "delete"]`, `["uninstall|delete|del|un"]`), and an alternative with `*`, `?`
    /// or `[...]` is a glob pattern over the whole word (`["*", "delete-*"]`).
    pub path: Vec<String>,
    /// The fact kind produced (declared in the fact registry); may be empty for a path that
    /// only runs commands (`run`) or whose handler makes facts of several kinds (`sed_execute`).
    #[serde(default)]
    pub fact: String,
    /// Commands the subcommand runs itself, through an option or its operands (`git rebase
    /// -x CMD`, `git submodule foreach CMD`, `git bisect run CMD ARGS`): analysed as what they run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<PathRun>,
    /// Options that make the command change nothing (`--dry-run`): no fact.
    #[serde(default)]
    pub unless: Vec<String>,
    /// Options of which at least one must be given for the path to apply
    /// (`terraform apply -destroy`); empty: none needed.
    #[serde(default)]
    pub require: Vec<String>,
    /// Semantics in Rust beyond options and operands (one fact per resource type named, a
    /// refspec's `+`): the name of a handler in `analyze::handlers`, which receives the match
    /// and makes the facts instead of the generic builder.
    #[serde(default)]
    pub handler: Option<String>,
    /// The fact's attributes, by name.
    #[serde(default)]
    pub attrs: BTreeMap<String, AttrSource>,
    /// Extra value-taking options of this subcommand (added to the program's).
    #[serde(default)]
    pub values: Vec<String>,
    /// Extra options of this subcommand known to take no value (added to the program's; only
    /// needed to resolve GNU long-option abbreviations: `git push --mir` is `--mirror`).
    #[serde(default)]
    pub flags: Vec<String>,
}

/// How a subcommand runs other commands (`[[program.command]] run`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PathRun {
    /// Options whose value is shell code it runs (`git rebase -x`, `--exec`); each must take a
    /// value (in the path's or the program's `values`).
    #[serde(default)]
    pub options: Vec<String>,
    /// What the operands after the path are: `script` (joined and run by a shell: `git
    /// submodule foreach CMD`), `argv` (a command and its arguments: `git bisect run CMD ARGS`);
    /// absent: data.
    #[serde(default)]
    pub rest: Option<Rest>,
}

/// How a secret option's value is written (see [`Secret`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretForm {
    /// The whole value is the secret: `-a SECRET`, `-aSECRET`, `--pass=SECRET`, `--pass SECRET`
    /// (a following word that starts with `-` is the next option: nothing to hide).
    #[default]
    Value,
    /// The secret is only given attached (`-pSECRET`, mysql's optional value); a bare `-p`
    /// prompts, and the next word is not a secret.
    Attached,
    /// The value is `USER:SECRET` and only the part after the first `:` is hidden
    /// (curl `-u user:SECRET`).
    Userinfo,
}

/// Options of a program whose values are secrets (passwords, tokens): redaction hides them
/// before a command reaches the audit log (`src/redact.rs`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// The options, as written (`-p`, `--password`).
    pub options: Vec<String>,
    /// How the value is written.
    #[serde(default)]
    pub form: SecretForm,
    /// Subcommand words that must follow the program name for these options to be secrets
    /// (`docker login -p`: `["login"]`; `docker run -p` is a port); `a|b` accepts either.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
}

/// The client language of a database client ([`Sql::dialect`]): the SQL dialect its text is
/// parsed in, and the client commands mixed into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SqlDialect {
    /// PostgreSQL SQL with psql meta-commands (`\!`, `\i`, `\copy`, `\gexec`).
    Postgres,
    /// MySQL / MariaDB SQL.
    Mysql,
    /// SQLite SQL with sqlite3 dot-commands (`.shell`, `.read`, `.once |CMD`).
    Sqlite,
    /// DuckDB SQL with the same dot-commands as sqlite3.
    Duckdb,
    /// ClickHouse SQL (`clickhouse-client`).
    Clickhouse,
    /// Microsoft SQL Server T-SQL (`sqlcmd`), with sqlcmd's `GO` batch separator.
    Mssql,
    /// Google BigQuery GoogleSQL (`bq query`).
    Bigquery,
    /// Snowflake SQL (`snowsql`).
    Snowflake,
    /// HiveQL and Spark SQL (`hive`, `beeline`, `spark-sql`).
    Hive,
    /// CQL (`cqlsh`): parsed with the permissive generic parser, with cqlsh's shell commands
    /// (`DESCRIBE`, `CONSISTENCY`, `SOURCE`, `COPY ... TO|FROM`).
    Cql,
    /// SQL of no particular dialect (a permissive parser), no client commands.
    #[default]
    Generic,
}

/// Where a database client takes the SQL it runs (`[program.sql]` in `docs/catalog.md`).
/// The SQL itself is analysed by `src/sql` in the entry's dialect; when none of these is given,
/// the client reads SQL from standard input, which is analysed too.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sql {
    /// Options whose value is SQL text (`psql -c`, `mysql -e`); each must take a value
    /// (`values` or `optional`).
    #[serde(default)]
    pub text: Vec<String>,
    /// Options whose value names a file of SQL (`psql -f`; `-` or `/dev/stdin` is standard
    /// input); each must take a value.
    #[serde(default)]
    pub file: Vec<String>,
    /// Operands from this index on (counted after [`Sql::path`]) are SQL text
    /// (`sqlite3 DB SQL...`: 1; `bq query SQL`: 0); absent: none are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operands: Option<usize>,
    /// Subcommand words that must come first for the program to run SQL (`bq query`,
    /// `cockroach sql`, `snow sql`; `a|b` accepts either); empty: every command line does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// The client language.
    #[serde(default)]
    pub dialect: SqlDialect,
}

/// Option names as `&str`, for [`crate::argv::Parsed::has`] and friends.
pub fn option_names(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The language of inline interpreter code ([`Code::language`]): which calls
/// `src/analyze/code.rs` looks for and how its strings and comments are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Python (`os.system`, `shutil.rmtree`, `subprocess.run`).
    Python,
    /// JavaScript and TypeScript (`child_process.execSync`, `fs.rmSync`).
    Javascript,
    /// Perl (`system`, `unlink`, `rmtree`, backticks).
    Perl,
    /// Ruby (`system`, `FileUtils.rm_rf`, backticks).
    Ruby,
    /// PHP (`shell_exec`, `unlink`, backticks).
    Php,
    /// awk (`system(cmd)`).
    Awk,
    /// Lua (`os.execute`, `io.popen`, `os.remove`).
    Lua,
}

impl Language {
    /// The name used in facts (`code.inline` attr `language`).
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Javascript => "javascript",
            Language::Perl => "perl",
            Language::Ruby => "ruby",
            Language::Php => "php",
            Language::Awk => "awk",
            Language::Lua => "lua",
        }
    }
}

/// What an interpreter's first operand (after [`Code::path`]) is when no [`Code::text`] or
/// [`Code::file`] option is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeOperand {
    /// A script file (`python3 x.py`); `-` or none: the script is read on standard input; an
    /// `http(s)://` URL is code downloaded at run time (`deno run https://...`).
    #[default]
    File,
    /// The program text itself (`awk 'PROGRAM' FILE...`, `deno eval CODE`).
    Code,
    /// Nothing the interpreter runs.
    None,
}

/// Where an interpreter takes the code it runs (`[[program.code]]` in `docs/catalog.md`). The
/// code itself is read by `src/analyze/code.rs` in [`Code::language`].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// The language of the code.
    pub language: Language,
    /// Subcommand words that must come first (`deno eval CODE`: `["eval"]`); empty: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// Options whose value is code (`python -c`, `node -e`, `perl -e`); each must take a value.
    #[serde(default)]
    pub text: Vec<String>,
    /// Options whose value names a program file (`awk -f`, `php -f`); with one given, the
    /// operands are data, and nothing is read from standard input as code.
    #[serde(default)]
    pub file: Vec<String>,
    /// What the first operand is.
    #[serde(default)]
    pub operand: CodeOperand,
    /// Options after which the interpreter runs no code text, file or stdin that guard reads
    /// (`python -m MODULE` runs an installed module).
    #[serde(default)]
    pub stop_if: Vec<String>,
}

/// When a program's standard output is decoded text (`base64 -d`, `xxd -r`, `rev`): run by a
/// shell, it is hidden code (`exec.obfuscated`). An empty table: always.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Decodes {
    /// It decodes only when one of these options is given (`-d`, `--decode`); empty: always.
    #[serde(default)]
    pub options: Vec<String>,
    /// It does not decode when one of these options is given (`tr -d` deletes).
    #[serde(default)]
    pub unless: Vec<String>,
    /// It decodes only with exactly this many operands (`tr SET1 SET2` translates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operands: Option<usize>,
}

impl Decodes {
    /// True if a command line parsed with the entry's spec decodes.
    pub fn applies(&self, parsed: &crate::argv::Parsed) -> bool {
                (self.options.is_empty() || parsed.has(&option_names(&self.options)))
            && !parsed.has(&option_names(&self.unless))
            && self.operands.is_none_or(|n| parsed.operands.len() == n)
    }
}

/// How a network client sends data (`[program.send]` in `docs/catalog.md`). The data flow
/// from sensitive sources to these sends is followed by `analyze::net`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Send {
    /// How it sends and where the remote is on its command line.
    pub mode: SendMode,
    /// Subcommand words that must come first (after the entry's `prefixes`) for the program to
    /// send (`aws s3 cp|mv|sync`, `openssl s_client`); `a|b` accepts either.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// Extra value-taking options on that path (added to the entry's `values`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Options whose value names the remote (`curl --url`, `openssl s_client -connect`); the
    /// last one given wins over the operands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host: Vec<String>,
    /// Options that make it wait for a connection instead of connecting (`nc -l`): the host is
    /// `listen`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<String>,
    /// What it does with its standard input.
    #[serde(default)]
    pub stdin: StdinUse,
    /// Options after which it reads nothing from standard input (`ssh -n`, `http --ignore-stdin`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_stdin: Vec<String>,
    /// Options whose value is sent: a request body, a form field, a file to upload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<Body>,
    /// Values of a file-naming option or operand that mean standard input (default `["-"]`;
    /// `/dev/stdin`, `/dev/fd/0` and `/proc/self/fd/0` always do).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stdin_files: Vec<String>,
    /// `copy`: URL schemes of remote operands (`s3://`); empty: `[user@]host:path`,
    /// `host::module` and `rsync://`, `scp://`, `sftp://` URLs are remote.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemes: Vec<String>,
    /// `batch`: the commands read on standard input that upload the local file named by their
    /// first argument (`put`, `mput`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// `request`: the operands after the URL are HTTPie request items (`name=value`,
    /// `name@FILE`, `name=@FILE`, `name:=@FILE`), and a leading upper-case operand is the
    /// method.
    #[serde(default)]
    pub items: bool,
    /// `files`: the service the files go to (`gist.github.com`), the sink's `host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Extra no-value options on that path; they win over the entry's `values` (`gh gist
    /// create -p` is `--public`, not `--preview VALUE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// How a network client sends ([`Send::mode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SendMode {
    /// An HTTP-style request to the URL in the first operand (or a `host` option): it sends
    /// data only through a `body` option (or request items, or its standard input per `stdin`);
    /// without one, a request whose words hold substitutions may carry data in the URL or a
    /// header (method `request`).
    #[default]
    Request,
    /// A byte stream to the host in the first operand (or a `host` option): `nc`, `telnet`,
    /// `openssl s_client`, `ssh` (method `stream`).
    Stream,
    /// A file copy: the last operand is the destination; when it is remote, the other
    /// operands are local files sent (method `copy`).
    Copy,
    /// An interactive file transfer to the host in the first operand, driven by commands on
    /// standard input (`sftp`, `ftp`; method `copy`).
    Batch,
    /// Two `socat` addresses (`TCP:host:port`, `FILE:path`, `-`).
    Addresses,
    /// An upload of files to a fixed service ([`Send::to`]): every operand is a local file
    /// sent (`-`: standard input; no operand and a given standard input: that), as
    /// `gh gist create FILE...` (method `upload`).
    Files,
}

/// What a network client does with its standard input ([`Send::stdin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StdinUse {
    /// It reads it only where an option or operand names standard input (`curl -d @-`).
    #[default]
    Named,
    /// It sends all of it (`nc`).
    Always,
    /// It sends it when the command line gives it one (a pipe, a heredoc, a `<` redirect);
    /// otherwise it is a terminal session (`ssh`, `http`).
    Given,
}

/// Options whose value is sent ([`Send::body`]).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// The options, as written; each must take a value.
    pub options: Vec<String>,
    /// `post` (form or data fields), `upload` (a file or standard input as the body) or `file`
    /// (only a file the value names is sent).
    #[serde(default)]
    pub method: BodyMethod,
    /// Where a file the option reads is named in its value.
    #[serde(default)]
    pub file: FileForm,
}

/// How a body option sends ([`Body::method`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyMethod {
    /// Form or data fields.
    #[default]
    Post,
    /// A file or standard input as the body; wins over `post`.
    Upload,
    /// Only a file the value names is sent, as `upload` (`curl -H @FILE`: headers read from a
    /// file); other values send nothing of note (`-H 'Accept: x'`).
    File,
}

/// Where a body option's value names a file it reads ([`Body::file`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileForm {
    /// Never: the value is the data (`curl --data-raw`, `wget --post-data`).
    #[default]
    None,
    /// The value is the file (`curl -T FILE`, `wget --post-file=FILE`).
    Value,
    /// `@FILE` (`curl -d @FILE`); other values are data.
    At,
    /// `[NAME]@FILE`, NAME without `=` (`curl --data-urlencode name@FILE`).
    NameAt,
    /// `NAME=@FILE` or `NAME=<FILE`, with `;type=...` parameters (`curl -F`).
    Form,
}

/// A program that prints sensitive data on its standard output (`[[program.prints]]` in
/// `docs/catalog.md`): a database dump, the environment, secret keys. `analyze::net` makes a
/// `data.source` fact of it, which feeds `net.exfil` when the output reaches a network sink.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Prints {
    /// The `data.source` kind: one of [`SOURCE_KINDS`].
    pub kind: String,
    /// The entry's names this applies to (empty: all): `mysqldump` in the MySQL tools' entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// The `path` attribute (what is read); default: the program name as invoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Options of which one must be given (`gpg --export-secret-keys`); empty: none needed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require: Vec<String>,
    /// True: it prints only with no arguments at all, or with a `require` option (`set`,
    /// `declare`, `export`); `NAME=VALUE` declarations count as arguments.
    #[serde(default)]
    pub bare: bool,
    /// True: it prints only when no operand is given (`env` runs its operands instead).
    #[serde(default)]
    pub no_operands: bool,
    /// Options naming where it writes instead (`pg_dump -f`, `mongodump --archive`): the last
    /// one given decides; a value in [`STDOUT_FILES`], or none (`--archive` alone), is still
    /// standard output.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
    /// True (default): without an `output` option it writes to standard output; false: only an
    /// `output` option naming standard output makes it print (`redis-cli --rdb -`).
    #[serde(default = "yes")]
    pub stdout: bool,
}

fn yes() -> bool {
    true
}

/// The `data.source` kinds a `[[program.prints]]` may produce.
pub const SOURCE_KINDS: &[&str] = &["secret_file", "env_dump", "db_dump"];

/// Output file names that are standard output ([`Prints::output`]).
pub const STDOUT_FILES: &[&str] = &["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"];

pub use crate::data_file::Examples;

/// One catalog entry: a CLI and everything guard knows about how it is called.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// Program names (base names as bash looks them up): `["kubectl", "oc"]`.
    pub names: Vec<String>,
    /// One line: what the program does.
    pub summary: String,
    /// Where the option spec comes from (a manual page, `--help` of a version).
    pub source: String,
    /// Option convention.
    #[serde(default)]
    pub style: Style,
    /// Options that take a value (`-u`, `--user`).
    #[serde(default)]
    pub values: Vec<String>,
    /// Options known to take no value (for long-option abbreviations).
    #[serde(default)]
    pub flags: Vec<String>,
    /// Options whose value is optional and only given attached (`mysql -pSECRET`,
    /// `--password=SECRET`; getopt `p::`): a bare `-p` never takes the next word.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional: Vec<String>,
    /// Options whose values are secrets, for redaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    /// For a database client: which options and operands carry SQL, and its dialect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<Sql>,
    /// For a network client: how it sends data (`analyze::net`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<Send>,
    /// Sensitive data it prints on standard output (`analyze::net`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prints: Vec<Prints>,
    /// For an interpreter: where it takes the code it runs, and its language; one item per
    /// subcommand path (`deno eval`, `deno run`), the first that matches counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<Code>,
    /// When its standard output is decoded text (`base64 -d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decodes: Option<Decodes>,
    /// True if it prints what it fetches from the network (`curl URL`, `wget -O- URL`): run by
    /// a shell, that output is code downloaded at run time (`exec.remote_code`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub downloads: bool,
    /// Words that may come before any subcommand path and are skipped (gcloud's release
    /// tracks `alpha`, `beta`, `preview`; terragrunt's `run-all`, `run`).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// True if the words of a path may be separated by other operands: values of options the
    /// entry does not list (`gcloud container --some-flag x clusters delete c`). The first
    /// word must still come first (after [`Program::prefixes`]).
    #[serde(default)]
    pub gaps: bool,
    /// Environment variables whose value the program reads as more arguments, split as a
    /// shell would and inserted right after its subcommand (the first operand that is not a
    /// prefix), each in turn; `{subcommand}` in a name stands for that word. Terraform and
    /// OpenTofu: `TF_CLI_ARGS`, `TF_CLI_ARGS_{subcommand}` (Terraform CLI docs, "Environment
    /// Variables"). See [`Program::with_env_args`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_args: Vec<String>,
    /// How it wraps another command, if it does.
    #[serde(default)]
    pub wrapper: Option<Wrapper>,
    /// Subcommand paths that produce facts.
    #[serde(default, rename = "command")]
    pub commands: Vec<CommandPath>,
    /// Examples run by the test suite and `guard rules test`.
    #[serde(default)]
    pub examples: Examples,
    /// Where the entry was loaded from (`builtin:wrappers.toml`, a path). Set by the loader.
    #[serde(skip_deserializing, default)]
    pub origin: String,
    /// The option spec built from `style`, `values` and `flags`. Set by the loader.
    #[serde(skip)]
    spec: Spec,
}

impl Program {
    /// The argv spec of the program's own options.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The entry's spec with a subcommand's extra value-taking options and flags.
    fn spec_with(&self, values: &[String], flags: &[String]) -> std::borrow::Cow<'_, Spec> {
        if values.is_empty() && flags.is_empty() {
            return std::borrow::Cow::Borrowed(&self.spec);
        }
        let mut s = self.spec.clone();
        s.values.extend(values.iter().cloned());
        // A path's own flags win over the entry's values (`gh gist create -p`: `--public`).
        s.values.retain(|v| !flags.contains(v));
        s.flags.extend(flags.iter().cloned());
        std::borrow::Cow::Owned(s)
    }

    /// Every subcommand path of this entry that `args` (the words after the program name)
    /// take, parsed with the path's option spec, in catalog order.
    ///
    /// For styles whose options end at the first operand (`goflag`, `posix`), each prefix and
    /// path word starts a new option list, as a Go `flag.FlagSet` per subcommand does
    /// (`terraform -chdir=x apply -destroy`, `terragrunt run --all destroy`).
    pub fn matches(&self, args: &[crate::shell::Word]) -> Vec<PathMatch<'_>> {
        let mut out = vec![];
        for c in &self.commands {
            let spec = self.spec_with(&c.values, &c.flags);
            let parsed = self.parse_path(args, &spec, &c.path);
            let Some((words, end)) = self.find_path(&parsed.operands, &c.path) else { continue };
            let unless = option_names(&c.unless);
            let require = option_names(&c.require);
            // Where options end at the first operand, a required option written after an
            // operand still counts (an option whose value the entry does not know must not
            // hide `-destroy`); `unless` options there do not.
            let late = |w: &crate::shell::Word| crate::argv::parse(std::slice::from_ref(w), &spec).has(&require);
            let required = parsed.has(&require)
                || (matches!(spec.style, Style::GoFlag | Style::Posix) && parsed.operands.get(end..).unwrap_or_default().iter().any(late));
            if unless_given(&parsed, &unless, spec.style) || (!require.is_empty() && !required) {
                continue;
            }
            out.push(PathMatch { program: self, path: c, parsed, words, end });
        }
        out
    }

    /// `args` (the words after the program name) with the words of the [`Program::env_args`]
    /// variables set in `env` (name, value; the last one of a name counts) inserted after the
    /// subcommand, or `None` when none applies. A value that does not split as shell words is
    /// split on whitespace; inserted words are literal and carry `span`.
    pub fn with_env_args(
        &self,
        args: &[crate::shell::Word],
        env: &[(String, String)],
        span: crate::fact::Span,
    ) -> Option<Vec<crate::shell::Word>> {
        if self.env_args.is_empty() {
            return None;
        }
        let parsed = crate::argv::parse(args, &self.spec);
        let sub = parsed.operands.iter().find(|w| !self.prefixes.contains(&w.text))?;
        let at = args.iter().position(|w| w.span == sub.span && w.text == sub.text)?;
        let mut out = args.to_vec();
        let mut changed = false;
        for name in &self.env_args {
            let name = name.replace("{subcommand}", &sub.text);
            let Some((_, value)) = env.iter().rev().find(|(n, _)| *n == name) else { continue };
            let words = shlex::split(value).unwrap_or_else(|| value.split_whitespace().map(str::to_string).collect());
            let tail = out.split_off((at + 1).min(out.len()));
            out.extend(words.iter().map(|w| crate::shell::Word::plain(w, span)));
            out.extend(tail);
            changed |= !words.is_empty();
        }
        changed.then_some(out)
    }

    /// The send of this entry ([`Program::send`]) if `args` (the words after the program name)
    /// take its subcommand path, parsed with the entry's spec plus the send's `values`.
    pub fn send_match(&self, args: &[crate::shell::Word]) -> Option<SendMatch<'_>> {
        let send = self.send.as_ref()?;
        let spec = self.spec_with(&send.values, &send.flags);
        let parsed = self.parse_path(args, &spec, &send.path);
        let (_, end) = self.find_path(&parsed.operands, &send.path)?;
        Some(SendMatch { send, parsed, end })
    }

    /// The first [`Code`] item whose path `args` (the words after the program name) take,
    /// with the command line parsed by the entry's spec and the index in its operands just
    /// after the path; `None` for an entry without one, or a line that takes none of them.
    pub fn code_at(&self, args: &[crate::shell::Word]) -> Option<(&Code, crate::argv::Parsed, usize)> {
        self.code.iter().find_map(|c| {
            let parsed = self.parse_path(args, &self.spec, &c.path);
            let (_, end) = self.find_path(&parsed.operands, &c.path)?;
            Some((c, parsed, end))
        })
    }

    /// The command line parsed by the entry's spec and the index in its operands just after
    /// the [`Sql::path`], if the entry runs SQL and `args` (the words after the program name)
    /// take that path.
    pub fn sql_at(&self, args: &[crate::shell::Word]) -> Option<(crate::argv::Parsed, usize)> {
        let sql = self.sql.as_ref()?;
        let parsed = self.parse_path(args, &self.spec, &sql.path);
        let (_, end) = self.find_path(&parsed.operands, &sql.path)?;
        Some((parsed, end))
    }

    /// Parses `args`; for a style that stops at the first operand, parses again after each
    /// leading operand that is a prefix or the next word of `path`, so a subcommand's own
    /// options are options.
    fn parse_path(&self, args: &[crate::shell::Word], spec: &Spec, path: &[String]) -> crate::argv::Parsed {
        let mut parsed = crate::argv::parse(args, spec);
        if !matches!(spec.style, Style::GoFlag | Style::Posix) {
            return parsed;
        }
        let mut rest = std::mem::take(&mut parsed.operands);
        let mut next = path.iter().peekable();
        while let Some((first, tail)) = rest.split_first() {
            let started = next.len() < path.len();
            if next.peek().is_some_and(|want| word_matches(want, &first.text)) {
                next.next();
            } else if started || !self.prefixes.contains(&first.text) {
                break;
            }
            parsed.operands.push(first.clone());
            let again = crate::argv::parse(tail, spec);
            parsed.options.extend(again.options);
            parsed.double_dash |= again.double_dash;
            rest = again.operands;
        }
        parsed.operands.extend(rest);
        parsed
    }

    /// Where `path` is in `operands`: the words it matched, as written, and the index just
    /// after its last word. Leading [`Program::prefixes`] are skipped; with [`Program::gaps`]
    /// other operands may separate the path's words.
    fn find_path(&self, operands: &[crate::shell::Word], path: &[String]) -> Option<(Vec<String>, usize)> {
        let first = path.first().map(String::as_str).unwrap_or_default();
        let mut at = operands.iter().take_while(|w| self.prefixes.contains(&w.text) && !word_matches(first, &w.text)).count();
        let mut words = vec![];
        for (k, want) in path.iter().enumerate() {
            let rest = operands.get(at..)?;
            let skip = if self.gaps && k > 0 {
                rest.iter().position(|w| word_matches(want, &w.text))?
            } else if rest.first().is_some_and(|w| word_matches(want, &w.text)) {
                0
            } else {
                return None;
            };
            at += skip;
            words.push(operands.get(at)?.text.clone());
            at += 1;
        }
        Some((words, at))
    }
}

/// True if one of the `unless` options is in effect: its last mention is the option itself,
/// not `=false`, and not a later `--no-NAME` undoing it (argparse, getopt tools and git pair
/// `--dry-run` with `--no-dry-run`, and the last one wins: `aws ec2 terminate-instances
/// --dry-run --no-dry-run` terminates). For `gnu` and `posix` styles an abbreviation of
/// `--no-NAME` (`--no-dry`) undoes it too.
fn unless_given(p: &crate::argv::Parsed, unless: &[&str], style: Style) -> bool {
    unless.iter().any(|name| {
        let body = name.trim_start_matches('-');
        let negation = format!("--no-{body}");
        let negates = |o: &str| {
            o == negation || (matches!(style, Style::Gnu | Style::Posix) && o.len() > "--no-".len() && negation.starts_with(o))
        };
        let last = p.options.iter().rev().find(|o| o.name == *name || negates(&o.name));
        last.is_some_and(|o| !negates(&o.name) && o.is_set())
    })
}

/// True if `word` is one of the `|`-separated alternatives of a path word; an alternative with
/// `*`, `?` or `[` is a glob pattern (an invalid pattern matches nothing).
pub fn word_matches(alternatives: &str, word: &str) -> bool {
    alternatives.split('|').any(|alt| {
        if alt.contains(['*', '?', '[']) {
            glob::Pattern::new(alt).is_ok_and(|p| p.matches(word))
        } else {
            alt == word
        }
    })
}

/// A command line that takes an entry's [`Send`] path.
#[derive(Debug)]
pub struct SendMatch<'c> {
    /// How the program sends.
    pub send: &'c Send,
    /// The arguments parsed with the entry's spec and the send's `values`.
    pub parsed: crate::argv::Parsed,
    /// The index in `parsed.operands` just after the send's path.
    pub end: usize,
}

impl SendMatch<'_> {
    /// The operands after the send's path words.
    pub fn operands(&self) -> &[crate::shell::Word] {
        self.parsed.operands.get(self.end..).unwrap_or_default()
    }
}

/// A command line that takes one of an entry's subcommand paths.
#[derive(Debug)]
pub struct PathMatch<'c> {
    /// The entry.
    pub program: &'c Program,
    /// The path taken.
    pub path: &'c CommandPath,
    /// The arguments parsed with the path's option spec.
    pub parsed: crate::argv::Parsed,
    /// The operands the path's words matched, as written.
    pub words: Vec<String>,
    /// The index in `parsed.operands` just after the path's last word.
    pub end: usize,
}

impl PathMatch<'_> {
    /// The operands after the subcommand words.
    pub fn operands(&self) -> &[crate::shell::Word] {
        self.parsed.operands.get(self.end..).unwrap_or_default()
    }

    /// The fact the path declares, with its attributes read from the command line, a
    /// `program` attribute (the entry's first name), and `summary` and `span`. Attributes
    /// read from the environment (`env`) see only `NAME=VALUE` operands; see [`PathMatch::fact_env`].
    pub fn fact(&self, summary: &str, span: crate::fact::Span) -> Fact {
        self.fact_env(summary, span, &[])
    }

    /// [`PathMatch::fact`] for a command run with the environment assignments `env`
    /// (`NAME`, `VALUE`), which `env` attribute sources read.
    pub fn fact_env(&self, summary: &str, span: crate::fact::Span, env: &[(String, String)]) -> Fact {
        let after: Vec<&str> = self.operands().iter().map(|w| w.text.as_str()).collect();
        let all: Vec<&str> = self.parsed.operands.iter().map(|w| w.text.as_str()).collect();
        let mut f = Fact::new(&self.path.fact, summary.to_string(), span)
            .with("program", self.program.names.first().cloned().unwrap_or_default());
        for (k, src) in &self.path.attrs {
            let v = match src {
                AttrSource::Constant(v) => Some(v.clone()),
                AttrSource::From(a) => attr_value(a, &self.parsed, &after, &self.words)
                    .or_else(|| a.env.as_ref().and_then(|names| env_value(names, env, &all))),
            };
            if let Some(v) = v {
                f.attrs.insert(k.clone(), v);
            }
        }
        f
    }
}

/// The value of the last of the environment variables `names` set by `env` or by a
/// `NAME=VALUE` word among the command's `operands` (rake reads those as its environment).
fn env_value(names: &[String], env: &[(String, String)], operands: &[&str]) -> Option<Value> {
    let given = env.iter().map(|(n, v)| (n.as_str(), v.as_str())).chain(operands.iter().filter_map(|o| o.split_once('=')));
    let given: Vec<(&str, &str)> = given.collect();
    given.into_iter().rev().find(|(n, _)| names.iter().any(|x| x == n)).map(|(_, v)| Value::String(v.to_string()))
}

fn attr_value(a: &FromArgs, p: &crate::argv::Parsed, after: &[&str], words: &[String]) -> Option<Value> {
    let names = option_names;
    if let Some(o) = &a.option {
        return Some(Value::Bool(p.has(&names(o))));
    }
    if let Some(o) = &a.value {
        return p.value(&names(o)).map(|w| Value::String(w.text.clone()));
    }
    if let Some(o) = &a.values {
        return Some(Value::from(p.values(&names(o)).iter().map(|w| w.text.clone()).collect::<Vec<_>>()));
    }
    if let Some(i) = a.operand {
        return after.get(i).map(|s| Value::String(s.to_string()));
    }
    if let Some(i) = a.operands {
        return Some(Value::from(after.get(i..).unwrap_or_default().iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    }
    if let Some(i) = a.word {
        return words.get(i).map(|s| Value::String(s.clone()));
    }
    None
}

/// The wrapper handlers `analyze::unwrap` has: a `[program.wrapper] handler` must name one.
pub const WRAPPER_HANDLERS: &[&str] =
    &["alias", "busybox", "container", "coproc", "env", "eval", "find", "guard", "parallel", "shell", "source", "ssh", "su", "trap", "xargs"];

/// The path handlers `analyze::handlers` has: a `[[program.command]] handler` must name one.
pub const PATH_HANDLERS: &[&str] = &[
    // files overwritten (analyze/fs.rs)
    "overwrite",
    // issue 8 breadth: rsync --delete (analyze/fs.rs), containers mounting the host
    // (analyze/container.rs), sed scripts that execute (analyze/sed.rs)
    "sync_delete",
    "host_mount",
    "sed_execute",
    // web servers started on a directory (analyze/serve.rs)
    "serve_directory",
    // cloud (analyze/cloud.rs)
    "aws_delete",
    "iac_destroy",
    "storage_rm",
    "storage_sync",
    // data stores (analyze/datastore.rs)
    "mongo_js",
    "mysqladmin",
    "redis",
    "restore_to_database",
    // HTTP requests as commands (analyze/http.rs)
    "http_request",
    // git (analyze/git.rs)
    "git_branch_delete",
    "git_checkout",
    "git_clean",
    "git_filter_branch",
    "git_push",
    "git_restore",
    // Kubernetes (analyze/k8s.rs)
    "k8s",
    "k8s_secret",
    // files and disks (analyze/fs.rs)
    "dd",
    "delete",
    "device_write",
    "disk_write",
    "find_delete",
    "format",
    "permissions",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    program: Vec<Program>,
}

/// A catalog file that could not be loaded, with the place to fix.
pub type CatalogError = crate::data_file::DataError;

/// A built-in catalog file (`catalog/*.toml`, embedded).
pub type BuiltinFile = crate::data_file::Embedded;

/// One `secrets` item of a built-in entry, as `build.rs` tabulates them (so redaction needs no
/// catalog parsing).
#[derive(Debug, Clone, Copy)]
pub struct BuiltinSecret {
    /// The entry's program names.
    pub names: &'static [&'static str],
    /// Subcommand words that must follow the program name.
    pub path: &'static [&'static str],
    /// The secret options.
    pub options: &'static [&'static str],
    /// `value`, `attached` or `userinfo` ([`SecretForm`]).
    pub form: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));

use crate::data_file::line_col;

/// Parses one catalog file (TOML). `name` is used in errors and as the entries' origin.
pub fn parse_file(name: &str, text: &str) -> Result<Vec<Program>, CatalogError> {
    let file: CatalogFile = toml::from_str(text).map_err(|e| CatalogError::toml(name, text, &e))?;
    check(name, text, file.program)
}

/// Checks freshly parsed entries, builds their specs and sets their origin; `text` locates
/// errors.
fn check(name: &str, text: &str, mut programs: Vec<Program>) -> Result<Vec<Program>, CatalogError> {
    for p in &mut programs {
        let first = p.names.first().cloned().unwrap_or_default();
        let err = |message: String| {
            let at = text.find(&format!("\"{first}\"")).unwrap_or(0);
            let (line, column) = line_col(text, at);
            CatalogError { file: name.to_string(), line, column, message }
        };
        if p.names.is_empty() || p.names.iter().any(|n| n.is_empty() || n.contains('/') || n.contains(char::is_whitespace)) {
            return Err(err(format!("program names {:?} must be non-empty base names", p.names)));
        }
        let options = p.values.iter().chain(&p.flags).chain(&p.optional).chain(p.commands.iter().flat_map(|c| c.values.iter().chain(&c.flags)));
        let secrets = p.secrets.iter().flat_map(|s| s.options.iter());
        let sql = p.sql.iter().flat_map(|s| s.text.iter().chain(&s.file));
        let code = p.code.iter().flat_map(|c| c.text.iter().chain(&c.file).chain(&c.stop_if));
        let decodes = p.decodes.iter().flat_map(|d| d.options.iter().chain(&d.unless));
        if let Some(bad) = options.chain(secrets).chain(sql).chain(code).chain(decodes).find(|o| !o.starts_with('-') || o.len() < 2) {
            return Err(err(format!("{first}: option {bad:?} must start with '-'")));
        }
        if let Some(s) = p.secrets.iter().find(|s| s.options.is_empty()) {
            return Err(err(format!("{first}: a secret needs options (path {:?})", s.path)));
        }
        if let Some(bad) = p.sql.iter().flat_map(|s| s.text.iter().chain(&s.file)).find(|o| !p.values.contains(o) && !p.optional.contains(o)) {
            return Err(err(format!("{first}: SQL option {bad:?} must take a value (list it in `values` or `optional`)")));
        }
        if let Some(bad) = p.code.iter().flat_map(|c| c.text.iter().chain(&c.file)).find(|o| !p.values.contains(o)) {
            return Err(err(format!("{first}: code option {bad:?} must take a value (list it in `values`)")));
        }
        if let Some(c) = p.code.iter().find(|c| c.path.iter().any(String::is_empty)) {
            return Err(err(format!("{first}: code path {:?} has an empty word", c.path)));
        }
        if let Some(h) = p.wrapper.as_ref().and_then(|w| w.handler.as_deref())
            && !WRAPPER_HANDLERS.contains(&h)
        {
            return Err(err(format!("{first}: unknown wrapper handler {h:?} (known: {})", WRAPPER_HANDLERS.join(", "))));
        }
        for c in &p.commands {
            if let Some(h) = c.handler.as_deref()
                && !PATH_HANDLERS.contains(&h)
            {
                return Err(err(format!("{first} {}: unknown handler {h:?} (known: {})", c.path.join(" "), PATH_HANDLERS.join(", "))));
            }
            check_path_facts(c).map_err(|m| err(format!("{first} {}: {m}", c.path.join(" "))))?;
            for (attr, src) in &c.attrs {
                if let AttrSource::Constant(v) = src
                    && !(v.is_string() || v.is_boolean() || v.is_i64() || v.is_u64())
                {
                    return Err(err(format!(
                        "{first} {}: attribute {attr}: a constant must be a string, boolean or integer, or a table with one of option, value, values, operand, operands, word",
                        c.path.join(" ")
                    )));
                }
                if let AttrSource::From(a) = src {
                    let set = [a.option.is_some(), a.value.is_some(), a.values.is_some(), a.operand.is_some(), a.operands.is_some(), a.word.is_some()];
                    let count = set.iter().filter(|s| **s).count();
                    // `env` stands alone or beside `value` (an option wins over the environment).
                    let env_ok = a.env.is_none() || count == 0 || (count == 1 && a.value.is_some());
                    if (count != 1 && !(count == 0 && a.env.is_some())) || !env_ok {
                        return Err(err(format!(
                            "{first} {}: attribute {attr} needs exactly one of option, value, values, operand, operands, word, env (env may go with value)",
                            c.path.join(" ")
                        )));
                    }
                    if a.word.is_some_and(|i| i >= c.path.len()) {
                        return Err(err(format!("{first} {}: attribute {attr}: the path has no word {:?}", c.path.join(" "), a.word)));
                    }
                }
            }
        }
        check_send_prints(p).map_err(err)?;
        // A wrapper's shell-code options (`-c STRING`) take a value too.
        let mut values = p.values.clone();
        values.extend(p.wrapper.iter().flat_map(|w| w.script_options.iter()).filter(|o| !p.values.contains(o)).cloned());
        p.spec = Spec { style: p.style, values, flags: p.flags.clone(), optional: p.optional.clone() };
        p.origin = name.to_string();
    }
    Ok(programs)
}

/// Checks an entry's `[program.send]` and `[[program.prints]]`: options are spelt as options,
/// those that must take a value do, the fields fit the mode, kinds and names are known.
fn check_send_prints(p: &Program) -> Result<(), String> {
    let first = p.names.first().map(String::as_str).unwrap_or_default();
    let extra = p.send.iter().flat_map(|s| s.values.iter());
    let takes = |o: &String| p.values.contains(o) || p.optional.contains(o) || p.send.as_ref().is_some_and(|s| s.values.contains(o));
    if let Some(s) = &p.send {
        let valued = s.host.iter().chain(s.body.iter().flat_map(|b| b.options.iter()));
        let all = valued.clone().chain(extra).chain(&s.listen).chain(&s.no_stdin);
        if let Some(bad) = all.clone().find(|o| !o.starts_with('-') || o.len() < 2) {
            return Err(format!("{first}: send option {bad:?} must start with '-'"));
        }
        if let Some(bad) = valued.clone().find(|o| !takes(o)) {
            return Err(format!("{first}: send option {bad:?} must take a value (list it in `values`)"));
        }
        if let Some(b) = s.body.iter().find(|b| b.options.is_empty()) {
            return Err(format!("{first}: a send body needs options ({:?})", b.method));
        }
        let misplaced = [
            ("commands", !s.commands.is_empty(), SendMode::Batch),
            ("schemes", !s.schemes.is_empty(), SendMode::Copy),
            ("items", s.items, SendMode::Request),
            ("to", s.to.is_some(), SendMode::Files),
        ];
        if let Some((field, _, mode)) = misplaced.iter().find(|(_, set, mode)| *set && s.mode != *mode) {
            return Err(format!("{first}: send field {field} is only for mode {mode:?}"));
        }
        if s.mode == SendMode::Files && s.to.as_deref().is_none_or(str::is_empty) {
            return Err(format!("{first}: send mode files needs `to` (the service the files go to)"));
        }
    }
    for pr in &p.prints {
        if !SOURCE_KINDS.contains(&pr.kind.as_str()) {
            return Err(format!("{first}: prints kind {:?} is not one of {}", pr.kind, SOURCE_KINDS.join(", ")));
        }
        if let Some(bad) = pr.names.iter().find(|n| !p.names.contains(n)) {
            return Err(format!("{first}: prints name {bad:?} is not one of the entry's names"));
        }
        if let Some(bad) = pr.require.iter().chain(&pr.output).find(|o| !o.starts_with('-') || o.len() < 2) {
            return Err(format!("{first}: prints option {bad:?} must start with '-'"));
        }
        if let Some(bad) = pr.output.iter().find(|o| !takes(o)) {
            return Err(format!("{first}: output option {bad:?} must take a value (list it in `values` or `optional`)"));
        }
    }
    Ok(())
}

/// Checks a path's fact kind and attributes against the fact registry (`facts.toml`): the kind
/// exists, each attribute is declared, and its source gives the declared type (`option`: bool,
/// `value`/`operand`/`word`: string, `values`/`operands`: strings, a constant: its own type).
fn check_path_facts(c: &CommandPath) -> Result<(), String> {
    use crate::registry::AttrType;
    let reg = crate::registry::get().map_err(|e| format!("the fact registry does not load: {e}"))?;
    if c.fact.is_empty() && (c.run.is_some() || c.handler.is_some()) && c.attrs.is_empty() {
        return Ok(());
    }
    if reg.kind(&c.fact).is_none() {
        return Err(format!("unknown fact kind {:?} (docs/facts.md lists them)", c.fact));
    }
    let attrs = c.attrs.iter().map(|(k, v)| (k.as_str(), Some(v))).chain([("program", None)]);
    for (name, src) in attrs {
        let Some(decl) = reg.attr(&c.fact, name) else {
            return Err(format!("fact {} has no attribute {name:?} (docs/facts.md lists them)", c.fact));
        };
        let given = match src {
            None => AttrType::String,
            Some(AttrSource::Constant(v)) if decl.ty.holds(v) => decl.ty,
            Some(AttrSource::Constant(v)) => return Err(format!("attribute {name}: {v} is not a {}", decl.ty.name())),
            Some(AttrSource::From(a)) if a.option.is_some() => AttrType::Bool,
            Some(AttrSource::From(a)) if a.value.is_some() || a.operand.is_some() || a.word.is_some() || a.env.is_some() => AttrType::String,
            Some(AttrSource::From(_)) => AttrType::Strings,
        };
        if given != decl.ty {
            return Err(format!("attribute {name} is a {}, but its source gives a {}", decl.ty.name(), given.name()));
        }
    }
    Ok(())
}

/// The effective catalog: every entry by program name.
#[derive(Debug, Default)]
pub struct Catalog {
    programs: Vec<Program>,
    by_name: HashMap<String, usize>,
    /// Files of untrusted layers that were ignored, with why.
    pub notes: Vec<String>,
}

impl Catalog {
    fn add(&mut self, programs: Vec<Program>) {
        for p in programs {
            let i = self.programs.len();
            for n in &p.names {
                self.by_name.insert(n.clone(), i);
            }
            self.programs.push(p);
        }
    }

    /// The entry for a program's base name (`sudo`), if any.
    pub fn get(&self, name: &str) -> Option<&Program> {
        self.by_name.get(name).and_then(|&i| self.programs.get(i))
    }

    /// The entries, in load order (a replaced entry is still listed; [`Catalog::get`] gives the
    /// effective one).
    pub fn programs(&self) -> &[Program] {
        &self.programs
    }

    /// Every built-in entry (all files parsed: for tests, examples and listings).
    pub fn builtin() -> Result<Catalog, CatalogError> {
        let mut c = Catalog::default();
        for i in 0..BUILTIN.len() {
            c.add(builtin_file(i).map_err(Clone::clone)?.to_vec());
        }
        Ok(c)
    }

    /// The built-in entries and the layers for `cwd` together (for `guard rules test`).
    pub fn with_builtin(cwd: &Path) -> Result<Catalog, CatalogError> {
        let mut c = Catalog::builtin()?;
        c.add(Catalog::load(cwd)?.programs);
        Ok(c)
    }

    /// The system, user and trusted project layers for `cwd` (the built-in entries are looked
    /// up lazily by [`program`]). Every file is read and checked now, so a broken one stops
    /// guard before anything runs; errors name the file, line and column.
    pub fn load(cwd: &Path) -> Result<Catalog, CatalogError> {
        let mut c = Catalog::default();
        let mut dirs = vec![(Path::new("/etc/guard/catalog").to_path_buf(), true)];
        if let Some(d) = dirs::config_dir() {
            dirs.push((d.join("guard/catalog"), true));
        }
        if let Some(d) = project_dir(cwd) {
            dirs.push((d, false));
        }
        for (dir, trusted_layer) in dirs {
            for path in crate::data_file::toml_files(&dir) {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| CatalogError {
                    file: name.clone(),
                    line: 0,
                    column: 0,
                    message: format!("cannot read catalog file: {e}"),
                })?;
                let programs = parse_file(&name, &text)?;
                if trusted_layer || crate::trust::is_trusted(&path, &text) {
                    c.add(programs);
                } else {
                    c.notes.push(format!("{name}: ignored: a project catalog file needs `guard trust` before it may define programs"));
                }
            }
        }
        Ok(c)
    }
}

/// The project catalog directory for `cwd`: `.guard/catalog` in `cwd` or its nearest ancestor
/// that has one.
pub fn project_dir(cwd: &Path) -> Option<std::path::PathBuf> {
    cwd.ancestors().map(|d| d.join(".guard/catalog")).find(|d| d.is_dir())
}

/// One built-in file, parsed on first use.
fn builtin_file(index: usize) -> Result<&'static [Program], &'static CatalogError> {
    type Slot = OnceLock<Result<Vec<Program>, CatalogError>>;
    static PARSED: OnceLock<Vec<Slot>> = OnceLock::new();
    let slots = PARSED.get_or_init(|| BUILTIN.iter().map(|_| OnceLock::new()).collect());
    let Some((slot, file)) = slots.get(index).zip(BUILTIN.get(index)) else {
        static MISSING: OnceLock<CatalogError> = OnceLock::new();
        return Err(MISSING.get_or_init(|| CatalogError { file: "builtin".into(), line: 0, column: 0, message: format!("no file {index}") }));
    };
    slot.get_or_init(|| {
        let name = format!("builtin:{}", file.name);
        let parsed: CatalogFile = serde_json::from_str(file.json)
            .map_err(|e| CatalogError { file: name.clone(), line: 0, column: 0, message: e.to_string() })?;
        check(&name, file.toml, parsed.program)
    })
    .as_deref()
    .inspect_err(|e| {
        let _ = DEFECT.set((*e).clone());
    })
}

static DEFECT: OnceLock<CatalogError> = OnceLock::new();

/// Why a built-in catalog file did not load, if one was needed and did not. That is a build
/// defect (the test suite loads every file); [`crate::engine`] refuses every decision made
/// after it, since the analysis could not read some program as the catalog says.
pub fn defect() -> Option<&'static CatalogError> {
    DEFECT.get()
}

/// The built-in entry for `name`. Only the file that defines `name` is parsed (most programs
/// are in none, so guarding `ls` parses nothing).
pub fn builtin_program(name: &str) -> Option<&'static Program> {
    let at = BUILTIN_NAMES.partition_point(|(n, _)| *n < name);
    let found = BUILTIN_NAMES.get(at..).unwrap_or_default().iter().take_while(|(n, _)| *n == name);
    // A name defined in several files: the last file wins, as layers do.
    let (_, index) = found.last()?;
    builtin_file(*index).ok()?.iter().rev().find(|p| p.names.iter().any(|n| n == name))
}

static EFFECTIVE: OnceLock<Catalog> = OnceLock::new();

/// Makes `catalog` (the system, user and trusted project layers, from [`Catalog::load`]) the
/// one the analysis uses before the built-in entries, in this process. A process decides for
/// one working directory, so the first call wins; returns false if one was already installed.
pub fn install(catalog: Catalog) -> bool {
    EFFECTIVE.set(catalog).is_ok()
}

/// The installed layers ([`install`]); empty when none were installed.
pub fn installed() -> &'static Catalog {
    static EMPTY: OnceLock<Catalog> = OnceLock::new();
    EFFECTIVE.get().unwrap_or_else(|| EMPTY.get_or_init(Catalog::default))
}

/// The effective entry for `name`: from the installed layers, else built in.
pub fn program(name: &str) -> Option<&'static Program> {
    EFFECTIVE.get().and_then(|c| c.get(name)).or_else(|| builtin_program(name))
}

/// The effective entry for `name` if it wraps another command.
pub fn wrapper(name: &str) -> Option<(&'static Program, &'static Wrapper)> {
    let p = program(name)?;
    Some((p, p.wrapper.as_ref()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads() {
        let all = Catalog::builtin().expect("every built-in file loads");
        assert!(defect().is_none());
        // The name index made by build.rs matches the files.
        for p in all.programs() {
            for n in &p.names {
                assert!(builtin_program(n).is_some_and(|b| b.names == p.names), "{n}");
            }
        }
        assert_eq!(BUILTIN_NAMES.len(), all.programs().iter().map(|p| p.names.len()).sum::<usize>());
        assert!(builtin_program("ls").is_none());
        // One entry per program name across the built-in files: a second one would silently
        // replace the first (and drop its fields).
        let mut seen = std::collections::HashMap::new();
        for p in all.programs() {
            for n in &p.names {
                if let Some(other) = seen.insert(n.clone(), p.origin.clone()) {
                    panic!("{n} is defined in {other} and again in {}", p.origin);
                }
            }
        }
        // And so does the secrets table made by build.rs.
        let parsed: Vec<String> = all
            .programs()
            .iter()
            .flat_map(|p| p.secrets.iter().map(move |s| format!("{:?} {:?} {:?} {:?}", p.names, s.path, s.options, s.form)))
            .collect();
        let table: Vec<String> = BUILTIN_SECRETS
            .iter()
            .map(|b| {
                let form = serde_json::from_value::<SecretForm>(serde_json::json!(b.form)).expect("a known form");
                format!("{:?} {:?} {:?} {form:?}", b.names, b.path, b.options)
            })
            .collect();
        assert_eq!(parsed, table);
        assert!(wrapper("sudo").is_some());
    }

    #[test]
    fn paths_make_facts_from_options_and_operands() {
        let toml = r#"
[[program]]
names = ["kubectl"]
summary = "s"
source = "s"
style = "pflag"
values = ["-n", "--namespace"]
[[program.command]]
path = ["delete|del"]
fact = "k8s.delete"
unless = ["--dry-run"]
[program.command.attrs]
resource = { operand = 0 }
names = { operands = 1 }
namespace = { value = ["-n", "--namespace"] }
all = { option = ["--all"] }
from_file = false
"#;
        let p = parse_file("t.toml", toml).expect("parses");
        let words: Vec<crate::shell::Word> = ["-n", "prod", "delete", "ns", "a", "b", "--all"]
            .iter()
            .map(|t| crate::shell::Word::plain(t, crate::fact::Span::default()))
            .collect();
        let m = p[0].matches(&words);
        assert_eq!(m.len(), 1);
        let f = m[0].fact("x", crate::fact::Span::default());
        assert_eq!(f.kind, "k8s.delete");
        assert_eq!(f.attrs["resource"], "ns");
        assert_eq!(f.attrs["names"], serde_json::json!(["a", "b"]));
        assert_eq!(f.attrs["namespace"], "prod");
        assert_eq!(f.attrs["all"], true);
        assert_eq!(f.attrs["from_file"], false);
        assert_eq!(f.attrs["program"], "kubectl");
        let dry: Vec<crate::shell::Word> =
            ["delete", "ns", "a", "--dry-run"].iter().map(|t| crate::shell::Word::plain(t, crate::fact::Span::default())).collect();
        assert!(p[0].matches(&dry).is_empty());
        let bad = toml.replace("resource = { operand = 0 }", "resource = { operand = 0, option = [\"-x\"] }");
        assert!(parse_file("t.toml", &bad).is_err());
        let bad = toml.replace("from_file = false", "from_file = { opton = [\"-x\"] }");
        assert!(parse_file("t.toml", &bad).is_err(), "a misspelt source key is an error, not a constant");
        let bad = toml.replace("fact = \"k8s.delete\"", "fact = \"k8s.delet\"");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("unknown fact kind"));
        let bad = toml.replace("all = { option", "al = { option");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("no attribute"));
        let bad = toml.replace("names = { operands = 1 }", "names = { operand = 1 }");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("strings"));
    }

    fn words(s: &[&str]) -> Vec<crate::shell::Word> {
        s.iter().map(|t| crate::shell::Word::plain(t, crate::fact::Span::default())).collect()
    }

    #[test]
    fn path_globs_words_prefixes_gaps_and_subcommand_options() {
        let toml = r#"
[[program]]
names = ["aws"]
summary = "s"
source = "s"
values = ["--profile"]
[[program.command]]
path = ["*", "delete-*|terminate-*"]
fact = "cloud.delete"
unless = ["--dry-run"]
[program.command.attrs]
service = { word = 0 }
operation = { word = 1 }
resources = { operands = 0 }

[[program]]
names = ["gcloud"]
summary = "s"
source = "s"
prefixes = ["beta"]
gaps = true
[[program.command]]
path = ["sql", "instances", "delete"]
fact = "cloud.delete"
[program.command.attrs]
resources = { operands = 0 }

[[program]]
names = ["terraform"]
summary = "s"
source = "s"
style = "goflag"
values = ["-target"]
prefixes = ["run"]
[[program.command]]
path = ["apply"]
fact = "cloud.destroy"
require = ["-destroy"]
[program.command.attrs]
auto_approve = { option = ["-auto-approve"] }
targets = { values = ["-target"] }
"#;
        let p = parse_file("t.toml", toml).expect("parses");
        let m = p[0].matches(&words(&["--profile", "p", "ec2", "terminate-instances", "i-1", "i-2"]));
        assert_eq!(m.len(), 1);
        let f = m[0].fact("x", crate::fact::Span::default());
        assert_eq!((f.attrs["service"].as_str(), f.attrs["operation"].as_str()), (Some("ec2"), Some("terminate-instances")));
        assert_eq!(f.attrs["resources"], serde_json::json!(["i-1", "i-2"]));
        assert!(p[0].matches(&words(&["ec2", "describe-instances"])).is_empty());
        assert!(p[0].matches(&words(&["ec2", "delete-volume", "--dry-run"])).is_empty());

        let m = p[1].matches(&words(&["beta", "sql", "x", "instances", "y", "delete", "db1"]));
        assert_eq!(m.len(), 1, "release track skipped, gaps between path words");
        assert_eq!(m[0].fact("x", crate::fact::Span::default()).attrs["resources"], serde_json::json!(["db1"]));
        assert!(p[1].matches(&words(&["x", "sql", "instances", "delete"])).is_empty(), "the first word comes first");
        assert!(p[1].matches(&words(&["sql", "instances"])).is_empty());

        let m = p[2].matches(&words(&["-chdir=x", "run", "apply", "-auto-approve", "--target", "a", "-destroy"]));
        assert_eq!(m.len(), 1, "each subcommand word starts a new option list");
        let f = m[0].fact("x", crate::fact::Span::default());
        assert_eq!((f.attrs["auto_approve"].as_bool(), &f.attrs["targets"]), (Some(true), &serde_json::json!(["a"])));
        assert_eq!(p[2].matches(&words(&["apply", "plan", "-destroy"])).len(), 1, "a late required option counts");
        assert!(p[2].matches(&words(&["apply", "-destroy=false"])).is_empty());
        assert!(p[2].matches(&words(&["apply", "-target", "-destroy"])).is_empty(), "-destroy is -target's value");
        let bad = toml.replace("operation = { word = 1 }", "operation = { word = 2 }");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("no word"));
    }

    #[test]
    fn send_and_prints_are_checked_and_matched() {
        let toml = r#"
[[program]]
names = ["aws"]
summary = "s"
source = "s"
values = ["--profile"]
[program.send]
mode = "copy"
path = ["s3", "cp|mv"]
schemes = ["s3://"]
values = ["--acl"]
[[program.prints]]
kind = "db_dump"
output = ["--profile"]
"#;
        let p = parse_file("t.toml", toml).expect("parses");
        let m = p[0].send_match(&words(&["--profile", "p", "s3", "cp", "--acl", "x", "a", "s3://b/a"])).expect("matches");
        assert_eq!(m.operands().iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), vec!["a", "s3://b/a"]);
        assert!(p[0].send_match(&words(&["s3", "ls"])).is_none());
        let bad = toml.replace("schemes = [\"s3://\"]", "commands = [\"put\"]");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("only for mode"));
        let bad = toml.replace("values = [\"--acl\"]", "host = [\"--url\"]");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("must take a value"));
        let bad = toml.replace("kind = \"db_dump\"", "kind = \"dump\"");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("prints kind"));
        let bad = toml.replace("output = [\"--profile\"]", "output = [\"--out\"]");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("must take a value"));
        let bad = toml.replace("kind = \"db_dump\"", "kind = \"db_dump\"\nnames = [\"gsutil\"]");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("not one of the entry's names"));
        let bad = toml.replace("mode = \"copy\"", "mode = \"push\"");
        assert!(parse_file("t.toml", &bad).is_err());
    }

    #[test]
    fn code_and_decodes_are_checked_and_read() {
        let toml = r#"
[[program]]
names = ["py"]
summary = "s"
source = "s"
style = "posix"
values = ["-c", "-m", "-W"]
code = [{ language = "python", text = ["-c"], stop_if = ["-m"] }]

[[program]]
names = ["b64"]
summary = "s"
source = "s"
values = ["-w"]
decodes = { options = ["-d"], unless = ["-n"] }
"#;
        let p = parse_file("t.toml", toml).expect("parses");
        let (c, parsed, end) = p[0].code_at(&words(&["-Wd", "-c", "CODE", "x"])).expect("an item");
        assert_eq!((c.language, end), (Language::Python, 0));
        assert_eq!(parsed.values(&["-c"]).first().map(|w| w.text.as_str()), Some("CODE"));
        assert_eq!(c.operand, CodeOperand::File);
        let d = p[1].decodes.as_ref().expect("decodes");
        assert!(d.applies(&crate::argv::parse(&words(&["-w", "0", "-d"]), p[1].spec())));
        assert!(!d.applies(&crate::argv::parse(&words(&["-w", "-d"]), p[1].spec())), "-d is -w's value");
        assert!(!d.applies(&crate::argv::parse(&words(&["-dn"]), p[1].spec())));
        let bad = toml.replace("values = [\"-c\", \"-m\", \"-W\"]", "values = [\"-m\"]");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("must take a value"));
        let bad = toml.replace("language = \"python\"", "language = \"cobol\"");
        assert!(parse_file("t.toml", &bad).is_err());
        let bad = toml.replace("stop_if = [\"-m\"]", "stop_if = [\"m\"]");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("must start with '-'"));
        let bad = toml.replace("decodes = { options", "decodes = { option");
        assert!(parse_file("t.toml", &bad).is_err(), "a misspelt field is an error");
    }

    #[test]
    fn env_attributes_read_assignments_and_operands() {
        let toml = r#"
[[program]]
names = ["rake"]
summary = "s"
source = "s"
values = ["--env"]
[[program.command]]
path = ["db:drop"]
fact = "migrate.reset"
[program.command.attrs]
environment = { value = ["--env"], env = ["RAILS_ENV"] }
checks_disabled = { env = ["DISABLE_DATABASE_ENVIRONMENT_CHECK"] }
"#;
        let p = parse_file("t.toml", toml).expect("parses");
        let span = crate::fact::Span::default();
        let m = p[0].matches(&words(&["db:drop", "RAILS_ENV=production"]));
        assert_eq!(m[0].fact("x", span).attrs["environment"], "production", "a NAME=VALUE operand");
        let env = vec![("RAILS_ENV".to_string(), "staging".to_string()), ("DISABLE_DATABASE_ENVIRONMENT_CHECK".to_string(), "1".to_string())];
        let m = p[0].matches(&words(&["db:drop"]));
        let f = m[0].fact_env("x", span, &env);
        assert_eq!((f.attrs["environment"].as_str(), f.attrs["checks_disabled"].as_str()), (Some("staging"), Some("1")));
        let m = p[0].matches(&words(&["db:drop", "--env", "test"]));
        assert_eq!(m[0].fact_env("x", span, &env).attrs["environment"], "test", "the option wins");
        assert!(m[0].fact("x", span).attrs.get("checks_disabled").is_none());
        let bad = toml.replace("environment = { value = [\"--env\"], env", "environment = { operand = 0, env");
        assert!(parse_file("t.toml", &bad).unwrap_err().message.contains("env may go with value"));
    }

    #[test]
    fn errors_name_file_line_column() {
        let e = parse_file("x.toml", "[[program]]\nnames = [\"a\"]\nsummary = \"s\"\nsource = \"s\"\nvalus = []\n").unwrap_err();
        assert_eq!((e.line, e.column), (5, 1), "{e}");
        let e = parse_file("x.toml", "[[program]]\nnames = [\"a\"]\nsummary = \"s\"\nsource = \"s\"\nvalues = [\"u\"]\n").unwrap_err();
        assert!(e.to_string().contains("must start with '-'"), "{e}");
    }
}
