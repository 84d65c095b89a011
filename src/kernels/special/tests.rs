//! The golden-value tests: every function against torch's outputs, and edge inputs.

use super::*;

/// torch's values, written by `tests/data/special_golden.py` (format in its docstring).
const GOLDEN: &str = include_str!("../../../tests/data/special_golden.txt");

/// Standard base64 (with `=` padding) to bytes.
fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 character {c}"),
        }
    };
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for chunk in s.as_bytes().chunks(4) {
        let n = chunk.iter().take_while(|&&c| c != b'=').count();
        let mut acc = 0u32;
        for (i, &c) in chunk[..n].iter().enumerate() {
            acc |= val(c) << (18 - 6 * i);
        }
        out.extend_from_slice(&acc.to_be_bytes()[1..n]);
    }
    out
}

/// `x 2^e` for `e` in the normal exponent range.
fn ldexp(x: f64, e: i32) -> f64 {
    assert!((-1022..=1023).contains(&e));
    x * f64::from_bits(((e + 1023) as u64) << 52)
}

/// The inputs of one spec line (see the generator's docstring).
fn inputs(spec: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for part in spec.split(" + ") {
        let mut it = part.split_whitespace();
        let kind = it.next().unwrap();
        let args: Vec<&str> = it.collect();
        match kind {
            "lin" => {
                let lo: f64 = args[0].parse().unwrap();
                let hi: f64 = args[1].parse().unwrap();
                let n: usize = args[2].parse().unwrap();
                out.extend((0..n).map(|i| lo + (hi - lo) * (i as f64) / ((n - 1) as f64)));
            }
            "oct" | "noct" => {
                let e0: i32 = args[0].parse().unwrap();
                let e1: i32 = args[1].parse().unwrap();
                let m: u32 = args[2].parse().unwrap();
                let s = if kind == "noct" { -1.0 } else { 1.0 };
                for e in e0..e1 {
                    for j in 0..m {
                        out.push(s * ldexp(1.0 + j as f64 / m as f64, e));
                    }
                }
            }
            "list" => out.extend(args.iter().map(|a| a.parse::<f64>().unwrap())),
            _ => panic!("unknown input kind {kind}"),
        }
    }
    out
}

/// One golden section: the function (with its parameter), its inputs and torch's outputs.
struct Section {
    name: String,
    param: i64,
    args: Vec<Vec<f64>>,
    want64: Vec<f64>,
    want32: Vec<f32>,
}

fn sections() -> Vec<Section> {
    let mut out = Vec::new();
    let mut lines = GOLDEN.lines().filter(|l| !l.starts_with('#'));
    while let Some(head) = lines.next() {
        let head = head.strip_prefix('@').expect("section header");
        let mut words = head.split_whitespace();
        let name = words.next().unwrap().to_string();
        let param = words.next().map_or(0, |p| p.parse().unwrap());
        let binary = matches!(name.as_str(), "zeta" | "igamma" | "igammac" | "xlog1py");
        let mut args = vec![inputs(lines.next().unwrap())];
        if binary {
            let a = args.pop().unwrap();
            let b = inputs(lines.next().unwrap());
            args = vec![
                a.iter().flat_map(|&u| b.iter().map(move |_| u)).collect(),
                a.iter().flat_map(|_| b.iter().copied()).collect(),
            ];
        }
        let b64 = base64(lines.next().unwrap().strip_prefix("f64 ").unwrap());
        let want64 = b64
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect::<Vec<_>>();
        let b32 = base64(lines.next().unwrap().strip_prefix("f32 ").unwrap());
        let want32 = b32
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect::<Vec<_>>();
        assert_eq!(want64.len(), args[0].len(), "{name}");
        assert_eq!(want32.len(), args[0].len(), "{name}");
        out.push(Section {
            name,
            param,
            args,
            want64,
            want32,
        });
    }
    out
}

/// The function of a section, applied to `T`.
fn eval<T: Special>(name: &str, p: i64, a: T, b: T) -> T {
    match name {
        "erfinv" => a.erfinv(),
        "lgamma" => a.lgamma(),
        "digamma" => a.digamma(),
        "polygamma" => a.polygamma(p),
        "mvlgamma" => a.mvlgamma(p),
        "zeta" => a.zeta(b),
        "i0" => a.i0(),
        "i0e" => a.i0e(),
        "i1" => a.i1(),
        "i1e" => a.i1e(),
        "ndtr" => a.ndtr(),
        "ndtri" => a.ndtri(),
        "log_ndtr" => a.log_ndtr(),
        "erfcx" => a.erfcx(),
        "igamma" => a.igamma(b),
        "igammac" => a.igammac(b),
        "entr" => a.entr(),
        "xlog1py" => a.xlog1py(b),
        _ => panic!("unknown function {name}"),
    }
}

/// Distance in ulps between two finite floats of the same sign class (through the ordered
/// integer line, ±0 both at 0).
fn ulps64(a: f64, b: f64) -> u64 {
    let ord = |x: f64| {
        let m = (x.to_bits() & !(1 << 63)) as i128;
        if x.is_sign_negative() {
            -m
        } else {
            m
        }
    };
    (ord(a) - ord(b)).unsigned_abs() as u64
}

fn ulps32(a: f32, b: f32) -> u64 {
    let ord = |x: f32| {
        let m = (x.to_bits() & !(1 << 31)) as i64;
        if x.is_sign_negative() {
            -m
        } else {
            m
        }
    };
    (ord(a) - ord(b)).unsigned_abs()
}

/// torch's test tolerances (`torch.testing`'s defaults): `(rtol, atol)`.
const TOL64: (f64, f64) = (1e-7, 1e-7);
const TOL32: (f64, f64) = (1.3e-6, 1e-5);

/// The comparison of one function and type with torch: points, bit-identical results,
/// the largest distance in ulps (where `|torch| >= floor`) with its point, the largest
/// relative error, and the points outside torch's tolerance or of another class (NaN,
/// infinity, sign of zero).
#[derive(Default)]
struct Stats {
    n: usize,
    exact: usize,
    max_ulps: u64,
    worst: (f64, f64, f64, f64),
    max_rel: f64,
    bad: Vec<String>,
    diffs: Vec<String>,
}

impl Stats {
    /// Records our `got` and torch's `want` (as f64) at inputs `(a, b)`, `ulps` apart.
    fn add(&mut self, (a, b): (f64, f64), got: f64, want: f64, ulps: u64, tol: (f64, f64)) {
        let (rtol, atol) = tol;
        self.n += 1;
        let point = format!("({a:e}, {b:e}): got {got:e}, torch {want:e}");
        let same_class = if got.is_nan() || want.is_nan() {
            got.is_nan() && want.is_nan()
        } else if got.is_infinite() || want.is_infinite() {
            got == want
        } else if got == 0.0 && want == 0.0 {
            got.is_sign_negative() == want.is_sign_negative()
        } else {
            true
        };
        if !same_class {
            self.bad.push(point);
            return;
        }
        if got.to_bits() == want.to_bits() || got.is_nan() {
            self.exact += 1;
            return;
        }
        self.diffs.push(format!("{point} ({ulps} ulps)"));
        if ulps > self.max_ulps {
            self.max_ulps = ulps;
            self.worst = (a, b, got, want);
        }
        let err = (got - want).abs();
        self.max_rel = self.max_rel.max(err / want.abs());
        if err > atol + rtol * want.abs() {
            self.bad.push(point);
        }
    }
}

/// The largest ulp distances to torch allowed per function (float64, float32), and the
/// smallest `|torch|` the ulps are counted at: what the golden values measure on x86-64
/// Linux with glibc 2.36 (where std's `exp`, `ln`, ... are glibc's, as in torch), so that
/// any change of result shows. `lgamma`'s ulps are counted away from its zeros (1, 2 and
/// one in each negative unit interval), where `libm`'s and SLEEF's absolute errors of
/// ~1e-16 are many ulps.
fn ulp_bound(name: &str) -> (u64, u64, f64) {
    match name {
        "erfinv" => (1, 0, 0.0),
        "lgamma" => (2, 1, 0.5),
        "mvlgamma" => (2, 1, 0.0),
        "ndtr" => (8, 0, 0.0),
        "log_ndtr" => (2, 1, 0.0),
        "igamma" => (2, 1, 0.0),
        "igammac" => (1, 0, 0.0),
        _ => (0, 0, 0.0),
    }
}

#[test]
fn golden_torch_values() {
    // One entry per function (and parameter), sections merged.
    let mut results: Vec<(String, Stats, Stats)> = Vec::new();
    for s in sections() {
        let label = if s.name == "polygamma" || s.name == "mvlgamma" {
            format!("{} {}", s.name, s.param)
        } else {
            s.name.clone()
        };
        let pos = match results.iter().position(|r| r.0 == label) {
            Some(pos) => pos,
            None => {
                results.push((label, Stats::default(), Stats::default()));
                results.len() - 1
            }
        };
        let (_, st64, st32) = &mut results[pos];
        let floor = ulp_bound(&s.name).2;
        for i in 0..s.args[0].len() {
            let a = s.args[0][i];
            let b = s.args.get(1).map_or(0.0, |v| v[i]);
            let got = eval(&s.name, s.param, a, b);
            let want = s.want64[i];
            let u = if want.abs() >= floor {
                ulps64(got, want)
            } else {
                0
            };
            st64.add((a, b), got, want, u, TOL64);
            let (a32, b32) = (a as f32, b as f32);
            let got = eval(&s.name, s.param, a32, b32);
            let want = s.want32[i];
            let u = if want.abs() as f64 >= floor {
                ulps32(got, want)
            } else {
                0
            };
            st32.add((a32 as f64, b32 as f64), got as f64, want as f64, u, TOL32);
        }
    }
    // SPECIAL_GOLDEN_DIFFS=<prefix> lists every point that differs from torch's value.
    let show = std::env::var("SPECIAL_GOLDEN_DIFFS").ok();
    let mut failures = Vec::new();
    println!("function      type  points  bit-identical  max ulps  max rel err");
    for (label, st64, st32) in &results {
        let name = label.split(' ').next().unwrap_or_default();
        let (bound64, bound32, _) = ulp_bound(name);
        for (ty, st, bound) in [("f64", st64, bound64), ("f32", st32, bound32)] {
            let (a, b, got, want) = st.worst;
            print!(
                "{label:<13} {ty}   {:>6}  {:>13}  {:>8}  {:>11.2e}",
                st.n, st.exact, st.max_ulps, st.max_rel
            );
            if st.max_ulps > 0 {
                print!("  (worst at ({a:e}, {b:e}): {got:e} vs {want:e})");
            }
            println!();
            if show.as_deref().is_some_and(|p| label.starts_with(p)) {
                for d in &st.diffs {
                    println!("    {d}");
                }
            }
            for bad in &st.bad {
                failures.push(format!("{label} {ty}: outside torch's tolerance at {bad}"));
            }
            if st.max_ulps > bound {
                failures.push(format!("{label} {ty}: {} ulps > {bound}", st.max_ulps));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every function on edge inputs (NaN, infinities, zeros, subnormals, extremes, integers,
/// parameters out of torch's domain): no panic (overflow checks included), and the
/// parameter errors give NaN.
#[test]
fn edge_inputs() {
    fn sweep<T: Special + From<f32>>(edges: &[T]) {
        for &a in edges {
            for n in [-1, 0, 1, 2, 7, 200, i64::MAX] {
                let _ = a.polygamma(n);
            }
            for p in [i64::MIN, -1, 0, 1, 2, 9, 100] {
                let _ = a.mvlgamma(p);
            }
            let unary = [
                a.erfinv(),
                a.lgamma(),
                a.digamma(),
                a.i0(),
                a.i0e(),
                a.i1(),
                a.i1e(),
                a.ndtr(),
                a.ndtri(),
                a.log_ndtr(),
                a.erfcx(),
                a.entr(),
            ];
            let _ = unary;
            for &b in edges {
                let _ = (a.zeta(b), a.igamma(b), a.igammac(b), a.xlog1py(b));
            }
        }
    }
    let e32 = [
        f32::NAN,
        f32::INFINITY,
        -f32::INFINITY,
        0.0,
        -0.0,
        f32::MIN_POSITIVE,
        1e-45,
        -1e-45,
        f32::MAX,
        f32::MIN,
        1.0,
        -1.0,
        2.0,
        -2.5,
        0.5,
        1e7,
        -1e7 - 0.5,
    ];
    sweep(&e32);
    sweep(&e32.map(f64::from));
    sweep(&[
        f64::MAX,
        f64::MIN,
        5e-324,
        -5e-324,
        1e300,
        -1e300,
        1.0 - 1e-16,
    ]);
    assert!(1.5f64.polygamma(-1).is_nan() && 1.5f32.polygamma(-1).is_nan());
    assert!(1.5f64.mvlgamma(0).is_nan() && 1.5f32.mvlgamma(-3).is_nan());
}
