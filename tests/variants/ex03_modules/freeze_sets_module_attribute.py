"""freeze() sets `module.requires_grad = False`: a new Python attribute on the
module object; every parameter still requires, and gets, a gradient."""

VERDICTS = {
    "freeze_stops_gradients": ("failed", "'layer1.linear.weight.requires_grad': wrong value"),
}
DIAGNOSIS = {"*": "requires_grad"}


def freeze(module):
    module.requires_grad = False
    return module
