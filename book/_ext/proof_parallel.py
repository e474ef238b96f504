"""Let sphinx-proof run under ``sphinx-build -j N``.

sphinx-proof 0.4 keeps its data in ``env.proof_list`` and merges it in its own ``env-merge-info``
handler; its domain stores nothing, but lacks ``merge_domaindata``, so a parallel build crashes
with ``NotImplementedError``. A no-op method is the whole fix.
"""

from sphinx_proof.domain import ProofDomain


def _merge_domaindata(self, docnames, otherdata):
    """Nothing to merge: the proofs live in ``env.proof_list``."""


def setup(app):
    if "merge_domaindata" not in ProofDomain.__dict__:
        ProofDomain.merge_domaindata = _merge_domaindata
    return {"parallel_read_safe": True, "parallel_write_safe": True}
