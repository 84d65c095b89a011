//! The backward pass: seeds the output gradients, runs every reachable node once in topological
//! order (each after all of its consumers), sums gradients that meet, and accumulates into leaves
//! (or captures them, for `autograd.grad`).

use crate::autograd::graph::{freed_graph_error, running, Edge, Node, NodeKind};
use crate::autograd::mode::set_grad_enabled;
use crate::autograd::record::edge_of;
use crate::error::{Error, Result};
use crate::scalar::Scalar;
use crate::shape::fmt_shape;
use crate::tensor::Tensor;
use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// Hashes node addresses: they are already unique, so one multiply spreads them well enough
/// (SipHash showed up in profiles of small backward passes).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<AddressHasher>>;

/// Checks the roots and builds their seed gradients (ones for scalars when none is given).
fn seeds(outputs: &[Tensor], grads: Vec<Option<Tensor>>) -> Result<Vec<(Edge, Tensor)>> {
    let mut out = Vec::with_capacity(outputs.len());
    for (i, (t, g)) in outputs.iter().zip(grads).enumerate() {
        let Some(edge) = edge_of(t) else {
            return Err(Error::Runtime(format!(
                "element {} of tensors does not require grad and does not have a grad_fn",
                i
            )));
        };
        let g = match g {
            Some(g) => {
                if g.shape() != t.shape() {
                    return Err(Error::Runtime(format!(
                        "Mismatch in shape: grad_output[{}] has a shape of rtensor.Size({}) and output[{}] has a shape of rtensor.Size({}).",
                        i,
                        fmt_shape(g.shape()),
                        i,
                        fmt_shape(t.shape())
                    )));
                }
                if !g.dtype().is_floating() {
                    return Err(Error::Runtime(format!(
                        "For complex Tensors, both grad_output and output are required to have the same dtype. Mismatch in dtype: grad_output[{}] has a dtype of {} and output[{}] has a dtype of {}.",
                        i,
                        g.dtype().torch_name(),
                        i,
                        t.dtype().torch_name()
                    )));
                }
                g.to_dtype(t.dtype())?
            }
            None => {
                if t.numel() != 1 {
                    return Err(Error::Runtime(
                        "grad can be implicitly created only for scalar outputs".into(),
                    ));
                }
                Tensor::full(t.shape(), Scalar::Int(1), t.dtype())?
            }
        };
        out.push((edge, g));
    }
    Ok(out)
}

/// Counts, for every node reachable from the roots, how many edges lead into it.
fn dependencies(roots: &[Arc<Node>]) -> HashMap<usize, usize> {
    let mut deps: HashMap<usize, usize> = HashMap::default();
    let mut seen: HashMap<usize, ()> = HashMap::default();
    let mut stack: Vec<Arc<Node>> = roots.to_vec();
    while let Some(node) = stack.pop() {
        if seen.insert(node.key(), ()).is_some() {
            continue;
        }
        for edge in node.next.iter().flatten() {
            *deps.entry(edge.node.key()).or_insert(0) += 1;
            stack.push(edge.node.clone());
        }
    }
    deps
}

/// Adds `g` into a gradient buffer slot.
fn accumulate_into(slot: &mut Option<Tensor>, g: Tensor) -> Result<()> {
    *slot = Some(match slot.take() {
        None => g,
        Some(prev) => prev.add(&g)?,
    });
    Ok(())
}

/// Adds `g` into `t.grad`: the first gradient is stored (copied when it may alias other memory),
/// later ones are added in place, as torch's AccumulateGrad does outside grad mode. The leaf's
/// autograd lock is held for the whole update, so backward passes on other threads that reach
/// the same leaf lose nothing. With `create_graph`, the gradient keeps its history and a later
/// one is added out of place (torch's AccumulateGrad in grad mode), so `.grad` can be
/// differentiated.
fn accumulate_grad(t: &Tensor, g: Tensor, create_graph: bool) -> Result<()> {
    let mut meta = t.meta();
    let has_graph = |t: &Option<Tensor>| t.as_ref().is_some_and(Tensor::requires_grad);
    if create_graph && (g.requires_grad() || has_graph(&meta.grad)) {
        let new = match meta.grad.take() {
            None if g.is_contiguous() => g,
            None => g.contiguous()?,
            Some(prev) => prev.add(&g)?,
        };
        meta.grad = Some(new);
        return Ok(());
    }
    match &meta.grad {
        None => {
            let g = if g.is_contiguous() && Arc::strong_count(g.storage()) == 1 {
                g
            } else {
                g.clone_contiguous()?
            };
            meta.grad = Some(g.detach());
        }
        Some(prev) => prev.add_(&g)?,
    }
    Ok(())
}

/// What the pass does at leaves.
enum Sink<'a> {
    /// `backward()`: add into `.grad`.
    Accumulate,
    /// `autograd.grad()`: capture the gradient reaching each of these (node, output) pairs.
    Capture(
        &'a [(usize, usize)],
        &'a mut HashMap<(usize, usize), Tensor>,
    ),
}

/// Runs the pass from `roots` (edge and seed gradient). The rules run with grad mode on only
/// for `create_graph`, so the gradients then carry their own graph.
fn run(
    roots: Vec<(Edge, Tensor)>,
    retain_graph: bool,
    create_graph: bool,
    sink: Sink,
) -> Result<()> {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            set_grad_enabled(self.0);
        }
    }
    let _restore = Restore(set_grad_enabled(create_graph));
    run_pass(roots, retain_graph, create_graph, sink)
}

/// Runs the hooks registered on output `nr` of `node` (or on the leaf of an accumulator) on
/// `grads[nr]`, in registration order, each seeing the previous one's result.
fn run_hooks(node: &Node, grads: &mut [Option<Tensor>]) -> Result<()> {
    let hooks: Vec<(usize, Arc<dyn crate::autograd::graph::GradHook>)> = match &node.kind {
        NodeKind::AccumulateGrad(leaf) => match leaf.upgrade() {
            Some(t) => t.meta().hooks.iter().map(|(_, h)| (0, h.clone())).collect(),
            None => vec![],
        },
        NodeKind::Function(_) => node
            .hooks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(nr, _, h)| (*nr, h.clone()))
            .collect(),
    };
    for (nr, hook) in hooks {
        if let Some(Some(g)) = grads.get(nr) {
            if let Some(new) = hook.call(g)? {
                grads[nr] = Some(new);
            }
        }
    }
    Ok(())
}

/// The gradient slots of a node: one per output.
fn slots(node: &Node) -> Vec<Option<Tensor>> {
    vec![None; node.outputs]
}

fn run_pass(
    roots: Vec<(Edge, Tensor)>,
    retain_graph: bool,
    create_graph: bool,
    mut sink: Sink,
) -> Result<()> {
    let root_nodes: Vec<Arc<Node>> = roots.iter().map(|(e, _)| e.node.clone()).collect();
    let mut deps = dependencies(&root_nodes);
    let mut buffers: HashMap<usize, Vec<Option<Tensor>>> = HashMap::default();
    let mut nodes: HashMap<usize, Arc<Node>> = HashMap::default();
    for (edge, g) in roots {
        let slot = buffers
            .entry(edge.node.key())
            .or_insert_with(|| slots(&edge.node));
        let i = edge.input_nr.min(slot.len() - 1);
        accumulate_into(&mut slot[i], g)?;
        nodes.insert(edge.node.key(), edge.node);
    }
    let mut ready: Vec<Arc<Node>> = nodes
        .values()
        .filter(|n| deps.get(&n.key()).copied().unwrap_or(0) == 0)
        .cloned()
        .collect();
    let mut executed: Vec<Arc<Node>> = vec![];
    while let Some(node) = ready.pop() {
        let key = node.key();
        let mut grads = buffers.remove(&key).unwrap_or_else(|| slots(&node));
        run_hooks(&node, &mut grads)?;
        for (nr, weak) in node
            .retained
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            if let (Some(t), Some(Some(g)), Sink::Accumulate) =
                (weak.upgrade(), grads.get(*nr), &sink)
            {
                accumulate_grad(&t, g.clone(), create_graph)?;
            }
        }
        if let Sink::Capture(targets, captured) = &mut sink {
            for (nr, g) in grads.iter().enumerate() {
                let Some(g) = g else { continue };
                if targets.contains(&(key, nr)) {
                    let total = match captured.remove(&(key, nr)) {
                        None => g.clone(),
                        Some(prev) => prev.add(g)?,
                    };
                    captured.insert((key, nr), total);
                }
            }
        }
        let input_grads: Vec<Option<Tensor>> = match &node.kind {
            NodeKind::AccumulateGrad(leaf) => {
                if let (Sink::Accumulate, Some(Some(g)), Some(t)) =
                    (&sink, grads.into_iter().next(), leaf.upgrade())
                {
                    accumulate_grad(&t, g, create_graph)?;
                }
                vec![]
            }
            NodeKind::Function(rule) => {
                let guard = rule.lock().unwrap_or_else(|e| e.into_inner());
                let Some(rule) = guard.as_ref() else {
                    return Err(freed_graph_error());
                };
                let out = if grads.iter().all(Option::is_none) {
                    vec![None; node.next.len()]
                } else if grads.len() == 1 {
                    match &grads[0] {
                        Some(g) => running(&node, || rule.apply(g))?,
                        None => vec![None; node.next.len()],
                    }
                } else {
                    running(&node, || rule.apply_outputs(&grads))?
                };
                drop(guard);
                executed.push(node.clone());
                out
            }
        };
        for (edge, g) in node
            .next
            .iter()
            .zip(input_grads.into_iter().chain(std::iter::repeat(None)))
        {
            let Some(edge) = edge else { continue };
            let child = edge.node.key();
            let slot = buffers.entry(child).or_insert_with(|| slots(&edge.node));
            if let Some(g) = g {
                let i = edge.input_nr.min(slot.len() - 1);
                accumulate_into(&mut slot[i], g)?;
            }
            let d = deps.entry(child).or_insert(1);
            *d -= 1;
            if *d == 0 {
                ready.push(edge.node.clone());
            }
        }
    }
    if !retain_graph {
        for node in executed {
            if let NodeKind::Function(rule) = &node.kind {
                if let Some(rule) = rule.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                    rule.release();
                }
            }
        }
    }
    Ok(())
}

/// `backward()`: accumulates d(outputs)/d(leaf) · grads into every leaf's `.grad`.
pub fn backward(
    outputs: &[Tensor],
    grads: Vec<Option<Tensor>>,
    retain_graph: bool,
    create_graph: bool,
) -> Result<()> {
    let roots = seeds(outputs, grads)?;
    run(roots, retain_graph, create_graph, Sink::Accumulate)
}

/// `autograd.grad()`: the gradients of `outputs` with respect to `inputs`, leaving `.grad` alone.
pub fn grad(
    outputs: &[Tensor],
    grads: Vec<Option<Tensor>>,
    inputs: &[Tensor],
    retain_graph: bool,
    create_graph: bool,
    allow_unused: bool,
) -> Result<Vec<Option<Tensor>>> {
    let mut targets = Vec::with_capacity(inputs.len());
    // The target edges stay alive until the pass is over: a leaf's accumulator is cached weakly,
    // and one that no graph holds (an output that is the input itself) would otherwise be freed
    // here and made anew, under another key, when the outputs are seeded.
    let mut target_edges = Vec::with_capacity(inputs.len());
    for t in inputs {
        let edge = edge_of(t).ok_or_else(|| {
            Error::Runtime("One of the differentiated Tensors does not require grad".into())
        })?;
        targets.push((edge.node.key(), edge.input_nr));
        target_edges.push(edge);
    }
    let roots = seeds(outputs, grads)?;
    let mut captured = HashMap::default();
    run(
        roots,
        retain_graph,
        create_graph,
        Sink::Capture(&targets, &mut captured),
    )?;
    drop(target_edges);
    targets
        .iter()
        .zip(inputs)
        .enumerate()
        .map(|(i, (key, t))| match captured.get(key) {
            Some(g) => Ok(Some(g.to_dtype(t.dtype())?)),
            None if allow_unused => Ok(None),
            None => Err(Error::Runtime(format!(
                "The differentiated Tensor at index {} appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
                i
            ))),
        })
        .collect()
}
