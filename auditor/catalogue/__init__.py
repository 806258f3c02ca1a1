"""Catalogue: controls, the policy, and the rule language (`rules/`).

Imports the shared base, `privacy` and `evidence` (kinds and normalisers the rules compile against).
Entry points: `controls.load`, `controls.apply_policy`, `policy.load`.
"""
