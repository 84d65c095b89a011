//! Grad mode: whether operations record nodes. Per thread, as in torch.

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// True when operations on this thread record the graph.
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(Cell::get)
}

/// Turns recording on or off for this thread; returns the previous setting.
pub fn set_grad_enabled(enabled: bool) -> bool {
    GRAD_ENABLED.with(|g| g.replace(enabled))
}

/// Runs `f` with recording off on this thread, restoring the previous mode afterwards.
pub fn without_grad<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            set_grad_enabled(self.0);
        }
    }
    let _restore = Restore(set_grad_enabled(false));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_thread() {
        set_grad_enabled(false);
        let other = std::thread::spawn(is_grad_enabled).join().unwrap_or(false);
        assert!(other);
        assert!(!is_grad_enabled());
        set_grad_enabled(true);
    }
}
