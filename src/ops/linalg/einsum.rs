//! `einsum` for any number of operands, with torch's ellipsis (`...` stands for the dims no letter
//! names, aligned from the right and broadcast across operands): repeated subscripts within an
//! operand take a diagonal, subscripts needed nowhere else are summed first, and each pair of operands
//! becomes one batched product (`bmm`) of `batch x left x contracted` by
//! `batch x contracted x right`. Every step is a differentiable op, so gradients come for free.

use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::collections::BTreeMap;

/// A tensor with one subscript per dim.
struct Labeled {
    t: Tensor,
    labels: Vec<char>,
}

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

/// Position of each label in `labels`.
fn position(labels: &[char], c: char) -> usize {
    labels.iter().position(|&l| l == c).unwrap_or(0)
}

impl Labeled {
    /// Takes the diagonal of every subscript that appears more than once (`ii->i`), as a view:
    /// the off-diagonal elements are never read (an inf there stays out of the result).
    fn diagonals(mut self) -> Result<Labeled> {
        while let Some((first, second)) = repeated(&self.labels) {
            self.t = self.t.diagonal_view(first, second)?;
            self.labels.remove(second);
        }
        Ok(self)
    }

    /// Sums over the subscripts that `keep` does not contain.
    fn sum_except(self, keep: &[char]) -> Result<Labeled> {
        let dims: Vec<i64> = (0..self.labels.len())
            .filter(|&d| !keep.contains(&self.labels[d]))
            .map(|d| d as i64)
            .collect();
        if dims.is_empty() {
            return Ok(self);
        }
        Ok(Labeled {
            t: self.t.sum(Some(&dims), false, None)?,
            labels: self
                .labels
                .into_iter()
                .filter(|c| keep.contains(c))
                .collect(),
        })
    }

    /// The tensor with its dims ordered as `order` (a permutation of the labels), reshaped to
    /// the products of the size groups `groups`.
    fn arrange(
        &self,
        order: &[char],
        groups: &[&[char]],
        sizes: &BTreeMap<char, usize>,
    ) -> Result<Tensor> {
        let perm: Vec<i64> = order
            .iter()
            .map(|&c| position(&self.labels, c) as i64)
            .collect();
        let shape: Vec<i64> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|c| sizes.get(c).copied().unwrap_or(1) as i64)
                    .product()
            })
            .collect();
        self.t.permute(&perm)?.reshape(&shape)
    }
}

/// The first subscript that appears twice, as its two positions.
fn repeated(labels: &[char]) -> Option<(usize, usize)> {
    (0..labels.len()).find_map(|i| {
        (i + 1..labels.len())
            .find(|&j| labels[j] == labels[i])
            .map(|j| (i, j))
    })
}

/// Contracts two operands into one whose subscripts are those of either that `keep` holds:
/// shared kept subscripts are batch dims, shared others are summed by the product.
fn contract(
    a: Labeled,
    b: Labeled,
    keep: &[char],
    sizes: &BTreeMap<char, usize>,
) -> Result<Labeled> {
    let a = a.sum_except(&[keep, &b.labels].concat())?;
    let b = b.sum_except(&[keep, &a.labels].concat())?;
    let batch: Vec<char> = a
        .labels
        .iter()
        .copied()
        .filter(|c| b.labels.contains(c) && keep.contains(c))
        .collect();
    let summed: Vec<char> = a
        .labels
        .iter()
        .copied()
        .filter(|c| b.labels.contains(c) && !keep.contains(c))
        .collect();
    let left: Vec<char> = a
        .labels
        .iter()
        .copied()
        .filter(|c| !b.labels.contains(c))
        .collect();
    let right: Vec<char> = b
        .labels
        .iter()
        .copied()
        .filter(|c| !a.labels.contains(c))
        .collect();
    let at = a.arrange(
        &[&batch[..], &left, &summed].concat(),
        &[&batch, &left, &summed],
        sizes,
    )?;
    let bt = b.arrange(
        &[&batch[..], &summed, &right].concat(),
        &[&batch, &summed, &right],
        sizes,
    )?;
    let product = at.bmm(&bt)?;
    let labels = [&batch[..], &left, &right].concat();
    let shape: Vec<i64> = labels
        .iter()
        .map(|c| sizes.get(c).copied().unwrap_or(1) as i64)
        .collect();
    Ok(Labeled {
        t: product.reshape(&shape)?,
        labels,
    })
}

/// `einsum(equation, operands)` with torch's subscript rules and messages.
pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
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
    let mut sizes: BTreeMap<char, usize> = BTreeMap::new();
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
        let labels = expand_term(&subs, covered)?;
        for (&c, &n) in labels.iter().zip(t.shape()) {
            *counts.entry(c).or_insert(0) += 1;
            match sizes.get(&c) {
                Some(&seen) if seen != n && seen != 1 && n != 1 => {
                    let what = if c.is_ascii_alphabetic() {
                        format!("subscript {}", c)
                    } else {
                        "a dim covered by the ellipsis".to_string()
                    };
                    return Err(einsum_err(format!(
                        "{} has size {} for operand {} which does not broadcast with previously seen size {}",
                        what, n, i, seen
                    )));
                }
                Some(&seen) if seen >= n => {}
                _ => {
                    sizes.insert(c, n);
                }
            }
        }
        labeled.push((labels, t.clone()));
    }
    let output = match rhs {
        Some(r) => parse_output(r, &counts, offset, most_covered)?,
        None => {
            // The ellipsis dims first, then the letters used once, in alphabetical order.
            let mut out = expand_term(&[Sub::Ellipsis], most_covered)?;
            out.extend(
                counts
                    .iter()
                    .filter(|(c, &n)| n == 1 && c.is_ascii_alphabetic())
                    .map(|(&c, _)| c),
            );
            out
        }
    };
    // Size-1 dims broadcast against the subscript's size elsewhere.
    let mut ops = Vec::with_capacity(labeled.len());
    for (labels, t) in labeled {
        let full: Vec<i64> = labels
            .iter()
            .map(|c| sizes.get(c).copied().unwrap_or(1) as i64)
            .collect();
        let t = if full.iter().zip(t.shape()).all(|(&f, &s)| f as usize == s) {
            t
        } else {
            t.expand(&full)?
        };
        ops.push(Labeled { t, labels }.diagonals()?);
    }
    let mut rest = ops.into_iter();
    let Some(mut acc) = rest.next() else {
        return Err(einsum_err("must provide at least one operand"));
    };
    let later: Vec<Labeled> = rest.collect();
    let keeps: Vec<Vec<char>> = (0..later.len())
        .map(|i| {
            let mut keep = output.clone();
            later[i + 1..].iter().for_each(|o| keep.extend(&o.labels));
            keep
        })
        .collect();
    for (next, keep) in later.into_iter().zip(keeps) {
        acc = contract(acc, next, &keep, &sizes)?;
    }
    let acc = acc.sum_except(&output)?;
    let perm: Vec<i64> = output
        .iter()
        .map(|&c| position(&acc.labels, c) as i64)
        .collect();
    acc.t.permute(&perm)
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
