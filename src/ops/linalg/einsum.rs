//! `einsum` for any number of operands, with torch's ellipsis (`...` stands for the dims no letter
//! names, aligned from the right and broadcast across operands), computed as torch computes it so
//! that dtypes and errors agree: every operand is aligned to one dim order (output dims first, then
//! the contracted ones), repeated subscripts within an operand take a diagonal, and the operands are
//! contracted left to right. In each step a dim that only one remaining operand has is summed out
//! of it first (`sum`, which makes integers and bool int64), dims both have and no later operand
//! needs are contracted by one batched product (`bmm`: equal dtypes, no bool), and a pair with
//! nothing to contract is multiplied (promoting). A lone operand is summed over its contracted
//! dims. Every step is a differentiable op, so gradients come for free.

use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::collections::{BTreeMap, VecDeque};

fn einsum_err(msg: impl Into<String>) -> Error {
    Error::Runtime(format!("einsum(): {}", msg.into()))
}

/// One subscript of a term as written: a letter, or the ellipsis.
#[derive(Clone, Copy, PartialEq)]
enum Sub {
    Letter(char),
    Ellipsis,
}

/// Parses one term (`who` is "operand N" or "output"; `offset` is the term's place in the
/// equation, for messages).
fn parse_term(term: &str, offset: usize, who: &str) -> Result<Vec<Sub>> {
    let chars: Vec<char> = term.chars().collect();
    let mut subs = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '.' {
            // torch words the output's two messages a little differently.
            let output = who == "output";
            if subs.contains(&Sub::Ellipsis) {
                return Err(einsum_err(if output {
                    "found '.' for output but an ellipsis (...) was already found".to_string()
                } else {
                    format!(
                        "found '.' for {} for which an ellipsis was already found",
                        who
                    )
                }));
            }
            if chars.get(i + 1) != Some(&'.') || chars.get(i + 2) != Some(&'.') {
                return Err(einsum_err(format!(
                    "found '.' for {} that is not part of any ellipsis{}",
                    who,
                    if output { " (...)" } else { "" }
                )));
            }
            subs.push(Sub::Ellipsis);
            i += 3;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            return Err(einsum_err(format!(
                "invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
                offset + i
            )));
        }
        subs.push(Sub::Letter(c));
        i += 1;
    }
    Ok(subs)
}

/// The label of the ellipsis dim `r` places from the right (the same dim in every operand): a
/// private-use character, so it never meets a letter.
fn ellipsis_label(r: usize) -> Result<char> {
    u32::try_from(r)
        .ok()
        .and_then(|r| char::from_u32(0xF0000 + r))
        .ok_or_else(|| einsum_err("too many dimensions covered by an ellipsis"))
}

/// The labels of a term whose ellipsis (if any) covers `covered` dims.
fn expand_term(subs: &[Sub], covered: usize) -> Result<Vec<char>> {
    let mut labels = Vec::with_capacity(subs.len() + covered);
    for s in subs {
        match *s {
            Sub::Letter(c) => labels.push(c),
            Sub::Ellipsis => {
                for r in (0..covered).rev() {
                    labels.push(ellipsis_label(r)?);
                }
            }
        }
    }
    Ok(labels)
}

/// `einsum(equation, operands)` with torch's subscript rules and messages.
pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
    if operands.is_empty() {
        return Err(Error::Value(
            "einsum(): must specify the equation string and at least one operand, or at least one \
             operand and its subscripts list"
                .into(),
        ));
    }
    let eq: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
    let (lhs, rhs) = match eq.split_once("->") {
        Some((l, r)) => (l, Some(r)),
        None => (eq.as_str(), None),
    };
    let terms: Vec<&str> = lhs.split(',').collect();
    if terms.len() > operands.len() {
        return Err(einsum_err(
            "fewer operands were provided than specified in the equation",
        ));
    }
    if terms.len() < operands.len() {
        return Err(einsum_err(
            "more operands were provided than specified in the equation",
        ));
    }
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    let mut labeled = Vec::with_capacity(operands.len());
    let mut offset = 0;
    let mut most_covered = 0;
    for (i, (term, t)) in terms.iter().zip(operands).enumerate() {
        let subs = parse_term(term, offset, &format!("operand {}", i))?;
        offset += term.len() + 1;
        let named = subs.iter().filter(|s| matches!(s, Sub::Letter(_))).count();
        let covered = if subs.contains(&Sub::Ellipsis) {
            if named > t.ndim() {
                return Err(einsum_err(format!(
                    "the number of subscripts in the equation ({}) is more than the number of dimensions ({}) for operand {}",
                    named,
                    t.ndim(),
                    i
                )));
            }
            t.ndim() - named
        } else {
            if named != t.ndim() {
                return Err(einsum_err(format!(
                    "the number of subscripts in the equation ({}) does not match the number of dimensions ({}) for operand {} and no ellipsis was given",
                    named,
                    t.ndim(),
                    i
                )));
            }
            0
        };
        most_covered = most_covered.max(covered);
        for s in &subs {
            if let Sub::Letter(c) = *s {
                *counts.entry(c).or_insert(0) += 1;
            }
        }
        labeled.push((expand_term(&subs, covered)?, t.clone()));
    }
    let output = match rhs {
        Some(r) => parse_output(r, &counts, offset, most_covered)?,
        None => {
            // The ellipsis dims first, then the letters used once, in alphabetical order.
            let mut out = expand_term(&[Sub::Ellipsis], most_covered)?;
            out.extend(counts.iter().filter(|(_, &n)| n == 1).map(|(&c, _)| c));
            out
        }
    };
    // The common dim order: the output's, then the ellipsis dims it leaves out, then the other
    // letters in alphabetical order (capitals first).
    let mut order = output.clone();
    for r in (0..most_covered).rev() {
        let label = ellipsis_label(r)?;
        if !order.contains(&label) {
            order.push(label);
        }
    }
    order.extend(counts.keys().filter(|c| !output.contains(c)));
    let place: BTreeMap<char, usize> = order.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let (out_dims, total) = (output.len(), order.len());
    // Align every operand to `order`: take diagonals, unsqueeze missing dims, permute. A subscript's
    // size-1 dims broadcast; `counts_left[d]` is how many operands have dim `d` with another size.
    let mut sizes: BTreeMap<char, usize> = BTreeMap::new();
    let mut counts_left = vec![0usize; total];
    let mut ops = VecDeque::with_capacity(labeled.len());
    for (i, (labels, t)) in labeled.into_iter().enumerate() {
        let mut op = t;
        let mut perm: Vec<Option<usize>> = vec![None; total];
        let mut dim = 0;
        for c in labels {
            let at = place
                .get(&c)
                .copied()
                .ok_or_else(|| einsum_err("internal error: a subscript without a place"))?;
            if let Some(prev) = perm[at] {
                let (n, first) = (op.shape()[dim], op.shape()[prev]);
                if n != first {
                    return Err(einsum_err(format!(
                        "subscript {} is repeated for operand {} but the sizes don't match, {} != {}",
                        c, i, n, first
                    )));
                }
                op = op.diagonal_view(prev, dim)?;
                continue;
            }
            let n = op.shape()[dim];
            if n != 1 {
                let seen = sizes.get(&c).copied().unwrap_or(1);
                if seen != 1 && seen != n {
                    return Err(einsum_err(if c.is_ascii_alphabetic() {
                        format!(
                            "subscript {} has size {} for operand {} which does not broadcast with previously seen size {}",
                            c, n, i, seen
                        )
                    } else {
                        // torch's wording, missing space included.
                        format!(
                            "dimension {} covered by ellipsis in operand {}has size {} which does not broadcast with previously seen ellipsis with size {} for the respective dimension",
                            dim, i, n, seen
                        )
                    }));
                }
                sizes.insert(c, n);
                counts_left[at] += 1;
            }
            perm[at] = Some(dim);
            dim += 1;
        }
        let mut order_of_op = Vec::with_capacity(total);
        for slot in perm {
            let d = match slot {
                Some(d) => d,
                None => {
                    op = op.unsqueeze(dim as i64)?;
                    dim += 1;
                    dim - 1
                }
            };
            order_of_op.push(d as i64);
        }
        ops.push_back(op.permute(&order_of_op)?);
    }
    let single = ops.len() == 1;
    let mut acc = ops
        .pop_front()
        .ok_or_else(|| einsum_err("must provide at least one operand"))?;
    while let Some(b) = ops.pop_front() {
        let a = acc;
        let (mut both, mut a_only, mut b_only) = (vec![], vec![], vec![]);
        for (d, left) in counts_left.iter_mut().enumerate().skip(out_dims) {
            let (in_a, in_b) = (a.shape()[d] != 1, b.shape()[d] != 1);
            if in_a && in_b {
                *left -= 1;
                if *left == 1 {
                    both.push(d);
                    *left = 0;
                }
            } else if *left == 1 && (in_a || in_b) {
                let side = if in_a { &mut a_only } else { &mut b_only };
                side.push(d as i64);
                *left = 0;
            }
        }
        let a = sum_keeping(a, &a_only)?;
        let b = sum_keeping(b, &b_only)?;
        acc = sum_product(&a, &b, &both)?;
    }
    if total == out_dims {
        return Ok(acc);
    }
    if single {
        let dims: Vec<i64> = (out_dims..total).map(|d| d as i64).collect();
        return acc.sum(Some(&dims), false, None);
    }
    // Every contracted dim is size 1 by now.
    let shape: Vec<i64> = acc.shape()[..out_dims].iter().map(|&n| n as i64).collect();
    acc.view(&shape)
}

/// `t` summed over `dims`, which stay as size 1 (`t` itself when there are none).
fn sum_keeping(t: Tensor, dims: &[i64]) -> Result<Tensor> {
    if dims.is_empty() {
        Ok(t)
    } else {
        t.sum(Some(dims), true, None)
    }
}

/// `(a * b)` summed over `contracted` (dims where both have the same size other than 1), which
/// stay as size 1; `a` and `b` have the same number of dims, the others broadcasting. Without dims
/// to contract this is a promoting `mul`, otherwise one `bmm` of `batch x left x contracted` by
/// `batch x contracted x right`, viewed and permuted back.
fn sum_product(a: &Tensor, b: &Tensor, contracted: &[usize]) -> Result<Tensor> {
    if contracted.is_empty() {
        return a.mul(b);
    }
    let (mut batch, mut left, mut right) = (vec![], vec![], vec![]);
    let (mut batch_n, mut left_n, mut right_n, mut sum_n) = (1i64, 1i64, 1i64, 1i64);
    for d in 0..a.ndim() {
        let (na, nb) = (a.shape()[d], b.shape()[d]);
        if contracted.contains(&d) {
            sum_n *= na as i64;
        } else if na != 1 && nb != 1 {
            batch.push(d);
            batch_n *= na as i64;
        } else if na != 1 {
            left.push(d);
            left_n *= na as i64;
        } else {
            right.push(d);
            right_n *= nb as i64;
        }
    }
    let as_i64 = |dims: &[&[usize]]| -> Vec<i64> {
        dims.iter()
            .flat_map(|g| g.iter().map(|&d| d as i64))
            .collect()
    };
    let a3 = a
        .permute(&as_i64(&[&batch, &left, contracted, &right]))?
        .reshape(&[batch_n, left_n, sum_n])?;
    let b3 = b
        .permute(&as_i64(&[&batch, contracted, &right, &left]))?
        .reshape(&[batch_n, sum_n, right_n])?;
    let out_order = as_i64(&[&batch, &left, contracted, &right]);
    let mut out_shape: Vec<i64> = Vec::with_capacity(out_order.len());
    out_shape.extend(batch.iter().map(|&d| a.shape()[d] as i64));
    out_shape.extend(left.iter().map(|&d| a.shape()[d] as i64));
    out_shape.extend(contracted.iter().map(|_| 1));
    out_shape.extend(right.iter().map(|&d| b.shape()[d] as i64));
    // The inverse of `out_order` puts every dim back in its place.
    let mut back = vec![0i64; out_order.len()];
    for (i, &d) in out_order.iter().enumerate() {
        back[d as usize] = i as i64;
    }
    a3.bmm(&b3)?.view(&out_shape)?.permute(&back)
}

/// Parses and checks the output subscripts; its ellipsis covers `covered` dims (the most any
/// operand's does). Without one, the ellipsis dims are summed.
fn parse_output(
    r: &str,
    counts: &BTreeMap<char, usize>,
    offset: usize,
    covered: usize,
) -> Result<Vec<char>> {
    let out = expand_term(&parse_term(r, offset + 1, "output")?, covered)?;
    for (i, &c) in out.iter().enumerate() {
        if c.is_ascii_alphabetic() && !counts.contains_key(&c) {
            return Err(einsum_err(format!(
                "output subscript {} does not appear in the equation for any input operand",
                c
            )));
        }
        if out[..i].contains(&c) {
            return Err(einsum_err(format!(
                "output subscript {} appears more than once in the output",
                c
            )));
        }
    }
    Ok(out)
}
