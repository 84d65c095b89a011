//! The declaration macros of pointwise ops. One block per op gives everything about it; the macro
//! makes the op's [`OpDef`](crate::ops::registry::OpDef) (`<name>::DEF`), its Rust method on
//! `Tensor` (which gradient formulas call), and the family's `OPS` list:
//!
//! ```text
//! unary_ops! { OPS;
//!     /// Rounds down to the nearest integer; integers are returned as they are.
//!     floor {
//!         refuse: Kernel("floor_vml_cpu"),
//!         kernel: [float: |x| x.floor(), int: |x| x],
//!         grad: FloorBackward0 [] |c, g| c.each(|_| g.zeros_like()),
//!     }
//! }
//! ```
//!
//! Optional fields, in this order: `name` (the qualified Python name when it differs from the
//! Rust one: `"special.i0e"` for `special_i0e`), `forms` (default `ALL`: function, method, in-place, `out=`),
//! `aliases`, `compute` (`Same`, `Float`, `Bool`), `output` (`Same`, `Bool`), `refuse`
//! (`Kernel("name")` or `Message("...")`), for unary ops `out_rule` (the dtype an `out=` tensor
//! must have: `Exact`, `Bool`, `Input`; default `Castable`), and for binary ops `sig` (the overloads; default
//! `(Tensor input, Tensor other)`), `scalar_slots`, `cast_name` (the name in torch's
//! cast error, when not `result type <dtype>`), `check` (a domain check run first), and after
//! `grad`, `scalar_node` (the node when `other` is a number) and `scalar_self_node` (when `input`
//! is), and last `inplace_grad` (the node and formula of the in-place form when torch records
//! another there: `AcoshBackward1`; a binary op's is not listed in its `nodes`, the only ones,
//! `floor_divide_` and `heaviside_`, recording `NotImplemented` as their other forms do). `kernel` is required;
//! `grad` gives the node name, what backward saves and the formula, written with differentiable
//! Tensor methods. What is saved: `input` (every operand), `other` (each operand when another
//! operand wants a gradient, as `mul`'s), `x0`/`x1`/`x2` (that operand), `output`.

/// Declares one-operand pointwise ops (see the module doc).
#[macro_export]
macro_rules! unary_ops {
    ($list:ident; $(
        $(#[doc = $doc:literal])*
        $name:ident {
            $(name: $qualified:literal,)?
            $(forms: $forms:ident,)?
            $(aliases: [$($alias:literal),* $(,)?],)?
            $(compute: $compute:ident,)?
            $(output: $output:ident,)?
            $(refuse: $refuse:ident($refuse_arg:literal),)?
            $(out_rule: $out_rule:ident,)?
            kernel: [$($kernel:tt)*],
            $(grad: $node:ident [$($save:ident)*] |$c:ident, $g:ident| $formula:expr,)?
            $(inplace_grad: $inode:ident |$ic:ident, $ig:ident| $iformula:expr,)?
        }
    )*) => {
        $(
            #[allow(non_snake_case)]
            #[doc = concat!("The `", stringify!($name), "` op.")]
            pub mod $name {
                #[allow(unused_imports)]
                use super::*;

                /// What the op computes and how it differentiates.
                pub fn spec() -> $crate::ops::pointwise::Spec<impl $crate::kernels::pointwise::Kernel1> {
                    #[allow(unused_mut)]
                    let mut s = $crate::ops::pointwise::Spec::new(stringify!($name), $crate::k1!($($kernel)*));
                    $(s.compute = $crate::ops::pointwise::Compute::$compute;)?
                    $(s.output = $crate::ops::pointwise::Output::$output;)?
                    $(s.refuse = $crate::ops::pointwise::Refusal::$refuse($refuse_arg);)?
                    $(s.out_rule = $crate::ops::pointwise::OutRule::$out_rule;)?
                    $(s.grad = Some($crate::ops::pointwise::Grad {
                        node: stringify!($node),
                        saves: $crate::unary_ops!(@saves [$($save)*]),
                        formula: |$c, $g| $formula,
                    });)?
                    $(s.inplace_grad = Some($crate::ops::pointwise::Grad {
                        node: stringify!($inode),
                        saves: Default::default(),
                        formula: |$ic, $ig| $iformula,
                    });)?
                    s
                }

                /// The declaration.
                pub static DEF: $crate::ops::registry::OpDef = $crate::ops::registry::OpDef {
                    name: $crate::unary_ops!(@name $name $($qualified)?),
                    doc: concat!($($doc),*),
                    signatures: &[concat!($crate::unary_ops!(@name $name $($qualified)?), "(Tensor input)")],
                    forms: $crate::unary_ops!(@forms $($forms)?),
                    aliases: &[$($($alias),*)?],
                    nodes: &[$(stringify!($node),)? $(stringify!($inode))?],
                    method_signatures: &[],
                    source: file!(),
                    run: |a, d| Ok($crate::ops::pointwise::unary(a.tensor(0)?, d, &spec())?.into()),
                };

                impl $crate::tensor::Tensor {
                    $(#[doc = $doc])*
                    pub fn $name(&self) -> $crate::Result<$crate::Tensor> {
                        $crate::ops::pointwise::unary(self, $crate::ops::registry::Dest::New, &spec())
                    }
                }
            }
        )*

        /// The ops of this block, for the registry.
        pub static $list: &[&$crate::ops::registry::OpDef] = &[$(&$name::DEF),*];
    };
    (@name $name:ident) => { stringify!($name) };
    (@name $name:ident $q:literal) => { $q };
    (@forms) => { $crate::ops::registry::Forms::ALL };
    (@forms $f:ident) => { $crate::ops::registry::Forms::$f };
    (@saves [$($save:ident)*]) => {{
        #[allow(unused_mut)]
        let mut s = $crate::autograd::rules::pointwise::Saves::default();
        $($crate::unary_ops!(@save s $save);)*
        s
    }};
    (@save $s:ident input) => { $s.always = 0xff; };
    (@save $s:ident other) => { $s.for_others = 0xff; };
    (@save $s:ident x0) => { $s.always |= 1; };
    (@save $s:ident x1) => { $s.always |= 2; };
    (@save $s:ident x2) => { $s.always |= 4; };
    (@save $s:ident output) => { $s.output = true; };
}

/// Declares two-operand pointwise ops (see the module doc). The Rust method takes the second
/// operand as anything [`IntoValue`](crate::value::IntoValue): `g.mul(&x)`, `g.mul(2.0)`.
#[macro_export]
macro_rules! binary_ops {
    ($list:ident; $(
        $(#[doc = $doc:literal])*
        $name:ident {
            $(name: $qualified:literal,)?
            $(sig: [$($sig:literal),+ $(,)?],)?
            $(forms: $forms:ident,)?
            $(aliases: [$($alias:literal),* $(,)?],)?
            $(compute: $compute:ident,)?
            $(output: $output:ident,)?
            $(refuse: $refuse:ident($refuse_arg:literal),)?
            $(scalar_slots: $slots:literal,)?
            $(cast_name: $cast_name:literal,)?
            $(check: $check:expr,)?
            kernel: [$($kernel:tt)*],
            $(grad: $node:ident [$($save:ident)*] |$c:ident, $g:ident| $formula:expr,)?
            $(scalar_node: $snode:ident,)?
            $(scalar_self_node: $ssnode:ident,)?
            $(inplace_grad: $inode:ident |$ic:ident, $ig:ident| $iformula:expr,)?
        }
    )*) => {
        $(
            #[allow(non_snake_case)]
            #[doc = concat!("The `", stringify!($name), "` op.")]
            pub mod $name {
                #[allow(unused_imports)]
                use super::*;

                /// What the op computes and how it differentiates.
                pub fn spec() -> $crate::ops::pointwise::Spec<impl $crate::kernels::pointwise::Kernel2> {
                    #[allow(unused_mut)]
                    let mut s = $crate::ops::pointwise::Spec::new(stringify!($name), $crate::k2!($($kernel)*));
                    $(s.compute = $crate::ops::pointwise::Compute::$compute;)?
                    $(s.output = $crate::ops::pointwise::Output::$output;)?
                    $(s.refuse = $crate::ops::pointwise::Refusal::$refuse($refuse_arg);)?
                    $(s.scalar_slots = $slots;)?
                    $(s.cast_name = Some($cast_name);)?
                    $(s.check = Some($check);)?
                    $(s.scalar_node = Some(stringify!($snode));)?
                    $(s.scalar_self_node = Some(stringify!($ssnode));)?
                    $(s.grad = Some($crate::ops::pointwise::Grad {
                        node: stringify!($node),
                        saves: $crate::unary_ops!(@saves [$($save)*]),
                        formula: |$c, $g| $formula,
                    });)?
                    $(s.inplace_grad = Some($crate::ops::pointwise::Grad {
                        node: stringify!($inode),
                        saves: Default::default(),
                        formula: |$ic, $ig| $iformula,
                    });)?
                    s
                }

                /// The declaration.
                pub static DEF: $crate::ops::registry::OpDef = $crate::ops::registry::OpDef {
                    name: $crate::unary_ops!(@name $name $($qualified)?),
                    doc: concat!($($doc),*),
                    signatures: $crate::binary_ops!(@sig $name $($qualified)? $([$($sig),+])?),
                    forms: $crate::unary_ops!(@forms $($forms)?),
                    aliases: &[$($($alias),*)?],
                    nodes: &[$(stringify!($node),)? $(stringify!($snode),)? $(stringify!($ssnode))?],
                    method_signatures: &[],
                    source: file!(),
                    run: |a, d| {
                        Ok($crate::ops::pointwise::binary(&a.value(0)?, &a.value(1)?, d, &spec())?.into())
                    },
                };

                impl $crate::tensor::Tensor {
                    $(#[doc = $doc])*
                    pub fn $name(&self, other: impl $crate::value::IntoValue) -> $crate::Result<$crate::Tensor> {
                        $crate::ops::pointwise::binary(
                            &$crate::value::Value::Tensor(self.clone()),
                            &other.into_value(),
                            $crate::ops::registry::Dest::New,
                            &spec(),
                        )
                    }
                }
            }
        )*

        /// The ops of this block, for the registry.
        pub static $list: &[&$crate::ops::registry::OpDef] = &[$(&$name::DEF),*];
    };
    (@sig $name:ident) => { &[concat!(stringify!($name), "(Tensor input, Tensor other)")] };
    (@sig $name:ident $q:literal) => { &[concat!($q, "(Tensor input, Tensor other)")] };
    (@sig $name:ident $($q:literal)? [$($sig:literal),+]) => { &[$($sig),+] };
}
