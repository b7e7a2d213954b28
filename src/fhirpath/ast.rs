//! The compiled form of a FHIRPath expression.
//!
//! Built once by the parser and shared read-only by every evaluation
//! (`Send + Sync + Clone`). Names carry their `_name` companion key so that
//! navigation over FHIR JSON never allocates.

use super::datetime::{DateTime, Time};
use super::decimal::Decimal;
use super::functions::Func;
use super::quantity::Quantity;

/// An element name with its precomputed JSON companion key (`_name`).
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The name as written.
    pub text: Box<str>,
    /// `_` + name: the key of primitive extensions in FHIR JSON.
    pub underscore: Box<str>,
}

impl Name {
    /// Builds a name and its companion key.
    pub fn new(text: &str) -> Name {
        Name {
            text: text.into(),
            underscore: format!("_{text}").into(),
        }
    }
}

/// A type specifier such as `Quantity`, `FHIR.Patient` or `System.Boolean`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeSpec {
    /// `System` or `FHIR` when qualified.
    pub namespace: Option<Box<str>>,
    /// The type name.
    pub name: Box<str>,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Boolean(bool),
    String(Box<str>),
    Integer(i64),
    Decimal(Decimal),
    Date(DateTime),
    DateTime(DateTime),
    Time(Time),
    Quantity(Quantity),
}

/// Binary operators, in the grammar's precedence groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    IntDiv,
    Mod,
    Add,
    Sub,
    Concat,
    Union,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    NotEq,
    Equiv,
    NotEquiv,
    In,
    Contains,
    And,
    Or,
    Xor,
    Implies,
}

/// A function invocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The expression before the `.`; `None` means the current focus.
    pub target: Option<Ast>,
    /// Which function.
    pub func: Func,
    /// Argument expressions, unevaluated (functions decide how to evaluate them).
    pub args: Vec<Ast>,
    /// The argument of `is()`, `as()` and `ofType()`, parsed as a type.
    pub type_arg: Option<TypeSpec>,
}

/// An expression tree node.
#[derive(Clone, Debug, PartialEq)]
pub enum Ast {
    /// `{}`
    Empty,
    Literal(Literal),
    /// A leading identifier: a member of the focus or a type name filter.
    Ident(Name),
    /// `expr.name`
    Member(Box<Ast>, Name),
    Call(Box<Call>),
    /// `expr[index]`
    Index(Box<Ast>, Box<Ast>),
    This,
    IndexVar,
    Total,
    /// `%name`
    Var(Box<str>),
    Negate(Box<Ast>),
    Plus(Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    Is(Box<Ast>, TypeSpec),
    As(Box<Ast>, TypeSpec),
}

impl Ast {
    /// The direct sub-expressions of this node.
    pub fn children(&self) -> Vec<&Ast> {
        match self {
            Ast::Member(t, _) | Ast::Negate(t) | Ast::Plus(t) | Ast::Is(t, _) | Ast::As(t, _) => {
                vec![t]
            }
            Ast::Index(a, b) | Ast::Binary(_, a, b) => vec![a, b],
            Ast::Call(call) => call.target.iter().chain(call.args.iter()).collect(),
            _ => Vec::new(),
        }
    }

    /// Height of the tree, computed without recursion; stops counting past `limit`.
    pub fn depth(&self, limit: usize) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((node, depth)) = stack.pop() {
            deepest = deepest.max(depth);
            if deepest > limit {
                break;
            }
            stack.extend(node.children().into_iter().map(|c| (c, depth + 1)));
        }
        deepest
    }
}
