//! The copy ops: `contiguous`, `clone`, dtype conversion and `copy_`, recorded for autograd; the
//! copying itself is `kernels/copy.rs`.

use crate::autograd::record::{in_place, record};
use crate::autograd::rules::copy::CopyRule;
use crate::autograd::rules::views::PassRule;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::copy::{
    copy_checked, copy_raw, empty_like_format, empty_like_preserving, format_strides, is_in_format,
};
use crate::ops::registry::{Args, Forms, OpDef, Ret};
use crate::tensor::Tensor;

impl Tensor {
    /// `contiguous(memory_format=...)`: this tensor when already laid out in that format
    /// (`None` is `contiguous_format`), else a copy laid out so.
    pub fn contiguous_format(&self, format: Option<&str>) -> Result<Tensor> {
        match format {
            None | Some("contiguous_format") => self.contiguous(),
            Some("preserve_format") if self.is_contiguous() => Ok(self.clone()),
            Some("preserve_format") => Err(Error::Runtime(
                "preserve memory format is unsupported by the contiguous operator".into(),
            )),
            Some(f) => {
                format_strides(self, format)?;
                if is_in_format(self, f) {
                    Ok(self.clone())
                } else {
                    self.clone_format(format)
                }
            }
        }
    }

    /// This tensor if row-major contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        let out = self.clone_contiguous()?;
        Ok(record(out, "CloneBackward0", &[self], || {
            PassRule(InputMeta::of(self))
        }))
    }

    /// `clone()`: new storage, same values, the same dim order when dense (torch's preserve_format).
    pub fn clone_tensor(&self) -> Result<Tensor> {
        self.clone_format(None)
    }

    /// `clone(memory_format=...)`: new storage, same values, laid out in torch's memory format
    /// (`None` is `preserve_format`).
    pub fn clone_format(&self, format: Option<&str>) -> Result<Tensor> {
        let out = empty_like_format(self, self.dtype(), format)?;
        // An empty tensor has nothing to copy (and channels_last strides of a size-0 shape
        // can be 0, which the copy would take for overlapping memory).
        if out.numel() > 0 {
            copy_raw(&out, self)?;
        }
        Ok(record(out, "CloneBackward0", &[self], || {
            PassRule(InputMeta::of(self))
        }))
    }

    /// Converts to `dtype`, returning this tensor itself when the dtype already matches.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        let out = empty_like_preserving(self, dtype)?;
        copy_raw(&out, self)?;
        Ok(record(out, "ToCopyBackward0", &[self], || {
            PassRule(InputMeta::of(self))
        }))
    }

    /// `copy_(src)`: writes `src` (broadcast, converted) into this tensor in place; the gradient
    /// flows to `src` and no longer to what this tensor held.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        in_place(
            self,
            &[src],
            || copy_checked(self, src),
            |snapshot| {
                let out = snapshot.clone_contiguous()?;
                copy_checked(&out, src)?;
                Ok(record(out, "CopyBackwards", &[snapshot, src], || {
                    CopyRule(InputMeta::of(snapshot), InputMeta::of(src))
                }))
            },
        )
    }
}

/// `contiguous`.
pub static CONTIGUOUS: OpDef = OpDef {
    name: "contiguous",
    doc: "This tensor when laid out in `memory_format` (row-major by default), else a copy laid out so.",
    signatures: &["contiguous(Tensor input, *, MemoryFormat? memory_format=None)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["CloneBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.contiguous_format(a.opt_str(1)?)?.into()),
};

/// `clone`.
pub static CLONE: OpDef = OpDef {
    name: "clone",
    doc: "A copy in new memory, in the same dim order when dense (or in `memory_format`); gradients flow through it.",
    signatures: &["clone(Tensor input, *, MemoryFormat? memory_format=None)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["CloneBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.clone_format(a.opt_str(1)?)?.into()),
};

/// `to(dtype)`, `to(device, dtype)`, `to(other)`: a conversion, or the tensor itself when
/// nothing changes and `copy` is not asked for.
fn to(a: &Args) -> Result<Ret> {
    let t = a.tensor(0)?;
    let (target, copy) = match a.overload {
        0 => (a.opt_dtype(1)?, a.bool(3)?),
        1 => {
            crate::device::check_device(a.opt_str(1)?)?;
            (a.opt_dtype(2)?, a.bool(4)?)
        }
        _ => (Some(a.tensor(1)?.dtype()), a.bool(3)?),
    };
    let target = target.unwrap_or(t.dtype());
    Ok(Ret::Tensor(match (target == t.dtype(), copy) {
        (true, false) => t.clone(),
        (true, true) => t.clone_tensor()?,
        _ => t.to_dtype(target)?,
    }))
}

/// `to`.
pub static TO: OpDef = OpDef {
    name: "to",
    doc: "Converts to a dtype (the tensor itself when it already has it); the device is the CPU.",
    signatures: &[
        "to(Tensor input, ScalarType dtype, bool non_blocking=False, bool copy=False)",
        "to(Tensor input, Device? device=None, ScalarType? dtype=None, bool non_blocking=False, bool copy=False)",
        "to(Tensor input, Tensor other, bool non_blocking=False, bool copy=False)",
    ],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["ToCopyBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| to(a),
};

/// The dtype conversions `float()`, `double()`, ... (the tensor itself when it has the dtype).
macro_rules! conversion {
    ($stat:ident, $name:literal, $dtype:expr) => {
        #[doc = concat!("`", $name, "()`.")]
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: concat!(
                "Converts to ",
                stringify!($dtype),
                " (the tensor itself when it has that dtype)."
            ),
            signatures: &[concat!($name, "(Tensor input)")],
            forms: Forms::METHOD,
            aliases: &[],
            nodes: &["ToCopyBackward0"],
            method_signatures: &[],
            source: file!(),
            run: |a, _| Ok(a.tensor(0)?.to_dtype($dtype)?.into()),
        };
    };
}

conversion!(FLOAT, "float", DType::Float32);
conversion!(DOUBLE, "double", DType::Float64);
conversion!(INT, "int", DType::Int32);
conversion!(LONG, "long", DType::Int64);
conversion!(BOOL, "bool", DType::Bool);
conversion!(BYTE, "byte", DType::UInt8);
conversion!(CHAR, "char", DType::Int8);
conversion!(SHORT, "short", DType::Int16);
conversion!(HALF, "half", DType::Float16);
conversion!(BFLOAT16, "bfloat16", DType::BFloat16);

/// `copy_`.
pub static COPY_: OpDef = OpDef {
    name: "copy_",
    doc: "Writes `src` (broadcast, converted) into this tensor; the gradient flows to `src`.",
    signatures: &["copy_(Tensor input, Tensor src, bool non_blocking=False)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["CopyBackwards"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        t.copy_(a.tensor(1)?)?;
        Ok(t.clone().into())
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &CONTIGUOUS,
    &CLONE,
    &TO,
    &BYTE,
    &CHAR,
    &SHORT,
    &HALF,
    &BFLOAT16,
    &FLOAT,
    &DOUBLE,
    &INT,
    &LONG,
    &BOOL,
    &COPY_,
];
