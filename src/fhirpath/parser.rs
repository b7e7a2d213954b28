//! Pratt parser from tokens to [`Ast`] (grammar: <https://hl7.org/fhirpath/N1/grammar.html>).
//!
//! Precedence, loosest first: `implies`; `or xor`; `and`; `in contains`;
//! `= ~ != !~`; `< > <= >=`; `|`; `is as`; `+ - &`; `* / div mod`; unary `+ -`;
//! then `.` invocation and `[]` indexing. Function names are resolved and their
//! argument counts checked here, so unknown functions fail at compile time.

use super::ast::{Ast, BinOp, Call, Literal, Name, TypeSpec};
use super::datetime::{DateTime, Time};
use super::decimal::Decimal;
use super::error::{FhirPathError, Result};
use super::functions;
use super::lexer::{Sym, Tok, Token, tokenize};
use super::quantity::{Quantity, is_calendar_keyword};

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: u32 = 100;
const UNARY_BP: u8 = 11;

/// Most tokens accepted in one expression.
const MAX_TOKENS: usize = 2000;
/// Tallest expression tree accepted (evaluation recurses along it).
const MAX_TREE_DEPTH: usize = 150;

/// Parses a whole expression.
pub fn parse(src: &str) -> Result<Ast> {
    let tokens = tokenize(src)?;
    if tokens.len() > MAX_TOKENS {
        return Err(FhirPathError::syntax(0, "expression too long"));
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let ast = p.expression(0)?;
    if *p.peek() != Tok::Eof {
        return Err(p.error("unexpected token after expression"));
    }
    if ast.depth(MAX_TREE_DEPTH) > MAX_TREE_DEPTH {
        return Err(FhirPathError::syntax(0, "expression nested too deeply"));
    }
    Ok(ast)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: u32,
}

/// Binding power and operator of an infix token.
fn infix(tok: &Tok) -> Option<(u8, BinOp)> {
    Some(match tok {
        Tok::Ident(word) => match word.as_str() {
            "implies" => (1, BinOp::Implies),
            "or" => (2, BinOp::Or),
            "xor" => (2, BinOp::Xor),
            "and" => (3, BinOp::And),
            "in" => (4, BinOp::In),
            "contains" => (4, BinOp::Contains),
            "div" => (10, BinOp::IntDiv),
            "mod" => (10, BinOp::Mod),
            _ => return None,
        },
        Tok::Sym(sym) => match sym {
            Sym::Eq => (5, BinOp::Eq),
            Sym::NotEq => (5, BinOp::NotEq),
            Sym::Tilde => (5, BinOp::Equiv),
            Sym::NotTilde => (5, BinOp::NotEquiv),
            Sym::Lt => (6, BinOp::Lt),
            Sym::Gt => (6, BinOp::Gt),
            Sym::Le => (6, BinOp::Le),
            Sym::Ge => (6, BinOp::Ge),
            Sym::Pipe => (7, BinOp::Union),
            Sym::Plus => (9, BinOp::Add),
            Sym::Minus => (9, BinOp::Sub),
            Sym::Amp => (9, BinOp::Concat),
            Sym::Star => (10, BinOp::Mul),
            Sym::Slash => (10, BinOp::Div),
            _ => return None,
        },
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn peek_at(&self, offset: usize) -> &Tok {
        self.tokens
            .get(self.pos + offset)
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    fn advance(&mut self) -> Tok {
        let tok = self.peek().clone();
        self.pos += 1;
        tok
    }

    fn error(&self, message: &str) -> FhirPathError {
        let offset = self.tokens.get(self.pos).map_or(0, |t| t.pos);
        FhirPathError::syntax(offset, message)
    }

    fn expect(&mut self, sym: Sym, what: &str) -> Result<()> {
        if *self.peek() == Tok::Sym(sym) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn expression(&mut self, min_bp: u8) -> Result<Ast> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("expression nested too deeply"));
        }
        let result = self.expression_inner(min_bp);
        self.depth -= 1;
        result
    }

    fn expression_inner(&mut self, min_bp: u8) -> Result<Ast> {
        let mut lhs = self.prefix()?;
        loop {
            if let Tok::Ident(word) = self.peek()
                && (word == "is" || word == "as")
                && min_bp <= 8
            {
                let is = word == "is";
                self.pos += 1;
                let spec = self.type_spec()?;
                lhs = if is {
                    Ast::Is(Box::new(lhs), spec)
                } else {
                    Ast::As(Box::new(lhs), spec)
                };
                continue;
            }
            let Some((bp, op)) = infix(self.peek()) else {
                return Ok(lhs);
            };
            if bp < min_bp {
                return Ok(lhs);
            }
            self.pos += 1;
            let rhs = self.expression(bp + 1)?;
            lhs = Ast::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn prefix(&mut self) -> Result<Ast> {
        match self.peek() {
            Tok::Sym(Sym::Minus) => {
                self.pos += 1;
                Ok(Ast::Negate(Box::new(self.expression(UNARY_BP)?)))
            }
            Tok::Sym(Sym::Plus) => {
                self.pos += 1;
                Ok(Ast::Plus(Box::new(self.expression(UNARY_BP)?)))
            }
            _ => {
                let term = self.term()?;
                self.postfix(term)
            }
        }
    }

    fn postfix(&mut self, mut lhs: Ast) -> Result<Ast> {
        loop {
            match self.peek() {
                Tok::Sym(Sym::Dot) => {
                    self.pos += 1;
                    lhs = self.invocation(Some(lhs))?;
                }
                Tok::Sym(Sym::LBracket) => {
                    self.pos += 1;
                    let index = self.expression(0)?;
                    self.expect(Sym::RBracket, "expected ']'")?;
                    lhs = Ast::Index(Box::new(lhs), Box::new(index));
                }
                _ => return Ok(lhs),
            }
        }
    }

    fn term(&mut self) -> Result<Ast> {
        match self.advance() {
            Tok::Sym(Sym::LParen) => {
                let inner = self.expression(0)?;
                self.expect(Sym::RParen, "expected ')'")?;
                Ok(inner)
            }
            Tok::Sym(Sym::LBrace) => {
                self.expect(Sym::RBrace, "expected '}'")?;
                Ok(Ast::Empty)
            }
            Tok::Number(text) => self.number(&text),
            Tok::Str(s) => Ok(Ast::Literal(Literal::String(s.into()))),
            Tok::Date(text) => self.date_literal(&text, false),
            Tok::DateTime(text) => self.date_literal(&text, true),
            Tok::Time(text) => Time::parse(&text)
                .map(|t| Ast::Literal(Literal::Time(t)))
                .ok_or_else(|| self.error("invalid time literal")),
            Tok::Var(name) => Ok(Ast::Var(name.into())),
            Tok::Special(name) => Ok(match name.as_str() {
                "this" => Ast::This,
                "index" => Ast::IndexVar,
                _ => Ast::Total,
            }),
            Tok::Ident(word) if word == "true" || word == "false" => {
                Ok(Ast::Literal(Literal::Boolean(word == "true")))
            }
            Tok::Ident(_) | Tok::Delimited(_) => {
                self.pos -= 1;
                self.invocation(None)
            }
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.error("expected an expression"))
            }
        }
    }

    fn date_literal(&self, text: &str, with_time: bool) -> Result<Ast> {
        let parsed = if with_time {
            DateTime::parse_datetime(text).map(Literal::DateTime)
        } else {
            DateTime::parse_date(text).map(Literal::Date)
        };
        parsed
            .map(Ast::Literal)
            .ok_or_else(|| self.error("invalid date/time literal"))
    }

    /// A number, possibly followed by a unit making it a quantity.
    fn number(&mut self, text: &str) -> Result<Ast> {
        let unit = match self.peek() {
            Tok::Str(unit) => Some(unit.clone()),
            Tok::Ident(word) if is_calendar_keyword(word) => Some(word.clone()),
            _ => None,
        };
        if let Some(unit) = unit {
            self.pos += 1;
            let value = Decimal::parse(text).ok_or_else(|| self.error("invalid number"))?;
            return Ok(Ast::Literal(Literal::Quantity(Quantity::new(value, unit))));
        }
        if text.contains('.') {
            let value = Decimal::parse(text).ok_or_else(|| self.error("invalid number"))?;
            return Ok(Ast::Literal(Literal::Decimal(value)));
        }
        text.parse::<i64>()
            .map(|i| Ast::Literal(Literal::Integer(i)))
            .or_else(|_| {
                Decimal::parse(text)
                    .map(|d| Ast::Literal(Literal::Decimal(d)))
                    .ok_or_else(|| self.error("invalid number"))
            })
    }

    fn identifier(&mut self) -> Result<String> {
        match self.advance() {
            Tok::Ident(word) | Tok::Delimited(word) => Ok(word),
            _ => {
                self.pos -= 1;
                Err(self.error("expected an identifier"))
            }
        }
    }

    /// `identifier` or `identifier(args)`, applied to `target`.
    fn invocation(&mut self, target: Option<Ast>) -> Result<Ast> {
        if let Tok::Special(name) = self.peek().clone() {
            self.pos += 1;
            return match (target, name.as_str()) {
                (None, _) => Err(self.error("unexpected $ variable")),
                (Some(t), "this") => Ok(t),
                (Some(_), _) => Err(self.error("only $this may follow '.'")),
            };
        }
        let delimited = matches!(self.peek(), Tok::Delimited(_));
        let name = self.identifier()?;
        if !delimited && *self.peek() == Tok::Sym(Sym::LParen) {
            self.pos += 1;
            return self.call(target, &name);
        }
        let name = Name::new(&name);
        Ok(match target {
            Some(t) => Ast::Member(Box::new(t), name),
            None => Ast::Ident(name),
        })
    }

    fn call(&mut self, target: Option<Ast>, name: &str) -> Result<Ast> {
        let mut args = Vec::new();
        if *self.peek() != Tok::Sym(Sym::RParen) {
            loop {
                args.push(self.expression(0)?);
                if *self.peek() != Tok::Sym(Sym::Comma) {
                    break;
                }
                self.pos += 1;
            }
        }
        self.expect(Sym::RParen, "expected ')' after arguments")?;
        let func = functions::lookup(name, args.len())?;
        let type_arg = if func.takes_type() {
            Some(type_spec_of(&args)?)
        } else {
            None
        };
        Ok(Ast::Call(Box::new(Call {
            target,
            func,
            args,
            type_arg,
        })))
    }

    /// `identifier ('.' identifier)?` after `is` / `as`.
    fn type_spec(&mut self) -> Result<TypeSpec> {
        let first = self.identifier()?;
        if *self.peek() == Tok::Sym(Sym::Dot)
            && matches!(self.peek_at(1), Tok::Ident(_) | Tok::Delimited(_))
            && (first == "FHIR" || first == "System")
        {
            self.pos += 1;
            let name = self.identifier()?;
            return Ok(TypeSpec {
                namespace: Some(first.into()),
                name: name.into(),
            });
        }
        Ok(TypeSpec {
            namespace: None,
            name: first.into(),
        })
    }
}

/// Reads the single argument of `is()`/`as()`/`ofType()` as a type name.
fn type_spec_of(args: &[Ast]) -> Result<TypeSpec> {
    match args {
        [Ast::Ident(name)] => Ok(TypeSpec {
            namespace: None,
            name: name.text.clone(),
        }),
        [Ast::Member(ns, name)] => match ns.as_ref() {
            Ast::Ident(ns) => Ok(TypeSpec {
                namespace: Some(ns.text.clone()),
                name: name.text.clone(),
            }),
            _ => Err(FhirPathError::semantic("expected a type name")),
        },
        _ => Err(FhirPathError::semantic("expected a type name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(src: &str) -> String {
        format!("{:?}", parse(src).unwrap())
    }

    #[test]
    fn precedence_follows_the_grammar() {
        assert!(shape("1 + 2 * 3").starts_with("Binary(Add"));
        assert!(shape("1 > 2 is Boolean").starts_with("Binary(Gt"));
        assert!(shape("1 | 1 is Integer").starts_with("Binary(Union"));
        assert!(shape("-a.b.count()").starts_with("Negate(Call"));
        assert!(shape("a implies b or c and d").starts_with("Binary(Implies"));
    }

    #[test]
    fn parses_quantities_and_types() {
        assert!(shape("4 days").contains("Quantity"));
        assert!(shape("10 'mg'").contains("\"mg\""));
        assert!(shape("x.is(FHIR.Patient)").contains("Some(\"FHIR\")"));
        assert!(shape("x as System.Boolean").starts_with("As("));
    }

    #[test]
    fn rejects_bad_syntax_and_unknown_functions() {
        for src in [
            "2 + 2 /",
            "(1",
            "a.",
            "foo(",
            "1 2",
            "a.unknownFn()",
            "x.where()",
            "@2015-13-01",
            ")",
        ] {
            assert!(parse(src).is_err(), "{src}");
        }
        assert!(parse(&"(".repeat(5000)).is_err());
        assert!(parse("a.".repeat(400).trim_end_matches('.')).is_err());
        assert!(parse(&vec!["1"; 3000].join("+")).is_err());
    }
}
