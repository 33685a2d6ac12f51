//! Conservative evaluation of `WHERE` clauses: is the filter a tautology?

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use sqlparser::ast::{BinaryOperator, Expr, Ident, UnaryOperator, Value};

/// How deep [`truth`] looks into an expression before giving up ("unknown").
const MAX_DEPTH: usize = 64;

/// Classifies a `WHERE` clause of `DELETE`/`UPDATE`.
///
/// Input: the `WHERE` expression, or `None` when there is none.
/// Output: `"none"` (no `WHERE`: every row), `"always_true"` (the condition is a tautology,
/// e.g. `1=1`, `true`, `'a'='a'`, `1`, `x=x`, `NOT false`, `1=1 OR anything`, `2>1`,
/// `TRUE AND TRUE`) or `"some"` (anything else, including conditions we cannot decide).
///
/// Rule: constant sub-expressions are evaluated; `OR` is a tautology when one branch is;
/// `AND` when all are; `x = x` (the same column on both sides) counts as true, although it
/// is NULL for NULL `x` (the guard errs on the side of "every row").
pub(crate) fn filter_kind(selection: Option<&Expr>) -> &'static str {
    match selection {
        None => "none",
        Some(e) if truth(e, 0) == Some(true) => "always_true",
        Some(_) => "some",
    }
}

/// A constant value of an expression, when it is one.
#[derive(Debug, Clone, PartialEq)]
enum Const {
    Bool(bool),
    Num(f64),
    Str(String),
    Null,
}

/// The truth value of `e` if it can be decided without data: `Some(true)` / `Some(false)`,
/// `None` when it depends on rows (or is NULL, or too deep).
fn truth(e: &Expr, depth: usize) -> Option<bool> {
    if depth > MAX_DEPTH {
        return None;
    }
    let d = depth + 1;
    match e {
        Expr::Nested(inner) => truth(inner, d),
        Expr::UnaryOp { op: UnaryOperator::Not, expr } => truth(expr, d).map(|b| !b),
        Expr::BinaryOp { left, op: BinaryOperator::Or, right } => match (truth(left, d), truth(right, d)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => match (truth(left, d), truth(right, d)) {
            (Some(true), Some(true)) => Some(true),
            (Some(false), _) | (_, Some(false)) => Some(false),
            _ => None,
        },
        Expr::BinaryOp { left, op, right } if is_comparison(op) => {
            if same_column(left, right) {
                return match op {
                    BinaryOperator::Eq | BinaryOperator::LtEq | BinaryOperator::GtEq => Some(true),
                    _ => Some(false),
                };
            }
            compare(&constant(left, d)?, op, &constant(right, d)?)
        }
        Expr::IsNull(inner) => constant(inner, d).map(|c| c == Const::Null),
        Expr::IsNotNull(inner) => constant(inner, d).map(|c| c != Const::Null),
        Expr::IsTrue(inner) => truth(inner, d),
        Expr::IsNotFalse(inner) => match constant(inner, d)? {
            Const::Null => Some(true),
            c => truthy(&c),
        },
        Expr::IsFalse(inner) => truth(inner, d).map(|b| !b),
        Expr::IsNotTrue(inner) => match constant(inner, d)? {
            Const::Null => Some(true),
            c => truthy(&c).map(|b| !b),
        },
        Expr::IsDistinctFrom(a, b) if same_column(a, b) => Some(false),
        Expr::IsNotDistinctFrom(a, b) if same_column(a, b) => Some(true),
        Expr::Between { expr, negated, low, high } => {
            let v = constant(expr, d)?;
            let in_range = compare(&v, &BinaryOperator::GtEq, &constant(low, d)?)?
                && compare(&v, &BinaryOperator::LtEq, &constant(high, d)?)?;
            Some(in_range != *negated)
        }
        Expr::InList { expr, list, negated } => {
            let v = constant(expr, d)?;
            let mut found = false;
            for item in list {
                if compare(&v, &BinaryOperator::Eq, &constant(item, d)?)? {
                    found = true;
                }
            }
            Some(found != *negated)
        }
        _ => truthy(&constant(e, d)?),
    }
}

/// Whether `op` is one of `=`, `<>`, `<`, `>`, `<=`, `>=`.
fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::Gt
            | BinaryOperator::LtEq
            | BinaryOperator::GtEq
    )
}

/// Whether both sides name the same column (`x = x`, `t.x = T.X`; quoted names compare exactly).
fn same_column(a: &Expr, b: &Expr) -> bool {
    fn parts(e: &Expr) -> Option<&[Ident]> {
        match e {
            Expr::Identifier(i) => Some(std::slice::from_ref(i)),
            Expr::CompoundIdentifier(v) => Some(v),
            Expr::Nested(inner) => match inner.as_ref() {
                Expr::Identifier(i) => Some(std::slice::from_ref(i)),
                Expr::CompoundIdentifier(v) => Some(v),
                _ => None,
            },
            _ => None,
        }
    }
    let (Some(x), Some(y)) = (parts(a), parts(b)) else { return false };
    x.len() == y.len()
        && x.iter().zip(y).all(|(p, q)| match (p.quote_style, q.quote_style) {
            (None, None) => p.value.eq_ignore_ascii_case(&q.value),
            _ => p.value == q.value,
        })
}

/// The truth of a constant used as a condition: booleans as is, numbers non-zero (MySQL,
/// SQLite); NULL and strings undecided (NULL selects no row, but `NOT NULL` is NULL too).
fn truthy(c: &Const) -> Option<bool> {
    match c {
        Const::Bool(b) => Some(*b),
        Const::Num(n) => Some(*n != 0.0),
        Const::Null | Const::Str(_) => None,
    }
}

/// Compares two constants with `op`; `None` for NULL operands or mixed types.
fn compare(a: &Const, op: &BinaryOperator, b: &Const) -> Option<bool> {
    let ord = match (a, b) {
        (Const::Num(x), Const::Num(y)) => x.partial_cmp(y)?,
        (Const::Str(x), Const::Str(y)) => x.cmp(y),
        (Const::Bool(x), Const::Bool(y)) => x.cmp(y),
        _ => return None,
    };
    use std::cmp::Ordering::*;
    Some(match op {
        BinaryOperator::Eq => ord == Equal,
        BinaryOperator::NotEq => ord != Equal,
        BinaryOperator::Lt => ord == Less,
        BinaryOperator::Gt => ord == Greater,
        BinaryOperator::LtEq => ord != Greater,
        BinaryOperator::GtEq => ord != Less,
        _ => return None,
    })
}

/// The value of a constant expression: literals, `-n`, `+ - * /` on numbers, and boolean
/// sub-expressions that [`truth`] can decide. `None` when it depends on data.
fn constant(e: &Expr, depth: usize) -> Option<Const> {
    if depth > MAX_DEPTH {
        return None;
    }
    let d = depth + 1;
    match e {
        Expr::Value(v) => match &v.value {
            Value::Boolean(b) => Some(Const::Bool(*b)),
            Value::Null => Some(Const::Null),
            Value::Number(n, _) => n.parse::<f64>().ok().map(Const::Num),
            Value::SingleQuotedString(s)
            | Value::DoubleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::NationalStringLiteral(s) => Some(Const::Str(s.clone())),
            _ => None,
        },
        Expr::Nested(inner) => constant(inner, d),
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => match constant(expr, d)? {
            Const::Num(n) => Some(Const::Num(-n)),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Plus, expr } => match constant(expr, d)? {
            Const::Num(n) => Some(Const::Num(n)),
            _ => None,
        },
        Expr::BinaryOp { left, op, right }
            if matches!(
                op,
                BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply | BinaryOperator::Divide
            ) =>
        {
            let (Const::Num(a), Const::Num(b)) = (constant(left, d)?, constant(right, d)?) else { return None };
            let r = match op {
                BinaryOperator::Plus => a + b,
                BinaryOperator::Minus => a - b,
                BinaryOperator::Multiply => a * b,
                _ if b == 0.0 => return None,
                _ => a / b,
            };
            r.is_finite().then_some(Const::Num(r))
        }
        Expr::Cast { expr, .. } => match constant(expr, d)? {
            Const::Bool(b) => Some(Const::Bool(b)),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Not, .. }
        | Expr::BinaryOp { .. }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNotFalse(_)
        | Expr::Between { .. }
        | Expr::InList { .. } => truth(e, d).map(Const::Bool),
        _ => None,
    }
}
