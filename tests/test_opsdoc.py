"""docs/OPS.md must be the table `python -m rtensor._opsdoc` prints from the op registry."""


def test_ops_table_is_up_to_date():
    """The ops table is printed from the op declarations (and the test files that call each op):
    `python -m rtensor._opsdoc` must have been run after a change."""
    from rtensor import _opsdoc

    stale = [str(p.relative_to(_opsdoc.ROOT)) for p, text in _opsdoc.expected().items() if not p.exists() or p.read_text() != text]
    assert not stale, f"out of date: {stale}; run `python -m rtensor._opsdoc`"


def test_ops_table_covers_the_registry():
    """Every registry op has its row, and the table has the columns the docs promise."""
    import rtensor
    from rtensor import _opsdoc

    text = _opsdoc.render()
    assert "| op | aliases | forms | forward | gradient nodes | binding | tests |" in text
    for op in rtensor._rtensor._registry():
        assert f"| `{op['name']}` |" in text, op["name"]
