//! A small JSON reader (xtask has no dependencies): enough to check that the Grafana dashboard
//! parses and to collect its query expressions.

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Every string value under a key called `key`, anywhere in the document.
    pub fn strings_under(&self, key: &str, out: &mut Vec<String>) {
        match self {
            Value::Array(items) => items.iter().for_each(|v| v.strings_under(key, out)),
            Value::Object(fields) => {
                for (name, value) in fields {
                    if name == key
                        && let Value::String(text) = value
                    {
                        out.push(text.clone());
                    }
                    value.strings_under(key, out);
                }
            }
            _ => {}
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

pub fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    let value = parser.value()?;
    parser.space();
    if parser.at < parser.chars.len() {
        return Err(parser.error("text after the JSON value"));
    }
    Ok(value)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn error(&self, what: &str) -> String {
        let line = self.chars[..self.at.min(self.chars.len())]
            .iter()
            .filter(|c| **c == '\n')
            .count()
            + 1;
        format!("line {line}: {what}")
    }

    fn space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.space();
        if self.chars.get(self.at) == Some(&c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{c}`")))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.space();
        match self.chars.get(self.at) {
            Some('{') => self.object(),
            Some('[') => self.array(),
            Some('"') => self.string().map(Value::String),
            Some('t') => self.word("true", Value::Bool(true)),
            Some('f') => self.word("false", Value::Bool(false)),
            Some('n') => self.word("null", Value::Null),
            Some(c) if *c == '-' || c.is_ascii_digit() => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, String> {
        let end = self.at + word.len();
        if self
            .chars
            .get(self.at..end)
            .is_some_and(|s| s.iter().copied().eq(word.chars()))
        {
            self.at = end;
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        while self
            .chars
            .get(self.at)
            .is_some_and(|c| c.is_ascii_digit() || "+-.eE".contains(*c))
        {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        text.parse()
            .map(Value::Number)
            .map_err(|_| self.error(&format!("bad number `{text}`")))
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            let Some(&c) = self.chars.get(self.at) else {
                return Err(self.error("unterminated string"));
            };
            self.at += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(&escaped) = self.chars.get(self.at) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.at += 1;
                    match escaped {
                        '"' | '\\' | '/' => out.push(escaped),
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' => {
                            let hex: String = self.chars.iter().skip(self.at).take(4).collect();
                            let code = u32::from_str_radix(&hex, 16)
                                .map_err(|_| self.error("bad \\u escape"))?;
                            self.at += 4;
                            // Surrogate halves only appear for characters outside the BMP,
                            // which a dashboard's queries do not use.
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(self.error("bad escape")),
                    }
                }
                c if (c as u32) < 0x20 => return Err(self.error("control character in string")),
                c => out.push(c),
            }
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.expect('[')?;
        let mut items = Vec::new();
        self.space();
        if self.chars.get(self.at) == Some(&']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.space();
            match self.chars.get(self.at) {
                Some(',') => self.at += 1,
                Some(']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        self.expect('{')?;
        let mut fields = Vec::new();
        self.space();
        if self.chars.get(self.at) == Some(&'}') {
            self.at += 1;
            return Ok(Value::Object(fields));
        }
        loop {
            self.space();
            let key = self.string()?;
            self.expect(':')?;
            fields.push((key, self.value()?));
            self.space();
            match self.chars.get(self.at) {
                Some(',') => self.at += 1,
                Some('}') => {
                    self.at += 1;
                    return Ok(Value::Object(fields));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_documents_and_finds_exprs() -> Result<(), String> {
        let doc = parse(
            r#"{"panels": [{"targets": [{"expr": "up == 0", "n": -1.5e2}]},
                {"title": "x\"y\u00e9", "ok": true, "none": null, "targets": []}]}"#,
        )?;
        let mut exprs = Vec::new();
        doc.strings_under("expr", &mut exprs);
        assert_eq!(exprs, ["up == 0"]);
        Ok(())
    }

    #[test]
    fn rejects_broken_json_with_a_line() {
        for bad in [
            "{\"a\": 1,}",
            "[1 2]",
            "{\"a\": tru}",
            "{\"a\": \"x}",
            "{} x",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let result = parse("{\n\"a\": 1,\n}");
        assert!(
            matches!(&result, Err(m) if m.starts_with("line 3:")),
            "{result:?}"
        );
    }
}
