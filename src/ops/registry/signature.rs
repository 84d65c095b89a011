//! Op signatures as torch's Python argument parser writes them
//! (`clamp(Tensor input, Scalar? min=None, Scalar? max=None)`), parsed once into parameter lists.
//! The bindings bind Python arguments against them; the stubs and the ops table are printed from
//! them, so a signature is written once, in the op's declaration.

use crate::error::{Error, Result};

/// The type of one parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A tensor.
    Tensor,
    /// A tensor or a Python number (torch's wrapped numbers: `add(x, 2)`); printed as `Tensor`.
    Value,
    /// A Python number, or a 0-dim tensor that does not require grad (torch's `Scalar`).
    Scalar,
    /// A Python int (or anything with `__index__`).
    Int,
    /// A Python float or int.
    Float,
    /// A Python bool.
    Bool,
    /// An int or a sequence of ints (`int[]`; also varargs when first and positional).
    IntList,
    /// A sequence of sequences of ints (`int[][]`: `tensordot`'s pair of dim lists), passed
    /// flattened as the count of lists, each list's length, then every list's ints.
    IntLists,
    /// An rtensor dtype, or the Python types `float`, `int`, `bool`.
    DType,
    /// A Python str.
    Str,
    /// A sequence of tensors.
    TensorList,
    /// A device: `'cpu'` (or an `rtensor.device`).
    Device,
    /// A Python number or a str (a norm's order: `2`, `inf`, `'fro'`).
    ScalarOrStr,
    /// A random generator (`rtensor.Generator`), or `None` for the default one.
    Generator,
    /// A sequence of Python numbers (`float[]`: `histogram`'s `range`).
    FloatList,
    /// A tensor layout: only `rtensor.strided`, accepted and ignored.
    Layout,
    /// A memory format (`rtensor.preserve_format`, `rtensor.contiguous_format`,
    /// `rtensor.channels_last`, `rtensor.channels_last_3d`), passed as its name.
    MemoryFormat,
}

impl ParamType {
    fn parse(s: &str) -> Result<ParamType> {
        Ok(match s {
            "Tensor" => ParamType::Tensor,
            "Value" => ParamType::Value,
            "Scalar" => ParamType::Scalar,
            "int" => ParamType::Int,
            "float" => ParamType::Float,
            "bool" => ParamType::Bool,
            "int[]" => ParamType::IntList,
            "int[][]" => ParamType::IntLists,
            "ScalarType" => ParamType::DType,
            "str" => ParamType::Str,
            "Tensor[]" => ParamType::TensorList,
            "Device" => ParamType::Device,
            "ScalarOrStr" => ParamType::ScalarOrStr,
            "Generator" => ParamType::Generator,
            "float[]" => ParamType::FloatList,
            "Layout" => ParamType::Layout,
            "MemoryFormat" => ParamType::MemoryFormat,
            _ => return Err(Error::Runtime(format!("unknown parameter type '{}'", s))),
        })
    }

    /// How torch's messages name the type (`Number`, `tuple of ints`, `torch.dtype`).
    pub fn torch_name(self) -> &'static str {
        match self {
            ParamType::Tensor | ParamType::Value => "Tensor",
            ParamType::Scalar => "Number",
            ParamType::Int => "int",
            ParamType::Float => "float",
            ParamType::Bool => "bool",
            ParamType::IntList => "tuple of ints",
            ParamType::IntLists => "tuple of int lists",
            ParamType::DType => "rtensor.dtype",
            ParamType::Str => "str",
            ParamType::TensorList => "tuple of Tensors",
            ParamType::Device => "rtensor.device",
            ParamType::ScalarOrStr => "Number or str",
            ParamType::Generator => "rtensor.Generator",
            ParamType::FloatList => "tuple of floats",
            ParamType::Layout => "rtensor.layout",
            ParamType::MemoryFormat => "rtensor.memory_format",
        }
    }

    /// The annotation the stub gives a parameter of this type (names `_rtensor.pyi` defines).
    pub fn stub_type(self) -> &'static str {
        match self {
            ParamType::Tensor => "Tensor",
            ParamType::Value => "_Operand",
            ParamType::Scalar => "_Number | Tensor",
            ParamType::Int => "_int",
            ParamType::Float => "_float",
            ParamType::Bool => "_bool",
            ParamType::IntList => "_SizeArg",
            ParamType::IntLists => "Sequence[Sequence[_int]]",
            ParamType::DType => "_dtype | type",
            ParamType::Str => "str",
            ParamType::TensorList => "Sequence[Tensor]",
            ParamType::Device => "str | device | _int",
            ParamType::ScalarOrStr => "_Number | str",
            ParamType::Generator => "Generator",
            ParamType::FloatList => "Sequence[_float]",
            ParamType::Layout => "_layout",
            ParamType::MemoryFormat => "_memory_format",
        }
    }
}

/// A default value, as written after `=`.
#[derive(Debug, Clone, PartialEq)]
pub enum Default {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A quoted string.
    Str(String),
    /// `[]` or `[1, 2]`.
    Ints(Vec<i64>),
}

impl Default {
    fn parse(s: &str) -> Result<Default> {
        Ok(match s {
            "None" => Default::None,
            "True" => Default::Bool(true),
            "False" => Default::Bool(false),
            _ if s.starts_with('\'') && s.ends_with('\'') && s.len() >= 2 => {
                Default::Str(s[1..s.len() - 1].to_string())
            }
            _ if s.starts_with('[') && s.ends_with(']') => {
                let inner = s[1..s.len() - 1].trim();
                let ints = if inner.is_empty() {
                    vec![]
                } else {
                    inner
                        .split(',')
                        .map(|p| p.trim().parse::<i64>())
                        .collect::<std::result::Result<Vec<_>, _>>()
                        .map_err(|_| Error::Runtime(format!("bad default '{}'", s)))?
                };
                Default::Ints(ints)
            }
            _ => {
                if let Ok(i) = s.parse::<i64>() {
                    Default::Int(i)
                } else if let Ok(f) = s.parse::<f64>() {
                    Default::Float(f)
                } else {
                    return Err(Error::Runtime(format!("bad default '{}'", s)));
                }
            }
        })
    }

    /// The default as Python source (`None`, `False`, `1`, `'reduced'`, `()`).
    pub fn python(&self) -> String {
        match self {
            Default::None => "None".into(),
            Default::Bool(b) => if *b { "True" } else { "False" }.into(),
            Default::Int(i) => i.to_string(),
            Default::Float(f) => format!("{:?}", f),
            Default::Str(s) => format!("'{}'", s),
            Default::Ints(v) => {
                let parts: Vec<String> = v.iter().map(|i| i.to_string()).collect();
                if v.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
        }
    }
}

/// One parameter of a signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name (the keyword that passes it).
    pub name: String,
    /// Its type.
    pub ty: ParamType,
    /// `Type?`: `None` is accepted.
    pub optional: bool,
    /// `int[1]`: a bare int is accepted for a list of this many ints (0: any int list).
    pub size: usize,
    /// The default, when the parameter may be left out.
    pub default: Option<Default>,
    /// Keyword-only (after `*`).
    pub kw_only: bool,
    /// `int[]... size`: the positional arguments may also be given one by one (`zeros(2, 3)`,
    /// `x.reshape(2, 3)`).
    pub varargs: bool,
    /// `Tensor(a) input`, torch's alias annotation: the result is a view of this tensor, made in
    /// constant time whatever its size (so the bindings never release the GIL for it).
    pub alias: bool,
}

impl Param {
    /// The parameter as torch prints it in "expected one of" lists: `Number min = None`.
    pub fn torch_repr(&self) -> String {
        let mut s = format!("{} {}", self.ty.torch_name(), self.name);
        if let Some(d) = &self.default {
            s.push_str(" = ");
            s.push_str(&match d {
                Default::Ints(v) if v.is_empty() => "None".into(),
                d => d.python(),
            });
        }
        s
    }
}

/// A parsed signature: the op name, its parameters in order, and what it returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// The name before the parenthesis.
    pub name: String,
    /// The parameters, positional ones first.
    pub params: Vec<Param>,
    /// The return annotation after `->` (`Tensor` when absent).
    pub returns: String,
}

/// Splits at top-level commas (not inside brackets or quotes).
fn split_params(s: &str) -> Vec<&str> {
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    let mut out = vec![];
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '[' | '(' if !quoted => depth += 1,
            ']' | ')' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = s[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

impl Signature {
    /// Parses `name(Type param=default, ..., *, Type kw=default) -> Returns`.
    pub fn parse(text: &str) -> Result<Signature> {
        let bad = || Error::Runtime(format!("malformed signature '{}'", text));
        let (text, returns) = match text.rsplit_once("->") {
            Some((t, r)) => (t.trim(), r.trim().to_string()),
            None => (text.trim(), "Tensor".to_string()),
        };
        let open = text.find('(').ok_or_else(bad)?;
        let close = text.rfind(')').ok_or_else(bad)?;
        // A namespaced op's signature may be written with its qualified name
        // (`special.zeta(...)`); the signature is named by the Python name alone.
        let name = text[..open].trim();
        let name = name.rsplit('.').next().unwrap_or(name).to_string();
        let mut params = vec![];
        let mut kw_only = false;
        for p in split_params(&text[open + 1..close]) {
            if p == "*" {
                kw_only = true;
                continue;
            }
            let (decl, default) = match p.split_once('=') {
                Some((d, v)) => (d.trim(), Some(Default::parse(v.trim())?)),
                None => (p, None),
            };
            let (ty, pname) = decl.rsplit_once(' ').ok_or_else(bad)?;
            let (ty, varargs) = match ty.strip_suffix("...") {
                Some(t) => (t, true),
                None => (ty, false),
            };
            let (ty, optional) = match ty.strip_suffix('?') {
                Some(t) => (t, true),
                None => (ty, false),
            };
            // `int[2]`: a list of two ints that a bare int also fills.
            let (ty, size) = match (ty.find('['), ty.ends_with(']')) {
                (Some(i), true) if i + 2 < ty.len() && !ty.ends_with("[]") => {
                    let n = ty[i + 1..ty.len() - 1]
                        .parse::<usize>()
                        .map_err(|_| bad())?;
                    (&ty[..i + 1], n)
                }
                _ => (ty, 0),
            };
            let ty = if ty == "int[" { "int[]" } else { ty };
            let (ty, alias) = match ty.strip_suffix("(a)") {
                Some(t) => (t, true),
                None => (ty, false),
            };
            params.push(Param {
                name: pname.trim().to_string(),
                ty: ParamType::parse(ty.trim())?,
                optional,
                size,
                default,
                kw_only,
                varargs,
                alias,
            });
        }
        Ok(Signature {
            name,
            params,
            returns,
        })
    }

    /// One signature that accepts what any of `sigs` accepts, for the text signature and the
    /// stub: parameters by name in order of first appearance; one missing from some overload
    /// gets a default (`None` if it had none), and the types of each are collected.
    pub fn merged(sigs: &[Signature]) -> (Signature, Vec<Vec<ParamType>>) {
        let mut out = sigs[0].clone();
        let mut types: Vec<Vec<ParamType>> = out.params.iter().map(|p| vec![p.ty]).collect();
        for s in &sigs[1..] {
            for (pos, p) in s.params.iter().enumerate() {
                // A parameter is the same as one of another name at the same position when
                // both are positional (`pow(Scalar self, ...)` and `pow(Tensor input, ...)`).
                let found = out.index_of(&p.name).or_else(|| {
                    (!p.kw_only && pos < out.params.len() && !out.params[pos].kw_only)
                        .then_some(pos)
                });
                match found {
                    Some(i) => {
                        if !types[i].contains(&p.ty) {
                            types[i].push(p.ty);
                        }
                        if p.optional {
                            out.params[i].optional = true;
                        }
                    }
                    None => {
                        let mut q = p.clone();
                        if q.default.is_none() {
                            q.default = Some(Default::None);
                            q.optional = true;
                        }
                        types.push(vec![q.ty]);
                        out.params.push(q);
                    }
                }
            }
            for p in out.params.iter_mut() {
                if s.index_of(&p.name).is_none() && p.default.is_none() && p.kw_only {
                    p.default = Some(Default::None);
                    p.optional = true;
                }
            }
        }
        // Keyword-only parameters stay after the positional ones.
        let mut order: Vec<usize> = (0..out.params.len()).collect();
        order.sort_by_key(|&i| out.params[i].kw_only);
        let params = order.iter().map(|&i| out.params[i].clone()).collect();
        let types = order.iter().map(|&i| types[i].clone()).collect();
        out.params = params;
        (out, types)
    }

    /// Index of the parameter called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// The parameter list as torch prints it: `(Tensor input, *, Tensor out = None)`.
    pub fn torch_repr(&self, skip_self: bool) -> String {
        let mut parts = vec![];
        let mut star = false;
        for (i, p) in self.params.iter().enumerate() {
            if skip_self && i == 0 {
                continue;
            }
            if p.kw_only && !star {
                parts.push("*".to_string());
                star = true;
            }
            parts.push(p.torch_repr());
        }
        format!("({})", parts.join(", "))
    }

    /// The Python text signature (`(input, *, out=None)`), as `__text_signature__` gives it.
    pub fn text_signature(&self, skip_self: bool) -> String {
        let mut parts = vec![];
        let mut star = false;
        for (i, p) in self.params.iter().enumerate() {
            if skip_self && i == 0 {
                continue;
            }
            if p.varargs {
                parts.push(format!("*{}", p.name));
                star = true;
                continue;
            }
            if p.kw_only && !star {
                parts.push("*".to_string());
                star = true;
            }
            parts.push(match &p.default {
                Some(d) => format!("{}={}", p.name, d.python()),
                None => p.name.clone(),
            });
        }
        format!("({})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types_defaults_and_keyword_only_parameters() {
        let s = Signature::parse(
            "sum(Tensor input, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None)",
        )
        .unwrap();
        assert_eq!(s.name, "sum");
        assert_eq!(s.params.len(), 4);
        assert_eq!(s.params[1].ty, ParamType::IntList);
        assert_eq!(s.params[1].size, 1);
        assert!(s.params[1].optional);
        assert_eq!(s.params[2].default, Some(Default::Bool(false)));
        assert!(s.params[3].kw_only && !s.params[2].kw_only);
        assert_eq!(
            s.torch_repr(false),
            "(Tensor input, tuple of ints dim = None, bool keepdim = False, *, rtensor.dtype dtype = None)"
        );
        assert_eq!(
            s.text_signature(true),
            "(dim=None, keepdim=False, *, dtype=None)"
        );
    }

    #[test]
    fn reads_the_alias_annotation_of_a_view() {
        let s = Signature::parse("transpose(Tensor(a) input, int dim0, int dim1)").unwrap();
        assert_eq!(s.params[0].ty, ParamType::Tensor);
        assert!(s.params[0].alias && !s.params[1].alias);
        assert_eq!(s.torch_repr(false), "(Tensor input, int dim0, int dim1)");
        let s = Signature::parse("clone(Tensor input)").unwrap();
        assert!(!s.params[0].alias);
    }

    #[test]
    fn parses_strings_lists_and_floats() {
        let s =
            Signature::parse("f(Tensor input, str mode='a,b', int[] d=[], float e=1e-06)").unwrap();
        assert_eq!(s.params[1].default, Some(Default::Str("a,b".into())));
        assert_eq!(s.params[2].default, Some(Default::Ints(vec![])));
        assert_eq!(s.params[3].default, Some(Default::Float(1e-6)));
        assert!(Signature::parse("f(Blob x)").is_err());
        assert!(Signature::parse("f Tensor x").is_err());
    }
}
