//! Bound arguments: one [`Arg`] per parameter of the signature that matched, defaults filled in.
//! The bindings build them from Python objects; runners read them by position with typed getters.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// A list of ints: inline up to four, so dims and sizes of up to 4-D need no allocation.
pub type Ints = smallvec::SmallVec<[i64; 4]>;

/// Where a list argument's items sit in its [`Args`]' pool (ints or tensors).
#[derive(Debug, Clone, Copy)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// One argument value: 16 bytes, so binding moves it in registers. A tensor is borrowed from
/// the caller where it can be (the bindings lend the tensors of the Python objects, which outlive
/// the call), so binding takes no reference; lists live in the [`Args`]' pools.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// `None` (or an optional parameter left out).
    None,
    /// A tensor, borrowed.
    Tensor(&'a Tensor),
    /// A tensor, owned (an argument made during the call).
    OwnedTensor(Tensor),
    /// A Python number.
    Scalar(Scalar),
    /// An int.
    Int(i64),
    /// A float.
    Float(f64),
    /// A bool.
    Bool(bool),
    /// A list of ints (dims or sizes): its place in [`Args::ints`].
    Ints(Span),
    /// A dtype.
    DType(DType),
    /// A string (boxed: strings are rare, and the box keeps `Arg` small).
    Str(Box<String>),
    /// A list of tensors: its place in [`Args::tensor_lists`].
    Tensors(Span),
    /// A random generator.
    Generator(crate::random::Generator),
}

const _: () = assert!(std::mem::size_of::<Arg<'static>>() == 16);

/// The values of one call's arguments (inline up to 6: no allocation for most calls).
pub type ArgValues<'a> = smallvec::SmallVec<[Arg<'a>; 6]>;

/// The arguments of one call, in signature order.
#[derive(Debug, Clone, Default)]
pub struct Args<'a> {
    /// Which of the op's signatures matched (its index among the declared function signatures,
    /// or among `method_signatures` when the op declares those and was called as a method).
    pub overload: usize,
    /// One value per parameter.
    pub values: ArgValues<'a>,
    /// Called as a Tensor method (the first value is the tensor it was called on).
    pub method: bool,
    /// The items of the int-list arguments.
    pub ints: smallvec::SmallVec<[i64; 8]>,
    /// The items of the tensor-list arguments.
    pub tensor_lists: Vec<Tensor>,
}

fn internal(i: usize, want: &str, got: &Arg<'_>) -> Error {
    Error::Runtime(format!(
        "internal error: argument {} should be {}, got {:?}",
        i, want, got
    ))
}

impl<'a> Args<'a> {
    /// Arguments of overload 0.
    pub fn new(values: Vec<Arg<'a>>) -> Args<'a> {
        Args {
            overload: 0,
            values: values.into(),
            method: false,
            ints: Default::default(),
            tensor_lists: Vec::new(),
        }
    }

    /// Empties the values and pools (to bind again).
    pub fn clear(&mut self) {
        self.values.clear();
        self.ints.clear();
        self.tensor_lists.clear();
    }

    /// An int-list argument: `items` go to the pool.
    pub fn int_list(&mut self, items: &[i64]) -> Arg<'a> {
        let start = self.ints.len() as u32;
        self.ints.extend_from_slice(items);
        Arg::Ints(Span {
            start,
            len: items.len() as u32,
        })
    }

    /// A float-list argument: `items` go to the int pool as their bits.
    pub fn float_list(&mut self, items: &[f64]) -> Arg<'a> {
        let bits: Vec<i64> = items.iter().map(|f| f.to_bits() as i64).collect();
        self.int_list(&bits)
    }

    /// A tensor-list argument: `items` go to the pool.
    pub fn tensor_list(&mut self, items: impl IntoIterator<Item = Tensor>) -> Arg<'a> {
        let start = self.tensor_lists.len() as u32;
        self.tensor_lists.extend(items);
        Arg::Tensors(Span {
            start,
            len: self.tensor_lists.len() as u32 - start,
        })
    }

    fn get(&self, i: usize) -> &Arg<'a> {
        self.values.get(i).unwrap_or(&Arg::None)
    }

    /// A tensor argument.
    pub fn tensor(&self, i: usize) -> Result<&Tensor> {
        match self.get(i) {
            Arg::Tensor(t) => Ok(t),
            Arg::OwnedTensor(t) => Ok(t),
            a => Err(internal(i, "a tensor", a)),
        }
    }

    /// An optional tensor argument.
    pub fn opt_tensor(&self, i: usize) -> Result<Option<&Tensor>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.tensor(i).map(Some),
        }
    }

    /// A tensor-or-number argument.
    pub fn value(&self, i: usize) -> Result<Value> {
        match self.get(i) {
            Arg::Tensor(t) => Ok(Value::Tensor((*t).clone())),
            Arg::OwnedTensor(t) => Ok(Value::Tensor(t.clone())),
            Arg::Scalar(s) => Ok(Value::Scalar(*s)),
            Arg::Int(v) => Ok(Value::Scalar(Scalar::Int(*v))),
            Arg::Float(v) => Ok(Value::Scalar(Scalar::Float(*v))),
            Arg::Bool(v) => Ok(Value::Scalar(Scalar::Bool(*v))),
            a => Err(internal(i, "a tensor or a number", a)),
        }
    }

    /// An optional tensor-or-number argument.
    pub fn opt_value(&self, i: usize) -> Result<Option<Value>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.value(i).map(Some),
        }
    }

    /// A number argument.
    pub fn scalar(&self, i: usize) -> Result<Scalar> {
        match self.get(i) {
            Arg::Scalar(s) => Ok(*s),
            Arg::Int(v) => Ok(Scalar::Int(*v)),
            Arg::Float(v) => Ok(Scalar::Float(*v)),
            Arg::Bool(v) => Ok(Scalar::Bool(*v)),
            a => Err(internal(i, "a number", a)),
        }
    }

    /// An optional number argument.
    pub fn opt_scalar(&self, i: usize) -> Result<Option<Scalar>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.scalar(i).map(Some),
        }
    }

    /// An int argument.
    pub fn int(&self, i: usize) -> Result<i64> {
        match self.get(i) {
            Arg::Int(v) => Ok(*v),
            a => Err(internal(i, "an int", a)),
        }
    }

    /// An optional int argument.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    /// A float argument (ints are accepted, as in Python).
    pub fn float(&self, i: usize) -> Result<f64> {
        match self.get(i) {
            Arg::Float(v) => Ok(*v),
            Arg::Int(v) => Ok(*v as f64),
            a => Err(internal(i, "a float", a)),
        }
    }

    /// An optional float argument.
    pub fn opt_float(&self, i: usize) -> Result<Option<f64>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.float(i).map(Some),
        }
    }

    /// A bool argument.
    pub fn bool(&self, i: usize) -> Result<bool> {
        match self.get(i) {
            Arg::Bool(v) => Ok(*v),
            a => Err(internal(i, "a bool", a)),
        }
    }

    /// An optional bool argument.
    pub fn opt_bool(&self, i: usize) -> Result<Option<bool>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.bool(i).map(Some),
        }
    }

    /// A list of ints.
    pub fn ints(&self, i: usize) -> Result<&[i64]> {
        match self.get(i) {
            Arg::Ints(at) => Ok(&self.ints[at.range()]),
            a => Err(internal(i, "a list of ints", a)),
        }
    }

    /// An optional list of ints (`dim=None`).
    pub fn opt_ints(&self, i: usize) -> Result<Option<&[i64]>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.ints(i).map(Some),
        }
    }

    /// An optional list of floats (`range=None`).
    pub fn opt_floats(&self, i: usize) -> Result<Option<Vec<f64>>> {
        Ok(self
            .opt_ints(i)?
            .map(|v| v.iter().map(|&b| f64::from_bits(b as u64)).collect()))
    }

    /// An optional dtype.
    pub fn opt_dtype(&self, i: usize) -> Result<Option<DType>> {
        match self.get(i) {
            Arg::None => Ok(None),
            Arg::DType(d) => Ok(Some(*d)),
            a => Err(internal(i, "a dtype", a)),
        }
    }

    /// A generator argument: the default generator for `None`.
    pub fn generator(&self, i: usize) -> Result<&crate::random::Generator> {
        match self.get(i) {
            Arg::Generator(g) => Ok(g),
            Arg::None => Ok(crate::random::Generator::default_generator()),
            other => Err(internal(i, "a generator", other)),
        }
    }

    /// A string argument.
    pub fn str(&self, i: usize) -> Result<&str> {
        match self.get(i) {
            Arg::Str(s) => Ok(s.as_str()),
            a => Err(internal(i, "a string", a)),
        }
    }

    /// An optional string argument.
    pub fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        match self.get(i) {
            Arg::None => Ok(None),
            _ => self.str(i).map(Some),
        }
    }

    /// A list of tensors.
    pub fn tensors(&self, i: usize) -> Result<&[Tensor]> {
        match self.get(i) {
            Arg::Tensors(at) => Ok(&self.tensor_lists[at.range()]),
            a => Err(internal(i, "a list of tensors", a)),
        }
    }

    /// Every tensor among the arguments (the inputs an `out=` or in-place call must check).
    pub fn all_tensors(&self) -> Vec<&Tensor> {
        let mut out = vec![];
        for a in &self.values {
            match a {
                Arg::Tensor(t) => out.push(*t),
                Arg::OwnedTensor(t) => out.push(t),
                Arg::Tensors(at) => out.extend(self.tensor_lists[at.range()].iter()),
                _ => {}
            }
        }
        out
    }

    /// A copy with argument `i` replaced.
    pub fn with(&self, i: usize, value: Arg<'a>) -> Args<'a> {
        let mut a = self.clone();
        if i < a.values.len() {
            a.values[i] = value;
        }
        a
    }

    /// The total number of elements of the tensor arguments: how much work the call is, which
    /// decides whether the bindings release the GIL.
    pub fn work(&self) -> usize {
        self.values
            .iter()
            .map(|a| match a {
                Arg::Tensor(t) => t.numel(),
                Arg::OwnedTensor(t) => t.numel(),
                Arg::Tensors(at) => self.tensor_lists[at.range()]
                    .iter()
                    .map(Tensor::numel)
                    .sum(),
                _ => 0,
            })
            .sum()
    }
}
