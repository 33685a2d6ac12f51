//! From parsed statements (and, for unparsable text, token streams) to facts.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::ops::ControlFlow;

use serde_json::Value as Json;
use sqlparser::ast::{
    AlterRoleOperation, AlterTableOperation, CopySource, CopyTarget, DropBehavior, Expr, FromTable, GranteeName,
    GranteesType, ObjectName, ObjectNamePart, ObjectType, ReferentialAction, RoleOption, SetExpr, Statement,
    TableFactor, TableObject, TableWithJoins, Visit, Visitor,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::expr::filter_kind;
use super::text::{LineIndex, summarize};
use super::{is_comment, is_significant, token_span};
use crate::fact::{Fact, Span};

/// Appends the facts of one top-level statement and of the statements nested in it
/// (CTEs, `EXPLAIN ANALYZE`, `PREPARE`), all with the top-level statement's `span`.
///
/// Not descended into: plain `EXPLAIN` (it does not run its statement) and the bodies of
/// `CREATE FUNCTION/PROCEDURE/TRIGGER/MACRO` (they define code, they do not run it).
pub(crate) fn statement_facts(stmt: &Statement, span: Span, text: &str, out: &mut Vec<Fact>) {
    let summary = summarize(text.get(span.start..span.end).unwrap_or(text));
    let mut c = Collector { out, span, summary, suppressed: 0 };
    let _ = stmt.visit(&mut c);
}

/// Visitor that turns every reachable statement into facts.
struct Collector<'a> {
    out: &'a mut Vec<Fact>,
    span: Span,
    summary: String,
    /// Depth of enclosing statements whose children do not run (see [`inert`]).
    suppressed: usize,
}

impl Visitor for Collector<'_> {
    type Break = ();

    fn pre_visit_statement(&mut self, s: &Statement) -> ControlFlow<()> {
        if self.suppressed == 0 {
            one_statement(s, self.span, &self.summary, self.out);
        }
        if inert(s) {
            self.suppressed += 1;
        }
        ControlFlow::Continue(())
    }

    fn post_visit_statement(&mut self, s: &Statement) -> ControlFlow<()> {
        if inert(s) {
            self.suppressed = self.suppressed.saturating_sub(1);
        }
        ControlFlow::Continue(())
    }
}

/// Whether the statements nested in `s` do not run when `s` runs: `EXPLAIN` without
/// `ANALYZE` (source: PostgreSQL docs, "EXPLAIN": "the statement is actually executed"
/// only with ANALYZE), and definitions of functions, procedures, triggers and macros.
fn inert(s: &Statement) -> bool {
    match s {
        Statement::Explain { analyze, options, .. } => !(*analyze || explain_option_analyze(options.as_deref())),
        Statement::CreateFunction(_)
        | Statement::CreateProcedure { .. }
        | Statement::CreateTrigger(_)
        | Statement::CreateMacro { .. } => true,
        _ => false,
    }
}

/// Whether Postgres-style `EXPLAIN (ANALYZE [true|on|1], ...)` options turn ANALYZE on.
fn explain_option_analyze(options: Option<&[sqlparser::ast::UtilityOption]>) -> bool {
    options.unwrap_or_default().iter().any(|o| {
        o.name.value.eq_ignore_ascii_case("analyze")
            && match &o.arg {
                None => true,
                Some(arg) => {
                    let v = arg.to_string().trim_matches('\'').to_ascii_lowercase();
                    !matches!(v.as_str(), "false" | "off" | "0" | "no")
                }
            }
    })
}

/// A fact of `kind` at `span` with `summary`.
fn fact(kind: &str, span: Span, summary: &str) -> Fact {
    Fact::new(kind, summary, span)
}

/// The dotted name without quotes: `public."Users"` -> `public.Users`.
fn name(n: &ObjectName) -> String {
    let mut parts = Vec::with_capacity(n.0.len());
    for p in &n.0 {
        match p {
            ObjectNamePart::Identifier(i) => parts.push(i.value.clone()),
            other => parts.push(other.to_string()),
        }
    }
    parts.join(".")
}

/// Names as a JSON array.
fn names<'a>(it: impl IntoIterator<Item = &'a ObjectName>) -> Json {
    Json::Array(it.into_iter().map(|n| Json::String(name(n))).collect())
}

/// The table named by a `FROM` item, or its text for joins/subqueries.
fn relation(t: &TableWithJoins) -> String {
    match &t.relation {
        TableFactor::Table { name: n, .. } => name(n),
        other => summarize(&other.to_string()),
    }
}

/// A `sql.drop` fact.
fn drop_fact(span: Span, summary: &str, object_type: &str, names: Json, cascade: bool, if_exists: bool) -> Fact {
    fact("sql.drop", span, summary)
        .with("object_type", object_type)
        .with("names", names)
        .with("cascade", cascade)
        .with("if_exists", if_exists)
}

/// `ObjectType` as a lowercase word (`MATERIALIZED VIEW` -> `materialized_view`).
fn object_type(t: &ObjectType) -> String {
    t.to_string().to_ascii_lowercase().replace(' ', "_")
}

/// A `sql.write` fact for `statement`, with `table` when given.
fn write(span: Span, summary: &str, statement: &str, table: Option<String>) -> Fact {
    let f = fact("sql.write", span, summary).with("statement", statement);
    match table {
        Some(t) => f.with("table", t),
        None => f,
    }
}

/// The facts of one statement, not of its children (the visitor reaches those).
fn one_statement(s: &Statement, span: Span, summary: &str, out: &mut Vec<Fact>) {
    let cascade_of = |b: &Option<DropBehavior>| matches!(b, Some(DropBehavior::Cascade));
    match s {
        Statement::Drop { object_type: t, if_exists, names: n, cascade, .. } => {
            out.push(drop_fact(span, summary, &object_type(t), names(n), *cascade, *if_exists));
        }
        Statement::DropFunction(f) => out.push(drop_fact(
            span,
            summary,
            "function",
            names(f.func_desc.iter().map(|d| &d.name)),
            cascade_of(&f.drop_behavior),
            f.if_exists,
        )),
        Statement::DropProcedure { if_exists, proc_desc, drop_behavior } => out.push(drop_fact(
            span,
            summary,
            "procedure",
            names(proc_desc.iter().map(|d| &d.name)),
            cascade_of(drop_behavior),
            *if_exists,
        )),
        Statement::DropDomain(d) => {
            out.push(drop_fact(span, summary, "domain", names([&d.name]), cascade_of(&d.drop_behavior), d.if_exists))
        }
        Statement::DropPolicy(p) => out.push(
            drop_fact(
                span,
                summary,
                "policy",
                Json::Array(vec![Json::String(p.name.value.clone())]),
                cascade_of(&p.drop_behavior),
                p.if_exists,
            )
            .with("table", name(&p.table_name)),
        ),
        Statement::DropTrigger(t) => {
            let mut f = drop_fact(
                span,
                summary,
                "trigger",
                names([&t.trigger_name]),
                matches!(t.option, Some(ReferentialAction::Cascade)),
                t.if_exists,
            );
            if let Some(table) = &t.table_name {
                f = f.with("table", name(table));
            }
            out.push(f)
        }
        Statement::DropExtension(e) => out.push(drop_fact(
            span,
            summary,
            "extension",
            Json::Array(e.names.iter().map(|i| Json::String(i.value.clone())).collect()),
            matches!(e.cascade_or_restrict, Some(ReferentialAction::Cascade)),
            e.if_exists,
        )),
        Statement::DropOperator(o) => out.push(drop_fact(
            span,
            summary,
            "operator",
            Json::Array(o.operators.iter().map(|o| Json::String(name(&o.name))).collect()),
            cascade_of(&o.drop_behavior),
            o.if_exists,
        )),
        Statement::DropOperatorFamily(o) => out.push(drop_fact(
            span,
            summary,
            "operator_family",
            names(&o.names),
            cascade_of(&o.drop_behavior),
            o.if_exists,
        )),
        Statement::DropOperatorClass(o) => out.push(drop_fact(
            span,
            summary,
            "operator_class",
            names(&o.names),
            cascade_of(&o.drop_behavior),
            o.if_exists,
        )),
        Statement::DropSecret { if_exists, name: n, .. } => out.push(drop_fact(
            span,
            summary,
            "secret",
            Json::Array(vec![Json::String(n.value.clone())]),
            false,
            *if_exists,
        )),
        Statement::DropConnector { if_exists, name: n } => out.push(drop_fact(
            span,
            summary,
            "connector",
            Json::Array(vec![Json::String(n.value.clone())]),
            false,
            *if_exists,
        )),
        Statement::Truncate(t) => out.push(
            fact("sql.truncate", span, summary)
                .with("tables", names(t.table_names.iter().map(|t| &t.name)))
                .with("cascade", matches!(t.cascade, Some(sqlparser::ast::CascadeOption::Cascade))),
        ),
        Statement::Delete(d) => {
            let mut tables: Vec<String> = d.tables.iter().map(name).collect();
            if tables.is_empty() {
                let from = match &d.from {
                    FromTable::WithFromKeyword(v) | FromTable::WithoutKeyword(v) => v,
                };
                tables.extend(from.iter().map(relation));
            }
            out.push(dml_fact("sql.delete", span, summary, tables, d.selection.as_ref(), d.limit.is_some()));
        }
        Statement::Update(u) => {
            let tables = vec![relation(&u.table)];
            out.push(dml_fact("sql.update", span, summary, tables, u.selection.as_ref(), u.limit.is_some()));
        }
        Statement::AlterTable(a) => {
            let table = name(&a.name);
            for op in &a.operations {
                out.push(alter_table_fact(span, summary, &table, op));
            }
        }
        Statement::RenameTable(v) => {
            for r in v {
                out.push(
                    fact("sql.alter_table", span, summary)
                        .with("table", name(&r.old_name))
                        .with("operation", "rename")
                        .with("new_name", name(&r.new_name)),
                );
            }
        }
        Statement::Copy { source, to, target, .. } => {
            let mut f = fact("sql.copy", span, summary).with("direction", if *to { "to" } else { "from" });
            f = match target {
                CopyTarget::Stdin => f.with("target", "stdin"),
                CopyTarget::Stdout => f.with("target", "stdout"),
                CopyTarget::File { filename } => f.with("target", "file").with("path", filename.as_str()),
                CopyTarget::Program { command } => f.with("target", "program").with("program", command.as_str()),
            };
            f = match source {
                CopySource::Table { table_name, .. } => f.with("table", name(table_name)),
                CopySource::Query(q) => f.with("query", summarize(&q.to_string())),
            };
            out.push(f);
        }
        Statement::Grant(g) => {
            let mut grantees = Vec::new();
            let mut public = false;
            for g in &g.grantees {
                let n = match &g.name {
                    Some(GranteeName::ObjectName(n)) => name(n),
                    Some(GranteeName::UserHost { user, host }) => format!("{}@{}", user.value, host.value),
                    None => String::new(),
                }
                .to_lowercase();
                if matches!(g.grantee_type, GranteesType::Public) || n == "public" {
                    public = true;
                }
                grantees.push(Json::String(if n.is_empty() { g.to_string().to_lowercase() } else { n }));
            }
            let on = g.objects.as_ref().map(|o| summarize(&o.to_string())).unwrap_or_default();
            out.push(
                fact("sql.grant", span, summary)
                    .with("privileges", summarize(&g.privileges.to_string()))
                    .with("on", on)
                    .with("grantees", Json::Array(grantees))
                    .with("to_public", public),
            );
        }
        Statement::Revoke(r) => {
            out.push(write(span, summary, "revoke", None).with("privileges", r.privileges.to_string()))
        }
        Statement::AlterRole { name: n, operation } => {
            let (superuser, op) = match operation {
                AlterRoleOperation::WithOptions { options } => {
                    (options.iter().any(|o| matches!(o, RoleOption::SuperUser(true))), "with_options")
                }
                AlterRoleOperation::RenameRole { .. } => (false, "rename"),
                AlterRoleOperation::AddMember { .. } => (false, "add_member"),
                AlterRoleOperation::DropMember { .. } => (false, "drop_member"),
                AlterRoleOperation::Set { .. } => (false, "set"),
                AlterRoleOperation::Reset { .. } => (false, "reset"),
            };
            out.push(
                fact("sql.alter_role", span, summary)
                    .with("role", n.value.as_str())
                    .with("superuser", superuser)
                    .with("operation", op)
                    .with("statement", "alter_role"),
            );
        }
        Statement::CreateRole(r) => {
            for n in &r.names {
                out.push(
                    fact("sql.alter_role", span, summary)
                        .with("role", name(n))
                        .with("superuser", r.superuser == Some(true))
                        .with("statement", "create_role"),
                );
            }
        }
        Statement::CreateUser(u) => {
            let superuser = u.options.options.iter().any(|o| o.option_name.eq_ignore_ascii_case("superuser"));
            out.push(
                fact("sql.alter_role", span, summary)
                    .with("role", u.name.value.as_str())
                    .with("superuser", superuser)
                    .with("statement", "create_user"),
            );
        }
        Statement::AlterUser(u) => out.push(
            fact("sql.alter_role", span, summary)
                .with("role", u.name.value.as_str())
                .with("superuser", false)
                .with("statement", "alter_user"),
        ),
        Statement::Query(q) => {
            if let SetExpr::Select(sel) = q.body.as_ref()
                && let Some(into) = &sel.into
            {
                let target = into.targets.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
                // MySQL `INTO OUTFILE|DUMPFILE` misparsed as a table: see `outfile_facts`.
                let up = target.to_ascii_uppercase();
                if up != "OUTFILE" && up != "DUMPFILE" {
                    out.push(write(span, summary, "select_into", Some(target)));
                }
            }
        }
        other => {
            if let Some((statement, table)) = write_kind(other) {
                let mut f = write(span, summary, statement, table);
                if or_replace(other) {
                    f = f.with("or_replace", true);
                }
                out.push(f);
            }
        }
    }
}

/// A `sql.delete`/`sql.update` fact.
fn dml_fact(kind: &str, span: Span, summary: &str, tables: Vec<String>, selection: Option<&Expr>, limit: bool) -> Fact {
    fact(kind, span, summary)
        .with("table", tables.first().cloned().unwrap_or_default())
        .with("tables", Json::Array(tables.into_iter().map(Json::String).collect()))
        .with("filter", filter_kind(selection))
        .with("limit", limit)
}

/// A `sql.alter_table` fact for one operation of `ALTER TABLE table`.
fn alter_table_fact(span: Span, summary: &str, table: &str, op: &AlterTableOperation) -> Fact {
    let f = fact("sql.alter_table", span, summary).with("table", table);
    match op {
        AlterTableOperation::DropColumn { column_names, if_exists, drop_behavior, .. } => f
            .with("operation", "drop_column")
            .with("columns", Json::Array(column_names.iter().map(|c| Json::String(c.value.clone())).collect()))
            .with("if_exists", *if_exists)
            .with("cascade", matches!(drop_behavior, Some(DropBehavior::Cascade))),
        AlterTableOperation::DropConstraint { name: n, if_exists, drop_behavior } => f
            .with("operation", "drop_constraint")
            .with("constraint", n.value.as_str())
            .with("if_exists", *if_exists)
            .with("cascade", matches!(drop_behavior, Some(DropBehavior::Cascade))),
        AlterTableOperation::DropPrimaryKey { .. } => {
            f.with("operation", "drop_constraint").with("constraint", "primary key")
        }
        AlterTableOperation::DropForeignKey { name: n, .. } => {
            f.with("operation", "drop_constraint").with("constraint", n.value.as_str())
        }
        AlterTableOperation::DropIndex { name: n } => f.with("operation", "drop_index").with("index", n.value.as_str()),
        AlterTableOperation::DropPartitions { .. } => f.with("operation", "drop_partitions"),
        AlterTableOperation::RenameTable { table_name } => {
            let new = table_name.to_string();
            let new = new.trim_start_matches("TO ").trim_start_matches("AS ").to_string();
            f.with("operation", "rename").with("new_name", new)
        }
        AlterTableOperation::RenameColumn { old_column_name, new_column_name } => f
            .with("operation", "rename_column")
            .with("column", old_column_name.value.as_str())
            .with("new_name", new_column_name.value.as_str()),
        AlterTableOperation::AddColumn { .. } => f.with("operation", "add_column"),
        AlterTableOperation::AddConstraint { .. } => f.with("operation", "add_constraint"),
        AlterTableOperation::AlterColumn { column_name, .. } => {
            f.with("operation", "alter_column").with("column", column_name.value.as_str())
        }
        AlterTableOperation::ChangeColumn { .. } | AlterTableOperation::ModifyColumn { .. } => {
            f.with("operation", "alter_column")
        }
        AlterTableOperation::OwnerTo { .. } => f.with("operation", "owner_to"),
        AlterTableOperation::DisableRowLevelSecurity => f.with("operation", "disable_row_level_security"),
        AlterTableOperation::DisableTrigger { .. } => f.with("operation", "disable_trigger"),
        _ => f.with("operation", "other"),
    }
}

/// Whether a `CREATE` statement has `OR REPLACE` (which can silently replace an object).
fn or_replace(s: &Statement) -> bool {
    match s {
        Statement::CreateTable(t) => t.or_replace,
        Statement::CreateView(v) => v.or_replace,
        Statement::CreateFunction(f) => f.or_replace,
        Statement::CreateMacro { or_replace, .. } => *or_replace,
        _ => false,
    }
}

/// The `statement` attr (and table, when obvious) for statements that change data,
/// schema or server state; `None` for reads and session/transaction control.
fn write_kind(s: &Statement) -> Option<(&'static str, Option<String>)> {
    Some(match s {
        Statement::Insert(i) => {
            let table = match &i.table {
                TableObject::TableName(n) => Some(name(n)),
                _ => None,
            };
            (if i.replace_into { "replace" } else { "insert" }, table)
        }
        Statement::Merge(m) => {
            let table = match &m.table {
                TableFactor::Table { name: n, .. } => Some(name(n)),
                _ => None,
            };
            ("merge", table)
        }
        Statement::CreateTable(t) => ("create_table", Some(name(&t.name))),
        Statement::CreateVirtualTable { name: n, .. } => ("create_virtual_table", Some(name(n))),
        Statement::CreateView(v) => ("create_view", Some(name(&v.name))),
        Statement::CreateIndex(i) => ("create_index", Some(name(&i.table_name))),
        Statement::CreateSchema { .. } => ("create_schema", None),
        Statement::CreateDatabase { db_name, .. } => ("create_database", Some(name(db_name))),
        Statement::CreateFunction(f) => ("create_function", Some(name(&f.name))),
        Statement::CreateProcedure { name: n, .. } => ("create_procedure", Some(name(n))),
        Statement::CreateTrigger(_) => ("create_trigger", None),
        Statement::CreateMacro { .. } => ("create_macro", None),
        Statement::CreateSequence { .. } => ("create_sequence", None),
        Statement::CreateType { name: n, .. } => ("create_type", Some(name(n))),
        Statement::CreateDomain(_) => ("create_domain", None),
        Statement::CreateExtension(_) => ("create_extension", None),
        Statement::CreatePolicy(_) => ("create_policy", None),
        Statement::CreateSecret { .. } => ("create_secret", None),
        Statement::CreateServer(_) => ("create_server", None),
        Statement::CreateConnector(_) => ("create_connector", None),
        Statement::CreateOperator(_) | Statement::CreateOperatorFamily(_) | Statement::CreateOperatorClass(_) => {
            ("create_operator", None)
        }
        Statement::CreateCollation(_) => ("create_collation", None),
        Statement::CreateTextSearch(_) => ("create_text_search", None),
        Statement::CreateStage { .. } => ("create_stage", None),
        Statement::CreateFileFormat { .. } => ("create_file_format", None),
        Statement::CreateWarehouse(_) => ("create_warehouse", None),
        Statement::AlterSchema(_) => ("alter_schema", None),
        Statement::AlterIndex { .. } => ("alter_index", None),
        Statement::AlterView { .. } => ("alter_view", None),
        Statement::AlterFunction(_) => ("alter_function", None),
        Statement::AlterType(_) => ("alter_type", None),
        Statement::AlterCollation(_) => ("alter_collation", None),
        Statement::AlterOperator(_) | Statement::AlterOperatorFamily(_) | Statement::AlterOperatorClass(_) => {
            ("alter_operator", None)
        }
        Statement::AlterTextSearch(_) => ("alter_text_search", None),
        Statement::AlterPolicy(_) => ("alter_policy", None),
        Statement::AlterConnector { .. } => ("alter_connector", None),
        Statement::AttachDatabase { .. } => ("attach_database", None),
        Statement::AttachDuckDBDatabase { .. } => ("attach_database", None),
        Statement::DetachDuckDBDatabase { .. } => ("detach_database", None),
        Statement::Comment { .. } => ("comment", None),
        Statement::Call(f) => ("call", Some(name(&f.name))),
        Statement::Execute { .. } => ("execute", None),
        Statement::Install { .. } => ("install", None),
        Statement::Load { .. } => ("load", None),
        Statement::LoadData { .. } => ("load_data", None),
        Statement::Directory { .. } => ("directory", None),
        Statement::Unload { .. } => ("unload", None),
        Statement::ExportData(_) => ("export_data", None),
        Statement::CopyIntoSnowflake { .. } => ("copy_into", None),
        Statement::Pragma { .. } => ("pragma", None),
        Statement::Vacuum(_) => ("vacuum", None),
        Statement::Kill { .. } => ("kill", None),
        Statement::Msck(_) => ("msck", None),
        Statement::OptimizeTable { .. } => ("optimize_table", None),
        Statement::Put { .. } => ("put", None),
        Statement::Remove(_) => ("remove", None),
        _ => return None,
    })
}

/// The significant, non-comment tokens of `tokens`.
fn words(tokens: &[TokenWithSpan]) -> Vec<&TokenWithSpan> {
    tokens.iter().filter(|t| is_significant(&t.token) && !is_comment(&t.token)).collect()
}

/// Whether `t` is the (unquoted) word `kw`.
fn is_kw(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}

/// The text of a word or string token, for names and paths.
fn token_text(t: &Token) -> Option<String> {
    match t {
        Token::Word(w) => Some(w.value.clone()),
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) | Token::EscapedStringLiteral(s) => Some(s.clone()),
        Token::DollarQuotedString(d) => Some(d.value.clone()),
        _ => None,
    }
}

/// Appends `sql.select_into_outfile` facts: MySQL `... INTO OUTFILE|DUMPFILE 'path'`
/// (source: MySQL manual, "SELECT ... INTO"), which `sqlparser` does not parse. Found in the
/// token stream of one statement, so the words inside strings and comments do not count.
pub(crate) fn outfile_facts(tokens: &[TokenWithSpan], text: &str, lines: &LineIndex, out: &mut Vec<Fact>) {
    let w = words(tokens);
    for (i, into) in w.iter().enumerate() {
        if !is_kw(&into.token, Keyword::INTO) {
            continue;
        }
        let kind = match w.get(i + 1).map(|t| &t.token) {
            Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case("outfile") => "outfile",
            Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case("dumpfile") => "dumpfile",
            _ => continue,
        };
        let path = w.get(i + 2).and_then(|t| token_text(&t.token)).unwrap_or_default();
        let span = token_span(tokens, lines, text);
        let summary = summarize(text.get(span.start..span.end).unwrap_or(text));
        out.push(fact("sql.select_into_outfile", span, &summary).with("path", path).with("kind", kind));
    }
}

/// Multi-word object types of `DROP`, longest first (source: PostgreSQL "SQL Commands"
/// index, DROP ...; MySQL `DROP EVENT|SERVER|SPATIAL REFERENCE SYSTEM|TABLESPACE`).
const DROP_TYPES: &[&[&str]] = &[
    &["text", "search", "configuration"],
    &["text", "search", "dictionary"],
    &["text", "search", "parser"],
    &["text", "search", "template"],
    &["foreign", "data", "wrapper"],
    &["spatial", "reference", "system"],
    &["foreign", "table"],
    &["event", "trigger"],
    &["user", "mapping"],
    &["access", "method"],
    &["materialized", "view"],
    &["procedural", "language"],
    &["operator", "class"],
    &["operator", "family"],
    &["owned", "by"],
];

/// Appends facts recognised from the tokens of a statement that did not parse:
/// `DROP <type> [IF EXISTS] name, ... [CASCADE]` (e.g. `DROP OWNED BY x`, object type
/// `"owned"`), `TRUNCATE [TABLE] name, ...`, `CREATE|ALTER USER|ROLE name ... SUPERUSER`
/// (`sql.alter_role`), `DELETE`/`UPDATE` (filter `"some"` when a `WHERE` is present, which
/// cannot be checked for tautologies here), and PostgreSQL `DO` blocks (`sql.dynamic`,
/// reason `"do_block"`: the block's body runs). Facts carry `from_tokens = true`.
pub(crate) fn token_facts(tokens: &[TokenWithSpan], text: &str, lines: &LineIndex, out: &mut Vec<Fact>) {
    let w = words(tokens);
    let span = token_span(tokens, lines, text);
    let summary = summarize(text.get(span.start..span.end).unwrap_or(text));
    let Some(first) = w.first() else { return };
    let lower = |t: &TokenWithSpan| match &t.token {
        Token::Word(x) if x.quote_style.is_none() => x.value.to_ascii_lowercase(),
        _ => String::new(),
    };
    if is_kw(&first.token, Keyword::DROP) {
        let mut i = 1;
        // TEMPORARY (MySQL), CONCURRENTLY is after INDEX.
        if w.get(i).is_some_and(|t| is_kw(&t.token, Keyword::TEMPORARY)) {
            i += 1;
        }
        let mut ty: Vec<String> = Vec::new();
        for cand in DROP_TYPES {
            if cand.iter().enumerate().all(|(k, c)| w.get(i + k).is_some_and(|t| lower(t) == *c)) {
                ty = cand.iter().filter(|c| **c != "by").map(|c| c.to_string()).collect();
                i += cand.len();
                break;
            }
        }
        if ty.is_empty() {
            match w.get(i) {
                Some(t) if !lower(t).is_empty() => {
                    ty.push(lower(t));
                    i += 1;
                }
                _ => return,
            }
        }
        if w.get(i).is_some_and(|t| is_kw(&t.token, Keyword::CONCURRENTLY)) {
            i += 1;
        }
        let mut if_exists = false;
        if w.get(i).is_some_and(|t| is_kw(&t.token, Keyword::IF))
            && w.get(i + 1).is_some_and(|t| is_kw(&t.token, Keyword::EXISTS))
        {
            if_exists = true;
            i += 2;
        }
        let (names, cascade) = token_names(w.get(i..).unwrap_or_default());
        out.push(drop_fact(span, &summary, &ty.join("_"), names, cascade, if_exists).with("from_tokens", true));
    } else if is_kw(&first.token, Keyword::TRUNCATE) {
        let mut i = 1;
        if w.get(i).is_some_and(|t| is_kw(&t.token, Keyword::TABLE)) {
            i += 1;
        }
        if w.get(i).is_some_and(|t| is_kw(&t.token, Keyword::ONLY)) {
            i += 1;
        }
        let (names, cascade) = token_names(w.get(i..).unwrap_or_default());
        out.push(
            fact("sql.truncate", span, &summary)
                .with("tables", names)
                .with("cascade", cascade)
                .with("from_tokens", true),
        );
    } else if (is_kw(&first.token, Keyword::CREATE) || is_kw(&first.token, Keyword::ALTER))
        && w.get(1).is_some_and(|t| is_kw(&t.token, Keyword::USER) || is_kw(&t.token, Keyword::ROLE))
    {
        // PostgreSQL `CREATE USER name SUPERUSER` (an alias of CREATE ROLE ... LOGIN).
        let role = w.get(2).and_then(|t| token_text(&t.token)).unwrap_or_default();
        let superuser = w.iter().skip(3).any(|t| is_kw(&t.token, Keyword::SUPERUSER));
        let statement = if is_kw(&first.token, Keyword::CREATE) { "create_role" } else { "alter_role" };
        out.push(
            fact("sql.alter_role", span, &summary)
                .with("role", role)
                .with("superuser", superuser)
                .with("statement", statement)
                .with("from_tokens", true),
        );
    } else if is_kw(&first.token, Keyword::DELETE) || is_kw(&first.token, Keyword::UPDATE) {
        // Table: the name after DELETE [FROM] / UPDATE; filter from the presence of WHERE.
        let delete = is_kw(&first.token, Keyword::DELETE);
        let mut i = 1;
        if delete && w.get(i).is_some_and(|t| is_kw(&t.token, Keyword::FROM)) {
            i += 1;
        }
        if w.get(i).is_some_and(|t| is_kw(&t.token, Keyword::ONLY)) {
            i += 1;
        }
        let mut table = String::new();
        while let Some(t) = w.get(i) {
            match &t.token {
                Token::Period => table.push('.'),
                Token::Word(x) if table.is_empty() || table.ends_with('.') => table.push_str(&x.value),
                _ => break,
            }
            i += 1;
        }
        let filter = if w.iter().any(|t| is_kw(&t.token, Keyword::WHERE)) { "some" } else { "none" };
        out.push(
            fact(if delete { "sql.delete" } else { "sql.update" }, span, &summary)
                .with("table", table.clone())
                .with("tables", Json::Array(vec![Json::String(table)]))
                .with("filter", filter)
                .with("from_tokens", true),
        );
    } else if is_kw(&first.token, Keyword::DO) {
        out.push(fact("sql.dynamic", span, &summary).with("reason", "do_block").with("from_tokens", true));
    }
}

/// Comma-separated dotted names at the start of `w`, up to a keyword that ends the list
/// (`CASCADE`, `RESTRICT`, `ON`, ...); parenthesised argument lists are skipped.
/// Returns the names and whether `CASCADE` follows.
fn token_names(w: &[&TokenWithSpan]) -> (Json, bool) {
    let mut names = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut cascade = false;
    for t in w {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            Token::Comma => {
                if !cur.is_empty() {
                    names.push(Json::String(std::mem::take(&mut cur)));
                }
            }
            Token::Period => cur.push('.'),
            Token::Word(x)
                if x.quote_style.is_none()
                    && matches!(x.keyword, Keyword::CASCADE | Keyword::RESTRICT | Keyword::ON | Keyword::PURGE) =>
            {
                cascade |= x.keyword == Keyword::CASCADE;
                // Keep scanning for CASCADE after ON table / RESTRICT.
                if !cur.is_empty() {
                    names.push(Json::String(std::mem::take(&mut cur)));
                }
                cur.clear();
                if x.keyword == Keyword::ON {
                    // `DROP RULE r ON t`: the table name is not a dropped object.
                    return (Json::Array(names), w.iter().any(|t| is_kw(&t.token, Keyword::CASCADE)));
                }
            }
            other => {
                if let Some(s) = token_text(other) {
                    if !cur.is_empty() && !cur.ends_with('.') {
                        names.push(Json::String(std::mem::take(&mut cur)));
                    }
                    cur.push_str(&s);
                }
            }
        }
    }
    if !cur.is_empty() {
        names.push(Json::String(cur));
    }
    (Json::Array(names), cascade)
}
