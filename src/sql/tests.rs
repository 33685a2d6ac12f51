use super::*;

fn kinds(f: &[Fact]) -> Vec<&str> {
    f.iter().map(|f| f.kind.as_str()).collect()
}

#[test]
fn smoke() {
    let f = analyze("DROP TABLE users; SELECT 1", Dialect::Postgres);
    eprintln!("{f:#?}");
    assert_eq!(kinds(&f), ["sql.drop"]);
}
