"""ComplexModel calls F.dropout(h, p) without training=self.training: dropout
keeps dropping after model.eval(), so predictions are random."""

VERDICTS = {
    "train_eval_switches_dropout": ("failed", "'after eval(): two passes agree': wrong value"),
    "dropout_sits_before_the_head": ("failed", "'dropout=1.0, after eval(): output (no dropout)'"),
}
DIAGNOSIS = {"*": ("after eval()", "training=self.training")}

import torch.nn.functional as F  # noqa: E402


class ComplexModel(ComplexModel):  # noqa: F821 - the solution's class, defined above
    def forward(self, X):
        return self.head(F.dropout(self.mlp(self.norm(X)), self.dropout.p))
