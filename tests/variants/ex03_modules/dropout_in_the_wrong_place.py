"""ComplexModel drops its standardised inputs (before the MLP) instead of the hidden units before the head:
it still switches with train()/eval(), and p = 0 hides it, but p = 1 shows where the units are dropped."""

VERDICTS = {
    "dropout_sits_before_the_head": ("failed", "'dropout=1.0, train(): output (dropout on the hidden units before the head: head.bias on each row)'"),
}
DIAGNOSIS = {"*": "hidden units before the head"}


class ComplexModel(ComplexModel):  # noqa: F821 - the solution's class, defined above
    def forward(self, X):
        return self.head(self.mlp(self.dropout(self.norm(X))))
