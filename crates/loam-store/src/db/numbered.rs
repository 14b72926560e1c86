//! `$n` placeholders as SQLite's `?n`. SQLite reads `$1` as a *named* parameter ("$1") and
//! numbers named parameters in the order they first appear, so binding by the number in the name
//! means asking each parameter's name (`sqlite3_bind_parameter_name`), which SQLite finds by a
//! linear walk of its list: a statement of n placeholders cost n²/2 steps to bind (a thousand ids
//! in an `in (…)` list, half a million; 7 % of a whole export's CPU). `?n` is numbered: its index
//! is n, so the argument of index i is the i-th, with no name to ask.

/// `sql` with every `$<digits>` outside quotes written `?<digits>`; `None` when the statement
/// holds a parameter this cannot number (`:name`, `@name`, `$name`), so the caller binds by name.
pub(super) fn numbered(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<u8> = None;
    let mut copied = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if let Some(open) = quote {
            if byte == open {
                quote = None; // a doubled quote closes and opens again: same result
            }
            continue;
        }
        let next = bytes.get(at + 1).copied().unwrap_or(b' ');
        match byte {
            b'\'' | b'"' | b'`' => quote = Some(byte),
            b'[' => quote = Some(b']'),
            b'$' if next.is_ascii_digit() => {
                out.push_str(&sql[copied..at]);
                out.push('?');
                copied = at + 1;
            }
            b'$' | b'@' => return None,
            // `::type` casts (PostgreSQL) are not parameters; `:name` is.
            b':' if (next.is_ascii_alphabetic() || next == b'_') && (at == 0 || bytes[at - 1] != b':') => {
                return None;
            }
            _ => {}
        }
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn dollar_placeholders_become_numbered_ones_outside_quotes() {
        assert_eq!(
            numbered("select a from t where b = $2 and c in ($1, $10) and d = '$3' and \"$4\" = ?").as_deref(),
            Some("select a from t where b = ?2 and c in (?1, ?10) and d = '$3' and \"$4\" = ?")
        );
        assert_eq!(numbered("select 'it''s $1', $1").as_deref(), Some("select 'it''s $1', ?1"));
        assert_eq!(numbered("select cast($1 as text)::text").as_deref(), Some("select cast(?1 as text)::text"));
        assert_eq!(numbered("select 1").as_deref(), Some("select 1"));
    }

    #[test]
    fn named_parameters_are_left_to_the_caller() {
        assert_eq!(numbered("select :name"), None);
        assert_eq!(numbered("select @name"), None);
        assert_eq!(numbered("select $name"), None);
    }
}
