//! Bit and logic ops: `bitwise_and`, `bitwise_or`, `bitwise_xor`, `bitwise_not`, the shifts,
//! `logical_and`, `logical_or`, `logical_xor`, `logical_not`, `gcd`, `lcm`. The bitwise ops take
//! integers and bool; the logical ops read any dtype as truth values and give bool.

use crate::{binary_ops, unary_ops};

binary_ops! { BINARY;
    /// Bitwise and (logical and for bool).
    bitwise_and {
        sig: ["bitwise_and(Tensor input, Tensor other)", "bitwise_and(Scalar self, Tensor other)", "bitwise_and(Tensor input, Scalar other)"],
        kernel: [int: |a, b| a & b, bool: |a, b| a & b],
    }
    /// Bitwise or (logical or for bool).
    bitwise_or {
        sig: ["bitwise_or(Tensor input, Tensor other)", "bitwise_or(Scalar self, Tensor other)", "bitwise_or(Tensor input, Scalar other)"],
        kernel: [int: |a, b| a | b, bool: |a, b| a | b],
    }
    /// Bitwise exclusive or (logical xor for bool).
    bitwise_xor {
        sig: ["bitwise_xor(Tensor input, Tensor other)", "bitwise_xor(Scalar self, Tensor other)", "bitwise_xor(Tensor input, Scalar other)"],
        kernel: [int: |a, b| a ^ b, bool: |a, b| a ^ b],
    }
    /// `input << other`; shifts outside `[0, bits)` give 0.
    bitwise_left_shift {
        sig: ["bitwise_left_shift(Tensor input, Tensor other)", "bitwise_left_shift(Scalar self, Tensor other)", "bitwise_left_shift(Tensor input, Scalar other)"],
        refuse: Kernel("lshift_cpu"),
        kernel: [int: |a, b| {
            let bits = (std::mem::size_of_val(&a) * 8) as i64;
            let s = b as i64;
            if s < 0 || s >= bits { a.lit(0) } else { a.wrapping_shl(s as u32) }
        }],
    }
    /// `input >> other` (arithmetic); shifts outside `[0, bits)` fill with the sign.
    bitwise_right_shift {
        sig: ["bitwise_right_shift(Tensor input, Tensor other)", "bitwise_right_shift(Scalar self, Tensor other)", "bitwise_right_shift(Tensor input, Scalar other)"],
        refuse: Kernel("rshift_cpu"),
        kernel: [int: |a, b| {
            let bits = (std::mem::size_of_val(&a) * 8) as i64;
            let s = b as i64;
            if s < 0 || s >= bits { a >> (bits - 1) } else { a >> s }
        }],
    }
    /// Logical and: true where both are nonzero.
    logical_and {
        compute: Bool,
        output: Bool,
        kernel: [bool: |a, b| a & b],
    }
    /// Logical or: true where either is nonzero.
    logical_or {
        compute: Bool,
        output: Bool,
        kernel: [bool: |a, b| a | b],
    }
    /// Logical exclusive or.
    logical_xor {
        compute: Bool,
        output: Bool,
        kernel: [bool: |a, b| a ^ b],
    }
    /// Greatest common divisor (non-negative).
    gcd {
        kernel: [int: |a, b| {
            let (mut x, mut y) = (a.wrapping_abs(), b.wrapping_abs());
            while y != 0 {
                let t = x % y;
                x = y;
                y = t;
            }
            x
        }],
    }
    /// Least common multiple (non-negative).
    lcm {
        kernel: [int: |a, b| {
            let (mut x, mut y) = (a.wrapping_abs(), b.wrapping_abs());
            while y != 0 {
                let t = x % y;
                x = y;
                y = t;
            }
            if x == 0 { x } else { (a / x).wrapping_mul(b).wrapping_abs() }
        }],
    }
}

unary_ops! { UNARY;
    /// Bitwise not (logical not for bool).
    bitwise_not {
        out_rule: Exact,
        kernel: [int: |x| !x, bool: |x| !x],
    }
    /// Logical not: true where the input is zero.
    logical_not {
        compute: Bool,
        output: Bool,
        kernel: [bool: |x| !x],
    }
}
