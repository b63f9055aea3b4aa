//! Just enough of an SQL lexer to cut a migration into statements and words: comments, string
//! literals, quoted identifiers and dollar-quoted bodies must not be mistaken for keywords or
//! for the `;` that ends a statement.

/// One word or punctuation mark of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Bare words uppercased, so rules compare keywords without caring how they were typed.
    /// Empty for string literals and quoted identifiers: those are never keywords.
    pub keyword: String,
    /// Identifiers as PostgreSQL folds them: bare words lowercased, quoted ones as written.
    pub name: String,
}

/// A statement: its tokens, the 1-based line it starts on and its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub line: usize,
    pub tokens: Vec<Token>,
    pub text: String,
}

impl Statement {
    pub fn keyword(&self, index: usize) -> &str {
        self.tokens.get(index).map_or("", |t| t.keyword.as_str())
    }

    pub fn has_keyword(&self, word: &str) -> bool {
        self.tokens.iter().any(|t| t.keyword == word)
    }
}

/// Cuts `sql` into statements. An unterminated literal or comment is an error: the file would
/// not run either.
pub fn statements(sql: &str) -> Result<Vec<Statement>, String> {
    let chars: Vec<(usize, char)> = sql.char_indices().collect();
    let mut out = Vec::new();
    let mut tokens: Vec<Token> = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut line = 1;
    let mut i = 0;
    let finish = |tokens: &mut Vec<Token>, start: &mut Option<(usize, usize)>, end: usize| {
        if let Some((line, offset)) = start.take() {
            return Some(Statement {
                line,
                tokens: std::mem::take(tokens),
                text: collapse(&sql[offset..end]),
            });
        }
        None
    };
    while i < chars.len() {
        let (offset, c) = chars[i];
        let next = chars.get(i + 1).map(|&(_, c)| c);
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i].1 != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let from = line;
            i += 2;
            loop {
                match chars.get(i) {
                    None => return Err(format!("line {from}: unterminated /* comment")),
                    Some((_, '*')) if chars.get(i + 1).map(|&(_, c)| c) == Some('/') => {
                        i += 2;
                        break;
                    }
                    Some((_, ch)) => {
                        if *ch == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            continue;
        }
        if c == ';' {
            if let Some(statement) = finish(&mut tokens, &mut start, offset) {
                out.push(statement);
            }
            i += 1;
            continue;
        }
        start.get_or_insert((line, offset));
        if c == '\'' || c == '"' {
            let from = line;
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("line {from}: unterminated {c} quote")),
                    Some(&(_, ch)) if ch == c => {
                        // A doubled quote is an escaped quote, not the end.
                        if chars.get(i + 1).map(|&(_, x)| x) == Some(c) {
                            text.push(c);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    Some(&(_, ch)) => {
                        if ch == '\n' {
                            line += 1;
                        }
                        text.push(ch);
                        i += 1;
                    }
                }
            }
            let name = if c == '"' { text } else { String::new() };
            tokens.push(Token {
                keyword: String::new(),
                name,
            });
            continue;
        }
        if c == '$'
            && let Some(tag_len) = dollar_tag(&chars[i..])
        {
            let tag: String = chars[i..i + tag_len].iter().map(|&(_, c)| c).collect();
            let from = line;
            i += tag_len;
            loop {
                if i >= chars.len() {
                    return Err(format!("line {from}: unterminated {tag} body"));
                }
                if chars[i].1 == '$' && dollar_tag(&chars[i..]) == Some(tag_len) {
                    let closing: String = chars[i..i + tag_len].iter().map(|&(_, c)| c).collect();
                    if closing == tag {
                        i += tag_len;
                        break;
                    }
                }
                if chars[i].1 == '\n' {
                    line += 1;
                }
                i += 1;
            }
            tokens.push(Token {
                keyword: String::new(),
                name: String::new(),
            });
            continue;
        }
        if is_word_char(c) {
            let mut word = String::new();
            while let Some(&(_, ch)) = chars.get(i) {
                if !is_word_char(ch) {
                    break;
                }
                word.push(ch);
                i += 1;
            }
            tokens.push(Token {
                keyword: word.to_ascii_uppercase(),
                name: word.to_ascii_lowercase(),
            });
            continue;
        }
        tokens.push(Token {
            keyword: c.to_string(),
            name: c.to_string(),
        });
        i += 1;
    }
    if let Some(statement) = finish(&mut tokens, &mut start, sql.len()) {
        out.push(statement);
    }
    Ok(out)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The length of a `$tag$` opening at the start of `chars`, tag being empty or a word.
fn dollar_tag(chars: &[(usize, char)]) -> Option<usize> {
    let mut len = 1;
    loop {
        match chars.get(len) {
            Some((_, '$')) => return Some(len + 1),
            Some(&(_, c)) if c.is_alphanumeric() || c == '_' => {
                // `$1` is a parameter, not a tag.
                if len == 1 && c.is_ascii_digit() {
                    return None;
                }
                len += 1;
            }
            _ => return None,
        }
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_in_comments_strings_and_bodies_do_not_end_statements() -> Result<(), String> {
        let sql = "-- a comment; still a comment\nCREATE TABLE t (a text DEFAULT ';');\n\
                   /* block; */ INSERT INTO t VALUES ('it''s; fine');\n\
                   CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
                   SELECT \"odd;name\" FROM t";
        let found = statements(sql)?;
        let lines: Vec<usize> = found.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5]);
        assert_eq!(found[0].keyword(0), "CREATE");
        assert!(!found[0].has_keyword(";"));
        assert_eq!(found[3].tokens[1].name, "odd;name");
        assert_eq!(found[3].text, "SELECT \"odd;name\" FROM t");
        Ok(())
    }

    #[test]
    fn unterminated_literal_is_an_error() {
        assert!(statements("SELECT 'oops").is_err());
        assert!(statements("SELECT 1 /* oops").is_err());
    }
}
