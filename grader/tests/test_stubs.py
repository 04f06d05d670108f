"""Stubs from solutions: the regions between the markers become a TODO and a raise."""

import textwrap

import pytest

from grader.core.stubs import AuthoringError, make_stub

SOLUTION = textwrap.dedent(
    '''\
    import torch


    def double(x):
        """Twice x."""
        # BEGIN SOLUTION multiply by two
        y = x * 2
        return y
        # END SOLUTION


    class Layer(torch.nn.Module):
        def forward(self, x):
            # BEGIN SOLUTION
            return x
            # END SOLUTION
    '''
)


def test_regions_become_todo_and_raise_with_the_function_name():
    stub = make_stub(SOLUTION)
    assert "# TODO: multiply by two\n    raise NotImplementedError('double')\n" in stub
    assert "        raise NotImplementedError('forward')\n" in stub
    assert "x * 2" not in stub and "return x\n" not in stub
    assert '"""Twice x."""' in stub
    compile(stub, "stub", "exec")


@pytest.mark.parametrize(
    "source, problem",
    [
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside the region opened at line 1"),
        ("x = 1\n# END SOLUTION\n", "END SOLUTION without BEGIN"),
        ("def f():\n    # BEGIN SOLUTION\n    pass\n", "never closed"),
    ],
)
def test_unbalanced_markers_are_errors_with_a_line(source, problem):
    with pytest.raises(AuthoringError, match=problem):
        make_stub(source, "solutions/exZ.py")
