//! Ports of the GNU C++ library's (libstdc++'s) `std::sort`, `std::nth_element` and
//! `std::partial_sort` (`bits/stl_algo.h`, `bits/stl_heap.h`), step for step.
//!
//! torch's CPU kernels call these with comparators that see only the value, so the order they
//! leave equal values in is these algorithms' own: introsort (median-of-three quicksort, a heap
//! sort past `2 * log2(n)` levels, insertion sort for the last 16 elements of every range) and
//! introselect. Running the same steps on `(value, index)` pairs gives torch's indices for ties
//! in `sort(stable=False)`, `topk` and `mode`; Rust's own sorts would order them otherwise.
//!
//! `less(a, b)` is the strict weak order (`comp` in C++). Positions are plain indices.

/// Ranges of at most this many elements are left to insertion sort (`_S_threshold`).
const THRESHOLD: usize = 16;

/// `std::__lg`: the floor of `log2(n)` for `n > 0`.
fn lg(n: usize) -> usize {
    (usize::BITS - 1 - n.leading_zeros()) as usize
}

/// `std::sort(v.begin(), v.end(), less)`.
pub fn sort<E: Copy>(v: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    if v.is_empty() {
        return;
    }
    introsort_loop(v, 0, v.len(), 2 * lg(v.len()), less);
    final_insertion_sort(v, 0, v.len(), less);
}

/// `std::nth_element(v.begin(), v.begin() + nth, v.end(), less)`.
pub fn nth_element<E: Copy>(v: &mut [E], nth: usize, less: &impl Fn(&E, &E) -> bool) {
    if v.is_empty() || nth >= v.len() {
        return;
    }
    let (mut first, mut last) = (0, v.len());
    let mut depth = 2 * lg(v.len());
    while last - first > 3 {
        if depth == 0 {
            heap_select(v, first, nth + 1, last, less);
            v.swap(first, nth);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(v, first, last, less);
        if cut <= nth {
            first = cut;
        } else {
            last = cut;
        }
    }
    insertion_sort(v, first, last, less);
}

/// `std::partial_sort(v.begin(), v.begin() + middle, v.end(), less)`; nothing for `middle == 0`
/// (C++ compares with the empty heap's first element there; torch never asks for it). `topk`
/// uses [`partial_sort_lazy`]; this whole-vector form is its reference in the tests.
#[cfg(test)]
pub fn partial_sort<E: Copy>(v: &mut [E], middle: usize, less: &impl Fn(&E, &E) -> bool) {
    if middle == 0 {
        return;
    }
    let last = v.len();
    heap_select(v, 0, middle, last, less);
    sort_heap(v, 0, middle, less);
}

/// `std::partial_sort` over `len` elements made on demand by `at(i)`, returning only the first
/// `middle` (`middle >= 1`): the same elements in the same order as [`partial_sort`] leaves in
/// `v[..middle]`, without building the whole vector. After `make_heap`, `heap_select` reads each
/// later element once, at its turn, and the slot it writes there is never read again, so only
/// the heap needs to exist.
pub fn partial_sort_lazy<E: Copy>(
    middle: usize,
    len: usize,
    at: impl Fn(usize) -> E,
    less: &impl Fn(&E, &E) -> bool,
) -> Vec<E> {
    let mut heap: Vec<E> = (0..middle).map(&at).collect();
    make_heap(&mut heap, 0, middle, less);
    for i in middle..len {
        let e = at(i);
        if less(&e, &heap[0]) {
            // `pop_heap(v, 0, middle, i)`: `v[i]` takes the top (never read again) and `e`
            // sinks from the top.
            adjust_heap(&mut heap, 0, 0, middle, e, less);
        }
    }
    sort_heap(&mut heap, 0, middle, less);
    heap
}

fn introsort_loop<E: Copy>(
    v: &mut [E],
    first: usize,
    mut last: usize,
    mut depth: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    while last - first > THRESHOLD {
        if depth == 0 {
            heap_select(v, first, last, last, less);
            sort_heap(v, first, last, less);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(v, first, last, less);
        introsort_loop(v, cut, last, depth, less);
        last = cut;
    }
}

/// `std::__unguarded_partition_pivot`: the median of three moved to `first`, then partition.
fn partition_pivot<E: Copy>(
    v: &mut [E],
    first: usize,
    last: usize,
    less: &impl Fn(&E, &E) -> bool,
) -> usize {
    let mid = first + (last - first) / 2;
    move_median_to_first(v, first, first + 1, mid, last - 1, less);
    unguarded_partition(v, first + 1, last, first, less)
}

fn move_median_to_first<E: Copy>(
    v: &mut [E],
    result: usize,
    a: usize,
    b: usize,
    c: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    let pick = if less(&v[a], &v[b]) {
        if less(&v[b], &v[c]) {
            b
        } else if less(&v[a], &v[c]) {
            c
        } else {
            a
        }
    } else if less(&v[a], &v[c]) {
        a
    } else if less(&v[b], &v[c]) {
        c
    } else {
        b
    };
    v.swap(result, pick);
}

fn unguarded_partition<E: Copy>(
    v: &mut [E],
    mut first: usize,
    mut last: usize,
    pivot: usize,
    less: &impl Fn(&E, &E) -> bool,
) -> usize {
    loop {
        while less(&v[first], &v[pivot]) {
            first += 1;
        }
        last -= 1;
        while less(&v[pivot], &v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

fn final_insertion_sort<E: Copy>(
    v: &mut [E],
    first: usize,
    last: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    if last - first > THRESHOLD {
        insertion_sort(v, first, first + THRESHOLD, less);
        for i in first + THRESHOLD..last {
            unguarded_linear_insert(v, i, less);
        }
    } else {
        insertion_sort(v, first, last, less);
    }
}

fn insertion_sort<E: Copy>(v: &mut [E], first: usize, last: usize, less: &impl Fn(&E, &E) -> bool) {
    if first == last {
        return;
    }
    for i in first + 1..last {
        if less(&v[i], &v[first]) {
            let val = v[i];
            v.copy_within(first..i, first + 1);
            v[first] = val;
        } else {
            unguarded_linear_insert(v, i, less);
        }
    }
}

fn unguarded_linear_insert<E: Copy>(v: &mut [E], mut last: usize, less: &impl Fn(&E, &E) -> bool) {
    let val = v[last];
    let mut next = last - 1;
    while less(&val, &v[next]) {
        v[last] = v[next];
        last = next;
        next -= 1;
    }
    v[last] = val;
}

fn heap_select<E: Copy>(
    v: &mut [E],
    first: usize,
    middle: usize,
    last: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    make_heap(v, first, middle, less);
    for i in middle..last {
        if less(&v[i], &v[first]) {
            pop_heap(v, first, middle, i, less);
        }
    }
}

fn sort_heap<E: Copy>(v: &mut [E], first: usize, mut last: usize, less: &impl Fn(&E, &E) -> bool) {
    while last - first > 1 {
        last -= 1;
        pop_heap(v, first, last, last, less);
    }
}

fn make_heap<E: Copy>(v: &mut [E], first: usize, last: usize, less: &impl Fn(&E, &E) -> bool) {
    let len = last - first;
    if len < 2 {
        return;
    }
    let mut parent = (len - 2) / 2;
    loop {
        let value = v[first + parent];
        adjust_heap(v, first, parent, len, value, less);
        if parent == 0 {
            return;
        }
        parent -= 1;
    }
}

fn pop_heap<E: Copy>(
    v: &mut [E],
    first: usize,
    last: usize,
    result: usize,
    less: &impl Fn(&E, &E) -> bool,
) {
    let value = v[result];
    v[result] = v[first];
    adjust_heap(v, first, 0, last - first, value, less);
}

fn adjust_heap<E: Copy>(
    v: &mut [E],
    first: usize,
    mut hole: usize,
    len: usize,
    value: E,
    less: &impl Fn(&E, &E) -> bool,
) {
    let top = hole;
    let mut child = hole;
    while child < (len - 1) / 2 {
        child = 2 * (child + 1);
        if less(&v[first + child], &v[first + child - 1]) {
            child -= 1;
        }
        v[first + hole] = v[first + child];
        hole = child;
    }
    if len & 1 == 0 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        v[first + hole] = v[first + child - 1];
        hole = child - 1;
    }
    // `std::__push_heap`.
    let mut parent = hole.wrapping_sub(1) / 2;
    while hole > top && less(&v[first + parent], &value) {
        v[first + hole] = v[first + parent];
        hole = parent;
        parent = hole.wrapping_sub(1) / 2;
    }
    v[first + hole] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for the tests.
    fn data(n: usize, seed: u64, range: u64) -> Vec<(u64, usize)> {
        let mut s = seed;
        (0..n)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) % range, i)
            })
            .collect()
    }

    #[test]
    fn sorts_select_and_partially_sort_by_value() {
        let less = |a: &(u64, usize), b: &(u64, usize)| a.0 < b.0;
        for n in [0, 1, 2, 3, 5, 16, 17, 100, 1000, 5000] {
            let v = data(n, n as u64, 7);
            let mut want: Vec<u64> = v.iter().map(|e| e.0).collect();
            want.sort();
            let mut s = v.clone();
            sort(&mut s, &less);
            assert_eq!(s.iter().map(|e| e.0).collect::<Vec<_>>(), want);
            for nth in [0, n / 2, n.saturating_sub(1)] {
                if n == 0 {
                    continue;
                }
                let mut s = v.clone();
                nth_element(&mut s, nth, &less);
                assert_eq!(s[nth].0, want[nth]);
                assert!(s[..nth].iter().all(|e| e.0 <= want[nth]));
                let mut s = v.clone();
                partial_sort(&mut s, nth, &less);
                assert_eq!(
                    s[..nth].iter().map(|e| e.0).collect::<Vec<_>>(),
                    want[..nth]
                );
                if nth > 0 {
                    // The lazy form leaves the same elements, ties in the same order.
                    assert_eq!(partial_sort_lazy(nth, n, |i| v[i], &less), s[..nth]);
                }
            }
        }
    }
}
